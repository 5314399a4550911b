#!/bin/sh
# check.sh - golden tests of `aslc test-state` (AWS's TestState, offline):
# each tests/teststate/NAME.request.json (a TestState request body) must
# print exactly NAME.expected.json, exit 0 (refuse-*: exit 2, an AWS error
# object). The same requests also go through `aslc serve`: posted with
# curl, the body must equal the command's output byte for byte; and, when
# the AWS CLI is present, through `aws stepfunctions test-state
# --endpoint-url`, whose answer (normalised with jq -S) must equal the
# command's. A request with a NAME.bindings.json beside it (its Task runs
# unmocked, through those bindings) is run by the command only.
# http/: HTTP Tasks run unmocked against the loopback server
# $BUILD/tests/http_echo, with the connections of http/bindings.json;
# "@PORT@" in their files stands for its port. They go through the command
# (--bindings) and through `aslc serve --bindings` alike. These expected
# files are aslc's own answers, reviewed by hand: no recording of AWS's
# TRACE output was available (see README, "Testing one state").
# aws-blog-*: the worked examples AWS published with the enhanced TestState
# (AWS News Blog, 19 Nov 2025, "Accelerate workflow development with
# enhanced local testing in AWS Step Functions"), their requests and AWS's
# responses as printed there, compacted. Its Map and Parallel examples are
# not among them: see README.md, "Testing one state".
# Run by tests/run.sh. Environment: BUILD (default build).
set -u
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
ASLC=$here/../../$BUILD/aslc
[ -x "$ASLC" ] || { echo "teststate: $ASLC is missing" >&2; exit 1; }
t=$(mktemp -d) || exit 1
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$t"' EXIT INT TERM
status=0
count=0
fail() { echo "teststate: FAIL: $*"; status=1; }

# Every golden, ready to run, in $t/all: the HTTP ones with the port put in.
mkdir -p "$t/all" || exit 1
cp "$here"/*.request.json "$here"/*.expected.json "$t/all/"
echo_pid=""
ECHO=$here/../../$BUILD/tests/http_echo
http_bindings=""
if [ -x "$ECHO" ]; then
    "$ECHO" >"$t/echo.port" &
    echo_pid=$!
    trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; kill "$echo_pid" 2>/dev/null; rm -rf "$t"' EXIT INT TERM
    i=0
    while [ ! -s "$t/echo.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    eport=$(cat "$t/echo.port")
    for f in "$here"/http/*.json; do
        sed "s/@PORT@/$eport/g" "$f" >"$t/all/$(basename "$f")"
    done
    mv "$t/all/bindings.json" "$t/http.bindings.json"
    http_bindings=$t/http.bindings.json
else
    echo "teststate: SKIPPED the HTTP Task goldens (http/): $ECHO is missing (make builds it with the test tools)"
fi

for req in "$t"/all/*.request.json; do
    name=$(basename "$req" .request.json)
    want_rc=0
    case $name in refuse-*) want_rc=2 ;; esac
    count=$((count + 1))
    set -- --request "$req"
    [ -f "$here/$name.bindings.json" ] && set -- "$@" --bindings "$here/$name.bindings.json"
    case $name in http-*) set -- "$@" --bindings "$http_bindings" ;; esac
    TMPDIR=$t timeout 10 "$ASLC" test-state "$@" >"$t/out" 2>"$t/err"
    rc=$?
    [ "$rc" -eq "$want_rc" ] || { fail "$name: exit $rc, expected $want_rc"; sed 's/^/    /' "$t/err" | head -5; continue; }
    cmp -s "$t/out" "$t/all/$name.expected.json" || {
        fail "$name: output differs from $name.expected.json"
        diff "$t/all/$name.expected.json" "$t/out" | head -10
    }
done

if ! command -v curl >/dev/null 2>&1; then
    echo "teststate: SKIPPED the aslc serve comparisons: curl is not installed"
    [ "$status" -eq 0 ] && echo "teststate: $count golden requests passed"
    exit "$status"
fi

if [ -n "$http_bindings" ]; then
    "$ASLC" serve --port 0 --port-file "$t/port" --bindings "$http_bindings" 2>"$t/log" &
else
    "$ASLC" serve --port 0 --port-file "$t/port" 2>"$t/log" &
fi
pid=$!
i=0
while [ ! -s "$t/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$t/port" 2>/dev/null)
[ -n "$port" ] || { fail "aslc serve did not start"; cat "$t/log"; exit 1; }

# The TestState action of `aslc serve`, posted as the AWS JSON 1.0 protocol
# does: its body must be the command's output byte for byte (the command
# adds one newline), with status 200, or 400 for refuse-*.
raw=0
for req in "$t"/all/*.request.json; do
    name=$(basename "$req" .request.json)
    [ -f "$here/$name.bindings.json" ] && continue
    code=$(curl -s -o "$t/raw" -w '%{http_code}' -X POST "http://127.0.0.1:$port/" \
        -H 'Content-Type: application/x-amz-json-1.0' \
        -H 'X-Amz-Target: AWSStepFunctions.TestState' --data-binary "@$req")
    want_code=200
    case $name in refuse-*) want_code=400 ;; esac
    printf '\n' >>"$t/raw"
    raw=$((raw + 1))
    [ "$code" = "$want_code" ] || fail "$name via aslc serve: HTTP $code, expected $want_code"
    cmp -s "$t/raw" "$t/all/$name.expected.json" ||
        { fail "$name via aslc serve: body differs from aslc test-state's"; diff "$t/all/$name.expected.json" "$t/raw" | head -6; }
done

if ! command -v aws >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1; then
    echo "teststate: SKIPPED the AWS CLI comparison: aws or jq is not installed"
    [ "$status" -eq 0 ] && echo "teststate: $count golden requests passed; $raw byte-identical through aslc serve"
    exit "$status"
fi

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_DISABLE_HOST_PREFIX_INJECTION=true AWS_PAGER= AWS_CONFIG_FILE=/dev/null AWS_MAX_ATTEMPTS=1
# The CLI takes ~1.5 s to start: three requests at a time keep this step short.
n=0
jobs_=""
for req in "$t"/all/*.request.json; do
    name=$(basename "$req" .request.json)
    [ -f "$here/$name.bindings.json" ] && continue
    (aws stepfunctions test-state --endpoint-url "http://127.0.0.1:$port" --output json \
        --cli-input-json "file://$req" >"$t/$name.aws" 2>"$t/$name.awserr"
     echo $? >"$t/$name.rc") &
    jobs_="$jobs_ $!"
    n=$((n + 1))
    # wait for these clients only: a bare wait would wait for the server too
    [ $((n % 3)) -eq 0 ] && { wait $jobs_; jobs_=""; }
done
[ -n "$jobs_" ] && wait $jobs_
served=0
for req in "$t"/all/*.request.json; do
    name=$(basename "$req" .request.json)
    [ -f "$here/$name.bindings.json" ] && continue
    rc=$(cat "$t/$name.rc")
    served=$((served + 1))
    case $name in
    refuse-*)
        # the CLI prints an AWS error as "... (TYPE) when calling ...: MESSAGE"
        type=$(jq -r '.__type' "$t/all/$name.expected.json")
        msg=$(jq -r '.message' "$t/all/$name.expected.json")
        [ "$rc" -ne 0 ] && grep -qF "($type)" "$t/$name.awserr" && grep -qF -- "$msg" "$t/$name.awserr" ||
            { fail "$name via aws: expected error $type: $msg"; head -3 "$t/$name.awserr"; } ;;
    *)
        [ "$rc" -eq 0 ] || { fail "$name via aws: exit $rc"; head -3 "$t/$name.awserr"; continue; }
        jq -S . "$t/$name.aws" >"$t/a" && jq -S . "$t/all/$name.expected.json" >"$t/b" &&
            cmp -s "$t/a" "$t/b" || { fail "$name via aws differs from aslc test-state"; diff "$t/b" "$t/a" | head -10; } ;;
    esac
done
[ "$status" -eq 0 ] && echo "teststate: $count golden requests passed; $raw byte-identical through aslc serve; $served through aslc serve + aws"
exit "$status"
