#!/bin/sh
# update.sh - rewrite tests/graph/*.expected (make graph-update); review the diff.
set -eu
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
for f in samples/*.asl.json tests/graph/*.asl.json; do
    n=$(basename "$f" .asl.json)
    "$BUILD/aslc" graph --format dot "$f" > "tests/graph/$n.dot.expected"
    "$BUILD/aslc" graph --format mermaid "$f" > "tests/graph/$n.mmd.expected"
done
. tests/graph/runs.sh
# run_golden NAME DEF ARGS...: the run's history drawn, as the goldens.
run_golden() {
    n=$1 def=$2
    shift 2
    "$BUILD/aslc" run "$def" --wait skip --history "${TMPDIR:-/tmp}/graph-run.$$.jsonl" "$@" > /dev/null 2>&1 || :
    for fmt in dot mermaid; do
        ext=$fmt; [ $fmt = mermaid ] && ext=mmd
        "$BUILD/aslc" graph --format $fmt --history "${TMPDIR:-/tmp}/graph-run.$$.jsonl" "$def" \
            > "tests/graph/$n.run.$ext.expected"
    done
    rm -f "${TMPDIR:-/tmp}/graph-run.$$.jsonl"
}
each_run run_golden
