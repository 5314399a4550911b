#!/bin/sh
# front.sh - regression tests for the check-side items of issue 15 added in
# its second round (speed of check, AWS's limits, ResultWriter field sets,
# templates): each runs aslc on a definition written here and checks the exit
# status and what is printed. Run by tests/run.sh. Environment: BUILD.
set -u
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
ASLC=$here/../../$BUILD/aslc
[ -x "$ASLC" ] || { echo "front: $ASLC is missing" >&2; exit 1; }
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
    [ "$got" -eq "$want" ] || { fail "exit $got, expected $want: $*"; sed 's/^/    /' out err | head -5; return; }
    [ -z "$pat" ] || cat out err | grep -Eq -- "$pat" || { fail "no /$pat/ in the output of: $*"; sed 's/^/    /' out err | head -5; }
}
# refute PATTERN COMMAND...: PATTERN must not occur in the output of COMMAND.
refute() {
    pat=$1
    shift
    count=$((count + 1))
    "$@" >out 2>err
    ! cat out err | grep -Eq -- "$pat" || { fail "/$pat/ in the output of: $*"; sed 's/^/    /' out err | head -5; }
}

# ---- check is linear in states: 200,000 Pass states in a chain took
# ~30 s when the loop pass scanned every state per component.
awk -v n=200000 'BEGIN { printf "{\"StartAt\":\"S0\",\"States\":{";
    for (i = 0; i < n - 1; i++) printf "\"S%d\":{\"Type\":\"Pass\",\"Next\":\"S%d\"},", i, i + 1;
    printf "\"S%d\":{\"Type\":\"Pass\",\"End\":true}}}\n", n - 1 }' >chain.json
count=$((count + 1))
start=$(date +%s)
timeout 60 "$ASLC" check chain.json >/dev/null 2>&1
took=$(($(date +%s) - start))
[ "$took" -le 15 ] || fail "check of 200,000 states took $took s (limit 15 s)"

# ---- the Choice-without-Default warning is linear in rules: 3,000 rules
# took 15.6 s when they were compared pairwise (0.3 s now); the warning is
# still given, and a complementary pair as the last two rules still
# silences it
awk -v n=3000 'BEGIN { printf "{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":\"Choice\",\"Choices\":[";
    for (i = 0; i < n; i++) printf "%s{\"Variable\":\"$.x\",\"NumericEquals\":%d,\"Next\":\"E\"}", i ? "," : "", i;
    printf "%s]},\"E\":{\"Type\":\"Succeed\"}}}\n", tail }' >rules.json
awk -v n=3000 -v tail=',{"Variable":"$.b","IsNull":true,"Next":"E"},{"Variable":"$.b","IsNull":false,"Next":"E"}' \
    'BEGIN { printf "{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":\"Choice\",\"Choices\":[";
    for (i = 0; i < n; i++) printf "%s{\"Variable\":\"$.x\",\"NumericEquals\":%d,\"Next\":\"E\"}", i ? "," : "", i;
    printf "%s]},\"E\":{\"Type\":\"Succeed\"}}}\n", tail }' >rules-covered.json
start=$(date +%s)
expect 0 'CHOICE_NO_DEFAULT' timeout 60 "$ASLC" check rules.json
refute 'CHOICE_NO_DEFAULT' timeout 60 "$ASLC" check rules-covered.json
took=$(($(date +%s) - start))
count=$((count + 1))
[ "$took" -le 6 ] || fail "check of two Choices of 3,000 rules took $took s (limit 6 s)"

# ---- ResultWriter: AWS's three field sets (WriterConfig alone; Resource +
# Parameters; all three); any other is a check error, not a run-time one
dmap() { printf '{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"ResultWriter":%s,"End":true}}}\n' "$1"; }
W='"WriterConfig":{"OutputType":"JSON","Transformation":"COMPACT"}'
R='"Resource":"arn:aws:states:::s3:putObject"'
P='"Parameters":{"Bucket":"b","Prefix":"p"}'
dmap "{$W}" >rw-config.json
dmap "{$R,$P}" >rw-export.json
dmap "{$R,$P,$W}" >rw-all.json
dmap "{$R,$W}" >rw-no-params.json
dmap "{$P,$W}" >rw-no-resource.json
dmap "{$R}" >rw-resource.json
dmap '{}' >rw-empty.json
for f in rw-config rw-export rw-all; do expect 0 '' "$ASLC" check $f.json; done
expect 0 '^\[1,2\]$' "$ASLC" run rw-config.json --input '[1,2]'
expect 1 '"Resource" without "Parameters": the valid sets are "WriterConfig" alone' "$ASLC" check rw-no-params.json
expect 1 '"Parameters" without "Resource"' "$ASLC" check rw-no-resource.json
expect 1 '"Resource" without "Parameters"' "$ASLC" check rw-resource.json
expect 1 '"ResultWriter" must not be empty' "$ASLC" check rw-empty.json
expect 2 '"Resource" without "Parameters"' "$ASLC" run rw-no-params.json --input '[1]'
sed 's/"StartAt":"M"/"QueryLanguage":"JSONata","StartAt":"M"/; s/"Parameters":/"Arguments":/' rw-no-resource.json >rw-ja.json
expect 1 '"Arguments" without "Resource"' "$ASLC" check rw-ja.json
sed 's/"StartAt":"M"/"QueryLanguage":"JSONata","StartAt":"M"/' rw-config.json >rw-ja-config.json
expect 0 '' "$ASLC" check rw-ja-config.json

# ---- --type EXPRESS: no .sync, .waitForTaskToken or activities (AWS
# supports them in Standard workflows only); STANDARD accepts them
task() { printf '{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"%s","End":true}}}\n' "$1"; }
task 'arn:aws:states:::ecs:runTask.sync' >sync.json
task 'arn:aws:states:::states:startExecution.sync:2' >sync2.json
task 'arn:aws:states:::sqs:sendMessage.waitForTaskToken' >token.json
task 'arn:aws:states:us-east-1:123456789012:activity:approve' >activity.json
task 'arn:aws:states:::lambda:invoke' >plain.json
for f in sync sync2 token activity plain; do expect 0 '' "$ASLC" check $f.json; done
for f in sync sync2 token activity; do expect 0 '' "$ASLC" check --type STANDARD $f.json; done
expect 1 'EXPRESS state machine cannot use .* \.sync' "$ASLC" check --type EXPRESS sync.json
expect 1 'EXPRESS state machine cannot use .* \.sync' "$ASLC" check --type=EXPRESS sync2.json
expect 1 'does not support .waitForTaskToken' "$ASLC" check --type EXPRESS token.json
expect 1 'does not support activities' "$ASLC" check --type EXPRESS activity.json
expect 0 '' "$ASLC" check --type EXPRESS plain.json
expect 2 "unknown workflow type 'express'" "$ASLC" check --type express plain.json
expect 2 "'--type' given more than once" "$ASLC" check --type EXPRESS --type STANDARD plain.json
expect 1 'does not support activities' "$ASLC" build --type EXPRESS activity.json -o act-bin
expect 2 'does not support activities' "$ASLC" run --type EXPRESS activity.json --input '{}'
expect 1 'does not support activities' "$ASLC" emit --type EXPRESS activity.json
# in a template, each machine's StateMachineType decides
printf 'Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      StateMachineType: EXPRESS\n      Definition:\n        StartAt: T\n        States:\n          T: {Type: Task, Resource: "arn:aws:states:us-east-1:123456789012:activity:a", End: true}\n' >express-tpl.yaml
expect 1 'does not support activities' "$ASLC" check express-tpl.yaml

# ---- AWS's limits: a definition of at most 1,048,576 characters
skel='{"StartAt":"P","States":{"P":{"Type":"Pass","Comment":"%s","End":true}}}'
pad=$(head -c $((1048576 - ${#skel} + 2)) /dev/zero | tr '\0' x)
printf "$skel" "$pad" >edge-size.json
printf "$skel" "${pad}x" >over-size.json
expect 0 '' "$ASLC" check edge-size.json
expect 1 'the definition is 1048577 characters long; AWS accepts at most 1048576' "$ASLC" check over-size.json
expect 1 'DEFINITION_TOO_LARGE' "$ASLC" check over-size.json

# ---- Map Label: up to 40 characters, none of the characters AWS forbids
lmap() { printf '{"StartAt":"M","States":{"M":{"Type":"Map","Label":"%s","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}%s,"End":true}}}\n' "$1" "${2:-}"; }
lmap 'a234567890123456789012345678901234567890' >label40.json
lmap 'a2345678901234567890123456789012345678901' >label41.json
lmap 'has space' >label-space.json
lmap 'a:b' >label-colon.json
lmap 'ok-label_1' >label-ok.json
expect 0 '' "$ASLC" check label40.json
expect 0 '' "$ASLC" check label-ok.json
expect 1 '"Label" is 41 characters long; the limit is 40' "$ASLC" check label41.json
expect 1 '"Label" must not contain' "$ASLC" check label-space.json
expect 1 '"Label" must not contain' "$ASLC" check label-colon.json

# ---- a distributed Map's MaxConcurrency: AWS runs up to 10,000 child
# executions at once; more is accepted with a warning (validators accept it)
lmap ok ',"MaxConcurrency":10000' >mc-edge.json
lmap ok ',"MaxConcurrency":10001' >mc-over.json
expect 0 '' "$ASLC" check mc-edge.json
refute 'CONCURRENCY_ABOVE_QUOTA' "$ASLC" check mc-edge.json
expect 0 '"MaxConcurrency" 10001 acts as 10000 .CONCURRENCY_ABOVE_QUOTA' "$ASLC" check mc-over.json

# ---- ItemsPath is a Reference Path (no filters, wildcards or slices)
printf '{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"%s","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}\n' '$.a[*]' >items-wild.json
printf '{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"%s","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}\n' '$.a.b' >items-ok.json
expect 1 'INVALID_REFERENCE_PATH' "$ASLC" check items-wild.json
expect 0 '' "$ASLC" check items-ok.json

# ---- HTTP Task: ApiEndpoint, Method, the connection (Authentication or
# InvocationConfig), Headers, Transform and the fields it knows
http() { printf '{"StartAt":"H","States":{"H":{"Type":"Task","Resource":"arn:aws:states:::http:invoke","Parameters":{%s},"End":true}}}\n' "$1"; }
C='"Authentication":{"ConnectionArn":"arn:aws:events:us-east-1:123456789012:connection/c/1"}'
http "\"ApiEndpoint\":\"https://example.com\",\"Method\":\"GET\",$C" >http-ok.json
http "\"ApiEndpoint.\$\":\"\$.url\",\"Method.\$\":\"\$.m\",$C" >http-paths.json
http "\"Method\":\"GET\",$C" >http-no-endpoint.json
http "\"ApiEndpoint\":\"https://example.com\",$C" >http-no-method.json
http '"ApiEndpoint":"https://example.com","Method":"GET"' >http-no-auth.json
http "\"ApiEndpoint\":\"https://example.com\",\"Method\":\"FETCH\",$C" >http-bad-method.json
http '"ApiEndpoint":"https://example.com","Method":"GET","Authentication":{}' >http-no-conn.json
expect 0 '' "$ASLC" check http-ok.json
expect 0 '' "$ASLC" check http-paths.json
expect 1 'needs "ApiEndpoint"' "$ASLC" check http-no-endpoint.json
expect 1 'needs "Method"' "$ASLC" check http-no-method.json
expect 1 'needs "Authentication"' "$ASLC" check http-no-auth.json
expect 1 '"Method" must be GET, POST, PUT, DELETE, PATCH, OPTIONS or HEAD, found "FETCH"' "$ASLC" check http-bad-method.json
expect 1 '"Authentication" needs "ConnectionArn"' "$ASLC" check http-no-conn.json
printf '{"QueryLanguage":"JSONata","StartAt":"H","States":{"H":{"Type":"Task","Resource":"arn:aws:states:::http:invoke","Arguments":{"Method":"GET"},"End":true}}}\n' >http-ja.json
expect 1 'an HTTP Task.s "Arguments" needs "ApiEndpoint"' "$ASLC" check http-ja.json
# the connection: InvocationConfig (AWS's recommended form) or
# Authentication, not both; the "needs" error names both
I='"InvocationConfig":{"ConnectionArn":"arn:aws:events:us-east-1:123456789012:connection/c/1"}'
E='"ApiEndpoint":"https://example.com","Method":"GET"'
http "$E,$I" >http-inv.json
http "$E,\"InvocationConfig.\$\":\"\$.conn\"" >http-inv-path.json
http "$E,$C,$I" >http-both.json
http "$E,\"InvocationConfig\":{}" >http-inv-no-conn.json
http "$E,\"InvocationConfig\":\"arn\"" >http-inv-string.json
expect 0 '' "$ASLC" check -Werror http-inv.json
expect 0 '' "$ASLC" check -Werror http-inv-path.json
expect 1 ':1:242: error: "Authentication" and "InvocationConfig" cannot both be given .MUTUALLY_EXCLUSIVE' "$ASLC" check http-both.json
expect 1 'needs "Authentication" or "InvocationConfig" with the "ConnectionArn"' "$ASLC" check http-no-auth.json
expect 1 '"InvocationConfig" needs "ConnectionArn"' "$ASLC" check http-inv-no-conn.json
expect 1 '"InvocationConfig" must be an object such as \{"ConnectionArn": "..."\}, found a string .WRONG_TYPE' "$ASLC" check http-inv-string.json
# Headers AWS refuses: one error at "Headers", the names lower-cased in
# order ("Authorization.$" still sets Authorization); static values are strings
http "$E,$I,\"Headers\":{\"X-Trace\":\"t\",\"Content-Type\":\"text/plain\",\"X-Id.\$\":\"\$.id\"}" >http-hdr-ok.json
http "$E,$I,\"Headers\":{\"Authorization.\$\":\"\$.t\",\"X-Ok\":\"y\",\"X-Amz-Date\":\"d\",\"HOST\":\"h\",\"x-forwarded-for\":\"f\",\"X-Amzn-Trace-Id\":\"i\"}" >http-hdr-bad.json
http "$E,$I,\"Headers\":{\"X-Count\":3}" >http-hdr-number.json
http "$E,$I,\"Headers\":[\"X-A\"]" >http-hdr-array.json
expect 0 '' "$ASLC" check -Werror http-hdr-ok.json
expect 1 ":1:244: error: The 'Headers' field contains unsupported values: \\[authorization, x-amz-date, host, x-forwarded-for, x-amzn-trace-id\\] .INVALID_VALUE" "$ASLC" check http-hdr-bad.json
refute 'x-ok' "$ASLC" check http-hdr-bad.json
expect 1 'header "X-Count" must be a string, found a number .WRONG_TYPE' "$ASLC" check http-hdr-number.json
expect 1 '"Headers" must be an object of header names and values, found an array' "$ASLC" check http-hdr-array.json
# Transform's RequestBodyEncoding and ArrayFormat
http "$E,$I,\"RequestBody\":{\"a\":[1,2]},\"Transform\":{\"RequestBodyEncoding\":\"URL_ENCODED\",\"RequestEncodingOptions\":{\"ArrayFormat\":\"BRACKETS\"}}" >http-tr-ok.json
http "$E,$I,\"Transform\":{\"RequestBodyEncoding\":\"JSON\"}" >http-tr-enc.json
http "$E,$I,\"Transform\":{\"RequestBodyEncoding\":\"URL_ENCODED\",\"RequestEncodingOptions\":{\"ArrayFormat\":\"indices\"}}" >http-tr-af.json
http "$E,$I,\"Transform\":\"URL_ENCODED\"" >http-tr-string.json
expect 0 '' "$ASLC" check -Werror http-tr-ok.json
expect 1 '"RequestBodyEncoding" must be "NONE" or "URL_ENCODED", found "JSON" .INVALID_VALUE' "$ASLC" check http-tr-enc.json
expect 1 '"ArrayFormat" must be "INDICES", "REPEAT", "COMMAS" or "BRACKETS", found "indices" .INVALID_VALUE' "$ASLC" check http-tr-af.json
expect 1 '"Transform" must be an object such as .*, found a string .WRONG_TYPE' "$ASLC" check http-tr-string.json
# ApiEndpoint: https:// only; plain http to this machine is a warning
# (aslc calls it, AWS could not), to anywhere else an error
for u in http://localhost http://127.0.0.1:8080/x 'http://[::1]:9/y'; do
    http "\"ApiEndpoint\":\"$u\",\"Method\":\"GET\",$I" >http-local.json
    expect 0 ":1:115: warning: \"ApiEndpoint\" \"$(printf '%s' "$u" | sed 's/[][]/\\&/g')\" is plain http to this machine.*LOCAL_HTTP_ENDPOINT" "$ASLC" check http-local.json
    expect 1 'LOCAL_HTTP_ENDPOINT' "$ASLC" check -Werror http-local.json
done
for u in http://example.com http://localhost.example.com ftp://localhost/x https:// example.com; do
    http "\"ApiEndpoint\":\"$u\",\"Method\":\"GET\",$I" >http-plain.json
    expect 1 ":1:115: error: \"ApiEndpoint\" must be an https:// URL \\(AWS calls HTTPS APIs only\\), found \"$u\" .INVALID_VALUE" "$ASLC" check http-plain.json
done
http "\"ApiEndpoint\":42,\"Method\":\"GET\",$I" >http-ep-number.json
expect 1 '"ApiEndpoint" must be a string, found a number' "$ASLC" check http-ep-number.json
# fields the HTTP Task does not know
http "$E,$I,\"Body\":{},\"Timeout.\$\":\"\$.t\",\"QueryParameters\":{\"q\":\"1\"}" >http-unknown.json
expect 1 ':1:244: error: unknown field "Body" in an HTTP Task.s "Parameters": the known ones are ApiEndpoint, Method, Authentication, InvocationConfig, Headers, QueryParameters, RequestBody and Transform .UNKNOWN_FIELD' "$ASLC" check http-unknown.json
expect 1 'unknown field "Timeout.\$"' "$ASLC" check http-unknown.json
refute 'unknown field "QueryParameters"' "$ASLC" check http-unknown.json
# JSONata: expressions are not judged; a static Headers / Transform is
ja() { printf '{"QueryLanguage":"JSONata","StartAt":"H","States":{"H":{"Type":"Task","Resource":"arn:aws:states:::http:invoke","Arguments":{%s},"End":true}}}\n' "$1"; }
ja "\"ApiEndpoint\":\"{% 'http://' & 'example.com' %}\",\"Method\":\"{% 'GET' %}\",$I,\"Headers\":{\"X-A\":\"{% 'x' %}\"},\"Transform\":\"{% {} %}\"" >http-ja-ok.json
ja "$E,\"Authentication\":{\"ConnectionArn\":\"a\"},$I" >http-ja-both.json
ja "$E,$I,\"Headers\":{\"Cache-Control\":\"{% 'no' %}\",\"X-A\":true},\"Transform\":{\"RequestEncodingOptions\":{\"ArrayFormat\":\"X\"}},\"Extra\":1" >http-ja-bad.json
expect 0 '' "$ASLC" check -Werror http-ja-ok.json
expect 1 'cannot both be given' "$ASLC" check http-ja-both.json
expect 1 "The 'Headers' field contains unsupported values: \\[cache-control\\]" "$ASLC" check http-ja-bad.json
expect 1 'header "X-A" must be a string, found a boolean' "$ASLC" check http-ja-bad.json
expect 1 '"ArrayFormat" must be "INDICES", "REPEAT", "COMMAS" or "BRACKETS", found "X"' "$ASLC" check http-ja-bad.json
expect 1 'unknown field "Extra" in an HTTP Task.s "Arguments"' "$ASLC" check http-ja-bad.json

# ---- run / build / emit a SAM or CloudFormation template: its state
# machine, or the one --state-machine names (a clear error when ambiguous)
mkdir -p sam
cat >sam/two.yaml <<'YAML'
Parameters:
  Greeting: {Type: String, Default: hello}
Resources:
  First:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: P
        States:
          P: {Type: Pass, Result: "${Greeting} one", End: true}
      DefinitionSubstitutions:
        Greeting: hi
  Fn:
    Type: AWS::Lambda::Function
  Second:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: flow.json
YAML
printf '{"StartAt":"S","States":{"S":{"Type":"Pass","Result":"two","End":true}}}\n' >sam/flow.json
printf 'Resources:\n  Only:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionString: !Sub |\n        {"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"r":"${AWS::Region}"},"End":true}}}\n' >sam/one.yaml
printf 'Resources:\n  Bad:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      Definition:\n        StartAt: P\n        States:\n          P: {Type: Pass, Next: Nope}\n' >sam/bad.yaml
printf 'Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n' >sam/none.yaml
expect 0 '^\{"r":"us-east-1"\}$' "$ASLC" run sam/one.yaml --input '{}'
expect 2 'the template has 2 state machines: First, Second; choose one with --state-machine NAME' "$ASLC" run sam/two.yaml --input '{}'
expect 0 '^"hi one"$' "$ASLC" run --state-machine First sam/two.yaml --input '{}'
expect 0 '^"two"$' "$ASLC" run --state-machine=Second sam/two.yaml --input '{}'
expect 2 "no state machine called 'Third'; it has First, Second" "$ASLC" run --state-machine Third sam/two.yaml
expect 2 'template has 2 state machines' "$ASLC" build sam/two.yaml -o two-bin
expect 0 '' "$ASLC" build sam/two.yaml --state-machine Second -o second-bin
expect 0 '^"two"$' ./second-bin --input '{}'
expect 0 'int main' "$ASLC" emit --state-machine First sam/two.yaml
expect 2 'bad.yaml:8:.*Nope' "$ASLC" run sam/bad.yaml --input '{}'
expect 1 'no AWS::StepFunctions::StateMachine' "$ASLC" emit sam/none.yaml
expect 2 'this file is not one' "$ASLC" run --state-machine First sam/flow.json
expect 2 "'--state-machine' given more than once" "$ASLC" run --state-machine A --state-machine B sam/two.yaml

# ---- deployed definitions AWS accepts: an unquoted filter operand (Jayway
# reads it as a literal and fails when the path is evaluated, whatever the
# input: a warning for check; run and build compile it), a
# path with trailing blanks (Jayway trims them)
printf '{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"r.$":"$.Labels[?(@.Name==Receipt)]"},"End":true}}}\n' >unquoted.json
expect 0 "bare word 'Receipt' as a number .*UNREADABLE_FILTER" "$ASLC" check unquoted.json
expect 1 'UNREADABLE_FILTER' "$ASLC" check -Werror unquoted.json
expect 1 '"States.Runtime".*Invalid path .*Labels.* : Failed to parse filter: \[\?\(@\.Name==Receipt\)\], error on position: 11, char: R' "$ASLC" run unquoted.json --input '{}'
expect 1 'error on position: 11, char: R' "$ASLC" run unquoted.json --input '{"Labels":[{"Name":"Receipt"}]}'
printf '{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"r.$":"$.Labels[?(@.Name==%sReceipt%s)].Id"},"End":true}}}\n' "'" "'" >quoted.json
expect 0 '^\{"r":\[2\]\}$' "$ASLC" run quoted.json --input '{"Labels":[{"Name":"X","Id":1},{"Name":"Receipt","Id":2}]}'
printf '{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"n.$":"$$.Execution.Name ","a.$":"$.a  "},"ResultPath":"$.out ","End":true}}}\n' >blank.json
expect 0 '' "$ASLC" check blank.json
expect 0 '^\{"a":1,"out":\{"n":"ex1","a":1\}\}$' "$ASLC" run blank.json --input '{"a":1}' --name ex1

# ---- template mode: ${Name} of DefinitionSubstitutions replaced in the text
# of a DefinitionUri file (JSON or YAML) or a DefinitionString before it is
# parsed, as CloudFormation does: "TimeoutSeconds": ${Timeout} is a number
mkdir -p subst
cat >subst/flow.json <<'JSON'
{"StartAt":"W","TimeoutSeconds": ${Timeout},
 "States":{"W":{"Type":"Wait","Seconds": ${Short},"Next":"P"},
 "P":{"Type":"Pass","Result":{"who":"${Who}","t":${Timeout}},"End":true}}}
JSON
printf 'StartAt: W\nStates:\n  W:\n    Type: Wait\n    Seconds: ${Short}\n    Next: P\n  P:\n    Type: Pass\n    Result: {t: ${Timeout}, who: ${Who}}\n    End: true\n' >subst/flow.yaml
sub_tpl() { printf 'Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      %s\n      DefinitionSubstitutions:\n        Timeout: 120\n        Short: 0\n        Who: a "quoted" name\n' "$1"; }
sub_tpl 'DefinitionUri: flow.json' >subst/uri-json.yaml
sub_tpl 'DefinitionUri: flow.yaml' >subst/uri-yaml.yaml
sub_tpl "DefinitionString: '{\"StartAt\":\"P\",\"TimeoutSeconds\": \${Timeout},\"States\":{\"P\":{\"Type\":\"Pass\",\"Result\":\${Timeout},\"End\":true}}}'" >subst/string.yaml
expect 0 '' "$ASLC" check subst/uri-json.yaml
expect 0 '' "$ASLC" check subst/uri-yaml.yaml
expect 0 '' "$ASLC" check subst/string.yaml
expect 0 '^\{"who":"a \\"quoted\\" name","t":120\}$' "$ASLC" run subst/uri-json.yaml --input '{}'
expect 0 '^\{"t":120,"who":"a \\"quoted\\" name"\}$' "$ASLC" run subst/uri-yaml.yaml --input '{}'
expect 0 '^120$' "$ASLC" run subst/string.yaml --input '{}'

# ---- duplicate keys in a template outside its state machines: a warning,
# the last one kept (as CloudFormation); inside a definition: an error
printf 'Parameters:\n  Env: {Type: String, Default: dev}\n  Env: {Type: String, Default: prod}\nResources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      Definition:\n        StartAt: P\n        States:\n          P: {Type: Pass, Result: "${Env}", End: true}\n' >dup-tpl.yaml
printf 'Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      Definition:\n        StartAt: P\n        States:\n          P: {Type: Pass, Result: 1, Result: 2, End: true}\n' >dup-def.yaml
printf '{"Resources":{"M":{"Type":"AWS::StepFunctions::StateMachine","Properties":{"Definition":{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"${X}","End":true}}},"DefinitionSubstitutions":{"X":"first"},"DefinitionSubstitutions":{"X":"last"}}}}}\n' >dup-tpl.json
expect 0 'duplicate key "Env" in one mapping: CloudFormation keeps the last one .DUPLICATE_TEMPLATE_KEY' "$ASLC" check dup-tpl.yaml
expect 1 'DUPLICATE_TEMPLATE_KEY' "$ASLC" check -Werror dup-tpl.yaml
expect 0 '^"prod"$' "$ASLC" run dup-tpl.yaml --input '{}'
expect 0 '^"last"$' "$ASLC" run dup-tpl.json --input '{}'
expect 1 'duplicate key "Result" in one mapping .DUPLICATE_JSON_KEY' "$ASLC" check dup-def.yaml
expect 2 'DUPLICATE_JSON_KEY' "$ASLC" run dup-def.yaml --input '{}'

# ---- RFC 3339 profile: check and run share one parser (runtime/timestamp.c):
# a Choice literal and a Wait Timestamp are accepted exactly when the
# runtime's IsTimestamp says true; the plain profile form is accepted
printf '{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.t","IsTimestamp":true,"Next":"Y"}],"Default":"N"},"Y":{"Type":"Pass","Result":true,"End":true},"N":{"Type":"Pass","Result":false,"End":true}}}\n' >is-ts.json
for ts in 2016-03-14T01:59:00Z 2016-03-14t01:59:00z 2016-03-14T01:59:00.123456789Z 2016-03-14T01:59:00+01:00 \
    2016-03-14T01:59Z '2016-03-14 01:59:00Z' 2016-02-30T00:00:00Z 2016-03-14T01:59:00 2016-03-14T01:59:00+0100; do
    printf '{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.t","TimestampEquals":"%s","Next":"Y"}],"Default":"Y"},"Y":{"Type":"Succeed"}}}\n' "$ts" >ts-lit.json
    printf '{"StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"%s","End":true}}}\n' "$ts" >ts-wait.json
    printf '{"QueryLanguage":"JSONata","StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"%s","End":true}}}\n' "$ts" >ts-wait-ja.json
    count=$((count + 1))
    verdict=$("$ASLC" run is-ts.json --input "{\"t\":\"$ts\"}")
    if "$ASLC" check ts-lit.json >/dev/null 2>&1; then lit=true; else lit=false; fi
    if "$ASLC" check -Werror ts-wait.json >/dev/null 2>&1; then wait=true; else wait=false; fi
    if "$ASLC" check -Werror ts-wait-ja.json >/dev/null 2>&1; then waitja=true; else waitja=false; fi
    [ "$lit" = "$verdict" ] && [ "$wait" = "$verdict" ] && [ "$waitja" = "$verdict" ] ||
        fail "timestamp '$ts': IsTimestamp $verdict, Choice literal $lit, Wait $wait, JSONata Wait $waitja"
done
printf '{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.t","TimestampEquals":"2016-03-14T01:59:00Z","Next":"Y"}],"Default":"Y"},"Y":{"Type":"Succeed"}}}\n' >ts-ok.json
expect 0 '' "$ASLC" check ts-ok.json
printf '{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.t","TimestampEquals":"2016-02-30T00:00:00Z","Next":"Y"}],"Default":"Y"},"Y":{"Type":"Succeed"}}}\n' >ts-bad.json
expect 1 'must be an RFC 3339 timestamp' "$ASLC" check ts-bad.json

[ "$status" -eq 0 ] && echo "front: $count checks passed"
exit "$status"
