// models/app/compare/compare.hpp: paired comparison of scenarios with common random numbers.
//
// Every scenario runs with the same seed and replication indices, so a
// resident's k-th need, its reporting decision, patience and service draws
// come from the same streams in each. The difference B - A is then taken
// replication by replication (paired), which cancels the shared noise; the
// unpaired (Welch) interval is reported beside it to show what pairing buys.
#pragma once

#include <string>
#include <vector>

#include "models/app/run/simulation.hpp"

namespace govsim {

struct ComparisonRow {
  std::string name, scope, key;
  std::vector<sim::Estimate> value;     ///< per scenario
  std::vector<sim::Estimate> paired;    ///< scenario i minus scenario 0, paired by replication
  std::vector<double> unpaired_half_width;  ///< Welch 95% half-width of the same difference
};

/// Differences are taken against runs[baseline].
std::vector<ComparisonRow> compare_runs(const std::vector<RunResult>& runs, std::size_t baseline = 0);

/// comparison.csv and comparison.json in `dir`; comparison.json also holds each option's differences,
/// resources and structure (`overrides`: the --set values every scenario was loaded with) and the
/// metric registry.
void write_comparison(const std::vector<Scenario>& scenarios, const std::vector<RunResult>& runs,
                      const std::vector<ComparisonRow>& rows, const std::string& dir, std::size_t baseline = 0,
                      const std::vector<std::string>& overrides = {});

/// Side-by-side headline table (scope "all"), every option named in full; labels and units from the
/// metric registry in `lang` ("en" or "zh").
std::string comparison_table(const std::vector<Scenario>& scenarios, const std::vector<ComparisonRow>& rows,
                             std::size_t baseline = 0, const std::string& lang = "en");

/// The headline metrics shown side by side, in order.
const std::vector<std::string>& headline_metrics();

}  // namespace govsim
