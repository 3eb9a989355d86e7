// tests/sim/test_stats.cpp: mergeable statistics and confidence intervals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/random.hpp"
#include "sim/stats.hpp"

namespace {

std::vector<double> draws(const sim::Distribution& d, int n, std::uint64_t entity) {
  const sim::Stream s(sim::stream_key(31, 0), entity);
  std::vector<double> v;
  v.reserve(n);
  for (int i = 0; i < n; ++i) v.push_back(d.sample(s.block(0, static_cast<std::uint32_t>(i))));
  return v;
}

void direct_moments(const std::vector<double>& v, double& mean, double& variance) {
  mean = 0.0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  variance = 0.0;
  for (double x : v) variance += (x - mean) * (x - mean);
  variance /= static_cast<double>(v.size() - 1);
}

TEST(Stats, RunningStatsMatchesDirectFormula) {
  const auto v = draws(sim::Distribution::lognormal(5.0, 0.7), 10000, 1);
  sim::RunningStats s;
  for (double x : v) s.add(x);
  double mean, variance;
  direct_moments(v, mean, variance);
  EXPECT_EQ(s.count(), v.size());
  EXPECT_NEAR(s.mean(), mean, 1e-12 * std::abs(mean));
  EXPECT_NEAR(s.variance(), variance, 1e-10 * variance);
  EXPECT_NEAR(s.sum(), mean * static_cast<double>(v.size()), 1e-9 * mean * static_cast<double>(v.size()));
}

TEST(Stats, RunningStatsSmallCases) {
  sim::RunningStats s;
  EXPECT_EQ(s.count(), 0u);
  EXPECT_EQ(s.mean(), 0.0);
  EXPECT_EQ(s.variance(), 0.0);
  s.add(4.0);
  EXPECT_EQ(s.mean(), 4.0);
  EXPECT_EQ(s.variance(), 0.0);
  s.add(8.0);
  EXPECT_DOUBLE_EQ(s.mean(), 6.0);
  EXPECT_DOUBLE_EQ(s.variance(), 8.0);
  s.add(0.0);
  EXPECT_DOUBLE_EQ(s.mean(), 4.0);
  EXPECT_DOUBLE_EQ(s.variance(), 16.0);
}

TEST(Stats, RunningStatsIsStableWithLargeOffset) {
  sim::RunningStats s;
  const double base = 1e9;
  for (int i = 0; i < 1000; ++i) s.add(base + (i % 2 ? 1.0 : -1.0));
  EXPECT_NEAR(s.mean(), base, 1e-6);
  EXPECT_NEAR(s.variance(), 1000.0 / 999.0, 1e-6);
}

TEST(Stats, RunningStatsMergeEqualsAddingAll) {
  const auto v = draws(sim::Distribution::exponential(3.0), 9001, 2);
  sim::RunningStats all;
  for (double x : v) all.add(x);
  // Uneven pieces, including an empty one, merged in order.
  const std::vector<std::size_t> cuts = {0, 1, 1, 500, 4000, 9001};
  sim::RunningStats merged;
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    sim::RunningStats piece;
    for (std::size_t i = cuts[k]; i < cuts[k + 1]; ++i) piece.add(v[i]);
    merged.merge(piece);
  }
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_NEAR(merged.mean(), all.mean(), 1e-12 * all.mean());
  EXPECT_NEAR(merged.variance(), all.variance(), 1e-10 * all.variance());

  sim::RunningStats empty;
  sim::RunningStats copy = all;
  copy.merge(empty);
  EXPECT_EQ(copy.count(), all.count());
  EXPECT_EQ(copy.mean(), all.mean());
  EXPECT_EQ(copy.variance(), all.variance());
  empty.merge(all);
  EXPECT_EQ(empty.count(), all.count());
  EXPECT_EQ(empty.mean(), all.mean());
  EXPECT_EQ(empty.variance(), all.variance());
}

TEST(Stats, RunningStatsMergeOfShiftedPieces) {
  // Pieces with very different means: the between-piece term matters.
  sim::RunningStats a, b, all;
  for (int i = 0; i < 100; ++i) {
    a.add(i * 0.1);
    all.add(i * 0.1);
  }
  for (int i = 0; i < 300; ++i) {
    b.add(1000.0 + i);
    all.add(1000.0 + i);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), 400u);
  EXPECT_NEAR(a.mean(), all.mean(), 1e-9);
  EXPECT_NEAR(a.variance(), all.variance(), 1e-7 * all.variance());
}

double sorted_quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const std::size_t i = static_cast<std::size_t>(pos);
  const double f = pos - static_cast<double>(i);
  return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
}

TEST(Stats, LogHistogramQuantilesWithinBinResolution) {
  const sim::Distribution d = sim::Distribution::exponential(10.0);
  const auto v = draws(d, 200000, 3);
  sim::LogHistogram h;
  for (double x : v) h.add(x);
  EXPECT_EQ(h.count(), v.size());
  for (double q : {0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999}) {
    SCOPED_TRACE(q);
    const double sample_q = sorted_quantile(v, q);
    EXPECT_NEAR(h.quantile(q), sample_q, 0.05 * sample_q);
    // And the true quantile, allowing for sampling error too.
    const double true_q = d.quantile(q);
    EXPECT_NEAR(h.quantile(q), true_q, 0.08 * true_q);
  }
  // Quantiles are non-decreasing in q.
  double previous = 0.0;
  for (int i = 0; i <= 1000; ++i) {
    const double x = h.quantile(i / 1000.0);
    ASSERT_GE(x, previous);
    previous = x;
  }
}

TEST(Stats, LogHistogramLognormalQuantiles) {
  const sim::Distribution d = sim::Distribution::lognormal(50.0, 1.5);
  const auto v = draws(d, 200000, 4);
  sim::LogHistogram h;
  for (double x : v) h.add(x);
  for (double q : {0.01, 0.1, 0.5, 0.9, 0.99}) {
    SCOPED_TRACE(q);
    const double sample_q = sorted_quantile(v, q);
    EXPECT_NEAR(h.quantile(q), sample_q, 0.05 * sample_q);
  }
}

TEST(Stats, LogHistogramCdf) {
  const sim::Distribution d = sim::Distribution::uniform(1.0, 9.0);
  const auto v = draws(d, 100000, 5);
  sim::LogHistogram h;
  for (double x : v) h.add(x);
  EXPECT_NEAR(h.cdf(5.0), 0.5, 0.02);
  EXPECT_NEAR(h.cdf(3.0), 0.25, 0.02);
  EXPECT_NEAR(h.cdf(0.5), 0.0, 1e-12);
  EXPECT_NEAR(h.cdf(100.0), 1.0, 1e-12);
  EXPECT_EQ(sim::LogHistogram().cdf(1.0), 0.0);
  EXPECT_EQ(sim::LogHistogram().quantile(0.5), 0.0);
}

TEST(Stats, LogHistogramClampsOutOfRangeValues) {
  sim::LogHistogram h(1e-2, 1e5, 50);
  h.add(0.0);
  h.add(-3.0);
  h.add(1e-9);
  h.add(1e9);
  EXPECT_EQ(h.count(), 4u);
  // The first three are in the first bin [0, lowest].
  EXPECT_LE(h.quantile(0.5), 1e-2);
  EXPECT_GE(h.quantile(0.5), 0.0);
  // The huge one is in the last bin, which ends at `highest` (within a bin).
  EXPECT_GT(h.quantile(1.0), 1e5 / 1.1);
  EXPECT_LE(h.quantile(1.0), 1e5 * 1.1);
}

TEST(Stats, LogHistogramMergeAddsCounts) {
  const auto a = draws(sim::Distribution::exponential(2.0), 30000, 6);
  const auto b = draws(sim::Distribution::exponential(50.0), 10000, 7);
  sim::LogHistogram ha, hb, all;
  for (double x : a) ha.add(x), all.add(x);
  for (double x : b) hb.add(x), all.add(x);
  sim::LogHistogram merged = ha;
  merged.merge(hb);
  EXPECT_EQ(merged.count(), 40000u);
  EXPECT_EQ(merged.count(), ha.count() + hb.count());
  for (int i = 0; i <= 100; ++i) {
    const double q = i / 100.0;
    ASSERT_EQ(merged.quantile(q), all.quantile(q)) << q;  // integer counts: exact
  }
  for (double x : {0.1, 1.0, 5.0, 40.0, 300.0}) EXPECT_EQ(merged.cdf(x), all.cdf(x)) << x;
  // Merge order does not matter.
  sim::LogHistogram other = hb;
  other.merge(ha);
  for (int i = 0; i <= 100; ++i) ASSERT_EQ(other.quantile(i / 100.0), merged.quantile(i / 100.0));
}

// Published two-sided critical values t_{(1+c)/2, df} (to six decimals, as in
// the standard tables, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2 to three, and
// Abramowitz & Stegun table 26.10); the last column is df = 10^6, just above
// the normal quantile (1.644854, 1.959964, 2.575829).
TEST(Stats, TCriticalMatchesPublishedValues) {
  const std::uint64_t dfs[] = {1, 2, 5, 30, 31, 100, 1000000};
  const struct {
    double confidence;
    double t[7];
  } rows[] = {
      {0.90, {6.313752, 2.919986, 2.015048, 1.697261, 1.695519, 1.660234, 1.644855}},
      {0.95, {12.706205, 4.302653, 2.570582, 2.042272, 2.039513, 1.983972, 1.959966}},
      {0.99, {63.656741, 9.924843, 4.032143, 2.749996, 2.744042, 2.625891, 2.575834}},
  };
  for (const auto& row : rows)
    for (int i = 0; i < 7; ++i)
      EXPECT_NEAR(sim::t_critical(dfs[i], row.confidence), row.t[i], 1e-6)
          << "df " << dfs[i] << ", confidence " << row.confidence;
  for (int i = 0; i < 7; ++i) EXPECT_EQ(sim::t95(dfs[i]), sim::t_critical(dfs[i], 0.95)) << dfs[i];
  // The old table stopped at 30 and switched to a series: 31 must follow 30 smoothly.
  EXPECT_GT(sim::t95(30) - sim::t95(31), 0.0025);
  EXPECT_LT(sim::t95(30) - sim::t95(31), 0.0030);
}

TEST(Stats, TCriticalEdgesAndMonotonicity) {
  EXPECT_TRUE(std::isinf(sim::t95(0)));
  for (double bad : {0.0, 1.0, -0.5, 1.5, std::nan("")}) EXPECT_TRUE(std::isnan(sim::t_critical(5, bad))) << bad;
  // Decreasing in the degrees of freedom, never below the normal quantile.
  double previous = INFINITY;
  for (std::uint64_t df = 1; df < 5000; ++df) {
    const double t = sim::t95(df);
    ASSERT_LT(t, previous) << df;
    ASSERT_GT(t, 1.959963984540054) << df;
    previous = t;
  }
  // Increasing in the confidence level; alternating arguments (the cache) give the same answers.
  for (std::uint64_t df : {1u, 4u, 40u}) {
    EXPECT_LT(sim::t_critical(df, 0.5), sim::t_critical(df, 0.8));
    EXPECT_LT(sim::t_critical(df, 0.8), sim::t_critical(df, 0.999));
    const double first = sim::t_critical(df, 0.5), other = sim::t_critical(df + 1, 0.5);
    EXPECT_EQ(sim::t_critical(df, 0.5), first);
    EXPECT_GT(first, other);
  }
  EXPECT_NEAR(sim::t_critical(1, 0.5), 1.0, 1e-12);  // Cauchy: quartile at 1
}

TEST(Stats, EstimateBasics) {
  const sim::Estimate e = sim::estimate({1.0, 2.0, 3.0, 4.0, 5.0});
  EXPECT_EQ(e.n, 5u);
  EXPECT_DOUBLE_EQ(e.mean, 3.0);
  EXPECT_NEAR(e.half_width, 2.776445 * std::sqrt(2.5 / 5.0), 1e-6);
  const sim::Estimate e90 = sim::estimate({1.0, 2.0, 3.0, 4.0, 5.0}, 0.90);
  EXPECT_NEAR(e90.half_width, 2.131847 * std::sqrt(2.5 / 5.0), 1e-6);  // t_{0.95, 4}
  EXPECT_DOUBLE_EQ(e90.mean, 3.0);
  EXPECT_DOUBLE_EQ(e.low(), e.mean - e.half_width);
  EXPECT_DOUBLE_EQ(e.high(), e.mean + e.half_width);

  const sim::Estimate one = sim::estimate({7.0});
  EXPECT_EQ(one.n, 1u);
  EXPECT_EQ(one.mean, 7.0);
  EXPECT_EQ(one.half_width, 0.0);

  const sim::Estimate none = sim::estimate({});
  EXPECT_EQ(none.n, 0u);
  EXPECT_TRUE(std::isnan(none.mean));

  const sim::Estimate skip = sim::estimate({1.0, NAN, 3.0});
  EXPECT_EQ(skip.n, 2u);
  EXPECT_DOUBLE_EQ(skip.mean, 2.0);
  EXPECT_NEAR(skip.half_width, 12.706205 * std::sqrt(2.0 / 2.0), 1e-6);
}

TEST(Stats, EstimateCoverageIsAbout95Percent) {
  constexpr int kExperiments = 2000, kN = 10;
  constexpr double kMean = 5.0, kSd = 2.0;
  int covered = 0;
  for (int e = 0; e < kExperiments; ++e) {
    const sim::Stream s(sim::stream_key(2718, static_cast<std::uint32_t>(e)), 0);
    std::vector<double> v;
    for (int i = 0; i < kN; ++i) v.push_back(kMean + kSd * sim::inverse_normal_cdf(s.uniform(0, static_cast<std::uint32_t>(i))));
    const sim::Estimate est = sim::estimate(v);
    ASSERT_EQ(est.n, static_cast<std::uint64_t>(kN));
    covered += est.low() <= kMean && kMean <= est.high();
  }
  const double coverage = static_cast<double>(covered) / kExperiments;
  EXPECT_GT(coverage, 0.93);
  EXPECT_LT(coverage, 0.97);
}

}  // namespace
