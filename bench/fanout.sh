#!/bin/sh
# fanout.sh - part of `make bench` (bench/run.sh calls it): the Map and
# Parallel benchmarks of $SHARED/bench (default ../shared/bench), and the two
# others that need them or stress the same runtime paths:
#   map           inline Map over 10,000 items, MaxConcurrency 0 (20,002 transitions)
#   parallel      4 branches of counter loops (28,014 transitions)
#   errors        5,000 Parallels whose branch fails, caught (30,003 transitions)
#   choice-heavy  a 33-comparison Choice in a loop (60,211 transitions)
# Each is first checked against NAME.expected.json through aslc run and a
# built executable (tests' case_runner); a wrong output fails the benchmark
# (exit 1). Then, as the median of $RUNS runs (default 5): the time of one
# execution and the state transitions per second (the transition counts of
# $SHARED/bench/manifest.json), through the executable (aslc build -O2) and
# through aslc run (JIT); and the peak resident memory of the executable.
# Without the shared data it prints SKIPPED and exits 0.
set -u

BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
RUNS=${RUNS:-5}
cd "$(dirname "$0")/.." || exit 1
. bench/harness.sh

if [ ! -f "$B/map.asl.json" ] || [ ! -f "$B/manifest.json" ]; then
    echo "SKIPPED: $B/map.asl.json not found (the benchmarks live beside the project; set SHARED=...)"
    exit 0
fi
if [ ! -x "$ASLC" ]; then
    echo "bench: $ASLC not found; run: make BUILD=$BUILD bench" >&2
    exit 1
fi
mkdir -p "$W"
bench_tools || exit 1

transitions_of() {
    awk -v name="$1" '$0 ~ "\"" name "\": *\\{" {f = 1} f && /"transitions"/ {gsub(/[^0-9]/, ""); print; exit}' \
        "$B/manifest.json"
}

echo
echo "== Map and Parallel benchmarks ($B), median of $RUNS runs"
printf '  %-13s %11s  %-28s  %-28s  %s\n' "benchmark" "transitions" "built executable (-O2)" "aslc run (JIT)" "peak RSS (exe)"
for name in map parallel errors choice-heavy; do
    [ -f "$B/$name.asl.json" ] || continue
    bench_case "$name" "$W/$name.case.json"
    if ! "$BUILD/tests/case_runner" --aslc "$ASLC" --build -O2 --no-events --timeout 600 --jobs 1 \
            "$W/$name.case.json" > "$W/$name.check.txt" 2>&1; then
        cat "$W/$name.check.txt" >&2
        echo "bench: wrong $name output; not measuring" >&2
        exit 1
    fi
    "$ASLC" build --type EXPRESS "$B/$name.asl.json" -o "$W/$name" -O2 || exit 1
    repeat "$RUNS" "fo-$name-exe" "$W/$name" --input-file "$B/$name.input.json" --wait skip || exit 1
    repeat "$RUNS" "fo-$name-jit" "$ASLC" run --type EXPRESS "$B/$name.asl.json" --input-file "$B/$name.input.json" \
        --wait skip || exit 1
    t=$(transitions_of "$name")
    awk -v name="$name" -v T="${t:-0}" -v exe="$(median "$W/fo-$name-exe.times")" \
        -v jit="$(median "$W/fo-$name-jit.times")" -v rss="$(median "$W/fo-$name-exe.rss")" '
    function rate(s) { return s > 0 ? sprintf("%.2f M/s", T / s / 1e6) : "n/a" }
    BEGIN {
        printf "  %-13s %11d  %8.1f ms %-16s  %8.1f ms %-16s  %6.1f MB\n", name, T, exe * 1000, \
            "(" rate(exe) ")", jit * 1000, "(" rate(jit) ")", rss / 1024
    }'
done
echo "  (transitions per ../shared/bench/README.md: every state entered, inside branches and"
echo "   iterations too; times include process start-up, and for aslc run the JIT)"
