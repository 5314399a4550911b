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
