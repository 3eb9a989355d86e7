// models/app/compare/compare.cpp
#include "models/app/compare/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "govsim/version.hpp"
#include "models/app/results/csv.hpp"
#include "models/app/results/json.hpp"
#include "models/app/results/metric_registry.hpp"
#include "models/app/compare/option_summary.hpp"
#include "models/app/results/results.hpp"

namespace govsim {

const std::vector<std::string>& headline_metrics() {
  // Outcomes that are not knife-edges beside the median; where the time goes;
  // gaps; then the resources each side used and what they cost.
  static const std::vector<std::string> names = {
      "response_mean_h", "response_median_h", "response_p90_h", "share_within_deadline", "share_within_1wd",
      "share_within_3wd", "share_within_10wd", "share_deadline_breached", "wait_mean_h", "service_mean_h",
      "transit_mean_h", "closed_mean_h", "cosign_wait_mean_h", "handoffs_per_request", "bounces_per_request",
      "redocumentations_per_request", "share_unreported", "share_abandoned", "share_lost", "share_no_responsible_unit",
      "share_unresolved", "service_gap", "utilisation", "paid_staff_hours", "volunteer_hours", "overtime_hours",
      "fiscal_cost_per_resolved", "work_hours_for_residents_per_resolved", "work_hours_diverted_per_resolved",
      "mean_willingness_end"};
  return names;
}

std::vector<ComparisonRow> compare_runs(const std::vector<RunResult>& runs, std::size_t baseline) {
  using Key = std::tuple<std::string, std::string, std::string>;
  std::vector<std::map<Key, std::vector<double>>> values(runs.size());
  std::vector<Key> order;
  for (std::size_t i = 0; i < runs.size(); ++i)
    for (const auto& rep : runs[i].replications)
      for (const auto& m : rep.metrics) {
        const Key k{m.name, m.scope, m.key};
        auto [it, fresh] = values[i].try_emplace(k);
        if (fresh && i == baseline) order.push_back(k);
        it->second.push_back(m.value);
      }
  std::vector<ComparisonRow> rows;
  for (const auto& k : order) {
    // Only metrics every scenario has (units differ between structures).
    bool everywhere = true;
    for (const auto& v : values) everywhere = everywhere && v.count(k);
    if (!everywhere) continue;
    ComparisonRow row{std::get<0>(k), std::get<1>(k), std::get<2>(k), {}, {}, {}};
    const auto& base = values[baseline].at(k);
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
                      const std::vector<ComparisonRow>& rows, const std::string& dir, std::size_t baseline,
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
          << csv_field(scenarios[i].name) << ',' << csv_field(scenarios[baseline].name) << ','
          << csv_number(v.mean) << ',' << csv_number(v.low()) << ',' << csv_number(v.high()) << ','
          << csv_number(d.mean) << ',' << csv_number(d.low()) << ',' << csv_number(d.high()) << ','
          << csv_number(d.mean - r.unpaired_half_width[i]) << ',' << csv_number(d.mean + r.unpaired_half_width[i])
          << '\n';
    }
  write_file_atomically((fs::path(dir) / "comparison.csv").string(), csv.str());
  Json doc;
  doc["govsim_version"] = kVersion;
  doc["git_commit"] = kGitCommit;
  doc["seed"] = runs[0].seed;
  doc["replications"] = runs[0].replications.size();
  doc["baseline"] = scenarios[baseline].name;
  doc["overrides"] = overrides;
  doc["overrides_apply_to"] = "every scenario";
  Json& listed = doc["scenarios"] = Json::array();
  for (std::size_t i = 0; i < scenarios.size(); ++i)
    listed.push_back({{"name", scenarios[i].name},
                      {"path", scenarios[i].path},
                      {"content_hash", scenarios[i].content_hash},
                      {"folder", "run-" + std::to_string(i)},
                      {"resolved_scenario", "run-" + std::to_string(i) + "/scenario.resolved.yaml"}});
  Json& options = doc["options"] = Json::array();
  for (const auto& s : scenarios) options.push_back(option_json(s, scenarios[baseline], overrides));
  doc["metric_registry"] = metric_registry_json();
  Json& out_rows = doc["rows"] = Json::array();
  for (const auto& r : rows) {
    if (r.scope != "all" && r.scope != "type" && r.scope != "group" && r.scope != "tier" && r.scope != "unit_group")
      continue;
    Json values = Json::array();
    for (std::size_t i = 0; i < scenarios.size(); ++i)
      values.push_back({{"mean", json_number(r.value[i].mean)},
                        {"ci_low", json_number(r.value[i].low())},
                        {"ci_high", json_number(r.value[i].high())},
                        {"diff", json_number(r.paired[i].mean)},
                        {"diff_ci_low", json_number(r.paired[i].low())},
                        {"diff_ci_high", json_number(r.paired[i].high())},
                        {"unpaired_half_width", json_number(r.unpaired_half_width[i])}});
    out_rows.push_back({{"metric", r.name}, {"scope", r.scope}, {"key", r.key}, {"values", std::move(values)}});
  }
  write_file_atomically((fs::path(dir) / "comparison.json").string(), json_text(doc));
}

namespace {

/// Terminal columns of UTF-8 text: CJK characters and full-width punctuation take two.
std::size_t display_width(const std::string& s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    w += len >= 3 ? 2 : 1;
    i += len;
  }
  return w;
}
std::string pad(const std::string& s, std::size_t width, bool right = false) {
  const std::size_t w = display_width(s);
  const std::string fill(width > w ? width - w : 0, ' ');
  return right ? fill + s : s + fill;
}
/// A value in its display unit: shares in percent (differences in percentage points), hours as hours.
std::string shown(double v, const MetricInfo* m, bool difference) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  const std::string_view f = m ? m->format : "decimal";
  if (f == "percent")
    std::snprintf(buf, sizeof buf, difference ? "%+.2f" : "%.2f", 100 * v);
  else if (f == "money" || f == "count")
    std::snprintf(buf, sizeof buf, difference ? "%+.4g" : "%.4g", v);
  else
    std::snprintf(buf, sizeof buf, difference ? "%+.3g" : "%.3g", v);
  return buf;
}

}  // namespace

std::string comparison_table(const std::vector<Scenario>& scenarios, const std::vector<ComparisonRow>& rows,
                             std::size_t baseline, const std::string& lang) {
  const bool zh = lang == "zh";
  // Rows: the verdict's outcomes, then the other headline metrics, where the runs have them.
  std::vector<std::string> names;
  for (const auto& n : verdict_metrics()) names.push_back(n);
  for (const auto& n : headline_metrics())
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  std::vector<const ComparisonRow*> shown_rows;
  for (const auto& name : names)
    for (const auto& r : rows)
      if (r.name == name && r.scope == "all") shown_rows.push_back(&r);
  std::vector<std::string> head{zh ? "指标（单位）" : "metric (unit)"};
  for (std::size_t i = 0; i < scenarios.size(); ++i)
    head.push_back(scenarios[i].name + (i == baseline ? (zh ? "（基线）" : " (baseline)") : ""));
  for (std::size_t i = 0; i < scenarios.size(); ++i)
    if (i != baseline)
      head.push_back(scenarios[i].name + " - " + scenarios[baseline].name + (zh ? " [95%置信区间]" : " [95% CI]"));
  std::vector<std::vector<std::string>> table{head};
  for (const ComparisonRow* r : shown_rows) {
    const MetricInfo* m = find_metric(r->name);
    std::string label = metric_label(r->name, zh ? "zh" : "en");
    if (m && m->format == "percent") label = (zh ? std::string(m->label_zh) + "（%）" : std::string(m->label_en) + " (%)");
    std::vector<std::string> line{label};
    for (const auto& v : r->value) line.push_back(shown(v.mean, m, false));
    for (std::size_t i = 0; i < r->paired.size(); ++i) {
      if (i == baseline) continue;
      const auto& d = r->paired[i];
      // A marker only where the interval has width and excludes 0 (not with one replication).
      const bool clear = d.n > 1 && d.high() > d.low() && (d.low() > 0 || d.high() < 0);
      std::string mark;
      if (clear && m && m->better != Better::neutral)
        mark = ((d.mean < 0) == (m->better == Better::lower)) ? (zh ? " 较好" : " better") : (zh ? " 较差" : " worse");
      line.push_back(shown(d.mean, m, true) + " [" + shown(d.low(), m, true) + ", " + shown(d.high(), m, true) + "]" +
                     mark);
    }
    table.push_back(std::move(line));
  }
  std::vector<std::size_t> width(head.size(), 0);
  for (const auto& line : table)
    for (std::size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], display_width(line[c]));
  std::ostringstream out;
  for (const auto& line : table) {
    for (std::size_t c = 0; c < line.size(); ++c)
      out << (c ? "  " : "") << pad(line[c], width[c], c > 0 && c <= scenarios.size());
    out << '\n';
  }
  out << (zh ? "（百分比为占全部需求或已反映诉求的比例，差值为百分点；时间单位为小时；“较好/较差”：配对95%置信区间不含0）\n"
             : "(shares in percent, differences in percentage points; times in hours; better/worse: the paired 95% "
               "interval excludes 0)\n");
  return out.str();
}

}  // namespace govsim
