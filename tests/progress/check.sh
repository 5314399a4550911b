#!/bin/sh
# check.sh - the live progress line of long Maps and Waits (runtime/progress.c):
# on with --progress, off by default when stderr is not a terminal, on by
# default on a terminal (through script(1), when present), off with
# --no-progress, the same in a built executable; a hostile state name is
# printed with its control characters replaced; stdout is never touched.
set -u
BUILD=${BUILD:-build}
ASLC=$BUILD/aslc
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# A 1 s Wait, then a Map of 4 one-second items, 2 at a time (about 2 s);
# the Map's name holds an escape sequence that would clear the screen.
cat > "$T/p.json" <<'JSON'
{"StartAt": "Pause", "States": {
  "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Ship\u001b[2J"},
  "Ship\u001b[2J": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
    "ItemProcessor": {"StartAt": "One", "States": {"One": {"Type": "Wait", "Seconds": 1, "End": true}}},
    "End": true}}}
JSON
echo '{"items": [1, 2, 3, 4]}' > "$T/in.json"
want_out='[1,2,3,4]'

check_run() { # NAME EXPECT(on|off) COMMAND...
    name=$1 expect=$2
    shift 2
    "$@" > "$T/out" 2> "$T/err"
    rc=$?
    [ $rc -eq 0 ] || { bad "$name: exit $rc: $(cat "$T/err")"; return; }
    out=$(tr -d ' \n' < "$T/out")
    [ "$out" = "$want_out" ] || { bad "$name: stdout is '$out'"; return; }
    if [ "$expect" = on ]; then
        grep -q 'Wait Pause: [0-9]s left' "$T/err" || { bad "$name: no Wait line"; return; }
        grep -q 'Map Ship\\u001b\[2J: [0-9]/4 items, [0-9.]*/s' "$T/err" || { bad "$name: no Map line"; return; }
        if LC_ALL=C grep -q "$(printf '\033')\[2J" "$T/err"; then bad "$name: raw escape from the name"; return; fi
    else
        [ ! -s "$T/err" ] || { bad "$name: stderr not empty: $(od -c "$T/err" | head -3)"; return; }
    fi
    ok
}

check_run "aslc run --progress" on "$ASLC" run "$T/p.json" --input-file "$T/in.json" --progress
check_run "aslc run, stderr a file" off "$ASLC" run "$T/p.json" --input-file "$T/in.json"
check_run "aslc run --no-progress" off "$ASLC" run "$T/p.json" --input-file "$T/in.json" --no-progress
if "$ASLC" build "$T/p.json" -o "$T/p" 2> "$T/build.err"; then
    check_run "built --progress" on "$T/p" --input-file "$T/in.json" --progress
else
    bad "build: $(cat "$T/build.err")"
fi
if command -v script > /dev/null 2>&1; then
    # On a terminal it is on by default, and --no-progress still wins.
    script -qec "$T/p --input-file $T/in.json" /dev/null > "$T/tty" 2>&1
    if grep -q 'Map Ship\\u001b\[2J' "$T/tty"; then ok; else bad "on a terminal: no Map line"; fi
    script -qec "$T/p --input-file $T/in.json --no-progress" /dev/null > "$T/tty" 2>&1
    if grep -q 'Map Ship' "$T/tty"; then bad "on a terminal with --no-progress: a line"; else ok; fi
else
    echo "progress: SKIPPED the terminal checks (script(1) not installed)"
fi
echo "progress: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
