// models/domain/population.hpp: residents and their social graph.
//
// Millions of residents must fit in memory and be reached quickly, so a
// resident is only an index: residents of one home unit are contiguous, split
// into blocks by group in order, and a resident's home and group follow from
// the block it falls in (the blocks are few and stay in cache). What changes
// (willingness, one float per resident) is owned by the partition of the
// resident's home unit (journey.hpp: UnitPartition).
//
// The social graph is a compressed sparse row graph (row offsets and
// neighbour ids, 4 bytes each): most ties link neighbours of the same home
// unit (a ring lattice), a configurable share are long links to residents
// elsewhere (Watts-Strogatz rewiring). Each resident's neighbours are listed
// in the order the ties are generated.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "models/domain/organisation.hpp"
#include "sim/memory.hpp"

namespace govsim {

/// A block of residents of one population group living at one home unit.
struct ResidentBlock {
  std::uint32_t home = 0;        ///< unit member
  std::uint32_t first = 0;       ///< first resident id
  std::uint32_t size = 0;
  std::uint16_t population = 0;  ///< index into Scenario::populations
  std::uint16_t group = 0;       ///< index into that population's groups
  std::uint16_t group_id = 0;    ///< global resident-group index (for tables)
};

class Residents {
 public:
  /// Builds residents and their social graph deterministically from the seed.
  Residents(const Scenario& scenario, const Organisation& org, std::uint64_t seed);

  std::size_t size() const noexcept { return size_; }
  /// The home unit of resident r.
  std::uint32_t home(std::uint32_t r) const noexcept { return blocks_[block_of(r)].home; }
  /// The home unit of resident r, checking `likely` first (most ties stay within a unit).
  std::uint32_t home(std::uint32_t r, std::uint32_t likely) const noexcept {
    return r - resident_begin_[likely] < resident_begin_[likely + 1] - resident_begin_[likely] ? likely : home(r);
  }
  std::uint16_t group_id(std::uint32_t r) const noexcept { return blocks_[block_of(r)].group_id; }
  const std::vector<ResidentBlock>& blocks() const noexcept { return blocks_; }
  /// Resident-group names across populations ("population.group" when several populations).
  const std::vector<std::string>& group_names() const noexcept { return group_names_; }
  /// Blocks living at unit u: [first, last) indices into blocks().
  std::pair<std::uint32_t, std::uint32_t> blocks_at(std::uint32_t u) const noexcept {
    return {block_begin_[u], block_begin_[u + 1]};
  }
  /// Residents homed at unit u: ids [first, last) (its blocks, in order).
  std::pair<std::uint32_t, std::uint32_t> residents_at(std::uint32_t u) const noexcept {
    return {resident_begin_[u], resident_begin_[u + 1]};
  }
  /// Resident r's social ties (resident ids), in the order they were made.
  std::span<const std::uint32_t> neighbours(std::uint32_t r) const noexcept {
    return {ties_.data() + tie_begin_[r], ties_.data() + tie_begin_[r + 1]};
  }
  /// Hints the processor to load where resident r's ties are listed.
  void prefetch_ties(std::uint32_t r) const noexcept { __builtin_prefetch(&tie_begin_[r]); }
  /// Directed ties (each social tie counts twice, once from each end).
  std::uint64_t graph_edges() const noexcept { return ties_.size(); }
  /// Bytes held for residents and their ties.
  std::uint64_t memory_bytes() const noexcept;

 private:
  std::uint32_t block_of(std::uint32_t r) const noexcept;

  std::size_t size_ = 0;
  std::vector<ResidentBlock> blocks_;
  std::vector<std::uint32_t> block_first_;     ///< first resident of each block (a search key)
  std::vector<std::uint32_t> block_begin_;     ///< per unit: its first block
  std::vector<std::uint32_t> resident_begin_;  ///< per unit: its first resident (unit u: [begin[u], begin[u+1]))
  std::vector<std::string> group_names_;
  sim::LargeVector<std::uint32_t> tie_begin_;  ///< CSR row offsets (size + 1)
  sim::LargeVector<std::uint32_t> ties_;       ///< CSR neighbour ids
};

/// The memory a run will need before it allocates (bytes, rough upper bound),
/// with `models_at_once` replications running side by side.
std::uint64_t estimate_memory_bytes(const Scenario& scenario, const Organisation& org, int models_at_once = 1);

}  // namespace govsim
