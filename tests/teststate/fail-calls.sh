#!/bin/sh
# fail-calls.sh - a Task handler for the teststate goldens: its first call
# by an aslc process fails (exit 1), later ones succeed with the count, so
# a golden shows that a Catch re-run does not call the Task again.
f=${TMPDIR:-/tmp}/aslc-teststate-calls.$PPID
n=$(( $(cat "$f" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$f"
cat >/dev/null
[ "$n" -gt 1 ] || exit 1
echo "{\"calls\": $n}"
