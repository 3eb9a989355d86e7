#!/usr/bin/env bash
# Fuzzes an input loader with libFuzzer for SECONDS (default 60):
#   bash scripts/fuzz.sh [SECONDS] [scenario|sweep]     (default: scenario)
#
# Builds the `fuzz` preset (clang; ASan + UBSan; coverage in the libraries),
# then runs tests/fuzz/fuzz_TARGET from the seed corpus
# tests/fuzz/corpus/TARGET with the dictionary tests/fuzz/TARGET.dict.
# Inputs the fuzzer finds interesting go to build/fuzz/corpus-TARGET (kept between
# runs, never into the repository). A crash, sanitizer report, leak, uncaught
# exception, timeout or memory blow-up stops the run with a non-zero status
# and leaves the input in build/fuzz/findings/; reproduce it with
#   build/fuzz/tests/fuzz/fuzz_TARGET build/fuzz/findings/<file>
# FUZZ_JOBS=N runs N fuzzing processes in parallel (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
target="${2:-scenario}"
case "$target" in scenario|sweep) ;; *) echo "fuzz: unknown target '$target' (scenario or sweep)" >&2; exit 2 ;; esac
bash scripts/install-deps.sh --fuzz
bash scripts/build.sh fuzz
mkdir -p "build/fuzz/corpus-$target" build/fuzz/findings
# -max_len: scenario seeds are under 11 KiB; 16 KiB leaves room to grow.
# -rss_limit_mb: the loader's own limits keep a 16 KiB input far below this.
# -timeout: a single input taking 10 s is a hang worth reporting.
args=("build/fuzz/corpus-$target" "tests/fuzz/corpus/$target"
      -dict="tests/fuzz/$target.dict" -max_len=16384 -rss_limit_mb=2048 -timeout=10
      -max_total_time="$seconds" -artifact_prefix=build/fuzz/findings/ -print_final_stats=1)
jobs="${FUZZ_JOBS:-1}"
if [ "$jobs" -gt 1 ]; then
  args+=(-jobs="$jobs" -workers="$jobs")
fi
echo "fuzz: ${seconds}s of fuzz_$target (${jobs} process(es)); corpus build/fuzz/corpus-$target"
"build/fuzz/tests/fuzz/fuzz_$target" "${args[@]}"
