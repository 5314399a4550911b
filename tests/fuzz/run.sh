#!/bin/sh
# run.sh - runs the libFuzzer targets that `make fuzz-build` made
# ($BUILD/fuzz/fuzz_*), one after the other (the machine is shared).
#
#   sh tests/fuzz/run.sh SECONDS [TARGET...]     (make fuzz FUZZ_SECONDS=N)
#
# For each target: first every regression input of tests/fuzz/regress/NAME/
# (the minimal cases of crashes found before) is run once, then the target
# fuzzes for SECONDS seconds starting from its corpus ($BUILD/corpus/NAME,
# kept between runs) and the seeds tests/fuzz/seeds.sh builds (rebuilt when
# seeds.sh changes). A crash, leak, sanitizer report, timeout (10 s per
# input) or out-of-memory fails the run and leaves the input in
# $BUILD/crashes/. The summary gives the CPU seconds each target fuzzed.
# Environment: BUILD (build-fuzz), SHARED (../shared), FUZZ_SMOKE=1 (start
# from the seeds only, as `make test` does).
set -u
BUILD=${BUILD:-build-fuzz}
SHARED=${SHARED:-../shared}
SECONDS_EACH=${1:?usage: run.sh SECONDS [TARGET...]}
shift
cd "$(dirname "$0")/../.." || exit 1

if [ ! -f "$BUILD/seeds/.stamp" ] || [ tests/fuzz/seeds.sh -nt "$BUILD/seeds/.stamp" ]; then
    echo "fuzz: building the seed corpora ($BUILD/seeds)"
    sh tests/fuzz/seeds.sh "$BUILD/seeds" "$SHARED" || exit 1
    touch "$BUILD/seeds/.stamp"
fi
mkdir -p "$BUILD/crashes"
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(pwd)/tests/lsan.supp}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export LSAN_OPTIONS UBSAN_OPTIONS

# CPU seconds (user + system) used so far by this shell's children
# (`times` must run in this shell, not in a command substitution's).
child_cpu() {
    times > "$BUILD/crashes/.times"
    awk 'NR == 2 { split($1, u, "m"); split($2, s, "m");
                   printf "%.2f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$BUILD/crashes/.times"
}

targets=$*
if [ -z "$targets" ]; then
    for b in "$BUILD"/fuzz/fuzz_*; do
        case $b in *.d) continue ;; esac
        [ -x "$b" ] && targets="$targets ${b##*/fuzz_}"
    done
fi
[ -n "$targets" ] || { echo "fuzz: no targets in $BUILD/fuzz (make fuzz-build)" >&2; exit 1; }

status=0
summary=""
for t in $targets; do
    bin=$BUILD/fuzz/fuzz_$t
    log=$BUILD/crashes/$t.log
    if [ -d "tests/fuzz/regress/$t" ] && [ -n "$(ls "tests/fuzz/regress/$t")" ]; then
        if ! "$bin" -timeout=10 "tests/fuzz/regress/$t"/* > "$log" 2>&1; then
            echo "fuzz: $t: a regression input of tests/fuzz/regress/$t fails:" >&2
            tail -n 40 "$log" >&2
            summary="$summary  FAILED   $t: regression inputs (log: $log)
"
            status=1
            continue
        fi
    fi
    # A smoke run (FUZZ_SMOKE=1) starts from the seeds alone: the kept
    # corpus grows to thousands of inputs, more than a few seconds replay.
    # It is also repeatable: a fixed seed and a fixed number of inputs
    # (FUZZ_SMOKE_RUNS, default 1000; the seconds only cap it), so that CI
    # fails on what a change broke, never on what a lucky mutation found.
    corpus=$BUILD/corpus/$t
    limits="-max_total_time=$SECONDS_EACH"
    if [ "${FUZZ_SMOKE:-0}" = 1 ]; then
        corpus=$BUILD/smoke/$t
        rm -rf "$corpus"
        limits="-seed=1 -runs=${FUZZ_SMOKE_RUNS:-1000} -max_total_time=60"
    fi
    mkdir -p "$corpus"
    child_cpu > "$BUILD/crashes/.c0"
    # shellcheck disable=SC2086 # $limits is several options
    "$bin" $limits -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$BUILD/crashes/$t-" \
        "$corpus" "$BUILD/seeds/$t" > "$log" 2>&1
    rc=$?
    child_cpu > "$BUILD/crashes/.c1"
    cpu=$(awk -v a="$(cat "$BUILD/crashes/.c0")" -v b="$(cat "$BUILD/crashes/.c1")" 'BEGIN { printf "%.1f", b - a }')
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    line="$t: ${cpu} CPU s, ${runs:-?} runs, ${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l)"
    if [ "$rc" -eq 0 ]; then
        summary="$summary  ok       $line
"
    else
        echo "fuzz: $t FAILED (exit $rc); the end of $log:" >&2
        grep -n 'ERROR\|SUMMARY\|==[0-9]*==\|runtime error\|Test unit written' "$log" | head -n 20 >&2
        summary="$summary  FAILED   $line (log: $log)
"
        status=1
    fi
done
if [ "${FUZZ_SMOKE:-0}" = 1 ]; then echo "==== fuzz smoke (${FUZZ_SMOKE_RUNS:-1000} inputs per target, seed 1)"; else echo "==== fuzz ($SECONDS_EACH s per target)"; fi
printf '%s' "$summary"
exit "$status"
