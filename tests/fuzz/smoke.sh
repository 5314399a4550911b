#!/bin/sh
# smoke.sh - the fuzz step of `make test`: builds the libFuzzer targets
# (make fuzz-build, objects in build-fuzz) and runs each after its
# regression inputs on 1,000 inputs mutated from its seeds with a fixed
# seed (run.sh: FUZZ_SMOKE_RUNS), so that a target that no longer builds or
# crashes at once fails the suite, and the same tree always gives the same
# verdict.
# Exits 77 (skipped) when clang is not installed.
set -u
cd "$(dirname "$0")/../.." || exit 1
if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
    echo "fuzz smoke: ${FUZZ_CC:-clang} not found (Debian package clang; make fuzz installs it)"
    exit 77
fi
${MAKE:-make} -j2 --no-print-directory fuzz-build > build-fuzz.log 2>&1 || {
    tail -n 30 build-fuzz.log >&2
    echo "fuzz smoke: make fuzz-build failed (log: build-fuzz.log)" >&2
    exit 1
}
rm -f build-fuzz.log
exec env BUILD=build-fuzz FUZZ_SMOKE=1 sh tests/fuzz/run.sh "${FUZZ_SMOKE_SECONDS:-3}"
