// tests/sim/test_distribution.cpp: inverse-transform distributions.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/random.hpp"

namespace {

using sim::Distribution;

struct Moments {
  double mean = 0.0, variance = 0.0, min = INFINITY, max = -INFINITY;
  double scv() const { return variance / (mean * mean); }
};

Moments sample_moments(const Distribution& d, int n = 200000, std::uint64_t entity = 1) {
  const sim::Stream s(sim::stream_key(12345, 0), entity);
  Moments m;
  double mean = 0.0, m2 = 0.0;
  for (int i = 0; i < n; ++i) {
    const double x = d.sample(s.block(0, static_cast<std::uint32_t>(i)));
    const double delta = x - mean;
    mean += delta / (i + 1);
    m2 += delta * (x - mean);
    m.min = std::min(m.min, x);
    m.max = std::max(m.max, x);
  }
  m.mean = mean;
  m.variance = m2 / (n - 1);
  return m;
}

// Compares sample moments with mean() and scv(): the mean within 1.5% (or an
// absolute 1e-9 for zero variance), the scv within `scv_tol` relative.
void expect_moments(const Distribution& d, double scv_tol = 0.05, std::uint64_t entity = 1) {
  SCOPED_TRACE(d.describe());
  const Moments m = sample_moments(d, 200000, entity);
  EXPECT_NEAR(m.mean, d.mean(), 0.015 * d.mean() + 1e-12);
  if (d.scv() == 0.0) {
    EXPECT_NEAR(m.variance, 0.0, 1e-12);
  } else {
    EXPECT_NEAR(m.scv(), d.scv(), scv_tol * d.scv());
  }
  EXPECT_GE(m.min, d.minimum() - 1e-12);
}

TEST(Distribution, InverseNormalKnownQuantiles) {
  EXPECT_NEAR(sim::inverse_normal_cdf(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(sim::inverse_normal_cdf(0.025), -1.959963984540054, 1e-12);
  EXPECT_NEAR(sim::inverse_normal_cdf(0.5), 0.0, 1e-15);
  EXPECT_NEAR(sim::inverse_normal_cdf(0.8413447460685429), 1.0, 1e-12);
  EXPECT_NEAR(sim::inverse_normal_cdf(0.001), -3.090232306167813, 1e-11);
  EXPECT_NEAR(sim::inverse_normal_cdf(1e-10), -6.361340902404056, 1e-9);
  EXPECT_NEAR(sim::inverse_normal_cdf(1.0 - 1e-10), 6.361340902404056, 1e-5);  // 1-1e-10 is inexact
  EXPECT_EQ(sim::inverse_normal_cdf(0.0), -INFINITY);
  EXPECT_EQ(sim::inverse_normal_cdf(1.0), INFINITY);
}

TEST(Distribution, InverseNormalIsMonotoneAndSymmetric) {
  double previous = -INFINITY;
  for (int i = 1; i < 2000; ++i) {
    const double p = i / 2000.0;
    const double x = sim::inverse_normal_cdf(p);
    ASSERT_GT(x, previous) << "p=" << p;
    previous = x;
    ASSERT_NEAR(x, -sim::inverse_normal_cdf(1.0 - p), 1e-9) << "p=" << p;
    // Round trip through the CDF.
    ASSERT_NEAR(0.5 * std::erfc(-x / std::sqrt(2.0)), p, 1e-13) << "p=" << p;
  }
}

TEST(Distribution, ExponentialMoments) {
  const Distribution d = Distribution::exponential(2.5);
  EXPECT_DOUBLE_EQ(d.mean(), 2.5);
  EXPECT_NEAR(d.scv(), 1.0, 1e-12);
  expect_moments(d);
}

TEST(Distribution, LognormalMoments) {
  const Distribution d = Distribution::lognormal(3.0, 0.5);
  EXPECT_NEAR(d.mean(), 3.0 * std::exp(0.125), 1e-12);
  EXPECT_NEAR(d.scv(), std::exp(0.25) - 1.0, 1e-12);
  expect_moments(d);
  // The median is the median.
  const sim::Stream s(sim::stream_key(1, 0), 3);
  int below = 0;
  for (std::uint32_t i = 0; i < 100000; ++i) below += d.sample(s.block(0, i)) < 3.0;
  EXPECT_NEAR(below / 100000.0, 0.5, 0.01);
}

TEST(Distribution, LognormalHeavyMoments) {
  const Distribution d = Distribution::lognormal(1.0, 1.0);
  EXPECT_NEAR(d.scv(), std::exp(1.0) - 1.0, 1e-12);
  expect_moments(d, 0.15);
}

TEST(Distribution, WeibullMoments) {
  const Distribution d = Distribution::weibull(1.5, 4.0);
  EXPECT_NEAR(d.mean(), 4.0 * std::tgamma(1.0 + 1.0 / 1.5), 1e-12);
  expect_moments(d);
  // shape 1 is the exponential
  const Distribution e = Distribution::weibull(1.0, 2.0);
  EXPECT_NEAR(e.mean(), 2.0, 1e-12);
  EXPECT_NEAR(e.scv(), 1.0, 1e-12);
  expect_moments(e);
}

TEST(Distribution, UniformMoments) {
  const Distribution d = Distribution::uniform(2.0, 6.0);
  EXPECT_DOUBLE_EQ(d.mean(), 4.0);
  EXPECT_NEAR(d.scv(), (16.0 / 12.0) / 16.0, 1e-12);
  EXPECT_DOUBLE_EQ(d.minimum(), 2.0);
  expect_moments(d, 0.02);
  const Moments m = sample_moments(d);
  EXPECT_LE(m.max, 6.0);
}

TEST(Distribution, DeterministicMoments) {
  const Distribution d = Distribution::deterministic(1.75);
  EXPECT_DOUBLE_EQ(d.mean(), 1.75);
  EXPECT_DOUBLE_EQ(d.scv(), 0.0);
  EXPECT_DOUBLE_EQ(d.minimum(), 1.75);
  const Moments m = sample_moments(d, 1000);
  EXPECT_DOUBLE_EQ(m.min, 1.75);
  EXPECT_DOUBLE_EQ(m.max, 1.75);
}

TEST(Distribution, EmpiricalMoments) {
  const Distribution d = Distribution::empirical({0.0, 0.5, 0.9, 1.0}, {1.0, 2.0, 6.0, 20.0});
  // Piecewise uniform: 0.5*1.5 + 0.4*4 + 0.1*13
  EXPECT_NEAR(d.mean(), 0.75 + 1.6 + 1.3, 1e-12);
  EXPECT_DOUBLE_EQ(d.minimum(), 1.0);
  expect_moments(d);
  const Moments m = sample_moments(d);
  EXPECT_LE(m.max, 20.0);
  // Quantiles interpolate linearly between points.
  EXPECT_NEAR(d.quantile(0.25), 1.5, 1e-12);
  EXPECT_NEAR(d.quantile(0.7), 4.0, 1e-12);
  EXPECT_NEAR(d.quantile(0.95), 13.0, 1e-12);
}

TEST(Distribution, EmpiricalWithStepMoments) {
  // A flat segment (equal values) is an atom.
  const Distribution d = Distribution::empirical({0.0, 0.3, 0.6, 1.0}, {2.0, 2.0, 5.0, 5.0});
  EXPECT_NEAR(d.mean(), 0.3 * 2.0 + 0.3 * 3.5 + 0.4 * 5.0, 1e-12);
  expect_moments(d);
}

TEST(Distribution, MixtureMoments) {
  const Distribution d = Distribution::mixture(
      {0.2, 0.5, 0.3}, {Distribution::exponential(1.0), Distribution::lognormal(4.0, 0.4),
                        Distribution::deterministic(10.0)});
  const double mean = 0.2 * 1.0 + 0.5 * 4.0 * std::exp(0.08) + 0.3 * 10.0;
  EXPECT_NEAR(d.mean(), mean, 1e-12);
  expect_moments(d);
}

TEST(Distribution, MixtureWeightsAreNormalised) {
  const Distribution a = Distribution::mixture({1.0, 3.0}, {Distribution::deterministic(1.0), Distribution::deterministic(5.0)});
  EXPECT_NEAR(a.mean(), 0.25 * 1.0 + 0.75 * 5.0, 1e-12);
  expect_moments(a);
}

TEST(Distribution, ShiftedMixtureMoments) {
  const Distribution d =
      Distribution::mixture({0.5, 0.5}, {Distribution::exponential(2.0), Distribution::uniform(1.0, 3.0)}).shifted(1.5);
  EXPECT_NEAR(d.mean(), 1.5 + 0.5 * 2.0 + 0.5 * 2.0, 1e-12);
  EXPECT_NEAR(d.minimum(), 1.5, 1e-12);
  expect_moments(d);
}

TEST(Distribution, MixtureOfShiftedComponentsMoments) {
  const Distribution d = Distribution::mixture(
      {0.4, 0.6}, {Distribution::exponential(1.0).shifted(2.0), Distribution::deterministic(0.5)});
  EXPECT_NEAR(d.mean(), 0.4 * 3.0 + 0.6 * 0.5, 1e-12);
  EXPECT_NEAR(d.minimum(), 0.5, 1e-12);
  expect_moments(d);
}

TEST(Distribution, MinimumIsHonoured) {
  const std::vector<Distribution> ds = {
      Distribution::exponential(1.0).shifted(0.5),
      Distribution::lognormal(2.0, 1.2).shifted(1.0),
      Distribution::weibull(0.7, 3.0).shifted(0.25),
      Distribution::uniform(3.0, 4.0),
      Distribution::empirical({0.0, 1.0}, {7.0, 9.0}),
      Distribution::mixture({0.5, 0.5}, {Distribution::uniform(2.0, 3.0), Distribution::deterministic(4.0)}),
      Distribution::mixture({0.5, 0.5}, {Distribution::uniform(2.0, 3.0), Distribution::exponential(1.0).shifted(1.0)})
          .shifted(0.5),
  };
  const sim::Stream s(sim::stream_key(77, 0), 8);
  for (const auto& d : ds) {
    SCOPED_TRACE(d.describe());
    const double lo = d.minimum();
    for (std::uint32_t i = 0; i < 50000; ++i) ASSERT_GE(d.sample(s.block(2, i)), lo);
  }
  EXPECT_DOUBLE_EQ(ds[0].minimum(), 0.5);
  EXPECT_DOUBLE_EQ(ds[3].minimum(), 3.0);
  EXPECT_DOUBLE_EQ(ds[4].minimum(), 7.0);
  EXPECT_DOUBLE_EQ(ds[5].minimum(), 2.0);
  EXPECT_DOUBLE_EQ(ds[6].minimum(), 1.5);
}

TEST(Distribution, ShiftedAddsTheOffset) {
  const std::vector<Distribution> ds = {
      Distribution::deterministic(2.0),  Distribution::exponential(1.0), Distribution::lognormal(2.0, 0.5),
      Distribution::weibull(2.0, 3.0),   Distribution::uniform(1.0, 2.0),
      Distribution::empirical({0.0, 0.5, 1.0}, {0.0, 1.0, 4.0}),
      Distribution::mixture({0.3, 0.7}, {Distribution::exponential(1.0), Distribution::uniform(0.0, 1.0)}),
  };
  const sim::Stream s(sim::stream_key(3, 3), 3);
  for (const auto& d : ds) {
    SCOPED_TRACE(d.describe());
    const Distribution e = d.shifted(1.25);
    const Distribution f = e.shifted(0.75);  // offsets accumulate
    EXPECT_NEAR(e.mean(), d.mean() + 1.25, 1e-12);
    EXPECT_NEAR(f.mean(), d.mean() + 2.0, 1e-12);
    EXPECT_NEAR(e.minimum(), d.minimum() + 1.25, 1e-12);
    // Shifting keeps the variance: scv * mean^2 is invariant.
    EXPECT_NEAR(e.scv() * e.mean() * e.mean(), d.scv() * d.mean() * d.mean(), 1e-9);
    EXPECT_EQ(e.kind(), d.kind());
    for (std::uint32_t i = 0; i < 1000; ++i) {
      const sim::Block b = s.block(0, i);
      ASSERT_NEAR(e.sample(b), d.sample(b) + 1.25, 1e-9);
      ASSERT_NEAR(f.sample(b), d.sample(b) + 2.0, 1e-9);
    }
  }
}

TEST(Distribution, OneBlockPerSample) {
  // sample() is a pure function of the block: the same block gives the same
  // value, whatever was sampled before and from whichever copy.
  const Distribution d = Distribution::mixture(
      {0.5, 0.5}, {Distribution::lognormal(1.0, 0.8), Distribution::weibull(0.8, 2.0)});
  const Distribution copy = d;
  const sim::Stream s(sim::stream_key(1, 1), 42);
  std::vector<double> first;
  for (std::uint32_t i = 0; i < 1000; ++i) first.push_back(d.sample(s.block(0, i)));
  for (std::uint32_t i = 1000; i-- > 0;) ASSERT_EQ(copy.sample(s.block(0, i)), first[i]);
  for (std::uint32_t i = 0; i < 1000; ++i) ASSERT_EQ(d.sample(s.block(0, i)), first[i]);
  // Single-component distributions use the block's second uniform.
  const Distribution e = Distribution::exponential(1.0);
  for (std::uint32_t i = 0; i < 100; ++i) {
    const sim::Block b = s.block(4, i);
    ASSERT_EQ(e.sample(b), e.quantile(sim::to_uniforms(b).second));
  }
}

TEST(Distribution, MixtureFirstUniformPicksComponent) {
  const Distribution d = Distribution::mixture({0.25, 0.75}, {Distribution::deterministic(1.0), Distribution::deterministic(2.0)});
  const sim::Stream s(sim::stream_key(8, 0), 1);
  int ones = 0;
  constexpr int n = 100000;
  for (std::uint32_t i = 0; i < n; ++i) {
    const sim::Block b = s.block(0, i);
    const double x = d.sample(b);
    ASSERT_TRUE(x == 1.0 || x == 2.0);
    // The first uniform decides, deterministically.
    ASSERT_EQ(x, sim::to_uniforms(b).first < 0.25 ? 1.0 : 2.0);
    ones += x == 1.0;
  }
  EXPECT_NEAR(static_cast<double>(ones) / n, 0.25, 0.006);  // sd ~ 0.0014
}

TEST(Distribution, MixtureSecondUniformDrivesComponent) {
  // Two exponential components: the component value is its quantile of the second uniform.
  const Distribution a = Distribution::exponential(1.0), b = Distribution::exponential(10.0);
  const Distribution d = Distribution::mixture({0.5, 0.5}, {a, b});
  const sim::Stream s(sim::stream_key(8, 1), 1);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    const sim::Block blk = s.block(0, i);
    const sim::Uniforms u = sim::to_uniforms(blk);
    ASSERT_EQ(d.sample(blk), (u.first < 0.5 ? a : b).quantile(u.second));
  }
}

TEST(Distribution, BadParametersThrow) {
  EXPECT_THROW(Distribution::empirical({0.0, 0.5, 1.0}, {1.0, 3.0, 2.0}), std::invalid_argument);  // decreasing
  EXPECT_THROW(Distribution::empirical({0.0, 0.6, 0.5, 1.0}, {1.0, 2.0, 3.0, 4.0}), std::invalid_argument);
  EXPECT_THROW(Distribution::empirical({0.0, 0.5, 0.5, 1.0}, {1.0, 2.0, 3.0, 4.0}), std::invalid_argument);
  EXPECT_THROW(Distribution::empirical({0.1, 1.0}, {1.0, 2.0}), std::invalid_argument);  // not from 0
  EXPECT_THROW(Distribution::empirical({0.0, 0.9}, {1.0, 2.0}), std::invalid_argument);  // not to 1
  EXPECT_THROW(Distribution::empirical({0.0}, {1.0}), std::invalid_argument);
  EXPECT_THROW(Distribution::empirical({0.0, 1.0}, {1.0}), std::invalid_argument);
  const Distribution inner =
      Distribution::mixture({0.5, 0.5}, {Distribution::deterministic(1.0), Distribution::deterministic(2.0)});
  EXPECT_THROW(Distribution::mixture({0.5, 0.5}, {inner, Distribution::deterministic(3.0)}), std::invalid_argument);
  EXPECT_THROW(Distribution::mixture({1.0}, {inner}), std::invalid_argument);
  EXPECT_THROW(Distribution::mixture({}, {}), std::invalid_argument);
  EXPECT_THROW(Distribution::mixture({1.0, 1.0}, {Distribution::deterministic(1.0)}), std::invalid_argument);
  EXPECT_THROW(Distribution::mixture({0.0, 0.0}, {Distribution::deterministic(1.0), Distribution::deterministic(2.0)}),
               std::invalid_argument);
  EXPECT_THROW(Distribution::mixture({-0.5, 1.5}, {Distribution::deterministic(1.0), Distribution::deterministic(2.0)}),
               std::invalid_argument);
  EXPECT_NO_THROW(Distribution::empirical({0.0, 1.0}, {1.0, 1.0}));
}

TEST(Distribution, DescribeNamesTheKind) {
  EXPECT_NE(Distribution::exponential(2.0).describe().find("exponential"), std::string::npos);
  EXPECT_NE(Distribution::lognormal(2.0, 0.5).describe().find("lognormal"), std::string::npos);
  EXPECT_NE(Distribution::exponential(2.0).shifted(1.0).describe().find("+ 1"), std::string::npos);
  EXPECT_EQ(Distribution::weibull(1.0, 1.0).kind(), Distribution::Kind::weibull);
}

}  // namespace
