// tests/models/test_sweep.cpp: sweep files, designs, records, resume, and
// sensitivity analysis checked against queueing theory.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "models/app/compare/compare.hpp"
#include "models/app/results/results.hpp"
#include "models/app/sweep/sweep.hpp"
#include "test_support.hpp"

namespace govsim {
namespace {

using testing::source_path;
using testing::read_file;
using testing::temp_folder;

// An M/M/1 queue (arrivals 0.9 per hour) made short enough for many runs.
std::string mm1_sweep(const std::string& design_and_parameters, int replications = 2) {
  return "name: test-sweep\nbase: " + source_path("scenarios/textbook/mm1.yaml") +
         "\nset: {simulation.horizon_h: 4000, simulation.warmup_h: 400, simulation.sample_interval_h: 4000}\n" +
         design_and_parameters + "replications: " + std::to_string(replications) + "\nseed: 11\n";
}

SweepSpec spec_of(const std::string& text, const std::string& name = "test") {
  const auto dir = temp_folder("sweep-spec-" + name);
  return load_sweep_text(text, (dir / "sweep.yaml").string());
}

/// Runs a whole sweep into `dir` on `threads` threads; returns the folder.
std::string run_all(const SweepSpec& spec, const std::filesystem::path& dir, int threads) {
  std::string out = dir.string();
  const auto pending = prepare_sweep_folder(spec, out, true, false);
  std::atomic<bool> stop{false};
  EXPECT_EQ(run_pending(spec, out, pending, threads, &stop, {}), pending.size());
  finalize_sweep(spec, out, 0.0, threads, 1);
  return out;
}

const std::vector<std::string> kResultFiles = {"design.csv", "sweep.csv", "points.csv", "failures.csv"};

// --- designs -----------------------------------------------------------------

TEST(SweepDesign, GridIsTheFullCartesianProductLastParameterFastest) {
  const SweepSpec s = spec_of(mm1_sweep("parameters:\n"
                                        "  service_mean: {path: units.station.resolves.job.mean, values: [0.5, 0.6, 0.7]}\n"
                                        "  deadline: {path: request_types.job.deadline_h, values: [10, 20]}\n"));
  ASSERT_EQ(s.points.size(), 6u);
  std::set<std::vector<std::string>> seen(s.points.begin(), s.points.end());
  EXPECT_EQ(seen.size(), 6u);
  for (const char* m : {"0.5", "0.6", "0.7"})
    for (const char* d : {"10", "20"}) EXPECT_TRUE(seen.count({m, d})) << m << " " << d;
  EXPECT_EQ(s.points[0], (std::vector<std::string>{"0.5", "10"}));
  EXPECT_EQ(s.points[1], (std::vector<std::string>{"0.5", "20"}));
  EXPECT_EQ(s.runs(), 12u);
  EXPECT_EQ(s.point_overrides(1).back(), "request_types.job.deadline_h=20");
}

TEST(SweepDesign, LatinHypercubeUsesEveryStratumOfEveryParameterOnce) {
  const int n = 23;
  const SweepSpec s = spec_of(mm1_sweep("parameters:\n"
                                        "  service_mean: {path: units.station.resolves.job.mean, low: 0.2, high: 0.9}\n"
                                        "  deadline: {path: request_types.job.deadline_h, low: 10, high: 1000, log: true}\n"
                                        "  staff: {path: units.station.staff, low: 1, high: 5, integer: true}\n"
                                        "design: {kind: lhs, samples: " +
                                        std::to_string(n) + ", seed: 4}\n"));
  ASSERT_EQ(s.points.size(), static_cast<std::size_t>(n));
  // Stratum of each value, recovered from the value itself.
  std::set<int> mean_strata, deadline_strata;
  for (const auto& p : s.points) {
    const double mean = std::stod(p[0]), deadline = std::stod(p[1]);
    ASSERT_GE(mean, 0.2);
    ASSERT_LE(mean, 0.9);
    ASSERT_GE(deadline, 10);
    ASSERT_LE(deadline, 1000);
    mean_strata.insert(static_cast<int>((mean - 0.2) / 0.7 * n));
    deadline_strata.insert(static_cast<int>(std::log(deadline / 10) / std::log(100.0) * n));
    EXPECT_EQ(p[2].find('.'), std::string::npos) << "integer parameter printed as " << p[2];
    EXPECT_GE(std::stoi(p[2]), 1);
    EXPECT_LE(std::stoi(p[2]), 5);
  }
  EXPECT_EQ(mean_strata.size(), static_cast<std::size_t>(n));
  EXPECT_EQ(deadline_strata.size(), static_cast<std::size_t>(n));
  // Another design seed, another hypercube.
  const SweepSpec other = spec_of(mm1_sweep("parameters:\n"
                                            "  service_mean: {path: units.station.resolves.job.mean, low: 0.2, high: 0.9}\n"
                                            "design: {kind: lhs, samples: 23, seed: 5}\n"));
  EXPECT_NE(other.points[0][0], s.points[0][0]);
}

TEST(SweepDesign, MorrisTrajectoriesMoveOneParameterAtATimeByDelta) {
  const SweepSpec s = spec_of(mm1_sweep("parameters:\n"
                                        "  a: {path: units.station.resolves.job.mean, low: 0.2, high: 0.9}\n"
                                        "  b: {path: request_types.job.deadline_h, low: 10, high: 20}\n"
                                        "  c: {path: simulation.sample_interval_h, low: 100, high: 200}\n"
                                        "design: {kind: morris, trajectories: 7, levels: 6, seed: 2}\n"));
  const std::size_t k = 3;
  ASSERT_EQ(s.points.size(), 7 * (k + 1));
  ASSERT_EQ(s.unit_points.size(), s.points.size());
  const double delta = 6 / (2.0 * 5);
  for (std::size_t t = 0; t < 7; ++t) {
    std::set<std::size_t> moved;
    for (std::size_t step = 0; step < k; ++step) {
      const auto &x = s.unit_points[t * (k + 1) + step], &y = s.unit_points[t * (k + 1) + step + 1];
      int changes = 0;
      for (std::size_t i = 0; i < k; ++i) {
        ASSERT_GE(y[i], 0.0);
        ASSERT_LE(y[i], 1.0 + 1e-12);
        if (x[i] != y[i]) {
          ++changes;
          moved.insert(i);
          EXPECT_NEAR(y[i] - x[i], delta, 1e-12);
        }
      }
      EXPECT_EQ(changes, 1);
    }
    EXPECT_EQ(moved.size(), k) << "every parameter moves once per trajectory";
  }
}

TEST(SweepDesign, SaltelliMatricesSwapOneColumn) {
  const SweepSpec s = spec_of(mm1_sweep("parameters:\n"
                                        "  a: {path: units.station.resolves.job.mean, low: 0.2, high: 0.9}\n"
                                        "  b: {path: request_types.job.deadline_h, low: 10, high: 20}\n"
                                        "design: {kind: sobol, samples: 5}\n"));
  const std::size_t k = 2, stride = k + 2;
  ASSERT_EQ(s.points.size(), 5 * stride);
  for (std::size_t j = 0; j < 5; ++j) {
    const auto &a = s.unit_points[j * stride], &b = s.unit_points[j * stride + 1];
    for (std::size_t i = 0; i < k; ++i) {
      const auto& ab = s.unit_points[j * stride + 2 + i];
      for (std::size_t c = 0; c < k; ++c) EXPECT_EQ(ab[c], c == i ? b[c] : a[c]);
    }
  }
}

// The Saltelli matrices come from the Sobol' sequence, digitally shifted by
// design.seed: the same seed gives the same design, another seed another
// one, and with N = 2^m samples each column of A and of B puts one point in
// each of the N strata of its range (pseudo-random points would not).
TEST(SweepDesign, SaltelliMatricesAreQuasiRandomAndKeyedByTheDesignSeed) {
  auto sobol = [](int seed) {
    return spec_of(mm1_sweep("parameters:\n"
                             "  a: {path: units.station.resolves.job.mean, low: 0.2, high: 0.9}\n"
                             "  b: {path: request_types.job.deadline_h, low: 10, high: 20}\n"
                             "  c: {path: units.station.staff, low: 1, high: 4}\n"
                             "design: {kind: sobol, samples: 16, seed: " + std::to_string(seed) + "}\n"));
  };
  const SweepSpec s = sobol(5), same = sobol(5), other = sobol(6);
  EXPECT_EQ(s.unit_points, same.unit_points);
  EXPECT_EQ(s.points, same.points);
  EXPECT_NE(s.unit_points, other.unit_points);
  const std::size_t k = 3, stride = k + 2, n = 16;
  ASSERT_EQ(s.unit_points.size(), n * stride);
  for (std::size_t m = 0; m < 2; ++m)  // A, B
    for (std::size_t i = 0; i < k; ++i) {
      std::set<int> strata;
      for (std::size_t j = 0; j < n; ++j) strata.insert(static_cast<int>(s.unit_points[j * stride + m][i] * n));
      EXPECT_EQ(strata.size(), n) << (m ? "B" : "A") << " column " << i;
    }
}

// --- sweep files: errors name file, line and column ------------------------------

void expect_sweep_error(const std::string& text, const std::string& fragment, int line = -1) {
  SCOPED_TRACE(text);
  try {
    (void)spec_of(text, "error");
    ADD_FAILURE() << "no error; expected one containing: " << fragment;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sweep.yaml"), std::string::npos) << e.what();
    if (line >= 0) EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line: " << e.what();
  }
}

// --- issue 13: what a sweep used to accept and silently get wrong ---------------

TEST(SweepFile, PathsMustNameWhatTheScenarioDefines) {
  const std::string base = "base: " + source_path("scenarios/textbook/mm1.yaml") + "\n";
  // A misspelt group would have become a new, idle group: "staff does not matter".
  expect_sweep_error(base + "parameters:\n  m: {path: units.statoin.staff, values: [1, 2]}\n",
                     "`statoin` is not a unit group of this scenario", 3);
  expect_sweep_error(base + "parameters:\n  m: {path: units.statoin.staff, values: [1, 2]}\n", "did you mean `station`?", 3);
  expect_sweep_error(base + "set: {units.statoin.staff: 2}\nparameters:\n  m: {path: units.station.staff, values: [1]}\n",
                     "did you mean `station`?", 2);
}

TEST(SweepFile, ParameterNamesThatAreColumnsAreRefused) {
  const std::string base = "base: " + source_path("scenarios/textbook/mm1.yaml") + "\n";
  for (const char* name : {"value", "metric", "point", "key", "scope", "replication", "mean"})
    expect_sweep_error(base + "parameters:\n  " + name + ": {path: units.station.staff, values: [1, 2]}\n",
                       "is also a column of sweep.csv or points.csv", 3);
}

TEST(SweepFile, SeedAndReplicationsCannotBeSwept) {
  const std::string base = "base: " + source_path("scenarios/textbook/mm1.yaml") + "\n";
  expect_sweep_error(base + "parameters:\n  s: {path: simulation.seed, values: [1, 2]}\n", "cannot be set in a sweep", 3);
  expect_sweep_error(base + "parameters:\n  r: {path: simulation.replications, values: [1, 2]}\n",
                     "cannot be set in a sweep", 3);
  expect_sweep_error(base + "set: {simulation.seed: 4}\nparameters:\n  m: {path: units.station.staff, values: [1]}\n",
                     "cannot be set in a sweep", 2);
}

TEST(SweepFile, EmptyValuesAreRefused) {
  const std::string base = "base: " + source_path("scenarios/textbook/mm1.yaml") + "\n";
  expect_sweep_error(base + "parameters:\n  m: {path: units.station.staff, values: [\"\", 2]}\n", "is empty", 3);
  expect_sweep_error(base + "set: {units.station.staff: ''}\nparameters:\n  m: {path: platform.coverage, values: [0]}\n",
                     "is empty", 2);
}

TEST(SweepFile, ZeroPaddedSeedsAreDecimal) {
  const SweepSpec s = spec_of("base: " + source_path("scenarios/textbook/mm1.yaml") +
                              "\nparameters:\n  m: {path: units.station.staff, values: [1]}\nseed: 010\n");
  EXPECT_EQ(s.seed, 10u);
}

TEST(SweepRuns, ResumeRefusesAnotherBuildAndClearsTopLevelLeftovers) {
  const SweepSpec s = spec_of(mm1_sweep("parameters:\n  m: {path: units.station.staff, values: [1, 2]}\n", 1));
  std::string dir = temp_folder("sweep-other-build").string();
  (void)prepare_sweep_folder(s, dir, true, false);
  const auto plan = std::filesystem::path(dir) / "plan.json";
  const std::string ours = read_file(plan);
  EXPECT_NE(ours.find("\"git_commit\""), std::string::npos) << ours;
  // A write cut short at the top level (sweep.csv while finishing).
  std::ofstream(std::filesystem::path(dir) / "sweep.csv.partial-77") << "point,rep";
  EXPECT_FALSE(prepare_sweep_folder(s, dir, false, true).empty());
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(dir) / "sweep.csv.partial-77"));
  // The same sweep, recorded by another build: its records must not be mixed with ours.
  std::string other = ours;
  other.replace(other.find("\"git_commit\": \"") + 15, 1, "#");
  std::ofstream(plan, std::ios::trunc) << other;
  try {
    (void)prepare_sweep_folder(s, dir, false, true);
    ADD_FAILURE() << "resumed a sweep started by another build";
  } catch (const OutputError& e) {
    EXPECT_NE(std::string(e.what()).find("another govsim build"), std::string::npos) << e.what();
  }
  release_output_folders();
}

/// The message of resuming `dir` with `spec` ("" when it resumes).
std::string resume_error(const SweepSpec& spec, std::string dir) {
  try {
    (void)prepare_sweep_folder(spec, dir, false, true);
    return "";
  } catch (const OutputError& e) {
    return e.what();
  }
}

TEST(SweepRuns, ResumeSaysWhichFieldOfThePlanDiffers) {
  const std::string grid = "parameters:\n  centre_staff: {path: units.station.staff, values: [1, 2]}\n";
  const SweepSpec s = spec_of(mm1_sweep(grid, 1), "plan-fields");
  std::string dir = temp_folder("sweep-plan-fields").string();
  (void)prepare_sweep_folder(s, dir, true, false);
  const std::string plan = (std::filesystem::path(dir) / "plan.json").string();
  EXPECT_EQ(resume_error(s, dir), "");

  const SweepSpec values = spec_of(mm1_sweep("parameters:\n  centre_staff: {path: units.station.staff, values: [1, 3]}\n", 1),
                                   "plan-values");
  EXPECT_EQ(resume_error(values, dir),
            dir + ": error: this folder holds a different sweep: the sweep file's `parameters.centre_staff.values` differs "
                  "from the plan in " + plan + ": [\"1\", \"3\"] (sweep file) vs [\"1\", \"2\"] (plan); resume needs the "
                  "very same sweep, or start anew in a new --out");
  EXPECT_NE(resume_error(spec_of(mm1_sweep(grid, 2), "plan-reps"), dir).find("`replications` differs from the plan in " +
                                                                             plan + ": 2 (sweep file) vs 1 (plan)"),
            std::string::npos);
  std::string seed = mm1_sweep(grid, 1);
  seed.replace(seed.find("seed: 11"), 8, "seed: 12");
  EXPECT_NE(resume_error(spec_of(seed, "plan-seed"), dir).find("`seed` differs from the plan in " + plan + ": 12 (sweep file) vs 11 (plan)"),
            std::string::npos);
  // A change no field shows (here the fixed settings' text): the content hash tells.
  std::string set = mm1_sweep(grid, 1);
  set.replace(set.find("simulation.warmup_h: 400"), 24, "simulation.warmup_h: 400.0");
  EXPECT_NE(resume_error(spec_of(set, "plan-set"), dir).find("`overrides`"), std::string::npos);
  std::string comment = mm1_sweep(grid, 1) + "# a comment\n";
  EXPECT_NE(resume_error(spec_of(comment, "plan-comment"), dir)
                .find("the sweep file or its base scenario changed since the plan in " + plan + " (content hash "),
            std::string::npos)
      << resume_error(spec_of(comment, "plan-comment"), dir);
  // A plan.json that is not JSON.
  std::ofstream(plan, std::ios::trunc) << "{\"govsim_version\": ";
  const std::string broken = resume_error(s, dir);
  EXPECT_EQ(broken.rfind(plan + ": not valid JSON (", 0), 0u) << broken;
  EXPECT_NE(broken.find("cannot resume"), std::string::npos) << broken;
  release_output_folders();
}

TEST(SweepFile, ErrorsAreClearAndPositioned) {
  const std::string base = "base: " + source_path("scenarios/textbook/mm1.yaml") + "\n";
  const std::string grid = "parameters:\n  m: {path: units.station.staff, values: [1, 2]}\n";
  expect_sweep_error(base + grid + "replicatons: 3\n", "did you mean `replications`", 4);
  expect_sweep_error(base + "parameters:\n  m: {path: units.station.staff, valuse: [1, 2]}\n", "did you mean `values`", 3);
  expect_sweep_error(grid, "needs `base`");
  expect_sweep_error(base + "parameters:\n  m: {path: units.station.staff, low: 1, high: 3}\n", "needs `values`", 3);
  expect_sweep_error(base + "parameters:\n  m: {path: units.station.staff, values: [1], low: 1}\n", "applies to lhs", 3);
  expect_sweep_error(base + grid + "design: {kind: lhs, samples: 4}\n", "`values` applies to grid designs");
  expect_sweep_error(base + "parameters:\n  m: {path: units.station.staff, low: 3, high: 1}\ndesign: {kind: lhs, samples: 4}\n",
                     "`high` must be greater than `low`", 3);
  expect_sweep_error(base + grid + "design: {kind: hypercube}\n", "is not one of: grid, points, lhs, morris, sobol", 4);
  expect_sweep_error(base + grid + "design: {kind: grid, samples: 4}\n", "does not apply to a `grid` design", 4);
  expect_sweep_error(base + "parameters:\n  m: {path: units.station.staff, low: 1, high: 3}\ndesign: {kind: morris}\n",
                     "needs `trajectories`");
  expect_sweep_error(base + "parameters:\n  m: {path: units.station.staff, low: 1, high: 3}\n"
                            "design: {kind: morris, trajectories: 4, levels: 5}\n", "must be even", 4);
  expect_sweep_error(base + grid + "seeds: [1, 2, 1]\n", "listed twice", 4);
  expect_sweep_error(base + grid + "seeds: [1, 2]\nseed: 4\n", "not both");
  expect_sweep_error(base + grid + "seeds: [1, 2]\nreplications: 3\n", "differs from the number of `seeds`");
  expect_sweep_error(base + grid + "metrics: [response_mediann_h]\n", "did you mean `response_median_h`", 4);
  expect_sweep_error(base + grid + "scopes: [all, units]\n", "is not a scope", 4);
  expect_sweep_error(base + "parameters:\n  m: {path: units.station.staff, values: [[1, 2]]}\n", "must be a single value", 3);
  expect_sweep_error(base + "parameters:\n  m: {path: units.station.staff, values: [1]}\n  m2: {path: units.station.staff, values: [2]}\n",
                     "varied by two parameters", 4);
  expect_sweep_error(base + "parameters:\n  a: {path: units.station.staff}\n"
                            "design: {kind: points, points: [{a: 1}, {b: 2}]}\n", "unknown key `b`", 4);
  expect_sweep_error(base + "parameters:\n  a: {path: units.station.staff, low: 1, high: 2}\n"
                            "design: {kind: sobol, samples: 60000}\n", "limited to 100000");
  expect_sweep_error("base: nowhere.yaml\n" + grid, "base scenario", 1);
  expect_sweep_error(base + grid + "set: {units.station.staf: 2}\n", "did you mean `staff`", 4);
  expect_sweep_error("base: [oops\n", "malformed YAML", 2);
}

TEST(SweepFile, SeedListSetsReplicationsAndStreams) {
  const std::string text = "base: " + source_path("scenarios/textbook/mm1.yaml") +
                           "\nparameters:\n  m: {path: units.station.resolves.job.mean}\n"
                           "design: {kind: points, points: [{m: 0.5}, {m: 0.8}]}\nseeds: [5, 9, 13]\n";
  const SweepSpec s = spec_of(text);
  EXPECT_EQ(s.replications, 3);
  EXPECT_EQ(s.points.size(), 2u);
  EXPECT_EQ(s.seed_of(1), (std::pair<std::uint64_t, int>{9, 0}));
  const SweepSpec base_seed = spec_of(mm1_sweep("parameters:\n  m: {path: units.station.staff, values: [1]}\n", 3));
  EXPECT_EQ(base_seed.seed_of(2), (std::pair<std::uint64_t, int>{11, 2}));
}

TEST(SweepFile, ShippedSweepsLoadWithTheirDesigns) {
  const SweepSpec grid = load_sweep(source_path("scenarios/sweeps/centre-staff-platform.yaml"));
  EXPECT_EQ(grid.design, DesignKind::grid);
  EXPECT_EQ(grid.runs(), 12u * 5u);
  const SweepSpec morris = load_sweep(source_path("scenarios/sweeps/reform-morris.yaml"));
  EXPECT_EQ(morris.design, DesignKind::morris);
  EXPECT_EQ(morris.points.size(), 10u * (morris.parameters.size() + 1));
  const SweepSpec bench = load_sweep(source_path("scenarios/sweeps/bench-district-200.yaml"));
  EXPECT_EQ(bench.runs(), 200u);
  // Every point of each loads as a scenario.
  for (const SweepSpec* s : {&grid, &morris, &bench})
    for (std::size_t p = 0; p < s->points.size(); p += 7) EXPECT_NO_THROW(load_scenario(s->base, s->point_overrides(p)));
}

// --- runs and records ------------------------------------------------------------

TEST(SweepRuns, ARunEqualsTheSameReplicationOfAWholeRun) {
  const SweepSpec s = spec_of(mm1_sweep("parameters:\n  m: {path: units.station.resolves.job.mean, values: [0.6, 0.8]}\n", 3));
  const std::size_t point = 1;
  const int rep = 2;
  const RunRecord record = execute_run(s, point * 3 + rep, 1, nullptr);
  ASSERT_TRUE(record.ok) << record.text;
  // The same point run whole, with the sweep's seed: its replication `rep` is the record.
  RunSettings settings;
  settings.seed = 11;
  settings.replications = 3;
  const RunResult aligned = run_scenario(load_scenario(s.base, s.point_overrides(point)), settings);
  std::size_t compared = 0;
  for (const auto& m : aligned.replications[rep].metrics) {
    if (m.scope != "all") continue;
    const std::string row = m.name + ",all,all," + csv_number(m.value) + "\n";
    EXPECT_NE(record.text.find(row), std::string::npos) << row;
    ++compared;
  }
  EXPECT_GT(compared, 20u);
}

TEST(SweepRuns, FailedPointIsRecordedAndTheSweepGoesOn) {
  const SweepSpec s = spec_of(mm1_sweep("parameters:\n  staff: {path: units.station.staff, values: [1, -3, 2]}\n"));
  const auto dir = run_all(s, temp_folder("sweep-failure"), 2);
  const std::string failures = read_file(std::filesystem::path(dir) / "failures.csv");
  EXPECT_NE(failures.find("1,0,"), std::string::npos) << failures;
  EXPECT_NE(failures.find("1,1,"), std::string::npos) << failures;
  EXPECT_NE(failures.find("staff"), std::string::npos) << failures;
  const std::string points = read_file(std::filesystem::path(dir) / "points.csv");
  EXPECT_NE(points.find("\n0,1,response_mean_h,all,all,"), std::string::npos);
  EXPECT_NE(points.find("\n2,2,response_mean_h,all,all,"), std::string::npos);
  EXPECT_EQ(points.find("\n1,-3,"), std::string::npos);
  EXPECT_NE(read_file(std::filesystem::path(dir) / "manifest.json").find("\"failed_runs\": 2"), std::string::npos);
}

TEST(SweepRuns, ABatchOfReplicationsEqualsItsRunsOneByOne) {
  const SweepSpec s = spec_of(mm1_sweep("parameters:\n  m: {path: units.station.resolves.job.mean, values: [0.6, 0.8]}\n", 4));
  const auto batch = execute_runs(s, 5, 3, 1, nullptr);  // point 1, replications 1..3
  ASSERT_EQ(batch.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const RunRecord single = execute_run(s, 5 + i, 1, nullptr);
    EXPECT_TRUE(single.ok);
    EXPECT_EQ(batch[i].text, single.text) << i;
  }
  EXPECT_NE(batch[0].text, batch[1].text);
  EXPECT_THROW(execute_runs(s, 3, 2, 1, nullptr), std::logic_error) << "replications 3 and 4 of point 0: 4 is not there";
}

TEST(SweepRuns, ResultsDoNotDependOnThreads) {
  // 1 thread runs batches of 3 replications, 2 threads single runs: same files.
  const SweepSpec s = spec_of(mm1_sweep("parameters:\n  m: {path: units.station.resolves.job.mean, values: [0.5, 0.7, 0.9]}\n", 4));
  const auto one = run_all(s, temp_folder("sweep-threads-1"), 1);
  const auto two = run_all(s, temp_folder("sweep-threads-2"), 2);
  for (const auto& f : kResultFiles) EXPECT_EQ(read_file(std::filesystem::path(one) / f), read_file(std::filesystem::path(two) / f)) << f;
}

TEST(SweepRuns, InterruptedAndResumedEqualsUninterrupted) {
  const SweepSpec s = spec_of(mm1_sweep("parameters:\n  m: {path: units.station.resolves.job.mean, values: [0.5, 0.6, 0.7, 0.8]}\n", 3));
  const auto whole = run_all(s, temp_folder("sweep-whole"), 2);

  std::string dir = temp_folder("sweep-resumed").string();
  auto pending = prepare_sweep_folder(s, dir, true, false);
  ASSERT_EQ(pending.size(), 12u);
  std::atomic<bool> stop{false};
  // Stop after 5 runs, as a signal would: runs in flight are discarded.
  const std::size_t done = run_pending(s, dir, pending, 2, &stop, [&](std::size_t d, std::size_t) {
    if (d >= 5) stop = true;
  });
  EXPECT_GE(done, 5u);
  EXPECT_LT(done, 12u);
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(dir) / "sweep.csv"));
  // A crash may also leave a half-written record: it must not count.
  std::ofstream(std::filesystem::path(dir) / "runs" / "p000003-r0002.csv.partial-99") << "metric,sc";

  pending = prepare_sweep_folder(s, dir, false, true);
  EXPECT_EQ(pending.size(), 12u - done);
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(dir) / "runs" / "p000003-r0002.csv.partial-99"));
  stop = false;
  EXPECT_EQ(run_pending(s, dir, pending, 1, &stop, {}), pending.size());
  finalize_sweep(s, dir, 0.0, 1, 1);
  for (const auto& f : kResultFiles) EXPECT_EQ(read_file(std::filesystem::path(whole) / f), read_file(std::filesystem::path(dir) / f)) << f;
  // Resuming a finished sweep runs nothing.
  EXPECT_TRUE(prepare_sweep_folder(s, dir, false, true).empty());
}

TEST(SweepRuns, ResumeRefusesADifferentSweep) {
  const SweepSpec s = spec_of(mm1_sweep("parameters:\n  m: {path: units.station.resolves.job.mean, values: [0.5, 0.6]}\n"));
  std::string dir = temp_folder("sweep-other").string();
  (void)prepare_sweep_folder(s, dir, true, false);
  const SweepSpec changed = spec_of(mm1_sweep("parameters:\n  m: {path: units.station.resolves.job.mean, values: [0.5, 0.7]}\n"));
  EXPECT_THROW(prepare_sweep_folder(changed, dir, false, true), OutputError);
  std::string empty = temp_folder("sweep-nothing").string();
  EXPECT_THROW(prepare_sweep_folder(s, empty, false, true), OutputError);
  // Without --resume or --force, a folder with results is refused.
  EXPECT_THROW(prepare_sweep_folder(s, dir, false, false), OutputError);
}

// --- sensitivity analysis against theory ----------------------------------------------

// M/M/1 with arrival rate 0.9: W = m / (1 - 0.9 m) for mean service time m.
double mm1_w(double m) { return m / (1 - 0.9 * m); }

std::map<std::string, std::vector<double>> read_table(const std::filesystem::path& path, const std::string& metric) {
  std::map<std::string, std::vector<double>> rows;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    if (f[0] != metric) continue;
    for (std::size_t i = 2; i < f.size(); ++i) rows[f[1]].push_back(f[i].empty() ? NAN : std::stod(f[i]));
  }
  return rows;
}

TEST(Sensitivity, MorrisEffectsMatchMM1TheoryAndFindTheInertParameter) {
  // The deadline changes no response time: its effects must be exactly zero
  // (common random numbers make the runs identical). The mean service time's
  // elementary effects must match the M/M/1 formula.
  const SweepSpec s = spec_of(mm1_sweep("parameters:\n"
                                        "  service_mean: {path: units.station.resolves.job.mean, low: 0.3, high: 0.7}\n"
                                        "  deadline: {path: request_types.job.deadline_h, low: 500, high: 900}\n"
                                        "design: {kind: morris, trajectories: 6, levels: 4, seed: 3}\n"
                                        "metrics: [response_mean_h, share_deadline_breached]\n",
                                        4));
  const auto dir = run_all(s, temp_folder("sweep-morris"), 2);
  const auto rows = read_table(std::filesystem::path(dir) / "sensitivity.csv", "response_mean_h");
  ASSERT_TRUE(rows.count("service_mean") && rows.count("deadline"));
  EXPECT_EQ(rows.at("deadline")[1], 0.0) << "mu* of an inert parameter";  // columns: mu, mu_star, sigma, effects
  EXPECT_EQ(rows.at("deadline")[3], 6.0);
  // Theory: the mean over trajectories of (W(x + delta) - W(x)) / delta, x being where each trajectory moved m.
  const double delta = 4 / 6.0;
  double expected = 0;
  for (int t = 0; t < 6; ++t) {
    for (int step = 0; step < 2; ++step) {
      const auto &a = s.unit_points[t * 3 + step], &b = s.unit_points[t * 3 + step + 1];
      if (a[0] != b[0]) expected += (mm1_w(std::stod(s.points[t * 3 + step + 1][0])) - mm1_w(std::stod(s.points[t * 3 + step][0]))) / delta;
    }
  }
  expected /= 6;
  EXPECT_GT(rows.at("service_mean")[0], 0.0);
  EXPECT_NEAR(rows.at("service_mean")[0], expected, 0.15 * expected);
  EXPECT_DOUBLE_EQ(rows.at("service_mean")[0], rows.at("service_mean")[1]) << "every effect positive: mu = mu*";
}

TEST(Sensitivity, SobolIndicesOfAOneFactorModel) {
  const SweepSpec s = spec_of(mm1_sweep("parameters:\n"
                                        "  service_mean: {path: units.station.resolves.job.mean, low: 0.3, high: 0.7}\n"
                                        "  deadline: {path: request_types.job.deadline_h, low: 500, high: 900}\n"
                                        "design: {kind: sobol, samples: 24, seed: 5}\n"
                                        "metrics: [response_mean_h]\n",
                                        1));
  const auto dir = run_all(s, temp_folder("sweep-sobol"), 2);
  const auto rows = read_table(std::filesystem::path(dir) / "sobol.csv", "response_mean_h");
  // columns: S1, S1_low, S1_high, ST, ST_low, ST_high, samples
  EXPECT_EQ(rows.at("deadline")[0], 0.0);
  EXPECT_EQ(rows.at("deadline")[3], 0.0);
  EXPECT_GT(rows.at("service_mean")[3], 0.7);
  EXPECT_LT(rows.at("service_mean")[3], 1.3);
  EXPECT_GT(rows.at("service_mean")[0], 0.5);
  EXPECT_LT(rows.at("service_mean")[0], 1.5);
  EXPECT_LE(rows.at("service_mean")[1], rows.at("service_mean")[0]);
  EXPECT_GE(rows.at("service_mean")[2], rows.at("service_mean")[0]);
  EXPECT_EQ(rows.at("service_mean")[6], 24.0);
}

// --- paired comparisons --------------------------------------------------------------

TEST(PairedComparison, CommonRandomNumbersNarrowTheIntervalOfAMonotoneResponse) {
  // Theory: for a response monotone in the service times, common random
  // numbers correlate the two scenarios positively, so the paired difference
  // has a smaller variance than the difference of independent means.
  const std::string path = source_path("scenarios/textbook/mm1.yaml");
  const std::vector<std::string> sets = {"simulation.horizon_h=20000", "simulation.warmup_h=1000"};
  RunSettings settings;
  settings.replications = 10;
  std::vector<RunResult> runs;
  for (const char* mean : {"0.8", "0.85"}) {
    auto s = sets;
    s.push_back(std::string("units.station.resolves.job.mean=") + mean);
    runs.push_back(run_scenario(load_scenario(path, s), settings));
  }
  const auto rows = compare_runs(runs);
  bool found = false;
  for (const auto& r : rows) {
    if (r.name != "response_mean_h" || r.scope != "all") continue;
    found = true;
    EXPECT_GT(r.paired[1].mean, 0.0);
    EXPECT_LT(r.paired[1].half_width, 0.5 * r.unpaired_half_width[1])
        << "paired " << r.paired[1].half_width << " unpaired " << r.unpaired_half_width[1];
    // The exact difference W(0.85) - W(0.8) lies inside the paired interval.
    const double exact = mm1_w(0.85) - mm1_w(0.8);
    EXPECT_LT(std::fabs(r.paired[1].mean - exact), r.paired[1].half_width + 0.1 * exact);
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace govsim
