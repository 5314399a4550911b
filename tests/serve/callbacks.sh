#!/bin/sh
# tests/serve/callbacks.sh - task tokens driven by the real AWS CLI (issue 13):
# on `aslc serve`, .waitForTaskToken Tasks completed by send-task-success,
# failed by send-task-failure, kept alive by send-task-heartbeat, timed out
# by HeartbeatSeconds, stopped by StopExecution; an activity worker loop
# (get-activity-task + send-task-success); bad and unknown tokens; and the
# --callback-port listener of `aslc run` and of a built executable.
# Prints SKIPPED when aws is absent.
BUILD=${BUILD:-build}
ASLC=$BUILD/aslc
if ! command -v aws >/dev/null 2>&1; then
    echo "serve-callbacks: SKIPPED: the AWS CLI (aws) is not installed"
    exit 0
fi
tmp=$(mktemp -d)
pids=
trap 'for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
"$ASLC" serve --port 0 --port-file "$tmp/port" 2>"$tmp/log" &
pid=$!
pids=$pid
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$tmp/port" 2>/dev/null)
[ -n "$port" ] || { echo "serve-callbacks: FAIL: server did not start"; cat "$tmp/log"; exit 1; }
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_DISABLE_HOST_PREFIX_INJECTION=true AWS_PAGER= AWS_CONFIG_FILE=/dev/null
sfnp() { p=$1; shift; aws stepfunctions --endpoint-url "http://127.0.0.1:$p" --output json "$@"; }
sfn() { sfnp "$port" "$@"; }
fails=0; passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "serve-callbacks: FAIL: $*"; fails=$((fails + 1)); }
expect_in() { case $1 in *"$2"*) ok ;; *) bad "$3: expected '$2' in: $1" ;; esac; }
# token_in TEXT: the task token after "tok" in a history (JSON-escaped parameters)
token_in() { printf '%s' "$1" | grep -o 'tok\\*":\\*"[A-Za-z0-9_-]*' | head -n 1 | sed 's/.*"//'; }
# wait_token EXECUTION_ARN: polls the history until the Task has its token
wait_token() {
    n=0
    while [ $n -lt 40 ]; do
        t=$(token_in "$(sfn get-execution-history --execution-arn "$1" 2>&1)")
        [ -n "$t" ] && { echo "$t"; return; }
        sleep 0.25; n=$((n + 1))
    done
}
# wait_status EXECUTION_ARN STATUS: the describe-execution text once STATUS
wait_status() {
    n=0
    while [ $n -lt 40 ]; do
        d=$(sfn describe-execution --execution-arn "$1" 2>&1)
        case $d in *"\"status\": \"$2\""*) echo "$d"; return ;; esac
        sleep 0.25; n=$((n + 1))
    done
    echo "$d"
}
acct=arn:aws:states:us-east-1:123456789012
role=arn:aws:iam::123456789012:role/r

# ---- a callback Task no binding covers just waits for its token
cbdef='{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","HeartbeatSeconds":600,"Parameters":{"QueueUrl":"q","MessageBody":{"tok.$":"$$.Task.Token"}},"End":true}}}'
sfn create-state-machine --name cb --definition "$cbdef" --role-arn $role >/dev/null 2>&1
starts=
for name in ok1 fail1 stop1; do
    sfn start-execution --state-machine-arn $acct:stateMachine:cb --name $name >/dev/null 2>&1 &
    starts="$starts $!"
done
for p in $starts; do wait $p; done
ex=$acct:execution:cb
tok=$(wait_token $ex:ok1)
[ -n "$tok" ] && ok || bad "no task token in the history of ok1"
out=$(sfn describe-execution --execution-arn $ex:ok1 2>&1)
expect_in "$out" '"status": "RUNNING"' waiting-for-token
out=$(sfn send-task-heartbeat --task-token "$tok" 2>&1)
[ -z "$out" ] && ok || bad "heartbeat: $out"
out=$(sfn send-task-success --task-token "$tok" --task-output 'not json' 2>&1)
expect_in "$out" 'InvalidOutput' invalid-output
out=$(sfn send-task-success --task-token "$tok" --task-output '{"done":1}' 2>&1)
[ -z "$out" ] && ok || bad "success: $out"
out=$(wait_status $ex:ok1 SUCCEEDED)
expect_in "$out" '"output": "{\"done\":1}"' success-output
out=$(sfn send-task-success --task-token "$tok" --task-output '{}' 2>&1)
expect_in "$out" 'TaskTimedOut' answered-twice
out=$(sfn get-execution-history --execution-arn $ex:ok1 2>&1)
expect_in "$out" '"type": "TaskSubmitted"' history-submitted
expect_in "$out" '"type": "TaskSucceeded"' history-succeeded

tok=$(wait_token $ex:fail1)
out=$(sfn send-task-failure --task-token "$tok" --error Worker.Broke --cause 'it broke' 2>&1)
[ -z "$out" ] && ok || bad "failure: $out"
out=$(wait_status $ex:fail1 FAILED)
expect_in "$out" '"error": "Worker.Broke"' failure-error
expect_in "$out" '"cause": "it broke"' failure-cause

# StopExecution ends a Task that waits for its token at once
tok=$(wait_token $ex:stop1)
sfn stop-execution --execution-arn $ex:stop1 --error Op.Stop >/dev/null 2>&1
out=$(wait_status $ex:stop1 ABORTED)
expect_in "$out" '"status": "ABORTED"' stop-while-waiting
out=$(sfn send-task-success --task-token "$tok" --task-output '{}' 2>&1)
expect_in "$out" 'TaskTimedOut' answer-after-stop

# ---- bad and unknown tokens
out=$(sfn send-task-success --task-token not-a-token --task-output '{}' 2>&1)
expect_in "$out" 'InvalidToken' invalid-token
unknown=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
out=$(sfn send-task-heartbeat --task-token $unknown 2>&1)
expect_in "$out" 'TaskDoesNotExist' unknown-token

# ---- HeartbeatSeconds: no heartbeat within 1 s times the Task out
hbdef='{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::sns:publish.waitForTaskToken","HeartbeatSeconds":1,"Parameters":{"Message.$":"$$.Task.Token"},"End":true}}}'
sfn create-state-machine --name hb --definition "$hbdef" --role-arn $role >/dev/null 2>&1
sfn start-execution --state-machine-arn $acct:stateMachine:hb --name hb1 >/dev/null 2>&1
out=$(wait_status $acct:execution:hb:hb1 FAILED)
expect_in "$out" '"error": "States.Timeout"' heartbeat-timeout
out=$(sfn get-execution-history --execution-arn $acct:execution:hb:hb1 2>&1)
expect_in "$out" '"type": "TaskTimedOut"' heartbeat-timeout-event

# ---- activities: a worker loop
out=$(sfn create-activity --name work 2>&1)
expect_in "$out" "\"activityArn\": \"$acct:activity:work\"" create-activity
act=$acct:activity:work
sfn create-activity --name other >/dev/null 2>&1
out=$(sfn describe-activity --activity-arn $act 2>&1)
expect_in "$out" '"name": "work"' describe-activity
out=$(sfn list-activities --max-items 1 2>&1)
expect_in "$out" 'NextToken' list-activities-paging
out=$(sfn list-activities 2>&1)
expect_in "$out" "$act" list-activities
adef="{\"StartAt\":\"Work\",\"States\":{\"Work\":{\"Type\":\"Task\",\"Resource\":\"$act\",\"HeartbeatSeconds\":30,\"End\":true}}}"
sfn create-state-machine --name act --definition "$adef" --role-arn $role >/dev/null 2>&1
sfn start-execution --state-machine-arn $acct:stateMachine:act --name a1 --input '{"job":7}' >/dev/null 2>&1
out=$(sfn get-activity-task --activity-arn $act --worker-name w1 --cli-read-timeout 70 2>&1)
expect_in "$out" '"input": "{\"job\":7}"' activity-input
atok=$(printf '%s' "$out" | sed -n 's/.*"taskToken": "\([A-Za-z0-9_-]*\)".*/\1/p')
[ -n "$atok" ] && ok || bad "get-activity-task gave no token: $out"
out=$(sfn send-task-heartbeat --task-token "$atok" 2>&1)
[ -z "$out" ] && ok || bad "activity heartbeat: $out"
out=$(sfn send-task-success --task-token "$atok" --task-output '{"worked":true}' 2>&1)
[ -z "$out" ] && ok || bad "activity success: $out"
out=$(wait_status $acct:execution:act:a1 SUCCEEDED)
expect_in "$out" '"output": "{\"worked\":true}"' activity-output
out=$(sfn get-execution-history --execution-arn $acct:execution:act:a1 2>&1)
expect_in "$out" '"workerName": "w1"' activity-started-worker
expect_in "$out" '"type": "ActivitySucceeded"' activity-succeeded
out=$(sfn delete-activity --activity-arn $act 2>&1)
[ -z "$out" ] && ok || bad "delete-activity: $out"
out=$(sfn describe-activity --activity-arn $act 2>&1)
expect_in "$out" 'ActivityDoesNotExist' describe-deleted-activity
out=$(sfn get-activity-task --activity-arn $act 2>&1)
expect_in "$out" 'ActivityDoesNotExist' poll-deleted-activity
out=$(sfn describe-activity --activity-arn not-an-arn 2>&1)
expect_in "$out" 'InvalidArn' activity-invalid-arn

# a poll waiting for work ends at once when the server stops
sfn get-activity-task --activity-arn $acct:activity:other --cli-read-timeout 70 >/dev/null 2>&1 &
pollpid=$!
sleep 1
t0=$(date +%s)
kill -TERM $pid
wait $pid; rc=$?
t1=$(date +%s)
[ $rc -eq 0 ] && ok || bad "SIGTERM: exit code $rc"
[ $((t1 - t0)) -le 5 ] && ok || bad "SIGTERM with a long poll took $((t1 - t0)) s"
wait $pollpid 2>/dev/null

# ---- aslc run and a built executable: --callback-port
cat > "$tmp/wf.asl.json" <<EOF
$cbdef
EOF
cat > "$tmp/handler.sh" <<'EOF'
#!/bin/sh
# a bound callback Task: the handler gets the token; its reply is ignored
cat > "$TOKFILE"
echo '{"MessageId":"m-1"}'
EOF
chmod +x "$tmp/handler.sh"
printf '{"resources":{"arn:aws:states:::sqs:sendMessage.waitForTaskToken":{"exec":["%s"]}}}\n' \
    "$tmp/handler.sh" > "$tmp/bindings.json"
# run_callback NAME CMD...: runs the workflow, answers its token through
# --callback-port, checks the output
run_callback() {
    what=$1; shift
    rm -f "$tmp/tok" "$tmp/err" "$tmp/out" "$tmp/hist"
    TOKFILE=$tmp/tok "$@" --callback-port 0 --history "$tmp/hist" >"$tmp/out" 2>"$tmp/err" &
    rp=$!
    pids="$pids $rp"
    n=0; t=
    while [ $n -lt 80 ]; do
        t=$(token_in "$(cat "$tmp/hist" 2>/dev/null)")
        [ -n "$t" ] && break
        sleep 0.1; n=$((n + 1))
    done
    cport=$(sed -n 's/.*callback endpoint http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/err")
    [ -n "$t" ] && [ -n "$cport" ] || { bad "$what: no token or port: $(cat "$tmp/err")"; kill $rp; return; }
    out=$(sfnp "$cport" send-task-success --task-token "$t" --task-output '{"from":"cli"}' 2>&1)
    [ -z "$out" ] && ok || bad "$what: send-task-success: $out"
    wait $rp; rc=$?
    [ $rc -eq 0 ] && ok || bad "$what: exit code $rc: $(cat "$tmp/err")"
    expect_in "$(cat "$tmp/out")" '{"from":"cli"}' "$what-output"
}
run_callback run-bound "$ASLC" run "$tmp/wf.asl.json" --bindings "$tmp/bindings.json"
expect_in "$(cat "$tmp/tok")" '"tok":"' run-handler-got-token
expect_in "$(cat "$tmp/hist")" '"output":"{\"MessageId\":\"m-1\"}"' run-submitted-output
if "$ASLC" build "$tmp/wf.asl.json" -o "$tmp/wf" >"$tmp/build.log" 2>&1; then
    run_callback executable-unbound "$tmp/wf"
    if command -v ldd >/dev/null 2>&1; then
        case $(ldd "$tmp/wf") in *microhttpd*) bad "the executable links libmicrohttpd" ;; *) ok ;; esac
    fi
    # without --callback-port an unbound callback Task refuses to start, as before
    "$tmp/wf" >/dev/null 2>"$tmp/err"; rc=$?
    [ $rc -eq 2 ] && ok || bad "unbound without --callback-port: exit $rc"
    out=$("$tmp/wf" --callback-port 70000 2>&1)
    expect_in "$out" 'invalid --callback-port' bad-port
else
    bad "aslc build: $(cat "$tmp/build.log")"
fi

# a missed heartbeat is recorded as States.Timeout and caught by
# ErrorEquals States.HeartbeatTimeout; a TimeoutSeconds timeout is not
cat > "$tmp/hb.asl.json" <<'EOF'
{"StartAt":"Ask","States":{
 "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","HeartbeatSeconds":1,
  "Parameters":{"QueueUrl":"q","MessageBody":{"tok.$":"$$.Task.Token"}},
  "Catch":[{"ErrorEquals":["States.HeartbeatTimeout"],"Next":"Caught"}],"End":true},
 "Caught":{"Type":"Pass","End":true}}}
EOF
out=$("$ASLC" run "$tmp/hb.asl.json" --callback-port 0 2>/dev/null)
expect_in "$out" '{"Error":"States.Timeout","Cause":""}' heartbeat-timeout-caught
sed 's/"HeartbeatSeconds":1,/"TimeoutSeconds":1,/' "$tmp/hb.asl.json" > "$tmp/to.asl.json"
"$ASLC" run "$tmp/to.asl.json" --callback-port 0 >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && ok || bad "a TimeoutSeconds timeout was caught as a heartbeat one (exit $rc)"
expect_in "$(cat "$tmp/err")" '"error":"States.Timeout"' timeout-not-heartbeat

echo "serve-callbacks: $passes passed, $fails failed"
[ $fails -eq 0 ]
