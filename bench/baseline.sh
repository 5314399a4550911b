#!/bin/sh
# baseline.sh - part of `make bench` (bench/run.sh calls it): aslc against
# the hand-written C of $SHARED/bench/baseline (default ../shared/bench) in
# the same run, since on a shared, noisy machine only ratios from one run
# mean anything. For loop and map:
#   NAME_cjson  the workflow by hand over cJSON (what generated code should meet)
#   NAME_floor  the same logic on plain C integers (the physical floor)
# each compiled here with $CC -O2 (read from the shared folder, never copied),
# its output checked against NAME.expected.json, then timed as a whole
# process (start-up included), interleaved with the aslc build -O2 executable
# so that both see the same load. Prints the medians of $RUNS runs (default
# 5) and the ratios aslc / baseline (above 1: aslc is slower).
# Without the baselines it prints SKIPPED and exits 0.
set -u

BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
RUNS=${RUNS:-5}
CC=${CC:-cc}
cd "$(dirname "$0")/.." || exit 1
. bench/harness.sh

BL=$B/baseline
if [ ! -f "$BL/loop_cjson.c" ] || [ ! -f "$BL/common.h" ]; then
    echo "SKIPPED: $BL not found (the hand-written baselines live beside the benchmarks)"
    exit 0
fi
if [ ! -x "$ASLC" ]; then
    echo "bench: $ASLC not found; run: make BUILD=$BUILD bench" >&2
    exit 1
fi
mkdir -p "$W"
bench_tools || exit 1

echo
echo "== aslc against the hand-written C baselines ($BL), median of $RUNS runs, same run"
printf '  %-6s %-30s %10s  %s\n' "bench" "program" "median" "aslc / this"
for name in loop map; do
    [ -f "$BL/${name}_cjson.c" ] && [ -f "$B/$name.asl.json" ] || continue
    "$ASLC" build --type EXPRESS "$B/$name.asl.json" -o "$W/bl-$name" -O2 || exit 1
    progs=""
    for kind in cjson floor; do
        [ -f "$BL/${name}_$kind.c" ] || continue
        if ! $CC -O2 -o "$W/bl-${name}_$kind" "$BL/${name}_$kind.c" -lcjson; then
            echo "bench: cannot compile $BL/${name}_$kind.c" >&2
            exit 1
        fi
        # a baseline that computes something else would make the ratio a lie
        "$W/bl-${name}_$kind" "$B/$name.input.json" > "$W/bl-${name}_$kind.out" 2> /dev/null
        if [ "$(tr -d '\n' < "$W/bl-${name}_$kind.out")" != "$(tr -d '\n' < "$B/$name.expected.json")" ]; then
            echo "bench: ${name}_$kind's output differs from $name.expected.json; not measuring" >&2
            exit 1
        fi
        progs="$progs $kind"
    done
    for tag in aslc $progs; do rm -f "$W/bl-$name-$tag.times" "$W/bl-$name-$tag.rss" "$W/bl-${name}_$tag.err"; done
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        measure "bl-$name-aslc" "$W/bl-$name" --input-file "$B/$name.input.json" --wait skip || exit 1
        for kind in $progs; do
            # its own timings (JSON on stderr) are kept, not printed
            measure "bl-$name-$kind" "$W/bl-${name}_$kind" "$B/$name.input.json" \
                2>> "$W/bl-${name}_$kind.err" || exit 1
        done
        i=$((i + 1))
    done
    ta=$(median "$W/bl-$name-aslc.times")
    printf '  %-6s %-30s %8.2f ms\n' "$name" "aslc build -O2" "$(awk -v t="$ta" 'BEGIN {print t * 1000}')"
    for kind in $progs; do
        tb=$(median "$W/bl-$name-$kind.times")
        awk -v name="$name" -v kind="$kind" -v ta="$ta" -v tb="$tb" 'BEGIN {
            printf "  %-6s %-30s %8.2f ms  %s\n", name, "hand-written " name "_" kind ".c -O2", tb * 1000, \
                (tb > 0 ? sprintf("%.2fx", ta / tb) : "n/a")
        }'
    done
done
echo "  (whole processes, start-up included; raw timings: $W/bl-*.times)"
