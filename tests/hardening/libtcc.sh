#!/bin/sh
# libtcc.sh - `aslc build --cc libtcc` (TinyCC in process, the fallback when
# there is no C compiler) must build working executables: every sample in
# samples/ is built that way and run on its input, and its output must be
# what `aslc run` prints; a build TinyCC cannot finish exits 3 (build
# failed), never 1 (definition has errors). Run by tests/run.sh.
# Environment: BUILD (default build).
set -u
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../..
ASLC=$root/$BUILD/aslc
[ -x "$ASLC" ] || { echo "libtcc: $ASLC is missing" >&2; exit 1; }
# A sanitizer build's library needs the sanitizers' runtimes, which only
# gcc/clang link: nothing to test there.
if nm "$root/$BUILD/libaslrt.a" 2>/dev/null | grep -q '__asan_\|__ubsan_'; then
    echo "SKIPPED: $BUILD/libaslrt.a is built with sanitizers (TinyCC cannot link their runtimes)"
    exit 0
fi
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT INT TERM
status=0
count=0
fail() { echo "FAIL: $*"; status=1; }

# TinyCC links no thread-local storage: a TLS relocation in the library
# would fail every build ("Unknown relocation type for got: 23").
count=$((count + 1))
tls=$(readelf -rW "$root/$BUILD/libaslrt.a" 2>/dev/null | grep -c 'R_X86_64_TPOFF\|R_X86_64_GOTTPOFF\|R_X86_64_TLS')
[ "$tls" -eq 0 ] || fail "libaslrt.a holds $tls thread-local relocations (_Thread_local): TinyCC cannot link them"

for def in "$root"/samples/*.asl.json; do
    name=$(basename "$def" .asl.json)
    input=$root/samples/$name.input.json
    [ -f "$input" ] || continue
    count=$((count + 1))
    if ! "$ASLC" build --cc libtcc "$def" -o "$t/$name" >"$t/build.err" 2>&1; then
        fail "aslc build --cc libtcc samples/$name.asl.json (exit $?)"
        sed 's/^/    /' "$t/build.err" | head -5
        continue
    fi
    "$ASLC" run "$def" --input-file "$input" --wait skip --name t >"$t/want" 2>/dev/null
    want_rc=$?
    "$t/$name" --input-file "$input" --wait skip --name t >"$t/got" 2>"$t/got.err"
    got_rc=$?
    [ "$got_rc" -eq "$want_rc" ] || { fail "samples/$name built by TinyCC exits $got_rc, aslc run $want_rc"; sed 's/^/    /' "$t/got.err" | head -5; }
    cmp -s "$t/want" "$t/got" || fail "samples/$name built by TinyCC prints other output than aslc run"
done

# A link TinyCC cannot finish: the build-failed status.
count=$((count + 1))
printf '{"StartAt":"S","States":{"S":{"Type":"Pass","End":true}}}\n' >"$t/p.json"
"$ASLC" build --cc libtcc "$t/p.json" -o "$t/no/such/dir/p" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 3 ] || fail "a failed TinyCC build exits $rc, expected 3"

[ "$status" -eq 0 ] && echo "libtcc: $count checks passed"
exit "$status"
