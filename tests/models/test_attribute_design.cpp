// The two-level designs of `govsim attribute` (models/app/sweep/explore.hpp): the full
// 2^k factorial and the resolution V fractions for 5..10 elements. A fraction
// must be balanced (every element on in half the rows), its main-effect
// columns orthogonal, and no two-way interaction aliased with a main effect or
// another two-way interaction (resolution V): every main and two-way column is
// orthogonal to every other.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/app/sweep/explore.hpp"

namespace {

using govsim::two_level_design;

int sign(std::uint32_t row, std::size_t i) { return ((row >> i) & 1u) ? 1 : -1; }

/// Columns of the main effects and two-way interactions (±1 per row), with names.
std::vector<std::pair<std::string, std::vector<int>>> effect_columns(const std::vector<std::uint32_t>& rows, std::size_t k) {
  std::vector<std::pair<std::string, std::vector<int>>> cols;
  for (std::size_t i = 0; i < k; ++i) {
    std::vector<int> c;
    for (auto r : rows) c.push_back(sign(r, i));
    cols.push_back({std::string(1, govsim::design_letter(i)), c});
  }
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t l = i + 1; l < k; ++l) {
      std::vector<int> c;
      for (auto r : rows) c.push_back(sign(r, i) * sign(r, l));
      cols.push_back({std::string(1, govsim::design_letter(i)) + govsim::design_letter(l), c});
    }
  return cols;
}

/// The first pair of effects (mains, two-way interactions) that are not orthogonal; "" when all are.
std::string first_aliased_pair(const std::vector<std::uint32_t>& rows, std::size_t k) {
  const auto cols = effect_columns(rows, k);
  for (std::size_t a = 0; a < cols.size(); ++a) {
    long sum = 0;
    for (int x : cols[a].second) sum += x;
    if (sum != 0) return cols[a].first + " unbalanced";
    for (std::size_t b = a + 1; b < cols.size(); ++b) {
      long dot = 0;
      for (std::size_t r = 0; r < rows.size(); ++r) dot += cols[a].second[r] * cols[b].second[r];
      if (dot != 0) return cols[a].first + " ~ " + cols[b].first;
    }
  }
  return "";
}

TEST(AttributeDesign, FullFactorialHasEveryCombination) {
  const auto d = two_level_design(3, false);
  EXPECT_TRUE(d.full);
  EXPECT_EQ(d.rows.size(), 8u);
  EXPECT_EQ(d.name(), "2^3 full factorial");
  EXPECT_EQ(first_aliased_pair(d.rows, 3), "");
}

TEST(AttributeDesign, FractionsAreBalancedOrthogonalAndResolutionV) {
  const std::vector<std::size_t> runs = {16, 32, 64, 64, 128, 128};  // k = 5..10
  for (std::size_t k = 5; k <= 10; ++k) {
    SCOPED_TRACE("k = " + std::to_string(k));
    const auto d = two_level_design(k, true);
    EXPECT_FALSE(d.full);
    EXPECT_EQ(d.rows.size(), runs[k - 5]);
    EXPECT_EQ(std::set<std::uint32_t>(d.rows.begin(), d.rows.end()).size(), d.rows.size()) << "repeated rows";
    EXPECT_EQ(d.generators.size(), static_cast<std::size_t>(__builtin_ctz(1u << k) - __builtin_ctz(d.rows.size())));
    // main effects and two-way interactions: balanced and mutually orthogonal
    EXPECT_EQ(first_aliased_pair(d.rows, k), "");
    // the defining relation holds in every row (each word's product of signs is +1), and its
    // shortest word is the resolution, at least V
    ASSERT_EQ(d.defining_relation.size(), (1u << d.generators.size()) - 1);
    std::size_t shortest = 100;
    for (const auto& w : d.defining_relation) {
      shortest = std::min(shortest, w.size());
      for (auto r : d.rows) {
        int product = 1;
        for (char letter : w) product *= sign(r, std::string("ABCDEFGHJK").find(letter));
        EXPECT_EQ(product, 1) << "word " << w;
      }
    }
    EXPECT_EQ(static_cast<std::size_t>(d.resolution), shortest);
    EXPECT_GE(d.resolution, 5);
    EXPECT_NE(d.name().find("resolution V"), std::string::npos) << d.name();
  }
  EXPECT_EQ(two_level_design(6, true).name(), "2^(6-1) fractional factorial, resolution VI");
  EXPECT_EQ(two_level_design(8, true).generators, (std::vector<std::string>{"G = ABCD", "H = ABEF"}));
}

TEST(AttributeDesign, TheCheckFindsTheAliasingOfAResolutionIVFraction) {
  // 2^(6-2)_IV, E = ABC, F = BCD: AB is aliased with CE, so the check must say so.
  std::vector<std::uint32_t> rows;
  for (std::uint32_t b = 0; b < 16; ++b) {
    auto on = [&](int i) { return (b >> i) & 1u ? 1 : -1; };
    std::uint32_t r = b;
    if (on(0) * on(1) * on(2) > 0) r |= 1u << 4;
    if (on(1) * on(2) * on(3) > 0) r |= 1u << 5;
    rows.push_back(r);
  }
  EXPECT_NE(first_aliased_pair(rows, 6), "");
}

TEST(AttributeDesign, OutOfRangeIsRefused) {
  EXPECT_THROW(two_level_design(11, true), std::invalid_argument);
  EXPECT_THROW(two_level_design(4, true), std::invalid_argument);
  EXPECT_THROW(two_level_design(0, false), std::invalid_argument);
}

}  // namespace
