#!/usr/bin/env bash
# Installs govsim's build and plotting dependencies from Debian 12's archive.
# Idempotent: does nothing (and needs no network) when everything is present.
# With --fuzz, also clang and its runtimes (libFuzzer, ASan, UBSan: libclang_rt.*
# come from libclang-rt-14-dev) for scripts/fuzz.sh; with --lint, clang-format
# and clang-tidy for scripts/lint.sh (CI). Flags may be combined.
set -euo pipefail
packages=(build-essential cmake ninja-build git pkg-config
          libboost-graph-dev libeigen3-dev libtbb-dev libcxxopts-dev libyaml-cpp-dev nlohmann-json3-dev libgtest-dev
          libopenmpi-dev openmpi-bin
          python3-matplotlib python3-pandas python3-pytest python3-yaml python3-jsonschema
          fonts-noto-cjk chromium chromium-driver python3-selenium)
for flag in "$@"; do
  case "$flag" in
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --lint) packages+=(clang-format clang-tidy) ;;
    *) echo "install-deps: unknown option '$flag' (--fuzz, --lint)" >&2; exit 2 ;;
  esac
done
# scipy: exact Student-t quantiles in the plots; Random123: the reference Philox the tests compare with;
# mypy: the type check of scripts/govsim_analysis (ctest PythonTypes).
packages+=(python3-scipy librandom123-dev mypy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
