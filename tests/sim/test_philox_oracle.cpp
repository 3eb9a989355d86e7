// tests/sim/test_philox_oracle.cpp: the project's Philox4x32-10 (sim/random.hpp)
// against Random123 (Salmon et al. 2011, the authors' reference
// implementation; Debian librandom123-dev), bit for bit, over a million
// counters and keys: random ones, the edge words, and the counter layout that
// sim::Stream uses.
#include <gtest/gtest.h>

#include <Random123/philox.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "sim/random.hpp"

namespace {

using Reference = r123::Philox4x32_R<10>;

sim::Block reference(const sim::Block& counter, std::uint32_t k0, std::uint32_t k1) {
  const Reference::ctr_type c = {{counter[0], counter[1], counter[2], counter[3]}};
  const Reference::key_type k = {{k0, k1}};
  const Reference::ctr_type r = Reference()(c, k);
  return {r.v[0], r.v[1], r.v[2], r.v[3]};
}

std::string hex(const sim::Block& b) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%08x %08x %08x %08x", b[0], b[1], b[2], b[3]);
  return buf;
}

TEST(PhiloxOracle, MatchesRandom123OnAMillionCountersAndKeys) {
  constexpr std::uint64_t kCases = 1u << 20;
  std::uint64_t mismatches = 0;
  for (std::uint64_t i = 0; i < kCases; ++i) {
    sim::Block counter;
    std::uint32_t k0, k1;
    const std::uint64_t r0 = sim::mix64(3 * i), r1 = sim::mix64(3 * i + 1), r2 = sim::mix64(3 * i + 2);
    switch (i % 4) {
      case 0:  // every word random
        counter = {static_cast<std::uint32_t>(r0), static_cast<std::uint32_t>(r0 >> 32),
                   static_cast<std::uint32_t>(r1), static_cast<std::uint32_t>(r1 >> 32)};
        k0 = static_cast<std::uint32_t>(r2), k1 = static_cast<std::uint32_t>(r2 >> 32);
        break;
      case 1: {  // sim::Stream's layout: {draw index, purpose, entity low, entity high}, key from (seed, replication)
        const std::uint64_t key = sim::stream_key(i % 1000, static_cast<std::uint32_t>(i % 7));
        const std::uint64_t entity = r0 % 4 == 0 ? i : r0;
        counter = {static_cast<std::uint32_t>(i / 4), static_cast<std::uint32_t>(r1 % 16),
                   static_cast<std::uint32_t>(entity), static_cast<std::uint32_t>(entity >> 32)};
        k0 = static_cast<std::uint32_t>(key), k1 = static_cast<std::uint32_t>(key >> 32);
        break;
      }
      case 2: {  // edge words: 0, 1, 0x7fffffff, 0x80000000, 0xffffffff in every position
        static constexpr std::uint32_t kEdges[] = {0u, 1u, 0x7fffffffu, 0x80000000u, 0xffffffffu};
        std::uint64_t e = i / 4;
        for (auto& w : counter) w = kEdges[e % 5], e /= 5;
        k0 = kEdges[e % 5], e /= 5;
        k1 = kEdges[e % 5];
        if (i / 4 >= 15625) counter[static_cast<std::size_t>(r0 % 4)] ^= static_cast<std::uint32_t>(r1);
        break;
      }
      default:  // consecutive counters under one random key (carries across words)
        counter = {static_cast<std::uint32_t>(0xfffffff0u + i / 4), static_cast<std::uint32_t>(i / 64),
                   static_cast<std::uint32_t>(r0), 0u};
        k0 = static_cast<std::uint32_t>(r1), k1 = 0x9e3779b9u;
        break;
    }
    const sim::Block ours = sim::philox4x32_10(counter, {k0, k1});
    const sim::Block theirs = reference(counter, k0, k1);
    if (ours != theirs && ++mismatches <= 5)
      ADD_FAILURE() << "case " << i << ": counter " << hex(counter) << ", key " << std::hex << k0 << " " << k1
                    << ": govsim " << hex(ours) << ", Random123 " << hex(theirs);
  }
  EXPECT_EQ(mismatches, 0u) << "of " << kCases << " cases";
}

// The oracle itself on the published known answers (Random123's kat_vectors).
TEST(PhiloxOracle, Random123GivesThePublishedKnownAnswers) {
  EXPECT_EQ(reference({0u, 0u, 0u, 0u}, 0u, 0u), (sim::Block{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  EXPECT_EQ(reference({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, 0xa4093822u, 0x299f31d0u),
            (sim::Block{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

// A Stream's block is Random123's Philox of the documented counter and key.
TEST(PhiloxOracle, StreamBlocksAreRandom123Blocks) {
  const std::uint64_t key = sim::stream_key(20261128, 3), entity = sim::stable_id("committee-17");
  const sim::Stream s(key, entity);
  for (std::uint32_t purpose = 0; purpose < 8; ++purpose)
    for (std::uint32_t index = 0; index < 1000; ++index)
      ASSERT_EQ(s.block(purpose, index),
                reference({index, purpose, static_cast<std::uint32_t>(entity), static_cast<std::uint32_t>(entity >> 32)},
                          static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32)))
          << purpose << " " << index;
}

}  // namespace
