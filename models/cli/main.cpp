// models/cli/main.cpp: the govsim command line.
//
//   govsim run SCENARIO [--seed N] [--replications R] [--threads T] [--out DIR] [--set path=value ...]
//   govsim compare A.yaml B.yaml [C.yaml ...] [same options]
//   govsim sweep SWEEP.yaml [--out DIR] [--resume] [--threads T] [--dry-run]
//   govsim check SCENARIO
//   govsim describe SCENARIO [--dot FILE]
//
// Exit status: 0 success; 2 bad input (scenario, options, output folder); 1 internal error;
// 128 + n when stopped by signal n (SIGINT 130, SIGTERM 143), finished work kept.
// --set values are YAML and may hold commas ({dist: exponential, mean: 2}):
// cxxopts must not split a repeated option's value into a list at them.
// Arguments cannot contain a NUL, so it never splits.
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>
#include <signal.h>
#include <unistd.h>

#include <boost/graph/graphviz.hpp>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "govsim/version.hpp"
#include "models/cli/sweep_cli.hpp"
#include "models/compare.hpp"
#include "models/option_summary.hpp"
#include "models/organisation.hpp"
#include "models/population.hpp"
#include "models/results.hpp"
#include "models/scenario_loader.hpp"
#include "models/simulation.hpp"

namespace {

using namespace govsim;

// SIGINT/SIGTERM: the first asks every running simulation to stop at its next
// window boundary (finished work is kept, unfinished work discarded); a second
// one ends the process at once.
std::atomic<bool> g_stop{false};
volatile sig_atomic_t g_signal = 0;

extern "C" void on_signal(int signal_number) {
  if (g_stop.exchange(true)) {
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
    return;
  }
  g_signal = signal_number;
  static const char kMessage[] = "\ngovsim: stopping at the next safe point (again to abort at once)\n";
  const ssize_t ignored = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  (void)ignored;
}

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int interrupted_status() { return 128 + (g_signal ? static_cast<int>(g_signal) : SIGINT); }

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

const char* kUsage =
    "govsim: agent-based simulation of urban grassroots governance reform\n"
    "\n"
    "usage:\n"
    "  govsim run SCENARIO [options]        run a scenario, print a summary, write results\n"
    "  govsim compare A B [C ...] [options] run scenarios on common random numbers, paired differences\n"
    "  govsim sweep SWEEP [options]         run a parameter sweep or sensitivity design (docs/sweeps.md)\n"
    "  govsim check SCENARIO [--set p=v]    validate a scenario without running it\n"
    "  govsim describe SCENARIO [--dot F]   tiers, units, staff and graph statistics; Graphviz DOT\n"
    "  govsim --version | --help\n"
    "\n"
    "run/compare options:\n"
    "  --seed N            master seed (default: the scenario's simulation.seed)\n"
    "  --replications R    independent replications (default: the scenario's)\n"
    "  --threads T         worker threads (default: all cores); results do not depend on T\n"
    "  --out DIR           output folder (default: a new folder under results/)\n"
    "  --force             write into an output folder that already holds files\n"
    "  --set path=value    override a scenario value, e.g. --set units.centre.staff=12 (repeatable)\n"
    "  --memory-limit MiB  refuse runs estimated to need more (default: 80% of physical memory)\n"
    "  --quiet             no progress lines\n"
    "  --baseline NAME     compare: differences against this scenario (name or file; default: the first)\n"
    "  --lang en|zh        compare: the terminal table in English or Chinese\n"
    "\n"
    "sweep options: --out DIR, --force, --threads T (runs at once), --quiet, and\n"
    "  --resume            continue an interrupted sweep in --out DIR, keeping every finished run\n"
    "  --dry-run           print the design's points and stop\n"
    "  (under mpirun, rank 0 hands runs to the other ranks; see docs/sweeps.md)\n"
    "\n"
    "Ctrl-C (SIGINT) or SIGTERM stops cleanly: finished runs are kept, result files are\n"
    "complete or absent; a second signal aborts at once.\n"
    "\n"
    "exit status: 0 ok, 2 bad input or output folder, 1 internal error, 130/143 interrupted\n";

struct Common {
  std::vector<std::string> positional;
  std::vector<std::string> sets;
  RunSettings settings;
  std::string out, dot, baseline, lang = "en";
  bool force = false, quiet = false, resume = false, dry_run = false;
};

Common parse(int argc, char** argv, const std::string& command) {
  cxxopts::Options options("govsim " + command);
  options.add_options()("seed", "", cxxopts::value<std::uint64_t>())("replications", "", cxxopts::value<int>())(
      "threads", "", cxxopts::value<int>())("out", "", cxxopts::value<std::string>())("force", "")(
      "set", "", cxxopts::value<std::vector<std::string>>())("memory-limit", "", cxxopts::value<std::uint64_t>())(
      "quiet", "")("resume", "")("dry-run", "")("dot", "", cxxopts::value<std::string>())("baseline", "", cxxopts::value<std::string>())(
      "lang", "", cxxopts::value<std::string>())("positional", "",
                                                             cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"positional"});
  Common c;
  try {
    const auto r = options.parse(argc, argv);
    if (r.count("positional")) c.positional = r["positional"].as<std::vector<std::string>>();
    if (r.count("set")) c.sets = r["set"].as<std::vector<std::string>>();
    if (r.count("seed")) c.settings.seed = r["seed"].as<std::uint64_t>();
    if (r.count("replications")) {
      const int n = r["replications"].as<int>();
      if (n < 1 || n > 10000) throw UsageError("--replications must be between 1 and 10000");
      c.settings.replications = n;
    }
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    c.settings.threads = r.count("threads") ? r["threads"].as<int>() : static_cast<int>(cores > 0 ? cores : 1);
    if (c.settings.threads < 1 || c.settings.threads > 1024) throw UsageError("--threads must be between 1 and 1024");
    if (r.count("out")) c.out = r["out"].as<std::string>();
    if (r.count("dot")) c.dot = r["dot"].as<std::string>();
    if (r.count("baseline")) c.baseline = r["baseline"].as<std::string>();
    if (r.count("lang")) c.lang = r["lang"].as<std::string>();
    if (c.lang != "en" && c.lang != "zh") throw UsageError("--lang must be en or zh, not `" + c.lang + "`");
    if ((r.count("baseline") || r.count("lang")) && command != "compare")
      throw UsageError("--baseline and --lang apply to `compare` only");
    c.force = r.count("force") > 0;
    c.quiet = r.count("quiet") > 0;
    c.resume = r.count("resume") > 0;
    c.dry_run = r.count("dry-run") > 0;
    if ((c.resume || c.dry_run) && command != "sweep") throw UsageError("--resume and --dry-run apply to `sweep` only");
    if (command == "sweep" && (r.count("seed") || r.count("replications") || r.count("set")))
      throw UsageError("a sweep takes its seeds, replications and settings from the sweep file");
    if (c.resume && r.count("out") == 0) throw UsageError("--resume needs --out DIR: the folder of the sweep to continue");
    if (c.resume && c.force) throw UsageError("--resume keeps finished runs; --force would discard them: choose one");
    c.settings.cancel = &g_stop;
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    c.settings.memory_limit_bytes =
        r.count("memory-limit") ? r["memory-limit"].as<std::uint64_t>() << 20
                                : static_cast<std::uint64_t>(pages > 0 && page > 0 ? 0.8 * pages * page : 0);
  } catch (const cxxopts::exceptions::exception& e) {
    throw UsageError(e.what());
  }
  return c;
}

void progress_line(bool quiet, const std::string& name, int done, int total) {
  if (quiet) return;
  std::fprintf(stderr, "  %s: replication %d/%d done\n", name.c_str(), done, total);
}

int cmd_check(const Common& c) {
  if (c.positional.size() != 1) throw UsageError("check needs exactly one scenario file");
  const Scenario s = load_scenario(c.positional[0], c.sets);
  const Organisation org(s);
  std::printf("%s: ok (%zu request types, %zu unit groups, %zu units, %zu populations)\n", c.positional[0].c_str(),
              s.request_types.size(), s.units.size(), org.size(), s.populations.size());
  return 0;
}

int cmd_describe(const Common& c) {
  if (c.positional.size() != 1) throw UsageError("describe needs exactly one scenario file");
  const Scenario s = load_scenario(c.positional[0], c.sets);
  const Organisation org(s);
  std::uint64_t residents = 0;
  for (const auto& p : s.populations)
    residents += static_cast<std::uint64_t>(s.unit_group(p.at)->count) * static_cast<std::uint64_t>(p.residents_per_unit);
  std::printf("%s\n%s\n\n", s.name.c_str(), s.description.c_str());
  std::printf("tiers: ");
  const auto tiers = org.tiers();
  for (std::size_t i = 0; i < tiers.size(); ++i) std::printf("%s%s", i ? " -> " : "", tiers[i].c_str());
  std::printf("  (%zu)\n\n%-22s %-20s %-12s %6s %6s %8s  %s\n", tiers.size(), "unit group", "kind", "tier", "count",
              "staff", "diverted", "resolves");
  int connected = 0;
  for (const auto& u : org.units()) connected += u.connected;
  for (const auto& g : s.units) {
    std::string resolves;
    for (const auto& [t, d] : g.resolves) resolves += (resolves.empty() ? "" : ", ") + t;
    std::printf("%-22s %-20s %-12s %6d %6d %7.0f%%  %s\n", g.name.c_str(), to_string(g.kind), g.tier.c_str(), g.count,
                g.staff, 100 * (g.admin_burden + g.economic_targets), resolves.c_str());
  }
  const auto& graph = org.graph();
  std::map<int, int> by_kind;
  for (auto e : boost::make_iterator_range(boost::edges(graph))) ++by_kind[graph[e].kind];
  std::size_t max_out = 0, max_in = 0;
  for (auto v : boost::make_iterator_range(boost::vertices(graph))) {
    max_out = std::max<std::size_t>(max_out, boost::out_degree(v, graph));
    max_in = std::max<std::size_t>(max_in, boost::in_degree(v, graph));
  }
  std::uint64_t staff = 0;
  for (const auto& g : s.units) staff += static_cast<std::uint64_t>(g.staff) * g.count;
  std::printf("\norganisational graph: %zu units, %zu edges (hierarchy %d, referral %d, routing %d); max in-degree %zu, "
              "max out-degree %zu\nstaff: %llu; on the data platform: %d of %zu units; residents: %llu",
              boost::num_vertices(graph), boost::num_edges(graph), by_kind[EdgeInfo::hierarchy],
              by_kind[EdgeInfo::referral], by_kind[EdgeInfo::routing], max_in, max_out,
              static_cast<unsigned long long>(staff), connected, org.size(), static_cast<unsigned long long>(residents));
  if (residents > 0) std::printf(" (%.1f staff per 10,000)", 1e4 * static_cast<double>(staff) / residents);
  std::printf("\n");
  if (!c.dot.empty()) {
    write_file_atomically(c.dot, structure_dot(s, org));
    std::printf("wrote %s\n", c.dot.c_str());
  }
  return 0;
}

void remove_if_created_and_empty(const std::string& dir, bool created) {
  std::error_code ec;
  if (created && std::filesystem::is_empty(dir, ec)) std::filesystem::remove(dir, ec);
}

/// After an interruption: removes the output folder if this command created
/// it and nothing finished, and says what was kept.
int stopped(const std::string& dir, bool created, const std::string& kept) {
  remove_if_created_and_empty(dir, created);
  std::fprintf(stderr, "govsim: interrupted; %s\n", kept.c_str());
  return interrupted_status();
}

bool folder_is_new(const std::string& dir) {
  std::error_code ec;
  return dir.empty() || !std::filesystem::exists(dir, ec);
}

int cmd_run(const Common& c) {
  if (c.positional.size() != 1) throw UsageError("run needs exactly one scenario file");
  const Scenario s = load_scenario(c.positional[0], c.sets);
  const bool created = folder_is_new(c.out);
  const std::string dir = prepare_output_folder(c.out, s.name.empty() ? "run" : s.name, c.force);
  RunResult run;
  try {
    run = run_scenario(s, c.settings, [&](int d, int t) { progress_line(c.quiet, s.name, d, t); });
  } catch (const Interrupted&) {
    return stopped(dir, created, "no result files were written (a run is not resumable: start it again)");
  } catch (const ScenarioError&) {
    remove_if_created_and_empty(dir, created);  // refused before running (memory, lookahead): leave nothing
    throw;
  }
  write_run(s, run, dir);
  std::printf("%s", summary_table(s, run).c_str());
  std::printf("results: %s\n", dir.c_str());
  return 0;
}

int cmd_compare(const Common& c) {
  if (c.positional.size() < 2) throw UsageError("compare needs at least two scenario files");
  std::vector<Scenario> scenarios;
  for (const auto& p : c.positional) scenarios.push_back(load_scenario(p, c.sets));
  std::size_t baseline = 0;  // --baseline NAME: a scenario's name or its file as given
  if (!c.baseline.empty()) {
    baseline = scenarios.size();
    for (std::size_t i = 0; i < scenarios.size() && baseline == scenarios.size(); ++i)
      if (scenarios[i].name == c.baseline || c.positional[i] == c.baseline) baseline = i;
    if (baseline == scenarios.size()) {
      std::string known;
      for (const auto& s : scenarios) known += (known.empty() ? "" : ", ") + s.name;
      throw UsageError("--baseline `" + c.baseline + "` is none of the compared scenarios (" + known + ")");
    }
  }
  // Common random numbers: one seed and one replication count for all.
  RunSettings settings = c.settings;
  settings.seed = settings.seed.value_or(scenarios[0].simulation.seed);
  settings.replications = settings.replications.value_or(scenarios[0].simulation.replications);
  const bool created = folder_is_new(c.out);
  const std::string dir = prepare_output_folder(c.out, "comparison", c.force);
  std::vector<RunResult> runs;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const auto& s = scenarios[i];
    try {
      runs.push_back(run_scenario(s, settings, [&](int d, int t) { progress_line(c.quiet, s.name, d, t); }));
    } catch (const ScenarioError&) {
      if (i == 0) remove_if_created_and_empty(dir, created);
      throw;
    } catch (const Interrupted&) {
      return stopped(dir, created,
                     i == 0 ? std::string("no result files were written")
                            : "the complete runs of the first " + std::to_string(i) +
                                  " scenario(s) are in " + dir + "/run-*; no comparison was written");
    }
    const std::string sub = dir + "/run-" + std::to_string(i);
    std::filesystem::create_directories(sub);
    write_run(s, runs.back(), sub);
  }
  const auto rows = compare_runs(runs, baseline);
  write_comparison(scenarios, runs, rows, dir, baseline, c.sets);
  std::printf("%s", comparison_table(scenarios, rows, baseline, c.lang).c_str());
  std::printf("seed %llu, %zu replications each, common random numbers\nresults: %s\n",
              static_cast<unsigned long long>(runs[0].seed), runs[0].replications.size(), dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "--version") {
    std::printf("govsim %s (commit %s)\n", kVersion, kGitCommit);
    return 0;
  }
  install_signal_handlers();
  try {
    const Common c = parse(argc - 1, argv + 1, command);
    if (command == "run") return cmd_run(c);
    if (command == "compare") return cmd_compare(c);
    if (command == "check") return cmd_check(c);
    if (command == "describe") return cmd_describe(c);
    if (command == "sweep") {
      if (c.positional.size() != 1) throw UsageError("sweep needs exactly one sweep file");
      cli::SweepCommand sweep{c.positional[0], c.out, c.settings.threads, c.force, c.resume, c.quiet, c.dry_run, &g_stop};
      const int status = cli::run_sweep_command(sweep);
      return status == cli::kInterrupted ? interrupted_status() : status;
    }
    throw UsageError("unknown command `" + command + "` (run, compare, sweep, check, describe)");
  } catch (const UsageError& e) {
    std::fprintf(stderr, "govsim: error: %s\n(see govsim --help)\n", e.what());
    return 2;
  } catch (const ScenarioError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const OutputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "govsim: error: out of memory\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "govsim: internal error: %s\n", e.what());
    return 1;
  }
}
