#!/bin/sh
# cc_warnings.sh - the C that aslc generates for every own case file
# (tests/cases/*/*.json) compiles without a warning under
# gcc -Wall -Wextra -Werror. The definition is taken out of the case with
# `aslc jsonata` itself.   BUILD=build sh tests/cases/cc_warnings.sh
set -u
BUILD=${BUILD:-build}
ASLC=$BUILD/aslc
CC=${CC:-cc}
T=${TMPDIR:-/tmp}/aslc-ccw.$$
mkdir -p "$T"
n=0 bad=0
for f in tests/cases/*/*.json; do
    "$ASLC" jsonata --input-file "$f" 'definition' > "$T/def.json" || continue
    "$ASLC" emit "$T/def.json" -o "$T/def.c" 2>/dev/null || continue
    n=$((n + 1))
    if ! $CC -std=c11 -Wall -Wextra -Werror -Iruntime -fsyntax-only "$T/def.c" 2> "$T/err.txt"; then
        bad=$((bad + 1))
        echo "FAIL $f: its generated C has warnings:"
        head -5 "$T/err.txt" | sed 's/^/    /'
    fi
done
rm -rf "$T"
echo "generated C: $((n - bad)) / $n case files compile warning-free"
[ "$bad" = 0 ] && [ "$n" -gt 0 ]
