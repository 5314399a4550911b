#!/bin/sh
# table.sh - part of `make bench` (bench/run.sh calls it first): issue 12's
# table in one run, every figure the median of $RUNS runs (default 5),
# the programs interleaved so that all of them see the same load:
#   start-up    a built executable on a 1-transition input against a C
#               hello-world compiled here with $CC -O2
#   loop, map   aslc build -O2 (and, for loop, aslc run) against the
#               hand-written $SHARED/bench/baseline/NAME_cjson.c (-O2)
#   the others  transitions/s of the built executable and the ratio to
#               loop's rate in the same run; dataflow also per execution
#               net of start-up
#   peak RSS    of every built executable (and of aslc run on loop)
#   JIT         aslc run of a generated 100-state machine minus its built
#               executable: check, emit C and TinyCC
# Only whole processes are timed; outputs are checked by bench/run.sh and
# bench/fanout.sh, not here. Without the shared data it prints SKIPPED.
set -u

BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
RUNS=${RUNS:-5}
CC=${CC:-cc}
cd "$(dirname "$0")/.." || exit 1
. bench/harness.sh

BL=$B/baseline
if [ ! -f "$B/loop.asl.json" ] || [ ! -f "$B/manifest.json" ]; then
    echo "SKIPPED: $B not found (the benchmarks live beside the project; set SHARED=...)"
    exit 0
fi
[ -x "$ASLC" ] || { echo "bench: $ASLC not found; run: make BUILD=$BUILD bench" >&2; exit 1; }
mkdir -p "$W"
bench_tools || exit 1

transitions_of() {
    awk -v name="$1" '$0 ~ "\"" name "\": *\\{" {f = 1} f && /"transitions"/ {gsub(/[^0-9]/, ""); print; exit}' \
        "$B/manifest.json"
}

printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' > "$W/t-hello.c"
$CC -O2 -o "$W/t-hello" "$W/t-hello.c" || exit 1
echo '{"n":0}' > "$W/t-trivial.json"
names="loop map choice-heavy dataflow parallel errors"
for name in $names; do
    [ -f "$B/$name.asl.json" ] || continue
    "$ASLC" build --type EXPRESS "$B/$name.asl.json" -o "$W/t-$name" -O2 || exit 1
done
# a 1-transition machine: start-up alone
printf '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}\n' > "$W/t-one.asl.json"
"$ASLC" build "$W/t-one.asl.json" -o "$W/t-one" -O2 || exit 1
bls=""
for name in loop map; do
    if [ -f "$BL/${name}_cjson.c" ]; then
        $CC -O2 -o "$W/t-${name}_cjson" "$BL/${name}_cjson.c" -lcjson || exit 1
        bls="$bls $name"
    fi
done
gen=$W/t-gen100.asl.json
{
    printf '{"StartAt": "S1", "States": {\n'
    k=1
    while [ "$k" -le 99 ]; do
        if [ $((k % 10)) -eq 0 ]; then
            printf '"S%d": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericGreaterThanEquals": 0, "Next": "S%d"}], "Default": "S100"},\n' "$k" $((k + 1))
        else
            printf '"S%d": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)", "tag": "state %d"}, "Next": "S%d"},\n' "$k" "$k" $((k + 1))
        fi
        k=$((k + 1))
    done
    printf '"S100": {"Type": "Succeed"}}}\n'
} > "$gen"
echo '{"i":0}' > "$W/t-gen100.input.json"
"$ASLC" build "$gen" -o "$W/t-gen100" -O2 || exit 1

tags="hello one gen100 jit100 loopjit"
for name in $names; do [ -x "$W/t-$name" ] && tags="$tags $name"; done
for name in $bls; do tags="$tags ${name}_cjson"; done
for tag in $tags; do rm -f "$W/t-$tag.times" "$W/t-$tag.rss"; done
i=0
while [ "$i" -lt "$RUNS" ]; do
    measure t-hello "$W/t-hello" || exit 1
    measure t-one "$W/t-one" --input-file "$W/t-trivial.json" --wait skip || exit 1
    measure t-gen100 "$W/t-gen100" --input-file "$W/t-gen100.input.json" --wait skip || exit 1
    measure t-jit100 "$ASLC" run "$gen" --input-file "$W/t-gen100.input.json" --wait skip || exit 1
    measure t-loopjit "$ASLC" run --type EXPRESS "$B/loop.asl.json" --input-file "$B/loop.input.json" --wait skip || exit 1
    for name in $names; do
        [ -x "$W/t-$name" ] || continue
        measure "t-$name" "$W/t-$name" --input-file "$B/$name.input.json" --wait skip || exit 1
    done
    for name in $bls; do
        measure "t-${name}_cjson" "$W/t-${name}_cjson" "$B/$name.input.json" 2> /dev/null || exit 1
    done
    i=$((i + 1))
done

t() { median "$W/t-$1.times"; }
r() { median "$W/t-$1.rss"; }
{
    for tag in $tags; do echo "time $tag $(t "$tag")"; echo "rss $tag $(r "$tag")"; done
    for name in $names; do echo "trans $name $(transitions_of "$name")"; done
} > "$W/t-figures.txt"
awk -v runs="$RUNS" '
$1 == "time" {T[$2] = $3} $1 == "rss" {R[$2] = $3} $1 == "trans" {N[$2] = $3}
function ms(s) { return sprintf("%.2f ms", s * 1000) }
function ratio(a, b) { return b > 0 ? sprintf("%.2fx", a / b) : "n/a" }
function rate(name) { return T[name] > 0 ? N[name] / T[name] : 0 }
END {
    printf "\n== issue 12: aslc against hand-written C, median of %d runs, one run (lower ratio is better)\n", runs
    printf "  %-44s %12s  %s\n", "what", "aslc", "against"
    printf "  %-44s %12s  %s (C hello-world %s)\n", "start-up: built executable, 1 transition", ms(T["one"]), \
        ratio(T["one"], T["hello"]), ms(T["hello"])
    if ("loop_cjson" in T) {
        printf "  %-44s %12s  %s of loop_cjson (%s)\n", "loop, built -O2", ms(T["loop"]), ratio(T["loop"], T["loop_cjson"]), ms(T["loop_cjson"])
        printf "  %-44s %12s  %s of loop_cjson\n", "loop, aslc run (JIT, compile included)", ms(T["loopjit"]), ratio(T["loopjit"], T["loop_cjson"])
    }
    if ("map_cjson" in T)
        printf "  %-44s %12s  %s of map_cjson (%s)\n", "map, built -O2", ms(T["map"]), ratio(T["map"], T["map_cjson"]), ms(T["map_cjson"])
    lr = rate("loop")
    split("choice-heavy parallel errors dataflow", others, " ")
    for (k = 1; k <= 4; k++) {
        n = others[k]
        if (!(n in T))
            continue
        printf "  %-44s %12s  %.3f M transitions/s, %.1f%% of loop (%.3f M/s)\n", (n ", built -O2"), ms(T[n]), \
            rate(n) / 1e6, (lr > 0 ? 100 * rate(n) / lr : 0), lr / 1e6
    }
    if ("dataflow" in T)
        printf "  %-44s %12s\n", "dataflow per execution, net of start-up", ms(T["dataflow"] - T["one"])
    printf "  %-44s %12s  (100-state run %s, its executable %s)\n", "JIT cost of a 100-state machine", \
        ms(T["jit100"] - T["gen100"]), ms(T["jit100"]), ms(T["gen100"])
    printf "  peak RSS (MB):"
    split("loop map choice-heavy dataflow parallel errors", all, " ")
    for (k = 1; k <= 6; k++)
        if (all[k] in R)
            printf " %s %.1f,", all[k], R[all[k]] / 1024
    printf " loop under aslc run %.1f\n", R["loopjit"] / 1024
}' "$W/t-figures.txt"
