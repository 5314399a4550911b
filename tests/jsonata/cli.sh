#!/bin/sh
# cli.sh - `aslc jsonata` as a user drives it: inputs, bindings, {% %},
# undefined results, gcc-style and JSON errors, exit codes, --repeat.
#   BUILD=build sh tests/jsonata/cli.sh
set -u
ASLC=${BUILD:-build}/aslc
fails=0 n=0

# expect NAME WANT_RC WANT_STDOUT COMMAND... (stdout compared exactly)
expect() {
    name=$1 want_rc=$2 want_out=$3
    shift 3
    n=$((n + 1))
    out=$("$@" 2>/tmp/aslc-jsonata-err.$$ </dev/null)
    rc=$?
    if [ "$rc" != "$want_rc" ] || [ "$out" != "$want_out" ]; then
        echo "FAIL $name: rc $rc (want $want_rc), stdout '$out' (want '$want_out')"
        sed 's/^/    stderr: /' /tmp/aslc-jsonata-err.$$
        fails=$((fails + 1))
    fi
}

# expect_err NAME PATTERN COMMAND... (stderr must match the grep pattern)
expect_err() {
    name=$1 pat=$2
    shift 2
    n=$((n + 1))
    "$@" >/dev/null 2>/tmp/aslc-jsonata-err.$$ </dev/null
    if ! grep -q -- "$pat" /tmp/aslc-jsonata-err.$$; then
        echo "FAIL $name: stderr does not match '$pat':"
        sed 's/^/    /' /tmp/aslc-jsonata-err.$$
        fails=$((fails + 1))
    fi
}

expect "inline input" 0 '6' "$ASLC" jsonata --input '{"a":[1,2,3]}' '$sum(a)'
expect "number printing" 0 '[1e-7,1e+21,0.30000000000000004]' "$ASLC" jsonata --no-input '[1e-7, 1e21, 0.1+0.2]'
expect "braces" 0 '"HELLO"' "$ASLC" jsonata --input '{"s":"hello"}' '{% $uppercase(s) %}'
expect "bindings" 0 '25' "$ASLC" jsonata --no-input --bindings '{"x":5}' '$x * $x'
expect "no input is undefined" 0 'true' "$ASLC" jsonata --no-input '$not($exists($))'
expect "null input is null" 0 'true' "$ASLC" jsonata --input 'null' '$ = null'
expect "undefined prints nothing" 0 '' "$ASLC" jsonata --input '{}' 'missing'
expect "array input is one input" 0 '3' "$ASLC" jsonata --input '[1,2,3]' '$count($)'
expect "-- ends options" 0 '-1' "$ASLC" jsonata --no-input -- '-1'
expect "repeat" 0 '[1,2]' "$ASLC" jsonata --repeat 50 --input '{"a":[2,1]}' '$sort(a)'
expect "evaluation error" 1 '' "$ASLC" jsonata --no-input '1 + "a"'
expect "syntax error" 1 '' "$ASLC" jsonata --no-input '(1 +'
expect "bad input JSON" 2 '' "$ASLC" jsonata --input '{"a":' 'a'
expect "bad bindings" 2 '' "$ASLC" jsonata --no-input --bindings '[1]' '1'
expect "no EXPR" 2 '' "$ASLC" jsonata --no-input
expect "bad repeat" 2 '' "$ASLC" jsonata --repeat x '1'
expect "unknown option" 2 '' "$ASLC" jsonata --frobnicate '1'
expect 'no $eval' 1 '' "$ASLC" jsonata --no-input '$eval("1")'
expect_err "gcc-style column" 'expression:1:3: error: .*\[T2002\]' "$ASLC" jsonata --no-input '1 + "a"'
expect_err "json errors" '^{"code":"T2002","position":3,"token":"+",' "$ASLC" jsonata --json-errors --no-input '1 + "a"'
expect_err 'eval names parse' 'use \$parse' "$ASLC" jsonata --no-input '$eval("1")'
expect_err "guard" 'U1001' "$ASLC" jsonata --no-input '($f := function($n){ 1 + $f($n + 1) }; $f(0))'
expect_err "huge range" 'D2014' "$ASLC" jsonata --no-input '[1..1e9]'
expect "stdin input" 0 '"x"' sh -c "echo '{\"k\":\"x\"}' | '$ASLC' jsonata k"
expect "help" 0 "$("$ASLC" jsonata --help)" "$ASLC" jsonata --help

rm -f /tmp/aslc-jsonata-err.$$
echo "aslc jsonata: $((n - fails)) / $n passed"
[ "$fails" = 0 ]
