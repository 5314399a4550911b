# runs.sh - the runs drawn by `aslc graph --history` in the tests (sourced by
# check.sh and update.sh). each_run CMD calls `CMD NAME DEFINITION RUN-ARGS...`
# for every run; the goldens are tests/graph/NAME.run.dot.expected and
# NAME.run.mmd.expected. --wait skip keeps them fast; nothing in a drawing
# depends on times or the execution name.
each_run() {
    "$1" expense-approval samples/expense-approval.asl.json \
        --input-file samples/expense-approval.input.json
    "$1" expense-rejected samples/expense-approval.asl.json \
        --input-file samples/expense-approval.rejected.input.json
    # Parallel, Map, Retry, Catch and a Fail state
    "$1" fanout tests/graph/fanout.asl.json --input '{"items":[1,2,3]}' \
        --mock-config tests/graph/fanout.mock.json --test-case t
    # hostile names and a hostile error, retried and caught
    "$1" hostile tests/graph/hostile.asl.json --input '{"x":"y"}' \
        --mock-config tests/graph/hostile.mock.json --test-case t
}
