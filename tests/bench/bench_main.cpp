// tests/bench/bench_main.cpp: engine throughput (events per second) on plain
// queueing networks of 100 and 10,000 units, at 1 and 2 threads; the
// governance scenarios' wall time and peak memory; the city's scaling with
// residents; and the performance targets of docs/performance.md, each with
// the figure that meets or misses it. Prints tables; asserts nothing (speed is
// shown here, never tested).
//
//   build/release/govsim_bench [--threads 1,2] [--units 100,10000] [--repeat 3] [--scenarios] [--scaling] [--all]
//
// The figures of docs/performance.md: build/release/govsim_bench --all (from the repository root).
//
// Each governance run (--scenarios, --scaling) is a child process of its own
// (this program, re-executed with --child), so its peak resident set
// (getrusage's ru_maxrss, per process) is that run's alone.
#include <cxxopts.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "models/domain/journey.hpp"
#include "models/domain/organisation.hpp"
#include "models/domain/population.hpp"
#include "models/app/results/results.hpp"
#include "models/app/input/scenario_loader.hpp"
#include "models/app/run/simulation.hpp"

namespace {

/// Two groups of stations, a/i and b/i, each fed by Poisson arrivals
/// (1 per hour), serving in 0.25 h on average, sending half their work to
/// the partner station 1 h away: a network whose every other event crosses
/// partitions.
std::string network_yaml(int units, double horizon) {
  std::ostringstream y;
  y << "name: bench-network-" << units << "\n"
    << "simulation: {horizon_h: " << horizon << ", replications: 1, seed: 1, sample_interval_h: " << horizon << "}\n"
    << "handoffs: {transfer_delay_h: 1.0}\n"
    << "request_types: {job: {deadline_h: 1000}}\n"
    << "units:\n"
    << "  a: {count: " << units / 2 << ", staff: 1, resolves: {job: {dist: exponential, mean: 0.25}}, routing: [{to: b, probability: 0.5}]}\n"
    << "  b: {count: " << units / 2 << ", staff: 1, resolves: {job: {dist: exponential, mean: 0.25}}, routing: [{to: a, probability: 0.5}]}\n"
    << "populations:\n"
    << "  pa: {at: a, groups: {all: {need_rates_per_hour: {job: 1.0}}}}\n"
    << "  pb: {at: b, groups: {all: {need_rates_per_hour: {job: 1.0}}}}\n";
  return y.str();
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Runs one replication of `s` on `threads` threads, `repeat` times; returns
/// (events, best wall seconds). The best of several runs is the figure least
/// disturbed by whatever else the machine was doing.
std::pair<double, double> time_run(const govsim::Scenario& s, int threads, int repeat) {
  govsim::RunSettings settings;
  settings.threads = threads;
  settings.keep_series = false;
  double events = 0, best = 0;
  for (int i = 0; i < repeat; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = govsim::run_scenario(s, settings);
    const double wall = seconds_since(t0);
    events = static_cast<double>(r.replications[0].counters.events);
    if (i == 0 || wall < best) best = wall;
  }
  return {events, best};
}

std::vector<int> parse_list(const std::string& s) {
  std::vector<int> v;
  std::stringstream ss(s);
  for (std::string x; std::getline(ss, x, ',');) v.push_back(std::stoi(x));
  return v;
}

double metric(const govsim::ReplicationResult& r, const char* name) {
  for (const auto& m : r.metrics)
    if (m.name == name && m.scope == "all") return m.value;
  return 0;
}

/// FNV-1a 64 of every metric as the result files print it: equal hashes, identical results.
std::uint64_t metrics_hash(const govsim::ReplicationResult& r) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const auto& m : r.metrics)
    for (const std::string& part : {m.name, m.scope, m.key, govsim::csv_number(m.value)})
      for (unsigned char c : part + ",") h = (h ^ c) * 0x100000001b3ull;
  return h;
}

/// This process's peak resident set (bytes), from /proc/self/status (VmHWM:
/// the high-water mark of this program's own memory, reset at exec).
double peak_resident_bytes() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) * 1024.0;  // "VmHWM:  123456 kB"
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) * 1024.0;
}

/// The child: one run of a scenario (as `govsim run` makes it), its figures on one line of stdout.
int child_main(int argc, char** argv) {
  // govsim_bench --child SCENARIO THREADS [SET...]
  if (argc < 4) return 2;
  std::vector<std::string> sets{"simulation.replications=1"};
  for (int i = 4; i < argc; ++i) sets.emplace_back(argv[i]);
  const auto t0 = std::chrono::steady_clock::now();
  const govsim::Scenario s = govsim::load_scenario(argv[2], sets);
  govsim::RunSettings settings;
  settings.threads = std::atoi(argv[3]);
  settings.keep_series = false;
  const auto r = govsim::run_scenario(s, settings);
  const double wall = seconds_since(t0);
  // Events, messages and windows of all replications; needs and requests of the first.
  const auto& rep = r.replications[0];
  std::uint64_t events = 0, messages = 0, windows = 0, hash = 0;
  for (const auto& each : r.replications) {
    events += each.counters.events, messages += each.counters.messages, windows += each.counters.windows;
    hash = hash * 0x100000001b3ull ^ metrics_hash(each);
  }
  std::printf("%llu %.6f %.6f %llu %.0f %.0f %llu %llu %llu %.0f\n", static_cast<unsigned long long>(events), wall,
              rep.wall_seconds, static_cast<unsigned long long>(r.residents), metric(rep, "needs"),
              metric(rep, "reported"), static_cast<unsigned long long>(messages),
              static_cast<unsigned long long>(windows), static_cast<unsigned long long>(hash), peak_resident_bytes());
  return 0;
}

/// The child, phase by phase: building the organisation and residents, the
/// simulation itself (the engine's events), and recording what was still
/// open. (run_scenario does the same, then tallies the outcome records.)
int phases_main(int argc, char** argv) {
  // govsim_bench --phases SCENARIO THREADS [SET...]
  if (argc < 4) return 2;
  std::vector<std::string> sets{"simulation.replications=1"};
  for (int i = 4; i < argc; ++i) sets.emplace_back(argv[i]);
  const govsim::Scenario s = govsim::load_scenario(argv[2], sets);
  const int threads = std::atoi(argv[3]);
  const auto t0 = std::chrono::steady_clock::now();
  const govsim::Organisation org(s);
  const govsim::Residents residents(s, org, s.simulation.seed);
  govsim::JourneyModel model(s, org, residents, sim::stream_key(s.simulation.seed, 0));
  govsim::JourneyModel::Engine engine(model, org.size(), model.minimum_cross_unit_delay());
  model.seed_sources(engine);
  const double build = seconds_since(t0);
  const auto t1 = std::chrono::steady_clock::now();
  const sim::EngineCounters c = engine.run(s.simulation.horizon_h, threads);
  const double simulate = seconds_since(t1);
  const auto t2 = std::chrono::steady_clock::now();
  model.finish(engine);
  const double finish = seconds_since(t2);
  std::printf("%llu %.6f %.6f %.6f\n", static_cast<unsigned long long>(c.events), build, simulate, finish);
  return 0;
}

struct Measure {
  double events = 0, wall = 0, replication_wall = 0, residents = 0, needs = 0, reported = 0, messages = 0,
         windows = 0;
  double peak_bytes = 0;
  std::uint64_t hash = 0;  ///< of the metrics (equal across thread counts: identical results)
};

struct Phases {
  double events = 0, build = 0, simulate = 0, finish = 0;
};

/// Runs this program again with `mode` and returns what it printed.
std::string run_child_process(const char* mode, const std::string& scenario, int threads,
                              const std::vector<std::string>& sets) {
  int fd[2];
  if (pipe(fd) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> args{"govsim_bench", mode, scenario, std::to_string(threads)};
  args.insert(args.end(), sets.begin(), sets.end());
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(fd[1], 1);
    close(fd[0]);
    close(fd[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  close(fd[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = read(fd[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("benchmark child failed on " + scenario + ": " + out);
  return out;
}

/// One run in a child process: its figures and its own peak resident set.
Measure run_child(const std::string& scenario, int threads, const std::vector<std::string>& sets) {
  Measure m;
  std::istringstream in(run_child_process("--child", scenario, threads, sets));
  in >> m.events >> m.wall >> m.replication_wall >> m.residents >> m.needs >> m.reported >> m.messages >> m.windows >>
      m.hash >> m.peak_bytes;
  return m;
}

/// The phases of the fastest of `repeat` child runs.
Phases measure_phases(const std::string& scenario, int threads, const std::vector<std::string>& sets, int repeat) {
  Phases best;
  for (int i = 0; i < repeat; ++i) {
    Phases p;
    std::istringstream in(run_child_process("--phases", scenario, threads, sets));
    in >> p.events >> p.build >> p.simulate >> p.finish;
    if (i == 0 || p.simulate < best.simulate) best = p;
  }
  return best;
}

/// The best (shortest) of `repeat` child runs; peak memory is the largest seen.
Measure measure(const std::string& scenario, int threads, const std::vector<std::string>& sets, int repeat) {
  Measure best;
  double peak = 0;
  for (int i = 0; i < repeat; ++i) {
    const Measure m = run_child(scenario, threads, sets);
    peak = std::max(peak, m.peak_bytes);
    if (i == 0 || m.wall < best.wall) best = m;
  }
  best.peak_bytes = peak;
  return best;
}

std::string mib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f MiB", bytes / (1024.0 * 1024.0));
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--child") == 0) return child_main(argc, argv);
  if (argc > 1 && std::strcmp(argv[1], "--phases") == 0) return phases_main(argc, argv);
  cxxopts::Options options("govsim_bench", "events per second, wall time and memory of govsim");
  options.add_options()("threads", "thread counts", cxxopts::value<std::string>()->default_value("1,2"))(
      "units", "network sizes", cxxopts::value<std::string>()->default_value("100,10000"))(
      "events", "target events per network run (millions)", cxxopts::value<double>()->default_value("8"))(
      "repeat", "runs per figure (the best is shown)", cxxopts::value<int>()->default_value("3"))(
      "scenarios", "also time the district and city governance scenarios (one replication each, and the district ones as shipped)")(
      "scaling", "also run the city at 60 thousand, 600 thousand and 6 million residents")(
      "per-unit", "residents per committee in the scaling runs (1,500 committees)",
      cxxopts::value<std::string>()->default_value("40,400,4000"))(
      "all", "everything: networks, scenarios, scaling, and the targets")("help", "show help");
  const auto args = options.parse(argc, argv);
  if (args.count("help")) {
    std::puts(options.help().c_str());
    return 0;
  }
  const bool all = args.count("all") > 0;
  const auto threads = parse_list(args["threads"].as<std::string>());
  auto sizes = parse_list(args["units"].as<std::string>());
  // With the scenarios, also a bare network as large as the city (one
  // partition per unit): the engine's own rate at the city's size.
  std::optional<int> city_units;
  if (args.count("scenarios") || all) {
    const govsim::Scenario city = govsim::load_scenario("scenarios/city-three-tier.yaml");
    city_units = static_cast<int>(govsim::Organisation(city).size());
    if (std::find(sizes.begin(), sizes.end(), *city_units) == sizes.end()) sizes.push_back(*city_units);
  }
  const double target = args["events"].as<double>() * 1e6;
  const int repeat = std::max(1, args["repeat"].as<int>());
  const auto dir = std::filesystem::temp_directory_path() / "govsim-bench";
  std::filesystem::create_directories(dir);

  // Figures kept for the targets at the end.
  std::map<int, double> bare_rates;            // 100-unit network, by thread count
  std::map<int, double> bare_city_size_rates;  // network as large as the city, by thread count
  std::map<std::string, std::map<int, Measure>> scenario_figures;
  std::map<int, Phases> city_phases;

  std::printf("%-34s %8s %12s %10s %14s %8s %10s %16s\n", "workload", "threads", "events", "wall s", "events/s",
              "speedup", "peak mem", "metrics hash");
  for (int units : sizes) {
    // About 4 events per arrival (need, arrive, done, half an onward visit x2).
    const double horizon = target / (4.0 * units);
    const auto path = (dir / ("network-" + std::to_string(units) + ".yaml")).string();
    std::ofstream(path) << network_yaml(units, horizon);
    const govsim::Scenario s = govsim::load_scenario(path);
    double base = 0;
    for (int t : threads) {
      const auto [events, wall] = time_run(s, t, repeat);
      const double rate = events / wall;
      if (base == 0) base = rate;
      if (units == 100) bare_rates[t] = rate;
      if (city_units && units == *city_units) bare_city_size_rates[t] = rate;
      std::printf("%-34s %8d %12.0f %10.3f %14.0f %7.2fx %10s\n",
                  ("queueing network, " + std::to_string(units) + " units").c_str(), t, events, wall, rate,
                  rate / base, "");
    }
  }
  std::fflush(stdout);
  if (args.count("scenarios") || all) {
    // One replication of each (the engine's own speed-up), then the district
    // scenarios with their replications as shipped: with threads to spare,
    // replications run side by side (docs/performance.md).
    struct Workload {
      std::string file, label;
      std::vector<std::string> sets;
    };
    std::vector<Workload> workloads;
    for (const char* file : {"scenarios/four-tier.yaml", "scenarios/three-tier.yaml", "scenarios/city-three-tier.yaml"})
      workloads.push_back({file, std::filesystem::path(file).stem().string(), {}});
    for (const char* file : {"scenarios/four-tier.yaml", "scenarios/three-tier.yaml"}) {
      const int shipped = govsim::load_scenario(file).simulation.replications;
      if (shipped > 1)
        workloads.push_back({file,
                             std::filesystem::path(file).stem().string() + ", " + std::to_string(shipped) +
                                 " replications",
                             {"simulation.replications=" + std::to_string(shipped)}});
    }
    for (const auto& w : workloads) {
      double base = 0;
      for (int t : threads) {
        const Measure m = measure(w.file, t, w.sets, repeat);
        if (base == 0) base = m.wall;
        scenario_figures[w.label][t] = m;
        std::printf("%-34s %8d %12.0f %10.3f %14.0f %7.2fx %10s %016llx\n", w.label.c_str(), t, m.events, m.wall,
                    m.events / m.wall, base / m.wall, mib(m.peak_bytes).c_str(), static_cast<unsigned long long>(m.hash));
        std::fflush(stdout);
      }
    }
    // The city's time, phase by phase (separate runs): building 6 million
    // residents is not simulation; the event rate is the simulation's.
    std::printf("\n%-34s %8s %12s %10s %10s %14s %10s\n", "city-three-tier, by phase", "threads", "events",
                "build s", "simulate s", "events/s", "finish s");
    for (int t : threads) {
      const Phases p = measure_phases("scenarios/city-three-tier.yaml", t, {}, repeat);
      city_phases[t] = p;
      std::printf("%-34s %8d %12.0f %10.3f %10.3f %14.0f %10.3f\n", "", t, p.events, p.build, p.simulate,
                  p.events / p.simulate, p.finish);
      std::fflush(stdout);
    }
    std::printf("(build: organisation, residents, social graph, sources; simulate: the engine's run; finish: open "
                "requests recorded. The rest of a run's wall time is tallying the outcome records.)\n");
  }
  if (args.count("scaling") || all) {
    std::printf("\nScaling: scenarios/city-three-tier.yaml (1,500 committees, 94 communities, one year), residents "
                "per committee scaled\n");
    std::printf("%12s %12s %10s %10s %8s %12s %12s %10s %11s %10s %10s\n", "residents", "events", "1 thread s",
                "2 threads s", "speedup", "events/s 1t", "events/s 2t", "peak mem", "B/resident", "B/request",
                "1t == 2t");
    for (int per_unit : parse_list(args["per-unit"].as<std::string>())) {
      const std::vector<std::string> sets{"populations.residents.residents_per_unit=" + std::to_string(per_unit)};
      const Measure one = measure("scenarios/city-three-tier.yaml", 1, sets, repeat);
      const Measure two = measure("scenarios/city-three-tier.yaml", 2, sets, repeat);
      const double peak = std::max(one.peak_bytes, two.peak_bytes);
      std::printf("%12.0f %12.0f %10.3f %10.3f %7.2fx %12.0f %12.0f %10s %11.0f %10.0f %10s\n", one.residents,
                  one.events, one.wall, two.wall, one.wall / two.wall, one.events / one.wall, two.events / two.wall,
                  mib(peak).c_str(), peak / one.residents, peak / std::max(1.0, one.reported),
                  one.hash == two.hash ? "identical" : "DIFFERENT");
      std::fflush(stdout);
    }
    std::printf("(peak mem: the largest resident set (VmHWM) of the 1- and 2-thread runs; B/request: peak memory "
                "over the requests reported in the measured year)\n");
    std::printf("Kept per resident: willingness 4 B, tie offset 4 B, 4 B per tie end (6 ties: 24 B); per need: one "
                "outcome record, %zu B, to the end; per request in flight: one %zu-byte item and %zu-byte events\n",
                sizeof(govsim::Outcome), sizeof(govsim::Request), sizeof(sim::detail::Event));
  }
  // The targets of docs/performance.md, where the figures above allow.
  const auto city = scenario_figures.find("city-three-tier");
  if (city != scenario_figures.end() && city->second.count(1) && city->second.count(2)) {
    const Measure &one = city->second.at(1), &two = city->second.at(2);
    std::printf("\nTargets\n");
    std::printf("  city-three-tier, 2 threads: %.1f s wall (target < 20 s): %s\n", two.wall,
                two.wall < 20 ? "met" : "missed");
    std::printf("  city-three-tier, peak memory: %s (target < 2 GB): %s; %.0f bytes per resident, %.0f per reported "
                "request\n",
                mib(std::max(one.peak_bytes, two.peak_bytes)).c_str(),
                std::max(one.peak_bytes, two.peak_bytes) < 2e9 ? "met" : "missed",
                std::max(one.peak_bytes, two.peak_bytes) / one.residents,
                std::max(one.peak_bytes, two.peak_bytes) / std::max(1.0, one.reported));
    if (bare_rates.count(1)) {
      const double bare = bare_rates.at(1);
      const double whole = one.events / one.wall;
      std::printf("  event rate, 1 thread, whole run: city %.2f million/s, bare 100-unit network %.2f million/s: %.2fx "
                  "slower\n",
                  whole / 1e6, bare / 1e6, bare / whole);
      if (city_phases.count(1)) {
        const double rate = city_phases.at(1).events / city_phases.at(1).simulate;
        std::printf("  event rate, 1 thread, simulation: city %.2f million/s: %.2fx slower than the bare network "
                    "(target within 2x): %s\n",
                    rate / 1e6, bare / rate, bare / rate <= 2.0 ? "met" : "missed");
        if (bare_city_size_rates.count(1))
          std::printf("  event rate, 1 thread, simulation: city %.2f million/s, bare network of the city's %d units "
                      "%.2f million/s: %.2fx slower\n",
                      rate / 1e6, *city_units, bare_city_size_rates.at(1) / 1e6, bare_city_size_rates.at(1) / rate);
      }
      // The same comparisons on two threads, the city target's setting.
      if (bare_rates.count(2) && city_phases.count(2)) {
        const double bare = bare_rates.at(2), whole = two.events / two.wall;
        const double rate = city_phases.at(2).events / city_phases.at(2).simulate;
        std::printf("  event rate, 2 threads: city %.2f million/s whole run, %.2f million/s simulation; bare 100-unit "
                    "network %.2f million/s: %.2fx and %.2fx slower\n",
                    whole / 1e6, rate / 1e6, bare / 1e6, bare / whole, bare / rate);
      }
    }
    for (const auto& [label, by_threads] : scenario_figures)
      if (by_threads.count(1) && by_threads.count(2)) {
        const double speedup = by_threads.at(1).wall / by_threads.at(2).wall;
        const bool same = by_threads.at(1).hash == by_threads.at(2).hash;
        const bool single = label.find("replications") == std::string::npos;
        std::printf("  %s%s, 2 threads over 1: %.2fx (target >= 1.7x): %s; results at 1 and 2 threads %s\n",
                    label.c_str(), single ? ", one replication" : "", speedup, speedup >= 1.7 ? "met" : "missed",
                    same ? "identical" : "DIFFERENT");
      }
  }
  return 0;
}
