#!/usr/bin/env bash
# The gateway's reliability runs (issue #15), longer than the unit tests and bounded in count and
# time: emulated engines with injected faults behind strata serve, strata bench driving REQUESTS
# requests per scenario, then a corpus of bad inputs. Each scenario must leave
# accepted == completed + failed + cancelled and give no 5xx for a client's mistake; the script
# prints one line per scenario and exits 1 if any check fails.
#
#   benchmarks/gateway/run-reliability.sh                 # Release build, 200 requests per scenario
#   REQUESTS=50 SKIP_BUILD=1 benchmarks/gateway/run-reliability.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

REQUESTS=${REQUESTS:-200}
LIMIT_S=${LIMIT_S:-120}           # wall-clock bound of each scenario's load
BASE_PORT=${BASE_PORT:-19000}     # engines on BASE_PORT.., the gateway on +10
OUT=${OUT:-$(mktemp -d /tmp/strata-reliability.XXXXXX)}
GATEWAY=127.0.0.1:$((BASE_PORT + 10))
MODEL=qwen3-30b-a3b

# shellcheck source=lib.sh
source benchmarks/gateway/lib.sh
failed=0
metric() { curl -s "http://$GATEWAY/metrics" | awk -v name="$1" -v filter="${2:-}" '$1 ~ "^"name"[{ ]" && index($1, filter) { sum += $NF } END { print sum + 0 }'; }
stop_all() { kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; pids=(); }

# start ENGINES EMULATE_ARGS GATEWAY_TOP_YAML: engines on BASE_PORT.., a gateway over them.
start() {
    local engines=$1 args=$2 top=$3
    "$STRATA" emulate --cluster gimbal-a100 --engines "$engines" --port "$BASE_PORT" --time-scale 20 $args >"$OUT/emulate.log" 2>&1 &
    pids+=($!)
    local backends
    backends=$(for i in $(seq 0 $((engines - 1))); do printf 'http://127.0.0.1:%d, ' $((BASE_PORT + i)); done)
    printf 'listen: http://%s\n%shealth: {interval_ms: 200, failures: 2, reactivation_s: 2}\nmodels:\n  - name: %s\n    backends: [%s]\n' \
        "$GATEWAY" "$top" "$MODEL" "${backends%, }" >"$OUT/gateway.yaml"
    "$STRATA" serve --config "$OUT/gateway.yaml" >"$OUT/serve.log" 2>&1 &
    pids+=($!)
    wait_for "http://$GATEWAY/health" any
}

# load NAME MAX_ERROR_PERCENT RATE: REQUESTS requests through the gateway at RATE per second, then the checks.
load() {
    local name=$1 max_errors=$2 rate=$3
    timeout "$LIMIT_S" "$STRATA" bench --url "http://$GATEWAY" --model "$MODEL" --workload random --rate "$rate" --max-concurrency 16 \
        --requests "$REQUESTS" --save-result "$OUT/$name.json" >"$OUT/$name.log" 2>&1 || true
    sleep 1
    local accepted finished completed errors
    accepted=$(metric strata_gateway_requests_accepted_total)
    finished=$(metric strata_gateway_requests_finished_total)
    completed=$(metric strata_gateway_requests_finished_total 'outcome="completed"')
    errors=$(( REQUESTS - ${completed%.*} ))
    local verdict=ok
    [ "${accepted%.*}" = "${finished%.*}" ] || verdict="FAIL (accepted $accepted != finished $finished)"
    [ $(( errors * 100 )) -le $(( max_errors * REQUESTS )) ] || verdict="FAIL (errors over ${max_errors}%)"
    [ "$verdict" = ok ] || failed=1
    echo "$name: $REQUESTS sent, accepted $accepted, finished $finished, completed $completed — $verdict"
    stop_all
}

start 2 "--error-rate 0.3" ""
load "error-rate-30%" 20 50
start 3 "--crash-after 40" ""
load "crash-after-40" 50 50
start 2 "--stall-after-tokens 8" $'upstream_idle_timeout_s: 1\n'
load "stall-after-8-tokens" 100 50   # every engine stalls: each stream must end as an explicit failure
start 2 "--slow-start 3" ""
load "slow-start-3s" 70 $(( REQUESTS / 6 ))   # over ~6 s: the first half meets engines still loading

# The bad-input corpus: each is the client's mistake, so a 4xx, never a 5xx, and each is counted.
start 1 "" $'api_keys: {sk-a: team-a}\n'
chat='{"model":"'$MODEL'","messages":[{"role":"user","content":"hi"}]}'
bad=0 total=0
send() { total=$((total + 1)); local code; code=$(curl -s -o /dev/null -w '%{http_code}' "$@" "http://$GATEWAY/v1/chat/completions"); [[ $code == 4* ]] || { bad=$((bad + 1)); echo "  not a 4xx ($code): $*"; }; }
key=(-H 'Authorization: Bearer sk-a' -H 'Content-Type: application/json')
send "${key[@]}" -H $'X-A: \xc3\xbc' --data "$chat"
send "${key[@]}" --data '{"model":"'$MODEL'","messages":[{"role":"user","content":"\ud800"}]}'
send "${key[@]}" --data-binary $'{"model":"'$MODEL$'","messages":[{"role":"user","content":"\xff"}]}'
send "${key[@]}" --data '{"model":"'$MODEL'","max_tokens":1,"max_tokens":99999999,"messages":[{"role":"user","content":"hi"}]}'
send "${key[@]}" --data '{"model":"'$MODEL'","max_tokens":99999999,"messages":[{"role":"user","content":"hi"}]}'
send "${key[@]}" -H 'x-priority: -2147483648' --data "$chat"
send "${key[@]}" --data "$(printf '%.0s[' $(seq 200))"
send "${key[@]}" --data '{"model":"'$MODEL'","messages":'
send "${key[@]}" --data '{"model":7,"messages":[]}'
send -H 'Content-Type: application/json' --data "$chat"
sleep 1
rejected=$(metric strata_gateway_requests_rejected_total)
verdict=ok
[ "$bad" = 0 ] && [ "${rejected%.*}" = "$total" ] || { verdict="FAIL ($bad not 4xx, $rejected of $total counted)"; failed=1; }
echo "bad-input corpus: $total requests, $rejected rejected and counted — $verdict"
stop_all
echo "results in $OUT"
exit "$failed"
