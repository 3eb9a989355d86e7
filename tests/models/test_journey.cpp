// tests/models/test_journey.cpp: the journey model (models/domain/journey.cpp)
// on small scenarios: one request's path through two units, an outcome for
// every need, and who owns what (each partition its own unit and residents;
// handlers const, so the model object cannot carry state between them).
#include <cmath>
#include <type_traits>

#include "models/domain/journey.hpp"
#include "models/domain/organisation.hpp"
#include "models/domain/population.hpp"
#include "test_support.hpp"

using namespace govsim;
using namespace govsim::testing;

namespace {

// A committee that triages and refers everything to a department 2 h away,
// which resolves it in 0.5 h; plenty of staff (nobody queues), always open,
// no behaviour: a reported request's response is 0.1 + 2 + 0.5 h exactly.
const char* kTwoUnits = R"(
simulation: {horizon_h: 1000, warmup_h: 0, replications: 1, seed: 11}
handoffs: {transfer_delay_h: 2.0}
request_types: {permit: {deadline_h: 100}}
units:
  dept: {kind: department, staff: 100, resolves: {permit: 0.5}}
  committee: {kind: residents_committee, staff: 100, triage_h: 0.1, refers: {default: dept}}
populations:
  residents: {at: committee, residents_per_unit: 200, groups: {all: {need_rates_per_hour: {permit: 0.002}}}}
)";

/// One replication run through the model and engine directly, on one thread or two.
struct Journeys {
  Scenario scenario;
  Organisation org;
  Residents residents;
  JourneyModel model;
  JourneyModel::Engine engine;
  explicit Journeys(const std::string& path, const std::vector<std::string>& sets = {})
      : scenario(load_scenario(path, sets)), org(scenario), residents(scenario, org, scenario.simulation.seed),
        model(scenario, org, residents, sim::stream_key(scenario.simulation.seed, 0)),
        engine(model, org.size(), model.minimum_cross_unit_delay()) {}
  JourneyModel::Results run(int threads = 1) {
    model.seed_sources(engine);
    engine.run(scenario.simulation.horizon_h, threads);
    model.finish(engine);
    return JourneyModel::gather(engine);
  }
};

// --- Ownership, checked at compile time. -----------------------------------
// Handlers are const: the model holds parameters only, and the engine keeps a
// const reference to it, so a handler cannot write to the model.
static_assert(requires(const JourneyModel& m, JourneyModel::Partition& p) {
  m.on_event(p, std::uint32_t{}, sim::SlotId{}, std::uint64_t{});
});
static_assert(std::is_constructible_v<JourneyModel::Engine, const JourneyModel&, std::size_t, double>);
// A handler's partition gives its own state, one unit's, and no way to another partition.
static_assert(std::is_same_v<decltype(std::declval<JourneyModel::Partition&>().state()), UnitPartition&>);
static_assert(std::is_same_v<decltype(UnitPartition::unit), UnitState>);
template <class P>
concept ReachesOtherPartitions = requires(P& p) { p.partition(sim::PartitionId{}); } || requires(P& p) { p.engine(); };
static_assert(!ReachesOtherPartitions<JourneyModel::Partition>);
static_assert(ReachesOtherPartitions<JourneyModel::Engine>);  // (the check can tell: the engine can)
// Each item kind carries its own fields only.
template <class T>
concept NamesAResident = requires(T x) { x.resident; };
template <class T>
concept ReportsToAParent = requires(T x) { x.parent_slot; };
static_assert(NamesAResident<Request> && !NamesAResident<CosignCopy> && !NamesAResident<AdminTask>);
static_assert(ReportsToAParent<CosignCopy> && !ReportsToAParent<Request> && !ReportsToAParent<AdminTask>);

}  // namespace

TEST(Journey, OneRequestsPathThroughTwoUnits) {
  const auto dir = temp_folder("journey-two-units");
  Journeys j(write_scenario(dir, "two.yaml", kTwoUnits));
  const std::uint32_t dept = j.org.first_member(j.org.group_index("dept"));
  const std::uint32_t committee = j.org.first_member(j.org.group_index("committee"));
  const JourneyModel::Results results = j.run();
  const std::vector<Outcome>& resolved_at_dept = results.units[dept].outcomes;
  ASSERT_GT(resolved_at_dept.size(), 200u);
  for (const Outcome& o : resolved_at_dept) {
    if (o.status == Status::unresolved) continue;  // still under way at the horizon
    ASSERT_EQ(o.status, Status::resolved);
    EXPECT_EQ(o.home, committee);
    EXPECT_EQ(o.resolver, dept);
    EXPECT_EQ(o.handoffs, 1);  // committee -> department
    EXPECT_EQ(o.bounces + o.misroutes + o.redocumentations + o.reworks, 0);
    EXPECT_NEAR(o.response_h, 0.1 + 2.0 + 0.5, 1e-4);
    // Where the time went: triage and service, the transfer; no queue, always open.
    EXPECT_NEAR(o.service_h, 0.6, 1e-4);
    EXPECT_NEAR(o.transit_h, 2.0, 1e-4);
    EXPECT_NEAR(o.wait_h, 0.0, 1e-4);
    EXPECT_NEAR(o.closed_h, 0.0, 1e-4);
    EXPECT_NEAR(o.wait_h + o.service_h + o.transit_h + o.closed_h + o.cosign_wait_h, o.response_h, 1e-4);
    EXPECT_EQ(o.first_contact_h, 0.0f);  // served at once where reported
  }
  // Nothing ends at the committee: it refers everything.
  EXPECT_TRUE(results.units[committee].outcomes.empty());
}

TEST(Journey, EveryNeedEndsInOneOutcome) {
  // With reporting, some needs are never reported: they end at home, the rest at the department.
  const auto dir = temp_folder("journey-every-need");
  Journeys j(write_scenario(dir, "two.yaml", kTwoUnits),
             {"behaviour.reporting=true", "populations.residents.groups.all.willingness=0.5"});
  const JourneyModel::Results results = j.run();
  std::uint64_t needs = 0;
  for (std::uint32_t u = 0; u < j.org.size(); ++u)
    for (const NeedSource& src : j.engine.partition(u).state().need_sources) needs += src.drawn;
  std::uint64_t outcomes = 0, unreported = 0;
  for (const UnitState& st : results.units)
    for (const Outcome& o : st.outcomes) ++outcomes, unreported += o.status == Status::unreported;
  EXPECT_EQ(outcomes, needs);
  // About half unreported (willingness 0.5): well inside five standard deviations.
  const double expected = 0.5 * static_cast<double>(needs), sd = std::sqrt(0.25 * static_cast<double>(needs));
  EXPECT_NEAR(static_cast<double>(unreported), expected, 5 * sd);
}

TEST(Journey, EachPartitionOwnsItsUnitAndItsResidentsOnly) {
  const auto dir = temp_folder("journey-ownership");
  Journeys j(write_scenario(dir, "two.yaml", kTwoUnits), {"units.committee.count=3"});
  // The residents' willingness is split among the partitions of their homes: disjoint, covering everyone, in id order.
  std::uint32_t next = 0;
  for (std::uint32_t u = 0; u < j.org.size(); ++u) {
    const UnitPartition& own = j.engine.partition(u).state();
    const auto [first, last] = j.residents.residents_at(u);
    EXPECT_EQ(own.first_resident, first);
    EXPECT_EQ(own.willingness.size(), last - first);
    if (own.willingness.empty()) continue;
    EXPECT_EQ(first, next);
    next = last;
    for (std::uint32_t r = first; r < last; ++r) EXPECT_EQ(j.residents.home(r), u);
    // Its need sources are its own blocks'.
    for (const NeedSource& src : own.need_sources) EXPECT_EQ(j.residents.blocks()[src.block].home, u);
  }
  EXPECT_EQ(next, j.residents.size());
  // Only the department's partition has cases resolved there; each committee's outcomes are its own.
  const JourneyModel::Results results = j.run(2);
  const std::uint32_t dept = j.org.first_member(j.org.group_index("dept"));
  for (std::uint32_t u = 0; u < j.org.size(); ++u)
    for (const Outcome& o : results.units[u].outcomes)
      if (o.status == Status::resolved) EXPECT_EQ(o.resolver, u);
  EXPECT_FALSE(results.units[dept].outcomes.empty());
  EXPECT_EQ(results.residents, j.residents.size());
}

TEST(Journey, GatheredResultsAreTheSameOnOneAndTwoThreads) {
  // Trust on: experiences and hearsay cross partitions by message; what each partition ends with does not depend on threads.
  // (Every answer later than 1 h counts as slow: each experience is bad and lowers willingness.)
  const auto dir = temp_folder("journey-threads");
  const std::vector<std::string> sets = {"units.committee.count=4", "behaviour.trust=true", "behaviour.reporting=true",
                                         "behaviour.slow_share=0.01",
                                         "populations.residents.neighbours=4", "populations.residents.long_link_share=0.3"};
  Journeys one(write_scenario(dir, "two.yaml", kTwoUnits), sets), two(write_scenario(dir, "two.yaml", kTwoUnits), sets);
  double before = 0;
  for (std::uint32_t u = 0; u < one.org.size(); ++u)
    for (const float w : one.engine.partition(u).state().willingness) before += w;
  const JourneyModel::Results a = one.run(1), b = two.run(2);
  EXPECT_EQ(a.willingness_sum, b.willingness_sum);
  EXPECT_LT(a.willingness_sum, before);  // bad experiences and hearsay lowered it
  ASSERT_EQ(a.units.size(), b.units.size());
  for (std::size_t u = 0; u < a.units.size(); ++u) {
    ASSERT_EQ(a.units[u].outcomes.size(), b.units[u].outcomes.size());
    for (std::size_t i = 0; i < a.units[u].outcomes.size(); ++i)
      EXPECT_EQ(a.units[u].outcomes[i].response_h, b.units[u].outcomes[i].response_h);
  }
}

TEST(Journey, ParallelCosignCopiesReportBackToTheParkedRequest) {
  // Resolved at a, then co-signed by b and c together under the party
  // committee: copies go out (5 h), are signed (1 h), and their signatures
  // come back (5 h) by message to the request parked at a.
  const auto dir = temp_folder("journey-cosign");
  Journeys j(write_scenario(dir, "cosign.yaml", R"(
simulation: {horizon_h: 2000, warmup_h: 0, replications: 1, seed: 2}
handoffs: {transfer_delay_h: 5.0}
request_types: {allowance: {deadline_h: 1000, cosign: [b, c]}}
units:
  district: {kind: station, staff: 1}
  a: {kind: department, parent: district, staff: 20, resolves: {allowance: 1.0}}
  b: {kind: department, parent: district, staff: 20, resolves: {allowance: 1.0}}
  c: {kind: department, parent: district, staff: 20, resolves: {allowance: 1.0}}
  centre: {kind: service_centre, parent: district, staff: 20, triage_h: 0.0, refers: {allowance: a}}
  committee: {kind: residents_committee, parent: centre, staff: 20, triage_h: 0.0}
  party: {kind: party_committee, parent: centre, staff: 1, joint_handling: true, coordination_delay_h: 0.0}
populations:
  residents: {at: committee, groups: {all: {need_rates_per_hour: {allowance: 0.05}}}}
)"));
  const std::uint32_t a = j.org.first_member(j.org.group_index("a"));
  const JourneyModel::Results results = j.run();
  std::size_t resolved = 0;
  for (std::uint32_t u = 0; u < j.org.size(); ++u)
    for (const Outcome& o : results.units[u].outcomes) {
      if (o.status != Status::resolved) continue;
      ++resolved;
      EXPECT_EQ(u, a);  // concluded where it was parked
      EXPECT_NEAR(o.cosign_wait_h, 5 + 1 + 5, 1e-4);
      EXPECT_NEAR(o.transit_h, 5 + 5, 1e-4);
      EXPECT_NEAR(o.response_h, 5 + 5 + 1 + 11, 1e-4);
      EXPECT_NEAR(o.wait_h + o.service_h + o.transit_h + o.closed_h + o.cosign_wait_h, o.response_h, 1e-4);
    }
  EXPECT_GT(resolved, 50u);
  // The copies were signed at b and c and ended there: no outcome, no copy left but those under way at the horizon.
  for (const char* signer : {"b", "c"}) {
    const std::uint32_t u = j.org.first_member(j.org.group_index(signer));
    EXPECT_TRUE(results.units[u].outcomes.empty());
    std::size_t copies = 0;
    j.engine.partition(u).for_each_held([&](sim::SlotId, const Case& c) { copies += std::holds_alternative<CosignCopy>(c.what); });
    EXPECT_LE(copies, 2u);
  }
}
