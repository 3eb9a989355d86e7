// models/app/input/targets.cpp: reading calibration targets (see targets.hpp).
#include "models/app/input/targets.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>

#include "models/app/results/metric_registry.hpp"
#include "models/app/input/scenario_loader.hpp"
#include "models/app/input/parameters.hpp"
#include "models/app/input/reader.hpp"
#include "models/app/input/yaml_input.hpp"

namespace govsim {

namespace {

std::string short_number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  std::string part;
  for (char c : s) {
    if (c == ',') out.push_back(part), part.clear();
    else part += c;
  }
  out.push_back(part);
  return out;
}

/// Text that says something: a scalar, not empty (a target's name, source, metric...).
std::string word(const Reader& r, const std::string& key) {
  const YAML::Node n = r.node(key);
  if (!n.IsScalar() || n.Scalar().empty()) r.fail_key(n, key, "`" + key + "` must be text");
  return n.Scalar();
}

/// The same for an item of a list (`parameters`, `applies_to`).
std::string word(const Reader& r, const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar() || n.Scalar().empty()) r.fail(n, "`" + what + "` must be text");
  return n.Scalar();
}

std::vector<std::string> metric_names() {
  std::vector<std::string> names;
  for (const auto& m : metric_registry()) names.emplace_back(m.name);
  return names;
}

/// `metric`, `scope`, `key` of a mapping (the target itself, or `over`).
TargetStatistic read_statistic(const Reader& r, const std::string& where) {
  TargetStatistic s;
  if (!r.has("metric")) r.fail(r.self(), where + " needs `metric`: a metric govsim reports (docs/results.md)");
  s.metric = word(r, "metric");
  const MetricInfo* info = find_metric(s.metric);
  if (!info) {
    const std::string best = nearest_word(s.metric, metric_names());
    r.fail(r.node("metric"),
           "unknown metric `" + s.metric + "`" + (best.empty() ? " (docs/results.md lists them)" : "; did you mean `" + best + "`?"));
  }
  if (r.has("scope")) {
    s.scope = word(r, "scope");
    std::vector<std::string> scopes;
    for (const auto& x : split_commas(info->scopes)) scopes.push_back(x == "request" ? "all" : x);
    if (std::find(scopes.begin(), scopes.end(), s.scope) == scopes.end())
      r.fail(r.node("scope"), "`" + s.metric + "` is not reported by scope `" + s.scope + "` (its scopes: " + std::string(info->scopes) + ")");
  }
  if (r.has("key")) s.key = word(r, "key");
  if (s.scope == "all" && s.key != "all") r.fail(r.node("key"), "scope `all` has the one key `all`, not `" + s.key + "`");
  if (s.scope != "all" && s.key == "all")
    r.fail(r.self(), "scope `" + s.scope + "` needs `key`: which " + s.scope + " (e.g. a request type, tier or unit group)");
  return s;
}

}  // namespace

std::string TargetStatistic::text() const {
  return scope == "all" ? metric : metric + "[" + scope + "=" + key + "]";
}

std::string Target::text() const {
  std::string s = stat.text();
  if (ratio) s += " / " + over.text();
  if (per == "resident_year") s += " per resident-year";
  if (per == "unit_year") s += " per " + per_unit + "-year";
  return s;
}

TargetsFile load_targets(const std::string& path) {
  return load_targets_text(read_input_file(path, "targets", kMaxScenarioFileBytes), path);
}

namespace {

Target read_target(const Provenance& prov, const YAML::Node& t, std::size_t index, std::set<std::string>& names) {
  const Reader r(prov, t, "targets[" + std::to_string(index) + "]", section(InputKind::targets, "target"), "a target");
  Target x;
  const auto mark = t.Mark();
  x.line = mark.line + 1, x.column = mark.column + 1;
  if (!r.has("name")) r.fail(t, "a target needs `name`");
  x.name = word(r, "name");
  if (x.name.find_first_of(",\"\n ") != std::string::npos)
    r.fail(r.node("name"), "a target's `name` is one word (letters, digits, _ or -), not `" + x.name + "`");
  if (!names.insert(x.name).second) r.fail(r.node("name"), "two targets are named `" + x.name + "`");
  const std::string where = "target `" + x.name + "`";
  x.stat = read_statistic(r, where);
  if (r.has("over")) {
    const YAML::Node o = r.node("over");
    if (!o.IsMap()) r.fail(o, "`over` must be a mapping {metric, scope, key}: the denominator of a ratio");
    const Reader over(prov, o, r.child_path("over"), section(InputKind::targets, "over"), "`over`");
    x.ratio = true;
    x.over = read_statistic(over, where + "'s `over`");
    over.finish();
  }
  if (r.has("per")) {
    const YAML::Node p = r.node("per");
    if (p.IsScalar() && p.Scalar() == "resident_year") {
      x.per = "resident_year";
    } else if (p.IsMap() && p.size() == 1 && p["unit_year"]) {
      x.per = "unit_year";
      x.per_unit = word(r, p["unit_year"], "unit_year");
    } else {
      r.fail(p, "`per` takes `resident_year` or {unit_year: UNIT_GROUP}");
    }
  }
  if (!r.has("observed")) r.fail(t, where + " needs `observed`: the value seen in the real place");
  x.observed = r.number("observed");
  const bool sd = r.has("sd"), tol = r.has("tolerance");
  if (sd == tol)
    r.fail(sd ? t["tolerance"] : t, where + " needs one of `sd` (a standard deviation) or `tolerance` (a half-width): "
                                          "the scale on which a miss is measured");
  x.uncertainty_kind = sd ? "sd" : "tolerance";
  // Read without the table's range (> 0), to say why it must be positive.
  x.uncertainty = r.number(x.uncertainty_kind, 1.0, -std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::infinity());
  if (!(x.uncertainty > 0))
    r.fail(r.node(x.uncertainty_kind), "`" + x.uncertainty_kind + "` must be greater than 0 (the distance divides by it), not " +
                                           short_number(x.uncertainty));
  if (!r.has("source")) r.fail(t, where + " needs `source`: where the observed value comes from");
  x.source = word(r, "source");
  if (!r.has("grade")) r.fail(t, where + " needs `grade`: A (measured here), B (comparable places or literature) or C (assumption)");
  const std::string g = word(r, "grade");
  if (g != "A" && g != "B" && g != "C")
    r.fail(r.node("grade"), "unknown grade `" + g + "`: A (measured here), B (comparable places or literature) or C (assumption)");
  x.grade = g[0];
  if (!r.has("applies_to")) r.fail(t, where + " needs `applies_to`: the scenario name(s) it holds for");
  const YAML::Node a = r.node("applies_to");
  if (a.IsScalar()) {
    x.applies_to.push_back(word(r, a, "applies_to"));
  } else if (a.IsSequence() && a.size() > 0) {
    for (const auto& s : a) x.applies_to.push_back(word(r, s, "applies_to"));
  } else {
    r.fail(a, "`applies_to` must be a scenario name or a list of them");
  }
  r.finish();
  return x;
}

}  // namespace

TargetsFile load_targets_text(const std::string& text, const std::string& name) {
  const YAML::Node root = parse_guarded_yaml(text, name);
  Provenance prov;  // one file: every place is in it
  prov.root = name;
  TargetsFile out;
  out.path = name;
  if (!root.IsMap()) fail_at(prov, "", root, "a targets file is a mapping with `targets:` (docs/calibration.md)");
  const Reader r(prov, root, "targets file", section(InputKind::targets, "targets file"), "a targets file");
  out.description = r.text("description", "");
  if (r.has("parameters")) {
    const YAML::Node p = r.node("parameters");
    if (!p.IsSequence() || p.size() == 0) r.fail(p, "`parameters` must be a list of uncertain parameter paths");
    for (const auto& item : p) {
      const std::string path = word(r, item, "parameters");
      if (std::find(out.parameters.begin(), out.parameters.end(), path) != out.parameters.end())
        r.fail(item, "`" + path + "` is listed twice in `parameters`");
      out.parameters.push_back(path);
      const auto mark = item.Mark();
      out.parameter_places.emplace_back(mark.line + 1, mark.column + 1);
    }
  }
  const YAML::Node list = r.node("targets");
  if (!list.IsDefined() || !list.IsSequence() || list.size() == 0)
    r.fail(list.IsDefined() ? list : root, "`targets` must be a non-empty list of targets (docs/calibration.md)");
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node t = list[i];
    if (!t.IsMap()) r.fail(t, "each target must be a mapping {name, metric, observed, sd, source, grade, applies_to}");
    out.targets.push_back(read_target(prov, t, i, names));
  }
  r.finish();
  return out;
}

namespace {

/// The place of the `index`th item of a list, or of a target's field, by re-reading: errors after loading need marks.
[[noreturn]] void fail_target(const TargetsFile& f, int line, int column, const std::string& message) {
  throw InputError(f.path, line, column, message);
}

std::set<std::string> keys_of(const Scenario& s, const std::string& scope) {
  std::set<std::string> keys;
  if (scope == "type")
    for (const auto& t : s.request_types) keys.insert(t.name);
  if (scope == "tier" || scope == "unit_group")
    for (const auto& u : s.units) keys.insert(scope == "tier" ? u.tier : u.name);
  if (scope == "group")
    for (const auto& p : s.populations)
      for (const auto& g : p.groups) keys.insert(g.name);
  return keys;
}

}  // namespace

void check_targets(const TargetsFile& f, const Scenario& s) {
  for (std::size_t i = 0; i < f.parameters.size(); ++i) {
    const auto& path = f.parameters[i];
    bool declared = false;
    std::vector<std::string> known;
    for (const auto& u : s.uncertain) declared = declared || u.path == path, known.push_back(u.path);
    if (!declared) {
      const std::string best = nearest_word(path, known);
      fail_target(f, f.parameter_places[i].first, f.parameter_places[i].second,
              "`" + path + "` has no declared range in " + s.path +
                  " (a prior is an `uncertain:` declaration: docs/uncertainty.md)" +
                  (best.empty() ? "" : "; did you mean `" + best + "`?"));
    }
  }
  for (const auto& t : f.targets) {
    if (std::find(t.applies_to.begin(), t.applies_to.end(), s.name) == t.applies_to.end()) {
      std::string names;
      for (const auto& a : t.applies_to) names += (names.empty() ? "" : ", ") + a;
      fail_target(f, t.line, t.column,
              "target `" + t.name + "` applies to " + names + ", not to `" + s.name +
                  "`, the scenario of this run: calibrate against the targets of the scenario you run "
                  "(split the file or widen `applies_to`)");
    }
    for (const TargetStatistic* st : {&t.stat, t.ratio ? &t.over : nullptr}) {
      if (!st || st->scope == "all" || st->scope == "area" || st->scope == "unit") continue;
      const auto keys = keys_of(s, st->scope);
      if (!keys.empty() && !keys.count(st->key)) {
        const std::string best = nearest_word(st->key, std::vector<std::string>(keys.begin(), keys.end()));
        fail_target(f, t.line, t.column,
                "target `" + t.name + "`: `" + s.name + "` has no " + st->scope + " `" + st->key + "`" +
                    (best.empty() ? "" : "; did you mean `" + best + "`?"));
      }
    }
    if (t.per == "unit_year" && !s.unit_group(t.per_unit))
      fail_target(f, t.line, t.column, "target `" + t.name + "`: `" + s.name + "` has no unit group `" + t.per_unit + "`");
  }
}

MetricRows parse_record(const std::string& text) {
  MetricRows rows;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    // metric,scope,key,value: the key may be quoted (RFC 4180).
    const auto a = line.find(','), b = line.find(',', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const auto c = line.rfind(',');
    if (c <= b) continue;
    std::string key = line.substr(b + 1, c - b - 1);
    if (key.size() >= 2 && key.front() == '"') {
      std::string k;
      for (std::size_t i = 1; i + 1 < key.size(); ++i) {
        if (key[i] == '"' && key[i + 1] == '"') ++i;
        k += key[i];
      }
      key = k;
    }
    const std::string v = line.substr(c + 1);
    rows[{line.substr(0, a), line.substr(a + 1, b - a - 1), key}] = v.empty() ? NAN : std::strtod(v.c_str(), nullptr);
  }
  return rows;
}

double target_value(const Target& t, const MetricRows& rows, const Scenario& s) {
  auto get = [&](const TargetStatistic& st) {
    const auto it = rows.find({st.metric, st.scope, st.key});
    return it == rows.end() ? NAN : it->second;
  };
  double v = get(t.stat);
  if (t.ratio) {
    const double d = get(t.over);
    v = d != 0 ? v / d : NAN;
  }
  const double years = (s.simulation.horizon_h - s.simulation.warmup_h) / 8760.0;
  if (t.per == "resident_year") {
    double residents = 0;
    for (const auto& p : s.populations)
      if (const UnitGroup* g = s.unit_group(p.at)) residents += static_cast<double>(g->count) * p.residents_per_unit;
    v = residents > 0 && years > 0 ? v / (residents * years) : NAN;
  } else if (t.per == "unit_year") {
    const UnitGroup* g = s.unit_group(t.per_unit);
    v = g && g->count > 0 && years > 0 ? v / (g->count * years) : NAN;
  }
  return v;
}

}  // namespace govsim
