#!/usr/bin/env bash
# tests/mpi/mpi_calibrate_test.sh GOVSIM MPIEXEC: `govsim calibrate` run by
# `mpirun -n 2` (every rank derives the same proposals, runs its share of each
# batch; rank 0 writes) must write posterior.csv, generations.csv,
# predictive.csv and calibrate.json byte-identical to the same calibration on
# 1 thread; and an MPI calibration must resume an interrupted one to the same
# files (issue 15; docs/calibration.md).
set -euo pipefail
govsim=$1
mpiexec=$2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Containers often forbid the cross-memory attach that shared-memory transport tries first.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
here=$(cd "$(dirname "$0")/../.." && pwd)
args=("$here/tests/data/calibrate/mm1-unc-targets.yaml" --prior "$here/tests/data/explore/mm1-unc.yaml"
      --set simulation.horizon_h=2000 --population 24 --generations 3 --predictive 12 --seed 5 --quiet)
files=(posterior.csv generations.csv predictive.csv calibrate.json)
"$govsim" calibrate "${args[@]}" --out "$work/threads1" --threads 1
"$mpiexec" --oversubscribe -n 2 "$govsim" calibrate "${args[@]}" --out "$work/mpi2" --threads 1
status=0
for f in "${files[@]}"; do
  cmp -s "$work/threads1/$f" "$work/mpi2/$f" || { echo "FAIL: mpi2/$f differs from the 1-thread calibration's"; status=1; }
done
grep -q '"ranks": 2' "$work/mpi2/timing.json" || { echo "FAIL: timing.json of the 2-rank calibration does not say 2 ranks"; status=1; }
[ "$(wc -l < "$work/mpi2/posterior.csv")" -eq 25 ] || { echo "FAIL: posterior.csv of the 2-rank calibration does not hold 24 particles"; status=1; }
# Interrupted in the last generation (half its records and every result file gone): 2 ranks resume it
# (without --threads: one thread per rank).
cp -r "$work/threads1" "$work/resumed"
rm -f "$work/resumed"/gen-002/runs/p0000[0-9][02468]-*.csv "$work/resumed"/.govsim.lock
rm -rf "$work/resumed/predictive"
for f in "${files[@]}"; do rm -f "$work/resumed/$f"; done
"$mpiexec" --oversubscribe -n 2 "$govsim" calibrate "${args[@]}" --out "$work/resumed" --resume
grep -q '"threads": 1,' "$work/resumed/timing.json" || { echo "FAIL: without --threads a rank does not run one run at a time"; status=1; }
for f in "${files[@]}"; do
  cmp -s "$work/threads1/$f" "$work/resumed/$f" || { echo "FAIL: resumed/$f differs after a resume under 2 ranks"; status=1; }
done
# A bad targets file under 2 ranks: one message, exit 2, nothing written (no rank left waiting).
printf 'targets:\n  - {name: w, metric: respons_mean_h, observed: 1, sd: 1, source: x, grade: B, applies_to: mm1-unc}\n' > "$work/bad.yaml"
set +e
"$mpiexec" --oversubscribe -n 2 "$govsim" calibrate "$work/bad.yaml" --prior "$here/tests/data/explore/mm1-unc.yaml" \
  --out "$work/bad" > "$work/bad.log" 2>&1
code=$?
set -e
[ "$code" -eq 2 ] || { echo "FAIL: a bad targets file under 2 ranks exits $code, not 2"; cat "$work/bad.log"; status=1; }
[ "$(grep -c 'bad.yaml:2:23: error: unknown metric' "$work/bad.log")" -eq 1 ] || { echo "FAIL: the error is not said exactly once:"; cat "$work/bad.log"; status=1; }
[ ! -e "$work/bad" ] || { echo "FAIL: a bad targets file under 2 ranks wrote $work/bad"; status=1; }
[ "$status" -eq 0 ] && echo "calibrate under 2 MPI ranks (and an MPI resume) equals calibrate on 1 thread"
exit "$status"
