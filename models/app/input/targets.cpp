// models/app/input/targets.cpp: reading calibration targets (see targets.hpp).
#include "models/app/input/targets.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "models/app/results/metric_registry.hpp"
#include "models/app/input/scenario_loader.hpp"
#include "models/app/input/yaml_input.hpp"

namespace govsim {

namespace {

std::string nearest_word(const std::string& word, const std::vector<std::string>& options) {
  std::string best;
  std::size_t distance = 1000;
  for (const auto& o : options)
    if (const std::size_t d = edit_distance(word, o); d < distance) distance = d, best = o;
  return distance <= std::max<std::size_t>(2, word.size() / 3) ? best : "";
}

std::string number_text(double v) {
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

struct Reader {
  std::string file;
  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const {
    const auto mark = at.Mark();
    throw ScenarioError(file, mark.line >= 0 ? mark.line + 1 : 0, mark.line >= 0 ? mark.column + 1 : 0, message);
  }
  void keys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& what) const {
    for (const auto& kv : map) {
      const std::string k = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
      const std::string best = nearest_word(k, allowed);
      std::string all;
      for (const auto& a : allowed) all += (all.empty() ? "" : ", ") + a;
      fail(kv.first, "unknown key `" + k + "` in " + what +
                         (best.empty() ? " (valid: " + all + ")" : "; did you mean `" + best + "`?"));
    }
  }
  std::string text(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar() || n.Scalar().empty()) fail(n, "`" + what + "` must be text");
    return n.Scalar();
  }
  double number(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, "`" + what + "` must be a number");
    double v = 0;
    try {
      v = n.as<double>();
    } catch (const YAML::Exception&) {
      fail(n, "`" + what + "` must be a number, not `" + n.Scalar() + "`");
    }
    if (!std::isfinite(v)) fail(n, "`" + what + "` must be a finite number");
    return v;
  }
};

std::vector<std::string> metric_names() {
  std::vector<std::string> names;
  for (const auto& m : metric_registry()) names.emplace_back(m.name);
  return names;
}

/// `metric`, `scope`, `key` of a mapping (the target itself, or `over`).
TargetStatistic read_statistic(const Reader& r, const YAML::Node& map, const std::string& where) {
  TargetStatistic s;
  const YAML::Node m = map["metric"];
  if (!m.IsDefined() || m.IsNull()) r.fail(map, where + " needs `metric`: a metric govsim reports (docs/results.md)");
  s.metric = r.text(m, "metric");
  const MetricInfo* info = find_metric(s.metric);
  if (!info) {
    const std::string best = nearest_word(s.metric, metric_names());
    r.fail(m, "unknown metric `" + s.metric + "`" + (best.empty() ? " (docs/results.md lists them)" : "; did you mean `" + best + "`?"));
  }
  if (const YAML::Node sc = map["scope"]; sc.IsDefined() && !sc.IsNull()) {
    s.scope = r.text(sc, "scope");
    std::vector<std::string> scopes;
    for (const auto& x : split_commas(info->scopes)) scopes.push_back(x == "request" ? "all" : x);
    if (std::find(scopes.begin(), scopes.end(), s.scope) == scopes.end())
      r.fail(sc, "`" + s.metric + "` is not reported by scope `" + s.scope + "` (its scopes: " + std::string(info->scopes) + ")");
  }
  if (const YAML::Node k = map["key"]; k.IsDefined() && !k.IsNull()) s.key = r.text(k, "key");
  if (s.scope == "all" && s.key != "all") r.fail(map["key"], "scope `all` has the one key `all`, not `" + s.key + "`");
  if (s.scope != "all" && s.key == "all")
    r.fail(map, "scope `" + s.scope + "` needs `key`: which " + s.scope + " (e.g. a request type, tier or unit group)");
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
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw ScenarioError(path, 0, 0, "no such file");
  std::ifstream in(path, std::ios::binary);
  std::stringstream b;
  b << in.rdbuf();
  return load_targets_text(b.str(), path);
}

TargetsFile load_targets_text(const std::string& text, const std::string& name) {
  const Reader r{name};
  const YAML::Node root = parse_guarded_yaml(text, name);
  TargetsFile out;
  out.path = name;
  if (!root.IsMap()) r.fail(root, "a targets file is a mapping with `targets:` (docs/calibration.md)");
  r.keys(root, {"description", "parameters", "targets"}, "a targets file");
  if (root["description"]) out.description = r.text(root["description"], "description");
  if (const YAML::Node p = root["parameters"]; p.IsDefined() && !p.IsNull()) {
    if (!p.IsSequence() || p.size() == 0) r.fail(p, "`parameters` must be a list of uncertain parameter paths");
    for (const auto& item : p) {
      const std::string path = r.text(item, "parameters");
      if (std::find(out.parameters.begin(), out.parameters.end(), path) != out.parameters.end())
        r.fail(item, "`" + path + "` is listed twice in `parameters`");
      out.parameters.push_back(path);
      const auto mark = item.Mark();
      out.parameter_places.emplace_back(mark.line + 1, mark.column + 1);
    }
  }
  const YAML::Node list = root["targets"];
  if (!list.IsDefined() || !list.IsSequence() || list.size() == 0)
    r.fail(list.IsDefined() ? list : root, "`targets` must be a non-empty list of targets (docs/calibration.md)");
  std::set<std::string> names;
  for (const auto& t : list) {
    if (!t.IsMap()) r.fail(t, "each target must be a mapping {name, metric, observed, sd, source, grade, applies_to}");
    r.keys(t, {"name", "metric", "scope", "key", "over", "per", "observed", "sd", "tolerance", "source", "grade", "applies_to"},
           "a target");
    Target x;
    const auto mark = t.Mark();
    x.line = mark.line + 1, x.column = mark.column + 1;
    if (!t["name"]) r.fail(t, "a target needs `name`");
    x.name = r.text(t["name"], "name");
    if (x.name.find_first_of(",\"\n ") != std::string::npos)
      r.fail(t["name"], "a target's `name` is one word (letters, digits, _ or -), not `" + x.name + "`");
    if (!names.insert(x.name).second) r.fail(t["name"], "two targets are named `" + x.name + "`");
    const std::string where = "target `" + x.name + "`";
    x.stat = read_statistic(r, t, where);
    if (const YAML::Node o = t["over"]; o.IsDefined() && !o.IsNull()) {
      if (!o.IsMap()) r.fail(o, "`over` must be a mapping {metric, scope, key}: the denominator of a ratio");
      r.keys(o, {"metric", "scope", "key"}, "`over`");
      x.ratio = true;
      x.over = read_statistic(r, o, where + "'s `over`");
    }
    if (const YAML::Node p = t["per"]; p.IsDefined() && !p.IsNull()) {
      if (p.IsScalar() && p.Scalar() == "resident_year") {
        x.per = "resident_year";
      } else if (p.IsMap() && p.size() == 1 && p["unit_year"]) {
        x.per = "unit_year";
        x.per_unit = r.text(p["unit_year"], "unit_year");
      } else {
        r.fail(p, "`per` takes `resident_year` or {unit_year: UNIT_GROUP}");
      }
    }
    if (!t["observed"]) r.fail(t, where + " needs `observed`: the value seen in the real place");
    x.observed = r.number(t["observed"], "observed");
    const bool sd = t["sd"].IsDefined(), tol = t["tolerance"].IsDefined();
    if (sd == tol)
      r.fail(sd ? t["tolerance"] : t, where + " needs one of `sd` (a standard deviation) or `tolerance` (a half-width): "
                                            "the scale on which a miss is measured");
    const YAML::Node u = sd ? t["sd"] : t["tolerance"];
    x.uncertainty_kind = sd ? "sd" : "tolerance";
    x.uncertainty = r.number(u, x.uncertainty_kind);
    if (!(x.uncertainty > 0))
      r.fail(u, "`" + x.uncertainty_kind + "` must be greater than 0 (the distance divides by it), not " +
                    number_text(x.uncertainty));
    if (!t["source"]) r.fail(t, where + " needs `source`: where the observed value comes from");
    x.source = r.text(t["source"], "source");
    if (!t["grade"]) r.fail(t, where + " needs `grade`: A (measured here), B (comparable places or literature) or C (assumption)");
    const std::string g = r.text(t["grade"], "grade");
    if (g != "A" && g != "B" && g != "C")
      r.fail(t["grade"], "unknown grade `" + g + "`: A (measured here), B (comparable places or literature) or C (assumption)");
    x.grade = g[0];
    const YAML::Node a = t["applies_to"];
    if (!a.IsDefined() || a.IsNull()) r.fail(t, where + " needs `applies_to`: the scenario name(s) it holds for");
    if (a.IsScalar()) {
      x.applies_to.push_back(r.text(a, "applies_to"));
    } else if (a.IsSequence() && a.size() > 0) {
      for (const auto& s : a) x.applies_to.push_back(r.text(s, "applies_to"));
    } else {
      r.fail(a, "`applies_to` must be a scenario name or a list of them");
    }
    out.targets.push_back(std::move(x));
  }
  return out;
}

namespace {

/// The place of the `index`th item of a list, or of a target's field, by re-reading: errors after loading need marks.
[[noreturn]] void fail_at(const TargetsFile& f, int line, int column, const std::string& message) {
  throw ScenarioError(f.path, line, column, message);
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
      fail_at(f, f.parameter_places[i].first, f.parameter_places[i].second,
              "`" + path + "` has no declared range in " + s.path +
                  " (a prior is an `uncertain:` declaration: docs/uncertainty.md)" +
                  (best.empty() ? "" : "; did you mean `" + best + "`?"));
    }
  }
  for (const auto& t : f.targets) {
    if (std::find(t.applies_to.begin(), t.applies_to.end(), s.name) == t.applies_to.end()) {
      std::string names;
      for (const auto& a : t.applies_to) names += (names.empty() ? "" : ", ") + a;
      fail_at(f, t.line, t.column,
              "target `" + t.name + "` applies to " + names + ", not to `" + s.name +
                  "`, the scenario of this run: calibrate against the targets of the scenario you run "
                  "(split the file or widen `applies_to`)");
    }
    for (const TargetStatistic* st : {&t.stat, t.ratio ? &t.over : nullptr}) {
      if (!st || st->scope == "all" || st->scope == "area" || st->scope == "unit") continue;
      const auto keys = keys_of(s, st->scope);
      if (!keys.empty() && !keys.count(st->key)) {
        const std::string best = nearest_word(st->key, std::vector<std::string>(keys.begin(), keys.end()));
        fail_at(f, t.line, t.column,
                "target `" + t.name + "`: `" + s.name + "` has no " + st->scope + " `" + st->key + "`" +
                    (best.empty() ? "" : "; did you mean `" + best + "`?"));
      }
    }
    if (t.per == "unit_year" && !s.unit_group(t.per_unit))
      fail_at(f, t.line, t.column, "target `" + t.name + "`: `" + s.name + "` has no unit group `" + t.per_unit + "`");
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
