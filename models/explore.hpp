// models/explore.hpp: `govsim explore` (effects across uncertain parameters)
// and `govsim attribute` (factorial attribution of a reform's effect to its
// elements), both planned as sweeps (models/sweep.hpp) so that they run on
// TBB threads or MPI ranks, record every run, resume, and give byte-identical
// results whatever the threads. See docs/uncertainty.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/sweep.hpp"

namespace govsim {

struct ExploreOptions {
  std::vector<std::string> scenarios;  ///< the baseline first, then the options
  int samples = 0;
  std::string design = "sobol";        ///< sobol (scrambled Sobol' points) or lhs
  std::uint64_t design_seed = 1;
  std::optional<std::uint64_t> seed;   ///< default: the baseline's simulation.seed
  int replications = 1;
  std::vector<std::string> sets;       ///< --set, applied to every scenario
};

/// The plan: parameters `sample` and `scenario` (labels), then one per
/// uncertain parameter of the baseline; point = sample x scenarios + scenario.
/// Sample j runs every scenario with seed + j and replications 0..R-1
/// (common random numbers within a sample). Throws ScenarioError for bad input.
SweepSpec explore_spec(const ExploreOptions& options);
/// explore.csv and explore.json from the run records of a finished plan.
void write_explore(const SweepSpec& spec, const std::string& dir);

struct AttributeOptions {
  std::string baseline, elements_file;
  std::optional<std::uint64_t> seed;   ///< default: the baseline's simulation.seed
  std::optional<int> replications;     ///< default: the baseline's simulation.replications
  std::vector<std::string> sets;
};

/// The plan: every combination of the elements switched on or off (2^k
/// points, k <= 5), all on the same seed and replications.
SweepSpec attribute_spec(const AttributeOptions& options);
/// attribute.csv and attribute.json from the run records.
void write_attribute(const SweepSpec& spec, const std::string& dir);

/// Summary statistics of explore, exposed for tests.
struct EffectSummary {
  double median = 0, p05 = 0, p95 = 0, mean = 0;
  double p_better = 0, p_worse = 0, p_tie = 0;  ///< NaN for neutral metrics
  double var_between = 0;                       ///< of the sample means
  double var_noise = 0;                         ///< mean within-sample variance (NaN when R < 2)
  double var_parameters = 0;                    ///< max(0, var_between - var_noise / R) (NaN when R < 2)
  double share_parameters = 0, share_noise = 0; ///< of var_parameters + var_noise (NaN when R < 2 or both 0)
  std::size_t samples = 0;
};
/// `diffs[j][r]`: the paired difference (option - baseline) of sample j, replication r.
EffectSummary summarise_effects(const std::vector<std::vector<double>>& diffs, int better /* -1 lower, +1 higher, 0 neutral */);

}  // namespace govsim
