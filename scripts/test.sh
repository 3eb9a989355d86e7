#!/usr/bin/env bash
# Every test: install what is missing, build (release), run the GoogleTest
# suite and the Python script tests through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release
ctest --preset release -j "$(nproc)"
