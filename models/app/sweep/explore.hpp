// models/app/sweep/explore.hpp: `govsim explore` (effects across uncertain parameters)
// and `govsim attribute` (factorial attribution of a reform's effect to its
// elements), both planned as sweeps (models/app/sweep/sweep.hpp) so that they run on
// TBB threads or MPI ranks, record every run, resume, and give byte-identical
// results whatever the threads. See docs/uncertainty.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/app/sweep/sweep.hpp"

namespace govsim {

struct ExploreOptions {
  std::vector<std::string> scenarios;  ///< the baseline first, then the options
  int samples = 0;
  std::string design = "sobol";        ///< sobol (scrambled Sobol' points) or lhs
  std::uint64_t design_seed = 1;
  std::optional<std::uint64_t> seed;   ///< default: the baseline's simulation.seed
  int replications = 1;
  std::vector<std::string> sets;       ///< --set, applied to every scenario
  /// `--posterior DIR/posterior.csv` (a finished `govsim calibrate`): sample j
  /// takes the parameters the posterior fits from one particle, drawn by
  /// weight with a stream keyed by (design_seed, j); parameters the posterior
  /// does not fit still come from the design over their declared ranges.
  std::string posterior;
};

/// A calibration's weighted posterior (posterior.csv), as explore reads it.
struct PosteriorSample {
  std::string file, hash;                    ///< hash: of the file's bytes (hex)
  std::vector<std::string> paths;            ///< the fitted parameters, in column order
  std::vector<std::vector<std::string>> values;  ///< per particle, per path: the value as --set takes it
  std::vector<double> weights;
};
/// Reads posterior.csv; throws InputError (file:line:col) for a malformed file.
PosteriorSample load_posterior(const std::string& path);
/// The particle sample j draws: resampling by weight, a stream keyed by (seed, j).
std::size_t posterior_draw(const PosteriorSample& p, std::uint64_t seed, std::size_t j);

/// The plan: parameters `sample` and `scenario` (labels), then one per
/// uncertain parameter of the baseline; point = sample x scenarios + scenario.
/// Sample j runs every scenario with seed + j and replications 0..R-1
/// (common random numbers within a sample). Throws InputError for bad input.
SweepSpec explore_spec(const ExploreOptions& options);
/// explore.csv and explore.json from the run records of a finished plan.
void write_explore(const SweepSpec& spec, const std::string& dir);

struct AttributeOptions {
  std::string baseline, elements_file;
  std::optional<std::uint64_t> seed;   ///< default: the baseline's simulation.seed
  std::optional<int> replications;     ///< default: the baseline's simulation.replications
  std::vector<std::string> sets;
};

/// A two-level design over k elements: the full 2^k factorial, or a regular
/// 2^(k-p) fraction of resolution V or more (standard generators, Montgomery,
/// Design and Analysis of Experiments, table of selected fractional designs),
/// in which no main effect or two-way interaction is aliased with another
/// main effect or two-way interaction.
struct TwoLevelDesign {
  std::size_t k = 0;
  bool full = true;
  std::vector<std::uint32_t> rows;              ///< bit i set: element i on (ascending)
  std::vector<std::string> generators;          ///< e.g. "F = ABCDE" (letters A..H, J, K; no I); empty when full
  std::vector<std::string> defining_relation;   ///< every word of I = ..., e.g. "ABCDEF"; empty when full
  int resolution = 0;                           ///< length of the shortest word; 0 when full (nothing aliased)
  std::string name() const;                     ///< "2^3 full factorial", "2^(6-1) fractional factorial, resolution VI"
};
/// The full design (any k <= 10) or the fraction (5 <= k <= 10). Throws std::invalid_argument otherwise.
TwoLevelDesign two_level_design(std::size_t k, bool fractional);
/// The letter of element i in the design's words (A..H, J, K).
char design_letter(std::size_t i);

/// The plan: the elements switched on or off over a two-level design, all on
/// the same seed and replications: every combination (2^k) for k <= 5 or with
/// `design: full` in the elements file (k <= 10); for 6 <= k <= 10 (or with
/// `design: fractional`, k >= 5) a resolution V fraction, plus the baseline,
/// each element alone and the full reform where the fraction lacks them.
SweepSpec attribute_spec(const AttributeOptions& options);
/// attribute.csv and attribute.json from the run records.
void write_attribute(const SweepSpec& spec, const std::string& dir);
/// One line saying which design a plan uses (printed by `govsim attribute`).
std::string attribute_design_text(const SweepSpec& spec);

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
