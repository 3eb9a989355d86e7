// models/population.cpp: laying out residents and wiring their social graph.
#include "models/population.hpp"

#include <algorithm>
#include <cmath>

#include "sim/random.hpp"

namespace govsim {

namespace {
enum Purpose : std::uint32_t { kSocialRewire = 1, kSocialTarget = 2 };
}

Residents::Residents(const Scenario& scenario, const Organisation& org, std::uint64_t seed) {
  std::uint64_t total = 0;
  for (const auto& p : scenario.populations) {
    const auto* g = scenario.unit_group(p.at);
    total += static_cast<std::uint64_t>(g->count) * static_cast<std::uint64_t>(p.residents_per_unit);
  }
  if (total >= 0xFFFFFFF0ull) throw ScenarioError(scenario.path, 0, 0, "more than 4 billion residents");
  // Group ids across populations.
  for (const auto& p : scenario.populations)
    for (const auto& g : p.groups)
      group_names_.push_back(scenario.populations.size() > 1 ? p.name + "." + g.name : g.name);
  // Blocks: per home unit, per population, per group; contiguous ids.
  std::vector<std::vector<ResidentBlock>> per_unit(org.size());
  std::uint16_t gid_base = 0;
  for (std::uint16_t pi = 0; pi < scenario.populations.size(); ++pi) {
    const auto& p = scenario.populations[pi];
    const std::uint32_t g = org.group_index(p.at);
    const std::uint32_t first = org.first_member(g);
    for (std::uint32_t m = first; m < first + static_cast<std::uint32_t>(scenario.units[g].count); ++m) {
      // Largest-remainder split of residents_per_unit over groups.
      std::vector<std::uint32_t> sizes(p.groups.size());
      std::uint32_t assigned = 0;
      for (std::size_t k = 0; k < p.groups.size(); ++k) {
        sizes[k] = static_cast<std::uint32_t>(std::floor(p.groups[k].share * p.residents_per_unit));
        assigned += sizes[k];
      }
      for (std::size_t k = 0; assigned < static_cast<std::uint32_t>(p.residents_per_unit); k = (k + 1) % sizes.size())
        if (p.groups[k].share > 0) ++sizes[k], ++assigned;
      for (std::uint16_t k = 0; k < p.groups.size(); ++k)
        if (sizes[k] > 0) per_unit[m].push_back(ResidentBlock{m, 0, sizes[k], pi, k, static_cast<std::uint16_t>(gid_base + k)});
    }
    gid_base = static_cast<std::uint16_t>(gid_base + p.groups.size());
  }
  block_begin_.assign(org.size() + 1, 0);
  resident_begin_.assign(org.size() + 1, 0);
  std::uint32_t next = 0;
  for (std::uint32_t u = 0; u < org.size(); ++u) {
    block_begin_[u] = static_cast<std::uint32_t>(blocks_.size());
    resident_begin_[u] = next;
    for (auto b : per_unit[u]) {
      b.first = next;
      next += b.size;
      blocks_.push_back(b);
      block_first_.push_back(b.first);
    }
  }
  block_begin_[org.size()] = static_cast<std::uint32_t>(blocks_.size());
  resident_begin_[org.size()] = next;
  size_ = next;

  // Social graph: ring lattice within each home unit's population, with a
  // share of ties rewired to a random resident anywhere. The ties are made
  // twice, the same way: once to count each resident's ties, once to file
  // them (no list of all ties is ever held). The random draws are made in the
  // first pass only: which lattice ties were rewired (one bit each), and to
  // whom (in the order made), are kept for the second.
  const std::uint32_t n = next;
  std::vector<std::uint64_t> rewired;   // bit per lattice tie, in the order made
  std::vector<std::uint32_t> rewired_to;
  bool drawing = true;                  // first pass: draw; second: replay
  auto make_ties = [&](auto&& tie) {
    std::uint64_t step = 0;
    std::size_t next_target = 0;
    for (std::uint16_t pi = 0; pi < scenario.populations.size(); ++pi) {
      const auto& p = scenario.populations[pi];
      if (p.neighbours == 0) continue;
      const std::uint32_t half = static_cast<std::uint32_t>(p.neighbours / 2);
      for (std::uint32_t u = 0; u < org.size(); ++u) {
        std::uint32_t lo = 0xFFFFFFFFu, hi = 0;
        for (std::uint32_t b = block_begin_[u]; b < block_begin_[u + 1]; ++b)
          if (blocks_[b].population == pi) lo = std::min(lo, blocks_[b].first), hi = std::max(hi, blocks_[b].first + blocks_[b].size);
        if (lo >= hi) continue;
        const std::uint32_t size = hi - lo;
        for (std::uint32_t r = lo; r < hi; ++r) {
          const sim::Stream stream(sim::stream_key(seed, 0), 0x5EED000000000000ull ^ r);  // first pass only
          for (std::uint32_t j = 1; j <= half && j < size; ++j, ++step) {
            std::uint32_t v = lo + (r - lo + j) % size;
            if (drawing) {
              if (step / 64 == rewired.size()) rewired.push_back(0);
              if (p.long_link_share > 0 && stream.uniform(kSocialRewire, j) < p.long_link_share) {
                v = static_cast<std::uint32_t>(stream.uniform(kSocialTarget, j) * n) % n;
                rewired[step / 64] |= std::uint64_t{1} << (step % 64);
                rewired_to.push_back(v);
              }
            } else if (rewired[step / 64] >> (step % 64) & 1u) {
              v = rewired_to[next_target++];
            }
            if (v == r) continue;
            tie(r, v);
            tie(v, r);
          }
        }
      }
    }
  };
  // Count (into tie_begin_[r + 1]), then offsets, then file each tie at its
  // row's insertion point (tie_begin_[r] walks to the row's end), then shift
  // back: every row lists its ties in the order they were made.
  tie_begin_.assign(std::size_t{n} + 1, 0);
  std::uint64_t total_ties = 0;
  make_ties([&](std::uint32_t a, std::uint32_t) { ++tie_begin_[a + 1], ++total_ties; });
  if (total_ties >= 0xFFFFFFFFull) throw ScenarioError(scenario.path, 0, 0, "more than 4 billion social ties");
  for (std::uint32_t r = 0; r < n; ++r) tie_begin_[r + 1] += tie_begin_[r];
  ties_.resize(total_ties);
  drawing = false;
  make_ties([&](std::uint32_t a, std::uint32_t b) { ties_[tie_begin_[a]++] = b; });
  for (std::uint32_t r = n; r > 0; --r) tie_begin_[r] = tie_begin_[r - 1];
  tie_begin_[0] = 0;
}

std::uint32_t Residents::block_of(std::uint32_t r) const noexcept {
  return static_cast<std::uint32_t>(std::upper_bound(block_first_.begin(), block_first_.end(), r) - block_first_.begin()) - 1;
}

std::uint64_t Residents::memory_bytes() const noexcept {
  return (tie_begin_.capacity() + ties_.capacity() + block_first_.capacity() + block_begin_.capacity() +
          resident_begin_.capacity()) * sizeof(std::uint32_t) + blocks_.capacity() * sizeof(ResidentBlock);
}

std::uint64_t estimate_memory_bytes(const Scenario& scenario, const Organisation& org) {
  std::uint64_t residents = 0, ties = 0;
  double need_rate = 0.0;  // needs per hour
  for (const auto& p : scenario.populations) {
    const auto* g = scenario.unit_group(p.at);
    const std::uint64_t n = static_cast<std::uint64_t>(g->count) * static_cast<std::uint64_t>(p.residents_per_unit);
    residents += n;
    ties += n * static_cast<std::uint64_t>(p.neighbours);
    for (const auto& grp : p.groups) {
      double rate = 0.0;
      for (const auto& [t, r] : grp.need_rates) rate += r;
      need_rate += static_cast<double>(n) * grp.share * rate;
    }
  }
  // Per resident: willingness and a tie offset (8 B); per tie end 4 B; per
  // need an outcome record (44 B, up to twice that while its vector grows);
  // plus units, their queues and events. (Measured at city scale:
  // docs/performance.md.)
  const double needs = need_rate * (scenario.simulation.horizon_h - scenario.simulation.warmup_h);
  return residents * 8 + ties * 4 + static_cast<std::uint64_t>(needs * 88.0) + org.size() * 16384 + (32u << 20);
}

}  // namespace govsim
