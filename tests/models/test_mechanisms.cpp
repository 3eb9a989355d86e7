// tests/models/test_mechanisms.cpp: each governance mechanism in isolation, on
// a small scenario, with an assertion that fails if the mechanism is missing.
// No test says which structure is better overall: that is the model's output.
#include <cmath>

#include "models/domain/journey.hpp"
#include "models/domain/organisation.hpp"
#include "models/domain/population.hpp"
#include "test_support.hpp"

using namespace govsim;
using namespace govsim::testing;

namespace {

// A committee -> office -> department chain with fixed delays and no behaviour.
const char* kChain = R"(
simulation: {horizon_h: 4000, warmup_h: 100, replications: 4, seed: 5}
handoffs: {transfer_delay_h: 2.0, redocumentation_h: 0.5}
request_types: {permit: {deadline_h: 100}, care: {deadline_h: 100}}
units:
  district: {kind: station, staff: 1}
  dept: {kind: department, tier: district, parent: district, staff: 30, resolves: {permit: 0.5, care: 0.5}}
  other_dept: {kind: department, parent: district, staff: 30, triage_h: 0.1}
  office: {kind: subdistrict_office, count: 2, staff: 30, triage_h: 0.1, refers: {default: dept}}
  committee: {kind: residents_committee, count: 4, parent: office, staff: 30, triage_h: 0.1}
populations:
  residents:
    at: committee
    residents_per_unit: 100
    groups: {all: {need_rates_per_hour: {permit: 0.001, care: 0.001}}}
)";

std::string chain(const std::string& name) {
  const auto dir = temp_folder("mechanism-" + name);
  return write_scenario(dir, name + ".yaml", kChain);
}

}  // namespace

TEST(Mechanisms, RemovingATierRemovesItsHop) {
  const std::string path = chain("tier");
  const RunResult four = run(path);
  // Committees refer straight to the department: the office tier is gone.
  const RunResult three = run(path, {"units.office=null", "units.committee.parent=null",
                                     "units.committee.refers={default: dept}"});
  // Every request resolved at the department made exactly one hop per tier crossed.
  EXPECT_DOUBLE_EQ(mean_of(four, "handoffs_per_request", "tier", "district"), 2.0);
  EXPECT_DOUBLE_EQ(mean_of(three, "handoffs_per_request", "tier", "district"), 1.0);
  // One transfer (2 h) and one triage (0.1 h) fewer, plus re-documentation at the office.
  EXPECT_NEAR(mean_of(four, "response_mean_h") - mean_of(three, "response_mean_h"), 2.0 + 0.1 + 0.5, 0.05);
}

TEST(Mechanisms, PlatformCoverageLowersRedocumentationAndMisrouting) {
  const std::string path = chain("platform");
  const std::vector<std::string> misrouting = {"units.office.misroute_probability=0.4",
                                               "platform.misroute_reduction=0.8"};
  double previous_redoc = 1e9, previous_misroute = 1e9, first_misroute = 0;
  for (double coverage : {0.0, 0.5, 1.0}) {
    auto sets = misrouting;
    sets.push_back("platform.coverage=" + std::to_string(coverage));
    const RunResult r = run(path, sets);
    const double redoc = mean_of(r, "redocumentations_per_request");
    const double misroute = mean_of(r, "misroutes_per_request");
    EXPECT_LT(redoc, previous_redoc) << "coverage " << coverage;
    // Misrouting depends on the sender only: it falls as offices join (never rises).
    EXPECT_LE(misroute, previous_misroute) << "coverage " << coverage;
    if (coverage == 0.0) first_misroute = misroute;
    previous_redoc = redoc;
    previous_misroute = misroute;
  }
  EXPECT_EQ(previous_redoc, 0.0);  // fully connected: information always travels
  // 0.4 x (1 - 0.8) = 0.08 per try instead of 0.4: geometric visits 0.087 against 0.67.
  EXPECT_LT(previous_misroute, 0.3 * first_misroute);
}

TEST(Mechanisms, AdministrativeBurdenLowersCommitteeCapacity) {
  const auto dir = temp_folder("burden");
  const std::string path = write_scenario(dir, "burden.yaml", R"(
simulation: {horizon_h: 20000, warmup_h: 200, replications: 4, seed: 9}
request_types: {dispute: {deadline_h: 100}}
units:
  committee: {kind: residents_committee, staff: 2, admin_task_h: {dist: exponential, mean: 1.0}, resolves: {dispute: {dist: exponential, mean: 1.0}}}
populations:
  residents: {at: committee, groups: {all: {need_rates_per_hour: {dispute: 0.8}}}}
)");
  const RunResult free = run(path);
  // 8,760 hours a year for two staff: half their (round-the-clock) time.
  const RunResult burdened = run(path, {"units.committee.admin_hours_per_year=8760"});
  // Half the staff time goes to administrative work...
  EXPECT_CI_CONTAINS(estimate_of(burdened, "diverted_share", "unit", "committee"), 0.5);
  EXPECT_EQ(mean_of(free, "diverted_share", "unit", "committee"), 0.0);
  // ...so residents wait longer for the same work.
  EXPECT_GT(estimate_of(burdened, "wait_mean_h").low(), 2.0 * estimate_of(free, "wait_mean_h").high());
}

TEST(Mechanisms, BadExperiencesLowerReportingAndSpreadOnTheGraph) {
  const auto dir = temp_folder("trust");
  // Every case is refused at first contact: always a bad experience.
  const std::string path = write_scenario(dir, "trust.yaml", R"(
simulation: {horizon_h: 4000, replications: 2, seed: 4, sample_interval_h: 500}
handoffs: {transfer_delay_h: 1.0}
behaviour: {reporting: true, trust: true, bad_experience_drop: 0.3, spread_weight: 0.0, feedback_delay_h: 1.0, word_of_mouth_delay_h: 1.0}
request_types: {job: {deadline_h: 10}}
units:
  committee: {kind: residents_committee, count: 10, staff: 5, refusal_probability: 0.99, resolves: {job: 0.1}}
populations:
  residents:
    at: committee
    residents_per_unit: 200
    neighbours: 6
    long_link_share: 0.1
    groups: {all: {willingness: 0.9, need_rates_per_hour: {job: 0.0005}}}
)");
  const RunResult alone = run(path);
  const RunResult spread = run(path, {"behaviour.spread_weight=0.5"});
  const RunResult untouched = run(path, {"behaviour.trust=false"});
  EXPECT_FLOAT_EQ(static_cast<float>(mean_of(untouched, "mean_willingness_end")), 0.9f);
  EXPECT_LT(mean_of(alone, "mean_willingness_end"), 0.85);
  // Word of mouth reaches residents who never asked: willingness falls further.
  EXPECT_LT(mean_of(spread, "mean_willingness_end"), mean_of(alone, "mean_willingness_end") - 0.02);
  // Lower willingness means more needs never reported.
  EXPECT_GT(mean_of(spread, "share_unreported"), mean_of(untouched, "share_unreported") + 0.05);
}

TEST(Mechanisms, NgoDelegationAddsCapacityOnlyForDelegatedTypes) {
  const auto dir = temp_folder("ngo");
  const std::string base = R"(
simulation: {horizon_h: 6000, warmup_h: 200, replications: 4, seed: 8}
handoffs: {transfer_delay_h: 1.0}
request_types: {care: {deadline_h: 100}, permit: {deadline_h: 100}}
units:
  centre: {kind: service_centre, staff: 1, resolves: {care: {dist: exponential, mean: 1.0}, permit: {dist: exponential, mean: 1.0}}}
  ngo: {kind: ngo, staff: 2, resolves: {care: {dist: exponential, mean: 1.0}}}
populations:
)";
  const std::string both = write_scenario(dir, "both.yaml", std::string(base) + R"(
  residents: {at: centre, groups: {all: {need_rates_per_hour: {care: 0.4, permit: 0.4}}}}
)");
  const std::string permits = write_scenario(dir, "permits.yaml", std::string(base) + R"(
  residents: {at: centre, groups: {all: {need_rates_per_hour: {permit: 0.4}}}}
)");
  const std::string delegate = "units.centre.refers={care: ngo}";
  const std::string drop_care = "units.centre.resolves={permit: {dist: exponential, mean: 1.0}}";
  // With demand for the delegated type, delegation relieves the centre.
  const RunResult kept = run(both), delegated = run(both, {delegate, drop_care});
  EXPECT_GT(mean_of(delegated, "utilisation", "unit", "ngo"), 0.1);
  EXPECT_LT(mean_of(delegated, "response_mean_h", "type", "permit"),
            0.7 * mean_of(kept, "response_mean_h", "type", "permit"));
  // With demand only for other types, the NGO adds nothing: identical results.
  const RunResult p_kept = run(permits), p_delegated = run(permits, {delegate, drop_care});
  EXPECT_EQ(values(p_kept, "response_mean_h", "type", "permit"),
            values(p_delegated, "response_mean_h", "type", "permit"));
  EXPECT_EQ(mean_of(p_delegated, "utilisation", "unit", "ngo"), 0.0);
}

TEST(Mechanisms, CouncilOversightShortensTheTailOfOverdueCases) {
  const auto dir = temp_folder("council");
  const std::string path = write_scenario(dir, "council.yaml", R"(
simulation: {horizon_h: 30000, warmup_h: 500, replications: 4, seed: 6}
handoffs: {transfer_delay_h: 1.0}
request_types: {job: {deadline_h: 10}, urgent: {deadline_h: 10, urgency: 3}}
units:
  centre: {kind: service_centre, staff: 1, resolves: {job: {dist: exponential, mean: 1.0}, urgent: {dist: exponential, mean: 1.0}}}
  committee: {kind: residents_committee, parent: centre, staff: 50, triage_h: 0.01}
  council: {kind: council, parent: centre, staff: 1, oversight: {review_interval_h: 2, overdue_share: 1.0}}
populations:
  residents: {at: committee, groups: {all: {need_rates_per_hour: {job: 0.5, urgent: 0.42}}}}
)");
  const RunResult with = run(path);
  const RunResult without = run(path, {"units.council=null"});
  EXPECT_GT(mean_of(with, "share_escalated"), 0.01);
  EXPECT_EQ(mean_of(without, "share_escalated"), 0.0);
  // Routine cases starved behind urgent ones get escalated once overdue.
  EXPECT_LT(mean_of(with, "response_p99_h", "type", "job"), 0.8 * mean_of(without, "response_p99_h", "type", "job"));
}

TEST(Mechanisms, AbandonmentHappensAtTheConfiguredPatience) {
  const auto dir = temp_folder("patience");
  const std::string path = write_scenario(dir, "patience.yaml", R"(
simulation: {horizon_h: 3000, replications: 1, seed: 2}
behaviour: {abandonment: true}
request_types: {job: {deadline_h: 100}}
units:
  station: {staff: 1, resolves: {job: 1.0}}
populations:
  residents: {at: station, groups: {all: {patience_h: 5.0, need_rates_per_hour: {job: 1.5}}}}
)");
  std::size_t abandoned = 0, resolved = 0;
  for (const auto& o : trace(path)) {
    if (o.status == Status::abandoned) {
      ++abandoned;
      EXPECT_NEAR(o.response_h, 5.0, 1e-3);  // exactly when patience ran out
    } else if (o.status == Status::resolved) {
      ++resolved;
      EXPECT_LE(o.wait_h, 5.0 + 1e-3);  // nobody served waited longer than their patience
    }
  }
  // Overloaded (1.5 per hour, 1 per hour served): about a third give up.
  EXPECT_GT(abandoned, 500u);
  EXPECT_GT(resolved, 2000u);
  // Without abandonment nobody leaves.
  const RunResult patient = run(path, {"behaviour.abandonment=false", "simulation.horizon_h=300"});
  EXPECT_EQ(mean_of(patient, "share_abandoned"), 0.0);
}

TEST(Mechanisms, JointHandlingRunsCosignsInParallel) {
  const auto dir = temp_folder("cosign");
  const std::string path = write_scenario(dir, "cosign.yaml", R"(
simulation: {horizon_h: 3000, warmup_h: 100, replications: 2, seed: 1}
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
)");
  const RunResult joint = run(path);
  const RunResult sequential = run(path, {"units.party=null"});
  // committee -> centre -> a (2 handoffs, 10 h) then b then c in sequence (+2 x 5 h transfer
  // + 2 h service), or b and c together (5 h out, 1 h service, 5 h back).
  EXPECT_NEAR(mean_of(sequential, "response_mean_h"), 10 + 1 + 2 * (5 + 1), 0.05);
  EXPECT_NEAR(mean_of(joint, "response_mean_h"), 10 + 1 + 5 + 1 + 5, 0.05);
}

// Handoffs from mechanisms: on paper a case leaves with the sender's next
// document run (working days, at the calendar's `dispatch_h`) and is then
// carried; between two units on the platform it is picked up after
// `platform.handoff_h`, whatever the hour. Two handoffs per request
// (committee -> office -> department), everything open round the clock, so
// only the dispatch rule differs.
TEST(Mechanisms, PaperWaitsForTheDocumentRunThePlatformDoesNot) {
  const std::string calendars =
      "calendars:\n  default: {hours: [[0, 24]], working_days: [mon, tue, wed, thu, fri, sat, sun], dispatch_h: [10]}\n";
  const auto dir = temp_folder("mechanism-dispatch");
  const std::string with_run = write_scenario(dir, "run.yaml", calendars + kChain);
  const RunResult immediate = run(chain("no-run"));
  const RunResult daily = run(with_run);
  // (Requests still under way at the horizon count their transit so far:
  // means sit a little below the steady-state values, hence the tolerances.)
  // Without a run, each handoff is its 2 h carry.
  EXPECT_NEAR(mean_of(immediate, "transit_mean_h"), 2 * 2.0, 0.05);
  // One run a day at 10:00: the committee sends at a uniform hour, so waits
  // 12 h on average, plus the 2 h carry; the case reaches the office at
  // 12:00, is triaged in 0.1 h and misses the day's run: 21.9 h more, plus
  // the carry. 12 + 2 + 21.9 + 2 = 37.9 h.
  EXPECT_NEAR(mean_of(daily, "transit_mean_h"), 37.9, 1.0);
  // On the platform (every unit connected) the document run is skipped: a 0.5 h pick-up per handoff.
  const RunResult electronic = run(with_run, {"platform.coverage=1", "platform.handoff_h=0.5"});
  EXPECT_NEAR(mean_of(electronic, "transit_mean_h"), 2 * 0.5, 0.01);
  EXPECT_EQ(mean_of(electronic, "redocumentations_per_request"), 0.0);
}

// Where the time goes: for every resolved request, the time queued in
// working time, in service, in transit, waiting for working time and parked
// for co-signs adds up to its response time (report -> answer), on the full
// three-tier and four-tier structures (calendars, document runs, platform,
// parallel co-signs, councils, pauses at closing).
TEST(Mechanisms, TimeBreakdownAddsUpToTheResponse) {
  for (const char* scenario : {"scenarios/three-tier.yaml", "scenarios/four-tier.yaml"}) {
    SCOPED_TRACE(scenario);
    std::size_t resolved = 0, cosigned = 0, paused = 0;
    for (const auto& o : trace(source_path(scenario), {"populations.residents.residents_per_unit=300",
                                                       "simulation.horizon_days=90", "simulation.warmup_days=10"})) {
      if (o.status != Status::resolved) continue;
      ++resolved;
      cosigned += o.cosign_wait_h > 0;
      paused += o.closed_h > 0;
      const double parts = double{o.wait_h} + o.service_h + o.transit_h + o.closed_h + o.cosign_wait_h;
      ASSERT_NEAR(parts, o.response_h, 1e-3 * (1.0 + o.response_h))
          << "wait " << o.wait_h << " service " << o.service_h << " transit " << o.transit_h << " closed " << o.closed_h
          << " co-sign " << o.cosign_wait_h;
    }
    EXPECT_GT(resolved, 1000u);
    EXPECT_GT(paused, resolved / 4);  // working time is part of most journeys
    if (std::string(scenario).find("three") != std::string::npos) EXPECT_GT(cosigned, 0u);
  }
}
