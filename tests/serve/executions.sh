#!/bin/sh
# tests/serve/executions.sh - executions in `aslc serve` driven by the real
# AWS CLI (issue 13): start / describe / list (status filter, paging),
# GetExecutionHistory (paging, reverse order, execution data), StopExecution
# of a running Wait, StartSyncExecution, name rules and bad input, a .sync
# child execution, a mock test case (SFN_MOCK_CONFIG, ARN#TestCase), and a
# clean stop with an execution still running. Raw requests (exact tokens,
# oversized input) go through curl when present. Prints SKIPPED without aws.
BUILD=${BUILD:-build}
ASLC=$BUILD/aslc
if ! command -v aws >/dev/null 2>&1; then
    echo "serve-executions: SKIPPED: the AWS CLI (aws) is not installed"
    exit 0
fi
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
cat > "$tmp/mock.json" <<'EOF'
{"StateMachines": {"mocked": {"TestCases": {"HappyPath": {"Call": "ok"}, "SadPath": {"Call": "boom"}}}},
 "MockedResponses": {"ok": {"0": {"Return": {"StatusCode": 200, "Payload": {"n": 42}}}},
                     "boom": {"0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "down"}}}}}
EOF
cat > "$tmp/bindings.json" <<'EOF'
{"resources": {"arn:aws:states:::sqs:sendMessage": {"exec": ["sleep", "60"]}}}
EOF
SFN_MOCK_CONFIG="$tmp/mock.json" "$ASLC" serve --port 0 --port-file "$tmp/port" --wait scale=0.01 \
    --bindings "$tmp/bindings.json" 2>"$tmp/log" &
pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$tmp/port" 2>/dev/null)
[ -n "$port" ] || { echo "serve-executions: FAIL: server did not start"; cat "$tmp/log"; exit 1; }
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_DISABLE_HOST_PREFIX_INJECTION=true AWS_PAGER= AWS_CONFIG_FILE=/dev/null
sfn() { aws stepfunctions --endpoint-url "http://127.0.0.1:$port" --output json "$@"; }
fails=0; passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "serve-executions: FAIL: $*"; fails=$((fails + 1)); }
expect_in() { case $1 in *"$2"*) ok ;; *) bad "$3: expected '$2' in: $1" ;; esac; }
expect_not() { case $1 in *"$2"*) bad "$3: did not expect '$2' in: $1" ;; *) ok ;; esac; }
SM=arn:aws:states:us-east-1:123456789012:stateMachine
EX=arn:aws:states:us-east-1:123456789012:execution
ROLE=arn:aws:iam::123456789012:role/r
# mk NAME DEFINITION [ARGS]: run in the background, a failure leaves a file
mk() { sfn create-state-machine --name "$1" --role-arn $ROLE --definition "$2" $3 >/dev/null 2>&1 ||
       echo "$1" >> "$tmp/create-failed"; }
# poll_status ARN STATUS: up to ~5 s for the execution to reach STATUS
# (through curl when present: each aws call costs most of a second)
status_of() {
    if command -v curl >/dev/null 2>&1; then
        curl -s -m 5 -X POST "http://127.0.0.1:$port/" -H 'Content-Type: application/x-amz-json-1.0' \
            -H 'X-Amz-Target: AWSStepFunctions.DescribeExecution' --data "{\"executionArn\":\"$1\"}" |
            sed -n 's/.*"status":"\([A-Z_]*\)".*/\1/p'
    else
        sfn describe-execution --execution-arn "$1" --query status --output text 2>&1
    fi
}
poll_status() {
    k=0
    while [ $k -lt 50 ]; do
        s=$(status_of "$1")
        [ "$s" = "$2" ] && return 0
        sleep 0.1; k=$((k + 1))
    done
    echo "$s"; return 1
}

# the machines are created three or four at a time (each aws call costs most of a second)
mk pass '{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"got.$":"$.v","id.$":"$$.Execution.Name"},"Next":"B"},"B":{"Type":"Wait","Seconds":1,"End":true}}}' &
m="$m $!"
mk sleepy '{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100000,"End":true}}}' &
m="$m $!"
mk fails '{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Oops","Cause":"on purpose"}}}' &
m="$m $!"
mk fast '{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"r":1},"End":true}}}' '--type EXPRESS' &
m="$m $!"
mk child '{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"doubled.$":"States.MathAdd($.n, $.n)"},"End":true}}}' &
m="$m $!"
mk parent '{"StartAt":"Run","States":{"Run":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","Parameters":{"StateMachineArn":"'$SM':child","Input":{"n.$":"$.n"}},"OutputPath":"$.Output","End":true}}}' &
m="$m $!"
mk slowtask '{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}}' &
m="$m $!"
mk mocked '{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"OutputPath":"$.Payload","End":true}}}' &
m="$m $!"

for p in $m; do wait $p; done
[ -s "$tmp/create-failed" ] && bad "create-state-machine failed for: $(cat "$tmp/create-failed")" || ok

# ---- start, describe, idempotency, name rules, bad input
out=$(sfn start-execution --state-machine-arn $SM:pass --name e1 --input '{"v":5}' 2>&1)
expect_in "$out" "\"executionArn\": \"$EX:pass:e1\"" start
expect_in "$out" '"startDate"' start-date
out=$(sfn start-execution --state-machine-arn $SM:pass --name e1 --input '{"v":5}' 2>&1)
expect_in "$out" "$EX:pass:e1" idempotent-start-while-running
out=$(sfn start-execution --state-machine-arn $SM:pass --name e1 --input '{"v":6}' 2>&1)
expect_in "$out" 'ExecutionAlreadyExists' same-name-other-input
poll_status $EX:pass:e1 SUCCEEDED && ok || bad "e1 did not succeed"
out=$(sfn describe-execution --execution-arn $EX:pass:e1 2>&1)
expect_in "$out" '"output": "{\"got\":5,\"id\":\"e1\"}"' describe-output
expect_in "$out" '"stopDate"' describe-stop-date
expect_in "$out" "\"stateMachineArn\": \"$SM:pass\"" describe-sm
out=$(sfn start-execution --state-machine-arn $SM:pass --name e1 --input '{"v":5}' 2>&1)
expect_in "$out" 'ExecutionAlreadyExists' same-name-after-end
out=$(sfn start-execution --state-machine-arn $SM:pass --name 'has space' 2>&1)
expect_in "$out" 'InvalidName' name-space
out=$(sfn start-execution --state-machine-arn $SM:pass --name "$(printf '%081d' 0)" 2>&1)
expect_in "$out" 'InvalidName' name-81-chars
out=$(sfn start-execution --state-machine-arn $SM:pass --input '{"v":' 2>&1)
expect_in "$out" 'InvalidExecutionInput' bad-json-input
out=$(sfn start-execution --state-machine-arn $SM:nosuch 2>&1)
expect_in "$out" 'StateMachineDoesNotExist' no-machine
out=$(sfn describe-execution --execution-arn $EX:pass:nosuch 2>&1)
expect_in "$out" 'ExecutionDoesNotExist' no-execution
out=$(sfn describe-execution --execution-arn nonsense 2>&1)
expect_in "$out" 'InvalidArn' bad-execution-arn
out=$(sfn describe-state-machine-for-execution --execution-arn $EX:pass:e1 2>&1)
expect_in "$out" '"definition": "{\"StartAt\":\"A\"' sm-for-execution

# ---- a failing execution
out=$(sfn start-execution --state-machine-arn $SM:fails --name f1 2>&1)
poll_status $EX:fails:f1 FAILED && ok || bad "f1 did not fail"
out=$(sfn describe-execution --execution-arn $EX:fails:f1 2>&1)
expect_in "$out" '"error": "Oops"' failed-error
expect_in "$out" '"cause": "on purpose"' failed-cause

# ---- list: status filter and paging
sfn start-execution --state-machine-arn $SM:pass --name e2 --input '{"v":1}' >/dev/null 2>&1
sfn start-execution --state-machine-arn $SM:pass --name e3 --input '{"v":1}' >/dev/null 2>&1
poll_status $EX:pass:e3 SUCCEEDED >/dev/null; poll_status $EX:pass:e2 SUCCEEDED >/dev/null
out=$(sfn list-executions --state-machine-arn $SM:pass --status-filter SUCCEEDED 2>&1)
n=$(printf '%s' "$out" | grep -c '"executionArn"')
[ "$n" -eq 3 ] && ok || bad "list SUCCEEDED: $n executions, expected 3: $out"
out=$(sfn list-executions --state-machine-arn $SM:pass --status-filter RUNNING 2>&1)
expect_not "$out" 'executionArn' list-running-none
out=$(sfn list-executions --state-machine-arn $SM:pass --page-size 1 2>&1)
n=$(printf '%s' "$out" | grep -c '"executionArn"')
[ "$n" -eq 3 ] && ok || bad "list, pages of 1 followed by the CLI: $n executions, expected 3"
out=$(sfn list-executions --state-machine-arn $SM:pass --status-filter NOPE 2>&1)
expect_in "$out" 'ValidationException' bad-status-filter
out=$(sfn list-executions --state-machine-arn $SM:nosuch 2>&1)
expect_in "$out" 'StateMachineDoesNotExist' list-no-machine

# ---- history: paging, reverse order, data left out
out=$(sfn get-execution-history --execution-arn $EX:pass:e1 2>&1)
n=$(printf '%s' "$out" | grep -c '"id":')
[ "$n" -eq 6 ] && ok || bad "history of e1: $n events, expected 6: $out"
expect_in "$out" '"previousEventId": 0' history-first-prev
expect_in "$out" '"type": "ExecutionSucceeded"' history-succeeded
expect_in "$out" '"timestamp": 1' history-epoch-timestamp
out=$(sfn get-execution-history --execution-arn $EX:pass:e1 --page-size 2 2>&1)
n=$(printf '%s' "$out" | grep -c '"id":')
[ "$n" -eq 6 ] && ok || bad "history in pages of 2: $n events, expected 6"
out=$(sfn get-execution-history --execution-arn $EX:pass:e1 --reverse-order --max-items 1 2>&1)
expect_in "$out" '"type": "ExecutionSucceeded"' history-reverse-first
expect_in "$out" 'NextToken' history-reverse-more
out=$(sfn get-execution-history --execution-arn $EX:pass:e1 --no-include-execution-data 2>&1)
expect_not "$out" '"input"' history-no-data
expect_in "$out" '"roleArn"' history-no-data-keeps-role

# ---- StopExecution of a running Wait
sfn start-execution --state-machine-arn $SM:sleepy --name s1 >/dev/null 2>&1
sleep 0.3
t0=$(date +%s)
out=$(sfn stop-execution --execution-arn $EX:sleepy:s1 --error Halt --cause 'by test' 2>&1)
expect_in "$out" '"stopDate"' stop
out=$(sfn describe-execution --execution-arn $EX:sleepy:s1 2>&1)
expect_in "$out" '"status": "ABORTED"' stopped-status
expect_in "$out" '"error": "Halt"' stopped-error
sleep 0.2
out=$(sfn get-execution-history --execution-arn $EX:sleepy:s1 --reverse-order 2>&1)
expect_in "$out" '"type": "ExecutionAborted"' stopped-history
expect_in "$out" '"cause": "by test"' stopped-history-cause
expect_in "$out" '"type": "WaitStateAborted"' stopped-wait-aborted
[ $(( $(date +%s) - t0 )) -lt 20 ] && ok || bad "stopping a Wait took too long"

# ---- StopExecution of a running Task (its handler is killed)
sfn start-execution --state-machine-arn $SM:slowtask --name t1 >/dev/null 2>&1
sleep 0.3
t0=$(date +%s)
sfn stop-execution --execution-arn $EX:slowtask:t1 >/dev/null 2>&1
sleep 0.3
out=$(sfn get-execution-history --execution-arn $EX:slowtask:t1 --reverse-order --max-items 2 2>&1)
expect_in "$out" '"type": "ExecutionAborted"' stopped-task
expect_in "$out" '"type": "TaskStateAborted"' stopped-task-state
[ $(( $(date +%s) - t0 )) -lt 20 ] && ok || bad "stopping a Task took too long"

# ---- StartSyncExecution
out=$(sfn start-sync-execution --state-machine-arn $SM:fast --input '{}' 2>&1)
expect_in "$out" '"status": "SUCCEEDED"' sync-status
expect_in "$out" '"output": "{\"r\":1}"' sync-output
expect_in "$out" '"billedDurationInMilliseconds"' sync-billing
expect_in "$out" ':express:fast:' sync-express-arn
out=$(sfn start-sync-execution --state-machine-arn $SM:pass --input '{}' 2>&1)
expect_in "$out" 'StateMachineTypeNotSupported' sync-standard-refused

# ---- a .sync:2 child execution
sfn start-execution --state-machine-arn $SM:parent --name p1 --input '{"n":21}' >/dev/null 2>&1
poll_status $EX:parent:p1 SUCCEEDED && ok || bad "parent did not succeed"
out=$(sfn describe-execution --execution-arn $EX:parent:p1 2>&1)
expect_in "$out" '"output": "{\"doubled\":42}"' child-output
out=$(sfn list-executions --state-machine-arn $SM:child 2>&1)
expect_in "$out" '"status": "SUCCEEDED"' child-listed

# ---- a mock test case through SFN_MOCK_CONFIG and ARN#TestCase
sfn start-execution --state-machine-arn "$SM:mocked#HappyPath" --name m1 >/dev/null 2>&1
poll_status $EX:mocked:m1 SUCCEEDED && ok || bad "mocked happy path"
out=$(sfn describe-execution --execution-arn $EX:mocked:m1 2>&1)
expect_in "$out" '"output": "{\"n\":42}"' mock-output
sfn start-execution --state-machine-arn "$SM:mocked#SadPath" --name m2 >/dev/null 2>&1
poll_status $EX:mocked:m2 FAILED && ok || bad "mocked sad path"
out=$(sfn start-execution --state-machine-arn "$SM:mocked#NoSuchCase" 2>&1)
expect_in "$out" 'NoSuchCase' mock-unknown-case
out=$(sfn start-execution --state-machine-arn "$SM:mocked" 2>&1)
expect_in "$out" 'neither bound nor mocked' unbound-task-refused

# ---- raw requests: exact tokens and limits
if command -v curl >/dev/null 2>&1; then
    post() { curl -s -m 5 -X POST "http://127.0.0.1:$port/" -H 'Content-Type: application/x-amz-json-1.0' -H "X-Amz-Target: AWSStepFunctions.$1" --data-binary "$2"; }
    out=$(post ListExecutions "{\"stateMachineArn\":\"$SM:pass\",\"maxResults\":2}")
    expect_in "$out" '"nextToken"' list-next-token
    tok=$(printf '%s' "$out" | sed 's/.*"nextToken":"\([^"]*\)".*/\1/')
    out=$(post ListExecutions "{\"stateMachineArn\":\"$SM:pass\",\"maxResults\":2,\"nextToken\":\"$tok\"}")
    expect_in "$out" "$EX:pass:e1" list-second-page
    expect_not "$out" 'nextToken' list-last-page
    out=$(post GetExecutionHistory "{\"executionArn\":\"$EX:pass:e1\",\"maxResults\":4}")
    expect_in "$out" '"nextToken":"4"' history-token
    out=$(post GetExecutionHistory "{\"executionArn\":\"$EX:pass:e1\",\"maxResults\":4,\"nextToken\":\"4\"}")
    expect_in "$out" '"id":5,' history-second-page
    out=$(post GetExecutionHistory "{\"executionArn\":\"$EX:pass:e1\",\"nextToken\":\"999\"}")
    expect_in "$out" 'InvalidToken' history-bad-token
    head -c 262200 /dev/zero | tr '\0' 'a' > "$tmp/big"
    printf '{"stateMachineArn":"%s:pass","input":"\\"%s\\""}' "$SM" "$(cat "$tmp/big")" > "$tmp/req"
    out=$(post StartExecution @"$tmp/req")
    expect_in "$out" 'InvalidExecutionInput' input-over-256k
    out=$(post StartExecution "{\"stateMachineArn\":\"$SM:pass\",\"input\":5}")
    expect_in "$out" 'SerializationException' input-not-string
    out=$(post StopExecution '{"executionArn":5}')
    expect_in "$out" 'SerializationException' stop-arn-not-string
else
    echo "serve-executions: SKIPPED raw-request part: curl is not installed"
fi

# ---- a clean stop with an execution still running
sfn start-execution --state-machine-arn $SM:sleepy --name s2 >/dev/null 2>&1
out=$(sfn list-state-machines 2>&1)
expect_in "$out" 'stateMachines' still-up
kill -TERM $pid
wait $pid; rc=$?
[ $rc -eq 0 ] && ok || bad "SIGTERM with a running execution: exit code $rc"
expect_in "$(cat "$tmp/log")" 'stopped' clean-stop
echo "serve-executions: $passes passed, $fails failed"
[ $fails -eq 0 ]
