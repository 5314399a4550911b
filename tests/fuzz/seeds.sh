#!/bin/sh
# seeds.sh - builds the seed corpus of every fuzz target from the project's
# own test data (tests/, samples/) and, when present, the shared reference
# data ($SHARED: conformance and validation definitions, the JSONata
# suite). Nothing is copied into the repository: the corpora are made
# fresh under OUT (one folder per target, as tests/fuzz/fuzz_NAME.c).
#
#   sh tests/fuzz/seeds.sh OUT [SHARED]      (run from the project's root)
#
# jq extracts definitions, paths, intrinsic calls and JSONata expressions
# from case files; without jq the corpora hold whole files only (say so).
# The shared data is sampled (every third or fourth file) to keep the
# corpora small enough for a smoke run to read in a few seconds.
set -u
OUT=${1:?usage: seeds.sh OUT [SHARED]}
SHARED=${2:-../shared}
cd "$(dirname "$0")/../.." || exit 1

for t in load_json load_yaml check lower jsonpath intrinsic jsonata bindings mocks server; do
    rm -rf "$OUT/$t"
    mkdir -p "$OUT/$t"
done
# put TARGET: stdin becomes a seed of TARGET, named by its digest (so
# duplicates collapse), unless it is empty.
put() {
    cat > "$OUT/.seed"
    [ -s "$OUT/.seed" ] && mv "$OUT/.seed" "$OUT/$1/$(sha1sum < "$OUT/.seed" | cut -c1-16)"
    rm -f "$OUT/.seed"
}
have_jq=0
command -v jq >/dev/null 2>&1 && have_jq=1
[ "$have_jq" = 1 ] || echo "seeds.sh: jq not found: whole files only (no paths, calls or expressions)" >&2

small() { find "$@" -type f -size -64k 2>/dev/null | sort; }

# Case files (a definition, an input): ours, then the shared conformance ones.
cases=$(small tests/cases -name '*.json')
[ -d "$SHARED/conformance/cases" ] && cases="$cases
$(small "$SHARED/conformance/cases" -name '*.json' | awk 'NR % 4 == 1')"
valid=""
[ -d "$SHARED/validation/cases" ] && valid=$(small "$SHARED/validation/cases" | awk 'NR % 4 == 1')

# ---- whole files
for f in $(small tests samples -name '*.json'); do put load_json < "$f"; done
for f in $(small tests samples -name '*.yaml' -o -name '*.yml'); do
    put load_yaml < "$f"; put check < "$f"; put lower < "$f"
done
for f in $(small tests samples -name '*.asl.json'); do put check < "$f"; put lower < "$f"; done
for f in $(small samples -name 'bindings*.json') $(small tests -name '*bindings*.json'); do
    put bindings < "$f"
done

# YAML's own constructs: block scalars, anchors and aliases, merge keys,
# CloudFormation's short tags, comments, documents, odd scalars.
printf 'StartAt: A # c\nStates:\n  A: &p\n    Type: Pass\n    Result: {a: [1, 2.5e3, ~, yes, "q", '"'"'s'"'"']}\n    Next: B\n  B:\n    <<: *p\n    Comment: |\n      two\n      lines\n    End: true\n' | put load_yaml
printf -- '---\nResources:\n  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Definition:\n        StartAt: S\n        States:\n          S: {Type: Task, Resource: !GetAtt F.Arn, Parameters: {x: !Sub "${A}-b", y: !Ref Z}, End: true}\n      DefinitionSubstitutions:\n        A: !Join ["", [a, b]]\n...\n' | tee "$OUT/.seed2" | put load_yaml
put check < "$OUT/.seed2"
printf 'Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionString: !Sub |\n        {"StartAt": "S", "States": {"S": {"Type": "Pass", "Result": "${X}", "End": true}}}\n      DefinitionSubstitutions: {X: y}\n' | tee "$OUT/.seed2" | put load_yaml
put check < "$OUT/.seed2"
rm -f "$OUT/.seed2"

# Bindings of each kind, and mock configurations, written here.
printf '%s\n' '{"resources": {"arn:aws:lambda:*:*:function:f": {"exec": ["sh", "-c", "cat"], "cwd": ".", "env": {"A": "1"}}}}' | put bindings
printf '%s\n' '{"resources": {"arn:aws:states:::http:invoke": {"http": "http://127.0.0.1:1/x", "headers": {"X-A": "b"}}}}' | put bindings
printf '%s\n' '{"resources": {"arn:aws:lambda:us-east-1:123456789012:function:*": {"native": {"lib": "./nonexistent.so", "symbol": "f"}}}}' | put bindings
printf 'M\nT\n%s\n' '{"StateMachines": {"M": {"TestCases": {"T": {"A": "ok", "B": "boom"}}}}, "MockedResponses": {"ok": {"0": {"Return": {"a": 1}}, "1-3": {"Throw": {"Error": "E", "Cause": "c"}}}, "boom": {"0": {"Throw": {"Error": "Boom"}}}}}' | put mocks
printf '\nT\n%s\n' '{"StateMachines": {"M": {"TestCases": {"T": {"A": "ok"}}}}, "MockedResponses": {"ok": {"0": {"Return": null}}}}' | put mocks

tab=$(printf '\t')
if [ "$have_jq" = 1 ]; then
    for f in $(small tests -name '*.mock.json'); do
        jq -r '(.StateMachines | keys[0]) as $m | $m, (.StateMachines[$m].TestCases | keys[0])' "$f" 2>/dev/null > "$OUT/.names" || continue
        { cat "$OUT/.names"; cat "$f"; } | put mocks
    done
    # One jq over every case file: one line per seed, "KIND<tab>TEXT<tab>JSON".
    # Text with tabs or newlines in it is flattened to spaces (paths and
    # calls are one line; JSONata reads a newline as a space).
    # shellcheck disable=SC2086
    printf '%s\n' $cases $valid | xargs jq -r '
        def flat: gsub("[\t\n\r]"; " ");
        (.input // {} | tojson) as $in
        | (.definition // empty) as $d
        | ("D\t\($d | tojson)"),
          ([$d | .. | strings | select(startswith("$"))] | unique[:8][] | "P\t\(flat)\t\($in)"),
          ([$d | .. | strings | select(startswith("States."))] | unique[:8][] | "I\t\(flat)\t\($in)"),
          ([$d | .. | strings | select(startswith("{%") and endswith("%}"))] | unique[:8][]
            | "J\t\(.[2:-2] | flat)\t\($in)\t{}")' 2>/dev/null > "$OUT/.records"
    if [ -d "$SHARED/jsonata/cases" ]; then
        small "$SHARED/jsonata/cases" -name '*.json' | awk 'NR % 3 == 1' | xargs jq -r '
            select(.expr | type == "string")
            | "J\t\(.expr | gsub("[\t\n\r]"; " "))\t\(.data // .dataset // null | tojson)\t\(.bindings // {} | tojson)"' \
            2>/dev/null >> "$OUT/.records"
    fi
    arn='arn:aws:states:us-east-1:123456789012:stateMachine:m'
    while IFS="$tab" read -r kind a b c; do
        case $kind in
        D)  printf '%s\n' "$a" | put load_json
            printf '%s\n' "$a" | put load_yaml    # JSON is YAML's flow style
            printf '%s\n' "$a" | put check
            printf '%s\n' "$a" | put lower
            # The server: created, described, validated, updated, listed, deleted.
            def=$(printf '%s' "$a" | jq -c tojson)
            printf 'CreateStateMachine\n{"name": "m", "definition": %s, "roleArn": "arn:aws:iam::123456789012:role/r"}\036DescribeStateMachine\n{"stateMachineArn": "%s"}\036ValidateStateMachineDefinition\n{"definition": %s}\036UpdateStateMachine\n{"stateMachineArn": "%s", "definition": "{}"}\036ListStateMachines\n{}\036DeleteStateMachine\n{"stateMachineArn": "%s"}' \
                "$def" "$arn" "$def" "$arn" "$arn" | put server ;;
        P)  printf '%s\n%s\n' "$a" "$b" | put jsonpath ;;
        I)  printf '%s\n%s\n' "$a" "$b" | put intrinsic ;;
        J)  printf '%s\000%s\000%s' "$a" "$b" "$c" | put jsonata ;;
        esac
    done < "$OUT/.records"
fi
# TestState requests as the golden tests send them.
for f in $(small tests/teststate -name '*.request.json'); do
    { printf 'TestState\n'; cat "$f"; } | put server
done
printf 'ListStateMachines\n{}' | put server
printf -- '-\n{}' | put server
printf '$.a[0].b\n{"a": [{"b": 1}]}\n' | put jsonpath
printf '$..a[?(@.b > 1)]\n{"a": [{"b": 1}, {"b": 2}]}\n' | put jsonpath
printf '$$.Execution.Id\n{}\n{"Execution": {"Id": "x"}}\n' | put jsonpath
printf "States.Format('{} {}', \$.a, States.ArrayLength(\$.b))\n{\"a\": 1, \"b\": [1]}\n" | put intrinsic
{ printf '$sum(a.b) & $string(c)'; printf '\0{"a": [{"b": 1}], "c": true}\0{"x": 1}'; } | put jsonata
rm -f "$OUT/.records" "$OUT/.names"
for t in load_json load_yaml check lower jsonpath intrinsic jsonata bindings mocks server; do
    printf '%s: %s seeds\n' "$t" "$(ls "$OUT/$t" | wc -l)"
done
