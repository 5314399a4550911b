#!/bin/sh
# check.sh - HTTP Tasks (arn:aws:states:::http:invoke, runtime/http_task.c)
# through `aslc run` and an `aslc build` executable alike, against the
# loopback server $BUILD/tests/http_echo: results, Retry and Catch on
# States.Http.StatusCode.*, the connection's merge and authorization, AWS's
# refusals, timeouts, and the history's Task events. TestState's TRACE view
# of the same calls is tests/teststate/http/. Run by tests/run.sh.
# Environment: BUILD (default build), HTTP_CC (--cc for aslc build: the
# sanitizing compiler of `make asan`).
set -u
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
ASLC=$here/../../$BUILD/aslc
ECHO=$here/../../$BUILD/tests/http_echo
for x in "$ASLC" "$ECHO"; do
    [ -x "$x" ] || { echo "http_task: $x is missing (make builds it)" >&2; exit 1; }
done
t=$(mktemp -d) || exit 1
epid=""
trap '[ -n "$epid" ] && kill "$epid" 2>/dev/null; rm -rf "$t"' EXIT INT TERM
"$ECHO" >"$t/port" &
epid=$!
i=0
while [ ! -s "$t/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
P=$(cat "$t/port")
[ -n "$P" ] || { echo "http_task: http_echo did not start"; exit 1; }
E=http://127.0.0.1:$P
status=0
n=0
fail() { echo "http_task: FAIL: $*"; status=1; }

cat >"$t/bindings.json" <<JSON
{"connections": {
  "arn:aws:events:us-east-1:123456789012:connection/key/*": {"AuthorizationType": "API_KEY",
    "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "X-Api-Key", "ApiKeyValue": "k1"},
      "InvocationHttpParameters": {"HeaderParameters": [{"Key": "Request-Id", "Value": "from-connection"}],
        "QueryStringParameters": [{"Key": "page", "Value": "9"}],
        "BodyParameters": [{"Key": "mode", "Value": "connection"}]}}},
  "arn:aws:events:us-east-1:123456789012:connection/basic/1": {"AuthorizationType": "BASIC",
    "AuthParameters": {"BasicAuthParameters": {"Username": "ann", "Password": "secret"}}},
  "arn:aws:events:us-east-1:123456789012:connection/oauth/1": {"AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
    "AuthParameters": {"OAuthParameters": {"AuthorizationEndpoint": "$E/token", "HttpMethod": "POST",
      "ClientParameters": {"ClientID": "id", "ClientSecret": "s"}}}},
  "arn:aws:events:us-east-1:123456789012:connection/badoauth/1": {"AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
    "AuthParameters": {"OAuthParameters": {"AuthorizationEndpoint": "$E/status/401", "HttpMethod": "POST",
      "ClientParameters": {"ClientID": "id", "ClientSecret": "s"}}}}}}
JSON
KEY='"Authentication":{"ConnectionArn":"arn:aws:events:us-east-1:123456789012:connection/key/1"}'
BASIC='"InvocationConfig":{"ConnectionArn":"arn:aws:events:us-east-1:123456789012:connection/basic/1"}'

# machine NAME STATE-JSON: a one-state machine; extra states after a Catch go in $2 too.
machine() { printf '{"StartAt":"Call","States":{"Call":%s%s}}\n' "$2" "${3:-}" >"$t/$1.asl.json"; }

# expect NAME WANT_RC NEEDLE [INPUT]: the machine through `aslc run` and
# through its `aslc build` executable; each must exit WANT_RC with NEEDLE
# in its output (stdout and stderr together).
expect() {
    name=$1 want=$2 needle=$3 input=${4:-'{}'}
    n=$((n + 1))
    timeout 60 "$ASLC" run "$t/$name.asl.json" --bindings "$t/bindings.json" --input "$input" \
        --history "$t/$name.run.history" >"$t/$name.run" 2>&1
    rc=$?
    [ "$rc" -eq "$want" ] || fail "$name (aslc run): exit $rc, expected $want: $(head -c 300 "$t/$name.run")"
    grep -qF -- "$needle" "$t/$name.run" || fail "$name (aslc run): no '$needle' in: $(head -c 400 "$t/$name.run")"
    if [ ! -x "$t/$name.bin" ]; then
        "$ASLC" build "$t/$name.asl.json" -o "$t/$name.bin" -O0 ${HTTP_CC:+--cc "$HTTP_CC"} >"$t/$name.build" 2>&1 ||
            { fail "$name: aslc build failed: $(head -5 "$t/$name.build")"; return; }
    fi
    timeout 60 "$t/$name.bin" --bindings "$t/bindings.json" --input "$input" >"$t/$name.exe" 2>&1
    rc=$?
    [ "$rc" -eq "$want" ] || fail "$name (executable): exit $rc, expected $want: $(head -c 300 "$t/$name.exe")"
    grep -qF -- "$needle" "$t/$name.exe" || fail "$name (executable): no '$needle' in: $(head -c 400 "$t/$name.exe")"
}

# The connection wins a clash of headers, query and body; its API key is sent.
machine merge "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\",\"Parameters\":{\"ApiEndpoint\":\"$E/reflect/x\",\"Method\":\"PATCH\",$KEY,\"Headers\":{\"Request-Id\":\"from-task\"},\"QueryParameters\":{\"page\":\"1\",\"q\":\"a&b\"},\"RequestBody\":{\"mode\":\"task\",\"n.\$\":\"\$.n\"}},\"ResultSelector\":{\"r.\$\":\"\$.ResponseBody\",\"code.\$\":\"\$.StatusCode\"},\"End\":true}"
expect merge 0 '"target":"/reflect/x?page=9&q=a%26b"' '{"n":3}'
expect merge 0 '"Request-Id":"from-connection"' '{"n":3}'
expect merge 0 '"X-Api-Key":"k1"' '{"n":3}'
expect merge 0 '"body":"{\"mode\":\"connection\",\"n\":3}"' '{"n":3}'
expect merge 0 '"method":"PATCH"' '{"n":3}'
expect merge 0 '"code":200' '{"n":3}'
grep -q '"type":"TaskScheduled".*"resourceType":"http","resource":"invoke"' "$t/merge.run.history" ||
    fail "merge: TaskScheduled does not name resourceType http, resource invoke"

# BASIC through InvocationConfig, JSONata Arguments and Output.
machine basic "{\"Type\":\"Task\",\"QueryLanguage\":\"JSONata\",\"Resource\":\"arn:aws:states:::http:invoke\",\"Arguments\":{\"ApiEndpoint\":\"{% '$E/reflect/' & \$states.input.id %}\",\"Method\":\"GET\",$BASIC},\"Output\":\"{% \$states.result.ResponseBody.headers.Authorization %}\",\"End\":true}"
expect basic 0 '"Basic YW5uOnNlY3JldA=="' '{"id":"u1"}'

# OAuth: the token endpoint's access_token as a bearer token; a refusal of it.
machine oauth "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\",\"Parameters\":{\"ApiEndpoint\":\"$E/reflect\",\"Method\":\"GET\",\"Authentication\":{\"ConnectionArn\":\"arn:aws:events:us-east-1:123456789012:connection/oauth/1\"}},\"OutputPath\":\"$.ResponseBody.headers.Authorization\",\"End\":true}"
expect oauth 0 '"Bearer tok-123"'
machine badoauth "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\",\"Parameters\":{\"ApiEndpoint\":\"$E/reflect\",\"Method\":\"GET\",\"Authentication\":{\"ConnectionArn\":\"arn:aws:events:us-east-1:123456789012:connection/badoauth/1\"}},\"End\":true}"
expect badoauth 1 '"error":"Events.ConnectionResource.InvalidConnectionState"'

# A status outside 2xx: retried, then caught with the result as its cause.
machine caught "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\",\"Parameters\":{\"ApiEndpoint\":\"$E/status/503\",\"Method\":\"GET\",$BASIC},\"Retry\":[{\"ErrorEquals\":[\"States.Http.StatusCode.503\"],\"IntervalSeconds\":1,\"MaxAttempts\":1}],\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"Next\":\"Handled\"}],\"End\":true}" ',"Handled":{"Type":"Pass","End":true}'
expect caught 0 '"Error":"States.Http.StatusCode.503"'
expect caught 0 '\"StatusCode\":503'
scheduled=$(grep -c '"type":"TaskScheduled"' "$t/caught.run.history" 2>/dev/null)
[ "${scheduled:-0}" -eq 2 ] || fail "caught: $scheduled TaskScheduled events, expected 2 (one retry)"
machine failed "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\",\"Parameters\":{\"ApiEndpoint\":\"$E/status/404\",\"Method\":\"DELETE\",$BASIC},\"End\":true}"
expect failed 1 '"error":"States.Http.StatusCode.404"'

# A form body; text and binary replies.
machine form "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\",\"Parameters\":{\"ApiEndpoint\":\"$E/reflect\",\"Method\":\"POST\",$BASIC,\"RequestBody\":{\"a\":[1,2],\"o\":{\"k\":\"v w\"}},\"Transform\":{\"RequestBodyEncoding\":\"URL_ENCODED\",\"RequestEncodingOptions\":{\"ArrayFormat\":\"COMMAS\"}}},\"OutputPath\":\"$.ResponseBody\",\"End\":true}"
expect form 0 '"body":"a=1%2C2&o%5Bk%5D=v%20w"'
expect form 0 '"Content-Type":"application/x-www-form-urlencoded"'
machine text "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\",\"Parameters\":{\"ApiEndpoint\":\"$E/text\",\"Method\":\"GET\",$BASIC},\"OutputPath\":\"$.ResponseBody\",\"End\":true}"
expect text 0 '"plain words"'
machine binary "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\",\"Parameters\":{\"ApiEndpoint\":\"$E/binary\",\"Method\":\"GET\",$BASIC},\"End\":true}"
expect binary 1 'cannot be read as text (application/octet-stream)'

# AWS's refusals: unsupported headers (given at run time), a string body
# beside connection body parameters, no such connection, no https.
machine headers "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\",\"Parameters\":{\"ApiEndpoint\":\"$E/reflect\",\"Method\":\"GET\",$BASIC,\"Headers.\$\":\"\$.h\"},\"End\":true}"
expect headers 1 "The 'Headers' field contains unsupported values: [cache-control, x-forwarded-for]" '{"h":{"Cache-Control":"no","X-Forwarded-For":"1.2.3.4","Accept":"*/*"}}'
machine strbody "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\",\"Parameters\":{\"ApiEndpoint\":\"$E/reflect\",\"Method\":\"POST\",$KEY,\"RequestBody\":\"raw text\"},\"End\":true}"
expect strbody 1 'RequestBody is a string, so the connection'
machine noconn "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\",\"Parameters\":{\"ApiEndpoint\":\"$E/reflect\",\"Method\":\"GET\",\"Authentication\":{\"ConnectionArn\":\"arn:aws:events:us-east-1:123456789012:connection/none/1\"}},\"End\":true}"
expect noconn 1 '"error":"Events.ConnectionResource.ResourceNotFound"'
machine plainhttp "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\",\"Parameters\":{\"ApiEndpoint.\$\":\"\$.url\",\"Method\":\"GET\",$BASIC},\"End\":true}"
expect plainhttp 1 'must be an https:// URL' '{"url":"http://example.com/x"}'

# TimeoutSeconds bounds the call; a closed port is a socket error.
machine slow "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\",\"TimeoutSeconds\":1,\"Parameters\":{\"ApiEndpoint\":\"$E/slow\",\"Method\":\"POST\",$BASIC},\"End\":true}"
expect slow 1 '"error":"States.Timeout"'
machine refused "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\",\"Parameters\":{\"ApiEndpoint\":\"http://127.0.0.1:1/x\",\"Method\":\"GET\",$BASIC},\"End\":true}"
expect refused 1 '"error":"States.Http.Socket"'

[ "$status" -eq 0 ] && echo "http_task: $n checks passed, each through aslc run and an aslc build executable"
exit "$status"
