#!/bin/sh
# check.sh - golden files of `aslc check`'s three output formats (text,
# --format json, --format sarif) over the definitions in this folder, and
# its exit codes. Run by tests/run.sh; UPDATE=1 rewrites the expected
# files (review the diff). Environment: BUILD (default build).
set -u
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
ASLC=$here/../../$BUILD/aslc
cd "$here" || exit 1
[ -x "$ASLC" ] || { echo "check.sh: $ASLC is missing" >&2; exit 1; }
out=$(mktemp -d) || exit 1
trap 'rm -rf "$out"' EXIT INT TERM
FILES="orders.asl.json greeting.asl.yaml template.yaml"
status=0
fail() { echo "FAIL: $*"; status=1; }

# expect_rc WANT COMMAND...: the command's exit status must be WANT.
expect_rc() {
    want=$1
    shift
    "$@"
    got=$?
    [ "$got" -eq "$want" ] || fail "exit $got, expected $want: $*"
}

NO_COLOR=1 expect_rc 1 "$ASLC" check $FILES 2>"$out/expected.txt" >/dev/null
expect_rc 1 "$ASLC" check --format json $FILES >"$out/expected.json"
expect_rc 1 "$ASLC" check --format sarif $FILES >"$out/expected.sarif"
for f in expected.txt expected.json expected.sarif; do
    if [ "${UPDATE:-}" = 1 ]; then
        cp "$out/$f" "$f"
        echo "updated tests/diag/$f"
    elif ! diff -u "$f" "$out/$f"; then
        fail "tests/diag/$f differs (UPDATE=1 sh tests/diag/check.sh rewrites it)"
    fi
done

# Exit codes: 0 clean, 1 warnings under -Werror, 2 unreadable; stdin.
expect_rc 0 "$ASLC" check clean.asl.json
expect_rc 0 "$ASLC" check warnings.asl.json 2>/dev/null
expect_rc 1 "$ASLC" check -Werror warnings.asl.json 2>/dev/null
expect_rc 1 "$ASLC" check -Werror=NO_DOLLAR warnings.asl.json 2>/dev/null
expect_rc 0 "$ASLC" check -Werror -Wno-NO_DOLLAR -Wno-CHOICE_NO_DEFAULT warnings.asl.json 2>/dev/null
expect_rc 2 "$ASLC" check no-such-file.json 2>/dev/null
expect_rc 2 "$ASLC" check --format xml clean.asl.json 2>/dev/null
expect_rc 0 "$ASLC" check - <clean.asl.json
expect_rc 1 "$ASLC" check - <greeting.asl.yaml 2>/dev/null
[ -z "$("$ASLC" check clean.asl.json 2>&1)" ] || fail "a clean definition printed something"
# The warning says what really happens: AWS fails with States.Runtime.
"$ASLC" check warnings.asl.json 2>&1 | grep -q 'no "Default": when no rule matches, the execution fails with States.Runtime' ||
    fail "CHOICE_NO_DEFAULT does not name States.Runtime"
# A control character in a name reaches the terminal escaped, never raw.
ctl=$(mktemp)
printf '{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope\\u001b[2J"}}}' >"$ctl"
"$ASLC" check "$ctl" 2>&1 | LC_ALL=C grep -q "$(printf '\033')" && fail "a control character in a name reached the terminal raw"
"$ASLC" check "$ctl" 2>&1 | grep -q 'Nope\\u001b\[2J' || fail "the escaped name is not shown"
# ... and so do --trace lines (names, errors, causes) and a retry's line.
printf '{"StartAt":"A\\u001b[31m","States":{"A\\u001b[31m":{"Type":"Fail","Error":"E\\u001b[2J","Cause":"C\\u0007"}}}' >"$ctl"
"$ASLC" run "$ctl" --input '{}' --trace >/dev/null 2>"$ctl.err"
LC_ALL=C grep -q "$(printf '[\033\007]')" "$ctl.err" && fail "--trace wrote a control character raw"
grep -q "enter Fail 'A\\\\u001b\\[31m'" "$ctl.err" || fail "--trace does not show the escaped state name: $(cat "$ctl.err")"
rm -f "$ctl" "$ctl.err"

[ "$status" -eq 0 ] && echo "diagnostics: golden text, json and sarif output and exit codes as expected"
exit "$status"
