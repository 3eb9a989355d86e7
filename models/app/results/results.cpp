// models/app/results/results.cpp: writing result files, and the summary table.
#include "models/app/results/results.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>

#include "govsim/version.hpp"
#include "models/app/results/csv.hpp"
#include "models/app/results/json.hpp"
#include "models/app/results/metric_registry.hpp"

namespace govsim {
namespace fs = std::filesystem;

std::string csv_number(double v) {
  if (std::isnan(v)) return "";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}
namespace {

/// The folders this process has claimed: their lock files stay open (and
/// locked) until release_output_folders() or the process's end.
struct Claim {
  std::string lock_path;
  int fd = -1;
};
std::mutex g_claims_mutex;
std::vector<Claim> g_claims;

constexpr const char* kLockName = ".govsim.lock";

/// Locks `dir` for this process, or says who holds it. The lock file is
/// created without following a symbolic link planted in its place, and it
/// doubles as the probe that the folder is writable.
void claim_folder_impl(const std::string& dir) {
  const std::string lock = (fs::path(dir) / kLockName).string();
  {
    const std::lock_guard<std::mutex> guard(g_claims_mutex);
    for (const auto& c : g_claims)
      if (c.lock_path == lock) return;  // this process holds it already (a sweep resumed in-process)
  }
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
      if (errno == ELOOP)
        throw OutputError(dir + ": error: " + lock + " is a symbolic link; govsim will not write through it");
      throw OutputError(dir + ": error: the output folder is not writable (" + std::strerror(errno) + ")");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      throw OutputError(dir + ": error: another govsim process is writing to this folder; choose another --out");
    }
    // The holder before us may have removed the file after we opened it: the
    // lock then guards nothing. Keep it only if it is still the file at `lock`.
    struct stat held {}, now {};
    if (::fstat(fd, &held) == 0 && ::lstat(lock.c_str(), &now) == 0 && held.st_ino == now.st_ino &&
        held.st_dev == now.st_dev) {
      const std::lock_guard<std::mutex> guard(g_claims_mutex);
      g_claims.push_back({lock, fd});
      return;
    }
    ::close(fd);
  }
  throw OutputError(dir + ": error: cannot lock the output folder");
}

bool is_own_leftover(const std::string& name) {
  return name == kLockName || name.find(".partial-") != std::string::npos;
}

/// Files and folders govsim (and its plotting scripts) write into a result
/// folder: what --force removes, so that nothing stale looks current.
bool is_govsim_output(const fs::path& entry) {
  static const std::set<std::string> files = {
      "summary.json", "metrics.csv", "timeseries.csv", "distributions.csv", "scenario.resolved.yaml",
      "comparison.csv", "comparison.json", "report.html", "manifest.json", "plan.json", "design.csv", "sweep.csv",
      "points.csv", "failures.csv", "sensitivity.csv", "sobol.csv"};
  const std::string name = entry.filename().string();
  if (files.count(name) || is_own_leftover(name)) return true;
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(entry, ec))) return false;
  if (name == "plots" || name == "runs") return true;
  // run-N: the runs of a comparison.
  return name.size() > 4 && name.rfind("run-", 0) == 0 &&
         name.find_first_not_of("0123456789", 4) == std::string::npos;
}

}  // namespace

void claim_output_folder(const std::string& dir) { claim_folder_impl(dir); }

void release_output_folders() {
  const std::lock_guard<std::mutex> guard(g_claims_mutex);
  for (const auto& c : g_claims) {
    ::unlink(c.lock_path.c_str());  // before unlocking: a waiting process then sees a new file
    ::close(c.fd);
  }
  g_claims.clear();
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
    if (safe.size() > 200) safe.resize(200);
    fs::create_directories("results", ec);
    // mkdir is atomic: two runs started together never pick the same folder.
    for (int n = 1;; ++n) {
      target = "results/" + safe + "-" + std::to_string(n);
      if (::mkdir(target.c_str(), 0777) == 0) break;
      if (errno != EEXIST) throw OutputError(target + ": error: cannot create the output folder: " + std::strerror(errno));
    }
    claim_folder_impl(target);
    return target;
  }
  const auto link = fs::symlink_status(target, ec);
  if (fs::is_symlink(link) && !fs::exists(target, ec))
    throw OutputError(target + ": error: is a symbolic link to `" + fs::read_symlink(target, ec).string() +
                      "`, which does not exist");
  if (fs::exists(target, ec)) {
    if (!fs::is_directory(target, ec)) throw OutputError(target + ": error: exists and is not a folder");
  } else {
    fs::create_directories(target, ec);
    if (ec) throw OutputError(target + ": error: cannot create the output folder: " + ec.message());
  }
  // Claim the folder first, then look at it: a second run into the same
  // folder is refused even while the first has written nothing yet.
  claim_folder_impl(target);
  bool holds_files = false;
  for (const auto& e : fs::directory_iterator(target, ec))
    if (!is_own_leftover(e.path().filename().string())) holds_files = true;
  if (holds_files && !force)
    throw OutputError(target + ": error: the folder already holds files; choose a new --out or pass --force");
  // What govsim wrote here before would sit beside the new results and look
  // current (a comparison's run-2/ after a 2-way compare, plots of the old
  // figures): remove it. Other files are the user's and stay.
  for (const auto& e : fs::directory_iterator(target, ec))
    if (is_govsim_output(e.path()) && e.path().filename() != kLockName) fs::remove_all(e.path(), ec);
  return target;
}

namespace {
mode_t file_mode() {
  static const mode_t mode = [] {
    const mode_t mask = ::umask(022);
    ::umask(mask);
    return static_cast<mode_t>(0666 & ~mask);
  }();
  return mode;
}
}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
  // Through a symbolic link to the file it names: renaming over the link
  // would replace the link. Only regular files are replaced: never a device
  // (/dev/stdout) or a pipe.
  std::error_code ec;
  fs::path target = path;
  if (fs::is_symlink(fs::symlink_status(target, ec))) {
    const fs::path resolved = fs::weakly_canonical(target, ec);
    if (ec) throw OutputError(path + ": error: cannot follow the symbolic link: " + ec.message());
    target = resolved;
  }
  const auto status = fs::status(target, ec);
  if (fs::exists(status) && !fs::is_regular_file(status))
    throw OutputError(path + ": error: is not a regular file; govsim writes only regular files");
  fs::path folder = target.parent_path();
  if (folder.empty()) folder = ".";
  // A short temporary name (a long final name would push it past 255 bytes),
  // created exclusively (never through a planted link).
  std::string tmp = (folder / ".govsim.partial-XXXXXX").string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) throw OutputError(path + ": error: cannot write (" + std::strerror(errno) + ")");
  ::fchmod(fd, file_mode());
  std::size_t done = 0;
  bool ok = true;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) ok = false;
  if (!ok) {
    ::unlink(tmp.c_str());
    throw OutputError(path + ": error: write failed (disk full?)");
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    throw OutputError(path + ": error: cannot finish writing: " + std::strerror(error));
  }
}

void remove_partial_files(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().filename().string().find(".partial-") != std::string::npos) fs::remove(entry.path(), ec);
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

void write_run(const Scenario& scenario, const RunResult& run, const std::string& dir,
               const std::vector<std::string>& overrides) {
  const auto rows = summarise(run);
  // metrics.csv
  {
    std::ostringstream out;
    out << "replication,metric,scope,key,value\n";
    for (const auto& rep : run.replications)
      for (const auto& m : rep.metrics)
        out << rep.replication << ',' << csv_field(m.name) << ',' << csv_field(m.scope) << ',' << csv_field(m.key) << ','
            << csv_number(m.value) << '\n';
    write_file_atomically((fs::path(dir) / "metrics.csv").string(), out.str());
  }
  // timeseries.csv
  {
    std::ostringstream out;
    out << "replication,time_h,unit,group,tier,kind,queue,busy,utilisation,mean_willingness\n";
    for (const auto& rep : run.replications)
      for (const auto& s : rep.series)
        out << rep.replication << ',' << csv_number(s.time_h) << ',' << csv_field(run.unit_names[s.unit]) << ','
            << csv_field(run.unit_groups[s.unit]) << ',' << csv_field(run.unit_tiers[s.unit]) << ','
            << csv_field(run.unit_kinds[s.unit]) << ','
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
        out << csv_field(key.substr(0, colon)) << ',' << csv_field(key.substr(colon + 1)) << ',' << csv_number(q / 100.0) << ','
            << csv_number(h.first.quantile(q / 100.0)) << ',' << csv_number(h.second.quantile(q / 100.0)) << '\n';
    }
    write_file_atomically((fs::path(dir) / "distributions.csv").string(), out.str());
  }
  // summary.json, last: its presence means the folder is complete.
  {
    std::uint64_t events = 0;
    for (const auto& rep : run.replications) events += rep.counters.events;
    Json doc;
    doc["govsim_version"] = kVersion;
    doc["git_commit"] = kGitCommit;
    doc["scenario"] = {{"name", scenario.name}, {"path", scenario.path}, {"content_hash", scenario.content_hash},
                       {"files", scenario.files}};
    doc["overrides"] = overrides;
    doc["resolved_scenario"] = "scenario.resolved.yaml";
    doc["seed"] = run.seed;
    doc["replications"] = run.replications.size();
    doc["threads"] = run.threads;
    doc["wall_seconds"] = json_number(run.wall_seconds);
    doc["horizon_h"] = json_number(scenario.simulation.horizon_h);
    doc["warmup_h"] = json_number(scenario.simulation.warmup_h);
    doc["lookahead_h"] = json_number(run.lookahead_h);
    doc["residents"] = run.residents;
    doc["units"] = run.unit_names.size();
    doc["events"] = events;
    doc["events_per_second"] = json_number(static_cast<double>(events) / std::max(run.wall_seconds, 1e-9));
    doc["warnings"] = run_warnings(rows);
    doc["metric_registry"] = metric_registry_json();
    Json& metrics = doc["metrics"] = Json::array();
    for (const auto& r : rows)
      metrics.push_back({{"metric", r.name}, {"scope", r.scope}, {"key", r.key}, {"mean", json_number(r.estimate.mean)},
                         {"ci_low", json_number(r.estimate.low())}, {"ci_high", json_number(r.estimate.high())},
                         {"n", r.estimate.n}});
    write_file_atomically((fs::path(dir) / "summary.json").string(), json_text(doc));
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
  std::snprintf(line, sizeof line, "  %-58s %14s %25s\n", "metric (all requests), unit", "mean", "95% CI");
  out << line;
  const char* headline[] = {"needs", "resolved", "response_mean_h", "response_median_h", "response_p90_h",
                            "response_p99_h", "share_within_deadline", "share_within_1wd", "share_within_3wd",
                            "share_within_10wd", "wait_mean_h", "service_mean_h", "transit_mean_h", "closed_mean_h",
                            "cosign_wait_mean_h", "handoffs_per_request", "bounces_per_request", "share_unreported",
                            "share_abandoned", "share_lost", "share_no_responsible_unit", "share_unresolved",
                            "share_deadline_breached", "service_gap", "throughput_per_day", "utilisation",
                            "paid_staff_hours", "volunteer_hours", "overtime_hours", "fiscal_cost_per_resolved",
                            "work_hours_for_residents_per_resolved", "work_hours_diverted_per_resolved", "little_L",
                            "little_lambda_W", "mean_willingness_end"};
  for (const char* name : headline) {
    const SummaryRow* r = find(name);
    if (!r) continue;
    const auto& e = r->estimate;
    // Labels and units from the metric registry (docs/results.md); the CSVs keep the names.
    const std::string label = find_metric(name) ? metric_label(name, "en") : std::string(name);
    if (e.n > 1)
      std::snprintf(line, sizeof line, "  %-58s %14.4g   [%10.4g, %10.4g]\n", label.c_str(), e.mean, e.low(), e.high());
    else
      std::snprintf(line, sizeof line, "  %-58s %14.4g\n", label.c_str(), e.mean);
    out << line;
  }
  // How busy each tier is, in working time.
  std::string tiers;
  for (const auto& r : rows)
    if (r.name == "utilisation" && r.scope == "tier") {
      std::snprintf(line, sizeof line, "%s%s %.0f%%", tiers.empty() ? "" : ", ", r.key.c_str(), 100 * r.estimate.mean);
      tiers += line;
    }
  if (!tiers.empty()) out << "  utilisation by tier (working time): " << tiers << "\n";
  for (const auto& w : run_warnings(rows)) out << "  warning: " << w << "\n";
  return out.str();
}

}  // namespace govsim
