#!/usr/bin/env bash
# What strata serve adds to TTFT, next to nginx (issue #6): one emulated engine, then the same
# streaming bench run straight at it, through nginx, and through the gateway, in interleaved
# rounds of one run. Prints each target's TTFT p50/p99 and the added latency of both proxies.
#
# Arrivals are Poisson at RATE with --max-concurrency as a cap, sized so ~200 streams are open.
# Not a saturated closed loop: there a new request is sent the instant an old one ends, which is
# at the end of an engine step, so any proxy delay shorter than a step is hidden by the wait for
# the next step (added TTFT reads ~0 for both proxies). Poisson arrivals land at any phase of the
# step, so a proxy's delay shows in TTFT in full.
#
#   benchmarks/gateway/run-overhead.sh            # Release build, 3 rounds
#   ROUNDS=5 REQUESTS=6000 benchmarks/gateway/run-overhead.sh
#
# Needs nginx (Debian: apt-get install nginx), curl, jq. Output files stay in $OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-6000}          # per run
CONCURRENCY=${CONCURRENCY:-200}
RATE=${RATE:-240}                   # req/s; x ~0.83 s per request (64 tokens at ~13 ms) = ~200 open streams
PROMPT_TOKENS=${PROMPT_TOKENS:-32}  # short prompts: no long prefills to queue behind
OUTPUT_TOKENS=${OUTPUT_TOKENS:-64}
TIME_SCALE=${TIME_SCALE:-4}         # engine steps of ~15 ms wall: small TTFT noise, ~13k SSE chunks/s the 2 cores can carry
BASE_PORT=${BASE_PORT:-18700}       # engine, nginx, gateway on BASE_PORT, +1, +2
OUT=${OUT:-$(mktemp -d /tmp/strata-overhead.XXXXXX)}
ENGINE=127.0.0.1:$BASE_PORT
NGINX=127.0.0.1:$((BASE_PORT + 1))
GATEWAY=127.0.0.1:$((BASE_PORT + 2))
MODEL=qwen3-30b-a3b

[ -n "${SKIP_BUILD:-}" ] || dotnet build -c Release src/Strata.Cli -v quiet -nologo >/dev/null
STRATA=src/Strata.Cli/bin/Release/net10.0/strata
mkdir -p "$OUT/nginx/tmp"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT

wait_for() { for _ in $(seq 200); do curl -sf "$1" >/dev/null && return; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

"$STRATA" emulate --cluster gimbal-a100 --engines 1 --port "$BASE_PORT" --time-scale "$TIME_SCALE" >"$OUT/emulate.log" 2>&1 &
pids+=($!)
sed -e "s/@ENGINE@/$ENGINE/" -e "s/@PORT@/${NGINX#*:}/" benchmarks/gateway/nginx.conf >"$OUT/nginx/nginx.conf"
nginx -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" -g 'daemon off;' 2>"$OUT/nginx.log" &
pids+=($!)
cat >"$OUT/gateway.yaml" <<YAML
listen: http://$GATEWAY
models:
  - name: $MODEL
    backends: [http://$ENGINE]
    max_in_flight: 1024           # above the bench's concurrency: admission never queues
    dispatch: {name: vllm-dp}
YAML
"$STRATA" serve --config "$OUT/gateway.yaml" >"$OUT/serve.log" 2>&1 &
pids+=($!)
wait_for "http://$ENGINE/health"; wait_for "http://$NGINX/health"; wait_for "http://$GATEWAY/health"

# Fixed short requests as a Strata trace; --rate inf sends them as fast as the concurrency cap allows.
awk -v n="$REQUESTS" -v p="$PROMPT_TOKENS" -v o="$OUTPUT_TOKENS" \
    'BEGIN { for (i = 0; i < n; i++) printf "{\"arrival_s\": 0, \"prompt_tokens\": %d, \"output_tokens\": %d}\n", p, o }' >"$OUT/trace.jsonl"

bench() { # target url, result file, requests, seed (one per round, the same for every target)
    "$STRATA" bench --url "$1" --model "$MODEL" --workload "$OUT/trace.jsonl" --requests "$3" --rate "$RATE" --max-concurrency "$CONCURRENCY" \
        --seed "$4" --save-result "$2" >>"$OUT/bench.log" 2>&1
}
targets=(direct nginx gateway)
declare -A url=([direct]=http://$ENGINE [nginx]=http://$NGINX [gateway]=http://$GATEWAY)
for t in "${targets[@]}"; do bench "${url[$t]}" "$OUT/warmup-$t.json" 1000 0; done   # JIT, connection pools, nginx keepalive
for r in $(seq "$ROUNDS"); do
    for t in "${targets[@]}"; do bench "${url[$t]}" "$OUT/$t-$r.json" "$REQUESTS" "$r"; done
done

echo "machine: $(nproc) cores; $REQUESTS requests x $ROUNDS rounds per target, $PROMPT_TOKENS prompt / $OUTPUT_TOKENS output tokens, streaming, --rate $RATE --max-concurrency $CONCURRENCY, time scale $TIME_SCALE; results in $OUT"
# Per target: the median over rounds of each run's TTFT p50 and of its p99 (ms); added = target - direct.
summary() { # target -> "p50 p99 failed"
    jq -s '[map(.median_ttft_ms), map(.p99_ttft_ms), map(.failed) ] | map(sort) | [ (.[0] | .[length/2|floor]), (.[1] | .[length/2|floor]), (.[2] | add) ] | @tsv' -r \
        $(for r in $(seq "$ROUNDS"); do echo "$OUT/$1-$r.json"; done)
}
read -r d50 d99 dfail <<<"$(summary direct)"
read -r n50 n99 nfail <<<"$(summary nginx)"
read -r g50 g99 gfail <<<"$(summary gateway)"
awk -v d50="$d50" -v d99="$d99" -v n50="$n50" -v n99="$n99" -v g50="$g50" -v g99="$g99" -v df="$dfail" -v nf="$nfail" -v gf="$gfail" 'BEGIN {
    printf "%-8s %12s %12s %14s %14s %7s\n", "target", "TTFT p50 ms", "TTFT p99 ms", "added p50 ms", "added p99 ms", "failed"
    printf "%-8s %12.2f %12.2f %14s %14s %7d\n", "direct", d50, d99, "", "", df
    printf "%-8s %12.2f %12.2f %14.2f %14.2f %7d\n", "nginx", n50, n99, n50 - d50, n99 - d99, nf
    printf "%-8s %12.2f %12.2f %14.2f %14.2f %7d\n", "gateway", g50, g99, g50 - d50, g99 - d99, gf
    if (n50 - d50 != 0) printf "gateway/nginx added p50: %.2f\n", (g50 - d50) / (n50 - d50)
    if (n99 - d99 != 0) printf "gateway/nginx added p99: %.2f\n", (g99 - d99) / (n99 - d99)
}'
