#!/usr/bin/env bash
# The main job: install what is missing, build, run the four-tier baseline and
# the three-tier reform on common random numbers, print them side by side,
# and write the plots and the one-page report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release
out="${1:-results/default-comparison}"
rm -rf "$out"
build/release/govsim compare scenarios/four-tier.yaml scenarios/three-tier.yaml --out "$out"
/usr/bin/python3 scripts/govsim_plots.py compare "$out" --out "$out/plots"
/usr/bin/python3 scripts/govsim_plots.py structure --govsim build/release/govsim \
  scenarios/four-tier.yaml scenarios/three-tier.yaml --out "$out/plots/structures.png"
/usr/bin/python3 scripts/govsim_report.py "$out" --out "$out/report.html"
/usr/bin/python3 scripts/govsim_report.py "$out" --lang zh --out "$out/report.zh.html"
echo
echo "plots:  $out/plots/"
echo "report: $out/report.html, in Chinese $out/report.zh.html (open in a browser; they work offline)"
