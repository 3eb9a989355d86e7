// sim/random.hpp: counter-based random numbers (Philox4x32-10, Salmon et al. 2011).
//
// Why counter-based: a draw is a pure function of (key, counter), so a random
// number belongs to an *entity* and a *purpose*, never to a thread or to the
// order in which events happen to run. That gives byte-identical results for
// any thread count, and the same numbers for the same resident/request in two
// different scenarios (common random numbers for paired comparisons).
//
// Contract: key = one 64-bit stream key (the master seed mixed with the
// replication index); counter = {draw index, purpose, entity id low, entity
// id high}. Every sample of every distribution consumes exactly one block
// (four 32-bit words), so the n-th sample of a purpose is always counter n.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace sim {

/// One Philox4x32-10 output block.
using Block = std::array<std::uint32_t, 4>;

/// The bijection itself: 10 rounds over a 128-bit counter with a 64-bit key.
constexpr Block philox4x32_10(Block counter, std::array<std::uint32_t, 2> key) noexcept {
  constexpr std::uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr std::uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += kWeyl0;
      key[1] += kWeyl1;
    }
    const std::uint64_t p0 = std::uint64_t{kMul0} * counter[0];
    const std::uint64_t p1 = std::uint64_t{kMul1} * counter[2];
    counter = {static_cast<std::uint32_t>(p1 >> 32) ^ counter[1] ^ key[0], static_cast<std::uint32_t>(p1),
               static_cast<std::uint32_t>(p0 >> 32) ^ counter[3] ^ key[1], static_cast<std::uint32_t>(p0)};
  }
  return counter;
}

/// SplitMix64 finaliser: used to derive stream keys and stable entity ids
/// from names, never to draw model randomness.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// Stable 64-bit id of a name (FNV-1a then mixed): the same unit name gets the
/// same stream in every scenario that contains it.
constexpr std::uint64_t stable_id(std::string_view name) noexcept {
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ull;
  }
  return mix64(h);
}

/// Two uniforms in the open interval (0,1), 53 bits each, from one block.
struct Uniforms {
  double first;
  double second;
};

constexpr double to_open_unit(std::uint32_t hi, std::uint32_t lo) noexcept {
  const std::uint64_t bits = ((std::uint64_t{hi} << 32) | lo) >> 11;  // 53 bits
  // (2^53 - 1 + 0.5) * 2^-53 rounds to 1.0 in double: keep the interval open.
  const double u = (static_cast<double>(bits) + 0.5) * 0x1.0p-53;
  return u < 1.0 ? u : 0x1.fffffffffffffp-1;
}

constexpr Uniforms to_uniforms(const Block& b) noexcept { return {to_open_unit(b[0], b[1]), to_open_unit(b[2], b[3])}; }

/// The random stream of one entity in one replication. Cheap to construct
/// (two words); holds no mutable state: the caller names the draw.
class Stream {
 public:
  constexpr Stream(std::uint64_t stream_key, std::uint64_t entity) noexcept
      : key_{static_cast<std::uint32_t>(stream_key), static_cast<std::uint32_t>(stream_key >> 32)}, entity_(entity) {}

  /// The block for draw `index` of `purpose`.
  constexpr Block block(std::uint32_t purpose, std::uint32_t index) const noexcept {
    return philox4x32_10(
        {index, purpose, static_cast<std::uint32_t>(entity_), static_cast<std::uint32_t>(entity_ >> 32)}, key_);
  }
  constexpr Uniforms uniforms(std::uint32_t purpose, std::uint32_t index) const noexcept {
    return to_uniforms(block(purpose, index));
  }
  constexpr double uniform(std::uint32_t purpose, std::uint32_t index) const noexcept {
    return uniforms(purpose, index).first;
  }
  constexpr std::uint64_t entity() const noexcept { return entity_; }

 private:
  std::array<std::uint32_t, 2> key_;
  std::uint64_t entity_;
};

/// Stream key for replication `replication` of master seed `seed`. The same
/// (seed, replication) gives the same key in every scenario.
constexpr std::uint64_t stream_key(std::uint64_t seed, std::uint32_t replication) noexcept {
  return mix64(seed ^ mix64(0xA5A5A5A5ull + replication));
}

}  // namespace sim
