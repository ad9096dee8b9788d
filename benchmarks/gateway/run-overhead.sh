#!/usr/bin/env bash
# What strata serve adds to TTFT, next to nginx (issue #6): one emulated engine, then the same
# streaming bench run straight at it, through nginx, and through the gateway, in interleaved
# rounds of one run. Prints each target's TTFT p50/p99, the added latency of both proxies, and the
# CPU each proxy and the engine used per request (utime+stime from /proc/<pid>/stat around each
# run: unlike latency, it hardly moves with other work on the machine).
#
# Arrivals are Poisson at RATE with --max-concurrency as a cap, sized so ~200 streams are open.
# Not a saturated closed loop: there a new request is sent the instant an old one ends, which is
# at the end of an engine step, so any proxy delay shorter than a step is hidden by the wait for
# the next step (added TTFT reads ~0 for both proxies). Poisson arrivals land at any phase of the
# step, so a proxy's delay shows in TTFT in full.
#
#   benchmarks/gateway/run-overhead.sh            # Release build, 3 rounds
#   ROUNDS=5 REQUESTS=6000 benchmarks/gateway/run-overhead.sh
#   BASELINE=/tmp/old/src/Strata.Cli/bin/Release/net10.0/strata benchmarks/gateway/run-overhead.sh
#                                                 # also an older build's gateway, as target "baseline"
#   GATEWAY_ENV= benchmarks/gateway/run-overhead.sh   # the gateway without tiered compilation
#   DP=4 EP=1 benchmarks/gateway/run-overhead.sh  # one engine server fronting 4 DP ranks in one EP group; the
#                                                 # gateway steers each request to a rank (X-data-parallel-rank),
#                                                 # direct and nginx leave it to the server's own balancer
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
BASE_PORT=${BASE_PORT:-18700}       # engine, nginx, gateway, baseline on BASE_PORT, +1, +2, +3
BASELINE=${BASELINE:-}              # another build's strata executable, run as a second gateway
DP=${DP:-1}                         # DP ranks behind the one engine server; above 1 the gateway steers ranks
EP=${EP:-}                          # set: the ranks step as one expert-parallel group
# Environment of each gateway process: tiered compilation is the runtime's default for strata since 2026-12-05;
# it is passed here too so an older BASELINE build (whose CLI turned it off) runs the same way.
GATEWAY_ENV=${GATEWAY_ENV-DOTNET_TieredCompilation=1}
BASELINE_ENV=${BASELINE_ENV-}
OUT=${OUT:-$(mktemp -d /tmp/strata-overhead.XXXXXX)}
ENGINE=127.0.0.1:$BASE_PORT
NGINX=127.0.0.1:$((BASE_PORT + 1))
GATEWAY=127.0.0.1:$((BASE_PORT + 2))
BASELINE_GATEWAY=127.0.0.1:$((BASE_PORT + 3))
MODEL=qwen3-30b-a3b

# shellcheck source=lib.sh
source benchmarks/gateway/lib.sh
mkdir -p "$OUT/nginx/tmp"


"$STRATA" emulate --cluster gimbal-a100 --engines 1 --port "$BASE_PORT" --time-scale "$TIME_SCALE" \
    --data-parallel-size "$DP" ${EP:+--enable-expert-parallel} >"$OUT/emulate.log" 2>&1 &
pids+=($!)
declare -A procs=([engine]=$!)   # target -> the pids whose CPU it is charged with
sed -e "s/@ENGINE@/$ENGINE/" -e "s/@PORT@/${NGINX#*:}/" benchmarks/gateway/nginx.conf >"$OUT/nginx/nginx.conf"
nginx -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" -g 'daemon off;' 2>"$OUT/nginx.log" &
pids+=($!)
procs[nginx]=$!
serve() { # target name, strata executable, listen address, environment (VAR=value ...)
    cat >"$OUT/$1.yaml" <<YAML
listen: http://$3
models:
  - name: $MODEL
    backends: [{url: http://$ENGINE, data_parallel_size: $DP}]
    max_in_flight: 1024           # above the bench's concurrency: admission never queues
    dispatch: {name: vllm-dp}
YAML
    env $4 "$2" serve --config "$OUT/$1.yaml" >"$OUT/$1.log" 2>&1 &
    pids+=($!)
    procs[$1]=$!
}
targets=(direct nginx gateway)
declare -A url=([direct]=http://$ENGINE [nginx]=http://$NGINX [gateway]=http://$GATEWAY)
serve gateway "$STRATA" "$GATEWAY" "$GATEWAY_ENV"
if [ -n "$BASELINE" ]; then
    serve baseline "$BASELINE" "$BASELINE_GATEWAY" "$BASELINE_ENV"
    targets+=(baseline)
    url[baseline]=http://$BASELINE_GATEWAY
fi
for t in "${targets[@]}"; do wait_for "${url[$t]}/health"; done
procs[nginx]+=" $(cat /proc/"${procs[nginx]}"/task/*/children)"   # nginx's workers do the proxying

# Fixed short requests as a Strata trace; --rate inf sends them as fast as the concurrency cap allows.
awk -v n="$REQUESTS" -v p="$PROMPT_TOKENS" -v o="$OUTPUT_TOKENS" \
    'BEGIN { for (i = 0; i < n; i++) printf "{\"arrival_s\": 0, \"prompt_tokens\": %d, \"output_tokens\": %d}\n", p, o }' >"$OUT/trace.jsonl"

# CPU ticks (utime + stime, /proc/<pid>/stat fields 14 and 15) used so far by the given pids.
ticks() { for p in "$@"; do sed 's/^.*) //' "/proc/$p/stat"; done | awk '{ t += $12 + $13 } END { print t + 0 }'; }
bench() { # target, result file, requests, seed (one per round, the same for every target)
    local proxy=() engine proxy0 engine0
    [ "$1" = direct ] || read -ra proxy <<<"${procs[$1]}"
    proxy0=$(ticks "${proxy[@]}"); engine0=$(ticks "${procs[engine]}")
    "$STRATA" bench --url "${url[$1]}" --model "$MODEL" --workload "$OUT/trace.jsonl" --requests "$3" --rate "$RATE" --max-concurrency "$CONCURRENCY" \
        --seed "$4" --save-result "$2" >>"$OUT/bench.log" 2>&1
    echo "$(($(ticks "${proxy[@]}") - proxy0)) $(($(ticks "${procs[engine]}") - engine0))" >"${2%.json}.cpu"
}
for t in "${targets[@]}"; do bench "$t" "$OUT/warmup-$t.json" 1000 0; done   # JIT, connection pools, nginx keepalive
for r in $(seq "$ROUNDS"); do
    for t in "${targets[@]}"; do bench "$t" "$OUT/$t-$r.json" "$REQUESTS" "$r"; done
done

echo "engine server: $DP DP rank(s)${EP:+, one EP group}; gateway env: ${GATEWAY_ENV:-none}${BASELINE:+; baseline $BASELINE, env: ${BASELINE_ENV:-none}}"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $REQUESTS requests x $ROUNDS rounds per target, $PROMPT_TOKENS prompt / $OUTPUT_TOKENS output tokens, streaming, --rate $RATE --max-concurrency $CONCURRENCY, time scale $TIME_SCALE; results in $OUT"
# Per target, the median over rounds of: each run's TTFT p50 and p99 (ms), and the proxy's and the
# engine's CPU ms per completed request; failures are summed. Added = target - direct.
summary() { # target -> "p50 p99 failed proxy-cpu engine-cpu"
    for r in $(seq "$ROUNDS"); do
        read -r proxy engine <"$OUT/$1-$r.cpu"
        jq -r --argjson proxy "$proxy" --argjson engine "$engine" --argjson hz "$(getconf CLK_TCK)" \
            '[.median_ttft_ms, .p99_ttft_ms, .failed, $proxy * 1000 / $hz / .completed, $engine * 1000 / $hz / .completed] | @tsv' "$OUT/$1-$r.json"
    done | awk '{ for (i = 1; i <= NF; i++) v[i, NR] = $i } END {
        for (i = 1; i <= NF; i++) {
            n = 0; for (r = 1; r <= NR; r++) s[++n] = v[i, r]
            for (a = 2; a <= n; a++) for (b = a; b > 1 && s[b - 1] > s[b]; b--) { x = s[b]; s[b] = s[b - 1]; s[b - 1] = x }
            if (i == 3) { m = 0; for (r = 1; r <= n; r++) m += s[r] } else m = s[int(n / 2) + 1]
            printf "%s%s", m, i < NF ? " " : "\n"
        } }'
}
printf "%-8s %12s %12s %14s %14s %7s %16s %17s\n" target "TTFT p50 ms" "TTFT p99 ms" "added p50 ms" "added p99 ms" failed "proxy CPU ms/req" "engine CPU ms/req"
read -r d50 d99 _ <<<"$(summary direct)"
for t in "${targets[@]}"; do
    summary "$t" | awk -v t="$t" -v d50="$d50" -v d99="$d99" '{
        if (t == "direct") printf "%-8s %12.2f %12.2f %14s %14s %7d %16s %17.3f\n", t, $1, $2, "", "", $3, "", $5
        else printf "%-8s %12.2f %12.2f %14.2f %14.2f %7d %16.3f %17.3f\n", t, $1, $2, $1 - d50, $2 - d99, $3, $4, $5 }'
done
