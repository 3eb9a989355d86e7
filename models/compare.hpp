// models/compare.hpp: paired comparison of scenarios with common random numbers.
//
// Every scenario runs with the same seed and replication indices, so a
// resident's k-th need, its reporting decision, patience and service draws
// come from the same streams in each. The difference B - A is then taken
// replication by replication (paired), which cancels the shared noise; the
// unpaired (Welch) interval is reported beside it to show what pairing buys.
#pragma once

#include <string>
#include <vector>

#include "models/simulation.hpp"

namespace govsim {

struct ComparisonRow {
  std::string name, scope, key;
  std::vector<sim::Estimate> value;     ///< per scenario
  std::vector<sim::Estimate> paired;    ///< scenario i minus scenario 0, paired by replication
  std::vector<double> unpaired_half_width;  ///< Welch 95% half-width of the same difference
};

std::vector<ComparisonRow> compare_runs(const std::vector<RunResult>& runs);

/// comparison.csv and comparison.json in `dir`; `overrides` are the --set
/// assignments, applied to every scenario.
void write_comparison(const std::vector<Scenario>& scenarios, const std::vector<RunResult>& runs,
                      const std::vector<ComparisonRow>& rows, const std::string& dir,
                      const std::vector<std::string>& overrides = {});

/// Side-by-side headline table (scope "all").
std::string comparison_table(const std::vector<Scenario>& scenarios, const std::vector<ComparisonRow>& rows);

/// The headline metrics shown side by side, in order.
const std::vector<std::string>& headline_metrics();

}  // namespace govsim
