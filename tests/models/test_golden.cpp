// tests/models/test_golden.cpp: end-to-end golden results. Small but
// full-featured scenarios (residents with trust and a social graph, every unit
// kind, the platform, councils, co-signs, routing) are run, and the FNV-1a 64
// hash of each result file (metrics.csv, timeseries.csv, distributions.csv,
// written by the library's own writer) is compared with the value stored in
// tests/data/golden/<case>.txt. A performance change must leave these hashes
// as they are; a change of behaviour must update them and say why.
//
// To regenerate after an intended, explained change of results:
//   GOVSIM_UPDATE_GOLDEN=1 build/release/tests/govsim_tests --gtest_filter='Golden.*'
// (writes tests/data/golden/*.txt in the source tree; commit them with the reason).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include "models/results.hpp"
#include "test_support.hpp"

using namespace govsim;
using namespace govsim::testing;

namespace {

const char* const kFiles[] = {"metrics.csv", "timeseries.csv", "distributions.csv"};

std::string fnv1a64(const std::string& data) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

/// file name -> hash, for one run of `scenario` with `sets` on `threads` threads.
std::map<std::string, std::string> hashes_of(const std::string& tag, const std::string& scenario,
                                             const std::vector<std::string>& sets, int threads) {
  const Scenario s = load_scenario(source_path(scenario), sets);
  RunSettings settings;
  settings.threads = threads;
  const RunResult r = run_scenario(s, settings);
  const auto dir = temp_folder("golden-" + tag + "-" + std::to_string(threads));
  write_run(s, r, dir.string());
  std::map<std::string, std::string> h;
  for (const char* f : kFiles) h[f] = fnv1a64(read_file(dir / f));
  return h;
}

std::string golden_path(const std::string& tag) { return source_path("tests/data/golden/" + tag + ".txt"); }

std::map<std::string, std::string> read_golden(const std::string& tag) {
  std::map<std::string, std::string> h;
  std::istringstream in(read_file(golden_path(tag)));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream l(line);
    std::string file, hash;
    if (l >> file >> hash) h[file] = hash;
  }
  return h;
}

void write_golden(const std::string& tag, const std::string& scenario, const std::vector<std::string>& sets,
                  const std::map<std::string, std::string>& h) {
  std::ostringstream out;
  out << "# Golden FNV-1a 64 hashes of the result files of " << scenario << " with\n#";
  for (const auto& s : sets) out << " --set " << s;
  out << "\n# Regenerate (only after an intended, explained change of results):\n"
      << "#   GOVSIM_UPDATE_GOLDEN=1 build/release/tests/govsim_tests --gtest_filter='Golden.*'\n";
  for (const auto& [file, hash] : h) out << file << " " << hash << "\n";
  write_file_atomically(golden_path(tag), out.str());
}

void check_golden(const std::string& tag, const std::string& scenario, const std::vector<std::string>& sets) {
  const auto one = hashes_of(tag, scenario, sets, 1);
  const auto two = hashes_of(tag, scenario, sets, 2);
  EXPECT_EQ(one, two) << "results differ between 1 and 2 threads";
  const char* update = std::getenv("GOVSIM_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    write_golden(tag, scenario, sets, one);
    GTEST_SKIP() << "golden hashes rewritten: " << golden_path(tag);
  }
  const auto golden = read_golden(tag);
  ASSERT_FALSE(golden.empty()) << "no golden hashes in " << golden_path(tag)
                               << " (create them with GOVSIM_UPDATE_GOLDEN=1)";
  for (const char* f : kFiles) {
    const auto it = golden.find(f);
    ASSERT_NE(it, golden.end()) << golden_path(tag) << " has no hash for " << f;
    EXPECT_EQ(it->second, one.at(f))
        << f << " of " << scenario << " no longer matches the golden hash in " << golden_path(tag)
        << ".\nThe results of the same scenario and seed have changed. A performance change must not do that. "
           "If the change of results is intended, explain it (commit message, docs/performance.md or the "
           "change log) and regenerate with:\n  GOVSIM_UPDATE_GOLDEN=1 build/release/tests/govsim_tests "
           "--gtest_filter='Golden.*'";
  }
}

}  // namespace

// The reform: centres, councils (escalation), party committees (parallel
// co-signs), NGOs, the platform, trust spreading on the social graph.
TEST(Golden, ThreeTier) {
  check_golden("three-tier", "scenarios/three-tier.yaml",
               {"populations.residents.residents_per_unit=800", "simulation.horizon_days=365",
                "simulation.warmup_days=30", "simulation.replications=2"});
}

// The baseline: offices with economic targets, administrative burden, sequential co-signs, misrouting.
TEST(Golden, FourTier) {
  check_golden("four-tier", "scenarios/four-tier.yaml",
               {"populations.residents.residents_per_unit=800", "simulation.horizon_days=365",
                "simulation.warmup_days=30", "simulation.replications=2"});
}

// The city structure (10 districts, 94 communities) with few residents per committee.
TEST(Golden, CityThreeTier) {
  check_golden("city-three-tier", "scenarios/city-three-tier.yaml",
               {"populations.residents.residents_per_unit=80", "simulation.horizon_days=180",
                "simulation.warmup_days=20", "simulation.sample_interval_h=168"});
}

// The reform without a fed platform: sequential co-signs, paper handoffs, short transfers.
TEST(Golden, StressUnfedPlatform) {
  check_golden("stress-unfed-platform", "scenarios/variants/stress-unfed-platform.yaml",
               {"populations.residents.residents_per_unit=600", "simulation.horizon_days=180",
                "simulation.warmup_days=20", "simulation.replications=1"});
}

// The textbook Jackson network: onward routing, short lookahead.
TEST(Golden, Jackson) {
  check_golden("jackson", "scenarios/textbook/jackson.yaml",
               {"simulation.horizon_h=3000", "simulation.replications=2"});
}
