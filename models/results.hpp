// models/results.hpp: result files and the terminal summary.
//
// Files in a run folder (see docs/results.md):
//   summary.json       metadata + every metric's mean and 95% CI over replications
//   metrics.csv        replication,metric,scope,key,value   (long format)
//   timeseries.csv     replication,time_h,unit,group,tier,kind,queue,busy,utilisation,mean_willingness
//   distributions.csv  scope,key,quantile,response_h,since_need_h (pooled over replications)
// Each file is written under a temporary name and renamed when complete; the
// CSV files hold nothing that depends on threads or wall-clock time.
#pragma once

#include <string>
#include <vector>

#include "models/scenario.hpp"
#include "models/simulation.hpp"

namespace govsim {

/// Raised when results cannot be written (exit status 2).
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Creates (or checks) an output folder: refuses a folder that already holds
/// other files unless `force`. An empty `dir` makes results/<stem>-<n>.
std::string prepare_output_folder(const std::string& dir, const std::string& stem, bool force);

/// Writes `content` to `path` atomically (temporary name, then rename).
void write_file_atomically(const std::string& path, const std::string& content);

void write_run(const Scenario& scenario, const RunResult& run, const std::string& dir);

/// Warnings about a run's figures (e.g. a saturated unit), for the summary table and summary.json.
std::vector<std::string> run_warnings(const std::vector<SummaryRow>& rows);

/// The headline table printed after a run.
std::string summary_table(const Scenario& scenario, const RunResult& run);

/// Number formatting shared by every CSV/JSON writer (%.10g; NaN -> empty/null).
std::string csv_number(double v);
std::string json_number(double v);
std::string json_string(const std::string& s);

}  // namespace govsim
