#!/usr/bin/env bash
# tests/mpi/mpi_sweep_test.sh GOVSIM MPIEXEC: a sweep run by `mpirun -n 2`
# (rank 0 coordinates, rank 1 runs) and by 3 ranks must write the same files
# as the same sweep on threads; and an MPI sweep must resume a threaded one.
set -euo pipefail
govsim=$1
mpiexec=$2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Containers often forbid the cross-memory attach that shared-memory transport tries first.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
here=$(cd "$(dirname "$0")/../.." && pwd)
cat > "$work/sweep.yaml" <<YAML
name: mpi-test
base: $here/scenarios/textbook/mm1.yaml
set: {simulation.horizon_h: 3000, simulation.warmup_h: 300, simulation.sample_interval_h: 3000}
parameters:
  service_mean: {path: units.station.resolves.job.mean, low: 0.3, high: 0.8}
  staff: {path: units.station.staff, low: 1, high: 3, integer: true}
design: {kind: morris, trajectories: 4, levels: 4, seed: 1}
replications: 2
seed: 3
YAML
"$govsim" sweep "$work/sweep.yaml" --out "$work/threads" --threads 2 --quiet
"$mpiexec" --oversubscribe -n 2 "$govsim" sweep "$work/sweep.yaml" --out "$work/mpi2" --quiet
"$mpiexec" --oversubscribe -n 3 "$govsim" sweep "$work/sweep.yaml" --out "$work/mpi3" --quiet
status=0
for f in design.csv sweep.csv points.csv failures.csv sensitivity.csv; do
  for d in mpi2 mpi3; do
    if ! cmp -s "$work/threads/$f" "$work/$d/$f"; then
      echo "FAIL: $d/$f differs from the threaded sweep's"; status=1
    fi
  done
done
grep -q '"ranks": 2' "$work/mpi2/manifest.json" || { echo "FAIL: manifest of the 2-rank sweep does not say 2 ranks"; status=1; }
# Half the records gone (as after a crash): MPI resumes and completes the same sweep.
cp -r "$work/threads" "$work/resumed"
rm -f "$work/resumed"/runs/p00000[0-7]-*.csv "$work/resumed"/manifest.json "$work/resumed"/sweep.csv
"$mpiexec" --oversubscribe -n 2 "$govsim" sweep "$work/sweep.yaml" --out "$work/resumed" --resume --quiet
for f in sweep.csv points.csv sensitivity.csv; do
  cmp -s "$work/threads/$f" "$work/resumed/$f" || { echo "FAIL: resumed $f differs"; status=1; }
done
[ "$status" -eq 0 ] && echo "MPI sweeps (2 and 3 ranks, and a resume) equal the threaded sweep"
exit "$status"
