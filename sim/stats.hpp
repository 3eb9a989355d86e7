// sim/stats.hpp: statistics that merge deterministically.
//
// Accumulators are filled per partition and merged in partition order, so the
// result does not depend on which thread ran what. Quantiles come from a
// log-binned histogram with integer counts (exactly mergeable), fine enough
// (4.7% relative bin width, interpolated within a bin) for percentiles.
#pragma once

#include <cstdint>
#include <vector>

namespace sim {

/// Count, mean and variance (Welford), mergeable (Chan et al.).
class RunningStats {
 public:
  void add(double x) noexcept;
  void merge(const RunningStats& other) noexcept;
  std::uint64_t count() const noexcept { return n_; }
  double mean() const noexcept { return n_ ? mean_ : 0.0; }
  double variance() const noexcept { return n_ > 1 ? m2_ / static_cast<double>(n_ - 1) : 0.0; }
  double sum() const noexcept { return mean_ * static_cast<double>(n_); }

 private:
  std::uint64_t n_ = 0;
  double mean_ = 0.0, m2_ = 0.0;
};

/// Histogram on a log scale from `lowest` to `highest` (values outside are
/// clamped into the first or last bin; zero goes to the first bin).
class LogHistogram {
 public:
  explicit LogHistogram(double lowest = 1e-2, double highest = 1e5, int bins_per_decade = 50);
  void add(double x) noexcept;
  void merge(const LogHistogram& other);
  std::uint64_t count() const noexcept { return total_; }
  /// The q-quantile (0<=q<=1), interpolated within a bin; 0 when empty.
  double quantile(double q) const noexcept;
  /// Fraction of values <= x.
  double cdf(double x) const noexcept;

 private:
  double lowest_, log_lowest_, bins_per_decade_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  double bin_lower(std::size_t i) const noexcept;
};

/// Two-sided Student-t critical value t_{(1+confidence)/2, df}: the half-width
/// of a `confidence` interval in standard errors. Exact (Boost.Math
/// students_t quantile) for every df; infinity for df = 0, NaN unless
/// 0 < confidence < 1.
double t_critical(std::uint64_t degrees_of_freedom, double confidence) noexcept;
/// t_critical(degrees_of_freedom, 0.95).
double t95(std::uint64_t degrees_of_freedom) noexcept;

/// A mean with its confidence interval (95% by default) across independent replications.
struct Estimate {
  double mean = 0.0;
  double half_width = 0.0;  ///< 0 when fewer than two replications
  std::uint64_t n = 0;
  double low() const noexcept { return mean - half_width; }
  double high() const noexcept { return mean + half_width; }
};

/// Student-t interval over replication values (NaN values are skipped).
Estimate estimate(const std::vector<double>& values, double confidence = 0.95) noexcept;

}  // namespace sim
