#!/usr/bin/env bash
# Sweep throughput: 200 runs of the district default scenario at 1 and 2
# threads (scenarios/sweeps/bench-district-200.yaml); prints runs per minute.
#   bash scripts/bench-sweep.sh [THREADS...]      (default: 1 2)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/release/govsim ] || bash scripts/build.sh release >/dev/null
threads=("$@")
[ ${#threads[@]} -gt 0 ] || threads=(1 2)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf "%-8s %6s %10s %12s\n" threads runs "wall s" "runs/min"
for t in "${threads[@]}"; do
  build/release/govsim sweep scenarios/sweeps/bench-district-200.yaml --out "$out/t$t" --threads "$t" --quiet >/dev/null
  /usr/bin/python3 - "$out/t$t/manifest.json" "$t" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]:<8} {m['runs']:>6} {m['wall_seconds']:>10.1f} {60 * m['runs'] / m['wall_seconds']:>12.1f}")
PY
done
