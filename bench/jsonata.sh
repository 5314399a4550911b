#!/bin/sh
# jsonata.sh - part of `make bench` (bench/run.sh calls it; also runs on its
# own: sh bench/jsonata.sh): the JSONata engine against jsonata-js 2.0.6, the
# reference implementation, over the ~50 KB document of bench/jsonata_doc.awk
# and the expressions of bench/jsonata_exprs.txt.
# jsonata-js (npm package jsonata@2.0.6) is installed into $BUILD/node when
# node and npm are present; without them it prints SKIPPED and exits 0.
# For each expression, first the results of `aslc jsonata` and of jsonata-js
# are compared as JSON values (keys in any order, numbers exactly); any
# difference is printed with both results and fails the benchmark (exit 1),
# and that expression is not timed. Then $RUNS times (default 5), interleaved
# so that both see the same load:
#   aslc        `aslc jsonata --repeat N` and `--repeat 1` as whole processes;
#               per evaluation (t(N) - t(1)) / (N - 1), which takes start-up,
#               reading the document and parsing the expression out;
#               N is chosen so that t(N) is about $TARGET seconds (default 0.3);
#   jsonata-js  bench/jsonata_ref.js: evaluations in one process for $TARGET
#               seconds after a warm-up, start-up and parsing excluded.
# Prints the medians in µs per evaluation and the speed-up (jsonata-js time /
# aslc time: above 1, aslc is faster), then the median speed-up.
set -u

BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
RUNS=${RUNS:-5}
TARGET=${TARGET:-0.3}
cd "$(dirname "$0")/.." || exit 1
. bench/harness.sh

JW=$W/jsonata
JS_VERSION=2.0.6
case $BUILD in /*) JS_MODULE=$BUILD ;; *) JS_MODULE=$(pwd)/$BUILD ;; esac
JS_MODULE=$JS_MODULE/node/node_modules/jsonata

echo
echo "== JSONata: aslc jsonata against jsonata-js $JS_VERSION"
if ! command -v node > /dev/null 2>&1 || ! command -v npm > /dev/null 2>&1; then
    echo "SKIPPED: node and npm are needed for the reference jsonata-js (Debian: apt-get install nodejs npm)"
    exit 0
fi
if [ ! -x "$ASLC" ]; then
    echo "bench: $ASLC not found; run: make BUILD=$BUILD bench" >&2
    exit 1
fi
if ! "$ASLC" jsonata --no-input '1' > /dev/null 2>&1; then
    echo "bench: '$ASLC jsonata' does not work (does this aslc have the subcommand?)" >&2
    exit 1
fi
if ! grep -q "\"version\": *\"$JS_VERSION\"" "$JS_MODULE/package.json" 2> /dev/null; then
    echo "installing jsonata@$JS_VERSION into $BUILD/node (npm)"
    mkdir -p "$BUILD/node" "$JW"
    if ! npm install --prefix "$BUILD/node" --no-audit --no-fund --no-save --loglevel=error \
            "jsonata@$JS_VERSION" > "$JW/npm.log" 2>&1; then
        cat "$JW/npm.log" >&2
        echo "bench: npm could not install jsonata@$JS_VERSION" >&2
        exit 1
    fi
fi
mkdir -p "$JW"
bench_tools || exit 1

DOC=$JW/doc.json
awk -f bench/jsonata_doc.awk > "$DOC" || exit 1
echo "document: $DOC ($(wc -c < "$DOC" | tr -d ' ') bytes, from bench/jsonata_doc.awk)"

ref() { node bench/jsonata_ref.js "$@"; }
# seconds of one measured run of aslc jsonata --repeat N (wall time, peakrss)
aslc_time() {
    "$BUILD/tests/peakrss" -o "$JW/time.txt" "$ASLC" jsonata --repeat "$1" --input-file "$DOC" -- "$2" \
        > "$JW/aslc.last" 2> "$JW/aslc.err" || { cat "$JW/aslc.err" >&2; return 1; }
    sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p' "$JW/time.txt"
}

bad=0
names=""
: > "$JW/table.txt"
grep -v '^#' bench/jsonata_exprs.txt | grep -v '^[[:space:]]*$' > "$JW/exprs.txt"
while read -r name expr; do
    # correctness first
    if ! "$ASLC" jsonata --input-file "$DOC" -- "$expr" > "$JW/$name.aslc.json" 2> "$JW/$name.aslc.err"; then
        echo "DIFFERENT: $name: aslc failed: $(cat "$JW/$name.aslc.err")" >&2
        echo "  expression: $expr" >&2
        bad=$((bad + 1))
        continue
    fi
    if ! ref eval "$JS_MODULE" "$DOC" 0 "$expr" > "$JW/$name.js.json" 2> "$JW/$name.js.err"; then
        echo "bench: jsonata-js failed on $name: $(cat "$JW/$name.js.err")" >&2
        bad=$((bad + 1))
        continue
    fi
    if ! why=$(ref compare "$JW/$name.aslc.json" "$JW/$name.js.json"); then
        {
            echo "DIFFERENT: $name: aslc's result is not jsonata-js's ($why)"
            echo "  expression: $expr"
            echo "  aslc:       $(cut -c1-600 "$JW/$name.aslc.json")"
            echo "  jsonata-js: $(cut -c1-600 "$JW/$name.js.json")"
            echo "  (whole results: $JW/$name.aslc.json, $JW/$name.js.json)"
        } >&2
        bad=$((bad + 1))
        continue
    fi
    # calibrate N: about $TARGET seconds of evaluations
    t1=$(aslc_time 1 "$expr") || exit 1
    t20=$(aslc_time 20 "$expr") || exit 1
    n=$(awk -v t1="$t1" -v t20="$t20" -v T="$TARGET" 'BEGIN {
        per = (t20 - t1) / 19; n = per > 0 ? int(T / per) : 200000
        if (n < 20) n = 20; if (n > 200000) n = 200000; print n }')
    rm -f "$JW/$name.a.us" "$JW/$name.a1.s" "$JW/$name.js.us"
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        tn=$(aslc_time "$n" "$expr") || exit 1
        if ! ref compare "$JW/aslc.last" "$JW/$name.js.json" > /dev/null; then
            echo "DIFFERENT: $name: the last of $n evaluations by aslc differs from the first" >&2
            bad=$((bad + 1))
            break
        fi
        t1=$(aslc_time 1 "$expr") || exit 1
        ref eval "$JS_MODULE" "$DOC" "$TARGET" "$expr" > /dev/null 2> "$JW/js.err" || exit 1
        awk -v tn="$tn" -v t1="$t1" -v n="$n" 'BEGIN {print (tn - t1) / (n - 1) * 1e6}' >> "$JW/$name.a.us"
        echo "$t1" >> "$JW/$name.a1.s"
        sed -n 's/.*us_per_eval=\([0-9.]*\).*/\1/p' "$JW/js.err" >> "$JW/$name.js.us"
        i=$((i + 1))
    done
    [ "$i" -eq "$RUNS" ] || continue
    printf '%s %s %s %s %s\n' "$name" "$(median "$JW/$name.a.us")" "$(median "$JW/$name.js.us")" \
        "$(median "$JW/$name.a1.s")" "$n" >> "$JW/table.txt"
done < "$JW/exprs.txt"

echo "median of $RUNS runs, µs per evaluation (aslc: (t(N) - t(1)) / (N - 1); jsonata-js: in-process after a warm-up)"
awk '
BEGIN { printf "  %-13s %12s %14s %9s  %s\n", "expression", "aslc µs", "jsonata-js µs", "speed-up", "(aslc N, start-up)" }
{
    r = $2 > 0 ? $3 / $2 : 0
    ratio[NR] = r
    printf "  %-13s %12.1f %14.1f %8.1fx  (N %d, %.1f ms)%s\n", $1, $2, $3, r, $5, $4 * 1000, \
        (r < 1 ? "  SLOWER than jsonata-js" : "")
}
END {
    if (NR == 0) exit
    # median of the speed-ups
    for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++) if (ratio[j] < ratio[i]) { t = ratio[i]; ratio[i] = ratio[j]; ratio[j] = t }
    m = NR % 2 ? ratio[(NR + 1) / 2] : (ratio[NR / 2] + ratio[NR / 2 + 1]) / 2
    printf "  median speed-up over %d expressions: %.1fx (jsonata-js time / aslc time; above 1: aslc is faster)\n", NR, m
}' "$JW/table.txt"
echo "  (expressions: bench/jsonata_exprs.txt; raw figures: $JW/*.us)"
if [ "$bad" -ne 0 ]; then
    echo "bench: $bad JSONata expression(s) gave a result different from jsonata-js's (above)" >&2
    exit 1
fi
