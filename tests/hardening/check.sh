#!/bin/sh
# check.sh - regression tests for the front-end and CLI items of issue 15
# (hostile or out-of-range input): each runs aslc on a definition written
# here or kept in this folder and checks the exit status and what is
# printed. Run by tests/run.sh. Environment: BUILD (default build).
set -u
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
ASLC=$here/../../$BUILD/aslc
[ -x "$ASLC" ] || { echo "hardening: $ASLC is missing" >&2; exit 1; }
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT INT TERM
cd "$t" || exit 1
status=0
count=0
fail() { echo "FAIL: $*"; status=1; }

# expect WANT_RC PATTERN COMMAND...: runs COMMAND (stdout in out, stderr in
# err); its exit status must be WANT_RC and PATTERN (grep -E; "" for none)
# must occur in stdout or stderr.
expect() {
    want=$1 pat=$2
    shift 2
    count=$((count + 1))
    "$@" >out 2>err
    got=$?
    [ "$got" -eq "$want" ] || { fail "exit $got, expected $want: $*"; sed 's/^/    /' err | head -5; return; }
    [ -z "$pat" ] || cat out err | grep -Eq -- "$pat" || { fail "no /$pat/ in the output of: $*"; sed 's/^/    /' out err | head -5; }
}

pass_with() { printf '{"StartAt":"S","States":{"S":{"Type":"Pass",%s,"End":true}}}\n' "$1"; }

# ---- numbers beyond a double (1e999): a check error, never an internal error
pass_with '"Result":{"x":1e999}' >big-result.json
pass_with '"Parameters":{"x":-1e999}' >big-params.json
pass_with '"Parameters":{"x.$":"$.l[?(@.a > 1e999)]"}' >big-filter.json
pass_with '"Parameters":{"x.$":"States.MathAdd(1, 1e999)"}' >big-intrinsic.json
printf '{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1e999,"Next":"E"}],"Default":"E"},"E":{"Type":"Succeed"}}}\n' >big-choice.json
printf 'StartAt: S\nStates:\n  S:\n    Type: Pass\n    Result: 1e999\n    End: true\n' >big.asl.yaml
for f in big-result.json big-params.json big-filter.json big-intrinsic.json big-choice.json big.asl.yaml; do
    expect 1 'number out of range' "$ASLC" check "$f"
    expect 1 'number out of range' "$ASLC" emit "$f"
    expect 2 'number out of range' "$ASLC" run "$f" --input '{}'
done

# ---- YAML aliases: bounded (a 342-byte file must not expand to 10^9 values)
expect 1 'aliases expand to more than' timeout 10 "$ASLC" check "$here/billion-laughs.yaml"
printf 'StartAt: S\nStates:\n  S:\n    Type: Pass\n    Result: &r {a: [1, {b: 3}]}\n    Next: T\n  T:\n    Type: Pass\n    Result: *r\n    End: true\n' >alias.asl.yaml
expect 0 '^\{"a":\[1,\{"b":3\}\]\}$' "$ASLC" run alias.asl.yaml --input '{}'

# ---- SAM DefinitionUri: only a file inside the template's folder is read;
# another file's text (here a line with "TOPSECRET") is never printed
mkdir -p tpl
printf 'TOPSECRET:x:0:0\n' >secret.yaml
printf '{"StartAt":"S","States":{"S":{"Type":"Pass","End":true}}}\n' >tpl/flow.json
ln -s ../secret.yaml tpl/link.yaml
uri_tpl() { printf 'Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      DefinitionUri: %s\n' "$1"; }
uri_tpl "$t/secret.yaml" >tpl/abs.yaml
uri_tpl ../secret.yaml >tpl/up.yaml
uri_tpl link.yaml >tpl/link-tpl.yaml
uri_tpl flow.json >tpl/ok.yaml
expect 1 'is an absolute path' "$ASLC" check tpl/abs.yaml
expect 1 'is outside the template.s folder' "$ASLC" check tpl/up.yaml
expect 1 'is outside the template.s folder' "$ASLC" check tpl/link-tpl.yaml
for f in abs up link-tpl; do
    count=$((count + 1))
    "$ASLC" check tpl/$f.yaml 2>&1 | grep -q TOPSECRET && fail "tpl/$f.yaml: the foreign file's text was printed"
done
expect 0 '' "$ASLC" check tpl/ok.yaml
(cd tpl && expect 0 "" "$ASLC" check ok.yaml && exit "$status") || status=1

# ---- -o (or --zip) naming the input file, however spelled: refused, the
# definition left as it was
pass_with '"Result":1' >same.json
cp same.json same.orig
ln -s same.json same-link.json
expect 2 'is the input file' "$ASLC" build same.json -o same.json
expect 2 'is the input file' "$ASLC" build same.json -o ./same.json
expect 2 'is the input file' "$ASLC" build same.json -o same-link.json
expect 2 'is the input file' "$ASLC" build same.json --zip "$t/same.json"
expect 2 'is the input file' "$ASLC" emit same.json -o same.json
expect 2 'is an input file' "$ASLC" graph same.json -o same-link.json
printf '[]\n' >same-history.json
cp same-history.json same-history.orig
expect 2 'is an input file' "$ASLC" graph same.json --history same-history.json -o same-history.json
count=$((count + 1))
cmp -s same-history.json same-history.orig || fail "same-history.json was overwritten"
count=$((count + 1))
cmp -s same.json same.orig || fail "same.json was overwritten"

# ---- an option given twice is a usage error, not "the last one wins"
pass_with '"Result":1' >once.json
expect 2 "'--input' given more than once" "$ASLC" run once.json --input '{}' --input '{"a":1}'
expect 2 "'--input' given more than once" "$ASLC" run once.json --input='{}' --input='{}'
expect 2 "'--wait' given more than once" "$ASLC" run once.json --wait skip --wait real
expect 2 "'--name' given more than once" "$ASLC" run once.json --name a --name b
expect 0 '^1$' "$ASLC" run once.json --input '{}' --wait skip --name a
expect 2 '--input given more than once' "$ASLC" jsonata '$' --input 1 --input 2
expect 2 '--bindings given more than once' "$ASLC" jsonata '$' --bindings '{}' --bindings '{}' --input 1

# ---- stdout that cannot be written (a full disk): a message, never exit 0
# expect_full WANT_RC PATTERN COMMAND...: as expect, stdout going to /dev/full
expect_full() {
    want=$1 pat=$2
    shift 2
    count=$((count + 1))
    "$@" >/dev/full 2>err
    got=$?
    [ "$got" -eq "$want" ] || { fail "exit $got, expected $want (stdout full): $*"; sed 's/^/    /' err | head -5; return; }
    grep -Eq -- "$pat" err || { fail "no /$pat/ on stderr (stdout full): $*"; sed 's/^/    /' err | head -5; }
}
if [ -w /dev/full ]; then
    pass_with '"Result":1' >full.json
    expect_full 2 'cannot write the output to stdout: No space left' "$ASLC" run full.json --input '{}'
    expect_full 2 'cannot write to stdout: No space left' "$ASLC" --help
    expect_full 2 'cannot write to stdout: No space left' "$ASLC" --version
    expect_full 2 'cannot write to stdout: No space left' "$ASLC" jsonata '1' --no-input
    expect_full 2 'cannot write to stdout' "$ASLC" emit full.json
    if "$ASLC" build full.json -o full-bin >/dev/null 2>&1; then
        expect_full 2 'cannot write the output to stdout: No space left' ./full-bin --input '{}'
    else
        fail "aslc build full.json failed"
    fi
    # a history or report that cannot be written fails an otherwise
    # successful run (exit 2), in aslc run and in a built executable
    expect 2 "error writing history file '/dev/full'" "$ASLC" run full.json --input '{}' --history /dev/full
    expect 2 "--report: error writing '/dev/full'" "$ASLC" run full.json --input '{}' --report /dev/full
    expect 2 "error writing history file '/dev/full'" ./full-bin --input '{}' --history /dev/full
    expect 0 '' "$ASLC" run full.json --input '{}' --history history.jsonl
    # a failed run writes nothing to stdout: its own exit code stands
    printf '{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}}\n' >fail.json
    expect_full 1 '"error":"E"' "$ASLC" run fail.json --input '{}'
else
    echo "hardening: /dev/full is missing, the full-stdout checks are skipped"
fi

# An execution input over 256 KiB is refused before the run (exit 2), as
# StartExecution refuses it; one of exactly 262144 bytes runs.
printf '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}\n' >pass.json
big=$(head -c 262200 /dev/zero | tr '\0' x)
printf '{"a":"%s"}' "$big" >big-input.json
expect 2 'is 262208 bytes; an execution input may be at most 262144' "$ASLC" run pass.json --input-file big-input.json
printf '{"a":"%s"}' "$(printf '%s' "$big" | head -c 262136)" >edge-input.json
expect 0 '' "$ASLC" run pass.json --input-file edge-input.json

# ---- a handler's bytes that are not UTF-8 (printf '\377'), or an excerpt
# cut inside a character: the status line, the history and Catch's Cause
# stay valid UTF-8 (so valid JSON)
utf8_ok() { iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1; }
printf '{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true}}}\n' >task.json
printf '{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Catch":[{"ErrorEquals":["States.ALL"],"Next":"D"}],"End":true},"D":{"Type":"Pass","End":true}}}\n' >task-catch.json
printf '#!/bin/sh\ncat >/dev/null\nprintf "\\377 bad"\n' >ff.sh
# 199 bytes, then a 2-byte character across the 200-byte excerpt limit
printf '#!/bin/sh\ncat >/dev/null\nprintf "%%0199d\\303\\251xx" 0\n' >cut.sh
chmod +x ff.sh cut.sh
for h in ff cut; do
    printf '{"resources":{"*":{"exec":["./%s.sh"]}}}\n' "$h" >"$h-bind.json"
    expect 1 'printed invalid JSON on stdout' "$ASLC" run task.json --input '{}' --bindings "$h-bind.json" --history "$h.jsonl"
    count=$((count + 1))
    utf8_ok err || fail "$h.sh: the status line is not valid UTF-8"
    utf8_ok "$h.jsonl" || fail "$h.sh: the history is not valid UTF-8"
    expect 0 'printed invalid JSON on stdout' "$ASLC" run task-catch.json --input '{}' --bindings "$h-bind.json"
    count=$((count + 1))
    utf8_ok out || fail "$h.sh: Catch's output is not valid UTF-8"
done
grep -q "$(printf '\357\277\275') bad" ff.jsonl || fail "ff.sh: the byte 0xFF is not U+FFFD in the history"
grep -q '0\.\.\. (203 bytes)' cut.jsonl || fail "cut.sh: the excerpt is not cut before the character"

# ---- AWS's 25,000 history events per execution: event 25,000 may be
# ExecutionSucceeded; anything else is recorded as ExecutionFailed
# (States.Runtime) and the run stops. Each turn of the loop is 4 events:
# with the start, the Succeed state and the end, n turns make 4n + 4.
printf '%s\n' '{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"i.$":"States.MathAdd($.i, 1)","n.$":"$.n"},"Next":"C"},' \
    '"C":{"Type":"Choice","Choices":[{"Variable":"$.i","NumericEqualsPath":"$.n","Next":"E"}],"Default":"P"},"E":{"Type":"Succeed"}}}' >count.json
full='"error":"States.Runtime","cause":"The execution reached the maximum number of history events \(25000\)\."'
expect 0 '^\{"i":6249,"n":6249\}$' "$ASLC" run count.json --input '{"i":0,"n":6249}' --history count-ok.jsonl
count=$((count + 1))
[ "$(wc -l <count-ok.jsonl)" -eq 25000 ] && tail -1 count-ok.jsonl | grep -q '"id":25000,.*"type":"ExecutionSucceeded"' ||
    fail "a run of exactly 25000 events does not end with ExecutionSucceeded as event 25000"
expect 1 "$full" "$ASLC" run count.json --input '{"i":0,"n":6250}' --history count-full.jsonl
count=$((count + 1))
[ "$(wc -l <count-full.jsonl)" -eq 25000 ] && tail -1 count-full.jsonl | grep -Eq "\"id\":25000,.*\"type\":\"ExecutionFailed\",.*$full" ||
    fail "event 25000 of a longer run is not its ExecutionFailed"
# without --history (ids are counted all the same), and an endless loop
expect 1 "$full" "$ASLC" run count.json --input '{"i":0,"n":-1}'
# an inline Map's iterations count in the execution's history (10,000 x 4)
printf '{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.l","ItemProcessor":{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}},"End":true}}}\n' >bigmap.json
printf '{"l":[0' >bigmap-in.json
i=1; while [ $i -lt 10000 ]; do printf ',%d' $i; i=$((i + 1)); done >>bigmap-in.json
printf ']}\n' >>bigmap-in.json
expect 1 "$full" "$ASLC" run bigmap.json --input-file bigmap-in.json

# ---- --type EXPRESS (run and build, runtime side): :express: execution
# ARNs with a fresh UUID, no 25,000-event limit, five minutes at most
printf '{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"id.$":"$$.Execution.Id"},"End":true}}}\n' >arn.json
xarn='^\{"id":"arn:aws:states:us-east-1:123456789012:express:arn:n1:[0-9a-f-]{36}"\}$'
expect 0 "$xarn" "$ASLC" run --type EXPRESS arn.json --input '{}' --name n1
expect 0 "$xarn" "$ASLC" run arn.json --input '{}' --name n1 --type EXPRESS
expect 0 ':execution:arn:n1"' "$ASLC" run arn.json --input '{}' --name n1
if "$ASLC" build --type EXPRESS arn.json -o arn-x >/dev/null 2>&1; then
    expect 0 "$xarn" ./arn-x --input '{}' --name n1
    expect 0 ':execution:arn:n1"' ./arn-x --input '{}' --name n1 --type STANDARD
    expect 2 "invalid --type 'express'" ./arn-x --input '{}' --type express
else
    fail "aslc build --type EXPRESS arn.json failed"
fi
expect 0 '^\{"i":6300,"n":6300\}$' "$ASLC" run --type EXPRESS count.json --input '{"i":0,"n":6300}'
printf '{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":299,"Next":"X"},"X":{"Type":"Wait","Seconds":2,"End":true}}}\n' >five.json
expect 3 '"status":"TIMED_OUT","error":"States.Timeout"' "$ASLC" run --type EXPRESS five.json --input '{}' --wait skip
expect 0 '' "$ASLC" run five.json --input '{}' --wait skip

# a distributed Map's child executions have their own 25,000 events
# (STANDARD children fail, EXPRESS ones have no such limit)
for t in STANDARD EXPRESS; do
    printf '{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"%s"},"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"i.$":"States.MathAdd($.i, 1)","n.$":"$.n"},"Next":"C"},"C":{"Type":"Choice","Choices":[{"Variable":"$.i","NumericEqualsPath":"$.n","Next":"E"}],"Default":"P"},"E":{"Type":"Succeed"}}},"End":true}}}\n' "$t" >dist-$t.json
done
expect 1 'States.ExceedToleratedFailureThreshold' "$ASLC" run dist-STANDARD.json --input '{"items":[{"i":0,"n":6250}]}'
expect 0 '^\[\{"i":6250,"n":6250\}\]$' "$ASLC" run dist-EXPRESS.json --input '{"items":[{"i":0,"n":6250}]}'
# a template's StateMachineType: EXPRESS says it for its machine
printf 'Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      StateMachineType: EXPRESS\n      Definition:\n        StartAt: P\n        States:\n          P:\n            Type: Pass\n            Parameters:\n              id.$: $$.Execution.Id\n            End: true\n' >xtpl.yaml
expect 0 ':express:M:n1:[0-9a-f-]{36}"\}$' "$ASLC" run xtpl.yaml --input '{}' --name n1

# ---- JSONPath deep scans are bounded in memory and time: $..a..a..a on a
# 200-deep chain (1.3 million matches) and an InputPath of 100,000 `..a`
# steps fail with States.Runtime in seconds (they took 29 s / 7.2 GB and
# forever; test_jsonpath checks that an aborted run stops a scan)
deep=1; i=1; while [ $i -lt 200 ]; do deep="{\"a\":$deep}"; i=$((i + 1)); done
printf '{"a":%s}\n' "$deep" >deep.json
printf '{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"n.$":"States.ArrayLength($..a..a..a)"},"End":true}}}\n' >scan3.json
printf '{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"n.$":"States.ArrayLength($..a)"},"End":true}}}\n' >scan1.json
steps=$(i=0; while [ $i -lt 100000 ]; do printf '..a'; i=$((i + 1)); done)
printf '{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$%s","End":true}}}\n' "$steps" >scan100k.json
expect 0 '^\{"n":200\}$' "$ASLC" run scan1.json --input-file deep.json
expect 1 "The JSONPath '\\\$\\.\\.a\\.\\.a\\.\\.a' selects more than 64 MiB" timeout 30 "$ASLC" run scan3.json --input-file deep.json
expect 1 'visits more than 10000000 nodes' timeout 30 "$ASLC" run scan100k.json --input-file deep.json

[ "$status" -eq 0 ] && echo "hardening: $count checks passed"
exit "$status"
