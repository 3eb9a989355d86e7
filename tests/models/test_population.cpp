// tests/models/test_population.cpp: residents (models/domain/population.cpp):
// blocks per home unit and group, contiguous ids, home units, the social
// graph's ties, and the need rates the journey draws from them.
#include <algorithm>
#include <cmath>
#include <set>

#include "models/domain/journey.hpp"
#include "models/domain/organisation.hpp"
#include "models/domain/population.hpp"
#include "test_support.hpp"

using namespace govsim;
using namespace govsim::testing;

namespace {

// Three committees of 101 residents, split 30/70 between two groups, under a
// centre that has none; ring-lattice ties of degree 4 inside each committee.
const char* kResidents = R"(
simulation: {horizon_h: 2000, warmup_h: 0, replications: 1, seed: 4}
handoffs: {transfer_delay_h: 1.0}
request_types: {permit: {deadline_h: 100}, care: {deadline_h: 100}}
units:
  centre: {kind: service_centre, staff: 100, resolves: {permit: 0.1, care: 0.1}}
  committee: {kind: residents_committee, count: 3, parent: centre, staff: 100, triage_h: 0.1, refers: {default: centre}}
populations:
  residents:
    at: committee
    residents_per_unit: 101
    neighbours: 4
    long_link_share: 0
    groups:
      old: {share: 0.3, need_rates_per_hour: {permit: 0.001, care: 0.003}}
      young: {share: 0.7, need_rates_per_hour: {permit: 0.001}}
)";

}  // namespace

TEST(Population, ResidentsPerBlockAndHomeUnits) {
  const auto dir = temp_folder("population-blocks");
  const Scenario s = load_scenario(write_scenario(dir, "residents.yaml", kResidents));
  const Organisation org(s);
  const Residents residents(s, org, s.simulation.seed);
  ASSERT_EQ(residents.size(), 3u * 101u);
  const std::uint32_t centre = org.first_member(org.group_index("centre"));
  const std::uint32_t first_committee = org.first_member(org.group_index("committee"));
  // The centre has no residents.
  EXPECT_EQ(residents.blocks_at(centre).first, residents.blocks_at(centre).second);
  EXPECT_EQ(residents.residents_at(centre).first, residents.residents_at(centre).second);
  std::uint32_t next = 0;
  for (std::uint32_t u = first_committee; u < first_committee + 3; ++u) {
    // Two blocks, by group in order: largest remainder gives 30.3 -> 31 (the first group takes the rest), 70.7 -> 70.
    const auto [b0, b1] = residents.blocks_at(u);
    ASSERT_EQ(b1 - b0, 2u);
    const ResidentBlock &old = residents.blocks()[b0], &young = residents.blocks()[b0 + 1];
    EXPECT_EQ(old.size, 31u);
    EXPECT_EQ(young.size, 70u);
    EXPECT_EQ(old.group_id, 0);
    EXPECT_EQ(young.group_id, 1);
    // Contiguous ids: the unit's residents are its blocks', one after another.
    EXPECT_EQ(old.first, next);
    EXPECT_EQ(young.first, old.first + old.size);
    EXPECT_EQ(residents.residents_at(u), std::make_pair(old.first, young.first + young.size));
    next = young.first + young.size;
    for (std::uint32_t r = old.first; r < next; ++r) {
      EXPECT_EQ(residents.home(r), u);
      EXPECT_EQ(residents.home(r, first_committee), u);  // the hinted lookup agrees
      EXPECT_EQ(residents.group_id(r), r < young.first ? 0 : 1);
    }
  }
  EXPECT_EQ(next, residents.size());
}

TEST(Population, RingLatticeTiesStayAtHomeAndAreMutual) {
  const auto dir = temp_folder("population-ties");
  const Scenario s = load_scenario(write_scenario(dir, "residents.yaml", kResidents));
  const Organisation org(s);
  const Residents residents(s, org, s.simulation.seed);
  EXPECT_EQ(residents.graph_edges(), 4u * residents.size());  // degree 4, each tie listed from both ends
  for (std::uint32_t r = 0; r < residents.size(); ++r) {
    const auto ties = residents.neighbours(r);
    ASSERT_EQ(ties.size(), 4u) << r;
    for (const std::uint32_t n : ties) {
      EXPECT_NE(n, r);
      EXPECT_EQ(residents.home(n), residents.home(r));  // no long links
      const auto back = residents.neighbours(n);
      EXPECT_NE(std::find(back.begin(), back.end(), r), back.end()) << r << " - " << n;
    }
  }
}

TEST(Population, NeedsArriveAtEachGroupsRates) {
  // Needs per type and group over 2,000 h, against the rates: permit 0.001 for
  // everyone, care 0.003 for the old only (Poisson counts: within five standard deviations).
  const auto dir = temp_folder("population-rates");
  const std::string path = write_scenario(dir, "residents.yaml", kResidents);
  const std::vector<Outcome> all = trace(path);
  const double hours = 2000, old = 3 * 31, young = 3 * 70;
  double permit = 0, care_old = 0, care_young = 0;
  for (const Outcome& o : all) {
    const bool is_care = o.type == 1;
    if (!is_care) ++permit;
    else if (o.group_id == 0) ++care_old;
    else ++care_young;
  }
  const auto within = [](double count, double expected) { EXPECT_NEAR(count, expected, 5 * std::sqrt(expected)); };
  within(permit, 0.001 * (old + young) * hours);
  within(care_old, 0.003 * old * hours);
  EXPECT_EQ(care_young, 0);
  // Every need arises at its resident's home: the home of each record is a committee.
  const Scenario scenario = load_scenario(path);  // the organisation refers to it: keep it alive
  const Organisation org(scenario);
  const std::uint32_t first_committee = org.first_member(org.group_index("committee"));
  std::set<std::uint32_t> homes;
  for (const Outcome& o : all) homes.insert(o.home);
  EXPECT_EQ(homes, (std::set<std::uint32_t>{first_committee, first_committee + 1, first_committee + 2}));
}
