# harness.sh - the timing harness of the benchmarks, sourced (not run) by
# bench/run.sh, bench/fanout.sh and bench/check.sh after they set BUILD,
# SHARED and RUNS and cd to the project:
#   B, ASLC, W           the benchmark data, the aslc under test, the work folder
#   bench_tools          builds the test tools it needs (case_runner, peakrss)
#   bench_case NAME OUT  writes the case_runner case for $B/NAME.{asl,input,expected}.json
#   measure TAG CMD...   one run of CMD through the getrusage wrapper: its wall
#                        time (s) appended to $W/TAG.times, peak RSS (KB) to $W/TAG.rss
#   repeat N TAG CMD...  measure, N times (the files are emptied first)
#   median [FILE]        the median of the numbers in FILE (or stdin), one a line
#   peak_kb TAG CMD...   peak RSS of one run in KB (/usr/bin/time -v when installed,
#                        else the median of $W/TAG.rss)
B=$SHARED/bench
ASLC=$BUILD/aslc
W=$BUILD/bench
MAKE=${MAKE:-make}

bench_tools() {
    if [ ! -x "$BUILD/tests/case_runner" ] || [ ! -x "$BUILD/tests/peakrss" ]; then
        $MAKE -s BUILD="$BUILD" "$BUILD/tests/case_runner" "$BUILD/tests/peakrss" || return 1
    fi
}

bench_case() {
    {
        printf '{"name":"bench/%s","definition":' "$1"
        cat "$B/$1.asl.json"
        printf ',"input":'
        cat "$B/$1.input.json"
        printf ',"expect":{"status":"SUCCEEDED","output":'
        cat "$B/$1.expected.json"
        printf '},"events":null}\n'
    } > "$2"
}

measure() {
    tag=$1
    shift
    "$BUILD/tests/peakrss" -o "$W/time.txt" "$@" > "$W/$tag.out"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "bench: '$*' exited with $rc" >&2
        return 1
    fi
    sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p' "$W/time.txt" >> "$W/$tag.times"
    sed -n 's/.*peak_rss_kb=\([0-9]*\).*/\1/p' "$W/time.txt" >> "$W/$tag.rss"
}

repeat() {
    n=$1
    tag=$2
    shift 2
    rm -f "$W/$tag.times" "$W/$tag.rss"
    i=0
    while [ "$i" -lt "$n" ]; do
        measure "$tag" "$@" || return 1
        i=$((i + 1))
    done
}

median() { sort -n ${1:+"$1"} | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print 0}'; }

peak_kb() {
    tag=$1
    shift
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -v -o "$W/time-v.txt" "$@" > /dev/null 2>&1
        sed -n 's/.*Maximum resident set size (kbytes): *//p' "$W/time-v.txt"
    else
        median "$W/$tag.rss"
    fi
}
