// models/app/results/metric_registry.hpp: what every metric a run emits means.
//
// One entry per metric name: its unit, a label and a one-line explanation in
// English and Chinese, which direction is better, how to format it, and the
// scopes it is emitted for. The registry is written into summary.json and
// comparison.json ("metrics": {name: {...}}) so that the Python scripts,
// the terminal tables and docs/results.md all say the same thing; a test
// fails when a run emits a name the registry lacks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "models/app/results/json.hpp"

namespace govsim {

/// Which direction of change is an improvement.
enum class Better { lower, higher, neutral };
const char* to_string(Better b) noexcept;

struct MetricInfo {
  std::string_view name;
  /// The unit of the raw value: "hours", "share", "count", "per request", "staff-hours", "yuan",
  /// "yuan per resolved request", "staff-hours per resolved request", "requests per day", "requests", "score 0-1".
  std::string_view unit;
  /// How to show it: "time" (hours, or days when long), "percent" (share x 100; differences in
  /// percentage points), "count" (whole numbers), "decimal" (3 significant digits), "money" (yuan).
  std::string_view format;
  Better better;
  std::string_view group;   ///< "time", "gap", "process", "load", "cost", "trust", "check"
  std::string_view scopes;  ///< comma-separated scopes it is emitted for ("request" = all,type,group,area,tier)
  std::string_view label_en, label_zh;
  std::string_view explain_en, explain_zh;
  bool deprecated = false;
  std::string_view replaced_by = {};  ///< for deprecated metrics
};

/// Every registered metric, in display order.
const std::vector<MetricInfo>& metric_registry();

/// The entry of `name`, or nullptr.
const MetricInfo* find_metric(std::string_view name);

/// The outcomes a verdict is about, in order (a deprecated metric stands in for its replacement when absent).
const std::vector<std::string>& verdict_metrics();

/// The registry as a JSON object {"name": {"unit": ..., ...}, ...}, in display order.
Json metric_registry_json();

/// The registry as the Markdown table in docs/results.md (between its registry markers).
std::string metric_registry_markdown();

/// "label (unit)" in the language `lang` ("en" or "zh"), for terminal tables.
std::string metric_label(std::string_view name, std::string_view lang);

}  // namespace govsim
