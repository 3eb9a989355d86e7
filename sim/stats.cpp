// sim/stats.cpp
#include "sim/stats.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>

namespace sim {

void RunningStats::add(double x) noexcept {
  ++n_;
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(n_);
  m2_ += delta * (x - mean_);
}

void RunningStats::merge(const RunningStats& other) noexcept {
  if (other.n_ == 0) return;
  if (n_ == 0) {
    *this = other;
    return;
  }
  const double n = static_cast<double>(n_ + other.n_);
  const double delta = other.mean_ - mean_;
  mean_ += delta * static_cast<double>(other.n_) / n;
  m2_ += other.m2_ + delta * delta * static_cast<double>(n_) * static_cast<double>(other.n_) / n;
  n_ += other.n_;
}

LogHistogram::LogHistogram(double lowest, double highest, int bins_per_decade)
    : lowest_(lowest), log_lowest_(std::log10(lowest)), bins_per_decade_(bins_per_decade),
      counts_(static_cast<std::size_t>(std::ceil((std::log10(highest) - std::log10(lowest)) * bins_per_decade)) + 1,
              0) {}

void LogHistogram::add(double x) noexcept {
  std::size_t i = 0;
  if (x > lowest_) {
    const double pos = (std::log10(x) - log_lowest_) * bins_per_decade_;
    i = std::min<std::size_t>(static_cast<std::size_t>(pos) + 1, counts_.size() - 1);
  }
  ++counts_[i];
  ++total_;
}

void LogHistogram::merge(const LogHistogram& other) {
  for (std::size_t i = 0; i < counts_.size() && i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
}

double LogHistogram::bin_lower(std::size_t i) const noexcept {
  if (i == 0) return 0.0;
  return std::pow(10.0, log_lowest_ + static_cast<double>(i - 1) / bins_per_decade_);
}

double LogHistogram::quantile(double q) const noexcept {
  if (total_ == 0) return 0.0;
  const double target = std::clamp(q, 0.0, 1.0) * static_cast<double>(total_);
  double cumulative = 0.0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    const double c = static_cast<double>(counts_[i]);
    if (c > 0 && cumulative + c >= target) {
      const double frac = (target - cumulative) / c;
      const double lo = i == 0 ? 0.0 : bin_lower(i);
      const double hi = i == 0 ? lowest_ : bin_lower(i + 1);
      return lo + frac * (hi - lo);
    }
    cumulative += c;
  }
  return bin_lower(counts_.size());
}

double LogHistogram::cdf(double x) const noexcept {
  if (total_ == 0) return 0.0;
  double below = 0.0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    const double lo = i == 0 ? 0.0 : bin_lower(i);
    const double hi = i == 0 ? lowest_ : bin_lower(i + 1);
    if (hi <= x) {
      below += static_cast<double>(counts_[i]);
    } else {
      if (lo < x) below += static_cast<double>(counts_[i]) * (x - lo) / (hi - lo);
      break;
    }
  }
  return below / static_cast<double>(total_);
}

double t_critical(std::uint64_t df, double confidence) noexcept {
  if (!(confidence > 0.0 && confidence < 1.0)) return NAN;
  if (df == 0) return INFINITY;
  // One interval per (point, metric): many calls with the same arguments, and
  // the inverse incomplete beta is not cheap. Remember the last answer.
  thread_local std::uint64_t last_df = 0;
  thread_local double last_confidence = 0.0, last_value = 0.0;
  if (df == last_df && confidence == last_confidence) return last_value;
  double t = NAN;
  try {
    const boost::math::students_t dist(static_cast<double>(df));
    t = boost::math::quantile(boost::math::complement(dist, (1.0 - confidence) / 2.0));
  } catch (...) {  // cannot happen for df >= 1 and 0 < confidence < 1; keep noexcept honest
    return NAN;
  }
  last_df = df, last_confidence = confidence, last_value = t;
  return t;
}

double t95(std::uint64_t df) noexcept { return t_critical(df, 0.95); }

Estimate estimate(const std::vector<double>& values, double confidence) noexcept {
  RunningStats s;
  for (double v : values)
    if (!std::isnan(v)) s.add(v);
  Estimate e;
  e.n = s.count();
  e.mean = s.count() ? s.mean() : NAN;
  if (s.count() > 1)
    e.half_width = t_critical(s.count() - 1, confidence) * std::sqrt(s.variance() / static_cast<double>(s.count()));
  return e;
}

}  // namespace sim
