#!/bin/sh
# jsonata_states.sh - what JSONata states cost per transition: the loop of
# $SHARED/bench (JSONPath, state in the document) beside
# bench/workflows/loop-jsonata.asl.json (JSONata, state in variables), and
# the dataflow benchmark beside bench/workflows/dataflow-jsonata.asl.json,
# all as `aslc build -O2` executables timed in the same run, interleaved.
# Called by bench/run.sh; BUILD, SHARED, RUNS as there.
set -u
BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
RUNS=${RUNS:-5}
cd "$(dirname "$0")/.." || exit 1
. bench/harness.sh
J=bench/workflows
if [ ! -f "$B/loop.asl.json" ] || [ ! -f "$B/dataflow.asl.json" ]; then
    echo "SKIPPED: JSONata states bench ($B not found)"
    exit 0
fi
mkdir -p "$W"

echo "== JSONata states: correctness (the same outputs as expected)"
for w in loop-jsonata:"$B/loop.input.json":"$B/loop.expected.json" \
         dataflow-jsonata:"$B/dataflow.input.json":"$J/dataflow-jsonata.expected.json"; do
    name=${w%%:*}
    rest=${w#*:}
    input=${rest%%:*}
    expected=${rest#*:}
    "$ASLC" build --type EXPRESS "$J/$name.asl.json" -o "$W/$name" -O2 || exit 1
    "$W/$name" --input-file "$input" --wait skip > "$W/$name.out" || {
        echo "bench: $name failed" >&2
        exit 1
    }
    # deep equality, by aslc jsonata itself
    same=$("$ASLC" jsonata --input-file "$W/$name.out" --bindings "{\"want\": $(cat "$expected")}" '$ = $want')
    if [ "$same" != "true" ]; then
        echo "bench: $name gave $(head -c 300 "$W/$name.out"), expected $(head -c 300 "$expected")" >&2
        exit 1
    fi
    echo "  $name: ok"
done
[ -x "$W/loop" ] || "$ASLC" build --type EXPRESS "$B/loop.asl.json" -o "$W/loop" -O2 || exit 1
[ -x "$W/dataflow" ] || "$ASLC" build --type EXPRESS "$B/dataflow.asl.json" -o "$W/dataflow" -O2 || exit 1

echo "== JSONata states: measuring (median of $RUNS runs, interleaved)"
for t in jploop jnloop jpdf jndf; do rm -f "$W/$t.times" "$W/$t.rss"; done
i=0
while [ "$i" -lt "$RUNS" ]; do
    measure jploop "$W/loop" --input-file "$B/loop.input.json" --wait skip || exit 1
    measure jnloop "$W/loop-jsonata" --input-file "$B/loop.input.json" --wait skip || exit 1
    k=0
    while [ "$k" -lt 3 ]; do
        measure jpdf "$W/dataflow" --input-file "$B/dataflow.input.json" --wait skip || exit 1
        measure jndf "$W/dataflow-jsonata" --input-file "$B/dataflow.input.json" --wait skip || exit 1
        k=$((k + 1))
    done
    i=$((i + 1))
done
m() { median "$W/$1.times"; }
awk -v jp="$(m jploop)" -v jn="$(m jnloop)" -v dp="$(m jpdf)" -v dn="$(m jndf)" -v runs="$RUNS" '
BEGIN {
    T = 200003
    printf "\nJSONata states vs JSONPath (built executables, -O2; median of %d / %d runs)\n", runs, runs * 3
    printf "  loop, %d transitions:   JSONPath %7.3f s (%6.0f ns/transition)   JSONata + variables %7.3f s (%6.0f ns/transition)   ratio %.2fx\n", \
        T, jp, jp / T * 1e9, jn, jn / T * 1e9, (jp > 0 ? jn / jp : 0)
    printf "  dataflow, 49 KB order:   JSONPath (50 states) %7.2f ms (%.3f ms/state)   JSONata (12 states) %7.2f ms (%.3f ms/state)\n", \
        dp * 1000, dp * 1000 / 51, dn * 1000, dn * 1000 / 12
}'
