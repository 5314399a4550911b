#!/bin/sh
# tests/serve/cli.sh - `aslc serve` driven by the real AWS CLI (issue 13):
# state machine actions, AWS-shaped errors, hostile requests (through curl
# when present), a clean stop on SIGTERM. Prints SKIPPED when aws is absent.
BUILD=${BUILD:-build}
ASLC=$BUILD/aslc
if ! command -v aws >/dev/null 2>&1; then
    echo "serve-cli: SKIPPED: the AWS CLI (aws) is not installed"
    exit 0
fi
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
"$ASLC" serve --port 0 --port-file "$tmp/port" 2>"$tmp/log" &
pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$tmp/port" 2>/dev/null)
[ -n "$port" ] || { echo "serve-cli: FAIL: server did not start"; cat "$tmp/log"; exit 1; }
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_DISABLE_HOST_PREFIX_INJECTION=true AWS_PAGER= AWS_CONFIG_FILE=/dev/null
sfn() { aws stepfunctions --endpoint-url "http://127.0.0.1:$port" --output json "$@"; }
fails=0; passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "serve-cli: FAIL: $*"; fails=$((fails + 1)); }
# expect_in TEXT NEEDLE WHAT
expect_in() { case $1 in *"$2"*) ok ;; *) bad "$3: expected '$2' in: $1" ;; esac; }

def='{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":1},"End":true}}}'
out=$(sfn create-state-machine --name hello --definition "$def" \
      --role-arn arn:aws:iam::123456789012:role/r 2>&1)
expect_in "$out" '"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:hello"' create
arn=arn:aws:states:us-east-1:123456789012:stateMachine:hello
out=$(sfn describe-state-machine --state-machine-arn $arn 2>&1)
expect_in "$out" '"status": "ACTIVE"' describe
expect_in "$out" '"type": "STANDARD"' describe-type
out=$(sfn create-state-machine --name hello --definition "$def" --role-arn arn:aws:iam::1:role/r 2>&1)
expect_in "$out" 'stateMachineArn' idempotent-create
out=$(sfn create-state-machine --name hello --definition '{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}' \
      --role-arn arn:aws:iam::1:role/r 2>&1)
expect_in "$out" 'StateMachineAlreadyExists' duplicate-name
out=$(sfn create-state-machine --name broken --definition '{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope"}}}' \
      --role-arn arn:aws:iam::1:role/r 2>&1)
expect_in "$out" 'InvalidDefinition' invalid-definition
expect_in "$out" 'MISSING_TRANSITION_TARGET' invalid-definition-code
out=$(sfn create-state-machine --name 'bad name' --definition "$def" --role-arn arn:aws:iam::1:role/r 2>&1)
expect_in "$out" 'InvalidName' invalid-name
jsonata='{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% 1 + 1 %}","End":true}}}'
out=$(sfn create-state-machine --name jn --definition "$jsonata" --role-arn arn:aws:iam::1:role/r 2>&1)
expect_in "$out" 'stateMachine:jn' jsonata-accepted
out=$(sfn update-state-machine --state-machine-arn $arn \
      --definition '{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}' 2>&1)
expect_in "$out" 'updateDate' update
out=$(sfn describe-state-machine --state-machine-arn $arn 2>&1)
expect_in "$out" 'Succeed' update-applied
out=$(sfn list-state-machines 2>&1)
expect_in "$out" 'stateMachine:jn' list
out=$(sfn list-state-machines --max-items 1 2>&1)
expect_in "$out" 'NextToken' list-paging
out=$(sfn validate-state-machine-definition --definition '{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope"}}}' 2>&1)
expect_in "$out" '"result": "FAIL"' validate-fail
expect_in "$out" '"code": "MISSING_TRANSITION_TARGET"' validate-code
expect_in "$out" '"location": "/States/A/Next"' validate-location
out=$(sfn validate-state-machine-definition --definition "$def" 2>&1)
expect_in "$out" '"result": "OK"' validate-ok
# EXPRESS machines are held to the EXPRESS rules (no .sync, .waitForTaskToken
# or activities), as `aslc check --type EXPRESS`; STANDARD ones are not.
sync='{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","Parameters":{"StateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:x"},"End":true}}}'
out=$(sfn create-state-machine --name ex --type EXPRESS --definition "$sync" --role-arn arn:aws:iam::1:role/r 2>&1)
expect_in "$out" 'InvalidDefinition' express-create-sync
expect_in "$out" 'an EXPRESS state machine cannot use' express-create-sync-why
out=$(sfn create-state-machine --name st --definition "$sync" --role-arn arn:aws:iam::1:role/r 2>&1)
expect_in "$out" 'stateMachine:st' standard-create-sync
out=$(sfn create-state-machine --name ex --type EXPRESS --definition "$def" --role-arn arn:aws:iam::1:role/r 2>&1)
expect_in "$out" 'stateMachine:ex' express-create
out=$(sfn update-state-machine --state-machine-arn arn:aws:states:us-east-1:123456789012:stateMachine:ex \
      --definition "$sync" 2>&1)
expect_in "$out" 'InvalidDefinition' express-update-sync
out=$(sfn describe-state-machine --state-machine-arn arn:aws:states:us-east-1:123456789012:stateMachine:ex 2>&1)
expect_in "$out" '"Pass' express-update-refused
act='{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:a","End":true}}}'
out=$(sfn validate-state-machine-definition --type EXPRESS --definition "$act" 2>&1)
expect_in "$out" '"result": "FAIL"' express-validate-activity
out=$(sfn validate-state-machine-definition --type STANDARD --definition "$act" 2>&1)
expect_in "$out" '"result": "OK"' standard-validate-activity
out=$(sfn delete-state-machine --state-machine-arn $arn 2>&1)
[ -z "$out" ] && ok || bad "delete: $out"
out=$(sfn describe-state-machine --state-machine-arn $arn 2>&1)
expect_in "$out" 'StateMachineDoesNotExist' describe-deleted
out=$(sfn describe-state-machine --state-machine-arn not-an-arn 2>&1)
expect_in "$out" 'InvalidArn' invalid-arn

if command -v curl >/dev/null 2>&1; then
    post() { curl -s -m 5 -X POST "http://127.0.0.1:$port/" -H 'Content-Type: application/x-amz-json-1.0' "$@"; }
    out=$(post -H 'X-Amz-Target: AWSStepFunctions.ListStateMachines' --data '{not json')
    expect_in "$out" 'SerializationException' malformed-json
    out=$(post -H 'X-Amz-Target: AWSStepFunctions.DescribeStateMachine' --data '{"stateMachineArn":5}')
    expect_in "$out" 'SerializationException' wrong-type
    out=$(post -H 'X-Amz-Target: AWSStepFunctions.Frobnicate' --data '{}')
    expect_in "$out" 'UnknownOperationException' unknown-action
    out=$(post --data '{}')
    expect_in "$out" 'UnknownOperationException' no-target
    head -c 2000000 /dev/zero | tr '\0' 'a' > "$tmp/big"
    out=$(post -H 'X-Amz-Target: AWSStepFunctions.ListStateMachines' --data-binary @"$tmp/big")
    expect_in "$out" 'ValidationException' oversized-body
    # a flood of parallel requests: all answered, the server stays up
    j=0; jobs_=
    while [ $j -lt 50 ]; do
        post -H 'X-Amz-Target: AWSStepFunctions.ListStateMachines' --data '{}' > "$tmp/f$j" &
        jobs_="$jobs_ $!"; j=$((j + 1))
    done
    for p in $jobs_; do wait $p; done
    n=$(grep -l stateMachines "$tmp"/f* | wc -l)
    [ "$n" -eq 50 ] && ok || bad "flood: $n of 50 answered"
else
    echo "serve-cli: SKIPPED hostile-input part: curl is not installed"
fi
out=$(sfn list-state-machines 2>&1)
expect_in "$out" 'stateMachines' still-up
kill -TERM $pid
wait $pid; rc=$?
[ $rc -eq 0 ] && ok || bad "SIGTERM: exit code $rc"
expect_in "$(cat "$tmp/log")" 'stopped' clean-stop
echo "serve-cli: $passes passed, $fails failed"
[ $fails -eq 0 ]
