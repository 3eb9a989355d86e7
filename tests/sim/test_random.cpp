// tests/sim/test_random.cpp: Philox4x32-10 known answers and stream properties.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/random.hpp"

namespace {

using sim::Block;

// Known-answer vectors from Random123's kat_vectors (philox4x32 10 rounds).
TEST(Random, PhiloxKnownAnswerZero) {
  const Block out = sim::philox4x32_10({0u, 0u, 0u, 0u}, {0u, 0u});
  const Block expected{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
  EXPECT_EQ(out, expected);
}

TEST(Random, PhiloxKnownAnswerAllOnes) {
  const Block out =
      sim::philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu});
  const Block expected{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu};
  EXPECT_EQ(out, expected);
}

TEST(Random, PhiloxKnownAnswerPi) {
  const Block out =
      sim::philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u});
  const Block expected{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u};
  EXPECT_EQ(out, expected);
}

TEST(Random, PhiloxIsConstexpr) {
  constexpr Block out = sim::philox4x32_10({0u, 0u, 0u, 0u}, {0u, 0u});
  static_assert(out[0] == 0x6627e8d5u, "philox4x32_10 must be usable at compile time");
  EXPECT_EQ(out[3], 0x9b00dbd8u);
}

TEST(Random, StreamBlockUsesDocumentedCounterLayout) {
  // counter = {index, purpose, entity low, entity high}; key = {key low, key high}.
  const std::uint64_t key = 0x0123456789abcdefull, entity = 0xfedcba9876543210ull;
  const sim::Stream s(key, entity);
  const Block expected = sim::philox4x32_10({7u, 3u, 0x76543210u, 0xfedcba98u}, {0x89abcdefu, 0x01234567u});
  EXPECT_EQ(s.block(3, 7), expected);
  EXPECT_EQ(s.entity(), entity);
}

TEST(Random, SameCoordinatesGiveSameBlock) {
  const std::uint64_t key = sim::stream_key(42, 3);
  const sim::Stream a(key, 1234), b(key, 1234);
  for (std::uint32_t purpose = 0; purpose < 4; ++purpose)
    for (std::uint32_t i = 0; i < 50; ++i) {
      EXPECT_EQ(a.block(purpose, i), b.block(purpose, i));
      EXPECT_EQ(a.block(purpose, i), a.block(purpose, i));  // no hidden state
    }
}

TEST(Random, DistinctEntitiesGiveDistinctStreams) {
  const std::uint64_t key = sim::stream_key(1, 0);
  std::set<Block> seen;
  // Includes entities differing only in the high 32 bits.
  std::vector<std::uint64_t> entities;
  for (std::uint64_t e = 0; e < 200; ++e) entities.push_back(e);
  for (std::uint64_t e = 1; e < 50; ++e) entities.push_back(e << 32);
  for (std::uint64_t e : entities) {
    const sim::Stream s(key, e);
    for (std::uint32_t i = 0; i < 5; ++i) seen.insert(s.block(0, i));
  }
  EXPECT_EQ(seen.size(), entities.size() * 5);
  EXPECT_NE(sim::Stream(key, 1).block(0, 0), sim::Stream(key, 2).block(0, 0));
  EXPECT_NE(sim::Stream(key, 1).block(0, 0), sim::Stream(key, 1ull << 32 | 1).block(0, 0));
}

TEST(Random, DistinctPurposesGiveDistinctStreams) {
  const sim::Stream s(sim::stream_key(9, 1), 77);
  std::set<Block> seen;
  for (std::uint32_t purpose = 0; purpose < 100; ++purpose)
    for (std::uint32_t i = 0; i < 10; ++i) seen.insert(s.block(purpose, i));
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_NE(s.block(0, 0), s.block(1, 0));
  // (purpose, index) is not symmetric
  EXPECT_NE(s.block(1, 2), s.block(2, 1));
}

TEST(Random, UniformsLieInOpenUnitInterval) {
  // The extremes of the mapping must stay strictly inside (0,1): a uniform
  // of exactly 1 makes -log1p(-u) infinite (an exponential sample of +inf).
  EXPECT_GT(sim::to_open_unit(0u, 0u), 0.0);
  EXPECT_LT(sim::to_open_unit(0xffffffffu, 0xffffffffu), 1.0);
  EXPECT_LT(sim::to_open_unit(0xffffffffu, 0xfffff800u), 1.0);
  EXPECT_TRUE(std::isfinite(sim::Distribution::exponential(1.0).quantile(sim::to_open_unit(0xffffffffu, 0xffffffffu))));
  const sim::Uniforms extreme = sim::to_uniforms({0u, 0u, 0xffffffffu, 0xffffffffu});
  EXPECT_GT(extreme.first, 0.0);
  EXPECT_LT(extreme.second, 1.0);

  const sim::Stream s(sim::stream_key(3, 0), 5);
  for (std::uint32_t i = 0; i < 20000; ++i) {
    const sim::Uniforms u = s.uniforms(0, i);
    ASSERT_GT(u.first, 0.0);
    ASSERT_LT(u.first, 1.0);
    ASSERT_GT(u.second, 0.0);
    ASSERT_LT(u.second, 1.0);
    ASSERT_EQ(s.uniform(0, i), u.first);
  }
}

TEST(Random, UniformsUseBothHalvesOfTheBlock) {
  const Block b{0x12345678u, 0x9abcdef0u, 0x0fedcba9u, 0x87654321u};
  const sim::Uniforms u = sim::to_uniforms(b);
  EXPECT_EQ(u.first, sim::to_open_unit(b[0], b[1]));
  EXPECT_EQ(u.second, sim::to_open_unit(b[2], b[3]));
  EXPECT_NE(u.first, u.second);
}

TEST(Random, StreamKeyDiffersBetweenReplicationsAndSeeds) {
  std::set<std::uint64_t> keys;
  for (std::uint64_t seed = 0; seed < 20; ++seed)
    for (std::uint32_t rep = 0; rep < 20; ++rep) keys.insert(sim::stream_key(seed, rep));
  EXPECT_EQ(keys.size(), 400u);
  EXPECT_NE(sim::stream_key(1, 0), sim::stream_key(1, 1));
  EXPECT_NE(sim::stream_key(1, 0), sim::stream_key(2, 0));
  EXPECT_EQ(sim::stream_key(7, 3), sim::stream_key(7, 3));
  // Different replications must give different draws for the same entity.
  EXPECT_NE(sim::Stream(sim::stream_key(1, 0), 10).block(0, 0), sim::Stream(sim::stream_key(1, 1), 10).block(0, 0));
}

TEST(Random, StableIdIsStableAndDistinguishesNames) {
  constexpr std::uint64_t a = sim::stable_id("station");
  EXPECT_EQ(a, sim::stable_id(std::string("station")));
  EXPECT_NE(sim::stable_id("station"), sim::stable_id("stations"));
  EXPECT_NE(sim::stable_id(""), sim::stable_id("a"));
  EXPECT_NE(sim::mix64(0), sim::mix64(1));
}

TEST(Random, RoughUniformity) {
  constexpr int kDraws = 100000, kBins = 20;
  const sim::Stream s(sim::stream_key(2024, 0), 99);
  std::array<int, kBins> bins{};
  std::array<int, kBins> bins_second{};
  double sum = 0.0, sum_second = 0.0;
  for (std::uint32_t i = 0; i < kDraws; ++i) {
    const sim::Uniforms u = s.uniforms(1, i);
    sum += u.first;
    sum_second += u.second;
    ++bins[static_cast<int>(u.first * kBins)];
    ++bins_second[static_cast<int>(u.second * kBins)];
  }
  // Mean: sd of the mean is sqrt(1/12/1e5) ~ 0.0009; allow ~5.5 sd.
  EXPECT_NEAR(sum / kDraws, 0.5, 0.005);
  EXPECT_NEAR(sum_second / kDraws, 0.5, 0.005);
  auto chi2 = [&](const std::array<int, kBins>& b) {
    const double expected = static_cast<double>(kDraws) / kBins;
    double c = 0.0;
    for (int n : b) c += (n - expected) * (n - expected) / expected;
    return c;
  };
  // 19 degrees of freedom: the 99.99th percentile is about 49.
  EXPECT_LT(chi2(bins), 50.0);
  EXPECT_LT(chi2(bins_second), 50.0);
  // And not suspiciously perfect either (a counter mapped linearly would be).
  EXPECT_GT(chi2(bins) + chi2(bins_second), 0.5);
}

TEST(Random, ConsecutiveIndicesAreUncorrelated) {
  constexpr int kDraws = 50000;
  const sim::Stream s(sim::stream_key(5, 2), 17);
  double sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0;
  for (std::uint32_t i = 0; i < kDraws; ++i) {
    const double x = s.uniform(0, i), y = s.uniform(0, i + 1);
    sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y;
  }
  const double n = kDraws;
  const double cov = sxy / n - sx / n * sy / n;
  const double corr = cov / std::sqrt((sxx / n - sx / n * sx / n) * (syy / n - sy / n * sy / n));
  EXPECT_LT(std::abs(corr), 0.03);  // sd ~ 0.0045
}

}  // namespace
