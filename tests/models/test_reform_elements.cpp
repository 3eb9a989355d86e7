// tests/models/test_reform_elements.cpp: every element of the reform bites.
//
// Each single-element variant (scenarios/variants/*-only.yaml) is run against
// the four-tier baseline on common random numbers, on the district scenario
// cut to 120 days (20 of warm-up) and 4 replications: a few seconds. The
// paired 95% interval of a named outcome must exclude zero in the stated
// direction. The directions are findings of the model, not wishes: some
// elements alone make things worse (docs/findings.md says why), and these
// tests keep them honest. The stress variants must be worse than the full
// reform, and at least one worse than the baseline.
#include "test_support.hpp"

using namespace govsim;
using namespace govsim::testing;

namespace {

const std::vector<std::string> kReduced = {"simulation.horizon_days=120", "simulation.warmup_days=20",
                                           "simulation.replications=4"};

RunResult run_reduced(const std::string& scenario) { return run(source_path(scenario), kReduced, 2); }

/// Paired difference (option - baseline) of one metric, replication by replication.
sim::Estimate paired(const RunResult& option, const RunResult& baseline, const std::string& metric,
                     const std::string& scope = "all", const std::string& key = "all") {
  const auto a = values(option, metric, scope, key), b = values(baseline, metric, scope, key);
  EXPECT_EQ(a.size(), b.size()) << metric;
  EXPECT_EQ(a.size(), 4u) << metric;
  std::vector<double> d;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) d.push_back(a[i] - b[i]);
  return sim::estimate(d);
}

#define EXPECT_LOWER(e) \
  EXPECT_LT((e).high(), 0.0) << "paired 95% CI [" << (e).low() << ", " << (e).high() << "] does not lie below 0"
#define EXPECT_HIGHER(e) \
  EXPECT_GT((e).low(), 0.0) << "paired 95% CI [" << (e).low() << ", " << (e).high() << "] does not lie above 0"

const RunResult& four_tier() {
  static const RunResult r = run_reduced("scenarios/four-tier.yaml");
  return r;
}
const RunResult& three_tier() {
  static const RunResult r = run_reduced("scenarios/three-tier.yaml");
  return r;
}

}  // namespace

// 撤销街道办事处: one handoff fewer on the way to a department.
TEST(ReformElements, AbolishingTheTierShortensResponses) {
  const RunResult v = run_reduced("scenarios/variants/abolish-tier-only.yaml");
  EXPECT_LOWER(paired(v, four_tier(), "handoffs_per_request"));
  EXPECT_LOWER(paired(v, four_tier(), "response_mean_h"));
}

// 居政分离 alone moves the committees' administrative work to offices that
// still chase economic targets: committees are freer, offices overloaded.
TEST(ReformElements, FreeingCommitteesAloneOverloadsTheOffices) {
  const RunResult v = run_reduced("scenarios/variants/committees-freed-only.yaml");
  EXPECT_LOWER(paired(v, four_tier(), "utilisation", "unit_group", "committee"));
  EXPECT_HIGHER(paired(v, four_tier(), "utilisation", "unit_group", "office"));
  EXPECT_HIGHER(paired(v, four_tier(), "response_p90_h"));
}

// 一会: overdue cases are escalated wherever they are: the worst cases end
// sooner (at some cost to the others, whom they overtake).
TEST(ReformElements, CouncilsCutTheWorstDelays) {
  const RunResult v = run_reduced("scenarios/variants/council-only.yaml");
  EXPECT_HIGHER(paired(v, four_tier(), "share_escalated"));
  EXPECT_LOWER(paired(v, four_tier(), "response_p99_h"));
}

// 一委 alone, on paper: co-signs in parallel, but after a coordination
// meeting and with a return leg for every signature: allowances take longer.
TEST(ReformElements, PartyCoordinationOnPaperSlowsAllowances) {
  const RunResult v = run_reduced("scenarios/variants/party-only.yaml");
  EXPECT_HIGHER(paired(v, four_tier(), "cosign_wait_mean_h", "type", "social_assistance"));
  EXPECT_LOWER(paired(v, four_tier(), "transit_mean_h", "type", "social_assistance"));
  EXPECT_HIGHER(paired(v, four_tier(), "response_mean_h", "type", "social_assistance"));
}

// Purchase of services alone: the NGO's reworks (quality 0.9) and the health
// department's remaining places slow elderly care.
TEST(ReformElements, ContractedElderlyCareIsSlowerAlone) {
  const RunResult v = run_reduced("scenarios/variants/ngo-only.yaml");
  EXPECT_HIGHER(paired(v, four_tier(), "reworks_per_request", "type", "elderly_care"));
  EXPECT_HIGHER(paired(v, four_tier(), "response_mean_h", "type", "elderly_care"));
}

// 一站式: administrative matters go straight to a window that resolves them.
TEST(ReformElements, OneStopShortensResponses) {
  const RunResult v = run_reduced("scenarios/variants/one-stop-only.yaml");
  EXPECT_LOWER(paired(v, four_tier(), "response_mean_h"));
  EXPECT_HIGHER(paired(v, four_tier(), "share_within_3wd"));
}

// 社会和云: electronic handoffs, no re-documentation, fewer misroutes.
TEST(ReformElements, PlatformCutsTransitAndPaperwork) {
  const RunResult v = run_reduced("scenarios/variants/platform-only.yaml");
  EXPECT_LOWER(paired(v, four_tier(), "transit_mean_h"));
  EXPECT_LOWER(paired(v, four_tier(), "redocumentations_per_request"));
  EXPECT_LOWER(paired(v, four_tier(), "response_p90_h"));
}

// 一居两站: half the public-order cases settled on the spot by the patrols.
TEST(ReformElements, PublicOrderStationsSettleCasesOnTheSpot) {
  const RunResult v = run_reduced("scenarios/variants/two-stations-only.yaml");
  EXPECT_LOWER(paired(v, four_tier(), "handoffs_per_request", "type", "public_order"));
  EXPECT_LOWER(paired(v, four_tier(), "response_mean_h", "type", "public_order"));
}

// The reform as a whole, and with exactly the baseline's paid hours.
TEST(ReformElements, FullReformBeatsTheBaselineEvenResourceNeutral) {
  EXPECT_LOWER(paired(three_tier(), four_tier(), "response_mean_h"));
  const RunResult neutral = run_reduced("scenarios/variants/three-tier-resource-neutral.yaml");
  EXPECT_DOUBLE_EQ(mean_of(neutral, "paid_staff_hours"), mean_of(four_tier(), "paid_staff_hours"));
  EXPECT_LOWER(paired(neutral, four_tier(), "response_mean_h"));
  EXPECT_LOWER(paired(neutral, four_tier(), "share_deadline_breached"));
}

// Integration can fail: each stress case is worse than the full reform, and
// a centre that inherits the committees' administrative work without the
// staff is worse than the old four tiers.
TEST(ReformElements, StressCasesAreWorseThanTheReform) {
  for (const char* path : {"scenarios/variants/stress-understaffed-centre.yaml",
                           "scenarios/variants/stress-unfed-platform.yaml", "scenarios/variants/stress-thin-ngo.yaml"}) {
    SCOPED_TRACE(path);
    const RunResult v = run_reduced(path);
    EXPECT_HIGHER(paired(v, three_tier(), "share_deadline_breached"));
  }
}

TEST(ReformElements, UnderstaffedCentreIsWorseThanTheBaseline) {
  const RunResult v = run_reduced("scenarios/variants/stress-understaffed-centre.yaml");
  EXPECT_HIGHER(paired(v, four_tier(), "share_deadline_breached"));
  EXPECT_HIGHER(paired(v, four_tier(), "response_p99_h"));
  EXPECT_HIGHER(paired(v, four_tier(), "service_gap"));
}
