#!/bin/sh
# check.sh - a workflow as an AWS Lambda function (issue 16), without AWS:
# `aslc build --zip` packages tests/lambda/workflow.asl.json, the package is
# unzipped and its bootstrap served by tests/tools/lambda_stub (a fake
# Runtime API on 127.0.0.1) five events: a success with an X-Ray trace
# header, a Fail state, a run cut by Lambda-Runtime-Deadline-Ms, an event
# that is not JSON and a success without a trace header. The posts must be
# exactly tests/lambda/expected.log. Also: the package's contents and
# dynamic section, an init error, and the program without the variable.
#
#   BUILD=build [LAMBDA_CC=CC] sh tests/lambda/check.sh   (CC: --cc for aslc build)
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
ASLC=$BUILD/aslc
STUB=$BUILD/tests/lambda_stub
for t in zip unzip readelf; do
    if ! command -v "$t" >/dev/null 2>&1; then
        echo "lambda: SKIP: $t not installed (tools/deps.sh installs it)"
        exit 0
    fi
done
[ -x "$ASLC" ] && [ -x "$STUB" ] || { echo "lambda: $ASLC or $STUB not built" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/aslc-lambda-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "lambda: FAIL: $*" >&2; fails=$((fails + 1)); }

# ---- the package
if ! "$ASLC" build tests/lambda/workflow.asl.json --zip "$T/fn.zip" -O0 ${LAMBDA_CC:+--cc "$LAMBDA_CC"} 2>"$T/build.err"; then
    cat "$T/build.err" >&2
    fail "aslc build --zip"
    exit 1
fi
(cd "$T" && unzip -q fn.zip -d pkg) || fail "unzip"
[ "$(cd "$T/pkg" && find . -type f | sort | tr '\n' ' ')" = "./bootstrap ./lib/libcjson.so.1 ./lib/libnettle.so.8 " ] ||
    fail "the zip holds $(cd "$T/pkg" && find . -type f | sort | tr '\n' ' ')"
[ -x "$T/pkg/bootstrap" ] || fail "bootstrap is not executable"
readelf -d "$T/pkg/bootstrap" >"$T/dyn" || fail "readelf"
grep -q 'RUNPATH.*\[\$ORIGIN/lib\]' "$T/dyn" || fail "no RUNPATH \$ORIGIN/lib"
# What provided.al2023 has (glibc, libcurl) plus the shipped cJSON.
needed=$(sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' "$T/dyn" | sort | tr '\n' ' ')
for lib in $needed; do
    case $lib in
    libc.so.6 | libm.so.6 | libcurl.so.4 | libcjson.so.1 | ld-linux*) ;;
    libasan.so* | libubsan.so*) ;; # `make asan` builds
    *) fail "bootstrap needs $lib, which the package does not hold" ;;
    esac
done
if command -v objdump >/dev/null 2>&1; then
    # Amazon Linux 2023 has glibc 2.34.
    newest=$(objdump -T "$T/pkg/bootstrap" | grep -o 'GLIBC_2\.[0-9]*' | sort -uV | tail -n 1)
    minor=${newest#GLIBC_2.}
    [ "${minor:-0}" -le 34 ] || fail "bootstrap needs $newest; provided.al2023 has glibc 2.34"
fi

# ---- invocations
cat >"$T/bindings.json" <<JSON
{"resources": {"arn:aws:lambda:*:*:function:trace": {"exec": ["sh", "$PWD/tests/lambda/trace.sh"]}}}
JSON
serve() { # EVENTS LOG: starts the stub, sets STUB_PID and API
    rm -f "$T/port"
    "$STUB" "$1" "$2" >"$T/port" &
    STUB_PID=$!
    i=0
    while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    API=127.0.0.1:$(cat "$T/port")
}
serve tests/lambda/events.json "$T/log"
start=$(date +%s)
AWS_LAMBDA_RUNTIME_API=$API "$T/pkg/bootstrap" --bindings "$T/bindings.json" 2>"$T/boot.err"
rc=$?
elapsed=$(($(date +%s) - start))
wait "$STUB_PID" || fail "the stub did not end cleanly"
[ $rc -eq 1 ] || fail "bootstrap exited $rc after the last event (want 1)"
grep -q 'invocation/next answered HTTP 410; stopping' "$T/boot.err" || fail "no stop message"
if ! diff -u tests/lambda/expected.log "$T/log" >&2; then
    fail "the posts differ from tests/lambda/expected.log"
    cat "$T/boot.err" >&2
fi
# The deadline event waits 30 s unless its 1.5 s deadline stops it.
[ "$elapsed" -lt 15 ] || fail "five invocations took ${elapsed}s: the deadline was not honoured"

# ---- a package with --bindings and --aws: Lambda passes no arguments, so
# its bootstrap is a script that runs `workflow` with them; the same events
# must give the same posts
cat >"$T/zipped-bindings.json" <<JSON
{"resources": {"arn:aws:lambda:*:*:function:trace": {"exec": ["sh", "$PWD/tests/lambda/trace.sh"]}}}
JSON
if "$ASLC" build tests/lambda/workflow.asl.json --zip "$T/fn2.zip" --bindings "$T/zipped-bindings.json" --aws \
    -O0 ${LAMBDA_CC:+--cc "$LAMBDA_CC"} 2>"$T/build2.err"; then
    (cd "$T" && unzip -q fn2.zip -d pkg2) || fail "unzip fn2.zip"
    [ "$(cd "$T/pkg2" && find . -type f | sort | tr '\n' ' ')" = "./bindings.json ./bootstrap ./lib/libcjson.so.1 ./lib/libnettle.so.8 ./workflow " ] ||
        fail "the --bindings package holds $(cd "$T/pkg2" && find . -type f | sort | tr '\n' ' ')"
    grep -q '^exec ./workflow --bindings bindings.json --aws "$@"$' "$T/pkg2/bootstrap" ||
        fail "the bootstrap script does not pass --bindings and --aws: $(cat "$T/pkg2/bootstrap")"
    serve tests/lambda/events.json "$T/log2"
    LAMBDA_TASK_ROOT=$T/pkg2 AWS_LAMBDA_RUNTIME_API=$API "$T/pkg2/bootstrap" 2>"$T/boot2.err"
    rc=$?
    wait "$STUB_PID" || fail "the stub did not end cleanly (--bindings package)"
    [ $rc -eq 1 ] || fail "the --bindings package's bootstrap exited $rc after the last event (want 1)"
    diff -u tests/lambda/expected.log "$T/log2" >&2 ||
        { fail "the --bindings package's posts differ from tests/lambda/expected.log"; cat "$T/boot2.err" >&2; }
else
    cat "$T/build2.err" >&2
    fail "aslc build --zip --bindings --aws"
fi
"$ASLC" build tests/lambda/workflow.asl.json -o "$T/x" --bindings "$T/zipped-bindings.json" 2>"$T/usage2.err"
[ $? -eq 2 ] && grep -q -- '--bindings goes with --zip' "$T/usage2.err" || fail "--bindings without --zip is not refused"

# ---- an init error: a Task left unbound stops start-up
echo '[]' >"$T/none.json"
serve "$T/none.json" "$T/init.log"
AWS_LAMBDA_RUNTIME_API=$API "$T/pkg/bootstrap" 2>"$T/init.err"
rc=$?
wait "$STUB_PID"
[ $rc -eq 2 ] || fail "an init error exited $rc (want 2)"
grep -q '"path":"/2018-06-01/runtime/init/error","error_type":"States.Runtime".*"errorType":"States.Runtime","errorMessage":".*trace' \
    "$T/init.log" || { fail "no init/error post"; cat "$T/init.log" >&2; }

# ---- without the variable the program runs once, as any build does
out=$(env -u AWS_LAMBDA_RUNTIME_API "$T/pkg/bootstrap" --bindings "$T/bindings.json" --input '{"fail":true}' 2>&1)
rc=$?
[ $rc -eq 1 ] && [ "$out" = '{"status":"FAILED","error":"Order.Rejected","cause":"the order was rejected"}' ] ||
    fail "plain run: exit $rc, $out"
env -u AWS_LAMBDA_RUNTIME_API "$T/pkg/bootstrap" --lambda >/dev/null 2>"$T/usage.err"
rc=$?
[ $rc -eq 2 ] && grep -q 'AWS_LAMBDA_RUNTIME_API must be HOST:PORT' "$T/usage.err" ||
    fail "--lambda without AWS_LAMBDA_RUNTIME_API: exit $rc"

if [ $fails -ne 0 ]; then
    echo "lambda: $fails check(s) failed" >&2
    exit 1
fi
echo "lambda: package, 5 invocations, a --bindings --aws package, init error and plain run ok"
