#!/usr/bin/env bash
# Fuzzes the scenario loader with libFuzzer for SECONDS (default 60).
#
# Builds the `fuzz` preset (clang; ASan + UBSan; coverage in the libraries),
# then runs tests/fuzz/fuzz_scenario from the seed corpus
# tests/fuzz/corpus/scenario with the dictionary tests/fuzz/scenario.dict.
# Inputs the fuzzer finds interesting go to build/fuzz/corpus (kept between
# runs, never into the repository). A crash, sanitizer report, leak, uncaught
# exception, timeout or memory blow-up stops the run with a non-zero status
# and leaves the input in build/fuzz/findings/; reproduce it with
#   build/fuzz/tests/fuzz/fuzz_scenario build/fuzz/findings/<file>
# FUZZ_JOBS=N runs N fuzzing processes in parallel (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
bash scripts/install-deps.sh --fuzz
bash scripts/build.sh fuzz
mkdir -p build/fuzz/corpus build/fuzz/findings
# -max_len: scenario seeds are under 11 KiB; 16 KiB leaves room to grow.
# -rss_limit_mb: the loader's own limits keep a 16 KiB input far below this.
# -timeout: a single input taking 10 s is a hang worth reporting.
args=(build/fuzz/corpus tests/fuzz/corpus/scenario
      -dict=tests/fuzz/scenario.dict -max_len=16384 -rss_limit_mb=2048 -timeout=10
      -max_total_time="$seconds" -artifact_prefix=build/fuzz/findings/ -print_final_stats=1)
jobs="${FUZZ_JOBS:-1}"
if [ "$jobs" -gt 1 ]; then
  args+=(-jobs="$jobs" -workers="$jobs")
fi
echo "fuzz: ${seconds}s of fuzz_scenario (${jobs} process(es)); corpus build/fuzz/corpus"
build/fuzz/tests/fuzz/fuzz_scenario "${args[@]}"
