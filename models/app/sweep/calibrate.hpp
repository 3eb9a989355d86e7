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
#include <stdexcept>
#include <string>
#include <vector>

namespace govsim {

/// The processes one calibration runs on: MPI ranks under mpirun (the CLI
/// provides them; this library knows no MPI). Every rank runs the same
/// algorithm in lockstep: it derives the same proposals (keyed by seed,
/// generation and index, never by rank), runs its share of each batch, the
/// records are exchanged, and every rank takes the same decisions from the
/// same records. Rank 0 alone writes files.
class RankGroup {
 public:
  virtual ~RankGroup() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// Collective: every rank passes its text and receives every rank's, in rank order.
  virtual std::vector<std::string> all_gather(const std::string& mine) = 0;
  /// Collective: rank 0's `text` on every rank.
  virtual void broadcast(std::string& text) = 0;
  /// Set on every rank before a failure that all ranks agreed on is thrown
  /// (so none is left waiting in a collective): the caller may end normally.
  bool failure_agreed = false;
};

/// Thrown on every rank but the one that failed (which throws its own error):
/// the calibration stops on all ranks. what(): the failing rank's message.
class PeerFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

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
  RankGroup* ranks = nullptr;           ///< MPI ranks (each runs `threads` threads); null: this process alone
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

/// Runs (or resumes) a calibration. Bad input throws InputError or
/// OutputError before anything runs; an interruption returns interrupted=true.
CalibrationSummary run_calibration(const CalibrateOptions& options);

/// Weighted mean and covariance helpers, exposed for tests.
struct WeightedMoments {
  std::vector<double> mean;
  std::vector<std::vector<double>> cov;
};
WeightedMoments weighted_moments(const std::vector<std::vector<double>>& x, const std::vector<double>& w);

}  // namespace govsim
