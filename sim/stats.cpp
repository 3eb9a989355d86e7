// sim/stats.cpp
#include "sim/stats.hpp"

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

double t95(std::uint64_t df) noexcept {
  static constexpr double table[] = {0,      12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060,
                                     2.2622, 2.2281,  2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098,
                                     2.1009, 2.0930,  2.0860, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555,
                                     2.0518, 2.0484,  2.0452, 2.0423};
  if (df == 0) return INFINITY;
  if (df <= 30) return table[df];
  // Cornish-Fisher expansion around the normal quantile.
  const double z = 1.959963984540054, n = static_cast<double>(df);
  const double z3 = z * z * z, z5 = z3 * z * z;
  return z + (z3 + z) / (4 * n) + (5 * z5 + 16 * z3 + 3 * z) / (96 * n * n);
}

Estimate estimate(const std::vector<double>& values) noexcept {
  RunningStats s;
  for (double v : values)
    if (!std::isnan(v)) s.add(v);
  Estimate e;
  e.n = s.count();
  e.mean = s.count() ? s.mean() : NAN;
  if (s.count() > 1) e.half_width = t95(s.count() - 1) * std::sqrt(s.variance() / static_cast<double>(s.count()));
  return e;
}

}  // namespace sim
