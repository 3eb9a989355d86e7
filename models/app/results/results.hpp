// models/app/results/results.hpp: result files and the terminal summary.
//
// Files in a run folder (see docs/results.md):
//   summary.json       metadata + every metric's mean and 95% CI over replications
//   metrics.csv        replication,metric,scope,key,value   (long format)
//   timeseries.csv     replication,time_h,unit,group,tier,kind,queue,busy,utilisation,mean_willingness
//   distributions.csv  scope,key,quantile,response_h,since_need_h (pooled over replications)
//   scenario.resolved.yaml  the scenario as run (extends and --set applied, seed and replications set)
// Each file is written under a temporary name and renamed when complete; the
// CSV files hold nothing that depends on threads or wall-clock time.
#pragma once

#include <string>
#include <vector>

#include "models/domain/scenario.hpp"
#include "models/app/run/simulation.hpp"

namespace govsim {

/// Raised when results cannot be written (exit status 2).
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Creates (or checks) an output folder and claims it for this process (an
/// exclusive lock on DIR/.govsim.lock, so that a second govsim is refused):
/// refuses a folder that already holds other files unless `force`, and with
/// `force` removes what govsim wrote there before (result files, run-N/,
/// runs/, plots/, report.html), keeping other files. An empty `dir` makes a
/// new results/<stem>-<n> (mkdir: never one another run has chosen).
std::string prepare_output_folder(const std::string& dir, const std::string& stem, bool force);
/// Claims an existing folder (sweep --resume); OutputError if another process holds it.
void claim_output_folder(const std::string& dir);
/// Unlocks and removes the lock files of every folder this process claimed.
void release_output_folders();
/// Removes leftovers (*.partial-*) of writes cut short, in `dir` only.
void remove_partial_files(const std::string& dir);

/// Writes `content` to `path` atomically (temporary name, then rename). A
/// symbolic link is written through (its target is replaced); a path that
/// is not a regular file (a device, a pipe) is refused.
void write_file_atomically(const std::string& path, const std::string& content);

/// The run's result files; summary.json records `overrides` (the --set
/// assignments) and names scenario.resolved.yaml, which the caller writes.
void write_run(const Scenario& scenario, const RunResult& run, const std::string& dir,
               const std::vector<std::string>& overrides = {});

/// Warnings about a run's figures (e.g. a saturated unit), for the summary table and summary.json.
std::vector<std::string> run_warnings(const std::vector<SummaryRow>& rows);

/// The headline table printed after a run.
std::string summary_table(const Scenario& scenario, const RunResult& run);

/// Number formatting shared by every CSV writer (%.10g; NaN -> empty). JSON: models/app/results/json.hpp.
std::string csv_number(double v);

}  // namespace govsim
