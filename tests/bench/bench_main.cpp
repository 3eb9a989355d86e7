// tests/bench/bench_main.cpp: engine throughput (events per second) on plain
// queueing networks of 100 and 10,000 units, at 1 and 2 threads, and the
// governance scenarios' wall time. Prints a table; asserts nothing (speed is
// shown here, never tested). See docs/performance.md.
//
//   build/release/govsim_bench [--threads 1,2] [--units 100,10000] [--repeat 3] [--scenarios]
#include <cxxopts.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/scenario_loader.hpp"
#include "models/simulation.hpp"

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
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
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

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("govsim_bench", "events per second of the govsim engine");
  options.add_options()("threads", "thread counts", cxxopts::value<std::string>()->default_value("1,2"))(
      "units", "network sizes", cxxopts::value<std::string>()->default_value("100,10000"))(
      "events", "target events per network run (millions)", cxxopts::value<double>()->default_value("8"))(
      "repeat", "runs per figure (the best is shown)", cxxopts::value<int>()->default_value("3"))(
      "scenarios", "also time the district and city governance scenarios")("help", "show help");
  const auto args = options.parse(argc, argv);
  if (args.count("help")) {
    std::puts(options.help().c_str());
    return 0;
  }
  const auto threads = parse_list(args["threads"].as<std::string>());
  const auto sizes = parse_list(args["units"].as<std::string>());
  const double target = args["events"].as<double>() * 1e6;
  const int repeat = std::max(1, args["repeat"].as<int>());
  const auto dir = std::filesystem::temp_directory_path() / "govsim-bench";
  std::filesystem::create_directories(dir);

  std::printf("%-34s %8s %12s %10s %14s %8s\n", "workload", "threads", "events", "wall s", "events/s", "speedup");
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
      std::printf("%-34s %8d %12.0f %10.3f %14.0f %7.2fx\n", ("queueing network, " + std::to_string(units) + " units").c_str(), t,
                  events, wall, rate, rate / base);
    }
  }
  if (args.count("scenarios")) {
    for (const char* file : {"scenarios/four-tier.yaml", "scenarios/three-tier.yaml", "scenarios/city-three-tier.yaml"}) {
      const govsim::Scenario s = govsim::load_scenario(file, {"simulation.replications=1"});
      double base = 0;
      for (int t : threads) {
        const auto [events, wall] = time_run(s, t, repeat);
        if (base == 0) base = wall;
        std::printf("%-34s %8d %12.0f %10.3f %14.0f %7.2fx\n", s.name.c_str(), t, events, wall, events / wall, base / wall);
      }
    }
  }
  return 0;
}
