// models/domain/population.cpp: laying out residents and wiring their social graph.
#include "models/domain/population.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/domain/journey.hpp"  // the sizes of the records a run keeps
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
  if (total >= 0xFFFFFFF0ull) throw ResourceLimitError(scenario.path, 0, 0, "more than 4 billion residents");
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
  if (total_ties >= 0xFFFFFFFFull) throw ResourceLimitError(scenario.path, 0, 0, "more than 4 billion social ties");
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

std::uint64_t estimate_memory_bytes(const Scenario& scenario, const Organisation& org, int models_at_once) {
  const auto& sim = scenario.simulation;
  const std::size_t types = scenario.request_types.size();
  double residents = 0, ties = 0;
  std::vector<double> demand(types, 0.0);  // needs per hour, by request type
  for (const auto& p : scenario.populations) {
    const auto* g = scenario.unit_group(p.at);
    const double n = static_cast<double>(g->count) * static_cast<double>(p.residents_per_unit);
    residents += n;
    ties += n * p.neighbours;
    for (const auto& grp : p.groups)
      for (const auto& [t, r] : grp.need_rates) demand[static_cast<std::size_t>(scenario.request_type_index(t))] += n * grp.share * r;
  }
  // An overloaded unit holds every request it cannot serve until the horizon:
  // with demand at ten times capacity, nine in ten of its requests are still
  // alive at the end, each a case (JourneyModel::Item) in its partition plus a queue entry.
  // Split each type's demand over the groups that resolve it in proportion to
  // their staff time, and count what exceeds each group's capacity. (Rough:
  // triage and co-signs also take staff time, and abandonment only lowers it.)
  const auto& groups = scenario.units;
  std::vector<double> capacity(groups.size()), arrivals(groups.size(), 0.0), work(groups.size(), 0.0);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    // Places x the share of the week they work x the share not diverted.
    double week_h = 168.0;
    if (const CalendarSpec* c = scenario.calendar_of(groups[g])) {
      week_h = 0.0;
      for (const auto& day : c->week)
        for (const auto& [open, close] : day) week_h += close - open;
    }
    const double year_h = week_h * 365.0 / 7.0;
    const double diverted = (groups[g].admin_hours_per_year + groups[g].economic_hours_per_year) /
                            std::max(1.0, year_h * (groups[g].staff + groups[g].volunteers));
    capacity[g] = (groups[g].staff + groups[g].volunteers) * static_cast<double>(groups[g].count) * week_h / 168.0 *
                  std::max(0.05, 1.0 - diverted);
  }
  double open_rate = 0.0;  // requests per hour that join a backlog
  for (std::size_t t = 0; t < types; ++t) {
    const std::string& name = scenario.request_types[t].name;
    double resolving = 0.0;
    for (std::size_t g = 0; g < groups.size(); ++g) resolving += groups[g].resolves.count(name) ? capacity[g] : 0.0;
    if (!(resolving > 0.0)) continue;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const auto it = groups[g].resolves.find(name);
      if (it == groups[g].resolves.end()) continue;
      const double share = demand[t] * capacity[g] / resolving;
      arrivals[g] += share;
      work[g] += share * it->second.mean();
    }
  }
  for (std::size_t g = 0; g < groups.size(); ++g)
    if (work[g] > capacity[g]) open_rate += arrivals[g] * (1.0 - capacity[g] / work[g]);
  double total_demand = 0.0;
  for (double d : demand) total_demand += d;
  const double units = static_cast<double>(org.size());
  const double replications = sim.replications;
  const double samples = units * (std::floor(sim.horizon_h / sim.sample_interval_h) + 1.0) * replications;
  // Resident arrays (~12 B, and each model's willingness 4 B) and social ties (4 B, and 8 B more while building).
  // One outcome record per measured need, in vectors that grow by doubling.
  // Requests alive at the horizon (from time 0: the warm-up's too), the same.
  // Time-series rows kept for every replication, and their CSV text. Per unit:
  // engine queues and tables, and per-replication metrics.
  // Replications running side by side each hold their records and requests.
  const double bytes = residents * 12.0 + ties * 12.0 +
                       std::max(1, models_at_once) *
                           (residents * 4.0 + total_demand * (sim.horizon_h - sim.warmup_h) * 2.0 * sizeof(Outcome) +
                            open_rate * sim.horizon_h * (2.0 * sizeof(JourneyModel::Item) + 16.0)) +
                       samples * 256.0 +
                       units * (4096.0 + 1024.0 * replications);
  // Absurd scenarios can exceed what 64 bits count (and the cast would be undefined).
  return bytes < 1.8e19 ? static_cast<std::uint64_t>(bytes) : std::numeric_limits<std::uint64_t>::max();
}

}  // namespace govsim
