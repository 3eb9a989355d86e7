// models/app/sweep/explore.cpp: plans and results of `govsim explore` and `govsim attribute`.
#include "models/app/sweep/explore.hpp"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>

#include "govsim/version.hpp"
#include "models/app/compare/compare.hpp"
#include "models/app/results/csv.hpp"
#include "models/app/results/metric_registry.hpp"
#include "models/app/results/results.hpp"
#include "models/app/input/scenario_loader.hpp"
#include "models/app/input/yaml_input.hpp"
#include "sim/random.hpp"
#include "sim/sobol.hpp"
#include "sim/stats.hpp"

namespace govsim {
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

/// Scope-all values of the headline metrics in one run record; empty when the run failed.
std::map<std::string, double> record_values(const std::string& dir, std::size_t point, int rep, bool& ok) {
  std::map<std::string, double> out;
  std::error_code ec;
  ok = !fs::exists(record_path(dir, point, rep, false), ec);
  if (!ok) return out;
  std::istringstream in(read_text(record_path(dir, point, rep, true)));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    // metric,all,all,value: the key of scope `all` is never quoted.
    const auto a = line.find(','), b = line.find(',', a + 1), c = line.find(',', b + 1);
    if (a == std::string::npos || b == std::string::npos || c == std::string::npos) continue;
    if (line.compare(a + 1, b - a - 1, "all") != 0 || line.compare(b + 1, c - b - 1, "all") != 0) continue;
    const std::string v = line.substr(c + 1);
    out[line.substr(0, a)] = v.empty() ? NAN : std::strtod(v.c_str(), nullptr);
  }
  return out;
}

int direction(const std::string& metric) {
  const MetricInfo* m = find_metric(metric);
  if (!m) return 0;
  return m->better == Better::lower ? -1 : m->better == Better::higher ? 1 : 0;
}

/// Quantile q of sorted values (linear interpolation between order statistics, type 7).
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return NAN;
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

Json number_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

std::string merged_text_of(const std::string& path, const std::vector<std::string>& sets) {
  return merged_scenario_text(path, sets);
}

}  // namespace

// ---------------------------------------------------------------------------
// explore

namespace {

/// The fields of one CSV line (RFC 4180 quoting, no line breaks inside fields), with each field's column (1-based).
std::vector<std::pair<std::string, int>> csv_split(const std::string& line) {
  std::vector<std::pair<std::string, int>> out;
  std::size_t i = 0;
  while (true) {
    const int col = static_cast<int>(i) + 1;
    std::string f;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') f += '"', i += 2;
          else { ++i; break; }
        } else {
          f += line[i++];
        }
      }
    }
    while (i < line.size() && line[i] != ',') f += line[i++];
    out.emplace_back(f, col);
    if (i >= line.size()) break;
    ++i;
  }
  return out;
}

}  // namespace

PosteriorSample load_posterior(const std::string& path) {
  PosteriorSample p;
  p.file = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, 0, "cannot read the posterior (the posterior.csv a `govsim calibrate` wrote)");
  std::stringstream b;
  b << in.rdbuf();
  const std::string text = b.str();
  p.hash = hex64(sim::stable_id(text));
  std::istringstream lines(text);
  std::string line;
  if (!std::getline(lines, line)) throw InputError(path, 1, 1, "empty posterior: expected the header of a posterior.csv");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const auto header = csv_split(line);
  std::size_t weight_col = 0;
  for (std::size_t c = 0; c < header.size(); ++c)
    if (header[c].first == "weight") weight_col = c;
  if (header.empty() || header[0].first != "particle" || weight_col < 2)
    throw InputError(path, 1, 1, "not a posterior.csv: the header must be `particle,PARAMETER...,weight,...` "
                                    "(the file `govsim calibrate` writes)");
  for (std::size_t c = 1; c < weight_col; ++c) p.paths.push_back(header[c].first);
  int number = 1;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto f = csv_split(line);
    if (f.size() < header.size())
      throw InputError(path, number, 1, "a particle with " + std::to_string(f.size()) + " fields, the header has " +
                                               std::to_string(header.size()));
    std::vector<std::string> v;
    for (std::size_t c = 1; c < weight_col; ++c) v.push_back(f[c].first);
    char* end = nullptr;
    const double w = std::strtod(f[weight_col].first.c_str(), &end);
    if (f[weight_col].first.empty() || !end || *end != '\0' || !std::isfinite(w) || w < 0)
      throw InputError(path, number, f[weight_col].second,
                          "weight `" + f[weight_col].first + "` is not a finite number >= 0");
    p.values.push_back(v);
    p.weights.push_back(w);
  }
  double total = 0;
  for (double w : p.weights) total += w;
  if (p.values.empty() || !(total > 0))
    throw InputError(path, number, 1, "the posterior has no particle of positive weight");
  return p;
}

std::size_t posterior_draw(const PosteriorSample& p, std::uint64_t seed, std::size_t j) {
  double total = 0;
  for (double w : p.weights) total += w;
  const sim::Stream stream(sim::stream_key(seed, static_cast<std::uint32_t>(j)), sim::stable_id("explore-posterior"));
  const double target = stream.uniform(0, static_cast<std::uint32_t>(j >> 32)) * total;
  double c = 0;
  std::size_t last = 0;
  for (std::size_t i = 0; i < p.weights.size(); ++i) {
    if (p.weights[i] <= 0) continue;
    last = i;
    c += p.weights[i];
    if (target < c) return i;
  }
  return last;  // rounding at the top end
}

EffectSummary summarise_effects(const std::vector<std::vector<double>>& diffs, int better) {
  EffectSummary e;
  std::vector<double> means;
  sim::RunningStats within_mean;
  std::size_t reps = 0;
  for (const auto& d : diffs) {
    if (d.empty()) continue;
    sim::RunningStats s;
    for (double x : d) s.add(x);
    means.push_back(s.mean());
    reps = d.size();
    if (d.size() >= 2) within_mean.add(s.variance());
  }
  e.samples = means.size();
  if (means.empty()) {
    e.median = e.p05 = e.p95 = e.mean = e.p_better = e.p_worse = e.p_tie = e.var_between = e.var_noise =
        e.var_parameters = e.share_parameters = e.share_noise = NAN;
    return e;
  }
  sim::RunningStats between;
  std::size_t b = 0, w = 0, t = 0;
  for (double m : means) {
    between.add(m);
    if (m == 0) ++t;
    else if ((m < 0) == (better < 0)) ++b;
    else ++w;
  }
  std::vector<double> sorted = means;
  std::sort(sorted.begin(), sorted.end());
  e.median = quantile(sorted, 0.5), e.p05 = quantile(sorted, 0.05), e.p95 = quantile(sorted, 0.95);
  e.mean = between.mean();
  const double n = static_cast<double>(means.size());
  if (better == 0) {
    e.p_better = e.p_worse = NAN;
    e.p_tie = t / n;
  } else {
    // Ties (a difference of exactly zero) count half: an option identical to
    // the baseline has P(better) = 0.5.
    e.p_better = (static_cast<double>(b) + 0.5 * static_cast<double>(t)) / n;
    e.p_worse = (static_cast<double>(w) + 0.5 * static_cast<double>(t)) / n;
    e.p_tie = t / n;
  }
  e.var_between = means.size() > 1 ? between.variance() : NAN;
  if (reps >= 2 && within_mean.count() > 0 && means.size() > 1) {
    e.var_noise = within_mean.mean();
    e.var_parameters = std::max(0.0, e.var_between - e.var_noise / static_cast<double>(reps));
    const double total = e.var_parameters + e.var_noise;
    e.share_parameters = total > 0 ? e.var_parameters / total : NAN;
    e.share_noise = total > 0 ? e.var_noise / total : NAN;
  } else {
    e.var_noise = e.var_parameters = e.share_parameters = e.share_noise = NAN;
  }
  return e;
}

SweepSpec explore_spec(const ExploreOptions& o) {
  if (o.scenarios.size() < 2) throw InputError("explore", 0, 0, "explore needs a baseline and at least one option");
  std::vector<Scenario> scenarios;
  for (const auto& p : o.scenarios) scenarios.push_back(load_scenario(p, o.sets));
  const Scenario& base = scenarios.front();
  if (base.uncertain.empty())
    throw InputError(o.scenarios[0], 0, 0,
                        "declares no uncertain parameters: add an `uncertain:` section (docs/uncertainty.md)");
  std::set<std::string> names;
  for (std::size_t i = 0; i < scenarios.size(); ++i)
    if (!names.insert(scenarios[i].name).second)
      throw InputError(o.scenarios[i], 0, 0, "two of the explored scenarios are named `" + scenarios[i].name +
                                                    "`: give each a distinct `name`");
  // Every option must set every path the baseline declares uncertain.
  for (std::size_t i = 1; i < scenarios.size(); ++i) {
    const YAML::Node root = YAML::Load(merged_text_of(o.scenarios[i], o.sets));
    for (const auto& u : base.uncertain)
      if (const std::string problem = uncertain_path_problem(root, u.path); !problem.empty())
        throw InputError(o.scenarios[i], 0, 0,
                            "explore gives every option the baseline's uncertain parameters, but: " + problem);
  }
  // A posterior from `govsim calibrate`: every parameter it fits must be one the baseline declares uncertain.
  std::optional<PosteriorSample> posterior;
  std::string posterior_text;
  std::vector<int> from_posterior(base.uncertain.size(), -1);  // per uncertain parameter: its posterior column
  if (!o.posterior.empty()) {
    posterior = load_posterior(o.posterior);
    std::string declared;
    for (const auto& u : base.uncertain) declared += (declared.empty() ? "" : ", ") + u.path;
    for (std::size_t c = 0; c < posterior->paths.size(); ++c) {
      std::size_t i = 0;
      while (i < base.uncertain.size() && base.uncertain[i].path != posterior->paths[c]) ++i;
      if (i == base.uncertain.size())
        throw InputError(o.posterior, 1, 0,
                            "the posterior fits `" + posterior->paths[c] + "`, which " + o.scenarios[0] +
                                " does not declare uncertain (it declares: " + declared +
                                "): explore the scenarios the calibration's prior came from, or declare it");
      from_posterior[i] = static_cast<int>(c);
    }
    const fs::path cal = fs::path(o.posterior).parent_path() / "calibrate.json";
    std::error_code ec;
    if (!fs::exists(cal, ec))
      throw InputError(o.posterior, 0, 0, "no calibrate.json beside the posterior (" + cal.string() +
                                                 "): pass the posterior.csv of a finished `govsim calibrate`");
    Json c;
    try {
      c = Json::parse(read_text(cal.string()));
    } catch (const std::exception& e) {
      throw InputError(cal.string(), 0, 0, std::string("cannot read the calibration's summary: ") + e.what());
    }
    double total = 0, squares = 0;
    for (double w : posterior->weights) total += w, squares += w * w;
    Json pj;
    pj["file"] = o.posterior;
    pj["hash"] = posterior->hash;
    pj["calibration"] = cal.string();
    pj["particles"] = posterior->values.size();
    pj["ess"] = total * total / squares;
    pj["parameters"] = posterior->paths;
    pj["drawn_by"] = "sample j takes one particle, drawn with probability proportional to its weight by a stream "
                     "keyed by (design_seed, j); parameters the posterior does not fit come from the design over "
                     "their declared ranges";
    for (const char* key : {"scenario", "prior_file", "targets_file", "seed", "stopped_because", "targets",
                            "predictive_check", "conflicts"})
      if (c.contains(key)) pj[key] = c[key];
    posterior_text = pj.dump();
  }
  SweepSpec s;
  s.path = o.scenarios[0];
  s.name = "explore-" + base.name;
  s.base = o.scenarios[0];
  s.overrides = o.sets;
  s.design = DesignKind::points;
  s.samples = o.samples;
  s.design_seed = o.design_seed;
  s.replications = o.replications;
  s.seed = o.seed.value_or(base.simulation.seed);
  s.scopes = {"all"};
  s.metrics = headline_metrics();
  s.parameters.push_back({"sample", {}, {}, 0, 0, false, false});
  s.parameters.push_back({"scenario", {}, {}, 0, 0, false, false});
  for (const auto& u : base.uncertain) s.parameters.push_back({u.path, {u.path}, {}, u.low, u.high,
                                                               u.dist == UncertainDist::integer,
                                                               u.dist == UncertainDist::loguniform});
  const std::size_t k = base.uncertain.size(), n = static_cast<std::size_t>(o.samples);
  std::vector<std::vector<double>> unit;
  if (o.design == "sobol") {
    unit = sim::sobol_points(n, k, o.design_seed);
  } else {
    // Latin hypercube: each parameter's range in n equal strata, each used once.
    const sim::Stream stream(sim::stream_key(o.design_seed, 0), sim::stable_id("explore-lhs"));
    unit.assign(n, std::vector<double>(k));
    for (std::size_t i = 0; i < k; ++i) {
      std::vector<std::size_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      for (std::size_t m = n; m > 1; --m) {
        const double u = stream.uniform(1, static_cast<std::uint32_t>(i * 1000003u + m));
        std::swap(order[m - 1], order[std::min(m - 1, static_cast<std::size_t>(u * static_cast<double>(m)))]);
      }
      for (std::size_t j = 0; j < n; ++j)
        unit[j][i] = (static_cast<double>(order[j]) + stream.uniform(2, static_cast<std::uint32_t>(j * k + i))) /
                     static_cast<double>(n);
    }
  }
  std::string identity = "explore\n" + o.design + "\n" + std::to_string(o.design_seed) + "\n";
  if (posterior) identity += "posterior " + posterior->hash + "\n";
  s.posterior_json = posterior_text;
  for (std::size_t i = 0; i < scenarios.size(); ++i) identity += merged_text_of(o.scenarios[i], o.sets) + "\n---\n";
  for (std::size_t j = 0; j < n; ++j) {
    std::vector<std::string> values;
    const std::size_t particle = posterior ? posterior_draw(*posterior, o.design_seed, j) : 0;
    for (std::size_t i = 0; i < k; ++i)
      values.push_back(from_posterior[i] >= 0 ? posterior->values[particle][static_cast<std::size_t>(from_posterior[i])]
                                              : base.uncertain[i].value_at(unit[j][i]));
    for (std::size_t sc = 0; sc < scenarios.size(); ++sc) {
      std::vector<std::string> point = {std::to_string(j), scenarios[sc].name};
      point.insert(point.end(), values.begin(), values.end());
      s.points.push_back(point);
      s.point_bases.push_back(o.scenarios[sc]);
      s.point_seeds.push_back(s.seed + j);
      s.unit_points.push_back(unit[j]);
    }
  }
  s.content_hash = hex64(sim::stable_id(identity));
  return s;
}

void write_explore(const SweepSpec& spec, const std::string& dir) {
  // Scenarios in point order: points 0 .. S-1 are sample 0.
  std::vector<std::string> scenario_names;
  for (std::size_t p = 0; p < spec.points.size() && spec.points[p][0] == "0"; ++p) scenario_names.push_back(spec.points[p][1]);
  const std::size_t S = scenario_names.size(), n = spec.points.size() / S, k = spec.parameters.size() - 2;
  const int R = spec.replications;
  const auto& metrics = spec.metrics;
  // values[j][sc][r][metric]
  std::vector<std::vector<std::vector<std::map<std::string, double>>>> values(
      n, std::vector<std::vector<std::map<std::string, double>>>(S, std::vector<std::map<std::string, double>>(R)));
  std::vector<bool> usable(n, true);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t sc = 0; sc < S; ++sc)
      for (int r = 0; r < R; ++r) {
        bool ok = true;
        values[j][sc][r] = record_values(dir, j * S + sc, r, ok);
        usable[j] = usable[j] && ok;
      }
  std::ostringstream csv;
  csv << "sample";
  for (std::size_t i = 0; i < k; ++i) csv << ',' << csv_field(spec.parameters[i + 2].name);
  csv << ",option,metric,replication,baseline,option_value,difference\n";
  for (std::size_t j = 0; j < n; ++j) {
    if (!usable[j]) continue;
    std::string params;
    for (std::size_t i = 0; i < k; ++i) params += ',' + csv_field(spec.points[j * S][i + 2]);
    for (std::size_t sc = 1; sc < S; ++sc)
      for (const auto& m : metrics)
        for (int r = 0; r < R; ++r) {
          const auto bi = values[j][0][r].find(m), oi = values[j][sc][r].find(m);
          if (bi == values[j][0][r].end() || oi == values[j][sc][r].end()) continue;
          csv << j << params << ',' << csv_field(scenario_names[sc]) << ',' << m << ',' << r << ','
              << csv_number(bi->second) << ',' << csv_number(oi->second) << ',' << csv_number(oi->second - bi->second)
              << '\n';
        }
  }
  write_file_atomically((fs::path(dir) / "explore.csv").string(), csv.str());

  Json j;
  j["govsim_version"] = kVersion;
  j["git_commit"] = kGitCommit;
  j["baseline"] = scenario_names[0];
  j["options"] = Json(std::vector<std::string>(scenario_names.begin() + 1, scenario_names.end()));
  j["scenario_files"] = Json(spec.point_bases.empty() ? std::vector<std::string>{}
                                                      : std::vector<std::string>(spec.point_bases.begin(),
                                                                                 spec.point_bases.begin() + S));
  j["samples"] = n;
  j["samples_used"] = std::count(usable.begin(), usable.end(), true);
  j["replications"] = R;
  j["seed"] = spec.seed;
  j["seeds"] = "sample j runs every scenario with seed + j, replications 0..R-1 (common random numbers within a sample)";
  j["design_seed"] = spec.design_seed;
  j["overrides"] = spec.overrides;
  const Scenario base = load_scenario(spec.point_base(0), spec.overrides);
  Json params = Json::array();
  for (const auto& u : base.uncertain) {
    Json p;
    p["path"] = u.path;
    p["dist"] = to_string(u.dist);
    if (u.dist == UncertainDist::choice) p["values"] = u.values;
    else p["low"] = u.low, p["high"] = u.high;
    if (u.dist == UncertainDist::triangular) p["mode"] = u.mode;
    p["nominal"] = u.nominal;
    p["grade"] = std::string(1, u.grade);
    p["source"] = u.source;
    params.push_back(p);
  }
  j["parameters"] = params;
  if (spec.posterior_json.empty()) {
    j["parameters_from"] = "ranges";
  } else {
    j["parameters_from"] = "posterior";
    j["posterior"] = Json::parse(spec.posterior_json);
  }
  Json results = Json::object();
  for (std::size_t sc = 1; sc < S; ++sc) {
    Json per = Json::object();
    for (const auto& m : metrics) {
      std::vector<std::vector<double>> diffs;
      for (std::size_t s = 0; s < n; ++s) {
        if (!usable[s]) continue;
        std::vector<double> d;
        for (int r = 0; r < R; ++r) {
          const auto bi = values[s][0][r].find(m), oi = values[s][sc][r].find(m);
          if (bi != values[s][0][r].end() && oi != values[s][sc][r].end() && std::isfinite(oi->second - bi->second))
            d.push_back(oi->second - bi->second);
        }
        if (static_cast<int>(d.size()) == R) diffs.push_back(d);
      }
      if (diffs.empty()) continue;
      const int better = direction(m);
      const EffectSummary e = summarise_effects(diffs, better);
      Json x;
      x["better"] = better < 0 ? "lower" : better > 0 ? "higher" : "neutral";
      x["median"] = number_or_null(e.median);
      x["p05"] = number_or_null(e.p05);
      x["p95"] = number_or_null(e.p95);
      x["mean"] = number_or_null(e.mean);
      x["p_better"] = number_or_null(e.p_better);
      x["p_worse"] = number_or_null(e.p_worse);
      x["p_tie"] = number_or_null(e.p_tie);
      x["var_between_samples"] = number_or_null(e.var_between);
      x["var_noise"] = number_or_null(e.var_noise);
      x["var_parameters"] = number_or_null(e.var_parameters);
      x["share_parameters"] = number_or_null(e.share_parameters);
      x["share_noise"] = number_or_null(e.share_noise);
      x["samples"] = e.samples;
      x["headline"] = std::find(verdict_metrics().begin(), verdict_metrics().end(), m) != verdict_metrics().end();
      per[m] = x;
    }
    results[scenario_names[sc]] = per;
  }
  j["results"] = results;
  j["definitions"] = {
      {"effect", "option minus baseline, paired by replication, averaged over the replications of a sample"},
      {"p_better", "share of samples whose effect is better by the metric's direction; a difference of exactly 0 counts half"},
      {"var_noise", "mean over samples of the variance of the paired difference across replications (needs R >= 2)"},
      {"var_parameters", "max(0, variance of the sample means - var_noise / R)"},
      {"share_parameters", "var_parameters / (var_parameters + var_noise): of the spread of one run's effect at a "
                           "random plausible parameter set, the part due to what we do not know"}};
  write_file_atomically((fs::path(dir) / "explore.json").string(), j.dump(2) + "\n");
}

// ---------------------------------------------------------------------------
// attribute

char design_letter(std::size_t i) { return "ABCDEFGHJK"[std::min<std::size_t>(i, 9)]; }

namespace {

std::string word_text(std::uint32_t word) {
  std::string w;
  for (std::size_t i = 0; i < 10; ++i)
    if ((word >> i) & 1u) w += design_letter(i);
  return w;
}

std::string roman(int n) {
  static const char* numerals[] = {"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"};
  return n >= 0 && n <= 10 ? numerals[n] : std::to_string(n);
}

}  // namespace

std::string TwoLevelDesign::name() const {
  if (full) return "2^" + std::to_string(k) + " full factorial";
  const std::size_t p = generators.size();
  return "2^(" + std::to_string(k) + "-" + std::to_string(p) + ") fractional factorial, resolution " + roman(resolution);
}

TwoLevelDesign two_level_design(std::size_t k, bool fractional) {
  if (k < 1 || k > 10) throw std::invalid_argument("two-level designs for 1 to 10 elements");
  TwoLevelDesign d;
  d.k = k;
  if (!fractional) {
    for (std::uint32_t c = 0; c < (1u << k); ++c) d.rows.push_back(c);
    return d;
  }
  // Generators of the added factors, as words over the base factors (bit i:
  // factor i): Montgomery's table of selected 2^(k-p) designs, resolution V
  // or more (the smallest such fraction for each k).
  static const std::vector<std::vector<std::uint32_t>> table = {
      /* k=5  2^(5-1)_V   E = ABCD */ {0b1111},
      /* k=6  2^(6-1)_VI  F = ABCDE */ {0b11111},
      /* k=7  2^(7-1)_VII G = ABCDEF */ {0b111111},
      /* k=8  2^(8-2)_V   G = ABCD, H = ABEF */ {0b001111, 0b110011},
      /* k=9  2^(9-2)_VI  H = ACDFG, J = BCEFG */ {0b1101101, 0b1110110},
      /* k=10 2^(10-3)_V  H = ABCG, J = BCDE, K = ACDF */ {0b1000111, 0b0011110, 0b0101101},
  };
  if (k < 5) throw std::invalid_argument("no resolution V fraction smaller than the full design for fewer than 5 elements");
  const auto& gens = table[k - 5];
  const std::size_t base = k - gens.size();
  for (std::size_t g = 0; g < gens.size(); ++g)
    d.generators.push_back(std::string(1, design_letter(base + g)) + " = " + word_text(gens[g]));
  d.full = false;
  // Principal fraction: an added factor is on (+1) when the product of its
  // generator's signs is +1, i.e. an even number of its base factors is off.
  for (std::uint32_t b = 0; b < (1u << base); ++b) {
    std::uint32_t row = b;
    for (std::size_t g = 0; g < gens.size(); ++g) {
      const int off = __builtin_popcount(gens[g] & ~b);
      if (off % 2 == 0) row |= 1u << (base + g);
    }
    d.rows.push_back(row);
  }
  std::sort(d.rows.begin(), d.rows.end());
  // The defining relation: every product of the generator words.
  int shortest = 100;
  for (std::uint32_t m = 1; m < (1u << gens.size()); ++m) {
    std::uint32_t word = 0;
    for (std::size_t g = 0; g < gens.size(); ++g)
      if ((m >> g) & 1u) word ^= gens[g] | (1u << (base + g));
    d.defining_relation.push_back(word_text(word));
    shortest = std::min(shortest, __builtin_popcount(word));
  }
  d.resolution = shortest;
  return d;
}

namespace {

struct Element {
  std::string name, description;
  std::vector<std::string> sets;
};

std::vector<Element> read_elements(const std::string& file, const std::string& baseline, const std::vector<std::string>& sets,
                                   std::string& design) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) throw InputError(file, 0, 0, "no such file");
  const YAML::Node root = parse_guarded_yaml(read_text(file), file);
  auto fail = [&](const YAML::Node& at, const std::string& m) {
    const auto mark = at.Mark();
    throw InputError(file, mark.line >= 0 ? mark.line + 1 : 0, mark.line >= 0 ? mark.column + 1 : 0, m);
  };
  if (!root.IsMap() || !root["elements"].IsDefined()) fail(root, "an elements file needs `elements:`, a mapping of names to {set: {path: value}}");
  for (const auto& kv : root)
    if (kv.first.Scalar() != "elements" && kv.first.Scalar() != "description" && kv.first.Scalar() != "design")
      fail(kv.first, "unknown key `" + kv.first.Scalar() + "` (elements, description, design)");
  const YAML::Node el = root["elements"];
  if (!el.IsMap() || el.size() == 0) fail(el, "`elements` must be a non-empty mapping of names to {set: {path: value}}");
  if (el.size() > 10)
    fail(el, "at most 10 elements (a resolution V fraction of 2^(10-3) = 128 combinations); group elements that "
             "always go together");
  design = el.size() <= 5 ? "full" : "fractional";
  if (const YAML::Node d = root["design"]; d.IsDefined()) {
    if (!d.IsScalar() || (d.Scalar() != "full" && d.Scalar() != "fractional"))
      fail(d, "`design` is `full` (every combination) or `fractional` (a resolution V fraction, 5 to 10 elements)");
    if (d.Scalar() == "fractional" && el.size() < 5)
      fail(d, "`design: fractional` needs at least 5 elements: below 5 no resolution V fraction is smaller than the full design");
    design = d.Scalar();
  }
  std::vector<Element> out;
  std::set<std::string> paths;
  for (const auto& kv : el) {
    Element e;
    e.name = kv.first.Scalar();
    if (!kv.second.IsMap()) fail(kv.second, "element `" + e.name + "` must be a mapping {set: {path: value}, description}");
    for (const auto& f : kv.second)
      if (f.first.Scalar() != "set" && f.first.Scalar() != "description")
        fail(f.first, "unknown key `" + f.first.Scalar() + "` in element `" + e.name + "` (set, description)");
    if (kv.second["description"]) e.description = kv.second["description"].Scalar();
    const YAML::Node set = kv.second["set"];
    if (!set.IsDefined() || !set.IsMap() || set.size() == 0) fail(kv.second, "element `" + e.name + "` needs `set`: {path: value, ...}");
    for (const auto& s : set) {
      const std::string path = s.first.Scalar();
      if (!s.second.IsScalar() || s.second.Scalar().empty()) fail(s.second, "`" + path + "` must be a single value");
      if (!paths.insert(path).second) fail(s.first, "`" + path + "` is set by two elements: their effects could not be told apart");
      if (const std::string problem = override_path_problem(baseline, sets, path); !problem.empty())
        fail(s.first, "`" + path + "`: " + problem);
      e.sets.push_back(path + "=" + s.second.Scalar());
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

SweepSpec attribute_spec(const AttributeOptions& o) {
  const Scenario base = load_scenario(o.baseline, o.sets);
  std::string design_kind;
  const auto elements = read_elements(o.elements_file, o.baseline, o.sets, design_kind);
  const std::size_t k = elements.size();
  const TwoLevelDesign design = two_level_design(k, design_kind == "fractional");
  // A fraction lacks some of the baseline, the elements alone and the full
  // reform: they are run as well (they are not used in the contrasts).
  std::set<std::uint32_t> masks(design.rows.begin(), design.rows.end());
  if (!design.full) {
    masks.insert(0);
    masks.insert((1u << k) - 1);
    for (std::size_t i = 0; i < k; ++i) masks.insert(1u << i);
  }
  SweepSpec s;
  s.path = o.elements_file;
  s.name = "attribute-" + base.name;
  s.base = o.baseline;
  s.overrides = o.sets;
  s.design = DesignKind::points;
  s.replications = o.replications.value_or(base.simulation.replications);
  s.seed = o.seed.value_or(base.simulation.seed);
  s.scopes = {"all"};
  s.metrics = headline_metrics();
  for (const auto& e : elements) s.parameters.push_back({e.name, {}, {}, 0, 0, false, false});
  for (const std::uint32_t c : masks) {
    std::vector<std::string> point;
    std::vector<std::string> sets;
    for (std::size_t i = 0; i < k; ++i) {
      const bool on = (c >> i) & 1u;
      point.push_back(on ? "1" : "0");
      if (on) sets.insert(sets.end(), elements[i].sets.begin(), elements[i].sets.end());
    }
    s.points.push_back(point);
    s.point_sets.push_back(sets);
  }
  // Every combination must load before anything runs.
  for (std::size_t c = 0; c < s.points.size(); ++c) (void)load_scenario(s.base, s.point_overrides(c));
  std::string identity = "attribute\n" + merged_text_of(o.baseline, o.sets) + "\n" + read_text(o.elements_file);
  s.content_hash = hex64(sim::stable_id(identity));
  s.description = read_text(o.elements_file);
  return s;
}

namespace {

/// The design of an attribute plan, from its points: full when every combination is there.
TwoLevelDesign design_of(const SweepSpec& spec) {
  const std::size_t k = spec.parameters.size();
  return two_level_design(k, spec.points.size() != (std::size_t{1} << k));
}

std::uint32_t mask_of(const std::vector<std::string>& point) {
  std::uint32_t m = 0;
  for (std::size_t i = 0; i < point.size(); ++i)
    if (point[i] == "1") m |= 1u << i;
  return m;
}

}  // namespace

std::string attribute_design_text(const SweepSpec& spec) {
  const TwoLevelDesign d = design_of(spec);
  std::string s = "design: " + d.name();
  if (d.full) return s + " (" + std::to_string(d.rows.size()) + " combinations; Shapley shares estimated)";
  s += ", " + std::to_string(d.rows.size()) + " of " + std::to_string(std::size_t{1} << d.k) + " combinations";
  for (std::size_t g = 0; g < d.generators.size(); ++g) s += (g ? ", " : " (") + d.generators[g];
  s += "; I = ";
  for (std::size_t w = 0; w < d.defining_relation.size(); ++w) s += (w ? " = " : "") + d.defining_relation[w];
  s += ") + " + std::to_string(spec.points.size() - d.rows.size()) +
       " runs for the baseline, elements alone and full reform; main effects and two-way interactions unaliased; "
       "no Shapley shares (they need the full design: `design: full` in the elements file)";
  return s;
}

void write_attribute(const SweepSpec& spec, const std::string& dir) {
  const std::size_t k = spec.parameters.size(), C = spec.points.size();
  const int R = spec.replications;
  const TwoLevelDesign design = design_of(spec);
  std::map<std::uint32_t, std::size_t> index;  // combination -> point
  for (std::size_t c = 0; c < C; ++c) index[mask_of(spec.points[c])] = c;
  // y[c][r][metric]
  std::vector<std::vector<std::map<std::string, double>>> y(C, std::vector<std::map<std::string, double>>(R));
  std::vector<bool> rep_ok(static_cast<std::size_t>(R), true);
  for (std::size_t c = 0; c < C; ++c)
    for (int r = 0; r < R; ++r) {
      bool ok = true;
      y[c][r] = record_values(dir, c, r, ok);
      if (!ok) rep_ok[static_cast<std::size_t>(r)] = false;
    }
  auto factorial = [](std::size_t m) {
    double f = 1;
    for (std::size_t i = 2; i <= m; ++i) f *= static_cast<double>(i);
    return f;
  };
  // Terms are functions of f(combination) (the outcome of one replication at a combination).
  struct Term {
    std::string name, kind;
    std::function<double(const std::function<double(std::uint32_t)>&)> value;
  };
  std::vector<Term> terms;
  const std::uint32_t full = (1u << k) - 1;
  const std::vector<std::uint32_t> rows = design.rows;
  const double N = static_cast<double>(rows.size());
  terms.push_back({"full reform", "full", [full](const auto& f) { return f(full) - f(0); }});
  for (std::size_t i = 0; i < k; ++i) {
    const std::uint32_t bi = 1u << i;
    terms.push_back({spec.parameters[i].name, "alone", [bi](const auto& f) { return f(bi) - f(0); }});
    if (design.full) {
      terms.push_back({spec.parameters[i].name, "main", [bi, full](const auto& f) {
                         double s = 0;
                         for (std::uint32_t c = 0; c <= full; ++c)
                           if (!(c & bi)) s += f(c | bi) - f(c);
                         return s / static_cast<double>((full + 1) / 2);
                       }});
      terms.push_back({spec.parameters[i].name, "shapley", [bi, full, k, &factorial](const auto& f) {
                         double s = 0;
                         for (std::uint32_t c = 0; c <= full; ++c) {
                           if (c & bi) continue;
                           const auto m = static_cast<std::size_t>(__builtin_popcount(c));
                           s += factorial(m) * factorial(k - m - 1) / factorial(k) * (f(c | bi) - f(c));
                         }
                         return s;
                       }});
    } else {
      // The contrast over the fraction's rows: mean with the element on minus mean with it off.
      terms.push_back({spec.parameters[i].name, "main", [bi, rows, N](const auto& f) {
                         double s = 0;
                         for (const std::uint32_t c : rows) s += (c & bi) ? f(c) : -f(c);
                         return 2 * s / N;
                       }});
    }
  }
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t l = i + 1; l < k; ++l) {
      const std::uint32_t bi = 1u << i, bl = 1u << l;
      const std::string name = spec.parameters[i].name + " x " + spec.parameters[l].name;
      if (design.full)
        terms.push_back({name, "interaction", [bi, bl, full](const auto& f) {
                           double s = 0;
                           for (std::uint32_t c = 0; c <= full; ++c)
                             if (!(c & bi) && !(c & bl)) s += f(c | bi | bl) - f(c | bi) - f(c | bl) + f(c);
                           return s / static_cast<double>((full + 1) / 4);
                         }});
      else
        // The same quantity from the fraction: 4/N sum of x_i x_l y (twice Yates' interaction effect).
        terms.push_back({name, "interaction", [bi, bl, rows, N](const auto& f) {
                           double s = 0;
                           for (const std::uint32_t c : rows) s += (((c & bi) != 0) == ((c & bl) != 0)) ? f(c) : -f(c);
                           return 4 * s / N;
                         }});
    }
  std::ostringstream csv;
  csv << "metric,term,kind,estimate,ci_low,ci_high,n\n";
  Json j;
  j["govsim_version"] = kVersion;
  j["baseline"] = spec.base;
  Json els = Json::array();
  for (const auto& p : spec.parameters) els.push_back(p.name);
  j["elements"] = els;
  j["replications"] = R;
  j["seed"] = spec.seed;
  {
    Json d;
    d["name"] = design.name();
    d["kind"] = design.full ? "full" : "fractional";
    d["combinations"] = design.rows.size();
    d["runs_per_replication"] = C;
    d["resolution"] = design.full ? Json(nullptr) : Json(design.resolution);
    d["generators"] = design.generators;
    d["defining_relation"] = design.defining_relation;
    Json letters = Json::object();
    for (std::size_t i = 0; i < k; ++i) letters[std::string(1, design_letter(i))] = spec.parameters[i].name;
    d["letters"] = letters;
    d["shapley"] = design.full ? "estimated"
                               : "not estimated: Shapley shares need every combination (`design: full` in the elements file)";
    d["text"] = attribute_design_text(spec);
    j["design"] = d;
  }
  j["definitions"] = {
      {"alone", "the element switched on alone, minus the baseline"},
      {"main", "the element's effect averaged over every setting of the other elements (factorial main effect)"},
      {"interaction", "y(both) - y(first) - y(second) + y(neither), averaged over the other elements: what the pair "
                      "gives beyond the sum of its parts (0 when additive)"},
      {"shapley", "the element's Shapley share of the full reform's effect: the shares add up to `full reform` exactly"},
      {"intervals", "95% Student-t over replications, paired on common random numbers"}};
  Json results = Json::object();
  Json combos = Json::array();
  for (std::size_t c = 0; c < C; ++c) {
    Json combo;
    Json on = Json::array();
    for (std::size_t i = 0; i < k; ++i)
      if ((mask_of(spec.points[c]) >> i) & 1u) on.push_back(spec.parameters[i].name);
    combo["on"] = on;
    if (!design.full)
      combo["in_design"] = std::binary_search(design.rows.begin(), design.rows.end(), mask_of(spec.points[c]));
    Json means = Json::object();
    for (const auto& m : spec.metrics) {
      std::vector<double> v;
      for (int r = 0; r < R; ++r)
        if (rep_ok[static_cast<std::size_t>(r)] && y[c][r].count(m)) v.push_back(y[c][r][m]);
      means[m] = number_or_null(sim::estimate(v).mean);
    }
    combo["mean"] = means;
    combos.push_back(combo);
  }
  j["combinations"] = combos;
  for (const auto& m : spec.metrics) {
    Json per = Json::array();
    for (const auto& t : terms) {
      std::vector<double> v;
      for (int r = 0; r < R; ++r) {
        if (!rep_ok[static_cast<std::size_t>(r)]) continue;
        bool all = true;
        for (std::size_t c = 0; c < C; ++c) all = all && y[c][r].count(m);
        if (!all) continue;
        const double x = t.value([&](std::uint32_t c) { return y[index.at(c)][r].at(m); });
        if (std::isfinite(x)) v.push_back(x);
      }
      const sim::Estimate e = sim::estimate(v);
      csv << m << ',' << csv_field(t.name) << ',' << t.kind << ',' << csv_number(e.n ? e.mean : NAN) << ','
          << csv_number(e.n > 1 ? e.low() : NAN) << ',' << csv_number(e.n > 1 ? e.high() : NAN) << ',' << e.n << '\n';
      Json x;
      x["term"] = t.name;
      x["kind"] = t.kind;
      x["estimate"] = number_or_null(e.n ? e.mean : NAN);
      x["ci_low"] = number_or_null(e.n > 1 ? e.low() : NAN);
      x["ci_high"] = number_or_null(e.n > 1 ? e.high() : NAN);
      x["n"] = e.n;
      per.push_back(x);
    }
    results[m] = per;
  }
  j["results"] = results;
  write_file_atomically((fs::path(dir) / "attribute.csv").string(), csv.str());
  write_file_atomically((fs::path(dir) / "attribute.json").string(), j.dump(2) + "\n");
}

}  // namespace govsim
