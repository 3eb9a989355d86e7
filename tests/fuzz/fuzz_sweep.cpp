// tests/fuzz/fuzz_sweep.cpp: libFuzzer target for the sweep-file loader.
//
// Feeds arbitrary bytes to load_sweep_text as if they were a sweep file in
// tests/fuzz/corpus/sweep/ (so `base: ../../../../scenarios/...` reaches a
// real scenario), which also expands the design (grid, points, Latin
// hypercube, Morris, Sobol) and loads the base scenario with the sweep's
// fixed settings. A one-line InputError is the expected answer to a bad
// input; anything else (another exception, a crash, a sanitizer report, a
// leak, a timeout, a message of several lines) is a finding. The design must
// also keep its own promises: one value per parameter in every point, and
// unit-cube positions inside [0, 1].
//
// Build and run: scripts/fuzz.sh [SECONDS] sweep
#include <cstddef>
#include <cstdint>
#include <string>

#include "models/app/sweep/sweep.hpp"

namespace {
const std::string kName = std::string(GOVSIM_SOURCE_DIR) + "/tests/fuzz/corpus/sweep/fuzz-input.yaml";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // Kernel files can block a reader or change under it: not a finding.
  if (text.find("/proc") != std::string::npos || text.find("/sys") != std::string::npos ||
      text.find("/dev") != std::string::npos)
    return 0;
  try {
    const govsim::SweepSpec spec = govsim::load_sweep_text(text, kName);
    for (const auto& point : spec.points)
      if (point.size() != spec.parameters.size()) __builtin_trap();
    for (const auto& u : spec.unit_points)
      for (double x : u)
        if (!(x >= 0.0 && x <= 1.0 + 1e-12)) __builtin_trap();
    if (spec.runs() == 0) __builtin_trap();
  } catch (const govsim::PlacedError& e) {
    const std::string what = e.what();
    if (what.empty() || what.find('\n') != std::string::npos) __builtin_trap();
  }
  return 0;
}
