// models/app/cli/calibrate_cli.cpp: `govsim calibrate`: options -> models/app/sweep/calibrate.hpp.
#include "models/app/cli/calibrate_cli.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "models/app/sweep/calibrate.hpp"
#include "models/app/cli/sweep_cli.hpp"

namespace govsim::cli {

namespace {

int whole(const std::map<std::string, std::string>& o, const char* name, int low, int high, int fallback) {
  const auto it = o.find(name);
  if (it == o.end()) return fallback;
  const std::string& t = it->second;
  const std::string form = std::string("--") + name + " takes a whole number from " + std::to_string(low) + " to " +
                           std::to_string(high) + ", not `" + t + "`";
  if (t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos) throw std::invalid_argument(form);
  const int v = std::stoi(t);
  if (v < low || v > high) throw std::invalid_argument(form);
  return v;
}

double fraction(const std::map<std::string, std::string>& o, const char* name, double fallback) {
  const auto it = o.find(name);
  if (it == o.end()) return fallback;
  char* end = nullptr;
  const double v = std::strtod(it->second.c_str(), &end);
  if (it->second.empty() || *end != '\0' || !(v > 0 && v < 1))
    throw std::invalid_argument(std::string("--") + name + " takes a number between 0 and 1 (exclusive), not `" + it->second + "`");
  return v;
}

}  // namespace

int calibrate_command(const std::vector<std::string>& positional, const std::map<std::string, std::string>& options,
                      const std::vector<std::string>& sets, std::optional<std::uint64_t> seed, int threads,
                      std::atomic<bool>* stop) {
  if (positional.size() != 1) throw std::invalid_argument("calibrate needs exactly one targets file");
  const auto prior = options.find("prior");
  if (prior == options.end() || prior->second.empty())
    throw std::invalid_argument("calibrate needs --prior SCENARIO: the scenario whose `uncertain:` ranges are the priors");
  CalibrateOptions o;
  o.targets_file = positional[0];
  o.prior = prior->second;
  o.sets = sets;
  o.population = whole(options, "population", 2, 100000, 200);
  o.generations = whole(options, "generations", 1, 1000, options.count("min-acceptance") ? 1000 : 6);
  o.min_acceptance = fraction(options, "min-acceptance", 0.02);
  o.quantile = fraction(options, "quantile", 0.5);
  if (const auto it = options.find("rms"); it != options.end()) {
    char* end = nullptr;
    o.rms = std::strtod(it->second.c_str(), &end);
    if (it->second.empty() || *end != '\0' || !(o.rms > 0) || !std::isfinite(o.rms))
      throw std::invalid_argument("--rms takes a positive number, not `" + it->second + "`");
  }
  o.predictive = whole(options, "predictive", 1, 100000, 100);
  o.seed = seed;
  o.threads = threads;
  if (const auto it = options.find("out"); it != options.end()) o.out = it->second;
  o.resume = options.count("resume") > 0;
  o.force = options.count("force") > 0;
  o.quiet = options.count("quiet") > 0;
  if (o.resume && o.out.empty()) throw std::invalid_argument("--resume needs --out DIR: the folder of the calibration to continue");
  o.stop = stop;
  const CalibrationSummary s = run_calibration(o);
  if (s.interrupted) {
    std::string again = "govsim calibrate " + o.targets_file + " --prior " + o.prior;
    for (const auto& [k, v] : options)
      if (k != "prior" && k != "out" && k != "resume" && k != "force" && k != "threads" && k != "quiet")
        again += " --" + k + " " + v;
    for (const auto& x : sets) again += " --set " + x;
    if (seed) again += " --seed " + std::to_string(*seed);
    std::fprintf(stderr, "govsim: interrupted: finished runs are recorded in %s; continue with:\n  %s --out %s --resume\n",
                 s.dir.c_str(), again.c_str(), s.dir.c_str());
    return kInterrupted;
  }
  return 0;
}

}  // namespace govsim::cli
