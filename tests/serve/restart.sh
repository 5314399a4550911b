#!/bin/sh
# tests/serve/restart.sh - `aslc serve --state-dir` (issue 13): a state
# dir that cannot be used is a clear error at start-up (exit 2), never a
# crash; then, with the real AWS CLI, machines and executions survive a
# SIGTERM and a SIGKILL mid-run: the restarted server lists and describes
# them, pages their histories, and has marked the running ones ABORTED.
# The AWS CLI part prints SKIPPED when aws is absent.
BUILD=${BUILD:-build}
ASLC=$BUILD/aslc
tmp=$(mktemp -d)
pid=
RUN= # a command to run the server under (as_user below)
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0; passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "serve-restart: FAIL: $*"; fails=$((fails + 1)); }
expect_in() { case $1 in *"$2"*) ok ;; *) bad "$3: expected '$2' in: $1" ;; esac; }
expect_not_in() { case $1 in *"$2"*) bad "$3: did not expect '$2' in: $1" ;; *) ok ;; esac; }

# start DIR: a server on DIR in the background ($pid, $port)
start() {
    rm -f "$tmp/port"
    "$ASLC" serve --port 0 --port-file "$tmp/port" --wait real --state-dir "$1" 2>>"$tmp/log" &
    pid=$!
    i=0
    while [ ! -s "$tmp/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    port=$(cat "$tmp/port" 2>/dev/null)
    [ -n "$port" ] || { bad "server on $1 did not start: $(cat "$tmp/log")"; exit 1; }
}
# refused WHAT DIR NEEDLE: the server must exit 2 at once, saying NEEDLE
refused() {
    $RUN "$ASLC" serve --port 0 --state-dir "$2" >"$tmp/out" 2>&1 &
    p=$!
    i=0
    while kill -0 $p 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    if kill -0 $p 2>/dev/null; then
        kill -KILL $p; wait $p 2>/dev/null
        bad "$1: the server started on an unusable state dir"
        return
    fi
    wait $p; rc=$?
    [ $rc -eq 2 ] && ok || bad "$1: exit code $rc (want 2): $(cat "$tmp/out")"
    expect_in "$(cat "$tmp/out")" "$3" "$1"
}

# ---- unusable state dirs ---------------------------------------------------
echo 'not a directory' > "$tmp/file"
refused file-as-dir "$tmp/file" 'is not a directory'
mkdir -p "$tmp/corrupt"
head -c 8192 /dev/urandom > "$tmp/corrupt/state.sqlite"
refused corrupt "$tmp/corrupt" 'file is not a database'
mkdir -p "$tmp/text"
printf 'SQLite format 3\000 but then garbage %.0s' 1 2 3 4 5 6 7 8 9 > "$tmp/text/state.sqlite"
refused truncated "$tmp/text" 'state.sqlite'
mkdir -p "$tmp/sqldir/state.sqlite"
refused db-is-dir "$tmp/sqldir" 'cannot open'
refused unwritable /proc/self 'state.lock'
refused uncreatable /proc/self/no/such 'cannot create the directory'
if command -v sqlite3 >/dev/null 2>&1; then
    mkdir -p "$tmp/future"
    sqlite3 "$tmp/future/state.sqlite" \
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES('schema','99');"
    refused other-version "$tmp/future" 'schema version 99'
    mkdir -p "$tmp/badrow"
    sqlite3 "$tmp/badrow/state.sqlite" \
        "CREATE TABLE executions(arn TEXT PRIMARY KEY, name TEXT NOT NULL, sm_arn TEXT NOT NULL, sm_name TEXT NOT NULL, definition TEXT NOT NULL, role_arn TEXT NOT NULL, type TEXT NOT NULL, sm_updated REAL NOT NULL, input TEXT, output TEXT, error TEXT, cause TEXT, status TEXT NOT NULL, start REAL NOT NULL, stop REAL NOT NULL);
         INSERT INTO executions VALUES('arn:x','x','arn:m','m','{}','r','STANDARD',0,'{}',NULL,NULL,NULL,'SLEEPING',0,0);"
    refused bad-status "$tmp/badrow" "unknown status 'SLEEPING'"
    sqlite3 "$tmp/badrow/state.sqlite" "UPDATE executions SET status='RUNNING', definition=42"
    refused dangling-definition "$tmp/badrow" "names a definition the store does not have"
else
    echo "serve-restart: SKIPPED the schema checks: sqlite3 is not installed"
fi
# Permissions only bind a user other than root: as root, run those as nobody.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
    as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
    as_user() { "$@"; }
fi
if [ "$(id -u)" != 0 ] || command -v setpriv >/dev/null 2>&1; then
    chmod 755 "$tmp"
    mkdir -p "$tmp/ro" "$tmp/rodb"
    [ "$(id -u)" = 0 ] && chown 65534:65534 "$tmp/rodb"
    chmod 555 "$tmp/ro"
    start "$tmp/rodb"; kill -TERM $pid; wait $pid; pid= # a real store, then made read-only
    [ "$(id -u)" = 0 ] && chown -R 65534:65534 "$tmp/rodb" && chown 0:0 "$tmp/rodb/state.sqlite"
    chmod 444 "$tmp/rodb/state.sqlite"
    RUN=as_user
    refused read-only-dir "$tmp/ro" 'Permission denied'
    refused read-only-db "$tmp/rodb" 'read-only'
    RUN=
else
    echo "serve-restart: SKIPPED the permission checks: root without setpriv"
fi
# one server per state dir
start "$tmp/st0"
refused in-use "$tmp/st0" 'in use by another aslc serve'
kill -TERM $pid; wait $pid; pid=

if ! command -v aws >/dev/null 2>&1; then
    echo "serve-restart: SKIPPED the AWS CLI part: the AWS CLI (aws) is not installed"
    echo "serve-restart: $passes passed, $fails failed"
    [ $fails -eq 0 ]
    exit
fi
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_DISABLE_HOST_PREFIX_INJECTION=true AWS_PAGER= AWS_CONFIG_FILE=/dev/null
sfn() { aws stepfunctions --endpoint-url "http://127.0.0.1:$port" --output json "$@"; }
acct=arn:aws:states:us-east-1:123456789012
role=arn:aws:iam::123456789012:role/r
# wait_status EXEC_ARN STATUS: up to 10 s
wait_status() {
    i=0
    while [ $i -lt 100 ]; do
        case $(sfn describe-execution --execution-arn "$1" 2>&1) in *"\"status\": \"$2\""*) return 0 ;; esac
        sleep 0.1; i=$((i + 1))
    done
    return 1
}

# ---- first life: machines, finished and running executions, SIGTERM --------
st="$tmp/st"
start "$st"
chain='{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"n":1},"ResultPath":"$.a","Next":"B"},
 "B":{"Type":"Pass","Result":2,"ResultPath":"$.b","Next":"C"},"C":{"Type":"Pass","End":true}}}'
slow='{"StartAt":"First","States":{"First":{"Type":"Pass","Next":"Sleep"},"Sleep":{"Type":"Wait","Seconds":60,"End":true}}}'
fail='{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"on purpose"}}}'
sfn create-state-machine --name chain --definition "$chain" --role-arn $role >/dev/null 2>&1 || bad create-chain
sfn create-state-machine --name slow --definition "$slow" --role-arn $role >/dev/null 2>&1 || bad create-slow
sfn create-state-machine --name fail --definition "$fail" --role-arn $role >/dev/null 2>&1 || bad create-fail
sfn create-state-machine --name gone --definition "$fail" --role-arn $role >/dev/null 2>&1 || bad create-gone
sfn create-state-machine --name quick --definition "$chain" --role-arn $role --type EXPRESS >/dev/null 2>&1 || bad create-express
sfn delete-state-machine --state-machine-arn $acct:stateMachine:gone >/dev/null 2>&1 || bad delete
sfn create-activity --name worker >/dev/null 2>&1 || bad create-activity
sfn create-activity --name oldworker >/dev/null 2>&1 || bad create-activity-2
sfn delete-activity --activity-arn $acct:activity:oldworker >/dev/null 2>&1 || bad delete-activity
sfn start-execution --state-machine-arn $acct:stateMachine:chain --name c1 --input '{"k":"v1"}' >/dev/null 2>&1 || bad start-c1
sfn start-execution --state-machine-arn $acct:stateMachine:fail --name f1 >/dev/null 2>&1 || bad start-f1
sfn start-execution --state-machine-arn $acct:stateMachine:slow --name s1 >/dev/null 2>&1 || bad start-s1
wait_status $acct:execution:chain:c1 SUCCEEDED || bad "c1 did not succeed"
wait_status $acct:execution:fail:f1 FAILED || bad "f1 did not fail"
# the definition c1 ran is kept after an update
chain2=$(printf '%s' "$chain" | sed 's/"n":1/"n":99/')
sfn update-state-machine --state-machine-arn $acct:stateMachine:chain --definition "$chain2" >/dev/null 2>&1 || bad update
sfn start-execution --state-machine-arn $acct:stateMachine:chain --name c2 --input '{"k":"v2"}' >/dev/null 2>&1 || bad start-c2
wait_status $acct:execution:chain:c2 SUCCEEDED || bad "c2 did not succeed"
wait_status $acct:execution:slow:s1 RUNNING || bad "s1 is not running"
kill -TERM $pid; wait $pid; rc=$?; pid=
[ $rc -eq 0 ] && ok || bad "SIGTERM with a running execution: exit code $rc"

# ---- second life ----------------------------------------------------------------
start "$st"
# The reads are independent: run them four at a time, check them after.
# q NAME ARGS...: sfn ARGS > $tmp/q.NAME in the background
# (waits for its own jobs by pid: a bare `wait` would wait for the server too)
qpids=
q() { n=$1; shift; sfn "$@" > "$tmp/q.$n" 2>&1 & qpids="$qpids $!"; set -- $qpids; [ $# -ge 4 ] && qwait; }
qwait() { for p in $qpids; do wait $p; done; qpids=; }
r() { cat "$tmp/q.$1"; }
q list list-state-machines
q quick describe-state-machine --state-machine-arn $acct:stateMachine:quick
q chain describe-state-machine --state-machine-arn $acct:stateMachine:chain
q c1def describe-state-machine-for-execution --execution-arn $acct:execution:chain:c1
q c1 describe-execution --execution-arn $acct:execution:chain:c1
q f1 describe-execution --execution-arn $acct:execution:fail:f1
q s1 describe-execution --execution-arn $acct:execution:slow:s1
q lchain list-executions --state-machine-arn $acct:stateMachine:chain
q lslow list-executions --state-machine-arn $acct:stateMachine:slow --status-filter ABORTED
q h1 get-execution-history --execution-arn $acct:execution:chain:c1 --max-items 3
q hrev get-execution-history --execution-arn $acct:execution:chain:c1 --reverse-order --max-items 1
q s1rev get-execution-history --execution-arn $acct:execution:slow:s1 --reverse-order --max-items 1
q s1h get-execution-history --execution-arn $acct:execution:slow:s1
q acts list-activities
q act describe-activity --activity-arn $acct:activity:worker
q taken start-execution --state-machine-arn $acct:stateMachine:chain --name c1 --input '{"other":1}'
qwait
out=$(r list)
for m in chain slow fail quick; do expect_in "$out" "stateMachine:$m\"" "list-after-restart-$m"; done
expect_not_in "$out" 'stateMachine:gone' deleted-stays-deleted
expect_in "$(r quick)" '"type": "EXPRESS"' type-kept
expect_in "$(r chain)" '\"n\":99' updated-definition-kept
out=$(r c1def)
expect_in "$out" '\"n\":1}' definition-run-by-c1
expect_not_in "$out" '\"n\":99' definition-run-by-c1-not-new
out=$(r c1)
expect_in "$out" '"status": "SUCCEEDED"' c1-status
expect_in "$out" '"output": "{\"k\":\"v1\",\"a\":{\"n\":1},\"b\":2}"' c1-output
expect_in "$out" '"input": "{\"k\":\"v1\"}"' c1-input
expect_in "$out" 'stopDate' c1-stop
out=$(r f1)
expect_in "$out" '"status": "FAILED"' f1-status
expect_in "$out" '"error": "Boom"' f1-error
expect_in "$out" '"cause": "on purpose"' f1-cause
out=$(r s1)
expect_in "$out" '"status": "ABORTED"' s1-aborted-by-stop
expect_in "$out" 'stopped while this execution was running' s1-cause
out=$(r lchain)
expect_in "$out" 'execution:chain:c1' list-executions-c1
expect_in "$out" 'execution:chain:c2' list-executions-c2
expect_in "$(r lslow)" 'execution:slow:s1' list-executions-aborted
# the history pages: 3 events a page, 8 events (started, 3 x entered/exited, succeeded)
out=$(r h1)
expect_in "$out" 'NextToken' history-first-page
expect_in "$out" '"type": "ExecutionStarted"' history-starts
tok=$(printf '%s' "$out" | sed -n 's/.*"NextToken": "\([^"]*\)".*/\1/p')
out=$(sfn get-execution-history --execution-arn $acct:execution:chain:c1 --max-items 3 --starting-token "$tok" 2>&1)
expect_in "$out" '"id": 4' history-second-page
expect_not_in "$out" '"id": 3,' history-second-page-no-repeat
expect_in "$(r hrev)" '"type": "ExecutionSucceeded"' history-reverse
expect_in "$(r s1rev)" '"type": "ExecutionAborted"' s1-history-ends-aborted
expect_in "$(r s1h)" '"type": "WaitStateEntered"' s1-history-kept
out=$(r acts)
expect_in "$out" 'activity:worker"' activity-kept
expect_not_in "$out" 'oldworker' deleted-activity-stays-deleted
expect_in "$(r act)" '"name": "worker"' describe-activity-after-restart
# names stay taken
expect_in "$(r taken)" 'ExecutionAlreadyExists' name-still-taken
# the recompiled machines run
sfn start-execution --state-machine-arn $acct:stateMachine:chain --name c3 >/dev/null 2>&1 || bad start-c3
wait_status $acct:execution:chain:c3 SUCCEEDED || bad "c3 (after the restart) did not succeed"
out=$(sfn start-sync-execution --state-machine-arn $acct:stateMachine:quick --input '{}' 2>&1)
expect_in "$out" '"status": "SUCCEEDED"' express-after-restart
# killed mid-run: the history up to the kill is kept (written once a second)
sfn start-execution --state-machine-arn $acct:stateMachine:slow --name s2 >/dev/null 2>&1 || bad start-s2
wait_status $acct:execution:slow:s2 RUNNING || bad "s2 is not running"
sleep 1.5
kill -KILL $pid; wait $pid 2>/dev/null; pid=

# ---- third life, after SIGKILL ------------------------------------------------
start "$st"
expect_in "$(cat "$tmp/log")" '1 execution left running by the last server marked ABORTED' orphan-count
out=$(sfn describe-execution --execution-arn $acct:execution:slow:s2 2>&1)
expect_in "$out" '"status": "ABORTED"' s2-aborted-after-kill
expect_in "$out" 'stopped while this execution was running' s2-cause
out=$(sfn get-execution-history --execution-arn $acct:execution:slow:s2 2>&1)
expect_in "$out" '"type": "WaitStateEntered"' s2-history-before-kill
expect_in "$out" '"type": "ExecutionAborted"' s2-history-aborted
out=$(sfn describe-execution --execution-arn $acct:execution:chain:c3 2>&1)
expect_in "$out" '"status": "SUCCEEDED"' c3-after-kill
out=$(sfn list-executions --state-machine-arn $acct:stateMachine:chain 2>&1)
n=$(printf '%s' "$out" | grep -c '"executionArn"')
[ "$n" -eq 3 ] && ok || bad "chain has $n executions after the kill, want 3"
kill -TERM $pid; wait $pid; rc=$?; pid=
[ $rc -eq 0 ] && ok || bad "final SIGTERM: exit code $rc"
expect_not_in "$(cat "$tmp/log")" 'cannot save' no-write-errors
expect_not_in "$(cat "$tmp/log")" 'Sanitizer' no-sanitizer-reports
expect_not_in "$(cat "$tmp/log")" 'runtime error' no-ubsan-reports
echo "serve-restart: $passes passed, $fails failed"
[ $fails -eq 0 ]
