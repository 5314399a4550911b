#!/bin/sh
# check.sh - Tasks that call AWS (--aws, {"aws": true}; issue 16), without
# AWS: tests/aws/endpoint.py stands in for it on 127.0.0.1 and checks the
# SigV4 signature of every request with botocore's signer (independent of
# libcurl's, which aslc uses), and AWS_ENDPOINT_URL points aslc at it.
# tests/aws/workflow.asl.json calls each integration once (aws-sdk JSON
# protocol, Lambda invoke by ARN and by name, a function error, S3
# put/get/list, SQS, DynamoDB, EventBridge, SNS, STS AssumeRole through
# Credentials, service errors caught by their AWS names); its output must
# be tests/aws/expected.json, through `aslc run --aws` and through a built
# executable with a bindings file {"aws": true}. Then: credentials from a
# profile, AWS_ENDPOINT_URL_<SERVICE>, a wrong secret (the endpoint must
# refuse it), no credentials, a dead endpoint, TimeoutSeconds; and
# tests/aws/sfn.asl.json against `aslc serve` through AWS_ENDPOINT_URL_SFN
# (aws-sdk:sfn, states:startExecution, .sync and .sync:2, a failing child).
#
#   BUILD=build sh tests/aws/check.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
ASLC=$BUILD/aslc
PY=${PYTHON:-python3}
if ! "$PY" -c 'import botocore.auth' 2>/dev/null; then
    echo "aws: SKIP: $PY has no botocore (pip install botocore), the independent signer this test checks against"
    exit 0
fi
[ -x "$ASLC" ] || { echo "aws: $ASLC not built" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/aslc-aws-XXXXXX") || exit 1
PID=""
SPID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; [ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$T"' EXIT
fails=0
fail() { echo "aws: FAIL: $*" >&2; fails=$((fails + 1)); }

"$PY" tests/aws/endpoint.py "$T/port" "$T/log" >/dev/null 2>"$T/endpoint.err" &
PID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/port" ] || { cat "$T/endpoint.err" >&2; echo "aws: the endpoint did not start" >&2; exit 1; }
URL=http://127.0.0.1:$(cat "$T/port")

# A clean environment: no real credentials, profiles or endpoints leak in.
mkdir -p "$T/home/.aws"
clean() {
    env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN -u AWS_DEFAULT_REGION \
        -u AWS_CONFIG_FILE -u AWS_SHARED_CREDENTIALS_FILE -u AWS_ENDPOINT_URL_LAMBDA \
        -u AWS_ENDPOINT_URL_S3 -u AWS_ENDPOINT_URL_SQS -u AWS_IGNORE_CONFIGURED_ENDPOINT_URLS \
        -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_REGION -u AWS_ENDPOINT_URL \
        HOME="$T/home" "$@"
}
# the same, replacing the (background) shell: its pid is the program's
clean_exec() {
    exec env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN -u AWS_DEFAULT_REGION \
        -u AWS_CONFIG_FILE -u AWS_SHARED_CREDENTIALS_FILE -u AWS_ENDPOINT_URL_LAMBDA \
        -u AWS_ENDPOINT_URL_S3 -u AWS_ENDPOINT_URL_SQS -u AWS_IGNORE_CONFIGURED_ENDPOINT_URLS \
        -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_REGION -u AWS_ENDPOINT_URL \
        HOME="$T/home" "$@"
}
keys="AWS_ACCESS_KEY_ID=AKIDEXAMPLETEST AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY AWS_REGION=us-east-1"

# same FILE EXPECTED: the two JSON documents are equal.
same() {
    "$PY" -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:3]); sys.exit(a!=b)' "$1" "$2"
}

# ---- 1. the workflow through aslc run --aws
# shellcheck disable=SC2086
clean $keys AWS_ENDPOINT_URL="$URL" "$ASLC" run tests/aws/workflow.asl.json --aws \
    --input '{"who":"ann"}' >"$T/out1.json" 2>"$T/err1"
rc=$?
[ $rc = 0 ] || { cat "$T/err1" >&2; fail "aslc run --aws exited $rc"; }
same "$T/out1.json" tests/aws/expected.json || { cat "$T/out1.json" >&2; fail "aslc run --aws: output differs from tests/aws/expected.json"; }
for kind in secretsmanager lambda s3 sqs dynamodb events sns sts; do
    grep -q "^ok $kind " "$T/log" || fail "no verified $kind request"
done

# ---- 2. a built executable, every resource bound {"aws": true}
printf '{"resources": {"*": {"aws": true}}}\n' >"$T/bindings.json"
if "$ASLC" build tests/aws/workflow.asl.json -o "$T/wf" -O0 ${AWS_CC:+--cc "$AWS_CC"} 2>"$T/build.err"; then
    # the endpoint keeps its objects and items: the second run sees the same
    # shellcheck disable=SC2086
    clean $keys AWS_ENDPOINT_URL="$URL" "$T/wf" --bindings "$T/bindings.json" \
        --input '{"who":"ann"}' >"$T/out2.json" 2>"$T/err2" || { cat "$T/err2" >&2; fail "built executable with {\"aws\": true} failed"; }
    # the request ids count on
    "$PY" -c 'import json,sys,re; t=open(sys.argv[1]).read(); print(re.sub(r"req-[0-9]+","req-N",t))' "$T/out2.json" >"$T/out2n.json"
    "$PY" -c 'import json,sys,re; t=open(sys.argv[1]).read(); print(re.sub(r"req-[0-9]+","req-N",t))' tests/aws/expected.json >"$T/expn.json"
    same "$T/out2n.json" "$T/expn.json" || { cat "$T/out2.json" >&2; fail "built executable: output differs"; }
else
    cat "$T/build.err" >&2
    fail "aslc build"
fi

# a small machine: one JSON-protocol call
cat >"$T/one.asl.json" <<'JSON'
{"StartAt": "S", "States": {"S": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
  "Parameters": {"SecretId": "db-password"}, "OutputPath": "$.SecretString", "End": true}}}
JSON

# ---- 3. credentials and region from a profile; a per-service endpoint
printf '[tests]\naws_access_key_id = AKIDEXAMPLETEST\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n' >"$T/home/.aws/credentials"
printf '[default]\nregion = us-west-1\n[profile tests]\nregion = eu-central-1\n' >"$T/home/.aws/config"
out=$(clean AWS_PROFILE=tests AWS_ENDPOINT_URL=http://127.0.0.1:1 AWS_ENDPOINT_URL_SECRETS_MANAGER="$URL" \
    "$ASLC" run "$T/one.asl.json" --aws 2>"$T/err3")
[ "$out" = '"hunter2"' ] || { cat "$T/err3" >&2; fail "profile credentials + AWS_ENDPOINT_URL_SECRETS_MANAGER: got '$out'"; }
tail -n 1 "$T/log" | grep -q "^ok secretsmanager " || fail "profile run: last request not verified"

# ---- 4. a wrong secret: the endpoint must refuse the signature
out=$(clean AWS_ACCESS_KEY_ID=AKIDEXAMPLETEST AWS_SECRET_ACCESS_KEY=wrong AWS_REGION=us-east-1 \
    AWS_ENDPOINT_URL="$URL" "$ASLC" run "$T/one.asl.json" --aws 2>&1)
rc=$?
[ $rc = 1 ] && echo "$out" | grep -q '"error":"SecretsManager.InvalidSignatureException"' ||
    fail "a wrong secret was not refused (exit $rc): $out"
tail -n 1 "$T/log" | grep -q "^BAD secretsmanager .*signature mismatch" || fail "the endpoint did not see the bad signature"

# ---- 5. no credentials: the run does not start
out=$(clean AWS_REGION=us-east-1 "$ASLC" run "$T/one.asl.json" --aws 2>&1)
rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "no AWS credentials" || fail "no credentials: exit $rc: $out"

# ---- 6. a dead endpoint: an ASL error with a clear cause, no hang
# shellcheck disable=SC2086
out=$(clean $keys AWS_ENDPOINT_URL=http://127.0.0.1:1 timeout 20 "$ASLC" run "$T/one.asl.json" --aws 2>&1)
rc=$?
[ $rc = 1 ] && echo "$out" | grep -q '"error":"States.TaskFailed","cause":"POST http://127.0.0.1:1/ failed: ' ||
    fail "dead endpoint: exit $rc: $out"

# ---- 7. TimeoutSeconds bounds the call (the function takes 5 s)
cat >"$T/slow.asl.json" <<'JSON'
{"StartAt": "S", "States": {"S": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
  "Parameters": {"FunctionName": "slow"}, "TimeoutSeconds": 1, "End": true}}}
JSON
t0=$(date +%s)
# shellcheck disable=SC2086
out=$(clean $keys AWS_ENDPOINT_URL="$URL" timeout 20 "$ASLC" run "$T/slow.asl.json" --aws 2>&1)
rc=$?
t1=$(date +%s)
[ $rc = 1 ] && echo "$out" | grep -q '"error":"States.Timeout"' && [ $((t1 - t0)) -lt 4 ] ||
    fail "TimeoutSeconds: exit $rc after $((t1 - t0)) s: $out"

# ---- 7b. a role assumed once for a Map's iterations (the keys are kept)
cat >"$T/map.asl.json" <<'JSON'
{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1,
  "ItemProcessor": {"StartAt": "S", "States": {"S": {"Type": "Task",
    "Resource": "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
    "Credentials": {"RoleArn": "arn:aws:iam::123456789012:role/reader"},
    "Parameters": {"SecretId": "db-password"}, "OutputPath": "$.SecretString", "End": true}}},
  "End": true}}}
JSON
sts0=$(grep -c '^ok sts ' "$T/log")
# shellcheck disable=SC2086
out=$(clean $keys AWS_ENDPOINT_URL="$URL" "$ASLC" run "$T/map.asl.json" --aws --input '{"items":[1,2,3]}' 2>&1)
sts1=$(grep -c '^ok sts ' "$T/log")
[ "$out" = '["hunter2","hunter2","hunter2"]' ] && [ $((sts1 - sts0)) = 1 ] ||
    fail "Map with Credentials: $out, $((sts1 - sts0)) AssumeRole calls (1 expected)"

# ---- 8. Step Functions against aslc serve: aws-sdk:sfn and states:startExecution;
# the server runs with --aws: a child's Task calls the endpoint
# shellcheck disable=SC2086
clean_exec $keys AWS_ENDPOINT_URL_SECRETS_MANAGER="$URL" "$ASLC" serve --aws --port 0 \
    --port-file "$T/sport" >/dev/null 2>"$T/serve.err" &
SPID=$!
i=0
while [ ! -s "$T/sport" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
if [ -s "$T/sport" ]; then
    # shellcheck disable=SC2086
    clean $keys AWS_ENDPOINT_URL_SFN="http://127.0.0.1:$(cat "$T/sport")" timeout 60 \
        "$ASLC" run tests/aws/sfn.asl.json --aws >"$T/sfn.json" 2>"$T/sfn.err" ||
        { cat "$T/sfn.err" >&2; fail "sfn workflow against aslc serve"; }
    "$PY" - "$T/sfn.json" <<'PY' || { cat "$T/sfn.json" >&2; fail "sfn workflow: unexpected output"; }
import json, re, sys
o = json.load(open(sys.argv[1]))
sm = "arn:aws:states:us-east-1:123456789012:stateMachine:"
assert o["sm"] == {"arn": sm + "child"}, o["sm"]
assert o["run"] == {"status": "SUCCEEDED", "output": {"doubled": 42}}, o["run"]
assert o["run1"] == {"status": "SUCCEEDED", "output": '{"doubled":4}'}, o["run1"]
assert re.fullmatch(r"arn:aws:states:us-east-1:123456789012:execution:child:[0-9a-f-]{36}",
                    o["start"]["arn"]) and o["start"]["code"] == 200, o["start"]
assert o["desc"] == {"name": "child"}, o["desc"]
assert o["missing"]["Error"] == "Sfn.StateMachineDoesNotExistException", o["missing"]
assert o["runBad"]["Error"] == "States.TaskFailed", o["runBad"]
assert o["runSecret"] == {"output": "hunter2"}, o["runSecret"]
c = json.loads(o["runBad"]["Cause"])
assert c["status"] == "FAILED" and c["error"] == "Boom" and c["cause"] == "bad", c
PY
else
    fail "aslc serve did not start: $(cat "$T/serve.err")"
fi
kill "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null
SPID=""

bad=$(grep -c '^BAD' "$T/log")
[ "$bad" = 1 ] || { grep '^BAD' "$T/log" >&2; fail "$bad requests failed the signature check (1 expected: step 4)"; }
n=$(grep -c '^ok' "$T/log")
if [ $fails = 0 ]; then
    echo "aws: ok ($n requests verified by botocore's SigV4 signer, 1 bad signature refused)"
    exit 0
fi
echo "aws: $fails failure(s)" >&2
exit 1
