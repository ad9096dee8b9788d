#!/usr/bin/env bash
# How the follow-up headline depends on gimbal-h100-fitted's expert kernel efficiency (docs/results.md), from the
# mechanism preset gimbal-h100 with the fitted 200 µs all-to-all:
# for each efficiency, the vLLM baseline and Strata's stack on the five shapes at 2 / 3 / 4 req/s,
# seed 0, and Strata's mean change per rate and over the rates.
# Usage: examples/calibration/h100-efficiency-sensitivity.sh 0.12 0.05 0.038   (run from the repository root)
set -euo pipefail
strata=${STRATA:-"dotnet run -c Release --project src/Strata.Cli --"}
work=$(mktemp -d)
for efficiency in "$@"; do
  printf 'base: gimbal-h100\nep_cost: {all_to_all_latency_us: 200, expert_compute_efficiency: %s}\n' "$efficiency" >"$work/c.yaml"
  for rate in 2 3 4; do
    for shape in random central descending two-end average; do
      $strata simulate --cluster "$work/c.yaml" --workload $shape --rate $rate --summary-json "$work/vllm-$shape-$rate.json" >/dev/null
      $strata simulate --cluster "$work/c.yaml" --workload $shape --rate $rate --queue sjf-continuous --dispatch prefix-pressure \
        --experts class-balanced --summary-json "$work/strata-$shape-$rate.json" >/dev/null
    done
  done
  python3 - "$work" "$efficiency" <<'PY'
import json, sys
work, efficiency = sys.argv[1], sys.argv[2]
shapes = ["random", "central", "descending", "two-end", "average"]
load = lambda stack, shape, rate: json.load(open(f"{work}/{stack}-{shape}-{rate}.json"))
means = []
for rate in [2, 3, 4]:
    pairs = [(load("vllm", s, rate), load("strata", s, rate)) for s in shapes]
    change = lambda key: sum(x[key] / b[key] - 1 for b, x in pairs) / len(pairs) * 100
    ttft, tpot = change("mean_ttft_ms"), change("mean_tpot_ms")
    means.append((ttft, tpot))
    baseline = sum(b["mean_ttft_ms"] for b, _ in pairs) / len(pairs)
    print(f"efficiency {efficiency}, {rate} req/s: baseline mean TTFT {baseline:.0f} ms; strata TTFT {ttft:+.1f}%, TPOT {tpot:+.1f}%, "
          f"throughput {change('request_throughput'):+.1f}%")
print(f"efficiency {efficiency}, mean over 2/3/4 req/s: strata TTFT {sum(m[0] for m in means) / 3:+.1f}%, TPOT {sum(m[1] for m in means) / 3:+.1f}%")
PY
done
