// models/app/input/uncertain.cpp: reading and sampling the `uncertain:` section of a scenario.
#include "models/app/input/uncertain.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "models/app/input/scenario_loader.hpp"
#include "models/app/input/suggest.hpp"

namespace govsim {

namespace {

std::vector<std::string> split_dots(const std::string& path) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : path) {
    if (c == '.') parts.push_back(part), part.clear();
    else part += c;
  }
  parts.push_back(part);
  return parts;
}

}  // namespace

std::string uncertain_path_problem(const YAML::Node& root, const std::string& path) {
  if (path.empty() || path.front() == '.' || path.back() == '.' || path.find("..") != std::string::npos ||
      path.find('=') != std::string::npos)
    return "`" + path + "` is not a parameter path (dotted keys, as --set takes them, e.g. units.centre.staff)";
  if (path == "simulation.seed" || path == "simulation.replications")
    return "`" + path + "` is not uncertain: explore sets seeds and replications itself";
  const auto parts = split_dots(path);
  YAML::Node n;
  n.reset(root);
  std::string walked;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!n.IsMap())
      return "`" + walked + "` is a single value, not a mapping: `" + path + "` names nothing in this scenario";
    const YAML::Node here = n;  // const: looking up must not add keys
    const YAML::Node next = here[parts[i]];
    if (!next.IsDefined() || next.IsNull()) {
      std::vector<std::string> keys;
      for (const auto& kv : n) keys.push_back(kv.first.Scalar());
      std::string message = "`" + path + "` names no value this scenario sets: no `" + parts[i] + "` in " +
                            (walked.empty() ? std::string("the scenario") : "`" + walked + "`");
      if (const std::string best = nearest_word(parts[i], keys); !best.empty()) message += "; did you mean `" + best + "`?";
      else message += " (an uncertain parameter must name a value the scenario writes, after `extends`)";
      return message;
    }
    walked += (walked.empty() ? "" : ".") + parts[i];
    n.reset(next);
  }
  if (!n.IsScalar())
    return "`" + path + "` is " + std::string(n.IsMap() ? "a mapping" : "a list") +
           ", not a single value: name one of its numbers (e.g. `" + path + "." +
           (n.IsMap() && n.begin() != n.end() ? n.begin()->first.Scalar() : std::string("mean")) + "`)";
  return "";
}

std::vector<UncertainParameter> read_uncertain(const YAML::Node& section, const YAML::Node& root,
                                               const UncertainFail& fail_) {
  auto fail = [&](const std::string& path, const YAML::Node& at, const std::string& message) {
    fail_(path, at, message);
    throw std::logic_error("read_uncertain: fail returned");
  };
  std::vector<UncertainParameter> out;
  if (!section.IsDefined() || section.IsNull()) return out;
  if (!section.IsMap())
    fail("uncertain", section, "`uncertain` must be a mapping of parameter paths to {dist, low, high, grade, source}");
  static const std::vector<std::string> keys = {"dist", "low", "high", "mode", "values", "source", "grade"};
  static const std::vector<std::string> dists = {"uniform", "loguniform", "triangular", "choice", "integer"};
  for (const auto& kv : section) {
    UncertainParameter p;
    p.path = kv.first.Scalar();
    const std::string at = "uncertain." + p.path;
    const YAML::Node d = kv.second;
    if (d.IsNull()) continue;  // removed by an extending file (merge keeps no nulls; --set may)
    if (const std::string problem = uncertain_path_problem(root, p.path); !problem.empty()) fail(at, kv.first, problem);
    if (!d.IsMap()) fail(at, d, "the declaration of `" + p.path + "` must be a mapping {dist, low, high, grade, source}");
    for (const auto& e : d) {
      const std::string key = e.first.Scalar();
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      const std::string best = nearest_word(key, keys);
      fail(at + "." + key, e.first,
           "unknown key `" + key + "` in the declaration of `" + p.path + "`" +
               (best.empty() ? "; valid keys: dist, low, high, mode, values, source, grade" : "; did you mean `" + best + "`?"));
    }
    auto has = [&](const char* key) { return d[key].IsDefined() && !d[key].IsNull(); };  // d is const
    auto text = [&](const char* key) {
      const YAML::Node n = d[key];
      if (!n.IsScalar()) fail(at + "." + key, n, "`" + std::string(key) + "` must be text");
      return n.Scalar();
    };
    auto number = [&](const char* key) {
      const YAML::Node n = d[key];
      if (!n.IsScalar()) fail(at + "." + key, n, "`" + std::string(key) + "` must be a number");
      double v = 0;
      try {
        v = n.as<double>();
      } catch (const YAML::Exception&) {
        fail(at + "." + key, n, "`" + std::string(key) + "` must be a number, not `" + n.Scalar() + "`");
      }
      if (!std::isfinite(v)) fail(at + "." + key, n, "`" + std::string(key) + "` must be a finite number");
      return v;
    };
    // dist
    if (!has("dist")) fail(at, d, "the declaration of `" + p.path + "` needs `dist`: uniform, loguniform, triangular, choice or integer");
    {
      const std::string name = text("dist");
      const auto it = std::find(dists.begin(), dists.end(), name);
      if (it == dists.end()) {
        const std::string best = nearest_word(name, dists);
        fail(at + ".dist", d["dist"],
             "unknown distribution `" + name + "`" + (best.empty() ? "" : "; did you mean `" + best + "`?") +
                 " (uniform, loguniform, triangular, choice, integer)");
      }
      p.dist = static_cast<UncertainDist>(it - dists.begin());
    }
    // grade
    if (!has("grade"))
      fail(at, d, "the declaration of `" + p.path + "` needs `grade`: A (measured here), B (comparable places or "
                  "literature) or C (assumption)");
    {
      const std::string g = text("grade");
      if (g != "A" && g != "B" && g != "C")
        fail(at + ".grade", d["grade"],
             "unknown grade `" + g + "`: A (measured here), B (comparable places or literature) or C (assumption)");
      p.grade = g[0];
    }
    if (has("source")) p.source = text("source");
    // range
    const bool choice = p.dist == UncertainDist::choice;
    for (const char* key : {"low", "high"}) {
      if (choice && has(key)) fail(at + "." + key, d[key], "`" + std::string(key) + "` does not apply to `dist: choice` (give `values`)");
      if (!choice && !has(key)) fail(at, d, "`dist: " + std::string(to_string(p.dist)) + "` needs `low` and `high`");
    }
    if (!choice && has("values")) fail(at + ".values", d["values"], "`values` applies to `dist: choice` only");
    if (p.dist != UncertainDist::triangular && has("mode"))
      fail(at + ".mode", d["mode"], "`mode` applies to `dist: triangular` only");
    if (choice) {
      const YAML::Node v = d["values"];
      if (!has("values") || !v.IsSequence() || v.size() < 2)
        fail(at + ".values", has("values") ? v : d, "`dist: choice` needs `values`: a list of at least two values");
      for (const auto& item : v) {
        if (!item.IsScalar() || item.Scalar().empty()) fail(at + ".values", item, "each of `values` must be a single value");
        p.values.push_back(item.Scalar());
      }
    } else {
      p.low = number("low");
      p.high = number("high");
      if (!(p.high > p.low))
        fail(at + ".high", d["high"],
             "the range of `" + p.path + "` is reversed or empty: `high` (" + number_text(p.high) +
                 ") must be greater than `low` (" + number_text(p.low) + ")");
      if (p.dist == UncertainDist::loguniform && !(p.low > 0))
        fail(at + ".low", d["low"], "`dist: loguniform` needs `low` > 0 (it is uniform in the logarithm), not " + number_text(p.low));
      if (p.dist == UncertainDist::integer && (p.low != std::floor(p.low) || p.high != std::floor(p.high)))
        fail(at + (p.low != std::floor(p.low) ? ".low" : ".high"), d[p.low != std::floor(p.low) ? "low" : "high"],
             "`dist: integer` needs whole-number bounds");
      if (p.dist == UncertainDist::triangular) {
        if (!has("mode")) fail(at, d, "`dist: triangular` needs `mode` (the most likely value)");
        p.mode = number("mode");
        if (p.mode < p.low || p.mode > p.high)
          fail(at + ".mode", d["mode"], "`mode` (" + number_text(p.mode) + ") must lie between `low` and `high`");
      }
    }
    // The value the scenario sets (after extends).
    YAML::Node n;
    n.reset(root);
    for (const auto& part : split_dots(p.path)) {
      const YAML::Node here = n;
      const YAML::Node next = here[part];
      n.reset(next);
    }
    p.nominal = n.Scalar();
    if (!choice) {
      try {
        (void)n.as<double>();
      } catch (const YAML::Exception&) {
        fail(at, kv.first, "`" + p.path + "` is `" + p.nominal + "` in the scenario, not a number: use `dist: choice`");
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string uncertain_table(const std::vector<UncertainParameter>& params) {
  if (params.empty()) return "";
  std::size_t wp = 9, wr = 5;
  for (const auto& p : params) wp = std::max(wp, p.path.size()), wr = std::max(wr, p.range_text().size());
  std::ostringstream out;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%-*s  %-*s  %10s  %5s  %s\n", static_cast<int>(wp), "uncertain", static_cast<int>(wr),
                "range", "nominal", "grade", "source");
  out << buf;
  for (const auto& p : params) {
    std::snprintf(buf, sizeof buf, "%-*s  %-*s  %10s  %5c  ", static_cast<int>(wp), p.path.c_str(), static_cast<int>(wr),
                  p.range_text().c_str(), p.nominal.c_str(), p.grade);
    out << buf << p.source << '\n';
  }
  return out.str();
}

std::string uncertain_markdown(const std::vector<UncertainParameter>& params) {
  auto cell = [](const std::string& text) {
    std::string out;
    for (char c : text) {
      if (c == '|') out += "\\|";
      else if (c == '\n' || c == '\r') out += ' ';
      else out += c;
    }
    return out;
  };
  std::string out = "| parameter | distribution and range | nominal | grade | source |\n|---|---|---|---|---|\n";
  for (const auto& p : params) {
    const char* grade = p.grade == 'A' ? "A (measured here)" : p.grade == 'B' ? "B (comparable places, literature)" : "C (assumption)";
    out += "| `" + cell(p.path) + "` | " + cell(p.range_text()) + " | " + cell(p.nominal) + " | " + grade + " | " +
           cell(p.source.empty() ? "not given" : p.source) + " |\n";
  }
  return out;
}

}  // namespace govsim
