#!/usr/bin/env bash
# Lint, as CI runs it (.ci/run): clang-format in check mode and clang-tidy
# (the repository's .clang-format and .clang-tidy), on the engine sim/ only.
# models/, tests/ and the rest are not formatted yet: format a file with
# `clang-format -i FILE` when you own it, and add its folder here once clean.
#   bash scripts/lint.sh            (exit status 1 and the offending lines when not clean)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --lint
format_files=(sim/*.cpp sim/*.hpp)
tidy_files=(sim/*.cpp)
echo "lint: clang-format --dry-run --Werror on ${#format_files[@]} files in sim/"
clang-format --dry-run --Werror "${format_files[@]}"
# clang-tidy reads the compile commands of the release build (configure it if need be).
[ -f build/release/compile_commands.json ] || cmake --preset release >/dev/null
echo "lint: clang-tidy on ${#tidy_files[@]} files in sim/ (and the sim/ headers they include)"
# (--quiet still counts the warnings it suppressed in system headers: those lines are dropped.)
printf '%s\n' "${tidy_files[@]}" | xargs -P "$(nproc)" -n 1 clang-tidy -p build/release --quiet 2>&1 |
  { grep -v '^[0-9]* warnings\? generated\.$' || true; }
echo "lint: clean"
