// tests/models/test_metric_registry.cpp: the metric registry covers every
// metric a run emits (in every scope), is complete in both languages, is what
// docs/results.md shows, and travels into summary.json and comparison.json
// together with what the report needs (options' differences, resources,
// structure); the terminal comparison names every option in full.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "models/app/compare/compare.hpp"
#include "models/app/results/metric_registry.hpp"
#include "models/app/compare/option_summary.hpp"
#include "models/domain/organisation.hpp"
#include "models/app/results/results.hpp"
#include "test_support.hpp"

using namespace govsim;
using namespace govsim::testing;

namespace {

/// The scopes a registry entry says a metric is emitted for.
std::set<std::string> scopes_of(const MetricInfo& m) {
  std::set<std::string> out;
  std::stringstream in{std::string(m.scopes)};
  for (std::string s; std::getline(in, s, ',');) out.insert(s);
  return out;
}

/// A small run of the reform with every mechanism on (councils, party, NGOs, platform, trust).
const RunResult& reform_run() {
  static const RunResult r = run(source_path("scenarios/three-tier.yaml"),
                                 {"populations.residents.residents_per_unit=200", "simulation.horizon_days=60",
                                  "simulation.warmup_days=10", "simulation.replications=2"});
  return r;
}

}  // namespace

TEST(MetricRegistry, EveryEmittedMetricIsRegisteredForItsScope) {
  // Names registered but not (yet) emitted are fine; emitted but unregistered ones are not.
  std::map<std::string, std::set<std::string>> emitted;  // name -> scopes
  for (const auto& rep : reform_run().replications)
    for (const auto& m : rep.metrics) emitted[m.name].insert(m.scope);
  for (const auto& name : all_metric_names()) emitted[name].insert("all");
  ASSERT_GT(emitted.size(), 20u);
  for (const auto& [name, scopes] : emitted) {
    const MetricInfo* m = find_metric(name);
    ASSERT_NE(m, nullptr) << "metric `" << name << "` is emitted but has no entry in models/app/results/metric_registry.cpp";
    const auto registered = scopes_of(*m);
    for (const auto& scope : scopes)
      EXPECT_TRUE(registered.count(scope)) << "`" << name << "` is emitted in scope `" << scope
                                           << "` but its registry entry lists only " << m->scopes;
  }
}

TEST(MetricRegistry, EntriesAreCompleteInBothLanguages) {
  std::set<std::string_view> names;
  const std::set<std::string_view> formats = {"time", "percent", "count", "decimal", "money"};
  for (const auto& m : metric_registry()) {
    EXPECT_TRUE(names.insert(m.name).second) << "duplicate entry " << m.name;
    EXPECT_FALSE(m.unit.empty()) << m.name;
    EXPECT_TRUE(formats.count(m.format)) << m.name << ": format " << m.format;
    EXPECT_FALSE(m.label_en.empty() || m.label_zh.empty() || m.explain_en.empty() || m.explain_zh.empty()) << m.name;
    EXPECT_FALSE(scopes_of(m).empty()) << m.name;
    // Chinese text is Chinese: it holds at least one CJK character (3-byte UTF-8 from U+4E00).
    EXPECT_TRUE(std::any_of(m.label_zh.begin(), m.label_zh.end(), [](char c) {
      return static_cast<unsigned char>(c) >= 0xE4 && static_cast<unsigned char>(c) <= 0xE9;
    })) << m.name << ": " << m.label_zh;
    if (m.name.size() > 2 && m.name.substr(m.name.size() - 2) == "_h") EXPECT_EQ(m.unit, "hours") << m.name;
    if (m.deprecated) EXPECT_NE(find_metric(m.replaced_by), nullptr) << m.name << " replaced by " << m.replaced_by;
  }
  for (const auto& v : verdict_metrics()) {
    const MetricInfo* m = find_metric(v);
    ASSERT_NE(m, nullptr) << v;
    EXPECT_NE(m->better, Better::neutral) << "a verdict needs a direction: " << v;
  }
  EXPECT_EQ(find_metric("response_median_h")->better, Better::lower);
  EXPECT_EQ(find_metric("mean_willingness_end")->better, Better::higher);
}

TEST(MetricRegistry, DocsResultsTableIsTheRegistry) {
  const std::string doc = read_file(source_path("docs/results.md"));
  const std::string begin = "<!-- metric-registry:begin -->\n", end = "<!-- metric-registry:end -->";
  const auto b = doc.find(begin), e = doc.find(end);
  ASSERT_NE(b, std::string::npos) << "docs/results.md lacks " << begin;
  ASSERT_NE(e, std::string::npos) << "docs/results.md lacks " << end;
  const std::string table = doc.substr(b + begin.size(), e - b - begin.size());
  if (table != metric_registry_markdown()) {
    const auto out = temp_folder("registry") / "metric-table.md";
    std::ofstream(out) << metric_registry_markdown();
    ADD_FAILURE() << "docs/results.md's metric table differs from models/app/results/metric_registry.cpp; the registry's table "
                     "is in "
                  << out << ": paste it between the markers";
  }
}

TEST(MetricRegistry, WrittenIntoSummaryJson) {
  const Scenario s = load_scenario(source_path("scenarios/textbook/mm1.yaml"),
                                   {"simulation.horizon_h=300", "simulation.warmup_h=0", "simulation.replications=1"});
  RunSettings settings;
  const RunResult r = run_scenario(s, settings);
  const auto dir = temp_folder("registry-summary");
  write_run(s, r, dir.string());
  const std::string json = read_file(dir / "summary.json");
  EXPECT_NE(json.find("\"metric_registry\": {"), std::string::npos);
  EXPECT_NE(json.find("\"response_median_h\": {\"unit\": \"hours\", \"format\": \"time\", \"better\": \"lower\""),
            std::string::npos);
  EXPECT_NE(json.find("\"zh\": \"响应时间中位数\""), std::string::npos);
}

TEST(OptionSummary, DifferencesFromBaselineAndParent) {
  const auto dir = temp_folder("options");
  const std::string base = write_scenario(dir, "base.yaml", read_file(source_path("tests/data/good/base.yaml")));
  const std::string child = write_scenario(dir, "child.yaml",
                                           "extends: base.yaml\nname: child\nplatform: {coverage: 0.5}\n");
  const std::string grandchild =
      write_scenario(dir, "grandchild.yaml", "extends: child.yaml\nname: grandchild\nunits: {office: {staff: 7}}\n");
  const Scenario b = load_scenario(base), g = load_scenario(grandchild);
  const Json json = option_json(g, b, {});
  // From the baseline: both the platform and the staff; from its parent (child.yaml): the staff only.
  const auto paths = [](const Json& differences) {
    std::map<std::string, Json> out;
    for (const auto& d : differences) out[d.at("path").get<std::string>()] = d.at("value");
    return out;
  };
  const auto from_baseline = paths(json.at("differences_from_baseline"));
  const auto from_parent = paths(json.at("differences_from_parent"));
  EXPECT_EQ(from_baseline.count("platform.coverage") ? from_baseline.at("platform.coverage") : Json(), "0.5") << json;
  EXPECT_EQ(from_baseline.count("units.office.staff") ? from_baseline.at("units.office.staff") : Json(), "7") << json;
  EXPECT_EQ(from_parent.count("platform.coverage"), 0u) << json;
  EXPECT_EQ(from_parent.count("units.office.staff") ? from_parent.at("units.office.staff") : Json(), "7") << json;
  EXPECT_TRUE(json.at("extends").is_string()) << json;
  EXPECT_TRUE(json.at("resources").at("staff_by_group").is_object()) << json;
  EXPECT_EQ(json.at("resources").at("platform_coverage"), 0.5) << json;
}

TEST(OptionSummary, StructureCountsCommunitiesNotUnits) {
  const Scenario s = load_scenario(source_path("scenarios/three-tier.yaml"));
  const Organisation org(s);
  const Json json = structure_json(s, org);
  // 15 communities (one centre each) holding 75 committees; the tier list runs from the top.
  EXPECT_EQ(json.at("communities"), 15) << json;
  EXPECT_EQ(json.at("home_units"), 75) << json;
  const std::string dot = structure_dot(s, org);
  EXPECT_NE(dot.find("newrank=true"), std::string::npos);
  EXPECT_NE(dot.find("subgraph cluster_c"), std::string::npos);
  EXPECT_NE(dot.find("{ rank=same;"), std::string::npos);
  EXPECT_NE(dot.find("cluster_legend"), std::string::npos);
  EXPECT_NE(dot.find("15 communities"), std::string::npos);
  EXPECT_NE(dot.find("committee x 5"), std::string::npos) << "committees of a community drawn as one node";
  // Compact: far fewer nodes than the 150+ units.
  EXPECT_LT(std::count(dot.begin(), dot.end(), '['), 80);
}

TEST(CompareTable, NamesEveryOptionInFullAndMarksDirection) {
  const std::string long_a = "baseline-with-a-rather-long-name", long_b = "option-with-an-even-longer-name-b";
  auto load_named = [](const std::string& name, const std::vector<std::string>& extra) {
    std::vector<std::string> sets = {"simulation.horizon_h=2000", "simulation.warmup_h=100", "simulation.replications=4",
                                     "name=" + name};
    sets.insert(sets.end(), extra.begin(), extra.end());
    return load_scenario(source_path("scenarios/textbook/mm1.yaml"), sets);
  };
  const std::vector<Scenario> scenarios = {load_named(long_a, {}), load_named(long_b, {"units.station.staff=3"})};
  RunSettings settings;
  std::vector<RunResult> runs;
  for (const auto& s : scenarios) runs.push_back(run_scenario(s, settings));
  const auto rows = compare_runs(runs, 1);  // the second is the baseline
  const std::string en = comparison_table(scenarios, rows, 1, "en");
  EXPECT_NE(en.find(long_a + " - " + long_b), std::string::npos) << en;
  EXPECT_NE(en.find(long_b + " (baseline)"), std::string::npos) << en;
  EXPECT_NE(en.find("mean response time (hours)"), std::string::npos) << en;
  // One server instead of three: slower, so worse than the baseline.
  EXPECT_NE(en.find("worse"), std::string::npos) << en;
  const std::string zh = comparison_table(scenarios, rows, 1, "zh");
  EXPECT_NE(zh.find("平均响应时间（小时）"), std::string::npos) << zh;
  EXPECT_NE(zh.find("（基线）"), std::string::npos) << zh;
  EXPECT_NE(zh.find("较差"), std::string::npos) << zh;
}
