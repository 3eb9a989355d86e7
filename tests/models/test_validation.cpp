// tests/models/test_validation.cpp: the engine against queueing theory
// (../shared/VALIDATION.md). Each case runs a scenario file from
// scenarios/textbook through the real loader, organisation and engine, and
// asserts that the 95% confidence interval over replications contains the
// exact value.
#include <Eigen/Dense>

#include <cmath>

#include "test_support.hpp"

using namespace govsim;
using namespace govsim::testing;

namespace {

/// Erlang C through the stable Erlang B recursion.
double erlang_c(double offered, int servers) {
  double b = 1.0;
  for (int k = 1; k <= servers; ++k) b = offered * b / (k + offered * b);
  return servers * b / (servers - offered * (1.0 - b));
}

}  // namespace

TEST(Validation, ErlangCFormulaMatchesTheTable) {
  EXPECT_NEAR(erlang_c(2.0, 3), 4.0 / 9.0, 1e-12);
  EXPECT_NEAR(erlang_c(40.0 / 15.0, 3), 0.797508, 1e-6);
}

TEST(Validation, MM1TimeInSystemAndLittle) {
  const RunResult r = run(source_path("scenarios/textbook/mm1.yaml"));
  // W = 1 / (mu - lambda) = 10 h; Wq = rho W = 9 h; L = 9.
  EXPECT_CI_CONTAINS(estimate_of(r, "response_mean_h"), 10.0);
  EXPECT_CI_CONTAINS(estimate_of(r, "wait_mean_h"), 9.0);
  EXPECT_CI_CONTAINS(estimate_of(r, "little_L"), 9.0);
  EXPECT_CI_CONTAINS(estimate_of(r, "utilisation", "unit", "station"), 0.9);
  // Time in system is Exp(mu - lambda): median 10 ln 2, p90 10 ln 10 (histogram bins ~5%).
  EXPECT_NEAR(mean_of(r, "response_median_h"), 10.0 * std::log(2.0), 0.05 * 10.0 * std::log(2.0));
  EXPECT_NEAR(mean_of(r, "response_p90_h"), 10.0 * std::log(10.0), 0.05 * 10.0 * std::log(10.0));
}

TEST(Validation, MMcCase1ErlangC) {
  const RunResult r = run(source_path("scenarios/textbook/mmc_case1.yaml"));
  const double wq = erlang_c(2.0, 3) / (3.0 * 1.0 - 2.0);  // 0.444444
  EXPECT_CI_CONTAINS(estimate_of(r, "wait_mean_h"), wq);
  EXPECT_CI_CONTAINS(estimate_of(r, "little_L"), 2.0 * wq + 2.0);  // L = Lq + a = 2.888889
}

TEST(Validation, MMcCase3ErlangCHighLoad) {
  const RunResult r = run(source_path("scenarios/textbook/mmc_case3.yaml"));
  const double wq = erlang_c(40.0 / 15.0, 3) / (3.0 * 15.0 - 40.0);  // 0.159502
  EXPECT_CI_CONTAINS(estimate_of(r, "wait_mean_h"), wq);
  EXPECT_CI_CONTAINS(estimate_of(r, "little_L"), 40.0 * wq + 40.0 / 15.0);  // 9.046729
}

TEST(Validation, MD1PollaczekKhinchine) {
  const RunResult r = run(source_path("scenarios/textbook/md1.yaml"));
  // Wq = rho (1 + Cs^2) / (2 mu (1 - rho)) with Cs^2 = 0: 0.5 h.
  EXPECT_CI_CONTAINS(estimate_of(r, "wait_mean_h"), 0.5);
  // The same station with exponential service waits twice as long (Cs^2 = 1): a test that tells them apart.
  const RunResult m = run(source_path("scenarios/textbook/md1.yaml"),
                          {"units.station.resolves.job={dist: exponential, mean: 1.0}"});
  EXPECT_CI_CONTAINS(estimate_of(m, "wait_mean_h"), 1.0);
  EXPECT_GT(estimate_of(m, "wait_mean_h").low(), estimate_of(r, "wait_mean_h").high());
}

TEST(Validation, MG1LognormalService) {
  // P-K with lognormal service (sigma 0.8, mean 1): Cs^2 = e^{0.64} - 1.
  const double sigma = 0.8, median = std::exp(-sigma * sigma / 2.0);  // mean exactly 1
  const RunResult r = run(source_path("scenarios/textbook/md1.yaml"),
                          {"units.station.resolves.job={dist: lognormal, median: " + std::to_string(median) +
                           ", sigma: 0.8}"});
  const double rho = 0.5, cs2 = std::exp(sigma * sigma) - 1.0;
  EXPECT_CI_CONTAINS(estimate_of(r, "wait_mean_h"), rho * (1 + cs2) / (2 * 1.0 * (1 - rho)));
}

TEST(Validation, JacksonNetworkWithFeedback) {
  // Traffic equations lambda = (I - P^T)^-1 gamma, solved with Eigen.
  Eigen::Matrix3d p;
  p << 0.0, 0.6, 0.3, 0.1, 0.0, 0.3, 0.4, 0.4, 0.0;
  const Eigen::Vector3d gamma(1.0, 4.0, 3.0), mu(8.0, 14.0, 10.0);
  const Eigen::Vector3d lambda = (Eigen::Matrix3d::Identity() - p.transpose()).fullPivLu().solve(gamma);
  ASSERT_NEAR(lambda(0), 5.0, 1e-9);
  ASSERT_NEAR(lambda(1), 10.0, 1e-9);
  ASSERT_NEAR(lambda(2), 7.5, 1e-9);
  double total_l = 0.0;
  for (int j = 0; j < 3; ++j) total_l += (lambda(j) / mu(j)) / (1.0 - lambda(j) / mu(j));
  const double w = total_l / gamma.sum();         // network time in system, excluding handoffs
  const double visits = lambda.sum() / gamma.sum();  // 2.8125

  const RunResult r = run(source_path("scenarios/textbook/jackson.yaml"));
  // Time in system net of transit, replication by replication.
  const auto response = values(r, "response_mean_h"), transit = values(r, "transit_mean_h");
  std::vector<double> net;
  for (std::size_t i = 0; i < response.size(); ++i) net.push_back(response[i] - transit[i]);
  EXPECT_CI_CONTAINS(sim::estimate(net), w);
  EXPECT_CI_CONTAINS(estimate_of(r, "handoffs_per_request"), visits - 1.0);
  const char* nodes[] = {"node1", "node2", "node3"};
  for (int j = 0; j < 3; ++j) EXPECT_CI_CONTAINS(estimate_of(r, "utilisation", "unit", nodes[j]), lambda(j) / mu(j));
}

TEST(Validation, MisroutingMakesGeometricVisits) {
  // A request misrouted with probability p at each try makes 1/(1-p) visits:
  // here the wrong department bounces it back, so bounces per request = p/(1-p).
  const auto dir = temp_folder("misroute");
  const std::string path = write_scenario(dir, "misroute.yaml", R"(
simulation: {horizon_h: 20000, warmup_h: 100, replications: 8, seed: 3}
handoffs: {transfer_delay_h: 0.1, arbitration_after_bounces: 1000}
request_types: {job: {deadline_h: 1000}}
units:
  district: {kind: station, staff: 1}
  desk: {kind: subdistrict_office, staff: 50, misroute_probability: 0.3, triage_h: 0.01, refers: {job: right}}
  right: {kind: department, parent: district, staff: 50, resolves: {job: 0.1}}
  wrong: {kind: department, parent: district, staff: 50, triage_h: 0.01}
populations:
  people: {at: desk, groups: {all: {need_rates_per_hour: {job: 1.0}}}}
)");
  const RunResult r = run(path);
  EXPECT_CI_CONTAINS(estimate_of(r, "bounces_per_request"), 0.3 / 0.7);
  EXPECT_CI_CONTAINS(estimate_of(r, "misroutes_per_request"), 0.3 / 0.7);
}

TEST(Validation, ConfidenceIntervalNarrowsWithLongerRuns) {
  const std::string path = source_path("scenarios/textbook/mmc_case1.yaml");
  const auto short_run = estimate_of(run(path, {"simulation.horizon_h=10000", "simulation.warmup_h=500"}), "wait_mean_h");
  const auto long_run = estimate_of(run(path, {"simulation.horizon_h=80000", "simulation.warmup_h=500"}), "wait_mean_h");
  EXPECT_LT(long_run.half_width, 0.6 * short_run.half_width);
  EXPECT_CI_CONTAINS(long_run, 4.0 / 9.0);
}

TEST(Validation, LittlesLawHoldsInTheGovernanceModel) {
  // L (time-average of open requests) against lambda x W, on a full behavioural scenario.
  // Requests open across the window's edges make the two differ by O(W / T):
  // with working time a response takes days, so the window is four years
  // (one year gives gaps of about 5.5%, two years 3%, four years under 2%).
  const RunResult r = run(source_path("scenarios/three-tier.yaml"),
                          {"populations.residents.residents_per_unit=800", "simulation.replications=2",
                           "simulation.horizon_days=1460"},
                          2);
  for (double gap : values(r, "little_relative_gap")) EXPECT_LT(std::abs(gap), 0.03);
  EXPECT_GT(mean_of(r, "little_L"), 0.0);
}
