// models/results.cpp: writing result files, and the summary table.
#include "models/results.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "govsim/version.hpp"
#include "models/metric_registry.hpp"

namespace govsim {
namespace fs = std::filesystem;

std::string csv_number(double v) {
  if (std::isnan(v)) return "";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}
std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  return csv_number(v);
}
std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string prepare_output_folder(const std::string& dir, const std::string& stem, bool force) {
  std::string target = dir;
  std::error_code ec;
  if (target.empty()) {
    // The stem is the scenario's name, which is free text: it must name one
    // folder inside results/, not a path elsewhere (`name: ../../etc`).
    std::string safe = stem;
    for (char& c : safe)
      if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = '_';
    if (safe.empty() || safe[0] == '.') safe.insert(0, "run");
    for (int n = 1;; ++n) {
      target = "results/" + safe + "-" + std::to_string(n);
      if (!fs::exists(target, ec)) break;
    }
  }
  if (fs::exists(target, ec)) {
    if (!fs::is_directory(target, ec)) throw OutputError(target + ": error: exists and is not a folder");
    if (!fs::is_empty(target, ec) && !force)
      throw OutputError(target + ": error: the folder already holds files; choose a new --out or pass --force");
  } else {
    fs::create_directories(target, ec);
    if (ec) throw OutputError(target + ": error: cannot create the output folder: " + ec.message());
  }
  // Probe writability now, before hours of simulation.
  const std::string probe = (fs::path(target) / ".govsim-write-test").string();
  {
    std::ofstream out(probe);
    if (!out) throw OutputError(target + ": error: the output folder is not writable");
  }
  fs::remove(probe, ec);
  return target;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".partial-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw OutputError(path + ": error: cannot write");
    out << content;
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw OutputError(path + ": error: write failed (disk full?)");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw OutputError(path + ": error: cannot finish writing: " + ec.message());
  }
}

std::vector<std::string> run_warnings(const std::vector<SummaryRow>& rows) {
  std::vector<std::string> warnings;
  // Overload: a unit whose backlog grew without bound. The run still ends (at
  // the horizon) and its figures are those of a system that never settled.
  for (const auto& r : rows)
    if (r.name == "utilisation" && r.estimate.mean > 0.98)
      warnings.push_back("unit " + r.key + " is saturated (utilisation " + csv_number(r.estimate.mean) +
                         "): demand exceeds its capacity; its backlog grows until the horizon");
  return warnings;
}

void write_run(const Scenario& scenario, const RunResult& run, const std::string& dir) {
  const auto rows = summarise(run);
  // metrics.csv
  {
    std::ostringstream out;
    out << "replication,metric,scope,key,value\n";
    for (const auto& rep : run.replications)
      for (const auto& m : rep.metrics)
        out << rep.replication << ',' << m.name << ',' << m.scope << ',' << m.key << ',' << csv_number(m.value) << '\n';
    write_file_atomically((fs::path(dir) / "metrics.csv").string(), out.str());
  }
  // timeseries.csv
  {
    std::ostringstream out;
    out << "replication,time_h,unit,group,tier,kind,queue,busy,utilisation,mean_willingness\n";
    for (const auto& rep : run.replications)
      for (const auto& s : rep.series)
        out << rep.replication << ',' << csv_number(s.time_h) << ',' << run.unit_names[s.unit] << ','
            << run.unit_groups[s.unit] << ',' << run.unit_tiers[s.unit] << ',' << run.unit_kinds[s.unit] << ','
            << s.queue << ',' << s.busy << ',' << csv_number(s.utilisation) << ',' << csv_number(s.mean_willingness)
            << '\n';
    write_file_atomically((fs::path(dir) / "timeseries.csv").string(), out.str());
  }
  // distributions.csv (pooled over replications)
  {
    std::map<std::string, std::pair<sim::LogHistogram, sim::LogHistogram>> pooled;
    for (const auto& rep : run.replications)
      for (const auto& [key, h] : rep.response_histograms) {
        auto [it, fresh] = pooled.try_emplace(key);
        it->second.first.merge(h);
        it->second.second.merge(rep.since_need_histograms.at(key));
      }
    std::ostringstream out;
    out << "scope,key,quantile,response_h,since_need_h\n";
    for (const auto& [key, h] : pooled) {
      if (h.first.count() == 0) continue;
      const auto colon = key.find(':');
      for (int q = 1; q <= 99; ++q)
        out << key.substr(0, colon) << ',' << key.substr(colon + 1) << ',' << csv_number(q / 100.0) << ','
            << csv_number(h.first.quantile(q / 100.0)) << ',' << csv_number(h.second.quantile(q / 100.0)) << '\n';
    }
    write_file_atomically((fs::path(dir) / "distributions.csv").string(), out.str());
  }
  // summary.json, last: its presence means the folder is complete.
  {
    std::uint64_t events = 0;
    for (const auto& rep : run.replications) events += rep.counters.events;
    std::ostringstream out;
    out << "{\n  \"govsim_version\": " << json_string(kVersion) << ",\n  \"git_commit\": " << json_string(kGitCommit)
        << ",\n  \"scenario\": {\"name\": " << json_string(scenario.name) << ", \"path\": " << json_string(scenario.path)
        << ", \"content_hash\": " << json_string(scenario.content_hash) << ", \"files\": [";
    for (std::size_t i = 0; i < scenario.files.size(); ++i) out << (i ? ", " : "") << json_string(scenario.files[i]);
    out << "]},\n  \"seed\": " << run.seed << ",\n  \"replications\": " << run.replications.size()
        << ",\n  \"threads\": " << run.threads << ",\n  \"wall_seconds\": " << json_number(run.wall_seconds)
        << ",\n  \"horizon_h\": " << json_number(scenario.simulation.horizon_h)
        << ",\n  \"warmup_h\": " << json_number(scenario.simulation.warmup_h)
        << ",\n  \"lookahead_h\": " << json_number(run.lookahead_h) << ",\n  \"residents\": " << run.residents
        << ",\n  \"units\": " << run.unit_names.size() << ",\n  \"events\": " << events
        << ",\n  \"events_per_second\": " << json_number(events / std::max(run.wall_seconds, 1e-9))
        << ",\n  \"warnings\": [";
    const auto warnings = run_warnings(rows);
    for (std::size_t i = 0; i < warnings.size(); ++i) out << (i ? ", " : "") << json_string(warnings[i]);
    out << "],\n  \"metric_registry\": " << metric_registry_json(4);
    out << ",\n  \"metrics\": [\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      out << "    {\"metric\": " << json_string(r.name) << ", \"scope\": " << json_string(r.scope)
          << ", \"key\": " << json_string(r.key) << ", \"mean\": " << json_number(r.estimate.mean)
          << ", \"ci_low\": " << json_number(r.estimate.low()) << ", \"ci_high\": " << json_number(r.estimate.high())
          << ", \"n\": " << r.estimate.n << "}" << (i + 1 < rows.size() ? "," : "") << "\n";
    }
    out << "  ]\n}\n";
    write_file_atomically((fs::path(dir) / "summary.json").string(), out.str());
  }
}

std::string summary_table(const Scenario& scenario, const RunResult& run) {
  const auto rows = summarise(run);
  auto find = [&](const std::string& name) -> const SummaryRow* {
    for (const auto& r : rows)
      if (r.name == name && r.scope == "all") return &r;
    return nullptr;
  };
  std::ostringstream out;
  char line[200];
  std::snprintf(line, sizeof line, "%s: %zu units, %llu residents, %zu replication(s), seed %llu, %.2f s\n",
                scenario.name.c_str(), run.unit_names.size(), static_cast<unsigned long long>(run.residents),
                run.replications.size(), static_cast<unsigned long long>(run.seed), run.wall_seconds);
  out << line;
  std::snprintf(line, sizeof line, "  %-32s %14s %25s\n", "metric (all requests)", "mean", "95% CI");
  out << line;
  const char* headline[] = {"needs", "resolved", "response_median_h", "response_p90_h", "response_mean_h",
                            "response_p99_h", "wait_mean_h", "handoffs_per_request", "bounces_per_request",
                            "share_unreported", "share_abandoned", "share_lost", "share_no_responsible_unit",
                            "share_unresolved", "share_deadline_breached", "service_gap", "throughput_per_day",
                            "cost_per_resolved", "little_L", "little_lambda_W", "mean_willingness_end"};
  for (const char* name : headline) {
    const SummaryRow* r = find(name);
    if (!r) continue;
    const auto& e = r->estimate;
    if (e.n > 1)
      std::snprintf(line, sizeof line, "  %-32s %14.4g   [%10.4g, %10.4g]\n", name, e.mean, e.low(), e.high());
    else
      std::snprintf(line, sizeof line, "  %-32s %14.4g\n", name, e.mean);
    out << line;
  }
  for (const auto& w : run_warnings(rows)) out << "  warning: " << w << "\n";
  return out.str();
}

}  // namespace govsim
