#!/usr/bin/env bash
# The fit behind gimbal-a100-fitted's expert-parallel cost, the Gimbal paper's vLLM baseline (docs/calibration.md
# "gimbal-a100-fitted"), from the mechanism preset gimbal-a100 with both knobs overridden: for each (all-to-all latency µs, expert compute efficiency) pair, the
# vLLM baseline's mean TTFT / TPOT / throughput over the five shapes at 1.0 and 1.4 req/s, seed 0.
# Usage: examples/calibration/ep-cost-fit.sh "10 0.12" "200 0.12" ...   (run from the repository root)
set -euo pipefail
strata=${STRATA:-"dotnet run -c Release --project src/Strata.Cli --"}
work=$(mktemp -d)
for pair in "$@"; do
  read -r latency efficiency <<<"$pair"
  printf 'base: gimbal-a100\nep_cost: {all_to_all_latency_us: %s, expert_compute_efficiency: %s}\n' "$latency" "$efficiency" >"$work/c.yaml"
  line="$latency µs, $efficiency:"
  for rate in 1.0 1.4; do
    for shape in random central descending two-end average; do
      $strata simulate --cluster "$work/c.yaml" --workload $shape --rate $rate --summary-json "$work/$shape.json" >/dev/null
    done
    line+=$(python3 - "$work" <<'PY'
import json, sys
runs = [json.load(open(f"{sys.argv[1]}/{s}.json")) for s in ["random", "central", "descending", "two-end", "average"]]
mean = lambda k: sum(r[k] for r in runs) / len(runs)
print(f" | TTFT {mean('mean_ttft_ms'):.0f} ms, TPOT {mean('mean_tpot_ms'):.0f} ms, {mean('request_throughput'):.2f} req/s, "
      f"max KV {max(r['max_kv_usage'] for r in runs):.2f}, {sum(r['num_preemptions'] for r in runs)} preemptions", end="")
PY
)
  done
  echo "$line"
done
