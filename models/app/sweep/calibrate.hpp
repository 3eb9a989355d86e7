// models/app/sweep/calibrate.hpp: `govsim calibrate`: fits a scenario's uncertain
// parameters (their declared ranges are the priors) to calibration targets
// (models/app/input/targets.hpp) by ABC-SMC with adaptive tolerances (Toni et al.
// 2009; Beaumont et al. 2009). See docs/calibration.md.
//
// Every model run is a sweep run (models/app/sweep/sweep.hpp): its record is written to
// GEN/runs/ the moment it finishes, and the algorithm reads only records. The
// proposals of a generation depend only on the seed, the generation, the
// particle index and the previous generation's records, never on a thread:
// the result is byte-identical at any thread count, and a resumed calibration
// re-derives every proposal and runs only what has no record.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace govsim {

struct CalibrateOptions {
  std::string targets_file, prior;
  std::vector<std::string> sets;        ///< --set, applied to the prior scenario
  int population = 200;                 ///< particles per generation (N)
  int generations = 6;                  ///< at most this many generations (generation 0 samples the prior)
  double min_acceptance = 0.02;         ///< stop after a generation whose acceptance rate is below this
  double quantile = 0.5;                ///< the next tolerance: this quantile of the accepted distances
  /// The tolerance never goes below rms x sqrt(targets): the root mean square of the standardised misses
  /// (simulated - observed) / uncertainty. A generation run at this floor is the last.
  double rms = 1.0;
  int predictive = 100;                 ///< posterior predictive runs (at most N)
  std::optional<std::uint64_t> seed;    ///< default: the scenario's simulation.seed
  int threads = 1;
  std::string out;
  bool resume = false, force = false, quiet = false;
  std::atomic<bool>* stop = nullptr;
  std::string resume_command;           ///< said when interrupted
};

/// What a finished calibration reports (also in calibrate.json).
struct CalibrationSummary {
  std::string dir;
  bool interrupted = false;
  int generations = 0;                  ///< complete generations
  std::size_t runs = 0;                 ///< model runs, all generations and the predictive check
  double final_tolerance = 0, final_ess = 0;
  std::string stopped_because;
};

/// Runs (or resumes) a calibration. Bad input throws ScenarioError or
/// OutputError before anything runs; an interruption returns interrupted=true.
CalibrationSummary run_calibration(const CalibrateOptions& options);

/// Weighted mean and covariance helpers, exposed for tests.
struct WeightedMoments {
  std::vector<double> mean;
  std::vector<std::vector<double>> cov;
};
WeightedMoments weighted_moments(const std::vector<std::vector<double>>& x, const std::vector<double>& w);

}  // namespace govsim
