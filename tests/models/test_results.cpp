// tests/models/test_results.cpp: the result files of one run
// (models/app/results/results.hpp), written from a RunResult built by hand so
// that every figure in them has a known value: metrics.csv holds every
// replication's numbers, summary.json their mean and Student-t interval,
// timeseries.csv names each unit, distributions.csv pools the replications'
// histograms; the writes are atomic, the folder rules hold, and the terminal
// table warns of a saturated unit.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "models/app/results/json.hpp"
#include "models/app/results/results.hpp"
#include "sim/stats.hpp"
#include "test_support.hpp"

namespace govsim {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::temp_folder;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// Two units, three replications; mean response 10, 20, 30 h; unit 1 busy 99% of the time.
RunResult three_replications() {
  RunResult run;
  run.seed = 7;
  run.unit_names = {"committee/0", "office/0"};
  run.unit_groups = {"committee", "office"};
  run.unit_tiers = {"committee", "subdistrict"};
  run.unit_kinds = {"residents_committee", "subdistrict_office"};
  for (int r = 0; r < 3; ++r) {
    ReplicationResult rep;
    rep.replication = r;
    rep.metrics.push_back({"response_mean_h", "all", "all", 10.0 * (r + 1)});
    rep.metrics.push_back({"utilisation", "unit", "office/0", 0.99});
    rep.metrics.push_back({"utilisation", "unit", "committee/0", 0.40});
    rep.series.push_back({24.0 * r, 1, static_cast<std::uint32_t>(r), 2, 0.5, std::nan("")});
    sim::LogHistogram response, since_need;
    for (int i = 1; i <= 100; ++i) {
      response.add(i * (r + 1.0));
      since_need.add(i * (r + 1.0) + 5.0);
    }
    rep.response_histograms.emplace("all:all", response);
    rep.since_need_histograms.emplace("all:all", since_need);
    run.replications.push_back(rep);
  }
  return run;
}

Scenario named(const std::string& name) {
  Scenario s;
  s.name = name;
  return s;
}

TEST(Results, MetricsCsvHoldsEveryReplicationsNumbers) {
  const auto dir = temp_folder("results-metrics");
  write_run(named("t"), three_replications(), dir.string());
  const auto lines = lines_of(read_file(dir / "metrics.csv"));
  ASSERT_EQ(lines.size(), 1u + 3u * 3u);
  EXPECT_EQ(lines[0], "replication,metric,scope,key,value");
  EXPECT_EQ(lines[1], "0,response_mean_h,all,all,10");
  EXPECT_EQ(lines[4], "1,response_mean_h,all,all,20");
  EXPECT_EQ(lines[8], "2,utilisation,unit,office/0,0.99");
  EXPECT_EQ(lines[9], "2,utilisation,unit,committee/0,0.4");
}

TEST(Results, SummaryJsonGivesTheMeanAndStudentTInterval) {
  const auto dir = temp_folder("results-summary");
  write_run(named("t"), three_replications(), dir.string(), {"behaviour.report_probability=0.5"});
  const Json doc = parse_json(read_file(dir / "summary.json"), "summary.json");
  EXPECT_EQ(doc["replications"], 3);
  EXPECT_EQ(doc["seed"], 7);
  EXPECT_EQ(doc["overrides"][0], "behaviour.report_probability=0.5");
  bool found = false;
  for (const auto& m : doc["metrics"])
    if (m["metric"] == "response_mean_h") {
      found = true;
      // Values 10, 20, 30: mean 20, sd 10, half-width t(0.975, 2) * 10 / sqrt(3) = 4.3027 * 5.7735.
      EXPECT_DOUBLE_EQ(m["mean"].get<double>(), 20.0);
      const double half = 4.302652729911275 * 10.0 / std::sqrt(3.0);
      EXPECT_NEAR(m["ci_low"].get<double>(), 20.0 - half, 1e-9);
      EXPECT_NEAR(m["ci_high"].get<double>(), 20.0 + half, 1e-9);
      EXPECT_EQ(m["n"], 3);
    }
  EXPECT_TRUE(found);
  // The saturated unit is named in the warnings; the one at 40% is not.
  ASSERT_EQ(doc["warnings"].size(), 1u);
  EXPECT_NE(doc["warnings"][0].get<std::string>().find("office/0"), std::string::npos);
  EXPECT_TRUE(doc.contains("metric_registry"));
}

TEST(Results, TimeseriesNamesTheUnitAndLeavesNaNEmpty) {
  const auto dir = temp_folder("results-series");
  write_run(named("t"), three_replications(), dir.string());
  const auto lines = lines_of(read_file(dir / "timeseries.csv"));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[2], "1,24,office/0,office,subdistrict,subdistrict_office,1,2,0.5,");
}

TEST(Results, DistributionsPoolTheReplications) {
  const auto dir = temp_folder("results-dist");
  write_run(named("t"), three_replications(), dir.string());
  const auto lines = lines_of(read_file(dir / "distributions.csv"));
  ASSERT_EQ(lines.size(), 1u + 99u);
  // Pooled values: 1..100, 2, 4..200, 3, 6..300 (300 in all). Below x <= 100 lie
  // x + x/2 + x/3 of them, so the pooled median is 150 / (11/6) = 81.8 h: no
  // single replication's median (50, 100, 150) is near it.
  double median = 0, previous = 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::istringstream row(lines[i]);
    std::string scope, key, q, response;
    std::getline(row, scope, ',');
    std::getline(row, key, ',');
    std::getline(row, q, ',');
    std::getline(row, response, ',');
    EXPECT_EQ(scope, "all");
    const double v = std::stod(response);
    EXPECT_GE(v, previous);  // quantiles never decrease
    previous = v;
    if (q == "0.5") median = v;
  }
  EXPECT_NEAR(median, 81.8, 2.5);  // within a bin of the log histogram (50 a decade)
}

TEST(Results, NothingHalfWrittenIsLeftBehind) {
  const auto dir = temp_folder("results-atomic");
  write_run(named("t"), three_replications(), dir.string());
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find(".partial-"), std::string::npos) << e.path();
}

TEST(Results, AtomicWriteRefusesAPipeAndWritesThroughALink) {
  const auto dir = temp_folder("results-special");
  const auto fifo = dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THROW(write_file_atomically(fifo.string(), "x"), OutputError);
  std::ofstream(dir / "target.txt") << "old";
  fs::create_symlink(dir / "target.txt", dir / "link.txt");
  write_file_atomically((dir / "link.txt").string(), "new");
  EXPECT_TRUE(fs::is_symlink(dir / "link.txt"));
  EXPECT_EQ(read_file(dir / "target.txt"), "new");
}

TEST(Results, FolderRulesRefuseOldFilesAndForceRemovesOnlyGovsims) {
  const auto dir = temp_folder("results-folder");
  std::ofstream(dir / "notes.txt") << "mine";
  EXPECT_THROW(prepare_output_folder(dir.string(), "t", false), OutputError);
  release_output_folders();
  std::ofstream(dir / "summary.json") << "{}";
  fs::create_directories(dir / "run-2");
  fs::create_directories(dir / "run-x");
  prepare_output_folder(dir.string(), "t", true);
  release_output_folders();
  EXPECT_TRUE(fs::exists(dir / "notes.txt"));
  EXPECT_TRUE(fs::exists(dir / "run-x"));  // not a name govsim writes
  EXPECT_FALSE(fs::exists(dir / "summary.json"));
  EXPECT_FALSE(fs::exists(dir / "run-2"));
  EXPECT_FALSE(fs::exists(dir / ".govsim.lock"));
}

TEST(Results, CsvNumbersAreShortExactAndNaNIsEmpty) {
  EXPECT_EQ(csv_number(0.1), "0.1");
  EXPECT_EQ(csv_number(20.0), "20");
  EXPECT_EQ(csv_number(1.0 / 3.0), "0.3333333333");
  EXPECT_EQ(csv_number(std::nan("")), "");
  EXPECT_EQ(csv_number(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(csv_number(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(Results, SummaryTableLabelsFromTheRegistryAndWarns) {
  const std::string table = summary_table(named("district"), three_replications());
  EXPECT_EQ(table.rfind("district: 2 units", 0), 0u) << table;
  EXPECT_EQ(table.find("response_mean_h"), std::string::npos) << "the label, not the CSV name:\n" << table;
  EXPECT_NE(table.find("warning: unit office/0 is saturated"), std::string::npos) << table;
  EXPECT_EQ(table.find("committee/0 is saturated"), std::string::npos) << table;
}

}  // namespace
}  // namespace govsim
