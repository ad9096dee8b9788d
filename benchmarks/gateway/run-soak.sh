#!/usr/bin/env bash
# The gateway's memory under steady load (issue #6: RSS flat over a 10-minute soak). Four emulated
# engines behind strata serve, strata bench streaming short requests (32 prompt / 64 output tokens,
# ~1 s each) as Poisson arrivals at RATE for DURATION seconds,
# and the gateway's VmRSS read from /proc every SAMPLE seconds. Prints the samples and start/peak/end.
#
#   benchmarks/gateway/run-soak.sh                   # Release build, 600 s at 200 req/s
#   DURATION=60 benchmarks/gateway/run-soak.sh       # a quick look
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-600}
RATE=${RATE:-200}
SAMPLE=${SAMPLE:-10}
TIME_SCALE=${TIME_SCALE:-4}
BASE_PORT=${BASE_PORT:-18800}     # engines on BASE_PORT..+3, the gateway on +10
OUT=${OUT:-$(mktemp -d /tmp/strata-soak.XXXXXX)}
GATEWAY=127.0.0.1:$((BASE_PORT + 10))
MODEL=qwen3-30b-a3b

# shellcheck source=lib.sh
source benchmarks/gateway/lib.sh

"$STRATA" emulate --cluster gimbal-a100 --engines 4 --port "$BASE_PORT" --time-scale "$TIME_SCALE" >"$OUT/emulate.log" 2>&1 &
pids+=($!)
backends=$(for i in 0 1 2 3; do printf 'http://127.0.0.1:%d, ' $((BASE_PORT + i)); done)
cat >"$OUT/gateway.yaml" <<YAML
listen: http://$GATEWAY
models:
  - name: $MODEL
    backends: [${backends%, }]
    max_in_flight: 64
    queue: {name: sjf-aging, max_length: 1000, ttl_s: 60}
    dispatch: {name: gimbal}
YAML
"$STRATA" serve --config "$OUT/gateway.yaml" >"$OUT/serve.log" 2>&1 &
gateway_pid=$!
pids+=("$gateway_pid")
for i in 0 1 2 3; do wait_for "http://127.0.0.1:$((BASE_PORT + i))/health"; done
wait_for "http://$GATEWAY/health"

awk -v n=$((RATE * DURATION)) 'BEGIN { for (i = 0; i < n; i++) print "{\"arrival_s\": 0, \"prompt_tokens\": 32, \"output_tokens\": 64}" }' >"$OUT/trace.jsonl"
"$STRATA" bench --url "http://$GATEWAY" --model "$MODEL" --workload "$OUT/trace.jsonl" \
    --rate "$RATE" --requests $((RATE * DURATION)) --max-concurrency 400 --save-result "$OUT/bench.json" >"$OUT/bench.log" 2>&1 &
bench_pid=$!
pids+=("$bench_pid")
start=$(date +%s)
echo "elapsed_s rss_mib" | tee "$OUT/rss.txt"
while kill -0 "$bench_pid" 2>/dev/null; do
    rss_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$gateway_pid/status")
    echo "$(( $(date +%s) - start )) $(( rss_kb / 1024 ))" | tee -a "$OUT/rss.txt"
    sleep "$SAMPLE"
done
wait "$bench_pid" || true
echo "machine: $(nproc) cores; 32/64-token streams at $RATE req/s for ${DURATION} s through the gateway over 4 engines (time scale $TIME_SCALE); results in $OUT"
jq -r '"bench: \(.completed) completed, \(.failed) failed, TTFT p50 \(.median_ttft_ms | floor) ms, p99 \(.p99_ttft_ms | floor) ms"' "$OUT/bench.json"
curl -s "http://$GATEWAY/metrics" | grep -E '^strata_gateway_requests_(accepted|finished)_total' || true
awk 'NR > 1 { if (NR == 2) first = $2; if ($2 > peak) peak = $2; last = $2 }
     END { printf "gateway RSS: start %d MiB, peak %d MiB, end %d MiB\n", first, peak, last }' "$OUT/rss.txt"
