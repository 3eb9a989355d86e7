#!/usr/bin/env bash
# tests/mpi/mpi_explore_test.sh GOVSIM MPIEXEC: `govsim explore` run by
# `mpirun -n 2` (rank 0 coordinates, rank 1 runs) must write byte-identical
# explore.csv and explore.json (and sweep files) to the same explore on 1 and
# on 2 threads (issue 14; docs/uncertainty.md).
set -euo pipefail
govsim=$1
mpiexec=$2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Containers often forbid the cross-memory attach that shared-memory transport tries first.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
here=$(cd "$(dirname "$0")/../.." && pwd)
data=$here/tests/data/explore
args=("$data/jackson-unc.yaml" "$data/jackson-plus.yaml" --samples 8 --replications 2 --quiet)
"$govsim" explore "${args[@]}" --out "$work/threads1" --threads 1
"$govsim" explore "${args[@]}" --out "$work/threads2" --threads 2
"$mpiexec" --oversubscribe -n 2 "$govsim" explore "${args[@]}" --out "$work/mpi2"
status=0
for f in explore.csv explore.json design.csv sweep.csv points.csv failures.csv; do
  for d in threads2 mpi2; do
    if ! cmp -s "$work/threads1/$f" "$work/$d/$f"; then
      echo "FAIL: $d/$f differs from the 1-thread explore's"; status=1
    fi
  done
done
grep -q '"ranks": 2' "$work/mpi2/manifest.json" || { echo "FAIL: manifest of the 2-rank explore does not say 2 ranks"; status=1; }
[ "$(wc -l < "$work/mpi2/explore.csv")" -gt 1 ] || { echo "FAIL: explore.csv of the 2-rank explore is empty"; status=1; }
[ "$status" -eq 0 ] && echo "explore under 2 MPI ranks equals explore on 1 and 2 threads (explore.csv, explore.json, sweep files)"
exit "$status"
