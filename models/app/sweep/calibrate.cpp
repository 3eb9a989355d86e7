// models/app/sweep/calibrate.cpp: ABC-SMC calibration (see calibrate.hpp, docs/calibration.md).
#include "models/app/sweep/calibrate.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <optional>
#include <numeric>
#include <set>
#include <sstream>

#include "govsim/version.hpp"
#include "models/app/results/csv.hpp"
#include "models/app/results/json.hpp"
#include "models/app/results/results.hpp"
#include "models/app/input/scenario_loader.hpp"
#include "models/app/run/simulation.hpp"
#include "models/app/sweep/sweep.hpp"
#include "models/app/input/targets.hpp"
#include "sim/random.hpp"

namespace govsim {
namespace fs = std::filesystem;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Purposes of the calibration's random draws (stream: the seed and the generation; entity: the particle).
constexpr std::uint32_t kPrior = 1, kAncestor = 2, kPerturb = 3, kNormaliser = 4, kPredictive = 5;
constexpr std::uint32_t kPredictiveGeneration = 100000;  // the stream of the predictive check
constexpr int kNormaliserDraws = 4000;                   // Monte Carlo draws for the truncated kernel's mass

std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// The seed of particle `index`'s run in generation `gen`: never a thread's.
std::uint64_t run_seed(std::uint64_t seed, std::uint64_t gen, std::uint64_t index) {
  return mix(seed ^ mix((gen << 32) + index + 1)) >> 1;  // below 2^63: any seed the CLI takes
}

/// A standard normal from draw `counter` of `purpose` (Box-Muller on two open uniforms).
double normal(const sim::Stream& s, std::uint32_t purpose, std::uint32_t counter) {
  const auto u = s.uniforms(purpose, counter);
  return std::sqrt(-2.0 * std::log(u.first)) * std::cos(2.0 * M_PI * u.second);
}

std::string gen_dir(const std::string& dir, int gen) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "gen-%03d", gen);
  return (fs::path(dir) / buf).string();
}

/// Lower-triangular L with L L^T = a (a jitter on the diagonal when a is not positive definite).
std::vector<std::vector<double>> cholesky(std::vector<std::vector<double>> a) {
  const std::size_t k = a.size();
  for (double jitter = 0;; jitter = jitter == 0 ? 1e-12 : jitter * 10) {
    std::vector<std::vector<double>> l(k, std::vector<double>(k, 0));
    bool ok = true;
    for (std::size_t i = 0; i < k && ok; ++i)
      for (std::size_t j = 0; j <= i; ++j) {
        double s = a[i][j] + (i == j ? jitter : 0);
        for (std::size_t m = 0; m < j; ++m) s -= l[i][m] * l[j][m];
        if (i == j) {
          if (!(s > 0)) {
            ok = false;
            break;
          }
          l[i][i] = std::sqrt(s);
        } else {
          l[i][j] = s / l[j][j];
        }
      }
    if (ok) return l;
    if (jitter > 1) throw std::runtime_error("calibrate: the perturbation covariance cannot be factorised");
  }
}

/// log N(x; 0, L L^T) up to the constant common to every pair (-k/2 log 2π - log det L).
double log_kernel(const std::vector<std::vector<double>>& l, const std::vector<double>& d) {
  const std::size_t k = d.size();
  std::vector<double> z(k);
  double q = 0;
  for (std::size_t i = 0; i < k; ++i) {
    double s = d[i];
    for (std::size_t m = 0; m < i; ++m) s -= l[i][m] * z[m];
    z[i] = s / l[i][i];
    q += z[i] * z[i];
  }
  return -0.5 * q;
}

bool inside(const std::vector<double>& u) {
  for (double x : u)
    if (!(x >= 0 && x < 1)) return false;
  return true;
}

double weighted_quantile(std::vector<std::pair<double, double>> vw, double q) {
  // vw: (value, weight); the smallest value whose cumulative weight reaches q.
  vw.erase(std::remove_if(vw.begin(), vw.end(), [](const auto& p) { return !std::isfinite(p.first); }), vw.end());
  if (vw.empty()) return NAN;
  std::sort(vw.begin(), vw.end());
  double total = 0;
  for (const auto& p : vw) total += p.second;
  double c = 0;
  for (const auto& p : vw) {
    c += p.second;
    if (c >= q * total) return p.first;
  }
  return vw.back().first;
}

double plain_quantile(std::vector<double> v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double h = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

Json num(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

/// What one run gave: the targets' simulated values, or nothing (a failed run).
using Outcome = std::optional<std::vector<double>>;

/// Collective with several ranks: every rank learns whether any failed. The
/// failing rank rethrows its own error, the others throw PeerFailed; alone,
/// `error` is simply rethrown.
void agree(RankGroup* ranks, const std::exception_ptr& error) {
  if (!ranks || ranks->size() < 2) {
    if (error) std::rethrow_exception(error);
    return;
  }
  std::string mine;
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      mine = e.what();
    } catch (...) {
    }
    if (mine.empty()) mine = "an unknown error";
  }
  const auto all = ranks->all_gather(mine);
  for (std::size_t r = 0; r < all.size(); ++r)
    if (!all[r].empty()) {
      ranks->failure_agreed = true;
      if (error) std::rethrow_exception(error);
      throw PeerFailed("MPI rank " + std::to_string(r) + ": " + all[r]);
    }
}

/// Run records as one text, to send between ranks: per record a line
/// "run ok bytes" and then the record's bytes.
std::string pack(const std::vector<std::pair<std::size_t, RunRecord>>& records) {
  std::string out;
  for (const auto& [run, record] : records)
    out += std::to_string(run) + (record.ok ? " 1 " : " 0 ") + std::to_string(record.text.size()) + '\n' + record.text;
  return out;
}

std::vector<std::pair<std::size_t, RunRecord>> unpack(const std::string& text) {
  std::vector<std::pair<std::size_t, RunRecord>> out;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t newline = text.find('\n', at);
    unsigned long long run = 0, bytes = 0;
    int ok = 0;
    if (newline == std::string::npos || std::sscanf(text.c_str() + at, "%llu %d %llu", &run, &ok, &bytes) != 3 ||
        bytes > text.size() - newline - 1)
      throw std::runtime_error("calibrate: a malformed batch of run records from another MPI rank");
    out.emplace_back(static_cast<std::size_t>(run), RunRecord{ok == 1, text.substr(newline + 1, bytes)});
    at = newline + 1 + bytes;
  }
  return out;
}

struct Particle {
  std::size_t index = 0;          ///< proposal index in its generation
  std::vector<double> u;          ///< position in the unit cube of the priors
  double weight = 0, distance = kInf;
  std::vector<double> sims;       ///< the targets' simulated values
};

struct GenerationStats {
  int generation = 0;
  double tolerance = kInf;
  std::size_t accepted = 0, proposed = 0, runs = 0, failed = 0;
  double acceptance = 0, ess = 0;
};

class Calibration {
 public:
  explicit Calibration(const CalibrateOptions& o) : o_(o) {
    targets_ = load_targets(o.targets_file);
    base_ = load_scenario(o.prior, o.sets);
    if (base_.uncertain.empty())
      throw InputError(o.prior, 0, 0, "declares no uncertain parameters: calibrate fits the `uncertain:` section's "
                                         "parameters, whose ranges are the priors (docs/uncertainty.md)");
    check_targets(targets_, base_);
    for (const auto& u : base_.uncertain)
      if (targets_.parameters.empty() ||
          std::find(targets_.parameters.begin(), targets_.parameters.end(), u.path) != targets_.parameters.end())
        params_.push_back(u);
    seed_ = o.seed.value_or(base_.simulation.seed);
    std::set<std::string> scopes;
    for (const auto& t : targets_.targets) {
      scopes.insert(t.stat.scope);
      if (t.ratio) scopes.insert(t.over.scope);
    }
    scopes_.assign(scopes.begin(), scopes.end());
    identity_ = plan();
  }

  CalibrationSummary run();

 private:
  Json plan() const {
    Json p;
    p["govsim_version"] = kVersion;
    p["git_commit"] = kGitCommit;
    p["targets_file"] = o_.targets_file;
    p["targets_hash"] = hex64(sim::stable_id(read_text(o_.targets_file)));
    p["prior"] = o_.prior;
    p["prior_hash"] = hex64(sim::stable_id(merged_scenario_text(o_.prior, o_.sets)));
    p["overrides"] = o_.sets;
    p["population"] = o_.population;
    p["generations"] = o_.generations;
    p["min_acceptance"] = o_.min_acceptance;
    p["quantile"] = o_.quantile;
    p["rms"] = o_.rms;
    p["predictive"] = o_.predictive;
    p["seed"] = seed_;
    return p;
  }

  std::vector<std::string> values_of(const std::vector<double>& u) const {
    std::vector<std::string> v;
    for (std::size_t i = 0; i < params_.size(); ++i) v.push_back(params_[i].value_at(u[i]));
    return v;
  }

  /// The plan of generation `gen`'s runs: point i is proposal i.
  SweepSpec spec(int gen, const std::vector<std::vector<double>>& units) const {
    SweepSpec s;
    s.path = o_.prior;
    s.name = "calibrate";
    s.base = o_.prior;
    s.overrides = o_.sets;
    s.design = DesignKind::points;
    s.replications = 1;
    s.seed = seed_;
    s.scopes = scopes_;
    for (const auto& u : params_) s.parameters.push_back({u.path, {u.path}, {}, u.low, u.high, false, false});
    for (std::size_t i = 0; i < units.size(); ++i) {
      s.points.push_back(values_of(units[i]));
      s.point_seeds.push_back(run_seed(seed_, static_cast<std::uint64_t>(gen), i));
    }
    return s;
  }

  bool root() const { return !o_.ranks || o_.ranks->rank() == 0; }
  bool shared() const { return o_.ranks && o_.ranks->size() > 1; }
  bool talk() const { return !o_.quiet && root(); }

  /// Rank 0 alone does `write` (files); with several ranks, all learn whether it failed.
  void on_root(const std::function<void()>& write) const {
    std::exception_ptr error;
    if (root()) {
      try {
        write();
      } catch (...) {
        error = std::current_exception();
      }
    }
    agree(o_.ranks, error);
  }

  /// Runs the points [first, s.points.size()) of plan `s` (records in `dir`)
  /// that have no record yet, and fills outcomes[first, ...) from every one's
  /// record; false when interrupted. With several MPI ranks, rank 0 decides
  /// what is pending, each rank runs every ranks-th of it, rank 0 writes all
  /// the records, and every rank reads the same outcomes from them.
  bool evaluate(const SweepSpec& s, const std::string& dir, std::size_t first, const std::string& label,
                std::vector<Outcome>& outcomes) {
    const std::size_t end = s.points.size();
    outcomes.resize(end);
    std::exception_ptr error;
    std::vector<std::size_t> pending;
    if (root()) {
      try {
        std::error_code ec;
        fs::create_directories(fs::path(dir) / "runs", ec);
        if (ec) throw OutputError(dir + ": error: cannot create: " + ec.message());
        for (std::size_t i = first; i < end; ++i)
          if (!has_record(dir, i, 0)) pending.push_back(i);
      } catch (...) {
        error = std::current_exception();
      }
    }
    agree(o_.ranks, error);
    if (shared()) pending = share_pending(pending);
    const std::size_t total = pending.size(), every = std::max<std::size_t>(1, total / 5);
    const auto progress = [&](std::size_t d, std::size_t) {
      if (talk() && (d % every == 0 || d == total))
        std::fprintf(stderr, "    %s: %zu/%zu runs of this batch done%s\n", label.c_str(), d, total,
                     shared() ? " (rank 0's share)" : "");
    };
    std::size_t done = 0;
    std::vector<std::pair<std::size_t, RunRecord>> kept;  // a rank other than 0: its records, for rank 0 to write
    try {
      if (root()) {
        done = run_pending(s, dir, pending, o_.threads, o_.stop, progress);
      } else {
        std::mutex mutex;
        done = run_pending_to(
            s, pending, o_.threads, o_.stop,
            [&](std::size_t run, const RunRecord& record) {
              const std::lock_guard<std::mutex> lock(mutex);
              kept.emplace_back(run, record);
            },
            {});
      }
    } catch (...) {
      error = std::current_exception();
    }
    agree(o_.ranks, error);
    runs_done_ += done;
    bool interrupted = done < pending.size();
    if (shared()) {
      // Every rank's records (and whether it was interrupted) to every rank; rank 0 writes them.
      const auto all = o_.ranks->all_gather(std::string(interrupted ? "1" : "0") + pack(kept));
      for (std::size_t r = 0; r < all.size(); ++r) interrupted |= all[r][0] == '1';
      if (root()) {
        try {
          for (std::size_t r = 1; r < all.size(); ++r)
            for (const auto& [run, record] : unpack(all[r].substr(1))) {
              write_record(dir, s, run, record);
              ++runs_done_;
            }
        } catch (...) {
          error = std::current_exception();
        }
      }
      agree(o_.ranks, error);
    }
    if (interrupted) return false;
    // The outcomes, from the records (rank 0 reads them and sends them to the others).
    std::vector<std::pair<std::size_t, RunRecord>> records;
    if (root()) {
      try {
        for (std::size_t i = first; i < end; ++i) records.emplace_back(i, load_record(dir, i));
      } catch (...) {
        error = std::current_exception();
      }
    }
    agree(o_.ranks, error);
    if (shared()) {
      std::string text = root() ? pack(records) : std::string();
      o_.ranks->broadcast(text);
      if (!root()) records = unpack(text);
    }
    for (const auto& [i, record] : records) outcomes[i] = outcome_of(record);
    return true;
  }

  /// Rank 0's pending list, on every rank; this rank's share of it (every ranks-th).
  std::vector<std::size_t> share_pending(const std::vector<std::size_t>& pending) const {
    std::string text;
    if (root())
      for (std::size_t i : pending) text += std::to_string(i) + ' ';
    o_.ranks->broadcast(text);
    std::vector<std::size_t> all, mine;
    std::istringstream in(text);
    for (std::size_t i; in >> i;) all.push_back(i);
    for (std::size_t j = static_cast<std::size_t>(o_.ranks->rank()); j < all.size(); j += static_cast<std::size_t>(o_.ranks->size()))
      mine.push_back(all[j]);
    return mine;
  }

  /// The record of run `i` in `dir` (ok=false: the run failed).
  static RunRecord load_record(const std::string& dir, std::size_t i) {
    std::error_code ec;
    if (fs::exists(record_path(dir, i, 0, false), ec)) return {false, {}};
    return {true, read_text(record_path(dir, i, 0, true))};
  }

  /// The targets' simulated values from a run's record; none for a failed run.
  Outcome outcome_of(const RunRecord& record) const {
    if (!record.ok) return std::nullopt;
    const MetricRows rows = parse_record(record.text);
    std::vector<double> sims(targets_.targets.size());
    for (std::size_t t = 0; t < sims.size(); ++t) sims[t] = target_value(targets_.targets[t], rows, base_);
    return sims;
  }

  /// The distance and simulated target values of proposal p, from its outcome.
  void read(const Outcome& outcome, Particle& p, std::size_t& failed) const {
    if (!outcome) {
      p.sims.assign(targets_.targets.size(), NAN);
      p.distance = kInf;
      ++failed;
      return;
    }
    p.sims = *outcome;
    double d2 = 0;
    for (std::size_t t = 0; t < targets_.targets.size(); ++t) {
      const Target& target = targets_.targets[t];
      const double z = (p.sims[t] - target.observed) / target.uncertainty;
      d2 += z * z;
    }
    p.distance = std::isfinite(d2) ? std::sqrt(d2) : kInf;
  }

  std::vector<double> propose(int gen, std::size_t index, const std::vector<Particle>& prev,
                              const std::vector<double>& cumulative, const std::vector<std::vector<double>>& l) const {
    const std::size_t k = params_.size();
    const sim::Stream s(sim::stream_key(seed_, static_cast<std::uint32_t>(gen)), index);
    std::vector<double> u(k);
    if (gen == 0) {
      for (std::size_t i = 0; i < k; ++i) u[i] = s.uniform(kPrior, static_cast<std::uint32_t>(i));
      return u;
    }
    // Draw an ancestor by weight, then perturb it until it lands in the prior's support.
    for (std::uint32_t attempt = 0;; ++attempt) {
      const double a = s.uniform(kAncestor, attempt) * cumulative.back();
      const std::size_t j = std::min<std::size_t>(
          prev.size() - 1, static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), a) - cumulative.begin()));
      std::vector<double> z(k);
      for (std::size_t i = 0; i < k; ++i) z[i] = normal(s, kPerturb, attempt * static_cast<std::uint32_t>(k) + static_cast<std::uint32_t>(i));
      for (std::size_t i = 0; i < k; ++i) {
        double x = prev[j].u[i];
        for (std::size_t m = 0; m <= i; ++m) x += l[i][m] * z[m];
        u[i] = x;
      }
      if (inside(u) || attempt > 100000) return u;
    }
  }

  void write_generations(const std::vector<GenerationStats>& stats) const;
  void write_posterior(const std::vector<Particle>& particles) const;
  Json predictive_check(const std::vector<Particle>& posterior, bool& interrupted);
  void prepare_folder();

  const CalibrateOptions& o_;
  TargetsFile targets_;
  Scenario base_;
  std::vector<UncertainParameter> params_;
  std::vector<std::string> scopes_;
  std::uint64_t seed_ = 0;
  Json identity_;
  std::string dir_;
  std::size_t runs_done_ = 0;
};

void Calibration::write_generations(const std::vector<GenerationStats>& stats) const {
  std::ostringstream out;
  out << "generation,tolerance,accepted,proposed,acceptance_rate,ess,runs,failed\n";
  for (const auto& g : stats)
    out << g.generation << ',' << csv_number(g.tolerance) << ',' << g.accepted << ',' << g.proposed << ','
        << csv_number(g.acceptance) << ',' << csv_number(g.ess) << ',' << g.runs << ',' << g.failed << '\n';
  write_file_atomically((fs::path(dir_) / "generations.csv").string(), out.str());
}

void Calibration::write_posterior(const std::vector<Particle>& particles) const {
  std::ostringstream out;
  out << "particle";
  for (const auto& p : params_) out << ',' << csv_field(p.path);
  out << ",weight,distance";
  for (const auto& t : targets_.targets) out << ',' << csv_field("sim:" + t.name);
  out << '\n';
  for (std::size_t i = 0; i < particles.size(); ++i) {
    const Particle& p = particles[i];
    out << i;
    for (const auto& v : values_of(p.u)) out << ',' << csv_field(v);
    out << ',' << csv_number(p.weight) << ',' << csv_number(p.distance);
    for (double s : p.sims) out << ',' << csv_number(s);
    out << '\n';
  }
  write_file_atomically((fs::path(dir_) / "posterior.csv").string(), out.str());
}

Json Calibration::predictive_check(const std::vector<Particle>& posterior, bool& interrupted) {
  // Draws from the posterior (systematic resampling by weight), each run on a fresh seed.
  const std::size_t m = static_cast<std::size_t>(std::max(1, std::min(o_.predictive, static_cast<int>(posterior.size()))));
  std::vector<double> cumulative;
  double c = 0;
  for (const auto& p : posterior) cumulative.push_back(c += p.weight);
  const sim::Stream s(sim::stream_key(seed_, kPredictiveGeneration), 0);
  const double start = s.uniform(kPredictive, 0);
  std::vector<std::vector<double>> units;
  for (std::size_t i = 0; i < m; ++i) {
    const double a = (start + static_cast<double>(i)) / static_cast<double>(m) * c;
    const std::size_t j = std::min<std::size_t>(
        posterior.size() - 1,
        static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), a) - cumulative.begin()));
    units.push_back(posterior[j].u);
  }
  const int gen = static_cast<int>(kPredictiveGeneration);
  const SweepSpec sp = spec(gen, units);
  const std::string dir = (fs::path(dir_) / "predictive").string();
  std::vector<Outcome> outcomes;
  if (!evaluate(sp, dir, 0, "predictive check", outcomes)) {
    interrupted = true;
    return {};
  }
  std::vector<std::vector<double>> sims(targets_.targets.size());
  for (const Outcome& x : outcomes)
    if (x)
      for (std::size_t t = 0; t < targets_.targets.size(); ++t) sims[t].push_back((*x)[t]);
  Json out = Json::array();
  std::ostringstream csv;
  csv << "target,statistic,observed,uncertainty,p05,median,p95,runs,z_median,status\n";
  for (std::size_t t = 0; t < targets_.targets.size(); ++t) {
    const Target& x = targets_.targets[t];
    const double p05 = plain_quantile(sims[t], 0.05), med = plain_quantile(sims[t], 0.5), p95 = plain_quantile(sims[t], 0.95);
    const double z = (med - x.observed) / x.uncertainty;
    std::string status;
    if (!std::isfinite(med)) status = "no value";
    else if (x.observed >= p05 && x.observed <= p95) status = "met";
    else if (x.observed >= p05 - x.uncertainty && x.observed <= p95 + x.uncertainty) status = "near";
    else status = "conflict";
    csv << csv_field(x.name) << ',' << csv_field(x.text()) << ',' << csv_number(x.observed) << ','
        << csv_number(x.uncertainty) << ',' << csv_number(p05) << ',' << csv_number(med) << ',' << csv_number(p95) << ','
        << sims[t].size() << ',' << csv_number(z) << ',' << status << '\n';
    out.push_back({{"target", x.name}, {"statistic", x.text()}, {"observed", num(x.observed)},
                   {"uncertainty", num(x.uncertainty)}, {"p05", num(p05)}, {"median", num(med)}, {"p95", num(p95)},
                   {"runs", sims[t].size()}, {"z_median", num(z)}, {"status", status}});
  }
  on_root([&] { write_file_atomically((fs::path(dir_) / "predictive.csv").string(), csv.str()); });
  return out;
}

void Calibration::prepare_folder() {
  std::error_code ec;
  if (o_.resume) {
    dir_ = o_.out;
    const fs::path plan = fs::path(dir_) / "plan.json";
    if (!fs::exists(plan, ec))
      throw OutputError(dir_ + ": error: nothing to resume here (no plan.json); start the calibration without --resume");
    claim_output_folder(dir_);
    const Json earlier = parse_json(read_text(plan.string()), plan.string());
    if (const auto d = first_difference(identity_, earlier))
      throw OutputError(dir_ + ": error: this folder holds a different calibration: `" + d->path + "` is " + d->a +
                        " now but " + d->b + " in " + plan.string() + "; resume needs the very same one, or start anew");
    remove_partial_files(dir_);
  } else {
    dir_ = prepare_output_folder(o_.out, "calibrate", o_.force);
    if (o_.force) {
      for (const auto& e : fs::directory_iterator(dir_, ec))
        if (e.path().filename().string().rfind("gen-", 0) == 0 || e.path().filename() == "predictive") fs::remove_all(e.path(), ec);
    }
    for (const char* f : {"posterior.csv", "generations.csv", "predictive.csv", "calibrate.json"}) fs::remove(fs::path(dir_) / f, ec);
    write_file_atomically((fs::path(dir_) / "plan.json").string(), json_text(identity_));
  }
}

CalibrationSummary Calibration::run() {
  CalibrationSummary summary;
  const auto wall_start = std::chrono::steady_clock::now();
  // The folder: new, or the very same calibration to resume (rank 0's; the others write nothing).
  on_root([&] { prepare_folder(); });
  if (shared()) o_.ranks->broadcast(dir_);
  summary.dir = dir_;
  const std::size_t n = static_cast<std::size_t>(o_.population), k = params_.size();
  const std::size_t cap = static_cast<std::size_t>(std::ceil(static_cast<double>(n) / o_.min_acceptance));
  if (talk())
    std::fprintf(stderr, "calibrate %s: %zu parameters, %zu targets, %zu particles, at most %d generations -> %s\n",
                 base_.name.c_str(), k, targets_.targets.size(), n, o_.generations, dir_.c_str());
  const double floor = o_.rms * std::sqrt(static_cast<double>(targets_.targets.size()));
  std::vector<Particle> prev;
  std::vector<GenerationStats> stats;
  double rate_guess = 1.0;
  std::string stopped;
  for (int gen = 0; gen < o_.generations; ++gen) {
    GenerationStats g;
    g.generation = gen;
    // The tolerance: a quantile of the previous generation's distances.
    if (gen > 0) {
      std::vector<double> d;
      for (const auto& p : prev) d.push_back(p.distance);
      g.tolerance = std::max(plain_quantile(d, o_.quantile), floor);
    }
    // The kernel: Gaussian, twice the previous generation's weighted covariance, truncated to the cube.
    std::vector<std::vector<double>> l;
    std::vector<double> cumulative, mass;
    if (gen > 0) {
      std::vector<std::vector<double>> x;
      std::vector<double> w;
      for (const auto& p : prev) x.push_back(p.u), w.push_back(p.weight);
      WeightedMoments mo = weighted_moments(x, w);
      for (auto& row : mo.cov)
        for (double& v : row) v *= 2;
      l = cholesky(mo.cov);
      double c = 0;
      for (const auto& p : prev) cumulative.push_back(c += p.weight);
      // The kernel's mass inside the cube around each particle (common draws: deterministic).
      const sim::Stream s(sim::stream_key(seed_, static_cast<std::uint32_t>(gen)), std::uint64_t{1} << 40);
      std::vector<std::vector<double>> z(kNormaliserDraws, std::vector<double>(k));
      for (int m = 0; m < kNormaliserDraws; ++m)
        for (std::size_t i = 0; i < k; ++i) z[m][i] = normal(s, kNormaliser, static_cast<std::uint32_t>(m * k + i));
      for (const auto& p : prev) {
        int in = 0;
        std::vector<double> y(k);
        for (int m = 0; m < kNormaliserDraws; ++m) {
          for (std::size_t i = 0; i < k; ++i) {
            double v = p.u[i];
            for (std::size_t j = 0; j <= i; ++j) v += l[i][j] * z[m][j];
            y[i] = v;
          }
          in += inside(y);
        }
        mass.push_back(std::max(1, in) / static_cast<double>(kNormaliserDraws));
      }
    }
    // Propose in batches until N are accepted; the N accepted first in index order form the generation.
    std::vector<std::vector<double>> units;
    std::vector<Outcome> outcomes;
    std::vector<Particle> accepted;
    std::size_t read_upto = 0;
    bool abandoned = false;
    while (accepted.size() < n) {
      if (units.size() >= cap) {
        abandoned = true;
        break;
      }
      const std::size_t want = n - accepted.size();
      std::size_t batch = gen == 0 ? n : static_cast<std::size_t>(std::ceil(static_cast<double>(want) / std::max(rate_guess, o_.min_acceptance) * 1.1));
      batch = std::min(std::max(batch, want), cap - units.size());  // never by the threads: runs are part of the result
      const std::size_t first = units.size();
      for (std::size_t i = 0; i < batch; ++i) units.push_back(propose(gen, first + i, prev, cumulative, l));
      if (!evaluate(spec(gen, units), gen_dir(dir_, gen), first, "generation " + std::to_string(gen), outcomes)) {
        summary.interrupted = true;
        return summary;
      }
      for (; read_upto < units.size() && accepted.size() < n; ++read_upto) {
        Particle p;
        p.index = read_upto;
        p.u = units[read_upto];
        read(outcomes[read_upto], p, g.failed);
        if (gen == 0 ? std::isfinite(p.distance) : p.distance <= g.tolerance) accepted.push_back(std::move(p));
      }
      g.proposed = read_upto;
      rate_guess = g.proposed ? std::max(static_cast<double>(accepted.size()) / static_cast<double>(g.proposed), 1e-3) : rate_guess;
    }
    g.runs = units.size();
    g.accepted = accepted.size();
    g.acceptance = g.proposed ? static_cast<double>(g.accepted) / static_cast<double>(g.proposed) : 0;
    if (abandoned) {
      stats.push_back(g);
      stopped = "generation " + std::to_string(gen) + " was abandoned: fewer than " + std::to_string(n) +
                " of " + std::to_string(cap) + " proposals (N / min acceptance) were within tolerance " +
                csv_number(g.tolerance) + "; the posterior is generation " + std::to_string(gen - 1);
      if (gen == 0 && o_.ranks) o_.ranks->failure_agreed = true;  // every rank throws it, from the same records
      if (gen == 0) throw InputError(o_.targets_file, 0, 0, "no run gave a value for every target: " + stopped);
      break;
    }
    // Importance weights: prior / sum_j w_j K(theta_i | theta_j); the prior is uniform on the cube.
    if (gen == 0) {
      for (auto& p : accepted) p.weight = 1.0 / static_cast<double>(n);
    } else {
      double total = 0;
      for (auto& p : accepted) {
        double s = 0;
        for (std::size_t j = 0; j < prev.size(); ++j) {
          std::vector<double> d(k);
          for (std::size_t i = 0; i < k; ++i) d[i] = p.u[i] - prev[j].u[i];
          s += prev[j].weight * std::exp(log_kernel(l, d)) / mass[j];
        }
        p.weight = s > 0 ? 1.0 / s : 0.0;
        total += p.weight;
      }
      for (auto& p : accepted) p.weight /= total;
    }
    double sw2 = 0;
    for (const auto& p : accepted) sw2 += p.weight * p.weight;
    g.ess = sw2 > 0 ? 1.0 / sw2 : 0;
    stats.push_back(g);
    prev = std::move(accepted);
    on_root([&] {
      write_generations(stats);
      write_posterior(prev);
    });
    summary.generations = gen + 1;
    if (talk())
      std::fprintf(stderr, "  generation %d: tolerance %s, %zu accepted of %zu proposed (%.1f%%), ESS %.0f, %zu runs\n", gen,
                   csv_number(g.tolerance).c_str(), g.accepted, g.proposed, 100 * g.acceptance, g.ess, g.runs);
    if (gen > 0 && g.acceptance < o_.min_acceptance) {
      stopped = "the acceptance rate of generation " + std::to_string(gen) + " (" + csv_number(g.acceptance) +
                ") fell below --min-acceptance " + csv_number(o_.min_acceptance);
      break;
    }
    if (gen > 0 && g.tolerance <= floor) {
      stopped = "generation " + std::to_string(gen) + " ran at the tolerance floor " + csv_number(floor) +
                " (root mean square standardised miss " + csv_number(o_.rms) + ")";
      break;
    }
    if (gen + 1 == o_.generations) stopped = "reached --generations " + std::to_string(o_.generations);
  }
  on_root([&] { write_generations(stats); });
  // The posterior predictive check.
  bool interrupted = false;
  const Json ppc = predictive_check(prev, interrupted);
  if (interrupted) {
    summary.interrupted = true;
    return summary;
  }
  // calibrate.json: deterministic (no times).
  Json j;
  j["govsim_version"] = kVersion;
  j["git_commit"] = kGitCommit;
  j["scenario"] = base_.name;
  j["prior_file"] = o_.prior;
  j["targets_file"] = o_.targets_file;
  j["overrides"] = o_.sets;
  j["seed"] = seed_;
  j["method"] = {
      {"algorithm", "ABC-SMC (Toni et al. 2009) with importance weights and an adaptive kernel (Beaumont et al. 2009)"},
      {"population", n},
      {"tolerance", "generation 0 accepts every run with a value for every target; generation t accepts distances <= the " +
                        csv_number(o_.quantile) + " quantile of generation t-1's distances"},
      {"distance", "Euclidean over targets of (simulated - observed) / uncertainty (sd or tolerance)"},
      {"kernel", "Gaussian, covariance twice the previous generation's weighted covariance, in the unit cube of the priors "
                 "(each coordinate the prior's CDF), truncated to the cube"},
      {"weights", "1 / sum_j w_j K(u_i | u_j) / mass_j (the prior is uniform in the cube; mass_j: the truncated kernel's "
                  "mass, by " + std::to_string(kNormaliserDraws) + " common Monte Carlo draws)"},
      {"tolerance_floor", floor},
      {"stopping", "at most " + std::to_string(o_.generations) + " generations; stop after the generation run at the "
                   "tolerance floor (root mean square standardised miss " + csv_number(o_.rms) + ") or after one whose acceptance "
                   "rate is below " + csv_number(o_.min_acceptance) + "; a generation that cannot reach N accepted in N / " +
                   csv_number(o_.min_acceptance) + " proposals is abandoned"},
      {"runs", "one replication per particle; seeds keyed by (seed, generation, particle index)"}};
  j["stopped_because"] = stopped;
  Json tj = Json::array();
  for (const auto& t : targets_.targets)
    tj.push_back({{"name", t.name}, {"statistic", t.text()}, {"observed", t.observed}, {t.uncertainty_kind, t.uncertainty},
                  {"grade", std::string(1, t.grade)}, {"source", t.source}});
  j["targets"] = tj;
  Json pj = Json::array();
  std::vector<std::vector<double>> values(prev.size(), std::vector<double>(k, NAN));
  std::vector<double> w;
  for (std::size_t i = 0; i < prev.size(); ++i) {
    w.push_back(prev[i].weight);
    const auto v = values_of(prev[i].u);
    for (std::size_t c = 0; c < k; ++c) {
      char* end = nullptr;
      const double x = std::strtod(v[c].c_str(), &end);
      values[i][c] = end && *end == '\0' ? x : NAN;
    }
  }
  const WeightedMoments mo = weighted_moments(values, w);
  for (std::size_t c = 0; c < k; ++c) {
    const auto& u = params_[c];
    std::vector<std::pair<double, double>> vw;
    for (std::size_t i = 0; i < prev.size(); ++i) vw.emplace_back(values[i][c], w[i]);
    pj.push_back({{"path", u.path}, {"prior", u.range_text()}, {"nominal", u.nominal}, {"grade", std::string(1, u.grade)},
                  {"mean", num(mo.mean[c])}, {"sd", num(std::sqrt(mo.cov[c][c]))},
                  {"q025", num(weighted_quantile(vw, 0.025))}, {"median", num(weighted_quantile(vw, 0.5))},
                  {"q975", num(weighted_quantile(vw, 0.975))}});
  }
  j["parameters"] = pj;
  Json corr = Json::array();
  for (std::size_t a = 0; a < k; ++a) {
    Json row = Json::array();
    for (std::size_t b = 0; b < k; ++b)
      row.push_back(num(mo.cov[a][b] / std::sqrt(mo.cov[a][a] * mo.cov[b][b])));
    corr.push_back(row);
  }
  j["correlation"] = corr;
  Json gj = Json::array();
  std::size_t runs = 0;
  for (const auto& g : stats) {
    runs += g.runs;
    gj.push_back({{"generation", g.generation}, {"tolerance", num(g.tolerance)}, {"accepted", g.accepted},
                  {"proposed", g.proposed}, {"acceptance_rate", num(g.acceptance)}, {"ess", num(g.ess)},
                  {"runs", g.runs}, {"failed", g.failed}});
  }
  j["generations"] = gj;
  j["predictive_check"] = ppc;
  std::size_t conflicts = 0;
  for (const auto& x : ppc) conflicts += x["status"] == "conflict";
  j["conflicts"] = conflicts;
  j["runs"] = runs + static_cast<std::size_t>(std::min(o_.predictive, static_cast<int>(prev.size())));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  on_root([&] {
    write_file_atomically((fs::path(dir_) / "calibrate.json").string(), j.dump(2) + "\n");
    // runs_this_process: the runs this invocation made (on every rank), not those a resume found recorded.
    write_file_atomically((fs::path(dir_) / "timing.json").string(),
                          Json({{"wall_seconds", wall}, {"threads", o_.threads}, {"ranks", o_.ranks ? o_.ranks->size() : 1},
                                {"runs_this_process", runs_done_}}).dump(2) + "\n");
  });
  summary.runs = j["runs"].get<std::size_t>();
  summary.final_tolerance = stats.empty() ? NAN : stats.back().tolerance;
  summary.final_ess = prev.empty() ? 0 : [&] {
    double s = 0;
    for (const auto& p : prev) s += p.weight * p.weight;
    return 1 / s;
  }();
  summary.stopped_because = stopped;
  // The summary table.
  if (!talk()) return summary;
  std::printf("calibrated %s to %zu targets: %d generations, %zu runs; %s\n", base_.name.c_str(), targets_.targets.size(),
              summary.generations, summary.runs, stopped.c_str());
  std::printf("%-36s %12s %12s %12s %12s\n", "parameter", "prior", "q2.5", "median", "q97.5");
  for (const auto& p : pj)
    std::printf("%-36s %12s %12s %12s %12s\n", p["path"].get<std::string>().c_str(), p["nominal"].get<std::string>().c_str(),
                csv_number(p["q025"].is_null() ? NAN : p["q025"].get<double>()).c_str(),
                csv_number(p["median"].is_null() ? NAN : p["median"].get<double>()).c_str(),
                csv_number(p["q975"].is_null() ? NAN : p["q975"].get<double>()).c_str());
  std::printf("%-28s %10s %10s %10s %10s  %s\n", "target", "observed", "p05", "median", "p95", "check");
  for (const auto& x : ppc)
    std::printf("%-28s %10s %10s %10s %10s  %s\n", x["target"].get<std::string>().c_str(),
                csv_number(x["observed"].is_null() ? NAN : x["observed"].get<double>()).c_str(),
                csv_number(x["p05"].is_null() ? NAN : x["p05"].get<double>()).c_str(),
                csv_number(x["median"].is_null() ? NAN : x["median"].get<double>()).c_str(),
                csv_number(x["p95"].is_null() ? NAN : x["p95"].get<double>()).c_str(), x["status"].get<std::string>().c_str());
  std::printf("results: %s\n", dir_.c_str());
  return summary;
}

}  // namespace

WeightedMoments weighted_moments(const std::vector<std::vector<double>>& x, const std::vector<double>& w) {
  WeightedMoments m;
  const std::size_t k = x.empty() ? 0 : x[0].size();
  m.mean.assign(k, 0);
  m.cov.assign(k, std::vector<double>(k, 0));
  double total = 0, total2 = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    total += w[i], total2 += w[i] * w[i];
    for (std::size_t a = 0; a < k; ++a) m.mean[a] += w[i] * x[i][a];
  }
  if (total <= 0) return m;
  for (double& v : m.mean) v /= total;
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t b = 0; b < k; ++b) m.cov[a][b] += w[i] * (x[i][a] - m.mean[a]) * (x[i][b] - m.mean[b]);
  // Unbiased for reliability weights: divide by V1 - V2 / V1.
  const double denom = total - total2 / total;
  for (auto& row : m.cov)
    for (double& v : row) v = denom > 0 ? v / denom : 0;
  return m;
}

CalibrationSummary run_calibration(const CalibrateOptions& options) {
  // Every rank reads the targets and the scenario; all stop if any cannot.
  std::optional<Calibration> c;
  std::exception_ptr error;
  try {
    if (options.population < 2) throw InputError(options.targets_file, 0, 0, "--population must be at least 2");
    c.emplace(options);
  } catch (...) {
    error = std::current_exception();
  }
  agree(options.ranks, error);
  return c->run();
}

}  // namespace govsim
