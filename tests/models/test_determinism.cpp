// tests/models/test_determinism.cpp: same scenario and seed give byte-identical
// result files for any thread count and on repeated runs; another seed differs.
#include "models/app/results/results.hpp"
#include "test_support.hpp"

using namespace govsim;
using namespace govsim::testing;

namespace {

struct Files {
  std::string metrics, timeseries, distributions;
};

Files run_to_files(const std::string& scenario, int threads, const std::string& tag,
                   std::vector<std::string> sets = {}, int replications = 2) {
  sets.push_back("populations.residents.residents_per_unit=600");
  sets.push_back("simulation.horizon_days=90");
  sets.push_back("simulation.warmup_days=10");
  sets.push_back("simulation.replications=" + std::to_string(replications));
  const Scenario s = load_scenario(scenario, sets);
  RunSettings settings;
  settings.threads = threads;
  const RunResult r = run_scenario(s, settings);
  const auto dir = temp_folder("determinism-" + tag);
  write_run(s, r, dir.string());
  return {read_file(dir / "metrics.csv"), read_file(dir / "timeseries.csv"), read_file(dir / "distributions.csv")};
}

void expect_identical(const Files& a, const Files& b) {
  EXPECT_TRUE(a.metrics == b.metrics) << "metrics.csv differs";
  EXPECT_TRUE(a.timeseries == b.timeseries) << "timeseries.csv differs";
  EXPECT_TRUE(a.distributions == b.distributions) << "distributions.csv differs";
}

}  // namespace

TEST(Determinism, ThreeTierIdenticalAtOneTwoAndFourThreads) {
  const std::string path = source_path("scenarios/three-tier.yaml");
  const Files one = run_to_files(path, 1, "3t-1");
  ASSERT_GT(one.metrics.size(), 1000u);
  expect_identical(one, run_to_files(path, 2, "3t-2"));
  expect_identical(one, run_to_files(path, 4, "3t-4"));
}

TEST(Determinism, ReplicationsSideBySideEqualReplicationsInTurn) {
  // Three replications: in turn on 1 thread; at 2 threads two side by side
  // (one thread each), then the third on both threads; at 3 threads all
  // three at once; and one replication alone on 2 threads (the engine's
  // windows split between threads).
  const std::string path = source_path("scenarios/three-tier.yaml");
  const Files one = run_to_files(path, 1, "reps-1", {}, 3);
  ASSERT_NE(one.metrics.find("\n2,"), std::string::npos) << "replication 2 missing from metrics.csv";
  expect_identical(one, run_to_files(path, 2, "reps-2", {}, 3));
  expect_identical(one, run_to_files(path, 3, "reps-3", {}, 3));
  expect_identical(run_to_files(path, 1, "rep-alone-1", {}, 1), run_to_files(path, 2, "rep-alone-2", {}, 1));
}

TEST(Determinism, FourTierIdenticalAcrossThreadsAndRepeatedRuns) {
  const std::string path = source_path("scenarios/four-tier.yaml");
  const Files one = run_to_files(path, 1, "4t-1");
  expect_identical(one, run_to_files(path, 4, "4t-4"));
  expect_identical(one, run_to_files(path, 4, "4t-4-again"));
  expect_identical(one, run_to_files(path, 2, "4t-2"));
}

TEST(Determinism, ParallelCosignsAndRoutingIdenticalAcrossThreads) {
  // Stress the cross-partition paths: short handoffs, many messages, the
  // unfed platform (sequential co-signs) and the Jackson network's feedback.
  const std::string path = source_path("scenarios/variants/stress-unfed-platform.yaml");
  expect_identical(run_to_files(path, 1, "unfed-1"), run_to_files(path, 3, "unfed-3"));
  const Scenario jackson = load_scenario(source_path("scenarios/textbook/jackson.yaml"),
                                         {"simulation.horizon_h=2000", "simulation.replications=2"});
  RunSettings one, four;
  one.threads = 1;
  four.threads = 4;
  const auto a = run_scenario(jackson, one), b = run_scenario(jackson, four);
  const auto da = temp_folder("jackson-1"), db = temp_folder("jackson-4");
  write_run(jackson, a, da.string());
  write_run(jackson, b, db.string());
  EXPECT_EQ(read_file(da / "metrics.csv"), read_file(db / "metrics.csv"));
}

TEST(Determinism, DifferentSeedGivesDifferentResults) {
  const std::string path = source_path("scenarios/four-tier.yaml");
  const Files a = run_to_files(path, 2, "seed-a");
  const Files b = run_to_files(path, 2, "seed-b", {"simulation.seed=12345"});
  EXPECT_NE(a.metrics, b.metrics);
  EXPECT_NE(a.timeseries, b.timeseries);
}

TEST(Replications, InterruptedSideBySideStopsWithInterrupted) {
  // Four replications on 2 threads run two at a time; a stop raised when the
  // first one finishes ends the run with Interrupted, whichever replication
  // was still running or about to start (TSan runs this too).
  const Scenario s = load_scenario(source_path("scenarios/three-tier.yaml"),
                                   {"populations.residents.residents_per_unit=600", "simulation.horizon_days=60",
                                    "simulation.warmup_days=5", "simulation.replications=4"});
  std::atomic<bool> stop{false};
  RunSettings settings;
  settings.threads = 2;
  settings.cancel = &stop;
  int reported = 0;
  EXPECT_THROW(run_scenario(s, settings,
                            [&](int done, int total) {
                              reported = done;
                              EXPECT_EQ(total, 4);
                              stop = true;
                            }),
               Interrupted);
  EXPECT_GE(reported, 1);
  EXPECT_LT(reported, 4);
}
