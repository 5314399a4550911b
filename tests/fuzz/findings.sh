#!/bin/sh
# findings.sh - what fuzzing (tests/fuzz) found, as plain regression tests
# that need no clang: each runs the normal aslc build on the minimal case
# and checks the exit status and output. (The same inputs are in
# tests/fuzz/regress/TARGET/, which the fuzz targets replay.) Run by
# tests/run.sh. Environment: BUILD (default build).
set -u
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
ASLC=$here/../../$BUILD/aslc
[ -x "$ASLC" ] || { echo "fuzz findings: $ASLC is missing" >&2; exit 1; }
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT INT TERM
cd "$t" || exit 1
status=0
count=0

# expect WANT_RC PATTERN COMMAND...: the exit status must be WANT_RC and
# PATTERN (grep -E; "" for none) must occur in stdout or stderr.
expect() {
    want=$1 pat=$2
    shift 2
    count=$((count + 1))
    "$@" >out 2>err
    got=$?
    [ "$got" -eq "$want" ] || { echo "FAIL: exit $got, expected $want: $*"; sed 's/^/    /' err | head -5; status=1; return; }
    [ -z "$pat" ] || cat out err | grep -Eq -- "$pat" || { echo "FAIL: no /$pat/ in the output of: $*"; sed 's/^/    /' out err | head -5; status=1; }
}

# JSONata $range / $partition with an undefined argument crashed (NULL
# dereference); they give undefined, as jsonata-js's built-ins do.
expect 0 '' "$ASLC" jsonata --no-input '$range($x, 3)'
expect 0 '' "$ASLC" jsonata --no-input '$range(1, $x)'
expect 0 '' "$ASLC" jsonata --no-input '$partition([1, 2], $x)'
expect 0 '^\[1,2,3\]$' "$ASLC" jsonata --no-input '$range(1, 3)'
# $substring with an undefined start crashed (NULL dereference); jsonata-js
# slices from undefined to NaN: "" with a length, the whole string without.
expect 0 '^""$' "$ASLC" jsonata --no-input '$substring("Hello World", $x, 5)'
expect 0 '^"Hello World"$' "$ASLC" jsonata --no-input '$substring("Hello World", $x)'
expect 0 '^"ello World"$' "$ASLC" jsonata --no-input '$substring("Hello World", 1, $x)'

# More built-ins read an undefined argument (NULL): each now does what
# jsonata-js 2.0.6 does (checked with the npm package).
expect 0 '^"Hello"$' "$ASLC" jsonata --no-input '$substringBefore("Hello", $x)'
expect 0 '^"Hello"$' "$ASLC" jsonata --no-input '$substringAfter("Hello", $x)'
expect 1 "reading 'length'" "$ASLC" jsonata --no-input '$substringAfter("a undefined b", $x)'
expect 0 '^"a "$' "$ASLC" jsonata --no-input '$substringBefore("a undefined b", $x)'
expect 0 '^"a"$' "$ASLC" jsonata --no-input '$pad("a", $x)'
expect 0 '' "$ASLC" jsonata --no-input '$lookup({"a": 1}, $x)'
expect 1 'exponent=undefined' "$ASLC" jsonata --no-input '$power(2, $x)'
expect 1 "reading 'split'" "$ASLC" jsonata --no-input '$formatNumber(1, $x)'
expect 1 "reading 'lastIndexOf'" "$ASLC" jsonata --no-input '$formatInteger(1, $x)'
expect 1 "reading 'lastIndexOf'" "$ASLC" jsonata --no-input '$parseInteger("1", $x)'

# Two variables back to back in an intrinsic argument ("$a$b"): check
# accepted it (it read "$$", the context object) and emit aborted with an
# internal error. Now check refuses it and emit exits 1.
cp "$here/regress/lower/intrinsic-two-variables.json" two-vars.json
expect 1 'INVALID_JSONPATH' "$ASLC" check two-vars.json
expect 1 'INVALID_JSONPATH' "$ASLC" emit two-vars.json

# The same through a variable path: "$context$.Execution.Input" read as
# "$$.Execution.Input" in check; emit aborted.
cp "$here/regress/lower/variable-then-dollar.json" var-dollar.json
expect 1 "after '\\\$context', found '\\\$'" "$ASLC" check var-dollar.json
expect 1 'INVALID_JSONPATH' "$ASLC" emit var-dollar.json

# TestState: a mocked StatusCode of 2e98 was cast to long long (undefined
# behaviour, seen by UBSan under make asan); it is not an integer.
sed 1d "$here/regress/server/teststate-mock-huge-status" > huge-status.json
expect 2 "Field 'StatusCode' must be" "$ASLC" test-state --request huge-status.json

[ "$status" -eq 0 ] && echo "fuzz findings: $count checks passed"
exit "$status"
