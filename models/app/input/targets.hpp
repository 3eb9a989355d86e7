// models/app/input/targets.hpp: calibration targets, what real places show that the
// model should reproduce (docs/calibration.md).
//
//   description: ...
//   parameters: [handoffs.redocumentation_h, ...]   # optional: the priors fitted (default: every declared one)
//   targets:
//     - name: closing_mean_over_median
//       metric: response_mean_h            # any metric govsim reports (models/app/results/metric_registry.hpp)
//       scope: all                         # default all
//       key: all                           # default all
//       over: {metric: response_median_h}  # optional: the target is the ratio metric / over
//       per: resident_year                 # optional: divided by residents x years observed,
//                                          # or {unit_year: committee}: by that group's units x years
//       observed: 3.1
//       sd: 0.6                            # or tolerance: the scale of (simulated - observed)
//       source: "NYC 311 2004-2016 ..."
//       grade: B                           # A measured here, B comparable places, C assumption
//       applies_to: [four-tier, three-tier]
//
// Read strictly: every error is one line `file:line:col: error: ...`
// (InputError), as for scenario and sweep files.
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "models/domain/scenario.hpp"

namespace govsim {

struct TargetStatistic {
  std::string metric, scope = "all", key = "all";
  std::string text() const;  ///< "response_mean_h" or "resolved[tier=committee]"
};

struct Target {
  std::string name;
  TargetStatistic stat;
  bool ratio = false;
  TargetStatistic over;        ///< when ratio
  std::string per;             ///< "", "resident_year" or "unit_year"
  std::string per_unit;        ///< unit_year: the unit group
  double observed = 0;
  double uncertainty = 1;      ///< sd or tolerance (> 0): the scale of the standardised distance
  std::string uncertainty_kind = "sd";  ///< "sd" or "tolerance"
  std::string source;
  char grade = 'C';
  std::vector<std::string> applies_to;
  int line = 0, column = 0;    ///< where the target is declared
  std::string text() const;    ///< the statistic in words: "response_mean_h / response_median_h per resident-year"
};

struct TargetsFile {
  std::string path, description;
  std::vector<Target> targets;
  std::vector<std::string> parameters;  ///< empty: every declared uncertain parameter
  std::vector<std::pair<int, int>> parameter_places;
};

/// Reads and validates a targets file; throws InputError (file:line:col).
TargetsFile load_targets(const std::string& path);
TargetsFile load_targets_text(const std::string& text, const std::string& name);

/// Checks the targets against the scenario a calibration runs: every target
/// applies to it (its `name`), keys name what it has (request types, tiers,
/// unit groups, resident groups), `per: {unit_year: G}` names a unit group,
/// and every `parameters` path is declared in its `uncertain:` section.
/// Throws InputError at the target's place in the targets file.
void check_targets(const TargetsFile& targets, const Scenario& scenario);

/// (metric, scope, key) -> value of one run.
using MetricRows = std::map<std::tuple<std::string, std::string, std::string>, double>;
/// Parses a run record (metric,scope,key,value CSV).
MetricRows parse_record(const std::string& text);
/// The target's statistic in one run: NaN when a metric is missing or the ratio undefined.
double target_value(const Target& target, const MetricRows& rows, const Scenario& scenario);

}  // namespace govsim
