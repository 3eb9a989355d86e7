// models/compare.cpp
#include "models/compare.hpp"

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "govsim/version.hpp"
#include "models/csv.hpp"
#include "models/results.hpp"

namespace govsim {

const std::vector<std::string>& headline_metrics() {
  static const std::vector<std::string> names = {
      "response_median_h", "response_p90_h",   "response_mean_h", "since_need_p90_h",     "bounces_per_request",
      "handoffs_per_request", "redocumentations_per_request", "share_unreported", "share_abandoned", "share_lost",
      "share_no_responsible_unit", "share_unresolved", "share_deadline_breached", "service_gap",
      "cost_per_resolved", "mean_willingness_end"};
  return names;
}

std::vector<ComparisonRow> compare_runs(const std::vector<RunResult>& runs) {
  using Key = std::tuple<std::string, std::string, std::string>;
  std::vector<std::map<Key, std::vector<double>>> values(runs.size());
  std::vector<Key> order;
  for (std::size_t i = 0; i < runs.size(); ++i)
    for (const auto& rep : runs[i].replications)
      for (const auto& m : rep.metrics) {
        const Key k{m.name, m.scope, m.key};
        auto [it, fresh] = values[i].try_emplace(k);
        if (fresh && i == 0) order.push_back(k);
        it->second.push_back(m.value);
      }
  std::vector<ComparisonRow> rows;
  for (const auto& k : order) {
    // Only metrics every scenario has (units differ between structures).
    bool everywhere = true;
    for (const auto& v : values) everywhere = everywhere && v.count(k);
    if (!everywhere) continue;
    ComparisonRow row{std::get<0>(k), std::get<1>(k), std::get<2>(k), {}, {}, {}};
    const auto& base = values[0].at(k);
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const auto& v = values[i].at(k);
      row.value.push_back(sim::estimate(v));
      std::vector<double> diff;
      for (std::size_t r = 0; r < std::min(v.size(), base.size()); ++r) diff.push_back(v[r] - base[r]);
      row.paired.push_back(sim::estimate(diff));
      // Welch: unpaired interval of the difference of means.
      const sim::Estimate a = sim::estimate(base), b = sim::estimate(v);
      double half = NAN;
      if (a.n > 1 && b.n > 1) {
        const double ta = a.half_width / sim::t95(a.n - 1), tb = b.half_width / sim::t95(b.n - 1);  // standard errors
        const double se2 = ta * ta + tb * tb;
        const double df = se2 * se2 / (std::pow(ta, 4) / (a.n - 1) + std::pow(tb, 4) / (b.n - 1));
        half = sim::t95(static_cast<std::uint64_t>(std::max(1.0, std::floor(std::isfinite(df) ? df : 1.0)))) *
               std::sqrt(se2);
      }
      row.unpaired_half_width.push_back(half);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void write_comparison(const std::vector<Scenario>& scenarios, const std::vector<RunResult>& runs,
                      const std::vector<ComparisonRow>& rows, const std::string& dir,
                      const std::vector<std::string>& overrides) {
  namespace fs = std::filesystem;
  std::ostringstream csv;
  csv << "metric,scope,key,scenario,baseline,mean,ci_low,ci_high,diff,diff_ci_low,diff_ci_high,unpaired_ci_low,"
         "unpaired_ci_high\n";
  for (const auto& r : rows)
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      const auto& v = r.value[i];
      const auto& d = r.paired[i];
      csv << csv_field(r.name) << ',' << csv_field(r.scope) << ',' << csv_field(r.key) << ','
          << csv_field(scenarios[i].name) << ',' << csv_field(scenarios[0].name) << ','
          << csv_number(v.mean) << ',' << csv_number(v.low()) << ',' << csv_number(v.high()) << ','
          << csv_number(d.mean) << ',' << csv_number(d.low()) << ',' << csv_number(d.high()) << ','
          << csv_number(d.mean - r.unpaired_half_width[i]) << ',' << csv_number(d.mean + r.unpaired_half_width[i])
          << '\n';
    }
  write_file_atomically((fs::path(dir) / "comparison.csv").string(), csv.str());
  std::ostringstream js;
  js << "{\n  \"govsim_version\": " << json_string(kVersion) << ",\n  \"git_commit\": " << json_string(kGitCommit)
     << ",\n  \"seed\": " << runs[0].seed << ",\n  \"replications\": " << runs[0].replications.size()
     << ",\n  \"overrides\": [";
  for (std::size_t i = 0; i < overrides.size(); ++i) js << (i ? ", " : "") << json_string(overrides[i]);
  js << "],\n  \"overrides_apply_to\": \"every scenario\",\n  \"scenarios\": [";
  for (std::size_t i = 0; i < scenarios.size(); ++i)
    js << (i ? ", " : "") << "{\"name\": " << json_string(scenarios[i].name) << ", \"path\": "
       << json_string(scenarios[i].path) << ", \"content_hash\": " << json_string(scenarios[i].content_hash)
       << ", \"folder\": " << json_string("run-" + std::to_string(i))
       << ", \"resolved_scenario\": " << json_string("run-" + std::to_string(i) + "/scenario.resolved.yaml") << "}";
  js << "],\n  \"rows\": [\n";
  bool first = true;
  for (const auto& r : rows) {
    if (r.scope != "all" && r.scope != "type" && r.scope != "group" && r.scope != "tier") continue;
    js << (first ? "" : ",\n") << "    {\"metric\": " << json_string(r.name) << ", \"scope\": " << json_string(r.scope)
       << ", \"key\": " << json_string(r.key) << ", \"values\": [";
    first = false;
    for (std::size_t i = 0; i < scenarios.size(); ++i)
      js << (i ? ", " : "") << "{\"mean\": " << json_number(r.value[i].mean) << ", \"ci_low\": "
         << json_number(r.value[i].low()) << ", \"ci_high\": " << json_number(r.value[i].high())
         << ", \"diff\": " << json_number(r.paired[i].mean) << ", \"diff_ci_low\": " << json_number(r.paired[i].low())
         << ", \"diff_ci_high\": " << json_number(r.paired[i].high())
         << ", \"unpaired_half_width\": " << json_number(r.unpaired_half_width[i]) << "}";
    js << "]}";
  }
  js << "\n  ]\n}\n";
  write_file_atomically((fs::path(dir) / "comparison.json").string(), js.str());
}

std::string comparison_table(const std::vector<Scenario>& scenarios, const std::vector<ComparisonRow>& rows) {
  std::ostringstream out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-30s", "metric");
  out << buf;
  for (const auto& s : scenarios) {
    std::snprintf(buf, sizeof buf, " %18.18s", s.name.c_str());
    out << buf;
  }
  for (std::size_t i = 1; i < scenarios.size(); ++i) {
    std::snprintf(buf, sizeof buf, "   %-30s", ("diff vs " + scenarios[0].name.substr(0, 14) + " [95% CI]").c_str());
    out << buf;
  }
  out << '\n';
  for (const auto& name : headline_metrics())
    for (const auto& r : rows) {
      if (r.name != name || r.scope != "all") continue;
      std::snprintf(buf, sizeof buf, "%-30s", name.c_str());
      out << buf;
      for (const auto& v : r.value) {
        std::snprintf(buf, sizeof buf, " %18.4g", v.mean);
        out << buf;
      }
      for (std::size_t i = 1; i < r.paired.size(); ++i) {
        const auto& d = r.paired[i];
        std::snprintf(buf, sizeof buf, "   %+9.3g [%+8.3g,%+8.3g]%s", d.mean, d.low(), d.high(),
                      (d.n > 1 && (d.low() > 0 || d.high() < 0)) ? " *" : "  ");
        out << buf;
      }
      out << '\n';
    }
  out << "(times in hours; shares of all needs; * the paired 95% interval excludes 0)\n";
  return out.str();
}

}  // namespace govsim
