// tests/sim/test_sobol.cpp: quasi-random Sobol' points (sim/sobol.hpp) and the
// Sobol' index estimators on the Ishigami function, whose indices are known
// in closed form (Ishigami & Homma 1990; Saltelli et al. 2010, Sobol' &
// Levitan 1999): with a = 7, b = 0.1, first-order 0.314, 0.442, 0 and total
// 0.558, 0.442, 0.244.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <set>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "sim/random.hpp"
#include "sim/sobol.hpp"

namespace {

constexpr double kA = 7.0, kB = 0.1, kPi = std::numbers::pi;

double ishigami(double x1, double x2, double x3) {
  const double s2 = std::sin(x2);
  return std::sin(x1) + kA * s2 * s2 + kB * x3 * x3 * x3 * x3 * std::sin(x1);
}

struct Indices {
  double first[3], total[3];
};

/// The exact indices: V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V13 = 8 b^2 pi^8 / 225.
Indices ishigami_exact() {
  const double pi4 = std::pow(kPi, 4), pi8 = pi4 * pi4;
  const double v1 = 0.5 * (1 + kB * pi4 / 5) * (1 + kB * pi4 / 5), v2 = kA * kA / 8, v13 = 8 * kB * kB * pi8 / 225;
  const double v = v1 + v2 + v13;
  return {{v1 / v, v2 / v, 0.0}, {(v1 + v13) / v, v2 / v, v13 / v}};
}

/// Indices estimated from N base samples: row j holds A_j (coordinates 0-2)
/// and B_j (3-5) in the unit cube, mapped to [-pi, pi]^3.
Indices estimate(const std::vector<std::vector<double>>& rows) {
  const std::size_t n = rows.size();
  auto x = [](double u) { return -kPi + 2 * kPi * u; };
  std::vector<double> fa(n), fb(n);
  std::vector<std::vector<double>> fab(3, std::vector<double>(n));
  std::vector<std::size_t> use(n);
  for (std::size_t j = 0; j < n; ++j) {
    const auto& r = rows[j];
    fa[j] = ishigami(x(r[0]), x(r[1]), x(r[2]));
    fb[j] = ishigami(x(r[3]), x(r[4]), x(r[5]));
    for (int i = 0; i < 3; ++i) {
      double a[3] = {r[0], r[1], r[2]};
      a[i] = r[3 + i];
      fab[i][j] = ishigami(x(a[0]), x(a[1]), x(a[2]));
    }
    use[j] = j;
  }
  Indices out{};
  for (int i = 0; i < 3; ++i) std::tie(out.first[i], out.total[i]) = sim::sobol_indices(fa, fb, fab[i], use);
  return out;
}

std::vector<std::vector<double>> pseudo_random_rows(std::size_t n, std::uint64_t seed) {
  const sim::Stream s(sim::stream_key(seed, 0), sim::stable_id("ishigami-pseudo-random"));
  std::vector<std::vector<double>> rows(n, std::vector<double>(6));
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t d = 0; d < 6; ++d) rows[j][d] = s.uniform(static_cast<std::uint32_t>(d), static_cast<std::uint32_t>(j));
  return rows;
}

/// Root mean square error of the six indices.
double rms_error(const Indices& got, const Indices& exact) {
  double sum = 0;
  for (int i = 0; i < 3; ++i) {
    sum += (got.first[i] - exact.first[i]) * (got.first[i] - exact.first[i]);
    sum += (got.total[i] - exact.total[i]) * (got.total[i] - exact.total[i]);
  }
  return std::sqrt(sum / 6);
}

TEST(SobolIndices, IshigamiExactValuesAreThePublishedOnes) {
  const Indices e = ishigami_exact();
  EXPECT_NEAR(e.first[0], 0.314, 5e-4);
  EXPECT_NEAR(e.first[1], 0.442, 5e-4);
  EXPECT_EQ(e.first[2], 0.0);
  EXPECT_NEAR(e.total[0], 0.558, 5e-4);
  EXPECT_NEAR(e.total[1], 0.442, 5e-4);
  EXPECT_NEAR(e.total[2], 0.244, 5e-4);
}

// Saltelli et al. (2010): quasi-random points give the same accuracy for
// fewer runs. At equal N, the error averaged over ten seeds must be clearly
// smaller with the (digitally shifted) Sobol' sequence than with Philox
// pseudo-random points, at every N, and must fall faster as N grows.
TEST(SobolIndices, IshigamiConvergesFasterWithQuasiRandomPoints) {
  const Indices exact = ishigami_exact();
  constexpr int kSeeds = 10;
  const std::size_t sizes[] = {256, 1024, 4096, 16384};
  double quasi[4] = {}, pseudo[4] = {};
  for (int m = 0; m < 4; ++m) {
    for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
      quasi[m] += rms_error(estimate(sim::sobol_points(sizes[m], 6, seed)), exact) / kSeeds;
      pseudo[m] += rms_error(estimate(pseudo_random_rows(sizes[m], seed)), exact) / kSeeds;
    }
    std::printf("Ishigami N = %5zu: mean RMS error of the six indices over %d seeds: quasi-random %.5f, "
                "pseudo-random %.5f (ratio %.2f)\n",
                sizes[m], kSeeds, quasi[m], pseudo[m], pseudo[m] / quasi[m]);
  }
  for (int m = 0; m < 4; ++m) EXPECT_LT(quasi[m], 0.7 * pseudo[m]) << "N = " << sizes[m];
  // Monte Carlo error falls as N^-1/2 (x 1/8 from 256 to 16384); quasi-random faster.
  EXPECT_LT(quasi[3] / quasi[0], 0.5 * pseudo[3] / pseudo[0]);
  EXPECT_LT(quasi[3], 0.01);
}

TEST(SobolPoints, DeterministicForASeedAndDifferentAcrossSeeds) {
  const auto a = sim::sobol_points(64, 5, 42), b = sim::sobol_points(64, 5, 42), c = sim::sobol_points(64, 5, 43);
  EXPECT_EQ(a, b);
  ASSERT_EQ(a.size(), 64u);
  std::size_t same = 0;
  for (std::size_t j = 0; j < 64; ++j)
    for (std::size_t d = 0; d < 5; ++d) same += a[j][d] == c[j][d];
  EXPECT_EQ(same, 0u);
  // A prefix of a longer design is the shorter design.
  const auto longer = sim::sobol_points(100, 5, 42);
  for (std::size_t j = 0; j < 64; ++j) EXPECT_EQ(longer[j], a[j]);
}

// For n = 2^m, each coordinate of the Sobol' sequence puts one point in each
// interval [i/n, (i+1)/n), and the first two coordinates form a (0, m, 2)-net:
// every box [i/2^p, (i+1)/2^p) x [l/2^q, (l+1)/2^q) with p + q = m holds
// exactly one point. A digital shift keeps both; a shift modulo 1 or plain
// random points would not.
TEST(SobolPoints, DigitalShiftKeepsTheNetStructure) {
  for (std::uint64_t seed : {1u, 2u, 99u}) {
    constexpr int kM = 8;
    constexpr std::size_t kN = std::size_t{1} << kM;
    const auto x = sim::sobol_points(kN, 7, seed);
    for (std::size_t d = 0; d < 7; ++d) {
      std::set<std::size_t> strata;
      for (const auto& p : x) {
        ASSERT_GT(p[d], 0.0);
        ASSERT_LT(p[d], 1.0);
        strata.insert(static_cast<std::size_t>(p[d] * kN));
      }
      EXPECT_EQ(strata.size(), kN) << "seed " << seed << ", dimension " << d;
    }
    for (int p = 0; p <= kM; ++p) {
      std::set<std::pair<std::size_t, std::size_t>> boxes;
      for (const auto& pt : x)
        boxes.insert({static_cast<std::size_t>(pt[0] * (1 << p)), static_cast<std::size_t>(pt[1] * (1 << (kM - p)))});
      EXPECT_EQ(boxes.size(), kN) << "seed " << seed << ", boxes 2^-" << p << " x 2^-" << kM - p;
    }
  }
}

TEST(SobolPoints, ShiftIsRandomNotTheBareSequence) {
  // Unshifted, point 0 is the origin and point 1 is (1/2, ..., 1/2).
  const auto x = sim::sobol_points(2, 4, 7);
  for (std::size_t d = 0; d < 4; ++d) {
    EXPECT_GT(std::fabs(x[0][d] - 0.0), 1e-9);
    EXPECT_GT(std::fabs(x[1][d] - 0.5), 1e-9);
    // Point 1 differs from point 0 in the top bit only.
    EXPECT_NEAR(std::fabs(x[1][d] - x[0][d]), 0.5, 1e-15);
  }
}

TEST(SobolPoints, RejectsDimensionsOutsideTheTable) {
  EXPECT_THROW((void)sim::sobol_points(4, 0, 1), std::invalid_argument);
  EXPECT_THROW((void)sim::sobol_points(4, sim::kSobolMaxDimension + 1, 1), std::invalid_argument);
  EXPECT_EQ(sim::sobol_points(2, sim::kSobolMaxDimension, 1)[1].size(), sim::kSobolMaxDimension);
}

TEST(SobolIndices, AdditiveModelAndConstantOutput) {
  // f = x1 + 2 x2 on uniform inputs: S1 = ST = 1/5, 4/5, and exactly 0 for an input f ignores.
  const auto rows = sim::sobol_points(1024, 6, 3);
  const std::size_t n = rows.size();
  std::vector<double> fa(n), fb(n), f1(n), f2(n), f3(n), flat(n, 1.0);
  std::vector<std::size_t> use(n);
  for (std::size_t j = 0; j < n; ++j) {
    const auto& r = rows[j];
    fa[j] = r[0] + 2 * r[1], fb[j] = r[3] + 2 * r[4];
    f1[j] = r[3] + 2 * r[1], f2[j] = r[0] + 2 * r[4], f3[j] = fa[j];
    use[j] = j;
  }
  const auto [s1, t1] = sim::sobol_indices(fa, fb, f1, use);
  const auto [s2, t2] = sim::sobol_indices(fa, fb, f2, use);
  const auto [s3, t3] = sim::sobol_indices(fa, fb, f3, use);
  EXPECT_NEAR(s1, 0.2, 0.01);
  EXPECT_NEAR(t1, 0.2, 0.01);
  EXPECT_NEAR(s2, 0.8, 0.01);
  EXPECT_NEAR(t2, 0.8, 0.01);
  EXPECT_EQ(s3, 0.0);
  EXPECT_EQ(t3, 0.0);
  const auto [sf, tf] = sim::sobol_indices(flat, flat, flat, use);
  EXPECT_TRUE(std::isnan(sf));
  EXPECT_TRUE(std::isnan(tf));
}

}  // namespace
