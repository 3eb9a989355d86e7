// models/population.hpp: residents and their social graph.
//
// Residents are stored as a structure of arrays (home unit, group,
// willingness): millions of them must fit in memory and be scanned quickly.
// Residents of one home unit are contiguous, split into their groups in
// order. The social graph is a Boost compressed-sparse-row graph: most ties
// link neighbours of the same home unit (a ring lattice), a configurable share
// are long links to residents elsewhere (Watts-Strogatz rewiring).
#pragma once

#include <boost/graph/compressed_sparse_row_graph.hpp>

#include <cstdint>
#include <vector>

#include "models/organisation.hpp"

namespace govsim {

using SocialGraph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                                        boost::no_property, std::uint32_t, std::uint32_t>;

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

  std::size_t size() const noexcept { return home_.size(); }
  std::uint32_t home(std::uint32_t r) const noexcept { return home_[r]; }
  std::uint16_t group_id(std::uint32_t r) const noexcept { return group_[r]; }
  const std::vector<ResidentBlock>& blocks() const noexcept { return blocks_; }
  /// Resident-group names across populations ("population.group" when several populations).
  const std::vector<std::string>& group_names() const noexcept { return group_names_; }
  const SocialGraph& social_graph() const noexcept { return graph_; }
  /// Blocks living at unit u: [first, last) indices into blocks().
  std::pair<std::uint32_t, std::uint32_t> blocks_at(std::uint32_t u) const noexcept {
    return {block_begin_[u], block_begin_[u + 1]};
  }
  std::uint64_t graph_edges() const noexcept { return boost::num_edges(graph_); }

 private:
  std::vector<std::uint32_t> home_;
  std::vector<std::uint16_t> group_;
  std::vector<ResidentBlock> blocks_;
  std::vector<std::uint32_t> block_begin_;
  std::vector<std::string> group_names_;
  SocialGraph graph_;
};

/// The memory a run will need before it allocates (bytes, rough upper bound).
std::uint64_t estimate_memory_bytes(const Scenario& scenario, const Organisation& org);

}  // namespace govsim
