// tests/models/test_scenario_loader.cpp: YAML scenarios, extends, --set and
// the error messages (file:line:column) for bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/domain/scenario.hpp"
#include "models/app/input/scenario_loader.hpp"

namespace {

namespace fs = std::filesystem;
using govsim::InputError;

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string data(const std::string& relative) { return std::string(GOVSIM_SOURCE_DIR) + "/tests/data/" + relative; }

const char* kMinimal = R"(name: tmp
request_types:
  job: {deadline_h: 100}
units:
  station:
    staff: 1
    resolves:
      job: {dist: exponential, mean: 0.5}
populations:
  arrivals:
    at: station
    groups:
      all: {share: 1.0, need_rates_per_hour: {job: 1.0}}
)";

class ScenarioLoader : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("govsim-loader-" + std::to_string(::getpid()) + "-" + std::string(info->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  // Loads `path` expecting a InputError; returns it.
  static InputError load_error(const std::string& path, const std::vector<std::string>& overrides = {}) {
    try {
      govsim::load_scenario(path, overrides);
    } catch (const InputError& e) {
      return e;
    } catch (const std::exception& e) {
      ADD_FAILURE() << path << ": expected a InputError, got another exception: " << e.what();
      return InputError("", 0, 0, "wrong exception");
    }
    ADD_FAILURE() << path << ": expected a InputError, but it loaded";
    return InputError("", 0, 0, "no exception");
  }
  // Expects an error at `file`:`line`:`column` whose message contains `needle`.
  static void expect_error_at(const InputError& e, const std::string& file, int line, int column,
                              const std::string& needle) {
    const std::string what = e.what();
    EXPECT_EQ(e.file(), file) << what;
    EXPECT_EQ(e.line(), line) << what;
    EXPECT_EQ(e.column(), column) << what;
    if (line > 0) {
      const std::string prefix = file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": error: ";
      EXPECT_EQ(what.rfind(prefix, 0), 0u) << what;
    } else {
      EXPECT_EQ(what.rfind(file + ": error: ", 0), 0u) << what;
    }
    EXPECT_NE(what.find(needle), std::string::npos) << "`" << needle << "` not in: " << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
  }
  fs::path dir_;
};

// ---------------------------------------------------------------------------
// Valid scenarios.

TEST_F(ScenarioLoader, MinimalScenarioLoads) {
  const std::string path = data("good/minimal.yaml");
  const govsim::Scenario s = govsim::load_scenario(path);
  EXPECT_EQ(s.name, "minimal");
  EXPECT_EQ(s.path, path);
  ASSERT_EQ(s.files.size(), 1u);
  EXPECT_DOUBLE_EQ(s.simulation.horizon_h, 200.0);
  EXPECT_DOUBLE_EQ(s.simulation.warmup_h, 0.0);
  EXPECT_EQ(s.simulation.replications, 2);
  EXPECT_EQ(s.simulation.seed, 3u);
  EXPECT_DOUBLE_EQ(s.simulation.sample_interval_h, 50.0);
  ASSERT_EQ(s.request_types.size(), 1u);
  EXPECT_EQ(s.request_types[0].name, "job");
  EXPECT_DOUBLE_EQ(s.request_types[0].deadline_h, 100.0);
  EXPECT_EQ(s.request_type_index("job"), 0);
  EXPECT_EQ(s.request_type_index("nope"), -1);
  ASSERT_EQ(s.units.size(), 1u);
  const govsim::UnitGroup* station = s.unit_group("station");
  ASSERT_NE(station, nullptr);
  EXPECT_EQ(station->kind, govsim::UnitKind::station);
  EXPECT_EQ(station->staff, 1);
  EXPECT_EQ(station->count, 1);
  ASSERT_EQ(station->resolves.count("job"), 1u);
  EXPECT_DOUBLE_EQ(station->resolves.at("job").mean(), 0.5);
  EXPECT_EQ(station->resolves.at("job").kind(), sim::Distribution::Kind::exponential);
  EXPECT_GT(station->line, 0);
  EXPECT_EQ(s.unit_group("nope"), nullptr);
  ASSERT_EQ(s.populations.size(), 1u);
  EXPECT_EQ(s.populations[0].at, "station");
  ASSERT_EQ(s.populations[0].groups.size(), 1u);
  EXPECT_DOUBLE_EQ(s.populations[0].groups[0].need_rates.at("job"), 1.0);
  EXPECT_EQ(s.content_hash.size(), 16u);
}

TEST_F(ScenarioLoader, TextbookScenariosLoad) {
  for (const char* name : {"mm1", "md1", "mmc_case1", "mmc_case3", "jackson"}) {
    SCOPED_TRACE(name);
    const std::string path = std::string(GOVSIM_SOURCE_DIR) + "/scenarios/textbook/" + name + ".yaml";
    EXPECT_NO_THROW(govsim::load_scenario(path));
  }
}

TEST_F(ScenarioLoader, RatesPerYearAreConvertedToPerHour) {
  const govsim::Scenario s = govsim::load_scenario(data("good/base.yaml"));
  ASSERT_EQ(s.populations.size(), 1u);
  const auto& groups = s.populations[0].groups;
  ASSERT_EQ(groups.size(), 2u);
  const auto& young = groups[0].name == "young" ? groups[0] : groups[1];
  EXPECT_NEAR(young.need_rates.at("job"), 2.0 / 8760.0, 1e-15);
  EXPECT_NEAR(young.need_rates.at("permit"), 1.0 / 8760.0, 1e-15);
  EXPECT_DOUBLE_EQ(young.share, 0.4);
  EXPECT_DOUBLE_EQ(young.digital_access, 0.9);
}

TEST_F(ScenarioLoader, ExtendsMergesMaps) {
  const govsim::Scenario base = govsim::load_scenario(data("good/base.yaml"));
  const govsim::Scenario s = govsim::load_scenario(data("good/child.yaml"));
  EXPECT_EQ(s.name, "child");
  // Nested key overridden, siblings kept.
  EXPECT_EQ(s.simulation.replications, 7);
  EXPECT_DOUBLE_EQ(s.simulation.horizon_h, 1000.0);
  EXPECT_DOUBLE_EQ(s.simulation.warmup_h, 100.0);
  EXPECT_EQ(s.simulation.seed, 5u);
  const govsim::UnitGroup* office = s.unit_group("office");
  ASSERT_NE(office, nullptr);
  EXPECT_EQ(office->staff, 6);
  EXPECT_EQ(office->kind, govsim::UnitKind::service_centre);
  EXPECT_EQ(office->tier, "street");
  EXPECT_EQ(office->refers.at("permit"), "bureau");
  EXPECT_EQ(office->resolves.count("job"), 1u);
  // Units of the base are kept, the child's new one added.
  ASSERT_NE(s.unit_group("bureau"), nullptr);
  EXPECT_EQ(s.unit_group("bureau")->staff, 2);
  ASSERT_NE(s.unit_group("annex"), nullptr);
  EXPECT_DOUBLE_EQ(s.unit_group("annex")->resolves.at("job").mean(), 0.5);
  EXPECT_EQ(s.units.size(), 3u);
  // Unchanged sections come from the base.
  EXPECT_EQ(s.request_types.size(), base.request_types.size());
  EXPECT_EQ(s.populations.size(), 1u);
  // The chain, base last.
  ASSERT_EQ(s.files.size(), 2u);
  EXPECT_EQ(fs::path(s.files[0]).filename(), "child.yaml");
  EXPECT_EQ(fs::path(s.files[1]).filename(), "base.yaml");
  EXPECT_NE(s.content_hash, base.content_hash);
}

TEST_F(ScenarioLoader, NullRemovesAKey) {
  const govsim::Scenario base = govsim::load_scenario(data("good/base.yaml"));
  const govsim::Scenario s = govsim::load_scenario(data("good/child.yaml"));
  EXPECT_EQ(base.description, "the base scenario");
  EXPECT_EQ(s.description, "");
  EXPECT_DOUBLE_EQ(base.unit_group("office")->admin_hours_per_year, 1000.0);
  EXPECT_DOUBLE_EQ(s.unit_group("office")->admin_hours_per_year, 0.0);  // back to the default
  const std::string text = govsim::merged_scenario_text(data("good/child.yaml"));
  EXPECT_EQ(text.find("admin_hours_per_year"), std::string::npos) << text;
  EXPECT_EQ(text.find("the base scenario"), std::string::npos) << text;
  EXPECT_EQ(text.find("extends"), std::string::npos) << text;
}

TEST_F(ScenarioLoader, ExtendsChainsTransitively) {
  const govsim::Scenario s = govsim::load_scenario(data("good/grandchild.yaml"));
  EXPECT_EQ(s.name, "grandchild");
  EXPECT_EQ(s.unit_group("bureau")->staff, 9);
  EXPECT_EQ(s.unit_group("office")->staff, 6);
  EXPECT_EQ(s.simulation.replications, 7);
  ASSERT_EQ(s.files.size(), 3u);
  EXPECT_EQ(fs::path(s.files[2]).filename(), "base.yaml");
}

TEST_F(ScenarioLoader, ListsAreReplacedNotMerged) {
  // routing in the base has two entries; the child gives one.
  const std::string base = write("net.yaml", R"(name: net
request_types: {job: {deadline_h: 10}}
units:
  a:
    resolves: {job: 1}
    routing: [{to: b, probability: 0.3}, {to: a, probability: 0.2}]
  b:
    resolves: {job: 1}
populations:
  p: {at: a, groups: {all: {need_rates_per_hour: {job: 0.1}}}}
)");
  const std::string child = write("net_child.yaml", "extends: net.yaml\nunits:\n  a:\n    routing: [{to: b, probability: 0.9}]\n");
  const govsim::Scenario s = govsim::load_scenario(child);
  ASSERT_EQ(s.unit_group("a")->routing.size(), 1u);
  EXPECT_EQ(s.unit_group("a")->routing[0].to, "b");
  EXPECT_DOUBLE_EQ(s.unit_group("a")->routing[0].probability, 0.9);
  EXPECT_EQ(govsim::load_scenario(base).unit_group("a")->routing.size(), 2u);
}

TEST_F(ScenarioLoader, SetOverridesValues) {
  const std::string path = data("good/minimal.yaml");
  const govsim::Scenario plain = govsim::load_scenario(path);
  const govsim::Scenario s = govsim::load_scenario(path, {"units.station.staff=3"});
  EXPECT_EQ(s.unit_group("station")->staff, 3);
  EXPECT_NE(s.content_hash, plain.content_hash);
  EXPECT_EQ(govsim::load_scenario(path, {"units.station.staff=3"}).content_hash, s.content_hash);

  const govsim::Scenario t = govsim::load_scenario(
      path, {"simulation.horizon_h=500", "simulation.replications=4", "units.station.resolves.job={dist: deterministic, value: 2}",
             "simulation.replications=5"});  // later wins
  EXPECT_DOUBLE_EQ(t.simulation.horizon_h, 500.0);
  EXPECT_EQ(t.simulation.replications, 5);
  EXPECT_EQ(t.unit_group("station")->resolves.at("job").kind(), sim::Distribution::Kind::deterministic);
  EXPECT_DOUBLE_EQ(t.unit_group("station")->resolves.at("job").mean(), 2.0);
  // Other values untouched.
  EXPECT_EQ(t.simulation.seed, 3u);
  EXPECT_EQ(t.unit_group("station")->staff, 1);
}

TEST_F(ScenarioLoader, SetCreatesMissingMaps) {
  const std::string path = write("s.yaml", kMinimal);  // no `simulation` section
  const govsim::Scenario s = govsim::load_scenario(path, {"simulation.seed=99", "handoffs.max_reworks=5"});
  EXPECT_EQ(s.simulation.seed, 99u);
  EXPECT_EQ(s.handoffs.max_reworks, 5);
}

TEST_F(ScenarioLoader, SetAppliesAfterExtends) {
  const govsim::Scenario s = govsim::load_scenario(data("good/child.yaml"), {"units.bureau.staff=11", "units.office.staff=1"});
  EXPECT_EQ(s.unit_group("bureau")->staff, 11);
  EXPECT_EQ(s.unit_group("office")->staff, 1);
  EXPECT_EQ(s.simulation.replications, 7);
  const std::string text = govsim::merged_scenario_text(data("good/child.yaml"), {"units.bureau.staff=11"});
  EXPECT_NE(text.find("11"), std::string::npos) << text;
}

TEST_F(ScenarioLoader, BadSetIsAnError) {
  const std::string path = data("good/minimal.yaml");
  {
    const InputError e = load_error(path, {"units.station.staff"});
    EXPECT_NE(std::string(e.what()).find("path=value"), std::string::npos) << e.what();
  }
  {
    const InputError e = load_error(path, {"=3"});
    EXPECT_NE(std::string(e.what()).find("path=value"), std::string::npos) << e.what();
  }
  {
    const InputError e = load_error(path, {"units.station.staff=0"});
    EXPECT_NE(std::string(e.what()).find("staff"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--set"), std::string::npos) << e.what();
  }
  {
    const InputError e = load_error(path, {"units.station.staf=2"});
    EXPECT_NE(std::string(e.what()).find("did you mean `staff`"), std::string::npos) << e.what();
  }
  {
    const InputError e = load_error(path, {"simulation=[1"});
    EXPECT_NE(std::string(e.what()).find("malformed"), std::string::npos) << e.what();
  }
  {
    // A path through a scalar.
    const InputError e = load_error(path, {"name.first=x"});
    EXPECT_NE(std::string(e.what()).find("not a mapping"), std::string::npos) << e.what();
  }
}

TEST_F(ScenarioLoader, EditDistance) {
  EXPECT_EQ(govsim::edit_distance("", ""), 0u);
  EXPECT_EQ(govsim::edit_distance("staf", "staff"), 1u);
  EXPECT_EQ(govsim::edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(govsim::edit_distance("abc", ""), 3u);
  EXPECT_EQ(govsim::edit_distance("", "abcd"), 4u);
  EXPECT_EQ(govsim::edit_distance("flaw", "lawn"), 2u);
}

// ---------------------------------------------------------------------------
// Errors, from the fixtures in tests/data/bad.

TEST_F(ScenarioLoader, ExtendsCycleIsDetected) {
  const InputError e = load_error(data("bad/cycle_a.yaml"));
  EXPECT_NE(std::string(e.what()).find("cycle"), std::string::npos) << e.what();
  EXPECT_GT(e.line(), 0) << e.what();
  // A file that extends itself.
  const std::string self = write("self.yaml", std::string("extends: self.yaml\n") + kMinimal);
  const InputError s = load_error(self);
  expect_error_at(s, self, 1, 10, "cycle");
}

TEST_F(ScenarioLoader, MalformedYaml) {
  const std::string path = data("bad/malformed.yaml");
  const InputError e = load_error(path);
  EXPECT_EQ(e.file(), path);
  EXPECT_GE(e.line(), 3) << e.what();
  EXPECT_LE(e.line(), 5) << e.what();
  EXPECT_GT(e.column(), 0) << e.what();
  EXPECT_NE(std::string(e.what()).find("malformed YAML"), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()).rfind(path + ":" + std::to_string(e.line()) + ":", 0), 0u) << e.what();
}

TEST_F(ScenarioLoader, UnknownKeySuggestsNearest) {
  const std::string path = data("bad/unknown_key.yaml");
  expect_error_at(load_error(path), path, 6, 5, "unknown key `staf`");
  expect_error_at(load_error(path), path, 6, 5, "did you mean `staff`?");
}

TEST_F(ScenarioLoader, UnknownKeyFarFromAnyListsValidKeys) {
  const std::string path = write("far.yaml", std::string(kMinimal) + "platform: {zzzzzzzzzzzz: 1}\n");
  expect_error_at(load_error(path), path, 14, 12, "valid keys: coverage");
}

TEST_F(ScenarioLoader, UnknownTopLevelKeyHasLineAndColumn) {
  const std::string path = write("top.yaml", std::string(kMinimal) + "simulaton: {seed: 1}\n");
  expect_error_at(load_error(path), path, 14, 1, "did you mean `simulation`?");
}

TEST_F(ScenarioLoader, UnknownKeyInBaseNamesTheBaseFile) {
  // A nested unknown key in the base: reported in the base file.
  const std::string base = write("base.yaml", replaced(kMinimal, "staff", "staf"));
  const std::string child = write("child.yaml", "extends: base.yaml\nname: kid\n");
  expect_error_at(load_error(child), base, 6, 5, "did you mean `staff`?");
}

TEST_F(ScenarioLoader, UnknownTopLevelKeyInBaseNamesTheBaseFile) {
  const std::string base = write("base.yaml", std::string(kMinimal) + "simulaton: {seed: 1}\n");
  const std::string child = write("child.yaml", "extends: base.yaml\nname: kid\n");
  expect_error_at(load_error(child), base, 14, 1, "did you mean `simulation`?");
}

TEST_F(ScenarioLoader, UnknownKeyAddedByChildHasLineAndColumn) {
  write("base.yaml", kMinimal);
  const std::string child = write("child.yaml", "extends: base.yaml\nunits:\n  station:\n    staf: 3\n");
  expect_error_at(load_error(child), child, 4, 5, "did you mean `staff`?");
}

TEST_F(ScenarioLoader, BadValueInChildNamesTheChildFile) {
  write("base.yaml", kMinimal);
  const std::string child = write("child.yaml", "extends: base.yaml\nunits:\n  station:\n    staff: 0\n");
  expect_error_at(load_error(child), child, 4, 12, "`staff` = 0 is out of range");
}

TEST_F(ScenarioLoader, BadValueInBaseNamesTheBaseFile) {
  const std::string base = write("base.yaml", replaced(kMinimal, "staff: 1", "staff: -2"));
  const std::string child = write("child.yaml", "extends: base.yaml\nname: kid\n");
  expect_error_at(load_error(child), base, 6, 12, "`staff` = -2 is out of range");
}

TEST_F(ScenarioLoader, WrongType) {
  const std::string path = data("bad/wrong_type.yaml");
  expect_error_at(load_error(path), path, 6, 12, "`staff` must be a whole number, not `many`");
}

TEST_F(ScenarioLoader, WrongTypeForNumberAndBoolean) {
  const std::string a = write("a.yaml", std::string(kMinimal) + "platform: {coverage: lots}\n");
  expect_error_at(load_error(a), a, 14, 22, "`coverage` must be a number");
  const std::string b = write("b.yaml", std::string(kMinimal) + "behaviour: {trust: maybe}\n");
  expect_error_at(load_error(b), b, 14, 20, "true or false");
}

TEST_F(ScenarioLoader, ZeroMeanIsAnError) {
  const std::string path = data("bad/zero_mean.yaml");
  expect_error_at(load_error(path), path, 8, 38, "`mean` = 0 is out of range: must be > 0");
}

TEST_F(ScenarioLoader, NegativeMeanIsAnError) {
  const std::string text = replaced(kMinimal, "mean: 0.5", "mean: -1");
  const std::string path = write("neg.yaml", text);
  expect_error_at(load_error(path), path, 8, 38, "`mean` = -1 is out of range");
}

TEST_F(ScenarioLoader, NegativeRateIsAnError) {
  const std::string path = data("bad/negative_rate.yaml");
  expect_error_at(load_error(path), path, 13, 52, "`job` = -0.5 is out of range");
}

TEST_F(ScenarioLoader, ProbabilityOutsideUnitInterval) {
  const std::string path = data("bad/probability.yaml");
  expect_error_at(load_error(path), path, 7, 14, "`quality` = 1.5 is out of range");
  const std::string neg = write("neg.yaml", std::string(kMinimal) + "handoffs: {loss_probability: -0.1}\n");
  expect_error_at(load_error(neg), neg, 14, 30, "`loss_probability` = -0.1 is out of range");
  const std::string route = write("route.yaml", R"(name: r
request_types: {job: {deadline_h: 10}}
units:
  a:
    resolves: {job: 1}
    routing: [{to: a, probability: 1.5}]
populations:
  p: {at: a, groups: {all: {need_rates_per_hour: {job: 0.1}}}}
)");
  expect_error_at(load_error(route), route, 6, 36, "`probability` = 1.5 is out of range");
}

TEST_F(ScenarioLoader, RoutingProbabilitiesAboveOne) {
  const std::string path = data("bad/routing_sum.yaml");
  expect_error_at(load_error(path), path, 7, 14, "routing probabilities sum to 1.3");
}

TEST_F(ScenarioLoader, MissingParent) {
  const std::string path = data("bad/missing_parent.yaml");
  expect_error_at(load_error(path), path, 6, 13, "`parent: headquarters` names no unit group");
}

TEST_F(ScenarioLoader, MissingReferralTarget) {
  const std::string path = data("bad/missing_refers.yaml");
  expect_error_at(load_error(path), path, 7, 22, "`permit: bureaux` names no unit group; did you mean `bureau`?");
}

TEST_F(ScenarioLoader, MissingRoutingTarget) {
  const std::string path = data("bad/missing_routing.yaml");
  expect_error_at(load_error(path), path, 7, 14, "routing to `nowhere`");
}

TEST_F(ScenarioLoader, MissingPopulationUnit) {
  const std::string path = data("bad/missing_at.yaml");
  expect_error_at(load_error(path), path, 8, 18, "`at: stadium` names no unit group");
}

TEST_F(ScenarioLoader, DemandWithoutResolvingUnit) {
  const std::string path = data("bad/unresolved.yaml");
  expect_error_at(load_error(path), path, 4, 11, "request type `permit` has demand but no unit `resolves` it");
}

TEST_F(ScenarioLoader, GroupSharesMustSumToOne) {
  const std::string path = data("bad/shares.yaml");
  expect_error_at(load_error(path), path, 11, 7, "group shares sum to 0.9");
}

TEST_F(ScenarioLoader, MissingFileNamesTheFile) {
  const std::string path = (dir_ / "does-not-exist.yaml").string();
  const InputError e = load_error(path);
  expect_error_at(e, path, 0, 0, "no such file");
}

TEST_F(ScenarioLoader, MissingBaseFileNamesBothFiles) {
  const std::string path = data("bad/extends_missing.yaml");
  const InputError e = load_error(path);
  expect_error_at(e, path, 1, 10, "no_such_base.yaml");
  EXPECT_NE(std::string(e.what()).find("no such file"), std::string::npos) << e.what();
}

TEST_F(ScenarioLoader, FolderIsNotAScenario) {
  const InputError e = load_error(dir_.string());
  expect_error_at(e, dir_.string(), 0, 0, "folder");
}

TEST_F(ScenarioLoader, BinaryGarbage) {
  const std::string path = data("bad/binary.yaml");
  expect_error_at(load_error(path), path, 0, 0, "binary");
  // Garbage without NUL bytes parses as a scalar, not a mapping.
  const std::string garbage = data("bad/garbage.yaml");
  const InputError e = load_error(garbage);
  EXPECT_EQ(e.file(), garbage);
  EXPECT_EQ(std::string(e.what()).rfind(garbage + ":", 0), 0u) << e.what();
}

TEST_F(ScenarioLoader, EmptyFile) {
  const std::string path = data("bad/empty.yaml");
  expect_error_at(load_error(path), path, 0, 0, "empty");
  const std::string comments = write("comments.yaml", "# only a comment\n\n");
  expect_error_at(load_error(comments), comments, 0, 0, "empty");
}

TEST_F(ScenarioLoader, TopLevelListIsAnError) {
  const std::string path = write("list.yaml", "- a\n- b\n");
  expect_error_at(load_error(path), path, 1, 1, "must be a mapping");
}

TEST_F(ScenarioLoader, MissingSections) {
  const std::string path = write("nothing.yaml", "name: nothing\n");
  const InputError e = load_error(path);
  EXPECT_NE(std::string(e.what()).find("request_types"), std::string::npos) << e.what();
  EXPECT_EQ(e.file(), path);
}

TEST_F(ScenarioLoader, MixtureOfMixturesIsAnError) {
  {
    const std::string text = replaced(kMinimal, "{dist: exponential, mean: 0.5}",
                                      "\n        dist: mixture\n        components:\n          - {weight: 1, dist: mixture}\n");
    const std::string path = write("mix.yaml", text);
    expect_error_at(load_error(path), path, 11, 13, "cannot itself be a mixture");
  }
  {
    // A nested mixture with its own components: refused too, with a place.
    const std::string text = replaced(kMinimal, "{dist: exponential, mean: 0.5}",
                                      "\n        dist: mixture\n        components:\n          - {weight: 1, dist: mixture, "
                                      "components: [{weight: 1, dist: exponential, mean: 1}]}\n");
    const std::string path = write("mix2.yaml", text);
    const InputError e = load_error(path);
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 11) << e.what();
  }
}

TEST_F(ScenarioLoader, EmpiricalWithDecreasingValuesIsAnError) {
  const std::string text = replaced(kMinimal, "{dist: exponential, mean: 0.5}",
               "{dist: empirical, points: [[0, 1], [0.5, 3], [1, 2]]}");
  const std::string path = write("emp.yaml", text);
  const InputError e = load_error(path);
  EXPECT_NE(std::string(e.what()).find("must not decrease"), std::string::npos) << e.what();
  EXPECT_EQ(e.line(), 8) << e.what();
}

TEST_F(ScenarioLoader, WarmupMustEndBeforeHorizon) {
  const std::string path = write("w.yaml", std::string(kMinimal) + "simulation: {horizon_h: 100, warmup_h: 100}\n");
  const InputError e = load_error(path);
  EXPECT_NE(std::string(e.what()).find("warm-up"), std::string::npos) << e.what();
  EXPECT_EQ(e.line(), 14) << e.what();
}

TEST_F(ScenarioLoader, UnitCannotBeItsOwnParent) {
  const std::string text = replaced(kMinimal, "staff: 1", "parent: station");
  const std::string path = write("own.yaml", text);
  expect_error_at(load_error(path), path, 6, 13, "its own parent");
}

TEST_F(ScenarioLoader, ParentChainLoopIsAnError) {
  const std::string path = write("loop.yaml", R"(name: loop
request_types: {job: {deadline_h: 10}}
units:
  a:
    parent: b
    resolves: {job: 1}
  b:
    parent: a
populations:
  p: {at: a, groups: {all: {need_rates_per_hour: {job: 0.1}}}}
)");
  const InputError e = load_error(path);
  EXPECT_NE(std::string(e.what()).find("loops back"), std::string::npos) << e.what();
  EXPECT_GT(e.line(), 0) << e.what();
}

TEST_F(ScenarioLoader, ResolvesUnknownRequestType) {
  const std::string text = replaced(kMinimal, "      job: {dist", "      jbo: {dist");
  const std::string path = write("unk.yaml", text);
  expect_error_at(load_error(path), path, 8, 7, "`jbo` is not a request type");
}

}  // namespace

// Issue 13: numbers are read one way everywhere. yaml-cpp read `010` as octal
// 8 in whole-number fields only (a `horizon_h: 010` was 10).
TEST(ScenarioLoaderIssue13, ZeroPaddedWholeNumbersAreDecimal) {
  const std::string minimal = std::string(GOVSIM_SOURCE_DIR) + "/tests/data/good/minimal.yaml";
  const govsim::Scenario s = govsim::load_scenario(
      minimal, {"units.station.staff=010", "units.station.count=0012", "simulation.seed=0010"});
  EXPECT_EQ(s.unit_group("station")->staff, 10);
  EXPECT_EQ(s.unit_group("station")->count, 12);
  EXPECT_EQ(s.simulation.seed, 10u);
}

// Issue 13 item 9: the resolved scenario holds everything a run used.
TEST(ScenarioLoaderIssue13, ResolvedScenarioLoadsAsTheOriginal) {
  const std::string child = std::string(GOVSIM_SOURCE_DIR) + "/tests/data/good/child.yaml";
  const std::vector<std::string> sets = {"units.office.staff=9"};
  const govsim::Scenario original = govsim::load_scenario(child, sets);
  const auto dir = std::filesystem::temp_directory_path() / ("govsim-resolved-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "scenario.resolved.yaml";
  std::ofstream(path) << govsim::resolved_scenario_text(child, sets, original.name, 77, 3);
  const govsim::Scenario again = govsim::load_scenario(path.string());
  EXPECT_EQ(again.name, original.name);
  EXPECT_EQ(again.unit_group("office")->staff, 9);
  EXPECT_EQ(again.simulation.seed, 77u);
  EXPECT_EQ(again.simulation.replications, 3);
  EXPECT_EQ(again.files.size(), 1u);  // nothing left to extend
  std::filesystem::remove_all(dir);
}
