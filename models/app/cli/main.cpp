// models/app/cli/main.cpp: the govsim command line.
//
//   govsim run SCENARIO [--seed N] [--replications R] [--threads T] [--out DIR] [--set path=value ...]
//   govsim compare A.yaml B.yaml [C.yaml ...] [same options]
//   govsim sweep SWEEP.yaml [--out DIR] [--resume] [--threads T] [--dry-run]
//   govsim check SCENARIO
//   govsim describe SCENARIO [--dot FILE]
//
// Exit status: 0 success; 2 bad input (scenario, options, output folder); 1 internal error;
// 128 + n when stopped by signal n (SIGINT 130, SIGTERM 143), finished work kept.
// Options are parsed here, per command: an option a command does not take is
// refused, a misspelt one gets a did-you-mean, a bad value names the option
// and its form. --set values are YAML and may hold commas ({dist: exponential,
// mean: 2}): each is taken whole.
#include <signal.h>
#include <unistd.h>

#include <boost/graph/graphviz.hpp>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "govsim/version.hpp"
#include "models/app/cli/calibrate_cli.hpp"
#include "models/app/cli/sweep_cli.hpp"
#include "models/app/compare/compare.hpp"
#include "models/app/sweep/explore.hpp"
#include "models/app/compare/option_summary.hpp"
#include "models/domain/organisation.hpp"
#include "models/domain/population.hpp"
#include "models/app/results/results.hpp"
#include "models/app/input/scenario_loader.hpp"
#include "models/app/run/simulation.hpp"

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
  sigaction(SIGHUP, &action, nullptr);  // a closed terminal: stop as for SIGTERM
}

int interrupted_status() { return 128 + (g_signal ? static_cast<int>(g_signal) : SIGINT); }

class UsageError : public std::runtime_error {
 public:
  UsageError(const std::string& message, std::string command = "")
      : std::runtime_error(message), command_(std::move(command)) {}
  const std::string& command() const noexcept { return command_; }

 private:
  std::string command_;
};

const char* kUsage =
    "govsim: agent-based simulation of urban grassroots governance reform\n"
    "\n"
    "usage:\n"
    "  govsim run SCENARIO [options]        run a scenario, print a summary, write results\n"
    "  govsim compare A B [C ...] [options] run scenarios on common random numbers, paired differences\n"
    "  govsim sweep SWEEP [options]         run a parameter sweep or sensitivity design (docs/sweeps.md)\n"
    "  govsim explore BASE OPT [...] --samples N  effects across uncertain parameters (docs/uncertainty.md)\n"
    "  govsim attribute BASE --elements F   which reform element does the work (factorial)\n"
    "  govsim calibrate TARGETS --prior S   fit uncertain parameters to observed targets (ABC-SMC)\n"
    "  govsim check SCENARIO [--set p=v]    validate a scenario without running it\n"
    "  govsim describe SCENARIO [--dot F]   tiers, units, staff and graph statistics; Graphviz DOT\n"
    "  govsim --version | --help\n"
    "  govsim COMMAND --help                the options and examples of one command\n"
    "\n"
    "Ctrl-C (SIGINT), SIGTERM or SIGHUP stops cleanly: finished runs are kept, result files are\n"
    "complete or absent; a second signal aborts at once.\n"
    "\n"
    "exit status: 0 ok, 2 bad input or output folder, 1 internal error, 128+n stopped by signal n\n";

/// One option: its name, whether it takes a value, the value's form, and help.
struct OptionSpec {
  const char* name;
  const char* value;  ///< the value's form in messages and help; nullptr for a flag
  const char* help;
};

const OptionSpec kSeed{"seed", "N", "master seed, a whole number 0..18446744073709551615 (default: the scenario's simulation.seed)"};
const OptionSpec kReplications{"replications", "R", "independent replications, 1..10000 (default: the scenario's)"};
const OptionSpec kThreads{"threads", "T", "worker threads, 1..1024, at most the cores (default: all cores); results do not depend on T"};
const OptionSpec kOut{"out", "DIR", "output folder (default: a new folder under results/)"};
const OptionSpec kForce{"force", nullptr, "write into a folder that already holds files, removing what govsim wrote there before"};
const OptionSpec kSet{"set", "PATH=VALUE", "override a value the scenario defines, e.g. --set units.station.staff=3 (repeatable)"};
const OptionSpec kMemory{"memory-limit", "MiB", "refuse runs estimated to need more, 0 = no check (default: 80% of physical memory)"};
const OptionSpec kQuiet{"quiet", nullptr, "no progress lines"};
const OptionSpec kResume{"resume", nullptr, "continue an interrupted sweep in --out DIR, keeping every finished run"};
const OptionSpec kDryRun{"dry-run", nullptr, "print the design's points and stop"};
const OptionSpec kDot{"dot", "FILE", "also write the organisation as a Graphviz DOT file"};
const OptionSpec kHelp{"help", nullptr, "this help (also -h)"};
const OptionSpec kBaseline{"baseline", "NAME", "differences against this scenario (its name or file; default: the first)"};
const OptionSpec kSamples{"samples", "N", "explore: parameter samples, 2..100000 (a power of 2 suits the Sobol' design)"};
const OptionSpec kDesign{"design", "sobol|lhs", "explore: scrambled Sobol' points (default) or a Latin hypercube"};
const OptionSpec kDesignSeed{"design-seed", "N", "explore: seed of the sample design (default 1), apart from the simulation seed"};
const OptionSpec kPosterior{"posterior", "FILE", "explore: draw the fitted parameters from a calibration's posterior.csv (by weight) instead of their declared ranges"};
const OptionSpec kElements{"elements", "FILE", "attribute: the reform's elements, each a named set of overrides (YAML)"};
const OptionSpec kUncertainTable{"uncertain-table", nullptr, "print only the uncertain parameters as a Markdown table (docs/ODD.md, input data); also for a shared base file"};
const OptionSpec kLang{"lang", "en|zh", "the terminal table in English or Chinese (default: en)"};

struct CommandSpec {
  const char* name;
  const char* synopsis;
  const char* summary;
  std::vector<OptionSpec> options;
  const char* examples;
};

const std::vector<CommandSpec>& commands() {
  static const std::vector<CommandSpec> all = {
      {"run", "govsim run SCENARIO [options]", "Runs a scenario, prints a summary and writes results (docs/results.md).",
       {kSeed, kReplications, kThreads, kOut, kForce, kSet, kMemory, kQuiet, kHelp},
       "  govsim run scenarios/three-tier.yaml\n"
       "  govsim run scenarios/three-tier.yaml --seed 7 --replications 10 --out results/reform\n"
       "  govsim run scenarios/three-tier.yaml --set units.centre.staff=12 --set platform.coverage=0.5\n"},
      {"compare", "govsim compare A.yaml B.yaml [C.yaml ...] [options]",
       "Runs scenarios on common random numbers and reports paired differences from the baseline\n"
       "(the first, or --baseline). Every --set applies to every scenario (and must name what each defines).",
       {kSeed, kReplications, kThreads, kOut, kForce, kSet, kMemory, kQuiet, kBaseline, kLang, kHelp},
       "  govsim compare scenarios/four-tier.yaml scenarios/three-tier.yaml --out results/cmp\n"
       "  govsim compare scenarios/four-tier.yaml scenarios/variants/*.yaml --replications 20\n"
       "  govsim compare scenarios/four-tier.yaml scenarios/three-tier.yaml --baseline three-tier --lang zh\n"},
      {"sweep", "govsim sweep SWEEP.yaml [options]",
       "Runs a parameter sweep or sensitivity design (docs/sweeps.md); seeds, replications and settings\n"
       "come from the sweep file.",
       {kOut, kForce, kThreads, kMemory, kQuiet, kResume, kDryRun, kHelp},
       "  govsim sweep scenarios/sweeps/centre-staff-platform.yaml --out results/sweep\n"
       "  govsim sweep scenarios/sweeps/centre-staff-platform.yaml --out results/sweep --resume\n"
       "  mpirun -n 9 govsim sweep scenarios/sweeps/reform-morris.yaml --out results/morris\n"},
      {"explore", "govsim explore BASELINE OPTION [OPTION ...] --samples N [options]",
       "Samples the baseline's uncertain parameters (its `uncertain:` section) and runs the baseline and\n"
       "every option at each sample on common random numbers; writes explore.csv and explore.json: each\n"
       "option's effect, its 5-95% range, P(better) and the share of variance due to parameters vs noise\n"
       "(docs/uncertainty.md). Runs as a sweep: threads or MPI ranks, --resume. With --posterior\n"
       "DIR/posterior.csv (govsim calibrate) the fitted parameters are drawn from the posterior (docs/calibration.md).",
       {kSamples, kDesign, kDesignSeed, kPosterior, kSeed, kReplications, kOut, kForce, kThreads, kSet, kMemory, kQuiet, kResume, kHelp},
       "  govsim explore scenarios/four-tier.yaml scenarios/three-tier.yaml --samples 64 --out results/explore\n"
       "  govsim explore scenarios/four-tier.yaml scenarios/three-tier.yaml --samples 64 --replications 2 --out results/explore --resume\n"},
      {"attribute", "govsim attribute BASELINE --elements FILE [options]",
       "Runs the reform's elements over a two-level design on common random numbers (every combination,\n"
       "2^k, for k <= 5; a resolution V fraction for 6 <= k <= 10); writes attribute.csv and attribute.json:\n"
       "each element alone, its main effect, Shapley share of the full reform (full design only), and\n"
       "two-way interactions with 95% intervals (docs/uncertainty.md).",
       {kElements, kSeed, kReplications, kOut, kForce, kThreads, kSet, kMemory, kQuiet, kResume, kHelp},
       "  govsim attribute scenarios/four-tier.yaml --elements scenarios/elements/reform.yaml --out results/attribute\n"},
      {"calibrate", "govsim calibrate TARGETS.yaml --prior SCENARIO [options]",
       "Fits the scenario's uncertain parameters (their declared ranges are the priors) to the targets by\n"
       "ABC-SMC with adaptive tolerances; writes posterior.csv, generations.csv, predictive.csv and\n"
       "calibrate.json (docs/calibration.md). Byte-identical at any --threads and under mpirun (every rank\n"
       "runs its share of each batch on --threads threads); --resume continues.",
       {{"prior", "SCENARIO", "the scenario whose `uncertain:` ranges are the priors"},
        {"population", "N", "particles per generation, 2..100000 (default 200)"},
        {"generations", "G", "at most G generations, generation 0 sampling the prior (default 6)"},
        {"min-acceptance", "A", "stop after a generation accepting fewer than A of its proposals (default 0.02)"},
        {"quantile", "Q", "the next tolerance is this quantile of the accepted distances (default 0.5)"},
        {"predictive", "M", "posterior predictive runs (default 100, at most N)"},
        {"rms", "R", "tolerance floor: root mean square standardised miss (default 1); the generation run at it is the last"},
        kSeed, kOut, kForce, kThreads, kSet, kQuiet, kResume, kHelp},
       "  govsim calibrate scenarios/targets/district.yaml --prior scenarios/four-tier.yaml --population 200 --out results/cal\n"
       "  mpirun -n 2 govsim calibrate scenarios/targets/district.yaml --prior scenarios/four-tier.yaml --threads 1 --out results/cal\n"},
      {"check", "govsim check SCENARIO [--set PATH=VALUE ...]", "Validates a scenario without running it.",
       {kSet, kHelp},
       "  govsim check scenarios/variants/ngo-only.yaml\n"
       "  govsim check scenarios/three-tier.yaml --set units.centre.staff=12\n"},
      {"describe", "govsim describe SCENARIO [--dot FILE] [--uncertain-table] [--set PATH=VALUE ...]",
       "Prints tiers, units, staff and graph statistics; writes the organisation as Graphviz DOT.",
       {kDot, kUncertainTable, kSet, kHelp},
       "  govsim describe scenarios/three-tier.yaml\n"
       "  govsim describe scenarios/three-tier.yaml --dot three-tier.dot\n"},
  };
  return all;
}

std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t distance = 1000;
  for (const auto& c : candidates)
    if (const std::size_t d = edit_distance(word, c); d < distance) distance = d, best = c;
  return distance <= std::max<std::size_t>(2, word.size() / 3) ? best : "";
}

const CommandSpec* find_command(const std::string& name) {
  for (const auto& c : commands())
    if (name == c.name) return &c;
  return nullptr;
}

std::string command_help(const CommandSpec& c) {
  std::string out = std::string("usage: ") + c.synopsis + "\n\n" + c.summary + "\n\noptions:\n";
  for (const auto& o : c.options) {
    std::string left = std::string("  --") + o.name + (o.value ? std::string(" ") + o.value : "");
    if (left.size() < 24) left.resize(24, ' ');
    else left += "  ";
    out += left + o.help + "\n";
  }
  return out + "\nexamples:\n" + c.examples;
}

struct Common {
  std::vector<std::string> positional;
  std::vector<std::string> sets;
  RunSettings settings;
  std::string out, dot, baseline, lang = "en", design = "sobol", elements, posterior;
  int samples = 0;
  std::uint64_t design_seed = 1;
  std::map<std::string, std::string> options;  ///< every option given, by name (calibrate reads its own)
  bool force = false, quiet = false, resume = false, dry_run = false, help = false, uncertain_table = false;
};

/// A whole number in decimal digits (leading zeros are decimal), at most `high`.
std::uint64_t whole_number(const std::string& option, const char* form, const std::string& text, std::uint64_t low,
                           std::uint64_t high, const std::string& command) {
  const std::string expected = "--" + option + " takes " + form + ", a whole number from " + std::to_string(low) +
                               " to " + std::to_string(high) + ", not `" + text + "`";
  if (text.empty() || text.size() > 40 || text.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError(expected, command);
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  if (errno == ERANGE || v < low || v > high) throw UsageError(expected, command);
  return v;
}

Common parse(int argc, char** argv, const CommandSpec& spec) {
  const std::string command = spec.name;
  std::map<std::string, std::vector<std::string>> given;
  Common c;
  std::vector<std::string> names;
  for (const auto& o : spec.options) names.push_back(std::string("--") + o.name);
  bool only_positional = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (only_positional || arg.empty() || arg[0] != '-' || arg == "-") {
      c.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    if (arg == "-h") {
      c.help = true;
      continue;
    }
    if (arg.size() < 3 || arg[1] != '-')
      throw UsageError("unknown option `" + arg + "` (options are spelt --name)", command);
    const auto eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const OptionSpec* option = nullptr;
    for (const auto& o : spec.options)
      if (name == o.name) option = &o;
    if (!option) {
      // An option of another command, or a misspelt one.
      for (const auto& other : commands())
        for (const auto& o : other.options)
          if (name == o.name)
            throw UsageError("`" + command + "` does not take --" + name + " (`" + other.name + "` does)", command);
      const std::string best = nearest("--" + name, names);
      throw UsageError("unknown option `--" + name + "`" + (best.empty() ? "" : "; did you mean `" + best + "`?"),
                       command);
    }
    if (!option->value) {
      if (eq != std::string::npos) throw UsageError("--" + name + " takes no value", command);
      given[name].push_back("");
      continue;
    }
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else {
      if (i + 1 >= argc) throw UsageError("--" + name + " needs a value: --" + name + " " + option->value, command);
      value = argv[++i];
    }
    given[name].push_back(value);
  }
  if (given.count("help")) c.help = true;
  if (c.help) return c;
  for (const auto& [name, values] : given)
    if (values.size() > 1 && name != "set") throw UsageError("--" + name + " is given twice", command);
  auto one = [&](const char* name) -> const std::string* {
    const auto it = given.find(name);
    return it == given.end() ? nullptr : &it->second.front();
  };
  if (given.count("set")) c.sets = given["set"];
  for (const auto& [name, values] : given) c.options[name] = values.back();
  if (const auto* v = one("seed")) c.settings.seed = whole_number("seed", "N", *v, 0, UINT64_MAX, command);
  if (const auto* v = one("replications"))
    c.settings.replications = static_cast<int>(whole_number("replications", "R", *v, 1, 10000, command));
  const long cores = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
  c.settings.threads = static_cast<int>(cores);
  if (const auto* v = one("threads")) {
    // More threads than cores only oversubscribe them: use the cores (and record that count).
    c.settings.threads = static_cast<int>(std::min<std::uint64_t>(whole_number("threads", "T", *v, 1, 1024, command),
                                                                  static_cast<std::uint64_t>(cores)));
  }
  if (const auto* v = one("out")) {
    if (v->empty()) throw UsageError("--out needs a folder name", command);
    c.out = *v;
  }
  if (const auto* v = one("dot")) {
    if (v->empty()) throw UsageError("--dot needs a file name", command);
    c.dot = *v;
  }
  if (const auto* v = one("baseline")) c.baseline = *v;
  if (const auto* v = one("samples")) c.samples = static_cast<int>(whole_number("samples", "N", *v, 2, 100000, command));
  if (const auto* v = one("design-seed")) c.design_seed = whole_number("design-seed", "N", *v, 0, UINT64_MAX, command);
  if (const auto* v = one("design")) {
    if (*v != "sobol" && *v != "lhs") throw UsageError("--design takes sobol or lhs, not `" + *v + "`", command);
    c.design = *v;
  }
  if (const auto* v = one("posterior")) {
    if (v->empty()) throw UsageError("--posterior needs a file name (DIR/posterior.csv of govsim calibrate)", command);
    c.posterior = *v;
  }
  if (const auto* v = one("elements")) {
    if (v->empty()) throw UsageError("--elements needs a file name", command);
    c.elements = *v;
  }
  if (const auto* v = one("lang")) {
    if (*v != "en" && *v != "zh") throw UsageError("--lang takes en or zh, not `" + *v + "`", command);
    c.lang = *v;
  }
  c.force = given.count("force") > 0;
  c.quiet = given.count("quiet") > 0;
  c.resume = given.count("resume") > 0;
  c.dry_run = given.count("dry-run") > 0;
  c.uncertain_table = given.count("uncertain-table") > 0;
  if (c.resume && !one("out")) throw UsageError("--resume needs --out DIR: the folder of the sweep to continue", command);
  if (c.resume && c.force) throw UsageError("--resume keeps finished runs; --force would discard them: choose one", command);
  c.settings.cancel = &g_stop;
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  c.settings.memory_limit_bytes = static_cast<std::uint64_t>(pages > 0 && page > 0 ? 0.8 * pages * page : 0);
  // MiB are shifted into bytes: the largest that fits in 64 bits is 2^44 - 1.
  if (const auto* v = one("memory-limit"))
    c.settings.memory_limit_bytes = whole_number("memory-limit", "MiB", *v, 0, (std::uint64_t{1} << 44) - 1, command) << 20;
  return c;
}

void progress_line(bool quiet, const std::string& name, int done, int total) {
  if (quiet) return;
  std::fprintf(stderr, "  %s: replication %d/%d done\n", name.c_str(), done, total);
}

int cmd_check(const Common& c) {
  if (c.positional.size() != 1) throw UsageError("check needs exactly one scenario file", "check");
  const Scenario s = load_scenario(c.positional[0], c.sets);
  const Organisation org(s);
  std::printf("%s: ok (%zu request types, %zu unit groups, %zu units, %zu populations)\n", c.positional[0].c_str(),
              s.request_types.size(), s.units.size(), org.size(), s.populations.size());
  return 0;
}

int cmd_describe(const Common& c) {
  if (c.positional.size() != 1) throw UsageError("describe needs exactly one scenario file", "describe");
  if (c.uncertain_table) {
    // Only the declarations (after extends): works on a shared base such as district-base.yaml too.
    const YAML::Node root = YAML::Load(merged_scenario_text(c.positional[0], c.sets));
    const auto params = read_uncertain(root["uncertain"], root, [&](const std::string&, const YAML::Node&, const std::string& m) {
      throw InputError(c.positional[0], 0, 0, m + " (govsim check names the line)");
    });
    std::fputs(uncertain_markdown(params).c_str(), stdout);
    return 0;
  }
  const Scenario s = load_scenario(c.positional[0], c.sets);
  const Organisation org(s);
  std::uint64_t residents = 0;
  for (const auto& p : s.populations)
    residents += static_cast<std::uint64_t>(s.unit_group(p.at)->count) * static_cast<std::uint64_t>(p.residents_per_unit);
  std::printf("%s\n%s\n\n", s.name.c_str(), s.description.c_str());
  std::printf("tiers: ");
  const auto tiers = org.tiers();
  for (std::size_t i = 0; i < tiers.size(); ++i) std::printf("%s%s", i ? " -> " : "", tiers[i].c_str());
  std::printf("  (%zu)\n\n%-22s %-20s %-12s %6s %6s %5s %-10s %9s  %s\n", tiers.size(), "unit group", "kind", "tier",
              "count", "staff", "vol.", "calendar", "diverted", "resolves");
  int connected = 0;
  for (const auto& u : org.units()) connected += u.connected;
  for (const auto& g : s.units) {
    std::string resolves;
    for (const auto& [t, d] : g.resolves) resolves += (resolves.empty() ? "" : ", ") + t;
    const CalendarSpec* cal = s.calendar_of(g);
    std::printf("%-22s %-20s %-12s %6d %6d %5d %-10s %7.0fh  %s\n", g.name.c_str(), to_string(g.kind), g.tier.c_str(),
                g.count, g.staff, g.volunteers, cal ? cal->name.c_str() : "24h",
                g.admin_hours_per_year + g.economic_hours_per_year, resolves.c_str());
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
  if (!s.uncertain.empty()) std::printf("\n%s", uncertain_table(s.uncertain).c_str());
  if (!c.dot.empty()) {
    write_file_atomically(c.dot, structure_dot(s, org));
    std::printf("wrote %s\n", c.dot.c_str());
  }
  return 0;
}

void remove_if_created_and_empty(const std::string& dir, bool created) {
  release_output_folders();  // the lock file goes first, or the folder is never empty
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
  return dir.empty() || !std::filesystem::exists(std::filesystem::symlink_status(dir, ec));
}

/// The scenario as run, beside its results (before summary.json, which comes last).
void write_resolved(const Scenario& s, const std::string& path, const std::vector<std::string>& sets,
                    const RunResult& run, const std::string& dir) {
  write_file_atomically((std::filesystem::path(dir) / "scenario.resolved.yaml").string(),
                        resolved_scenario_text(path, sets, s.name, run.seed, static_cast<int>(run.replications.size())));
}

int cmd_run(const Common& c) {
  if (c.positional.size() != 1) throw UsageError("run needs exactly one scenario file", "run");
  const Scenario s = load_scenario(c.positional[0], c.sets);
  const bool created = folder_is_new(c.out);
  const std::string dir = prepare_output_folder(c.out, s.name.empty() ? "run" : s.name, c.force);
  RunResult run;
  try {
    run = run_scenario(s, c.settings, [&](int d, int t) { progress_line(c.quiet, s.name, d, t); });
  } catch (const Interrupted&) {
    return stopped(dir, created, "no result files were written (a run is not resumable: start it again)");
  } catch (const PlacedError&) {  // InputError or ResourceLimitError
    remove_if_created_and_empty(dir, created);  // refused before running (memory, lookahead): leave nothing
    throw;
  }
  write_resolved(s, c.positional[0], c.sets, run, dir);
  write_run(s, run, dir, c.sets);
  release_output_folders();
  std::printf("%s", summary_table(s, run).c_str());
  std::printf("results: %s\n", dir.c_str());
  return 0;
}

int cmd_compare(const Common& c) {
  if (c.positional.size() < 2) throw UsageError("compare needs at least two scenario files", "compare");
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
  // Every scenario must fit before any runs: a refusal after the first would leave its run behind.
  for (const auto& s : scenarios) check_memory(s, settings);
  for (const auto& set : c.sets) std::printf("--set %s: applied to every scenario\n", set.c_str());
  const bool created = folder_is_new(c.out);
  const std::string dir = prepare_output_folder(c.out, "comparison", c.force);
  std::vector<RunResult> runs;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const auto& s = scenarios[i];
    try {
      runs.push_back(run_scenario(s, settings, [&](int d, int t) { progress_line(c.quiet, s.name, d, t); }));
    } catch (const PlacedError&) {  // InputError or ResourceLimitError
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
    write_resolved(s, c.positional[i], c.sets, runs.back(), sub);
    write_run(s, runs.back(), sub, c.sets);
  }
  const auto rows = compare_runs(runs, baseline);
  write_comparison(scenarios, runs, rows, dir, baseline, c.sets);
  release_output_folders();
  std::printf("%s", comparison_table(scenarios, rows, baseline, c.lang).c_str());
  // Tiers differ between structures, so utilisation by tier is not a paired row: one line per scenario.
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    std::string tiers;
    for (const auto& r : summarise(runs[i]))
      if (r.name == "utilisation" && r.scope == "tier") {
        char part[96];
        std::snprintf(part, sizeof part, "%s%s %.0f%%", tiers.empty() ? "" : ", ", r.key.c_str(), 100 * r.estimate.mean);
        tiers += part;
      }
    std::printf("%s %s: %s\n", c.lang == "zh" ? "各层级工作负荷率" : "utilisation by tier (working time),",
                scenarios[i].name.c_str(), tiers.c_str());
  }
  std::printf("seed %llu, %zu replications each, common random numbers\nresults: %s\n",
              static_cast<unsigned long long>(runs[0].seed), runs[0].replications.size(), dir.c_str());
  return 0;
}

/// explore and attribute: plans run as sweeps (models/app/sweep/explore.hpp).
int cmd_study(const Common& c, const std::string& command) {
  cli::SweepCommand sweep{command, c.out, c.settings.threads, c.force, c.resume, c.quiet, false,
                          c.settings.memory_limit_bytes, &g_stop, {}, {}, {}};
  std::string again = "govsim " + command;
  for (const auto& p : c.positional) again += " " + p;
  for (const auto& s : c.sets) again += " --set " + s;
  if (c.settings.seed) again += " --seed " + std::to_string(*c.settings.seed);
  if (c.settings.replications) again += " --replications " + std::to_string(*c.settings.replications);
  if (command == "explore") {
    if (c.positional.size() < 2) throw UsageError("explore needs a baseline and at least one option", command);
    if (c.samples == 0) throw UsageError("explore needs --samples N", command);
    ExploreOptions o;
    o.scenarios = c.positional;
    o.samples = c.samples;
    o.design = c.design;
    o.design_seed = c.design_seed;
    o.seed = c.settings.seed;
    o.replications = c.settings.replications.value_or(1);
    o.sets = c.sets;
    o.posterior = c.posterior;
    sweep.make_spec = [o] { return explore_spec(o); };
    sweep.post = [](const SweepSpec& s, const std::string& dir) { write_explore(s, dir); };
    again += " --samples " + std::to_string(c.samples) + " --design " + c.design + " --design-seed " +
             std::to_string(c.design_seed);
    if (!c.posterior.empty()) again += " --posterior " + c.posterior;
  } else {
    if (c.positional.size() != 1) throw UsageError("attribute needs exactly one baseline scenario", command);
    if (c.elements.empty()) throw UsageError("attribute needs --elements FILE", command);
    AttributeOptions o;
    o.baseline = c.positional[0];
    o.elements_file = c.elements;
    o.seed = c.settings.seed;
    o.replications = c.settings.replications;
    o.sets = c.sets;
    sweep.make_spec = [o] { return attribute_spec(o); };
    sweep.post = [](const SweepSpec& s, const std::string& dir) {
      write_attribute(s, dir);
      std::printf("%s\n", attribute_design_text(s).c_str());
    };
    again += " --elements " + c.elements;
  }
  sweep.resume_command = again;
  const int result = cli::run_sweep_command(sweep);
  return result == cli::kInterrupted ? interrupted_status() : result;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    if (argc > 2 && find_command(argv[2])) {
      std::fputs(command_help(*find_command(argv[2])).c_str(), stdout);
      return 0;
    }
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "--version") {
    std::printf("govsim %s (commit %s)\n", kVersion, kGitCommit);
    return 0;
  }
  install_signal_handlers();
  int status = 2;
  try {
    const CommandSpec* spec = find_command(command);
    if (!spec) {
      std::vector<std::string> names;
      for (const auto& c : commands()) names.push_back(c.name);
      const std::string best = nearest(command, names);
      throw UsageError("unknown command `" + command + "`" +
                       (best.empty() ? " (run, compare, sweep, explore, attribute, check, describe)" : "; did you mean `" + best + "`?"));
    }
    const Common c = parse(argc - 1, argv + 1, *spec);
    if (c.help) {
      std::fputs(command_help(*spec).c_str(), stdout);
      return 0;
    }
    if (command == "run") status = cmd_run(c);
    else if (command == "compare") status = cmd_compare(c);
    else if (command == "check") status = cmd_check(c);
    else if (command == "describe") status = cmd_describe(c);
    else if (command == "explore" || command == "attribute") status = cmd_study(c, command);
    else if (command == "calibrate") {
      try {
        const int r = cli::calibrate_command(c.positional, c.options, c.sets, c.settings.seed, c.settings.threads, &g_stop);
        status = r == cli::kInterrupted ? interrupted_status() : r;
      } catch (const std::invalid_argument& e) {
        throw UsageError(e.what(), "calibrate");
      }
    }
    else {
      if (c.positional.size() != 1) throw UsageError("sweep needs exactly one sweep file", "sweep");
      cli::SweepCommand sweep{c.positional[0], c.out, c.settings.threads, c.force, c.resume, c.quiet, c.dry_run,
                              c.settings.memory_limit_bytes, &g_stop, {}, {}, {}};
      const int result = cli::run_sweep_command(sweep);
      status = result == cli::kInterrupted ? interrupted_status() : result;
    }
  } catch (const UsageError& e) {
    std::fprintf(stderr, "govsim: error: %s (see govsim %s--help)\n", e.what(),
                 e.command().empty() ? "" : (e.command() + " ").c_str());
    status = 2;
  } catch (const InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    status = 2;
  } catch (const ResourceLimitError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    status = 2;
  } catch (const OutputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    status = 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "govsim: error: out of memory\n");
    status = 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "govsim: internal error: %s\n", e.what());
    status = 1;
  }
  release_output_folders();
  return status;
}
