// tests/models/test_input_layer.cpp: the input layer (models/app/input/): the
// parameter tables, the one Reader that reads through them, the check that
// every key a table allows is read, the docs generated from the tables, and
// the two error types.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "models/app/input/parameter_docs.hpp"
#include "models/app/input/parameters.hpp"
#include "models/app/input/reader.hpp"
#include "models/app/input/scenario_loader.hpp"
#include "models/app/input/targets.hpp"
#include "models/app/run/simulation.hpp"
#include "models/app/sweep/sweep.hpp"
#include "test_support.hpp"

using namespace govsim;
using namespace govsim::testing;
namespace fs = std::filesystem;

namespace {

/// A one-file document with no provenance: every error names `t.yaml`.
struct Doc {
  Provenance prov;
  YAML::Node node;
  explicit Doc(const std::string& text) : node(YAML::Load(text)) { prov.root = "t.yaml"; }
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

constexpr const char* kMinimal =
    "request_types: {job: {}}\n"
    "units: {station: {resolves: {job: 1}}}\n"
    "populations: {p: {at: station, groups: {all: {need_rates_per_hour: {job: 0.1}}}}}\n";

}  // namespace

// --- The tables --------------------------------------------------------------

TEST(ParameterTables, KeysAreUniqueAndEveryRowSaysWhatItIs) {
  for (const InputKind kind : {InputKind::scenario, InputKind::sweep, InputKind::targets}) {
    std::set<std::string> paths;
    for (const auto& s : sections(kind)) {
      EXPECT_TRUE(paths.insert(s.path).second) << "two sections " << s.path;
      EXPECT_FALSE(s.meaning.empty()) << s.path;
      std::set<std::string> keys;
      for (const auto& p : s.parameters) {
        EXPECT_TRUE(keys.insert(p.key).second) << s.path << "." << p.key << " twice";
        EXPECT_FALSE(p.meaning.empty()) << s.path << "." << p.key;
        EXPECT_FALSE(p.default_text().empty()) << s.path << "." << p.key << ": say what happens when it is absent";
        if (p.type == ParameterType::choice) {
          EXPECT_FALSE(p.choices.empty()) << s.path << "." << p.key;
        }
        if (!p.schema.empty()) {
          nlohmann::json extra;
          EXPECT_NO_THROW(extra = nlohmann::json::parse(p.schema)) << s.path << "." << p.key;
          EXPECT_TRUE(extra.is_object()) << s.path << "." << p.key;
        }
      }
    }
  }
}

TEST(ParameterTables, NumericDefaultsLieInTheirRangeUnlessANoteSaysWhy) {
  for (const auto& s : sections(InputKind::scenario))
    for (const auto& p : s.parameters) {
      if (p.default_value.empty() || (p.type != ParameterType::number && p.type != ParameterType::integer)) continue;
      const double v = std::stod(p.default_value);
      const bool inside = (p.low_open ? v > p.low : v >= p.low) && (p.high_open ? v < p.high : v <= p.high);
      EXPECT_TRUE(inside || !p.default_note.empty()) << s.path << "." << p.key << " = " << v << " outside " << p.range_text();
    }
}

TEST(ParameterTables, RangesReadAsTheyAreWritten) {
  EXPECT_EQ(scenario_section("simulation").find("horizon_h")->range_text(), "(0, 876000]");
  EXPECT_EQ(scenario_section("behaviour").find("spread_weight")->range_text(), "[0, 1]");
  EXPECT_EQ(scenario_section("units.*").find("admin_hours_per_year")->range_text(), ">= 0");
  EXPECT_EQ(scenario_section("units.*").find("tier")->range_text(), "");
  EXPECT_THROW((void)scenario_section("no_such_section"), std::logic_error);
}

/// The domain's structs keep their own initialisers (code builds Scenarios
/// too); a scenario that says nothing must get exactly those from the tables.
TEST(ParameterTables, DefaultsAreTheDomainStructsDefaults) {
  const auto dir = temp_folder("input-defaults");
  const Scenario s = load_scenario(write_scenario(dir, "minimal.yaml", kMinimal));
  const SimulationSettings sim;
  EXPECT_EQ(s.simulation.horizon_h, sim.horizon_h);
  EXPECT_EQ(s.simulation.warmup_h, sim.warmup_h);
  EXPECT_EQ(s.simulation.replications, sim.replications);
  EXPECT_EQ(s.simulation.seed, sim.seed);
  EXPECT_EQ(s.simulation.sample_interval_h, sim.sample_interval_h);
  EXPECT_EQ(s.simulation.start_date, sim.start_date);
  auto same = [](const sim::Distribution& a, const sim::Distribution& b, const char* what) {
    EXPECT_DOUBLE_EQ(a.mean(), b.mean()) << what;
    EXPECT_DOUBLE_EQ(a.minimum(), b.minimum()) << what;
  };
  const Behaviour b;
  EXPECT_EQ(s.behaviour.reporting, b.reporting);
  EXPECT_EQ(s.behaviour.abandonment, b.abandonment);
  EXPECT_EQ(s.behaviour.trust, b.trust);
  EXPECT_EQ(s.behaviour.bad_experience_drop, b.bad_experience_drop);
  EXPECT_EQ(s.behaviour.good_experience_gain, b.good_experience_gain);
  EXPECT_EQ(s.behaviour.spread_weight, b.spread_weight);
  EXPECT_EQ(s.behaviour.slow_share, b.slow_share);
  same(s.behaviour.word_of_mouth_delay_h, b.word_of_mouth_delay_h, "word_of_mouth_delay_h");
  same(s.behaviour.feedback_delay_h, b.feedback_delay_h, "feedback_delay_h");
  const Platform p;
  EXPECT_EQ(s.platform.coverage, p.coverage);
  EXPECT_EQ(s.platform.misroute_reduction, p.misroute_reduction);
  EXPECT_EQ(s.platform.parallel_signoffs, p.parallel_signoffs);
  EXPECT_EQ(s.platform.online_delay_h, p.online_delay_h);
  EXPECT_EQ(s.platform.handoff_h, p.handoff_h);
  const Handoffs h;
  same(s.handoffs.transfer_delay_h, h.transfer_delay_h, "transfer_delay_h");
  same(s.handoffs.redocumentation_h, h.redocumentation_h, "redocumentation_h");
  same(s.handoffs.arbitration_delay_h, h.arbitration_delay_h, "arbitration_delay_h");
  EXPECT_EQ(s.handoffs.loss_probability, h.loss_probability);
  EXPECT_EQ(s.handoffs.arbitration_after_bounces, h.arbitration_after_bounces);
  EXPECT_EQ(s.handoffs.max_reworks, h.max_reworks);
  const UnitGroup u;
  const UnitGroup& g = s.units.at(0);
  EXPECT_EQ(g.kind, u.kind);
  EXPECT_EQ(g.count, u.count);
  EXPECT_EQ(g.staff, u.staff);
  EXPECT_EQ(g.volunteers, u.volunteers);
  EXPECT_EQ(g.admin_hours_per_year, u.admin_hours_per_year);
  EXPECT_EQ(g.economic_hours_per_year, u.economic_hours_per_year);
  same(g.admin_task_h, u.admin_task_h, "admin_task_h");
  same(g.triage_h, u.triage_h, "triage_h");
  same(g.coordination_delay_h, u.coordination_delay_h, "coordination_delay_h");
  EXPECT_EQ(g.misroute_probability, u.misroute_probability);
  EXPECT_EQ(g.refusal_probability, u.refusal_probability);
  EXPECT_EQ(g.quality, u.quality);
  EXPECT_EQ(g.travel_h, u.travel_h);
  EXPECT_EQ(g.cost_per_staff_hour, u.cost_per_staff_hour);
  EXPECT_EQ(g.joint_handling, u.joint_handling);
  const ResidentGroup r;
  const ResidentGroup& rg = s.populations.at(0).groups.at(0);
  EXPECT_EQ(rg.share, r.share);
  EXPECT_EQ(rg.digital_access, r.digital_access);
  EXPECT_EQ(rg.willingness, r.willingness);
  same(rg.reporting_delay_h, r.reporting_delay_h, "reporting_delay_h");
  const RequestType t;
  EXPECT_EQ(s.request_types.at(0).deadline_working_days, t.deadline_working_days);
  EXPECT_EQ(s.request_types.at(0).urgency, t.urgency);
  EXPECT_EQ(s.request_types.at(0).deadline_h, std::stod(scenario_section("request_types.*").find("deadline_h")->default_value));
  // The optional parts: a council's oversight, an NGO's contract, a calendar.
  const Scenario with = load_scenario_text(
      "request_types: {job: {}}\n"
      "calendars: {default: {hours: [[9, 17]]}}\n"
      "units: {station: {resolves: {job: 1}}, council: {kind: council, oversight: {}},\n"
      "        dept: {kind: department, staff: 5}, ngo: {kind: ngo, contract: {from: dept}}}\n"
      "populations: {p: {at: station, groups: {all: {need_rates_per_hour: {job: 0.1}}}}}\n",
      (dir / "parts.yaml").string());
  EXPECT_EQ(with.unit_group("council")->oversight->review_interval_h, Oversight{}.review_interval_h);
  EXPECT_EQ(with.unit_group("council")->oversight->overdue_share, Oversight{}.overdue_share);
  EXPECT_EQ(with.unit_group("council")->oversight->arbitrate_bounced, Oversight{}.arbitrate_bounced);
  EXPECT_EQ(with.unit_group("ngo")->contract->oversight_share, Contract{}.oversight_share);
  EXPECT_EQ(with.calendars.at(0).overtime_limit_h, CalendarSpec{}.overtime_limit_h);
  EXPECT_EQ(with.calendars.at(0).overrun, CalendarSpec{}.overrun);
}

TEST(ParameterTables, SweepDefaultsAreTheSweepSpecsDefaults) {
  const auto dir = temp_folder("input-sweep-defaults");
  write_scenario(dir, "base.yaml", kMinimal);
  const SweepSpec spec = load_sweep_text("base: base.yaml\nparameters: {staff: {path: units.station.staff, values: [1, 2]}}\n",
                                         (dir / "sweep.yaml").string());
  const SweepSpec plain;
  EXPECT_EQ(spec.replications, plain.replications);
  EXPECT_EQ(spec.seed, plain.seed);
  EXPECT_EQ(spec.levels, plain.levels);
  EXPECT_EQ(spec.design_seed, plain.design_seed);
  EXPECT_EQ(spec.design, DesignKind::grid);
  EXPECT_EQ(spec.parameters.at(0).integer, SweepParameter{}.integer);
  EXPECT_EQ(spec.parameters.at(0).log_scale, SweepParameter{}.log_scale);
}

// --- The Reader --------------------------------------------------------------

TEST(Reader, TakesTheDefaultAndTheRangeFromTheTable) {
  const Doc empty("{}");
  const Reader r(empty.prov, empty.node, "behaviour", scenario_section("behaviour"));
  EXPECT_DOUBLE_EQ(r.number("spread_weight"), 0.3);
  EXPECT_FALSE(r.boolean("trust"));
  EXPECT_DOUBLE_EQ(r.distribution("word_of_mouth_delay_h").mean(), 49.0);  // exp(48) + 1
  const Doc high("{spread_weight: 1.5}");
  const Reader h(high.prov, high.node, "behaviour", scenario_section("behaviour"));
  EXPECT_EQ(error_of([&] { (void)h.number("spread_weight"); }),
            "t.yaml:1:17: error: `spread_weight` = 1.5 is out of range: must be >= 0 and <= 1");
  const Doc open("{horizon_h: 0}");
  const Reader o(open.prov, open.node, "simulation", scenario_section("simulation"));
  EXPECT_NE(error_of([&] { (void)o.number("horizon_h"); }).find("must be > 0 and <= 876000"), std::string::npos);
}

TEST(Reader, RefusesKeysTheTableDoesNotHaveWithADidYouMean) {
  const Doc d("{spread_wieght: 0.2}");
  EXPECT_EQ(error_of([&] { Reader(d.prov, d.node, "behaviour", scenario_section("behaviour")); }),
            "t.yaml:1:2: error: unknown key `spread_wieght` in `behaviour`; did you mean `spread_weight`?");
  const Doc far("{zzzzzzzzzz: 1}");
  const std::string e = error_of([&] { Reader(far.prov, far.node, "platform", scenario_section("platform")); });
  EXPECT_NE(e.find("valid keys: coverage, misroute_reduction, parallel_signoffs, online_delay_h, handoff_h"), std::string::npos) << e;
}

TEST(Reader, AKeyPresentButNeverReadIsAProgrammingError) {
  const Doc d("{coverage: 0.5, handoff_h: 2}");
  const Reader r(d.prov, d.node, "platform", scenario_section("platform"));
  (void)r.number("coverage");
  EXPECT_EQ(r.unread(), std::vector<std::string>{"handoff_h"});
  EXPECT_THROW(r.finish(), std::logic_error);
  (void)r.number("handoff_h");
  EXPECT_NO_THROW(r.finish());
  // Text for readers only (`description`) counts as read; so does a key set to null (removed).
  const Doc u("{description: a unit, staff: 2, tier: null}");
  const Reader ur(u.prov, u.node, "units.a", scenario_section("units.*"));
  (void)ur.integer("staff");
  EXPECT_NO_THROW(ur.finish());
}

TEST(Reader, AskingForAKeyOutsideTheTableOrOfAnotherTypeIsAProgrammingError) {
  const Doc d("{}");
  const Reader r(d.prov, d.node, "platform", scenario_section("platform"));
  EXPECT_THROW((void)r.number("no_such_key"), std::logic_error);
  EXPECT_THROW((void)r.integer("coverage"), std::logic_error);
  const Reader t(d.prov, d.node, "units.*.contract", scenario_section("units.*.contract"));
  EXPECT_THROW((void)t.text("from"), std::logic_error) << "`from` has no default: the loader must check has() first";
}

TEST(Reader, RefusesTheKeysOfAnotherDistributionFamily) {
  const auto dir = temp_folder("input-dist");
  const std::string path = write_scenario(
      dir, "s.yaml",
      "request_types: {job: {}}\n"
      "units: {station: {resolves: {job: {dist: exponential, mean: 2, sigma: 1}}}}\n"
      "populations: {p: {at: station, groups: {all: {need_rates_per_hour: {job: 0.1}}}}}\n");
  EXPECT_EQ(error_of([&] { (void)load_scenario(path); }),
            path + ":2:71: error: `sigma` does not apply to a `exponential` distribution");
  const std::string weight = write_scenario(
      dir, "w.yaml",
      "request_types: {job: {}}\n"
      "units: {station: {resolves: {job: {dist: exponential, mean: 2, weight: 1}}}}\n"
      "populations: {p: {at: station, groups: {all: {need_rates_per_hour: {job: 0.1}}}}}\n");
  EXPECT_NE(error_of([&] { (void)load_scenario(weight); }).find("`weight` does not apply to a distribution outside"),
            std::string::npos);
}

// --- Every shipped file is read in full ------------------------------------

/// The loaders call finish() on every mapping: a key a table allows that no
/// code reads would throw std::logic_error here, for any file that writes it.
TEST(InputLayer, EveryShippedFileIsReadWithNoKeyLeftUnread) {
  std::vector<fs::path> scenarios, sweeps, targets;
  for (const auto& e : fs::recursive_directory_iterator(source_path("scenarios"))) {
    if (e.path().extension() != ".yaml") continue;
    const std::string folder = e.path().parent_path().filename().string();
    if (folder == "sweeps") sweeps.push_back(e.path());
    else if (folder == "targets") targets.push_back(e.path());
    // district-base.yaml is only a base (its populations live where it is extended): read through those.
    else if (folder != "elements" && e.path().filename() != "district-base.yaml") scenarios.push_back(e.path());
  }
  for (const auto& e : fs::directory_iterator(source_path("tests/data/good")))
    if (e.path().extension() == ".yaml") scenarios.push_back(e.path());
  ASSERT_GE(scenarios.size(), 20u);
  ASSERT_FALSE(sweeps.empty());
  ASSERT_FALSE(targets.empty());
  for (const auto& f : scenarios) EXPECT_NO_THROW((void)load_scenario(f.string())) << f;
  for (const auto& f : sweeps) EXPECT_NO_THROW((void)load_sweep(f.string())) << f;
  for (const auto& f : targets) EXPECT_NO_THROW((void)load_targets(f.string())) << f;
}

// --- Generated docs ----------------------------------------------------------

TEST(ParameterDocs, TheCommittedDocsAreWhatTheTablesGenerate) {
  for (const auto& f : generated_docs(source_path(""))) {
    const std::string committed = read_file(source_path(f.path));
    if (committed != f.text) {
      const auto out = temp_folder("parameter-docs") / fs::path(f.path).filename();
      std::ofstream(out) << f.text;
      ADD_FAILURE() << f.path << " differs from what models/app/input/parameters.cpp generates (written to " << out
                    << "); regenerate: cmake --build build/release --target govsim_docgen && build/release/govsim_docgen .";
    }
  }
}

TEST(ParameterDocs, TheSchemaHasEveryKeyOfTheTables) {
  const auto schema = nlohmann::json::parse(scenario_schema_json());
  std::set<std::string> top;
  for (const auto& [k, v] : schema["properties"].items()) top.insert(k);
  for (const auto& p : scenario_section("scenario").parameters) EXPECT_TRUE(top.count(p.key)) << p.key;
  const auto& units = schema["properties"]["units"]["additionalProperties"]["properties"];
  for (const auto& p : scenario_section("units.*").parameters) EXPECT_TRUE(units.contains(p.key)) << p.key;
  const auto& staff = units["staff"];
  EXPECT_EQ(staff["minimum"], 0);
  EXPECT_EQ(staff["maximum"], 100000);
  EXPECT_EQ(schema["properties"]["simulation"]["properties"]["horizon_h"]["exclusiveMinimum"], 0);
}

TEST(ParameterDocs, MarkersAreFilledAndBadOnesRefused) {
  const std::string doc = "before\n<!-- parameters:scenario/platform begin -->\nold\n<!-- parameters:scenario/platform end -->\nafter\n";
  const std::string out = regenerate_markers(doc);
  EXPECT_NE(out.find("| `handoff_h` | number | `1` | (0, 1000] | h |"), std::string::npos) << out;
  EXPECT_EQ(out.find("old"), std::string::npos);
  EXPECT_EQ(regenerate_markers(out), out);
  EXPECT_THROW((void)regenerate_markers("<!-- parameters:scenario/nothing begin -->\n<!-- parameters:scenario/nothing end -->"),
               std::invalid_argument);
  EXPECT_THROW((void)regenerate_markers("<!-- parameters:scenario/platform begin -->\n"), std::invalid_argument);
}

// --- Error types -------------------------------------------------------------

TEST(InputErrors, AMemoryLimitIsAResourceLimitNotAnInputError) {
  const auto dir = temp_folder("input-limit");
  const Scenario s = load_scenario(write_scenario(dir, "minimal.yaml", kMinimal));
  RunSettings settings;
  settings.memory_limit_bytes = 1;
  try {
    check_memory(s, settings);
    FAIL() << "a 1-byte memory limit was accepted";
  } catch (const InputError&) {
    FAIL() << "a memory limit reported as bad input";
  } catch (const ResourceLimitError& e) {
    EXPECT_NE(std::string(e.what()).find("MiB allowed"), std::string::npos) << e.what();
    EXPECT_EQ(e.file(), s.path);
  }
  EXPECT_THROW((void)load_scenario_text("units: 1\n", "bad.yaml"), InputError);
}
