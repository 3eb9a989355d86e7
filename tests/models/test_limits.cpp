// tests/models/test_limits.cpp: valid but extreme inputs, and the loader's text entry point.
//
// An overloaded scenario must run to its horizon and say it is saturated; the
// up-front memory estimate must cover what an overloaded run keeps alive;
// abandonment must bound the backlog. (Refusals are in test_bad_inputs.cpp.)
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <limits>

#include "models/domain/journey.hpp"
#include "models/domain/organisation.hpp"
#include "models/domain/population.hpp"
#include "models/app/results/results.hpp"
#include "test_support.hpp"

namespace govsim {
namespace {

using testing::mean_of;
using testing::read_file;
using testing::source_path;
using testing::temp_folder;

const std::string kOverloaded = source_path("tests/data/good/overloaded.yaml");

TEST(Overload, RunEndsAtTheHorizonAndSaysTheUnitIsSaturated) {
  const auto dir = temp_folder("overload-cli");
  const auto out = dir / "out";
  const std::string cmd = "'" + std::string(GOVSIM_BINARY) + "' run '" + kOverloaded + "' --quiet --out '" +
                          out.string() + "' >'" + (dir / "stdout").string() + "' 2>&1";
  const int raw = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(raw));
  ASSERT_EQ(WEXITSTATUS(raw), 0) << read_file(dir / "stdout");
  const std::string printed = read_file(dir / "stdout");
  EXPECT_NE(printed.find("warning: unit station is saturated"), std::string::npos) << printed;
  const std::string summary = read_file(out / "summary.json");
  EXPECT_NE(summary.find("\"warnings\": [\"unit station is saturated"), std::string::npos) << summary.substr(0, 1500);
  std::filesystem::remove_all(dir);
}

TEST(Overload, MemoryEstimateCoversTheBacklog) {
  const Scenario s = load_scenario(kOverloaded);
  const Organisation org(s);
  const std::uint64_t estimate = estimate_memory_bytes(s, org);
  RunSettings settings;
  const RunResult run = run_scenario(s, settings);
  const double needs = mean_of(run, "needs");
  const double backlog = mean_of(run, "backlog_end", "unit", "station");
  // The scenario is what it claims: most requests are still queued at the end.
  ASSERT_GT(backlog, 0.8 * needs);
  // Every need leaves an outcome record; every queued request is a live case (JourneyModel::Item).
  const double kept = needs * sizeof(Outcome) + backlog * sizeof(JourneyModel::Item);
  EXPECT_GE(static_cast<double>(estimate), kept) << "estimate " << estimate << " B for " << needs << " needs, "
                                                  << backlog << " still queued";
  // ...and the estimate is an estimate, not a refusal of everything.
  EXPECT_LT(static_cast<double>(estimate), 10.0 * kept);
  // Two replications side by side (--threads 2) hold two backlogs at once.
  EXPECT_GE(static_cast<double>(estimate_memory_bytes(s, org, 2)), static_cast<double>(estimate) + kept);
}

TEST(Overload, AbandonmentBoundsTheBacklog) {
  const RunResult patient = testing::run(kOverloaded);
  const RunResult impatient = testing::run(
      kOverloaded, {"behaviour.abandonment=true", "populations.arrivals.groups.all.patience_h=24"});
  const double kept = mean_of(patient, "backlog_end", "unit", "station");
  const double bounded = mean_of(impatient, "backlog_end", "unit", "station");
  // Ten arrivals an hour for 24 hours of patience: a few hundred, not 180,000.
  EXPECT_GT(kept, 100000);
  EXPECT_LT(bounded, 1000);
  EXPECT_GT(mean_of(impatient, "share_abandoned"), 0.8);
}

TEST(Limits, EstimateSaturatesInsteadOfOverflowing) {
  // Each number in range, the product far beyond 2^64 bytes (a cast would be undefined).
  const std::string yaml =
      "request_types: {job: {deadline_h: 100}}\n"
      "units: {station: {count: 1000, resolves: {job: 1}}}\n"
      "populations: {p: {at: station, residents_per_unit: 4000000, groups: {all: {need_rates_per_hour: {job: 1e7}}}}}\n"
      "simulation: {horizon_h: 876000}\n";
  const Scenario s = load_scenario_text(yaml, "huge.yaml");
  const Organisation org(s);
  EXPECT_EQ(estimate_memory_bytes(s, org), std::numeric_limits<std::uint64_t>::max());
}

TEST(Output, ScenarioNameNamesOneFolderInsideResults) {
  // Without --out, results go to results/<name>-<n>: a name is not a path.
  const auto dir = temp_folder("name-escape");
  const auto work = dir / "a" / "b";
  std::filesystem::create_directories(work);
  std::string yaml = read_file(source_path("tests/data/good/minimal.yaml"));
  yaml.replace(yaml.find("name: minimal"), 13, "name: ../../escape");
  testing::write_scenario(work, "s.yaml", yaml);
  const std::string cmd = "cd '" + work.string() + "' && '" + std::string(GOVSIM_BINARY) +
                          "' run s.yaml --quiet >/dev/null 2>&1";
  const int raw = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(raw));
  EXPECT_EQ(WEXITSTATUS(raw), 0);
  EXPECT_TRUE(std::filesystem::exists(work / "results" / "run.._.._escape-1" / "summary.json"));
  EXPECT_FALSE(std::filesystem::exists(dir / "escape-1"));
  EXPECT_FALSE(std::filesystem::exists(dir / "a" / "escape-1"));
  std::filesystem::remove_all(dir);
}

TEST(LoadText, NamesTheVirtualFileAndResolvesExtendsBesideIt) {
  const std::string name = source_path("tests/data/good/virtual.yaml");  // does not exist
  const Scenario s = load_scenario_text("extends: base.yaml\nname: virtual\n", name);
  EXPECT_EQ(s.name, "virtual");
  EXPECT_EQ(s.path, name);
  ASSERT_EQ(s.files.size(), 2u);
  EXPECT_NE(s.files[1].find("base.yaml"), std::string::npos);
  try {
    load_scenario_text("request_types: {job: {}}\nunits: {a: {staf: 1}}\n", "virtual.yaml");
    FAIL() << "an unknown key was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "virtual.yaml");
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 13);
    EXPECT_NE(e.message().find("did you mean `staff`"), std::string::npos) << e.what();
  }
}

TEST(Organisation, MemberOfAGroupIsFoundThroughTheNearestAncestor) {
  // Three committees, one per community; two NGOs per community. Committee i
  // must reach an NGO of its own community, the (i mod 2)-th of the two: for
  // committee 1 that is ngo/3 (a proportional guess would say ngo/2).
  const std::string yaml =
      "request_types: {job: {deadline_h: 100}}\n"
      "units:\n"
      "  community: {count: 3}\n"
      "  ngo: {count: 6, parent: community, resolves: {job: 1}}\n"
      "  committee: {count: 3, parent: community, refers: {job: ngo}}\n"
      "populations: {p: {at: committee, groups: {all: {need_rates_per_hour: {job: 1}}}}}\n";
  const Scenario s = load_scenario_text(yaml, "ngo.yaml");
  const Organisation org(s);
  const std::uint32_t committees = org.first_member(org.group_index("committee"));
  const char* expected[] = {"ngo/0", "ngo/3", "ngo/4"};
  for (std::uint32_t i = 0; i < 3; ++i) {
    const std::uint32_t u = committees + i;
    const std::uint32_t ngo = org.referral(u, 0);
    ASSERT_NE(ngo, kNoUnit);
    EXPECT_EQ(org.unit(ngo).name, expected[i]) << org.unit(u).name;
    EXPECT_EQ(org.unit(ngo).parent, org.unit(u).parent) << org.unit(u).name << " -> " << org.unit(ngo).name;
  }
}

}  // namespace
}  // namespace govsim
