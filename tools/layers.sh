#!/bin/sh
# layers.sh - the layering check of `make test` (ARCHITECTURE.md is the
# rule; this script is its enforcement).
#
#   sh tools/layers.sh [BUILD]
#
# 1. Every runtime/*.c and *.h declares its layer in its first comment,
#    ` * Layer: NAME` with NAME one of base values effects engine entry
#    (runtime/jsonata_* are values, and need not say so).
# 2. An #include "X" may name only a header the folder may use:
#      cli/      anything (the driver knows every stage)
#      server/   server/, runtime/, compiler/, codegen/, and cli/jit.h (the JIT driver)
#      graph/    graph/ and compiler/ir.h (it draws the IR, as codegen writes it)
#      compiler/ compiler/, runtime headers of the values layer (the
#                pure parsers check and run share, e.g. timestamp.h), and
#                runtime/aslrt.h for its types only (the precompiled forms
#                generated code holds, e.g. a parsed JSONata asl_jnode)
#      codegen/  codegen/, compiler/ir.h and compiler/jsonata_parse.h (the
#                trees it writes out), and runtime/aslrt.h for its types
#      runtime/  runtime/ headers of the same or a lower layer
# 3. With BUILD given and its objects present: a runtime object may call
#    only functions defined in runtime objects of the same or a lower
#    layer (aslrt.h declares functions of every layer, so the #include
#    lines alone cannot see such a call); a compiler/ object only runtime
#    functions of the values layer; a codegen/ object no runtime function.
# Prints each violation as FILE:LINE: message and exits 1 if there was one.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${1:-}

rank() {
    case $1 in
    base) echo 0 ;; values) echo 1 ;; effects) echo 2 ;; engine) echo 3 ;; entry) echo 4 ;;
    *) echo -1 ;;
    esac
}

# layer_of FILE: the declared layer of a runtime file ("" if none).
layer_of() {
    case ${1##*/} in
    jsonata_*) d=$(sed -n '1,60s/^ \* Layer: \([a-z]*\).*/\1/p' "$1" | head -n 1)
        echo "${d:-values}"; return ;;
    esac
    sed -n '1,60s/^ \* Layer: \([a-z]*\).*/\1/p' "$1" | head -n 1
}

# where NAME: the folder of the project header NAME ("" when not ours).
where() {
    for d in cli server graph compiler codegen runtime; do
        if [ -f "$d/$1" ]; then
            echo "$d"
            return
        fi
    done
}

bad=0
fail() {
    echo "$1" >&2
    bad=1
}

# ---- 1. declared layers
for f in runtime/*.c runtime/*.h; do
    [ -f "$f" ] || continue
    l=$(layer_of "$f")
    if [ -z "$l" ]; then
        fail "$f:1: no ' * Layer: NAME' line in its first comment (base, values, effects, engine or entry)"
    elif [ "$(rank "$l")" -lt 0 ]; then
        fail "$f:1: unknown layer '$l' (base, values, effects, engine or entry)"
    else
        case ${f##*/} in
        jsonata_*) [ "$l" = values ] || fail "$f:1: JSONata files belong to the values layer, not '$l'" ;;
        esac
    fi
done

# ---- 2. #include lines
for f in cli/*.[ch] server/*.[ch] graph/*.[ch] compiler/*.[ch] codegen/*.[ch] runtime/*.[ch]; do
    [ -f "$f" ] || continue
    from=${f%%/*}
    fl=""
    [ "$from" = runtime ] && fl=$(layer_of "$f")
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
        sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1 \2/' > "${TMPDIR:-/tmp}/layers.$$"
    while read -r line name; do
        to=$(where "$name")
        [ -n "$to" ] || continue # generated or system headers
        at="$f:$line: #include \"$name\""
        case $from in
        cli) ;;
        # serve compiles each state machine with the same libtcc driver as
        # `aslc run` (cli/jit.h); nothing else of cli/ is open to it.
        server) [ "$to" = cli ] && [ "$name" != jit.h ] && fail "$at: server/ may not include cli/ (only its JIT driver, jit.h)" ;;
        graph)
            [ "$to" = graph ] || { [ "$to" = compiler ] && [ "$name" = ir.h ]; } ||
                fail "$at: graph/ knows only the IR (compiler/ir.h)" ;;
        compiler)
            if [ "$to" = runtime ]; then
                [ "$(layer_of "runtime/$name")" = values ] || [ "$name" = aslrt.h ] ||
                    fail "$at: compiler/ may include only values-layer runtime headers (runtime/$name is $(layer_of "runtime/$name"))"
            elif [ "$to" != compiler ]; then
                fail "$at: compiler/ is the front end: it may not include $to/"
            fi ;;
        codegen)
            if [ "$to" = compiler ]; then
                [ "$name" = ir.h ] || [ "$name" = jsonata_parse.h ] ||
                    fail "$at: codegen/ knows only the IR (compiler/ir.h, compiler/jsonata_parse.h)"
            elif [ "$to" = runtime ] && [ "$name" = aslrt.h ]; then
                :
            elif [ "$to" != codegen ]; then
                fail "$at: codegen/ may not include $to/"
            fi ;;
        runtime)
            if [ "$to" != runtime ]; then
                fail "$at: the runtime may not include $to/"
            else
                tl=$(layer_of "runtime/$name")
                if [ "$(rank "$tl")" -gt "$(rank "$fl")" ]; then
                    fail "$at: $name is in the $tl layer, above this $fl file (layers: base < values < effects < engine < entry)"
                fi
            fi ;;
        esac
    done < "${TMPDIR:-/tmp}/layers.$$"
done
rm -f "${TMPDIR:-/tmp}/layers.$$"

# ---- 3. calls, from the objects
if [ -n "$BUILD" ] && [ -d "$BUILD/runtime" ] && command -v nm > /dev/null; then
    defs=${TMPDIR:-/tmp}/layers-defs.$$
    : > "$defs"
    for f in runtime/*.c; do
        o=$BUILD/${f%.c}.o
        [ -f "$o" ] || continue
        l=$(layer_of "$f")
        nm -g --defined-only "$o" | awk -v f="$f" -v l="$l" 'NF == 3 && $2 ~ /[TDBR]/ {print $3, f, l}' >> "$defs"
    done
    for f in runtime/*.c compiler/*.c codegen/*.c; do
        o=$BUILD/${f%.c}.o
        [ -f "$o" ] || continue
        from=${f%%/*}
        fl=$(rank "$(layer_of "$f")")
        nm -u "$o" | awk '{print $NF}' | awk -v f="$f" -v from="$from" -v fl="$fl" '
            NR == FNR { file[$1] = $2; layer[$1] = $3; next }
            ($1 in file) && file[$1] != f {
                l = layer[$1]
                r = l == "base" ? 0 : l == "values" ? 1 : l == "effects" ? 2 : l == "engine" ? 3 : 4
                if (from == "runtime" && r > fl)
                    printf "%s: calls %s of %s (%s layer), above its own\n", f, $1, file[$1], l
                else if (from == "compiler" && l != "values")
                    printf "%s: the front end calls %s of %s (%s layer); only values-layer functions are shared\n", f, $1, file[$1], l
                else if (from == "codegen")
                    printf "%s: codegen calls the runtime (%s of %s)\n", f, $1, file[$1]
            }' "$defs" - > "$defs.out"
        if [ -s "$defs.out" ]; then
            cat "$defs.out" >&2
            bad=1
        fi
    done
    rm -f "$defs" "$defs.out"
fi

if [ "$bad" -ne 0 ]; then
    echo "layers: FAILED (the rules and why: ARCHITECTURE.md)" >&2
    exit 1
fi
echo "layers: ok (includes of cli, compiler, codegen, runtime${BUILD:+; calls between $BUILD objects})"
