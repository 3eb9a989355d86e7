// tests/models/test_json.cpp: the JSON layer every result file goes through
// (models/app/results/json.hpp): escaping of hard names (quotes, backslashes, control
// characters, Chinese, invalid UTF-8), numbers that round-trip, NaN and
// infinity as null, the layout, and the field-by-field difference that
// `sweep --resume` reports.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "models/app/results/json.hpp"
#include "models/app/results/metric_registry.hpp"

namespace govsim {
namespace {

const std::string kHard = "q\"uote\\back\\\\slash \x01\x1f ctl\ttab\nnew\r line \x7f 中文 街道办事处";

TEST(Json, HardStringsAndKeysReadBackAsWritten) {
  Json doc;
  doc["name"] = kHard;
  doc[kHard] = Json::array({kHard, "plain"});
  doc["rows"] = Json::array({Json{{"metric", kHard}, {"value", 1.5}}});
  const std::string text = json_text(doc);
  const Json back = parse_json(text, "doc");
  EXPECT_EQ(back, doc) << text;
  EXPECT_EQ(back.at("name").get<std::string>(), kHard);
  // Chinese stays readable in the file; control characters are escaped, so a
  // record stays on its line.
  EXPECT_NE(text.find("中文 街道办事处"), std::string::npos) << text;
  EXPECT_NE(text.find("\\u0001\\u001f"), std::string::npos) << text;
  EXPECT_NE(text.find("\\\"uote\\\\back"), std::string::npos) << text;
  EXPECT_EQ(text.find('\x01'), std::string::npos);
  EXPECT_EQ(json_line(doc).find('\n'), std::string::npos);
}

TEST(Json, InvalidUtf8IsReplacedNotThrownOrCopied) {
  // The scenario loader lets such bytes through in a name (yaml-cpp does not check).
  const std::string bad = std::string("bad\xff\xfe") + "utf" + "\xe4\xb8" + "x" + "\xc0\xaf";
  Json doc = {{"name", bad}, {bad, bad}};
  std::string text;
  ASSERT_NO_THROW(text = json_text(doc));
  Json back;
  ASSERT_NO_THROW(back = parse_json(text, "doc")) << text;
  const std::string fffd = "\xef\xbf\xbd";  // U+FFFD
  const std::string name = back.at("name").get<std::string>();
  EXPECT_EQ(name.rfind("bad" + fffd, 0), 0u) << name;
  EXPECT_NE(name.find("utf" + fffd), std::string::npos) << name;
  EXPECT_EQ(name.find('\xff'), std::string::npos);
  EXPECT_EQ(back.size(), 2u) << "the key is replaced the same way";
  EXPECT_NO_THROW((void)json_line(Json(bad)));
}

TEST(Json, NumbersRoundTripAndNonFiniteBecomesNull) {
  const double values[] = {0.1, 1.0 / 3.0, 2.0 / 3.0 * 1e-300, 123456789.123456789, -0.0, 4e15 + 1,
                           std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min()};
  for (double v : values) {
    const Json back = parse_json(json_text(Json::array({json_number(v)})), "n");
    ASSERT_TRUE(back[0].is_number()) << v;
    EXPECT_EQ(back[0].get<double>(), v) << json_line(json_number(v));
  }
  for (double v : {std::nan(""), std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    EXPECT_TRUE(json_number(v).is_null()) << v;
    EXPECT_EQ(json_line(Json{{"mean", json_number(v)}}), "{\"mean\": null}");
  }
  // Counts stay integers, and 64-bit ones exactly.
  const std::uint64_t seed = 18446744073709551557ull;
  EXPECT_EQ(parse_json(json_line(Json(seed)), "n").get<std::uint64_t>(), seed);
}

TEST(Json, LayoutIsOneRecordPerLine) {
  Json doc;
  doc["name"] = "x";
  doc["overrides"] = Json::array({"a=1", "b=2"});
  doc["scenario"] = {{"name", "x"}, {"files", {"a.yaml", "b.yaml"}}};
  doc["rows"] = Json::array({Json{{"metric", "m"}, {"mean", 1.5}}, Json{{"metric", "n"}, {"mean", nullptr}}});
  doc["empty"] = Json::array();
  EXPECT_EQ(json_text(doc),
            "{\n"
            "  \"name\": \"x\",\n"
            "  \"overrides\": [\"a=1\", \"b=2\"],\n"
            "  \"scenario\": {\"name\": \"x\", \"files\": [\"a.yaml\", \"b.yaml\"]},\n"
            "  \"rows\": [\n"
            "    {\"metric\": \"m\", \"mean\": 1.5},\n"
            "    {\"metric\": \"n\", \"mean\": null}\n"
            "  ],\n"
            "  \"empty\": []\n"
            "}\n");
}

TEST(Json, NotJsonIsAClearError) {
  try {
    (void)parse_json("{\"a\": 1,", "dir/plan.json");
    ADD_FAILURE() << "parsed a truncated document";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("dir/plan.json: not valid JSON (", 0), 0u) << e.what();
  }
}

TEST(Json, FirstDifferenceNamesTheField) {
  const Json plan = {{"sweep", "s"},
                     {"parameters", Json::array({Json{{"name", "centre_staff"}, {"values", {"1", "2"}}},
                                                 Json{{"name", "coverage"}, {"values", {"0.5"}}}})},
                     {"design", {{"kind", "grid"}, {"seed", 1}}}};
  EXPECT_FALSE(first_difference(plan, plan));
  Json other = plan;
  other["parameters"][0]["values"] = {"1", "3"};
  auto d = first_difference(other, plan);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path, "parameters.centre_staff.values");
  EXPECT_EQ(d->a, "[\"1\", \"3\"]");
  EXPECT_EQ(d->b, "[\"1\", \"2\"]");
  other = plan;
  other["design"]["seed"] = 2;
  d = first_difference(other, plan);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path, "design.seed");
  EXPECT_EQ(d->a + " vs " + d->b, "2 vs 1");
  // A member only one side has.
  other = plan;
  other["design"]["samples"] = 8;
  d = first_difference(plan, other);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path + ": " + d->a + " vs " + d->b, "design.samples: absent vs 8");
  // Parameters renamed or reordered: the list differs as a whole.
  other = plan;
  other["parameters"][1]["name"] = "platform";
  d = first_difference(other, plan);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path, "parameters");
}

TEST(Json, MetricRegistryReadsBackInDisplayOrder) {
  const Json registry = parse_json(json_text(metric_registry_json()), "registry");
  ASSERT_EQ(registry.size(), metric_registry().size());
  std::size_t i = 0;
  for (auto it = registry.begin(); it != registry.end(); ++it, ++i) {
    const auto& m = metric_registry()[i];
    EXPECT_EQ(it.key(), m.name);
    EXPECT_EQ(it.value().at("unit"), std::string(m.unit));
    EXPECT_EQ(it.value().at("better"), to_string(m.better));
    EXPECT_EQ(it.value().at("label").at("zh"), std::string(m.label_zh));
    EXPECT_EQ(it.value().contains("replaced_by"), m.deprecated);
  }
}

}  // namespace
}  // namespace govsim
