// models/app/sweep/sweep.cpp: sweep files, designs, runs as records, and the sweep's results.
#include "models/app/sweep/sweep.hpp"

#include <yaml-cpp/yaml.h>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>
#include <set>
#include <sstream>

#include "govsim/version.hpp"
#include "models/app/compare/compare.hpp"
#include "models/app/results/csv.hpp"
#include "models/app/results/json.hpp"
#include "models/app/results/metric_registry.hpp"
#include "models/app/results/results.hpp"
#include "models/app/input/parameters.hpp"
#include "models/app/input/reader.hpp"
#include "models/app/input/scenario_loader.hpp"
#include "models/app/run/simulation.hpp"
#include "models/app/input/yaml_input.hpp"
#include "sim/random.hpp"
#include "sim/sobol.hpp"
#include "sim/stats.hpp"

namespace govsim {
namespace fs = std::filesystem;

const char* to_string(DesignKind k) noexcept {
  switch (k) {
    case DesignKind::grid: return "grid";
    case DesignKind::points: return "points";
    case DesignKind::lhs: return "lhs";
    case DesignKind::morris: return "morris";
    case DesignKind::sobol: return "sobol";
  }
  return "?";
}

std::vector<std::string> SweepSpec::point_overrides(std::size_t point) const {
  std::vector<std::string> v = overrides;
  for (std::size_t i = 0; i < parameters.size(); ++i)
    for (const auto& p : parameters[i].paths) v.push_back(p + "=" + points[point][i]);
  if (!point_sets.empty()) v.insert(v.end(), point_sets[point].begin(), point_sets[point].end());
  return v;
}

std::pair<std::uint64_t, int> SweepSpec::seed_of(int replication) const noexcept {
  if (!seeds.empty()) return {seeds[static_cast<std::size_t>(replication)], 0};
  return {seed, replication};
}

namespace {

constexpr std::uintmax_t kMaxSweepBytes = 1u << 20;
constexpr std::size_t kMaxPoints = 100000;

// Purposes of the design's random draws (one stream: the sweep's design seed).
// (kSobolA and kSobolB are no longer drawn: sobol designs are quasi-random, sim/sobol.hpp.)
enum DesignDraw : std::uint32_t { kLhsOrder = 1, kLhsJitter, kMorrisBase, kMorrisOrder, kSobolA, kSobolB, kBootstrap };

// ---------------------------------------------------------------------------
// Strict reading of a sweep file (through the input layer's Reader and the
// sweep tables of models/app/input/parameters.cpp).

const Section& sweep_section(const std::string& path) { return section(InputKind::sweep, path); }

/// A value given to --set: a scalar (maps and lists would let an alias bomb expand).
std::string scalar_value(const Reader& r, const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) r.fail(n, "`" + what + "` must be a single value (a number, true/false or text)");
  // An empty value would remove the key, and the scenario's default would run unnoticed.
  if (n.Scalar().find_first_not_of(" \t") == std::string::npos)
    r.fail(n, "`" + what + "` is empty: give a value (to remove a key, write null in the scenario)");
  return n.Scalar();
}

/// Paths a sweep cannot vary or fix: its runs take their seeds and
/// replications from the sweep file, so these would be silently ignored.
void check_sweep_path(const Reader& r, const YAML::Node& at, const std::string& path) {
  if (path == "simulation.seed" || path == "simulation.replications")
    r.fail(at, "`" + path + "` cannot be set in a sweep: every run takes its seed and replications from the sweep "
               "file's `seed` (or `seeds`) and `replications`");
}

std::string format_value(double v, bool integer) {
  char buf[40];
  if (integer)
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(std::llround(v)));
  else
    std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

/// A parameter's value at position u in [0,1] of its range.
std::string value_at(const SweepParameter& p, double u) {
  const double v = p.log_scale ? std::exp(std::log(p.low) + u * (std::log(p.high) - std::log(p.low)))
                               : p.low + u * (p.high - p.low);
  return format_value(std::clamp(v, p.low, p.high), p.integer);
}

/// A random permutation of 0..n-1 (Fisher-Yates) from the design stream.
std::vector<std::size_t> permutation(const sim::Stream& s, std::uint32_t purpose, std::size_t n, std::uint32_t salt) {
  std::vector<std::size_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  for (std::size_t i = n; i > 1; --i) {
    const double u = s.uniform(purpose, static_cast<std::uint32_t>(salt * 1000003u + i));
    std::swap(v[i - 1], v[std::min(i - 1, static_cast<std::size_t>(u * static_cast<double>(i)))]);
  }
  return v;
}

void expand_design(SweepSpec& s) {
  const std::size_t k = s.parameters.size();
  const sim::Stream stream(sim::stream_key(s.design_seed, 0), sim::stable_id("sweep-design"));
  auto add_unit_point = [&](const std::vector<double>& u) {
    std::vector<std::string> values;
    for (std::size_t i = 0; i < k; ++i) values.push_back(value_at(s.parameters[i], u[i]));
    s.points.push_back(std::move(values));
    s.unit_points.push_back(u);
  };
  switch (s.design) {
    case DesignKind::grid: {
      // The last parameter varies fastest.
      std::vector<std::size_t> index(k, 0);
      while (true) {
        std::vector<std::string> values;
        for (std::size_t i = 0; i < k; ++i) values.push_back(s.parameters[i].values[index[i]]);
        s.points.push_back(std::move(values));
        std::size_t i = k;
        while (i > 0 && ++index[i - 1] == s.parameters[i - 1].values.size()) index[--i] = 0;
        if (i == 0) break;
      }
      break;
    }
    case DesignKind::points: break;  // read as given
    case DesignKind::lhs: {
      // Each parameter's range in N equal strata, each stratum used once, a
      // random point within it; strata paired across parameters at random.
      const std::size_t n = static_cast<std::size_t>(s.samples);
      std::vector<std::vector<std::size_t>> order;
      for (std::size_t i = 0; i < k; ++i) order.push_back(permutation(stream, kLhsOrder, n, static_cast<std::uint32_t>(i)));
      for (std::size_t j = 0; j < n; ++j) {
        std::vector<double> u(k);
        for (std::size_t i = 0; i < k; ++i)
          u[i] = (static_cast<double>(order[i][j]) +
                  stream.uniform(kLhsJitter, static_cast<std::uint32_t>(j * k + i))) / static_cast<double>(n);
        add_unit_point(u);
      }
      s.unit_points.clear();  // LHS points are not used for effects
      break;
    }
    case DesignKind::morris: {
      // Morris (1991): p levels, step delta = p / (2(p-1)); each trajectory
      // starts at a random grid point whose coordinates are <= 1 - delta and
      // moves one parameter at a time, in random order, by +delta.
      const int p = s.levels;
      const double delta = p / (2.0 * (p - 1));
      const int base_levels = p / 2;  // levels 0 .. p/2-1 leave room for the step
      for (int t = 0; t < s.trajectories; ++t) {
        std::vector<double> x(k);
        for (std::size_t i = 0; i < k; ++i) {
          const double u = stream.uniform(kMorrisBase, static_cast<std::uint32_t>(t * k + i));
          x[i] = std::floor(u * base_levels) / (p - 1);
        }
        add_unit_point(x);
        for (std::size_t step : permutation(stream, kMorrisOrder, k, static_cast<std::uint32_t>(t))) {
          x[step] += delta;
          add_unit_point(x);
        }
      }
      break;
    }
    case DesignKind::sobol: {
      // Saltelli (2010): matrices A and B of N quasi-random points (A_j and
      // B_j: the two halves of point j of the 2k-dimensional Sobol' sequence,
      // digitally shifted by the design seed), and for each parameter i the
      // matrix AB_i (A with column i from B). Points are stored per sample j
      // as A_j, B_j, AB_j^1 .. AB_j^k. (2k <= 2000 dimensions: YAML mappings
      // hold at most 1000 keys; the sequence has sim::kSobolMaxDimension.)
      const auto x = sim::sobol_points(static_cast<std::size_t>(s.samples), 2 * k, s.design_seed);
      for (const auto& row : x) {
        const std::vector<double> a(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(k)),
            b(row.begin() + static_cast<std::ptrdiff_t>(k), row.end());
        add_unit_point(a);
        add_unit_point(b);
        for (std::size_t i = 0; i < k; ++i) {
          std::vector<double> ab = a;
          ab[i] = b[i];
          add_unit_point(ab);
        }
      }
      break;
    }
  }
}


}  // namespace

namespace {

/// Name, description, the base scenario and its fixed settings (`set`).
/// Returns where each fixed setting was written, to point at a bad one later.
std::map<std::string, YAML::Node> read_base_and_settings(const Reader& r, const std::string& name, SweepSpec& s) {
  s.path = name;
  s.name = r.text("name", fs::path(name).stem().string());
  s.description = r.text("description", "");
  if (!r.has("base")) r.fail(r.self(), "a sweep needs `base`: the scenario file it varies");
  {
    const fs::path base = r.text("base");
    s.base = (base.is_absolute() ? base : fs::path(name).parent_path() / base).lexically_normal().string();
    std::error_code ec;
    if (!fs::is_regular_file(s.base, ec))
      r.fail(r.node("base"), "base scenario `" + s.base + "` is not a file (paths are relative to the sweep file)");
  }
  std::map<std::string, YAML::Node> set_nodes;  // where each fixed setting was written
  if (r.has("set")) {
    const YAML::Node set = r.node("set");
    if (!set.IsMap()) r.fail(set, "`set` must be a mapping of scenario paths to values");
    for (const auto& kv : set) {
      check_sweep_path(r, kv.first, kv.first.Scalar());
      s.overrides.push_back(kv.first.Scalar() + "=" + scalar_value(r, kv.second, kv.first.Scalar()));
      set_nodes[s.overrides.back()] = kv.first;
      if (const std::string problem = override_path_problem(s.base, {}, kv.first.Scalar()); !problem.empty())
        r.fail(kv.first, "`" + kv.first.Scalar() + "`: " + problem);
    }
  }
  return set_nodes;
}

/// The design first: it decides what a parameter must say. Sets `kind` to
/// the design's name as written and `points` to its explicit points (a
/// `points` design); returns the design's node (an empty mapping when the
/// file has none).
YAML::Node read_design(const Reader& top, SweepSpec& s, std::string& kind, YAML::Node& points) {
  const YAML::Node design = top.has("design") ? top.node("design") : YAML::Node(YAML::NodeType::Map);
  const Reader r(top.provenance(), design, "design", sweep_section("design"));
  kind = r.choice("kind");
  static const std::vector<std::string> kinds = {"grid", "points", "lhs", "morris", "sobol"};
  s.design = static_cast<DesignKind>(std::find(kinds.begin(), kinds.end(), kind) - kinds.begin());
  auto needs = [&](const char* key, bool wanted) {
    const bool present = r.has(key);
    if (wanted && !present) r.fail(top.has("design") ? design : top.self(), "a `" + kind + "` design needs `" + key + "`");
    if (!wanted && present) r.fail(r.node(key), "`" + std::string(key) + "` does not apply to a `" + kind + "` design");
  };
  needs("samples", s.design == DesignKind::lhs || s.design == DesignKind::sobol);
  needs("trajectories", s.design == DesignKind::morris);
  needs("points", s.design == DesignKind::points);
  if (s.design != DesignKind::morris && r.has("levels")) needs("levels", false);
  if (r.has("samples")) s.samples = r.integer("samples");
  if (r.has("trajectories")) s.trajectories = r.integer("trajectories");
  s.levels = r.integer("levels");
  if (s.levels % 2) r.fail(r.node("levels"), "`levels` must be even (the Morris step is levels / (2 (levels - 1)))");
  s.design_seed = r.unsigned64("seed");
  if (r.has("points")) points = r.node("points");
  r.finish();
  return design;
}

/// Parameters: what to vary, and how the design wants each one given.
void read_parameters(const Reader& top, const std::string& kind, SweepSpec& s) {
  const bool ranged = s.design == DesignKind::lhs || s.design == DesignKind::morris || s.design == DesignKind::sobol;
  if (!top.has("parameters")) top.fail(top.self(), "a sweep needs `parameters`: what to vary");
  const YAML::Node params = top.node("parameters");
  if (!params.IsMap() || params.size() == 0) top.fail(params, "`parameters` must be a non-empty mapping of names to settings");
  std::set<std::string> seen_paths;
  for (const auto& kv : params) {
    SweepParameter p;
    p.name = kv.first.Scalar();
    // sweep.csv and points.csv have a column per parameter beside these: a
    // parameter of the same name would give a file two columns of one name.
    for (const char* column : {"point", "replication", "metric", "scope", "key", "value", "mean", "ci_low", "ci_high", "n"})
      if (p.name == column)
        top.fail(kv.first, "parameter name `" + p.name + "` is also a column of sweep.csv or points.csv (point, replication, "
                           "metric, scope, key, value, mean, ci_low, ci_high, n): choose another name");
    const YAML::Node n = kv.second;
    const Reader r(top.provenance(), n, "parameters." + p.name, sweep_section("parameters.*"));
    if (!r.has("path")) r.fail(n, "parameter `" + p.name + "` needs `path` (e.g. units.service_centre.staff)");
    const YAML::Node path_node = r.node("path");
    if (path_node.IsSequence()) {
      for (const auto& item : path_node) p.paths.push_back(scalar_value(r, item, "path"));
      if (p.paths.empty()) r.fail(path_node, "`path` must name at least one scenario path");
    } else {
      p.paths.push_back(r.text("path"));
    }
    for (const auto& path : p.paths) {
      if (path.empty() || path.find('=') != std::string::npos || path.front() == '.' || path.back() == '.')
        r.fail(path_node, "`" + path + "` is not a scenario path (dotted keys, e.g. platform.coverage)");
      if (!seen_paths.insert(path).second) r.fail(path_node, "`" + path + "` is varied by two parameters");
      check_sweep_path(r, path_node, path);
      if (const std::string problem = override_path_problem(s.base, s.overrides, path); !problem.empty())
        r.fail(path_node, "`" + path + "`: " + problem);
    }
    p.integer = r.boolean("integer");
    p.log_scale = r.boolean("log");
    if (s.design == DesignKind::grid) {
      if (!r.has("values")) r.fail(n, "parameter `" + p.name + "` needs `values` (a list) in a grid design");
      const YAML::Node v = r.node("values");
      if (!v.IsSequence() || v.size() == 0) r.fail(v, "`values` must be a non-empty list");
      for (const auto& item : v) p.values.push_back(scalar_value(r, item, "values"));
    } else if (r.has("values")) {
      r.fail(r.node("values"), "`values` applies to grid designs; a `" + kind + "` design takes " +
                                   (ranged ? "`low` and `high`" : "its values from `design.points`"));
    }
    if (ranged) {
      if (!r.has("low") || !r.has("high"))
        r.fail(n, "parameter `" + p.name + "` needs `low` and `high` in a `" + kind + "` design");
      p.low = r.number("low");
      p.high = r.number("high");
      if (!(p.high > p.low)) r.fail(r.node("high"), "`high` must be greater than `low`");
      if (p.log_scale && !(p.low > 0)) r.fail(r.node("low"), "a `log` parameter needs `low` > 0");
    } else {
      for (const char* key : {"low", "high", "log"})
        if (r.has(key)) r.fail(r.node(key), "`" + std::string(key) + "` applies to lhs, morris and sobol designs");
    }
    r.finish();
    s.parameters.push_back(std::move(p));
  }
}

/// Explicit points (a `points` design): one value per parameter each.
void read_explicit_points(const Reader& top, const YAML::Node& pts, SweepSpec& s) {
  if (!pts.IsSequence() || pts.size() == 0) top.fail(pts, "`points` must be a non-empty list of {parameter: value} maps");
  if (pts.size() > kMaxPoints) top.fail(pts, "more than " + std::to_string(kMaxPoints) + " points");
  std::vector<std::string> names;
  for (const auto& p : s.parameters) names.push_back(p.name);
  for (const auto& pt : pts) {
    const Reader r(top.provenance(), pt, "design.points", names);
    std::vector<std::string> values;
    for (const auto& p : s.parameters) {
      if (!r.has(p.name)) r.fail(pt, "this point does not give `" + p.name + "`");
      values.push_back(scalar_value(r, r.node(p.name), p.name));
    }
    r.finish();
    s.points.push_back(std::move(values));
  }
}

/// Size limits, before expanding anything: the number of points the design
/// will have, which must be at most kMaxPoints.
double planned_points(const Reader& top, const YAML::Node& design, const SweepSpec& s) {
  const std::size_t k = s.parameters.size();
  double planned = 1;
  switch (s.design) {
    case DesignKind::grid:
      for (const auto& p : s.parameters) planned *= static_cast<double>(p.values.size());
      break;
    case DesignKind::points: planned = static_cast<double>(s.points.size()); break;
    case DesignKind::lhs: planned = s.samples; break;
    case DesignKind::morris: planned = static_cast<double>(s.trajectories) * static_cast<double>(k + 1); break;
    case DesignKind::sobol: planned = static_cast<double>(s.samples) * static_cast<double>(k + 2); break;
  }
  if (planned > static_cast<double>(kMaxPoints))
    top.fail(top.has("design") ? design : top.node("parameters"),
             "this design has " + format_value(planned, true) + " points; a sweep is limited to " +
                 std::to_string(kMaxPoints));
  return planned;
}

/// Replications and seeds: a base seed, or a list of seeds (one per replication).
void read_replications_and_seeds(const Reader& r, double planned, SweepSpec& s) {
  if (r.has("seeds")) {
    const YAML::Node seeds = r.node("seeds");
    if (!seeds.IsSequence() || seeds.size() == 0) r.fail(seeds, "`seeds` must be a non-empty list of seeds");
    std::set<std::uint64_t> unique;
    for (const auto& item : seeds) {
      s.seeds.push_back(r.unsigned64_at(item, "seeds"));
      if (!unique.insert(s.seeds.back()).second) r.fail(item, "seed " + item.Scalar() + " is listed twice");
    }
    if (r.has("seed")) r.fail(r.node("seed"), "give either `seed` (a base seed) or `seeds` (a list), not both");
    if (r.has("replications") && r.integer("replications") != static_cast<int>(s.seeds.size()))
      r.fail(r.node("replications"), "`replications` differs from the number of `seeds`");
    s.replications = static_cast<int>(s.seeds.size());
  } else {
    s.replications = r.integer("replications");
    s.seed = r.unsigned64("seed");
  }
  if (planned * s.replications > 1e6) r.fail(r.self(), "more than a million runs: reduce the design or the replications");
}

/// Outputs: the scopes and metrics the sweep's files keep.
void read_outputs(const Reader& r, SweepSpec& s) {
  static const std::vector<std::string> all_scopes = {"all", "type", "group", "tier", "area", "unit"};
  s.scopes = {"all", "type", "group", "tier"};
  if (r.has("scopes")) {
    const YAML::Node sc = r.node("scopes");
    if (!sc.IsSequence() || sc.size() == 0) r.fail(sc, "`scopes` must be a non-empty list (all, type, group, tier, area, unit)");
    s.scopes.clear();
    for (const auto& item : sc) {
      const std::string v = scalar_value(r, item, "scopes");
      if (std::find(all_scopes.begin(), all_scopes.end(), v) == all_scopes.end())
        r.fail(item, "`" + v + "` is not a scope (all, type, group, tier, area, unit)");
      s.scopes.push_back(v);
    }
  }
  if (r.has("metrics")) {
    const YAML::Node ms = r.node("metrics");
    if (!ms.IsSequence() || ms.size() == 0) r.fail(ms, "`metrics` must be a non-empty list of metric names");
    const auto& known = all_metric_names();
    for (const auto& item : ms) {
      const std::string v = scalar_value(r, item, "metrics");
      if (std::find(known.begin(), known.end(), v) == known.end())
        r.fail(item, "unknown metric `" + v + "`; did you mean `" + nearest_word(v, known, 1000) +
                         "`? (docs/results.md lists them)");
      s.metrics.push_back(v);
    }
  } else {
    s.metrics = headline_metrics();
  }
}

/// The base scenario with the fixed settings must load; each point is checked
/// when it runs. A bad `set` entry is reported where the sweep file wrote it.
void check_base_scenario_loads(const Reader& r, const SweepSpec& s, std::map<std::string, YAML::Node>& set_nodes) {
  try {
    (void)load_scenario(s.base, s.overrides);
  } catch (const InputError& e) {
    // A bad `set` entry: point at it in the sweep file.
    const std::string prefix = "--set ";
    if (e.file().rfind(prefix, 0) == 0 && set_nodes.count(e.file().substr(prefix.size()))) {
      const std::string what = e.what();
      const auto at = what.find("error: ");
      r.fail(set_nodes[e.file().substr(prefix.size())],
             "in `set`: " + (at == std::string::npos ? what : what.substr(at + 7)));
    }
    throw;
  }
}

}  // namespace

SweepSpec load_sweep(const std::string& path) { return load_sweep_text(read_input_file(path, "sweep", kMaxSweepBytes), path); }

SweepSpec load_sweep_text(const std::string& text, const std::string& name) {
  if (text.size() > kMaxSweepBytes) throw InputError(name, 0, 0, "sweep files are limited to 1 MiB");
  const YAML::Node root = parse_guarded_yaml(text, name);
  if (root.IsNull()) throw InputError(name, 0, 0, "the file is empty");
  Provenance prov;  // one file: every place is in it
  prov.root = name;
  const Reader top(prov, root, "sweep", sweep_section("sweep"));
  SweepSpec s;
  std::map<std::string, YAML::Node> set_nodes = read_base_and_settings(top, name, s);
  std::string kind;
  YAML::Node points;
  const YAML::Node design = read_design(top, s, kind, points);
  read_parameters(top, kind, s);
  if (s.design == DesignKind::points) read_explicit_points(top, points, s);
  const double planned = planned_points(top, design, s);
  read_replications_and_seeds(top, planned, s);
  read_outputs(top, s);
  top.finish();

  expand_design(s);
  check_base_scenario_loads(top, s, set_nodes);
  const std::string base_text = merged_scenario_text(s.base, s.overrides);
  s.content_hash = hex64(sim::stable_id(text) ^ (sim::stable_id(base_text) * 0x9E3779B97F4A7C15ull));
  return s;
}

// ---------------------------------------------------------------------------
// Runs and their records.

namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') fields.back() += '"', ++i;
      else if (c == '"') quoted = false;
      else fields.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::string run_name(std::size_t point, int replication) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "p%06zu-r%04d", point, replication);
  return buf;
}

bool scope_kept(const SweepSpec& spec, const std::string& scope) {
  return std::find(spec.scopes.begin(), spec.scopes.end(), scope) != spec.scopes.end();
}


}  // namespace

std::vector<RunRecord> execute_runs(const SweepSpec& spec, std::size_t first_run, int count, int threads,
                                    const std::atomic<bool>* cancel) {
  const std::size_t point = first_run / static_cast<std::size_t>(spec.replications);
  const int replication = static_cast<int>(first_run % static_cast<std::size_t>(spec.replications));
  if (count < 1 || replication + count > spec.replications || (count > 1 && !spec.seeds.empty()))
    throw std::logic_error("execute_runs: not consecutive replications of one point under one seed");
  auto [seed, index] = spec.seed_of(replication);
  if (!spec.point_seeds.empty()) seed = spec.point_seeds[point];
  try {
    const Scenario scenario = load_scenario(spec.point_base(point), spec.point_overrides(point));
    RunSettings settings;
    settings.seed = seed;
    settings.replications = count;
    settings.first_replication = index;
    settings.threads = threads;
    settings.keep_series = false;
    settings.cancel = cancel;
    settings.memory_limit_bytes = spec.memory_limit_bytes;
    const RunResult result = run_scenario(scenario, settings);
    std::vector<RunRecord> records;
    for (const auto& rep : result.replications) {
      std::ostringstream out;
      out << "metric,scope,key,value\n";
      for (const auto& m : rep.metrics)
        if (scope_kept(spec, m.scope)) out << m.name << ',' << m.scope << ',' << csv_field(m.key) << ',' << csv_number(m.value) << '\n';
      records.push_back({true, out.str()});
    }
    return records;
  } catch (const Interrupted&) {
    throw;
  } catch (const PlacedError& e) {  // bad input at this point, or too big to run
    return std::vector<RunRecord>(static_cast<std::size_t>(count), RunRecord{false, e.what()});
  } catch (const std::bad_alloc&) {
    return std::vector<RunRecord>(static_cast<std::size_t>(count), RunRecord{false, "out of memory"});
  } catch (const std::exception& e) {
    return std::vector<RunRecord>(static_cast<std::size_t>(count), RunRecord{false, std::string("internal error: ") + e.what()});
  }
}

RunRecord execute_run(const SweepSpec& spec, std::size_t run, int threads, const std::atomic<bool>* cancel) {
  return execute_runs(spec, run, 1, threads, cancel).front();
}

std::string record_path(const std::string& dir, std::size_t point, int replication, bool ok) {
  return (fs::path(dir) / "runs" / (run_name(point, replication) + (ok ? ".csv" : ".failed"))).string();
}

bool has_record(const std::string& dir, std::size_t point, int replication) {
  std::error_code ec;
  return fs::exists(record_path(dir, point, replication, true), ec) ||
         fs::exists(record_path(dir, point, replication, false), ec);
}

void write_record(const std::string& dir, const SweepSpec& spec, std::size_t run, const RunRecord& record) {
  const std::size_t point = run / static_cast<std::size_t>(spec.replications);
  const int replication = static_cast<int>(run % static_cast<std::size_t>(spec.replications));
  std::string text = record.text;
  if (!record.ok) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    text += '\n';
  }
  write_file_atomically(record_path(dir, point, replication, record.ok), text);
}

namespace {

std::string design_csv(const SweepSpec& spec) {
  std::ostringstream out;
  out << "point";
  for (const auto& p : spec.parameters) out << ',' << csv_field(p.name);
  out << '\n';
  for (std::size_t i = 0; i < spec.points.size(); ++i) {
    out << i;
    for (const auto& v : spec.points[i]) out << ',' << csv_field(v);
    out << '\n';
  }
  return out.str();
}

/// The sweep's identity, as plan.json records it: the build, then everything
/// of the sweep file that decides its runs, and the content hash of the sweep
/// file and merged base scenario (which also covers what the fields do not
/// show, e.g. the base scenario's settings).
Json plan_json(const SweepSpec& spec) {
  Json plan;
  plan["govsim_version"] = kVersion;
  plan["git_commit"] = kGitCommit;
  plan["sweep"] = spec.name;
  plan["content_hash"] = spec.content_hash;
  plan["design"] = to_string(spec.design);
  plan["points"] = spec.points.size();
  plan["replications"] = spec.replications;
  plan["runs"] = spec.runs();
  plan["overrides"] = spec.overrides;
  Json& parameters = plan["parameters"] = Json::array();
  for (const auto& p : spec.parameters) {
    Json q = {{"name", p.name}, {"paths", p.paths}};
    if (!p.values.empty()) q["values"] = p.values;
    if (p.high > p.low) q["low"] = json_number(p.low), q["high"] = json_number(p.high), q["log"] = p.log_scale;
    q["integer"] = p.integer;
    parameters.push_back(std::move(q));
  }
  plan["design_seed"] = spec.design_seed;
  if (spec.samples) plan["samples"] = spec.samples;
  if (spec.trajectories) plan["trajectories"] = spec.trajectories, plan["levels"] = spec.levels;
  plan["seed"] = spec.seed;
  plan["seeds"] = spec.seeds;
  plan["scopes"] = spec.scopes;
  plan["metrics"] = spec.metrics;
  return plan;
}

/// A value for a one-line message: cut after 200 characters.
std::string shown(const std::string& value) {
  return value.size() <= 200 ? value : value.substr(0, 200) + "...";
}

/// Why the plan in `dir` is not this sweep's (empty if it is): the first field that differs.
std::string plan_difference(const std::string& dir, const Json& earlier, const SweepSpec& spec) {
  const std::string where = (fs::path(dir) / "plan.json").string();
  Json now = plan_json(spec), before = earlier;
  now.erase("content_hash");
  before.erase("content_hash");
  if (const auto d = first_difference(now, before))
    return "the sweep file's `" + d->path + "` differs from the plan in " + where + ": " + shown(d->a) +
           " (sweep file) vs " + shown(d->b) + " (plan)";
  if (earlier.value("content_hash", Json()) != spec.content_hash)
    return "the sweep file or its base scenario changed since the plan in " + where + " (content hash " +
           spec.content_hash + " vs " + shown(json_line(earlier.value("content_hash", Json()))) + " in the plan)";
  if (read_text((fs::path(dir) / "design.csv").string()) != design_csv(spec))
    return (fs::path(dir) / "design.csv").string() + " holds other points than the sweep file's design";
  return "";
}

}  // namespace

std::vector<std::size_t> prepare_sweep_folder(const SweepSpec& spec, std::string& dir, bool force, bool resume) {
  std::error_code ec;
  if (resume) {
    const fs::path plan = fs::path(dir) / "plan.json";
    if (!fs::exists(plan, ec))
      throw OutputError(dir + ": error: nothing to resume here (no plan.json); start the sweep without --resume");
    claim_output_folder(dir);  // one process at a time continues a sweep
    Json earlier;
    try {
      earlier = parse_json(read_text(plan.string()), plan.string());
    } catch (const std::runtime_error& e) {
      throw OutputError(std::string(e.what()) + ": error: cannot resume from it; start anew in a new --out");
    }
    if (!earlier.is_object() || earlier.value("govsim_version", Json()) != kVersion ||
        earlier.value("git_commit", Json()) != kGitCommit)
      throw OutputError(dir + ": error: this sweep was started by another govsim build (see plan.json; this is govsim " +
                        kVersion + ", commit " + kGitCommit +
                        "): its records would mix two builds' results; resume with that build, or start anew");
    remove_partial_files(dir);
    if (const std::string why = plan_difference(dir, earlier, spec); !why.empty())
      throw OutputError(dir + ": error: this folder holds a different sweep: " + why +
                        "; resume needs the very same sweep, or start anew in a new --out");
  } else {
    dir = prepare_output_folder(dir, spec.name, force);
    if (force) fs::remove_all(fs::path(dir) / "runs", ec);  // records of an earlier sweep must not count as done
    // A complete result from before would now be stale: remove what this sweep writes.
    for (const char* f : {"manifest.json", "sweep.csv", "points.csv", "failures.csv", "sensitivity.csv", "sobol.csv"})
      fs::remove(fs::path(dir) / f, ec);
    write_file_atomically((fs::path(dir) / "design.csv").string(), design_csv(spec));
    write_file_atomically((fs::path(dir) / "plan.json").string(), json_text(plan_json(spec)));
  }
  const fs::path runs = fs::path(dir) / "runs";
  fs::create_directories(runs, ec);
  if (ec) throw OutputError(runs.string() + ": error: cannot create: " + ec.message());
  std::vector<std::size_t> pending;
  for (std::size_t run = 0; run < spec.runs(); ++run) {
    const std::size_t point = run / static_cast<std::size_t>(spec.replications);
    const int replication = static_cast<int>(run % static_cast<std::size_t>(spec.replications));
    if (!has_record(dir, point, replication)) pending.push_back(run);
  }
  // Leftovers of writes cut short by a crash are never read; clear them.
  for (const auto& entry : fs::directory_iterator(runs, ec))
    if (entry.path().filename().string().find(".partial-") != std::string::npos) fs::remove(entry.path(), ec);
  return pending;
}

std::size_t run_pending(const SweepSpec& spec, const std::string& dir, const std::vector<std::size_t>& pending,
                        int threads, std::atomic<bool>* cancel,
                        const std::function<void(std::size_t, std::size_t)>& on_done) {
  return run_pending_to(
      spec, pending, threads, cancel,
      [&](std::size_t run, const RunRecord& record) { write_record(dir, spec, run, record); }, on_done);
}

std::size_t run_pending_to(const SweepSpec& spec, const std::vector<std::size_t>& pending, int threads,
                           std::atomic<bool>* cancel, const std::function<void(std::size_t, const RunRecord&)>& keep,
                           const std::function<void(std::size_t, std::size_t)>& on_done) {
  // Consecutive replications of a point under one seed run as one batch:
  // the organisation and the residents are built once for them (the records
  // are the same as run one by one). Batches stay small enough to keep every
  // thread busy.
  struct Batch {
    std::size_t first_run;
    int count;
  };
  const std::size_t cap = std::max<std::size_t>(1, pending.size() / (4 * static_cast<std::size_t>(std::max(threads, 1))));
  const auto reps = static_cast<std::size_t>(spec.replications);
  std::vector<Batch> batches;
  for (std::size_t run : pending) {
    if (!batches.empty() && spec.seeds.empty()) {
      Batch& last = batches.back();
      const std::size_t next = last.first_run + static_cast<std::size_t>(last.count);
      if (run == next && run / reps == last.first_run / reps && static_cast<std::size_t>(last.count) < cap) {
        ++last.count;
        continue;
      }
    }
    batches.push_back({run, 1});
  }
  std::mutex mutex;
  std::size_t done = 0, failed = 0;
  std::exception_ptr error;
  auto one = [&](const Batch& batch) {
    // Every batch ends under the mutex, one cut short by a cancel too: its
    // reads of `spec` then visibly happen before the caller frees it (see LockOnExit).
    const LockOnExit end_under_lock{mutex};
    if (cancel && cancel->load()) return;
    try {
      const auto records = execute_runs(spec, batch.first_run, batch.count, 1, cancel);
      for (int i = 0; i < batch.count; ++i) {
        keep(batch.first_run + static_cast<std::size_t>(i), records[static_cast<std::size_t>(i)]);
        const std::lock_guard<std::mutex> lock(mutex);
        ++done;
        failed += !records[static_cast<std::size_t>(i)].ok;
        if (on_done) on_done(done, failed);
      }
    } catch (const Interrupted&) {
      // Not recorded: these runs run again on --resume.
    } catch (...) {
      const std::lock_guard<std::mutex> lock(mutex);
      if (!error) error = std::current_exception();
      if (cancel) cancel->store(true);  // a record that cannot be written stops the sweep
    }
  };
  if (threads <= 1) {
    for (const Batch& b : batches) one(b);
  } else {
    tbb::task_arena arena(threads);
    arena.execute([&] {
      tbb::parallel_for(
          tbb::blocked_range<std::size_t>(0, batches.size(), 1),
          [&](const tbb::blocked_range<std::size_t>& range) {
            for (std::size_t i = range.begin(); i < range.end(); ++i) one(batches[i]);
          },
          tbb::simple_partitioner());
    });
  }
  const std::lock_guard<std::mutex> lock(mutex);  // makes the workers' writes visible (and to TSan)
  if (error) std::rethrow_exception(error);
  return done;
}

// ---------------------------------------------------------------------------
// The sweep's results, from the records.

namespace {

/// Saltelli (2010) first-order and Jansen total indices: sim/sobol.hpp.
using sim::sobol_indices;

/// Per point, the mean over replications of each sensitivity metric (scope all):
/// y[metric][point], NaN where no replication gave a value.
using PointMeans = std::vector<std::vector<double>>;

/// The records, gathered: sweep.csv (every run), points.csv (each point's
/// estimates) and failures.csv. Counts the runs into `totals`.
PointMeans gather_records(const SweepSpec& spec, const std::string& dir, SweepTotals& totals) {
  const int reps = spec.replications;
  std::ostringstream sweep, points, failures;
  sweep << "point,replication";
  points << "point";
  for (const auto& p : spec.parameters) sweep << ',' << csv_field(p.name), points << ',' << csv_field(p.name);
  sweep << ",metric,scope,key,value\n";
  points << ",metric,scope,key,mean,ci_low,ci_high,n\n";
  failures << "point,replication,error\n";
  PointMeans y(spec.metrics.size(), std::vector<double>(spec.points.size(), NAN));
  for (std::size_t point = 0; point < spec.points.size(); ++point) {
    std::string values;
    for (const auto& v : spec.points[point]) values += ',' + csv_field(v);
    using Key = std::tuple<std::string, std::string, std::string>;
    std::map<Key, std::vector<double>> by_metric;
    std::vector<Key> order;
    for (int rep = 0; rep < reps; ++rep) {
      ++totals.runs;
      std::error_code ec;
      const std::string failed = record_path(dir, point, rep, false);
      if (fs::exists(failed, ec)) {
        ++totals.failed;
        std::string message = read_text(failed);
        while (!message.empty() && message.back() == '\n') message.pop_back();
        failures << point << ',' << rep << ',' << csv_field(message) << '\n';
        continue;
      }
      const std::string path = record_path(dir, point, rep, true);
      std::istringstream in(read_text(path));
      std::string line;
      if (!std::getline(in, line) || line != "metric,scope,key,value")
        throw OutputError(path + ": error: not a run record (delete it and resume to redo the run)");
      while (std::getline(in, line)) {
        const auto f = split_csv_line(line);
        if (f.size() != 4) throw OutputError(path + ": error: damaged run record (delete it and resume to redo the run)");
        sweep << point << ',' << rep << values << ',' << f[0] << ',' << f[1] << ',' << csv_field(f[2]) << ',' << f[3] << '\n';
        const Key key{f[0], f[1], f[2]};
        auto [it, fresh] = by_metric.try_emplace(key);
        if (fresh) order.push_back(key);
        it->second.push_back(f[3].empty() ? NAN : std::strtod(f[3].c_str(), nullptr));
      }
    }
    for (const auto& key : order) {
      const sim::Estimate e = sim::estimate(by_metric[key]);
      points << point << values << ',' << std::get<0>(key) << ',' << std::get<1>(key) << ',' << csv_field(std::get<2>(key))
             << ',' << csv_number(e.n ? e.mean : NAN) << ',' << csv_number(e.n > 1 ? e.low() : NAN) << ','
             << csv_number(e.n > 1 ? e.high() : NAN) << ',' << e.n << '\n';
      if (std::get<1>(key) == "all" && std::get<2>(key) == "all")
        for (std::size_t m = 0; m < spec.metrics.size(); ++m)
          if (spec.metrics[m] == std::get<0>(key) && e.n > 0) y[m][point] = e.mean;
    }
  }
  const fs::path d(dir);
  write_file_atomically((d / "sweep.csv").string(), sweep.str());
  write_file_atomically((d / "points.csv").string(), points.str());
  write_file_atomically((d / "failures.csv").string(), failures.str());
  return y;
}

/// Morris designs: elementary effects per unit of a parameter's normalised range (sensitivity.csv).
void write_morris_effects(const SweepSpec& spec, const fs::path& d, const PointMeans& y) {
  const std::size_t k = spec.parameters.size();
  std::ostringstream out;
  out << "metric,parameter,mu,mu_star,sigma,effects\n";
  const double delta = spec.levels / (2.0 * (spec.levels - 1));
  for (std::size_t m = 0; m < spec.metrics.size(); ++m) {
    std::vector<std::vector<double>> effects(k);
    for (int t = 0; t < spec.trajectories; ++t) {
      const std::size_t first = static_cast<std::size_t>(t) * (k + 1);
      for (std::size_t step = 0; step < k; ++step) {
        const auto &a = spec.unit_points[first + step], &b = spec.unit_points[first + step + 1];
        std::size_t moved = 0;
        while (moved < k && a[moved] == b[moved]) ++moved;
        const double ya = y[m][first + step], yb = y[m][first + step + 1];
        if (moved < k && std::isfinite(ya) && std::isfinite(yb)) effects[moved].push_back((yb - ya) / delta);
      }
    }
    for (std::size_t i = 0; i < k; ++i) {
      sim::RunningStats ee, abs_ee;
      for (double e : effects[i]) ee.add(e), abs_ee.add(std::fabs(e));
      const bool any = ee.count() > 0;
      out << spec.metrics[m] << ',' << csv_field(spec.parameters[i].name) << ',' << csv_number(any ? ee.mean() : NAN)
          << ',' << csv_number(any ? abs_ee.mean() : NAN) << ','
          << csv_number(ee.count() > 1 ? std::sqrt(ee.variance()) : NAN) << ',' << ee.count() << '\n';
    }
  }
  write_file_atomically((d / "sensitivity.csv").string(), out.str());
}

/// Sobol' designs: indices with 95% bootstrap intervals (sobol.csv).
void write_sobol_indices(const SweepSpec& spec, const fs::path& d, const PointMeans& y) {
  const std::size_t k = spec.parameters.size();
  // 1000 resamples of the N samples.
  std::ostringstream out;
  out << "metric,parameter,S1,S1_low,S1_high,ST,ST_low,ST_high,samples\n";
  const std::size_t n = static_cast<std::size_t>(spec.samples), stride = k + 2;
  for (std::size_t m = 0; m < spec.metrics.size(); ++m) {
    for (std::size_t i = 0; i < k; ++i) {
      const sim::Stream stream(sim::stream_key(spec.design_seed, 0), sim::stable_id("sweep-bootstrap") + m * k + i);
      std::vector<double> fa(n), fb(n), fab(n);
      std::vector<std::size_t> use;
      for (std::size_t j = 0; j < n; ++j) {
        fa[j] = y[m][j * stride], fb[j] = y[m][j * stride + 1], fab[j] = y[m][j * stride + 2 + i];
        if (std::isfinite(fa[j]) && std::isfinite(fb[j]) && std::isfinite(fab[j])) use.push_back(j);
      }
      double s1 = NAN, st = NAN, s1_lo = NAN, s1_hi = NAN, st_lo = NAN, st_hi = NAN;
      if (use.size() >= 2) {
        std::tie(s1, st) = sobol_indices(fa, fb, fab, use);
        constexpr int kResamples = 1000;
        std::vector<double> b1, bt;
        for (int b = 0; b < kResamples; ++b) {
          std::vector<std::size_t> pick;
          for (std::size_t j = 0; j < use.size(); ++j) {
            const double u = stream.uniform(kBootstrap, static_cast<std::uint32_t>(b * use.size() + j));
            pick.push_back(use[std::min(use.size() - 1, static_cast<std::size_t>(u * use.size()))]);
          }
          const auto [x1, xt] = sobol_indices(fa, fb, fab, pick);
          if (std::isfinite(x1)) b1.push_back(x1);
          if (std::isfinite(xt)) bt.push_back(xt);
        }
        auto quantile = [](std::vector<double>& v, double q) -> double {
          if (v.empty()) return NAN;
          std::sort(v.begin(), v.end());
          return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
        };
        s1_lo = quantile(b1, 0.025), s1_hi = quantile(b1, 0.975), st_lo = quantile(bt, 0.025), st_hi = quantile(bt, 0.975);
      }
      out << spec.metrics[m] << ',' << csv_field(spec.parameters[i].name) << ',' << csv_number(s1) << ','
          << csv_number(s1_lo) << ',' << csv_number(s1_hi) << ',' << csv_number(st) << ',' << csv_number(st_lo) << ','
          << csv_number(st_hi) << ',' << use.size() << '\n';
    }
  }
  write_file_atomically((d / "sobol.csv").string(), out.str());
}

/// manifest.json, last: its presence means the sweep folder is complete.
void write_manifest(const SweepSpec& spec, const fs::path& d, const SweepTotals& totals, double wall_seconds, int threads,
                    int ranks) {
  const std::size_t k = spec.parameters.size();
  const int reps = spec.replications;
  // The only values in it that vary between equal sweeps are wall_seconds, threads and ranks.
  Json doc;
  doc["govsim_version"] = kVersion;
  doc["git_commit"] = kGitCommit;
  doc["sweep"] = {{"name", spec.name}, {"path", spec.path}, {"content_hash", spec.content_hash}};
  doc["base"] = spec.base;
  doc["overrides"] = spec.overrides;
  Json& design = doc["design"] = {{"kind", to_string(spec.design)}, {"seed", spec.design_seed}};
  if (spec.samples) design["samples"] = spec.samples;
  if (spec.trajectories) design["trajectories"] = spec.trajectories, design["levels"] = spec.levels;
  Json& parameters = doc["parameters"] = Json::array();
  for (std::size_t i = 0; i < k; ++i) {
    const auto& p = spec.parameters[i];
    Json q = {{"name", p.name}, {"paths", p.paths}};
    if (p.high > p.low) q["low"] = json_number(p.low), q["high"] = json_number(p.high), q["log"] = p.log_scale;
    q["integer"] = p.integer;
    parameters.push_back(std::move(q));
  }
  doc["points"] = spec.points.size();
  doc["replications"] = reps;
  Json& seeds = doc["seeds"] = Json::array();
  for (int r = 0; r < reps; ++r) {
    const auto [seed, index] = spec.seed_of(r);
    seeds.push_back({{"seed", seed}, {"replication_index", index}});
  }
  doc["runs"] = totals.runs;
  doc["failed_runs"] = totals.failed;
  Json& files = doc["files"] = {"design.csv", "sweep.csv", "points.csv", "failures.csv"};
  if (spec.design == DesignKind::morris) files.push_back("sensitivity.csv");
  if (spec.design == DesignKind::sobol) files.push_back("sobol.csv");
  doc["wall_seconds"] = json_number(wall_seconds);
  doc["threads"] = threads;
  doc["ranks"] = ranks;
  doc["metric_registry"] = metric_registry_json();
  write_file_atomically((d / "manifest.json").string(), json_text(doc));
}

}  // namespace

SweepTotals finalize_sweep(const SweepSpec& spec, const std::string& dir, double wall_seconds, int threads, int ranks) {
  SweepTotals totals;
  const PointMeans y = gather_records(spec, dir, totals);
  const fs::path d(dir);
  if (spec.design == DesignKind::morris) write_morris_effects(spec, d, y);
  if (spec.design == DesignKind::sobol) write_sobol_indices(spec, d, y);
  write_manifest(spec, d, totals, wall_seconds, threads, ranks);
  return totals;
}

std::string hex64(std::uint64_t x) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(x));
  return buf;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw OutputError(path + ": error: cannot read");
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

}  // namespace govsim
