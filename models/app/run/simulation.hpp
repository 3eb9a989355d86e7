// models/app/run/simulation.hpp: running a scenario's replications and summarising them.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "models/domain/scenario.hpp"
#include "sim/engine.hpp"
#include "sim/stats.hpp"

namespace govsim {

/// One number of one replication: metric name, scope (all, type, group, area,
/// tier, unit) and key within the scope.
struct Metric {
  std::string name;
  std::string scope;
  std::string key;
  double value;
};

struct SeriesRow {
  double time_h;
  std::uint32_t unit;
  std::uint32_t queue, busy;
  double utilisation;
  double mean_willingness;
};

struct ReplicationResult {
  int replication = 0;
  std::vector<Metric> metrics;
  std::vector<SeriesRow> series;
  /// Response-time histograms (resolved requests) by "scope:key".
  std::map<std::string, sim::LogHistogram> response_histograms;
  std::map<std::string, sim::LogHistogram> since_need_histograms;
  sim::EngineCounters counters;
  double wall_seconds = 0;
};

struct RunSettings {
  std::optional<std::uint64_t> seed;
  std::optional<int> replications;
  /// Index of the first replication: replication k draws from stream_key(seed,
  /// first_replication + k), so one replication of a sweep equals the same
  /// replication of a whole run.
  int first_replication = 0;
  /// Raised (e.g. by a signal handler) to stop at the next window boundary:
  /// run_scenario then throws Interrupted.
  const std::atomic<bool>* cancel = nullptr;
  int threads = 1;
  bool keep_series = true;
  std::uint64_t memory_limit_bytes = 0;  ///< 0: no check
};

struct RunResult {
  std::uint64_t seed = 0;
  int threads = 1;
  double lookahead_h = 0;
  std::uint64_t residents = 0;
  std::uint64_t social_ties = 0;
  std::vector<std::string> unit_names, unit_groups, unit_tiers, unit_kinds;
  std::vector<ReplicationResult> replications;
  double wall_seconds = 0;
};

/// Thrown by run_scenario when RunSettings::cancel was raised: nothing of the
/// unfinished replication is returned.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

/// Throws ResourceLimitError when a run of `scenario` with `settings` is estimated
/// to need more than settings.memory_limit_bytes (run_scenario checks this
/// too; `compare` checks every scenario before running any).
void check_memory(const Scenario& scenario, const RunSettings& settings);

/// Runs every replication on `threads` threads: one replication's windows
/// split between them, or, with threads to spare, several replications side
/// by side; results in replication order, the same for any thread count.
/// `progress(done, total)` is called as each replication finishes (from any
/// thread, one call at a time). Throws InputError when the scenario cannot
/// be run as described, ResourceLimitError when it would need more memory than allowed.
RunResult run_scenario(const Scenario& scenario, const RunSettings& settings,
                       const std::function<void(int, int)>& progress = {});

/// Takes and releases `mutex` when it goes out of scope, whichever way. For
/// work handed to TBB: Debian's libtbb is not instrumented, so its own join
/// is invisible to ThreadSanitizer; a task that ends by taking the caller's
/// mutex (and a caller that takes it after the join) shows every read the
/// task made happening before what the caller then frees.
struct LockOnExit {
  std::mutex& mutex;
  ~LockOnExit() { const std::lock_guard<std::mutex> lock(mutex); }
};

/// Every metric a run reports in scope "all", in the order it reports them.
const std::vector<std::string>& all_metric_names();

/// Mean and 95% CI across replications of every (metric, scope, key).
struct SummaryRow {
  std::string name, scope, key;
  sim::Estimate estimate;
};
std::vector<SummaryRow> summarise(const RunResult& run);

}  // namespace govsim
