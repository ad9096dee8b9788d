#!/usr/bin/env bash
# The gateway's memory under large request bodies (issue #15, defect 3): one emulated engine behind
# strata serve, then one BODY_MB body, then CONCURRENCY of them at once, and the gateway's VmRSS read
# from /proc every 50 ms, then the CONCURRENCY again 10 s later. Prints the baseline, each phase's
# peak and the RSS between.
# The engine refuses prompts that long (400, over its context): the bodies still cross the
# gateway whole, which is what is measured.
#
#   benchmarks/gateway/run-large-bodies.sh                    # Release build, 31 MB bodies, 8 at once
#   STRATA=/path/to/strata SKIP_BUILD=1 benchmarks/gateway/run-large-bodies.sh   # another build
set -euo pipefail
cd "$(dirname "$0")/../.."

BODY_MB=${BODY_MB:-31}
CONCURRENCY=${CONCURRENCY:-8}
BASE_PORT=${BASE_PORT:-18900}     # the engine on BASE_PORT, the gateway on +10
OUT=${OUT:-$(mktemp -d /tmp/strata-bodies.XXXXXX)}
GATEWAY=127.0.0.1:$((BASE_PORT + 10))
MODEL=qwen3-30b-a3b

# shellcheck source=lib.sh
source benchmarks/gateway/lib.sh

"$STRATA" emulate --cluster gimbal-a100 --engines 1 --port "$BASE_PORT" --time-scale 20 >"$OUT/emulate.log" 2>&1 &
pids+=($!)
cat >"$OUT/gateway.yaml" <<YAML
listen: http://$GATEWAY
models:
  - name: $MODEL
    backends: [http://127.0.0.1:$BASE_PORT]
YAML
"$STRATA" serve --config "$OUT/gateway.yaml" >"$OUT/serve.log" 2>&1 &
gateway_pid=$!
pids+=("$gateway_pid")
wait_for "http://127.0.0.1:$BASE_PORT/health"
wait_for "http://$GATEWAY/health"

python3 - "$OUT/body.json" "$BODY_MB" "$MODEL" <<'PY'
import sys
path, mb, model = sys.argv[1], int(sys.argv[2]), sys.argv[3]
head = '{"model":"%s","max_tokens":1,"messages":[{"role":"user","content":"' % model
tail = '"}]}'
with open(path, "w") as f:
    f.write(head + "x" * (mb * 1000 * 1000 - len(head) - len(tail)) + tail)
PY
rss() { awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$gateway_pid/status"; }
peak_during() {  # runs "$@" while sampling RSS; prints the peak MiB
    "$@" & local job=$! peak=0 now
    while kill -0 "$job" 2>/dev/null; do now=$(rss); [ "$now" -gt "$peak" ] && peak=$now; sleep 0.05; done
    wait "$job"; echo "$peak"
}
post() { curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' --data-binary @"$OUT/body.json" "http://$GATEWAY/v1/chat/completions" >>"$OUT/status.txt"; }
posts() { for _ in $(seq "$CONCURRENCY"); do post & done; wait; }

sleep 2
base=$(rss)
one=$(peak_during post)
sleep 5
many=$(peak_during posts)
sleep 10
after=$(rss)
again=$(peak_during posts)
echo "machine: $(nproc) cores; ${BODY_MB} MB bodies; results in $OUT"
echo "gateway RSS MiB: baseline $base, peak with one body $one, peak with $CONCURRENCY at once $many, 10 s later $after, peak with $CONCURRENCY at once again $again"
echo "answers: $(sort "$OUT/status.txt" | uniq -c | tr '\n' ' ')"
