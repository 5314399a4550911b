#!/bin/sh
# count-calls.sh - a Task handler for the teststate goldens: replies with how
# many times it has been called by the same aslc process (its parent), so a
# golden shows whether TestState invoked an unmocked Task once.
f=${TMPDIR:-/tmp}/aslc-teststate-calls.$PPID
n=$(( $(cat "$f" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$f"
cat >/dev/null
echo "{\"calls\": $n}"
