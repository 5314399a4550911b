#!/bin/sh
# run.sh - the test suite that `make test` (and `make asan`) runs after it has
# built aslc and the test tools and passed the unit tests.
#
#   1. golden files of emitted C      tests/golden/check.sh (when present),
#      and of `aslc check`'s output    tests/diag/check.sh
#      the --report pages              tests/report/check.sh (chromium when present)
#      fuzz targets, 3 s each        tests/fuzz/smoke.sh (when clang is present)
#   2. the project's own cases        tests/cases/, through `aslc run` AND
#                                     `aslc build` + the executable; all must pass
#   3. conformance                    $SHARED/conformance/cases, with the
#                                     known-failures list tests/known_failures.txt
#   4. validation                     $SHARED/validation, with tests/validation_known.txt
#
# Steps 3 and 4 need the data beside the project (../shared, or SHARED=...);
# without it they print SKIPPED and the run still counts as passed.
# Environment: BUILD (default build), SHARED (default ../shared), JOBS (2).
# Exit status: 0 when every step passed or was skipped, 1 otherwise.
set -u

BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
JOBS=${JOBS:-2}
ASLC=$BUILD/aslc
TOOLS=$BUILD/tests
cd "$(dirname "$0")/.." || exit 1

summary=""
status=0
note() { summary="$summary$1
"; }

# run_step NAME COMMAND... : runs one step, records ok / FAILED and its time.
run_step() {
    name=$1
    shift
    echo
    echo "==== $name"
    t0=$(date +%s)
    if "$@"; then
        note "  ok       $name ($(($(date +%s) - t0)) s)"
    else
        note "  FAILED   $name ($(($(date +%s) - t0)) s)"
        status=1
    fi
}

skip_step() {
    echo
    echo "==== $1"
    echo "SKIPPED: $2"
    note "  SKIPPED  $1: $2"
}

for tool in "$ASLC" "$TOOLS/case_runner" "$TOOLS/validation_runner"; do
    if [ ! -x "$tool" ]; then
        echo "run.sh: $tool is missing; run the suite with: make BUILD=$BUILD test" >&2
        exit 1
    fi
done

# Under AddressSanitizer (make asan) libaslrt.a is instrumented, so programs
# that `aslc build` links against it need the sanitizer runtime too: give it
# a compiler that adds the flags. Sanitized programs are slower: longer limits.
TIMEOUT=30
BUILD_CC=""
if nm "$BUILD/libaslrt.a" 2>/dev/null | grep -q '__asan_'; then
    BUILD_CC=$(cd "$BUILD" && pwd)/tests/cc-sanitized
    cat > "$BUILD_CC" <<'EOF'
#!/bin/sh
exec ${CC:-cc} -fsanitize=address,undefined -fno-sanitize-recover=undefined "$@"
EOF
    chmod +x "$BUILD_CC"
    TIMEOUT=120
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
    export ASAN_OPTIONS UBSAN_OPTIONS
    echo "run.sh: sanitized build; aslc build uses $BUILD_CC"
fi

# ---- 1. golden files
run_step "aslc graph (dot/mermaid goldens, svg, hostile names)" env BUILD="$BUILD" sh tests/graph/check.sh
run_step "--report pages (tests/report: self-contained, marked graph, hostile names, chromium)" \
    env BUILD="$BUILD" REPORT_CC="$BUILD_CC" sh tests/report/check.sh

if [ -f tests/golden/check.sh ]; then
    run_step "golden C files" env BUILD="$BUILD" sh tests/golden/check.sh
else
    skip_step "golden C files" "tests/golden/check.sh not present"
fi

# ---- 1b. diagnostics: `aslc check` output in its three formats
if [ -f tests/diag/check.sh ]; then
    run_step "diagnostics (tests/diag: text, json, sarif; exit codes)" env BUILD="$BUILD" sh tests/diag/check.sh
fi

# ---- 1c. hostile and out-of-range input to the front end and the CLI (issue 15)
run_step "hardening (tests/hardening: limits, hostile input, write errors)" env BUILD="$BUILD" sh tests/hardening/check.sh
run_step "aslc build --cc libtcc (tests/hardening/libtcc.sh: samples built by TinyCC)" env BUILD="$BUILD" sh tests/hardening/libtcc.sh
run_step "front end (tests/hardening/front.sh: check speed, AWS limits, templates)" env BUILD="$BUILD" sh tests/hardening/front.sh
run_step "distributed Map MaxConcurrency up to 10,000 (tests/hardening/map_concurrency.sh)" env BUILD="$BUILD" sh tests/hardening/map_concurrency.sh
run_step "progress line (long Maps and Waits; off when stderr is not a terminal)" env BUILD="$BUILD" sh tests/progress/check.sh

# ---- 1d. what fuzzing found (plain aslc, no clang), then the fuzz targets
# themselves: a few seconds each, after their regression inputs
run_step "fuzz findings (tests/fuzz/findings.sh: minimal cases of fuzzing's crashes)" env BUILD="$BUILD" sh tests/fuzz/findings.sh
# (tests/fuzz; the clang build lives in build-fuzz whatever BUILD is)
if command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
    run_step "fuzz smoke (tests/fuzz: regression inputs, then 1,000 seeded inputs per target)" env SHARED="$SHARED" sh tests/fuzz/smoke.sh
else
    skip_step "fuzz smoke" "clang not found (Debian package clang; make fuzz installs it)"
fi

# ---- 2. our own cases, both ways
if [ -n "$BUILD_CC" ]; then
    run_step "own cases (tests/cases: aslc run + aslc build)" \
        "$TOOLS/case_runner" --aslc "$ASLC" --build --cc "$BUILD_CC" -O0 \
        --jobs "$JOBS" --timeout "$TIMEOUT" tests/cases
else
    run_step "own cases (tests/cases: aslc run + aslc build)" \
        "$TOOLS/case_runner" --aslc "$ASLC" --build -O0 \
        --jobs "$JOBS" --timeout "$TIMEOUT" tests/cases
fi

run_step "generated C of the own cases compiles with -Wall -Wextra -Werror" env BUILD="$BUILD" sh tests/cases/cc_warnings.sh

# ---- 3. conformance (recorded AWS executions)
if [ -d "$SHARED/conformance/cases" ]; then
    run_step "conformance ($SHARED/conformance, known failures: tests/known_failures.txt)" \
        "$TOOLS/case_runner" --aslc "$ASLC" --known-failures tests/known_failures.txt \
        --jobs "$JOBS" --timeout "$TIMEOUT" "$SHARED/conformance/cases"
else
    skip_step "conformance" "$SHARED/conformance not found (set SHARED=... to run it)"
fi

# ---- 4. validation corpus
if [ -f "$SHARED/validation/manifest.json" ]; then
    run_step "validation ($SHARED/validation, known: tests/validation_known.txt)" \
        "$TOOLS/validation_runner" --aslc "$ASLC" --known tests/validation_known.txt \
        --jobs "$JOBS" --timeout "$TIMEOUT" "$SHARED/validation"
else
    skip_step "validation" "$SHARED/validation not found (set SHARED=... to run it)"
fi

# ---- 4a. aslc jsonata from the command line
run_step "aslc jsonata (inputs, errors, exit codes)" env BUILD="$BUILD" sh tests/jsonata/cli.sh

# ---- 4b. the JSONata reference suite (jsonata-js's own cases, Step Functions' flavour)
if [ -f "$SHARED/jsonata/manifest.json" ]; then
    run_step "jsonata suite ($SHARED/jsonata, known failures: tests/jsonata_known_failures.txt)" \
        "$TOOLS/jsonata_suite" --known-failures tests/jsonata_known_failures.txt "$SHARED/jsonata"
else
    skip_step "jsonata suite" "$SHARED/jsonata not found (set SHARED=... to run it)"
fi

# ---- 5. aslc serve driven by the AWS CLI (issue 13; skips without aws)
run_step "serve (AWS CLI against aslc serve)" env BUILD="$BUILD" sh tests/serve/cli.sh
run_step "serve callbacks and activities (AWS CLI: send-task-*, get-activity-task, --callback-port)" \
    env BUILD="$BUILD" sh tests/serve/callbacks.sh
run_step "serve executions (AWS CLI: start, list, history, stop, sync, .sync child, mocks)" \
    env BUILD="$BUILD" sh tests/serve/executions.sh
run_step "serve with the JS SDK (@aws-sdk/client-sfn from npm into $BUILD/node; skips without node)" \
    env BUILD="$BUILD" sh tests/serve/sdk_js.sh
run_step "serve-robust (hostile clients: bad bodies, garbage, slow clients, floods)" \
    env BUILD="$BUILD" sh tests/serve/robust.sh
run_step "serve-restart (--state-dir: bad dirs refused; AWS CLI across SIGTERM and SIGKILL)" \
    env BUILD="$BUILD" sh tests/serve/restart.sh
run_step "HTTP Tasks (tests/http_task: aslc run + aslc build against a loopback API)" \
    env BUILD="$BUILD" HTTP_CC="$BUILD_CC" sh tests/http_task/check.sh
run_step "test-state (tests/teststate: golden TestState responses; via aslc serve + aws when present)" \
    env BUILD="$BUILD" sh tests/teststate/check.sh
run_step "lambda (aslc build --zip; bootstrap against a stub Runtime API)" \
    env BUILD="$BUILD" LAMBDA_CC="$BUILD_CC" sh tests/lambda/check.sh
run_step "aws (--aws against a local endpoint that checks SigV4 with botocore)" \
    env BUILD="$BUILD" AWS_CC="$BUILD_CC" sh tests/aws/check.sh

echo
echo "==== summary ($BUILD)"
printf '%s' "$summary"
if [ "$status" -eq 0 ]; then
    echo "all test steps passed"
else
    echo "SOME TEST STEPS FAILED (details above; rerun one with --verbose, see README.md)"
fi
exit "$status"
