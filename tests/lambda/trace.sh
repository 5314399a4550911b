#!/bin/sh
# trace.sh - tests/lambda handler: answers with the X-Ray trace header the
# Lambda runtime loop passed on in _X_AMZN_TRACE_ID ("" when unset).
cat >/dev/null
printf '{"trace":"%s"}\n' "${_X_AMZN_TRACE_ID:-}"
