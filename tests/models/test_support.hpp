// tests/models/test_support.hpp: helpers shared by the model tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/domain/journey.hpp"
#include "models/domain/organisation.hpp"
#include "models/domain/population.hpp"
#include "models/app/input/scenario_loader.hpp"
#include "models/app/run/simulation.hpp"

namespace govsim::testing {

inline std::string source_path(const std::string& relative) { return std::string(GOVSIM_SOURCE_DIR) + "/" + relative; }

/// A fresh temporary folder for one test.
inline std::filesystem::path temp_folder(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("govsim-test-" + name + "-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

/// Writes a scenario text to a file and returns its path.
inline std::string write_scenario(const std::filesystem::path& dir, const std::string& name, const std::string& yaml) {
  const auto path = dir / name;
  std::ofstream(path) << yaml;
  return path.string();
}

inline RunResult run(const std::string& path, const std::vector<std::string>& sets = {}, int threads = 1) {
  const Scenario s = load_scenario(path, sets);
  RunSettings settings;
  settings.threads = threads;
  return run_scenario(s, settings);
}

/// The per-replication values of one metric.
inline std::vector<double> values(const RunResult& r, const std::string& name, const std::string& scope = "all",
                                  const std::string& key = "all") {
  std::vector<double> v;
  for (const auto& rep : r.replications)
    for (const auto& m : rep.metrics)
      if (m.name == name && m.scope == scope && m.key == key) v.push_back(m.value);
  return v;
}

inline sim::Estimate estimate_of(const RunResult& r, const std::string& name, const std::string& scope = "all",
                                 const std::string& key = "all") {
  return sim::estimate(values(r, name, scope, key));
}

inline double mean_of(const RunResult& r, const std::string& name, const std::string& scope = "all",
                      const std::string& key = "all") {
  return estimate_of(r, name, scope, key).mean;
}

/// Every outcome record of replication 0 of a scenario, unit by unit (one thread).
inline std::vector<Outcome> trace(const std::string& path, const std::vector<std::string>& sets = {}) {
  const Scenario s = load_scenario(path, sets);
  const Organisation org(s);
  const Residents residents(s, org, s.simulation.seed);
  JourneyModel model(s, org, residents, sim::stream_key(s.simulation.seed, 0));
  JourneyModel::Engine engine(model, org.size(), model.minimum_cross_unit_delay());
  model.seed_sources(engine);
  engine.run(s.simulation.horizon_h, 1);
  model.finish(engine);
  std::vector<Outcome> all;
  for (const auto& st : JourneyModel::gather(engine).units) all.insert(all.end(), st.outcomes.begin(), st.outcomes.end());
  return all;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// `s` quoted for a POSIX shell command line.
inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace govsim::testing

#define EXPECT_CI_CONTAINS(est, exact)                                                                  \
  EXPECT_TRUE((est).low() <= (exact) && (exact) <= (est).high())                                      \
      << "95% CI [" << (est).low() << ", " << (est).high() << "] (mean " << (est).mean << ", n " << (est).n \
      << ") does not contain the exact value " << (exact)
