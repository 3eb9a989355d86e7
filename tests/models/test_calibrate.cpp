// tests/models/test_calibrate.cpp: targets files and `govsim calibrate` (ABC-SMC) with known answers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "models/app/sweep/calibrate.hpp"
#include "models/app/results/json.hpp"
#include "models/app/results/results.hpp"
#include "models/app/input/scenario_loader.hpp"
#include "models/app/input/targets.hpp"
#include "models/app/sweep/explore.hpp"
#include "test_support.hpp"

namespace govsim {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::source_path;
using testing::temp_folder;
using testing::write_scenario;

// M/M/1: arrivals 0.9 per hour; the service-time mean is what calibration fits (prior uniform [0.4, 1]).
// Mean time in the system W = 1 / (1/mean - 0.9): at the true mean 0.8, W = 2.857 h.
constexpr double kTrueMean = 0.8;
const double kTrueW = 1.0 / (1.0 / kTrueMean - 0.9);

std::string mm1_scenario(double horizon_h) {
  return "name: mm1-cal\n"
         "simulation: {horizon_h: " + std::to_string(horizon_h) + ", warmup_h: 200, replications: 1, seed: 7, sample_interval_h: 1000}\n"
         "request_types:\n  job: {deadline_h: 1000}\n"
         "units:\n  station:\n    kind: station\n    tier: single\n    staff: 1\n"
         "    resolves:\n      job: {dist: exponential, mean: 0.8}\n"
         "populations:\n  arrivals:\n    at: station\n    residents_per_unit: 1\n"
         "    groups:\n      all: {share: 1.0, need_rates_per_hour: {job: 0.9}}\n"
         "uncertain:\n  units.station.resolves.job.mean: {dist: uniform, low: 0.4, high: 1.0, grade: C, source: test}\n";
}

std::string mm1_targets(double sd) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "targets:\n  - name: w\n    metric: response_mean_h\n    observed: %.10g\n    sd: %g\n"
                "    source: Erlang\n    grade: A\n    applies_to: mm1-cal\n",
                kTrueW, sd);
  return buf;
}

Json calibrate_json(const std::string& dir) { return parse_json(read_file(fs::path(dir) / "calibrate.json"), dir); }

CalibrateOptions options(const std::string& targets, const std::string& prior, const std::string& out, int n, int g) {
  CalibrateOptions o;
  o.targets_file = targets;
  o.prior = prior;
  o.out = out;
  o.population = n;
  o.generations = g;
  o.predictive = 20;
  o.quiet = true;
  return o;
}

// ---------------------------------------------------------------------------
// Targets files

std::string bad_targets_error(const std::string& text, const std::string& scenario_text) {
  const auto dir = temp_folder("targets-bad");
  const std::string scenario = write_scenario(dir, "s.yaml", scenario_text);
  try {
    const TargetsFile f = load_targets_text(text, "t.yaml");
    check_targets(f, load_scenario(scenario));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(CalibrateTargets, ShippedDistrictTargetsLoadAgainstFourTier) {
  const TargetsFile f = load_targets(source_path("scenarios/targets/district.yaml"));
  EXPECT_GE(f.targets.size(), 6u);
  for (const auto& t : f.targets) {
    EXPECT_FALSE(t.source.empty()) << t.name;
    EXPECT_GT(t.uncertainty, 0) << t.name;
  }
  EXPECT_NO_THROW(check_targets(f, load_scenario(source_path("scenarios/four-tier.yaml"))));
  // The committee workload target is pre-reform only: three-tier is refused by name.
  try {
    check_targets(f, load_scenario(source_path("scenarios/three-tier.yaml")));
    FAIL() << "three-tier accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("committee_matters_per_year"), std::string::npos) << e.what();
  }
}

TEST(CalibrateTargets, BadFilesNameFileLineColumn) {
  const std::string s = mm1_scenario(1000);
  const std::string head = "targets:\n  - name: w\n";
  const std::string tail = "    source: x\n    grade: B\n    applies_to: mm1-cal\n";
  struct Case {
    std::string text, expect;
  } cases[] = {
      {head + "    metric: response_mean\n    observed: 1\n    sd: 1\n" + tail,
       "t.yaml:3:13: error: unknown metric `response_mean`; did you mean `response_mean_h`?"},
      {head + "    metric: response_mean_h\n    observed: 1\n    sd: -0.5\n" + tail,
       "t.yaml:5:9: error: `sd` must be greater than 0"},
      {head + "    metric: response_mean_h\n    observed: 1\n    tolerance: 0\n" + tail,
       "t.yaml:5:16: error: `tolerance` must be greater than 0"},
      {head + "    metric: response_mean_h\n    observed: 1\n    sd: 1\n    source: x\n    grade: B\n    applies_to: three-tier\n",
       "t.yaml:2:5: error: target `w` applies to three-tier, not to `mm1-cal`"},
      {"parameters: [units.station.staff]\n" + head + "    metric: response_mean_h\n    observed: 1\n    sd: 1\n" + tail,
       "t.yaml:1:14: error: `units.station.staff` has no declared range"},
      {head + "    metric: response_mean_h\n    observed: 1\n    sd: 1\n    grade: D\n    source: x\n    applies_to: mm1-cal\n",
       "t.yaml:6:12: error: unknown grade `D`"},
      {head + "    metric: response_mean_h\n    scope: tier\n    key: nowhere\n    observed: 1\n    sd: 1\n" + tail,
       "t.yaml:2:5: error: target `w`: `mm1-cal` has no tier `nowhere`"},
      {head + "    metric: response_mean_h\n    observd: 1\n    sd: 1\n" + tail,
       "t.yaml:4:5: error: unknown key `observd` in a target; did you mean `observed`?"},
      {head + "    metric: response_mean_h\n    observed: 1\n" + tail, "needs one of `sd`"},
  };
  for (const auto& c : cases) {
    const std::string e = bad_targets_error(c.text, s);
    EXPECT_NE(e.find(c.expect), std::string::npos) << "got: " << e << "\nexpected: " << c.expect << "\nfile:\n" << c.text;
  }
}

TEST(CalibrateTargets, RatiosAndNormalisers) {
  const auto dir = temp_folder("targets-values");
  const Scenario s = load_scenario(write_scenario(dir, "s.yaml", mm1_scenario(8960)));  // 8760 h observed: one year
  const TargetsFile f = load_targets_text(
      "targets:\n"
      "  - {name: r, metric: response_mean_h, over: {metric: response_median_h}, observed: 1, sd: 1, source: x, grade: C, applies_to: mm1-cal}\n"
      "  - {name: p, metric: reported, per: resident_year, observed: 1, sd: 1, source: x, grade: C, applies_to: mm1-cal}\n"
      "  - {name: u, metric: resolved, scope: tier, key: single, per: {unit_year: station}, observed: 1, sd: 1, source: x, grade: C, applies_to: mm1-cal}\n",
      "t.yaml");
  check_targets(f, s);
  const MetricRows rows = parse_record(
      "metric,scope,key,value\nresponse_mean_h,all,all,6\nresponse_median_h,all,all,2\nreported,all,all,7884\n"
      "resolved,tier,single,7000\n");
  EXPECT_DOUBLE_EQ(target_value(f.targets[0], rows, s), 3.0);
  EXPECT_DOUBLE_EQ(target_value(f.targets[1], rows, s), 7884.0);  // one resident, one year
  EXPECT_DOUBLE_EQ(target_value(f.targets[2], rows, s), 7000.0);
  EXPECT_EQ(f.targets[0].text(), "response_mean_h / response_median_h");
}

TEST(CalibrateTargets, CliRefusesBadTargetsWithExitTwoAndWritesNothing) {
  const auto dir = temp_folder("targets-cli");
  const std::string scenario = write_scenario(dir, "s.yaml", mm1_scenario(1000));
  const std::string targets = write_scenario(
      dir, "t.yaml", "targets:\n  - {name: w, metric: respons_mean_h, observed: 1, sd: 1, source: x, grade: B, applies_to: mm1-cal}\n");
  const std::string out = (dir / "out").string();
  const std::string cmd = std::string(GOVSIM_BINARY) + " calibrate " + targets + " --prior " + scenario + " --out " + out +
                          " > " + (dir / "log").string() + " 2>&1";
  const int status = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 2);
  const std::string log = read_file(dir / "log");
  EXPECT_NE(log.find("t.yaml:2:23: error: unknown metric `respons_mean_h`; did you mean `response_mean_h`?"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(out));
}

// ---------------------------------------------------------------------------
// Known answers

TEST(Calibrate, RecoversMM1ServiceMeanAndNarrowsWithTheTarget) {
  const auto dir = temp_folder("cal-mm1");
  const std::string scenario = write_scenario(dir, "mm1.yaml", mm1_scenario(6000));
  double width[2] = {0, 0};
  const double sds[2] = {0.5, 0.1};
  for (int i = 0; i < 2; ++i) {
    const std::string targets = write_scenario(dir, "t" + std::to_string(i) + ".yaml", mm1_targets(sds[i]));
    const std::string out = (dir / ("out" + std::to_string(i))).string();
    run_calibration(options(targets, scenario, out, 40, 8));  // stops at the tolerance floor (rms miss 1 sd)
    const Json j = calibrate_json(out);
    const Json& p = j["parameters"][0];
    const double lo = p["q025"].get<double>(), hi = p["q975"].get<double>();
    EXPECT_LE(lo, kTrueMean) << "sd " << sds[i];
    EXPECT_GE(hi, kTrueMean) << "sd " << sds[i];
    width[i] = hi - lo;
    EXPECT_EQ(j["predictive_check"][0]["status"], "met") << j["predictive_check"].dump();
  }
  EXPECT_LT(width[1], width[0]) << "the posterior must narrow when the target's uncertainty shrinks";
  EXPECT_LT(width[0], 0.6 * 0.95) << "the posterior must be narrower than the prior";
}

// Two stations in tandem, service means a (station 1) and b (station 2), arrivals lambda.
std::string tandem_scenario(const std::string& uncertain) {
  return "name: tandem\n"
         "simulation: {horizon_h: 4000, warmup_h: 200, replications: 1, seed: 3, sample_interval_h: 1000}\n"
         "handoffs:\n  transfer_delay_h: 0.05\n"
         "request_types:\n  job: {deadline_h: 1000}\n"
         "units:\n"
         "  first:\n    staff: 1\n    resolves: {job: {dist: exponential, mean: 0.5}}\n"
         "    routing: [{to: second, probability: 1.0}]\n"
         "  second:\n    staff: 1\n    resolves: {job: {dist: exponential, mean: 0.5}}\n"
         "populations:\n  at1: {at: first, groups: {all: {need_rates_per_hour: {job: 1.0}}}}\n"
         "uncertain:\n" + uncertain;
}

TEST(Calibrate, SelfConsistencyRecoversTwoPlantedParameters) {
  // Planted: the first station's service mean 0.5 and the arrival rate 1.0 per hour. Targets generated by
  // the model itself at those values: the mean time at the first station's tier... simplest: the total
  // response time (both) and the number reported (the arrival rate alone).
  const auto dir = temp_folder("cal-planted");
  const std::string scenario = write_scenario(
      dir, "tandem.yaml",
      tandem_scenario("  units.first.resolves.job.mean: {dist: uniform, low: 0.2, high: 0.7, grade: C, source: test}\n"
                      "  populations.at1.groups.all.need_rates_per_hour.job: {dist: uniform, low: 0.6, high: 1.2, grade: C, source: test}\n"));
  // The targets at the planted values: a long run of the model (the truth, up to its own noise).
  RunSettings settings;
  settings.replications = 4;
  settings.seed = 99;
  const RunResult truth = run_scenario(load_scenario(scenario), settings);
  const double w = testing::mean_of(truth, "response_mean_h"), reported = testing::mean_of(truth, "reported");
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "targets:\n"
                "  - {name: w, metric: response_mean_h, observed: %.10g, sd: %.10g, source: model, grade: A, applies_to: tandem}\n"
                "  - {name: n, metric: reported, observed: %.10g, sd: %.10g, source: model, grade: A, applies_to: tandem}\n",
                w, 0.1 * w, reported, 0.02 * reported);
  const std::string targets = write_scenario(dir, "t.yaml", buf);
  const std::string out = (dir / "out").string();
  run_calibration(options(targets, scenario, out, 60, 5));
  const Json j = calibrate_json(out);
  const double planted[2] = {0.5, 1.0};
  for (int i = 0; i < 2; ++i) {
    const Json& p = j["parameters"][i];
    EXPECT_LE(p["q025"].get<double>(), planted[i]) << p.dump();
    EXPECT_GE(p["q975"].get<double>(), planted[i]) << p.dump();
  }
}

TEST(Calibrate, ConfoundedPairShowsTheRidge) {
  // Only the total time through both stations is targeted: a slower first station and a faster second one
  // give the same total, so the posterior lies along a ridge a + b ~ constant (strong negative correlation).
  const auto dir = temp_folder("cal-ridge");
  const std::string scenario = write_scenario(
      dir, "tandem.yaml",
      tandem_scenario("  units.first.resolves.job.mean: {dist: uniform, low: 0.2, high: 0.7, grade: C, source: test}\n"
                      "  units.second.resolves.job.mean: {dist: uniform, low: 0.2, high: 0.7, grade: C, source: test}\n"));
  RunSettings settings;
  settings.replications = 4;
  settings.seed = 99;
  const double w = testing::mean_of(run_scenario(load_scenario(scenario), settings), "response_mean_h");
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "targets:\n  - {name: w, metric: response_mean_h, observed: %.10g, sd: %.10g, source: model, grade: A, applies_to: tandem}\n",
                w, 0.05 * w);
  const std::string targets = write_scenario(dir, "t.yaml", buf);
  const std::string out = (dir / "out").string();
  run_calibration(options(targets, scenario, out, 60, 4));
  const Json j = calibrate_json(out);
  const double r = j["correlation"][0][1].get<double>();
  EXPECT_LT(r, -0.5) << "posterior correlation " << r;
  for (int i = 0; i < 2; ++i) {  // each alone is poorly identified: the 95% interval stays wide
    const Json& p = j["parameters"][i];
    EXPECT_LE(p["q025"].get<double>(), 0.5);
    EXPECT_GE(p["q975"].get<double>(), 0.5);
  }
}

TEST(Calibrate, ByteIdenticalAtOneAndTwoThreadsAndAfterResume) {
  const auto dir = temp_folder("cal-determinism");
  const std::string scenario = write_scenario(dir, "mm1.yaml", mm1_scenario(1500));
  const std::string targets = write_scenario(dir, "t.yaml", mm1_targets(0.5));
  const char* files[] = {"posterior.csv", "generations.csv", "predictive.csv", "calibrate.json"};
  auto run = [&](const std::string& name, int threads, bool resume, std::atomic<bool>* stop) {
    CalibrateOptions o = options(targets, scenario, (dir / name).string(), 30, 3);
    o.threads = threads;
    o.resume = resume;
    o.stop = stop;
    const auto s = run_calibration(o);
    release_output_folders();
    return s;
  };
  run("one", 1, false, nullptr);
  run("two", 2, false, nullptr);
  for (const char* f : files)
    EXPECT_EQ(read_file(dir / "one" / f), read_file(dir / "two" / f)) << f << " differs between 1 and 2 threads";
  // Interrupted before any run, then resumed.
  std::atomic<bool> stop{true};
  EXPECT_TRUE(run("resumed", 2, false, &stop).interrupted);
  EXPECT_FALSE(run("resumed", 2, true, nullptr).interrupted);
  // Interrupted in the middle: the records of the last generation and the results gone, then resumed.
  fs::copy(dir / "one", dir / "cut", fs::copy_options::recursive);
  int removed = 0;
  for (const auto& e : fs::directory_iterator(dir / "cut" / "gen-002" / "runs"))
    if (++removed % 2) fs::remove(e.path());
  fs::remove_all(dir / "cut" / "predictive");
  for (const char* f : files) fs::remove(dir / "cut" / f);
  fs::remove(dir / "cut" / ".govsim.lock");
  run("cut", 1, true, nullptr);
  for (const char* f : files) {
    EXPECT_EQ(read_file(dir / "one" / f), read_file(dir / "resumed" / f)) << f << " differs after an interrupted start";
    EXPECT_EQ(read_file(dir / "one" / f), read_file(dir / "cut" / f)) << f << " differs after a resume";
  }
}

// ---------------------------------------------------------------------------
// Carrying the fit forward: govsim explore --posterior

const std::string kMeanPath = "units.station.resolves.job.mean";
const std::string kRatePath = "populations.arrivals.groups.all.need_rates_per_hour.job";

/// A calibration folder holding posterior.csv (the given columns and rows) and a calibrate.json.
std::string write_posterior(const fs::path& dir, const std::string& header, const std::string& rows) {
  fs::create_directories(dir);
  std::ofstream(dir / "posterior.csv") << header << "\n" << rows;
  std::ofstream(dir / "calibrate.json")
      << "{\"scenario\": \"mm1-cal\", \"prior_file\": \"mm1.yaml\", \"targets_file\": \"t.yaml\", \"seed\": 7,\n"
         " \"stopped_because\": \"test\", \"targets\": [{\"name\": \"w\", \"statistic\": \"response_mean_h\", "
         "\"observed\": 2.857, \"sd\": 0.5}],\n \"predictive_check\": [{\"target\": \"w\", \"status\": \"met\"}], \"conflicts\": 0}\n";
  return (dir / "posterior.csv").string();
}

int explore_cli(const std::string& posterior, const fs::path& out, int threads, const fs::path& log) {
  const std::string data = source_path("tests/data/explore");
  const std::string cmd = std::string(GOVSIM_BINARY) + " explore " + data + "/mm1-unc.yaml " + data + "/mm1-same.yaml" +
                          " --samples 8 --replications 1 --set simulation.horizon_h=600 --quiet --threads " +
                          std::to_string(threads) + " --posterior " + posterior + " --out " + out.string() + " > " +
                          log.string() + " 2>&1";
  return WEXITSTATUS(std::system(cmd.c_str()));
}

/// The values column `column` of explore.csv takes, one per row.
std::vector<std::string> explore_column(const fs::path& csv, const std::string& column) {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  std::size_t index = 0, i = 0;
  for (std::size_t a = 0, b; a <= line.size(); a = b + 1, ++i) {
    b = line.find(',', a);
    if (b == std::string::npos) b = line.size();
    if (line.substr(a, b - a) == column) index = i;
  }
  std::vector<std::string> out;
  while (std::getline(in, line)) {
    std::size_t a = 0;
    for (std::size_t c = 0; c < index; ++c) a = line.find(',', a) + 1;
    out.push_back(line.substr(a, line.find(',', a) - a));
  }
  return out;
}

TEST(CalibrateExplore, PosteriorPointMassGivesThatValueInEverySample) {
  const auto dir = temp_folder("cal-explore-point");
  // Every particle carries service mean 0.7; the arrival rate takes 0.6 or 0.85 (0.75 has weight 0: never drawn).
  const std::string posterior = write_posterior(dir / "cal", "particle," + kMeanPath + "," + kRatePath + ",weight,distance,sim:w",
                                                "0,0.7,0.6,0.25,0.1,2.8\n1,0.7,0.75,0,0.2,2.9\n2,0.7,0.85,0.75,0.3,3\n");
  ASSERT_EQ(explore_cli(posterior, dir / "out", 1, dir / "log"), 0) << read_file(dir / "log");
  const auto means = explore_column(dir / "out" / "explore.csv", kMeanPath);
  const auto rates = explore_column(dir / "out" / "explore.csv", kRatePath);
  ASSERT_FALSE(means.empty());
  for (const auto& m : means) EXPECT_EQ(m, "0.7");
  std::set<std::string> seen(rates.begin(), rates.end());
  EXPECT_EQ(seen.count("0.75"), 0u) << "a particle of weight 0 was drawn";
  for (const auto& r : seen) EXPECT_TRUE(r == "0.6" || r == "0.85") << r;
  const Json j = parse_json(read_file(dir / "out" / "explore.json"), "explore.json");
  EXPECT_EQ(j["parameters_from"], "posterior");
  EXPECT_EQ(j["posterior"]["file"], posterior);
  EXPECT_EQ(j["posterior"]["hash"].get<std::string>().size(), 16u);
  EXPECT_EQ(j["posterior"]["targets"][0]["name"], "w");
  EXPECT_EQ(j["posterior"]["predictive_check"][0]["status"], "met");
  EXPECT_EQ(j["posterior"]["particles"], 3);
}

TEST(CalibrateExplore, PosteriorDrawsByteIdenticalAtOneAndTwoThreads) {
  const auto dir = temp_folder("cal-explore-threads");
  std::string rows;
  for (int i = 0; i < 6; ++i)
    rows += std::to_string(i) + "," + std::to_string(0.55 + 0.05 * i) + ",0." + std::to_string(6 + i % 3) + "," +
            std::to_string(1 + i) + ",0,0\n";
  const std::string posterior = write_posterior(dir / "cal", "particle," + kMeanPath + "," + kRatePath + ",weight,distance", rows);
  ASSERT_EQ(explore_cli(posterior, dir / "one", 1, dir / "log1"), 0) << read_file(dir / "log1");
  ASSERT_EQ(explore_cli(posterior, dir / "two", 2, dir / "log2"), 0) << read_file(dir / "log2");
  for (const char* f : {"explore.csv", "explore.json", "points.csv"})
    EXPECT_EQ(read_file(dir / "one" / f), read_file(dir / "two" / f)) << f << " differs between 1 and 2 threads";
  // The draws follow the weights: more than one particle is used over 8 samples.
  const auto means = explore_column(dir / "one" / "explore.csv", kMeanPath);
  EXPECT_GT(std::set<std::string>(means.begin(), means.end()).size(), 1u);
  // The draw is a function of (seed, sample) alone.
  const PosteriorSample p = load_posterior(posterior);
  EXPECT_EQ(posterior_draw(p, 1, 3), posterior_draw(p, 1, 3));
}

/// posterior.csv's rows as (column -> text) maps.
std::vector<std::map<std::string, std::string>> csv_rows(const fs::path& csv) {
  std::ifstream in(csv);
  std::string line;
  std::vector<std::string> header;
  auto split = [](const std::string& l) {
    std::vector<std::string> f;
    for (std::size_t a = 0, b; a <= l.size(); a = b + 1) {
      b = l.find(',', a);
      if (b == std::string::npos) b = l.size();
      f.push_back(l.substr(a, b - a));
    }
    return f;
  };
  std::getline(in, line);
  header = split(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    const auto f = split(line);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < f.size(); ++i) row[header[i]] = f[i];
    rows.push_back(row);
  }
  return rows;
}

TEST(CalibrateExplore, CalibrationCarriedIntoExploreEndToEnd) {
  // A real calibration (M/M/1 with uncertain service mean and arrival rate, tests/data/calibrate), then
  // `govsim explore --posterior` on its posterior.csv: every sample's fitted values are those of one particle
  // of positive weight (both parameters from the same particle), and explore.json carries the calibration's
  // targets and predictive check.
  const auto dir = temp_folder("cal-explore-e2e");
  const std::string data = source_path("tests/data/explore");
  CalibrateOptions o = options(source_path("tests/data/calibrate/mm1-unc-targets.yaml"), data + "/mm1-unc.yaml",
                               (dir / "cal").string(), 24, 3);
  o.sets = {"simulation.horizon_h=2000"};
  o.seed = 5;
  o.predictive = 12;
  const CalibrationSummary summary = run_calibration(o);
  release_output_folders();
  ASSERT_FALSE(summary.interrupted);
  const fs::path posterior = dir / "cal" / "posterior.csv";
  std::set<std::pair<std::string, std::string>> particles;  // (service mean, arrival rate) of weight > 0
  for (const auto& row : csv_rows(posterior))
    if (std::stod(row.at("weight")) > 0) particles.insert({row.at(kMeanPath), row.at(kRatePath)});
  ASSERT_GT(particles.size(), 1u);
  ASSERT_EQ(explore_cli(posterior.string(), dir / "out", 2, dir / "log"), 0) << read_file(dir / "log");
  const auto means = explore_column(dir / "out" / "explore.csv", kMeanPath);
  const auto rates = explore_column(dir / "out" / "explore.csv", kRatePath);
  ASSERT_EQ(means.size(), rates.size());
  ASSERT_FALSE(means.empty());
  std::set<std::pair<std::string, std::string>> drawn;
  for (std::size_t i = 0; i < means.size(); ++i) {
    EXPECT_EQ(particles.count({means[i], rates[i]}), 1u)
        << "explore sample " << i << " runs (" << means[i] << ", " << rates[i] << "), not a particle of the posterior";
    drawn.insert({means[i], rates[i]});
  }
  EXPECT_GT(drawn.size(), 1u) << "8 samples drew a single particle of " << particles.size();
  const Json cal = calibrate_json((dir / "cal").string());
  const Json j = parse_json(read_file(dir / "out" / "explore.json"), "explore.json");
  EXPECT_EQ(j["parameters_from"], "posterior");
  EXPECT_EQ(j["posterior"]["particles"], 24);
  EXPECT_EQ(j["posterior"]["seed"], 5);
  ASSERT_EQ(j["posterior"]["targets"].size(), 2u);
  EXPECT_EQ(j["posterior"]["targets"][0]["name"], "time_in_system");
  EXPECT_EQ(j["posterior"]["targets"][1]["name"], "requests");
  EXPECT_EQ(j["posterior"]["targets"][0]["source"], cal["targets"][0]["source"]);
  EXPECT_EQ(j["posterior"]["predictive_check"], cal["predictive_check"]);
  EXPECT_NEAR(j["posterior"]["ess"].get<double>(), summary.final_ess, 1e-6 * summary.final_ess);
}

TEST(CalibrateExplore, RefusesPosteriorOfUndeclaredParameterWithExitTwoAndWritesNothing) {
  const auto dir = temp_folder("cal-explore-bad");
  const std::string posterior =
      write_posterior(dir / "cal", "particle,units.station.staff," + kMeanPath + ",weight,distance", "0,2,0.7,1,0\n");
  EXPECT_EQ(explore_cli(posterior, dir / "out", 1, dir / "log"), 2);
  const std::string log = read_file(dir / "log");
  EXPECT_NE(log.find("posterior.csv:1"), std::string::npos) << log;
  EXPECT_NE(log.find("the posterior fits `units.station.staff`"), std::string::npos) << log;
  EXPECT_NE(log.find("does not declare uncertain"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

}  // namespace
}  // namespace govsim
