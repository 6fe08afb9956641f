#!/usr/bin/env bash
# Interleaved A/B of gateway builds or settings: the gateway alone, at one fixed rate, after the steady-state
# uptime, one fresh runner per run, variants taking turns round by round (bench/README.md, "A/B runs").
#   bench/ab.sh ROUNDS NAME=ROOT[:Key=Value,...] ...
# ROOT is a checkout (e.g. a `git worktree`) whose src/Gateway, bench/Runner and bench/Upstream are built in
# Release; the settings go to that variant's gateway (--gateway-settings). AB_ARGS replaces the runner's
# load options (default below); results and each run's log go to AB_OUT (default bench/.runs/ab-<time>).
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 2 ]; then
  sed -n '2,7p' "$0" >&2
  exit 2
fi

rounds=$1
shift
out=${AB_OUT:-$bench/.runs/ab-$(date -u +%Y%m%d-%H%M%S)}
read -r -a load <<<"${AB_ARGS:---rates 2000 --seconds 30 --least-uptime 180}"
mkdir -p "$out"
for round in $(seq 1 "$rounds"); do
  for variant in "$@"; do
    name=${variant%%=*}
    spec=${variant#*=}
    root=${spec%%:*}
    args=(--root "$root" --tools "$bench/.tools" --configuration Release --only throughput --peers gateway
      "${load[@]}" --label "$name" --out "$out/$name-$round.md")
    [[ $spec == *:* ]] && args+=(--gateway-settings "${spec#*:}")
    if ! dotnet "$root/bench/Runner/bin/Release/net10.0/DosAi.Orleans.Bench.Runner.dll" "${args[@]}" >"$out/$name-$round.log" 2>&1; then
      echo "$name round $round failed; see $out/$name-$round.log" >&2
      exit 1
    fi
    # The latency rows: rate, p50, p99, p99.9, errors, sender lag / own GC, CPU.
    grep '^| gateway | [0-9]* | [0-9.]* | [0-9.]* |' "$out/$name-$round.md" | sed "s/^| gateway /$name round $round /"
  done
done
echo "results in $out"
