// tests/fuzz/fuzz_scenario.cpp: libFuzzer target for the scenario loader.
//
// Feeds arbitrary bytes to load_scenario_text as if they were the content of
// a file in tests/fuzz/corpus/scenario/ (so `extends: base.yaml` reaches a
// real corpus file), and builds the organisation as `govsim check` does.
// A one-line InputError (or ResourceLimitError) is the expected answer to a bad input; anything
// else (another exception, a crash, a sanitizer report, a leak, a timeout, a
// message of several lines) is a finding.
//
// Leading lines `#--set path=value` (YAML comments, so the rest still parses)
// become --set overrides, so the fuzzer exercises those too.
//
// Build and run: scripts/fuzz.sh [SECONDS] (the `fuzz` CMake preset, clang).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "models/domain/organisation.hpp"
#include "models/domain/population.hpp"
#include "models/app/input/scenario_loader.hpp"

namespace {

const std::string kName = std::string(GOVSIM_SOURCE_DIR) + "/tests/fuzz/corpus/scenario/fuzz-input.yaml";

// Organisations of up to this many units are built; larger ones are valid and
// merely slow (5,000,000 units take seconds and hundreds of MiB), which is
// not what the fuzzer is looking for.
constexpr std::uint64_t kMaxUnitsToBuild = 20000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // Kernel files can block a reader (/proc/kmsg) or change under it: the
  // loader's answer to them is the operating system's, not a finding.
  if (text.find("/proc") != std::string::npos || text.find("/sys") != std::string::npos) return 0;
  std::vector<std::string> overrides;
  for (std::size_t at = 0; text.compare(at, 7, "#--set ") == 0;) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    overrides.push_back(text.substr(at + 7, end - (at + 7)));
    if (end == text.size()) break;
    at = end + 1;
  }
  try {
    const govsim::Scenario scenario = govsim::load_scenario_text(text, kName, overrides);
    std::uint64_t units = 0;
    for (const auto& g : scenario.units) units += static_cast<std::uint64_t>(g.count);
    if (units <= kMaxUnitsToBuild) {
      const govsim::Organisation org(scenario);
      (void)govsim::estimate_memory_bytes(scenario, org);
    }
  } catch (const govsim::PlacedError& e) {
    // The expected outcome for a bad input, as long as it keeps the contract
    // of docs/robustness.md: one line (a newline would split it on stderr).
    const std::string what = e.what();
    if (what.empty() || what.find('\n') != std::string::npos) __builtin_trap();
  }
  return 0;
}
