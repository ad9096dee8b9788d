# Shared by the gateway benchmarks, sourced from the repository root after OUT is set: builds strata (unless
# SKIP_BUILD is set; STRATA names another build), makes OUT, stops every background process in pids at exit, and
# waits for a server to answer.

[ -n "${SKIP_BUILD:-}" ] || dotnet build -c Release src/Strata.Cli -v quiet -nologo >/dev/null
STRATA=${STRATA:-src/Strata.Cli/bin/Release/net10.0/strata}
mkdir -p "$OUT"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT

# wait_for URL [any]: until URL answers 2xx (with "any", any answer: a gateway's 503 while its engines start), up to 30 s.
wait_for() {
    local ok=(-sf)
    [ "${2:-}" = any ] && ok=(-s)
    for _ in $(seq 300); do curl "${ok[@]}" -o /dev/null "$1" && return; sleep 0.1; done
    echo "no answer from $1" >&2
    exit 1
}
