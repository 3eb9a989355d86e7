// tests/models/test_cli.cpp: the real govsim binary, run as a user would.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using govsim::testing::read_file;
using govsim::testing::shell_quote;

std::string data(const std::string& relative) { return std::string(GOVSIM_SOURCE_DIR) + "/tests/data/" + relative; }
std::string scenario(const std::string& name) {
  return std::string(GOVSIM_SOURCE_DIR) + "/scenarios/textbook/" + name + ".yaml";
}

struct Result {
  int status = -1;
  std::string out, err;
};

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("govsim-cli-" + std::to_string(::getpid()) + "-" + std::string(info->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Result govsim(const std::vector<std::string>& args) {
    std::string cmd = shell_quote(GOVSIM_BINARY);
    for (const auto& a : args) cmd += " " + shell_quote(a);
    const fs::path out = dir_ / ".stdout", err = dir_ / ".stderr";
    cmd += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string()) + " </dev/null";
    const int raw = std::system(cmd.c_str());
    Result r;
    EXPECT_NE(raw, -1) << cmd;
    EXPECT_TRUE(WIFEXITED(raw)) << cmd << " did not exit normally (raw status " << raw << ")";
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = read_file(out);
    r.err = read_file(err);
    fs::remove(out);
    fs::remove(err);
    return r;
  }
  static std::vector<std::string> small_run(const std::string& out) {
    return {"run",   scenario("mm1"), "--set",   "simulation.horizon_h=500", "--set", "simulation.warmup_h=0",
            "--set", "simulation.replications=2", "--quiet", "--out",         out};
  }
  fs::path dir_;
};

bool one_line(const std::string& s) { return !s.empty() && s.back() == '\n' && s.find('\n') == s.size() - 1; }

TEST_F(Cli, VersionAndHelp) {
  const Result v = govsim({"--version"});
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_EQ(v.out.rfind("govsim ", 0), 0u) << v.out;
  const Result h = govsim({"--help"});
  EXPECT_EQ(h.status, 0) << h.err;
  EXPECT_NE(h.out.find("usage:"), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("govsim run"), std::string::npos) << h.out;
  EXPECT_EQ(govsim({"-h"}).status, 0);
}

TEST_F(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(govsim({}).status, 2);
  const Result unknown = govsim({"frobnicate", data("good/minimal.yaml")});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("unknown command"), std::string::npos) << unknown.err;
  EXPECT_EQ(govsim({"run"}).status, 2);
  EXPECT_EQ(govsim({"check"}).status, 2);
  EXPECT_EQ(govsim({"check", data("good/minimal.yaml"), data("good/base.yaml")}).status, 2);
  EXPECT_EQ(govsim({"run", data("good/minimal.yaml"), "--threads", "0"}).status, 2);
  EXPECT_EQ(govsim({"run", data("good/minimal.yaml"), "--replications", "0"}).status, 2);
  EXPECT_EQ(govsim({"run", data("good/minimal.yaml"), "--no-such-option"}).status, 2);
  EXPECT_EQ(govsim({"run", data("good/minimal.yaml"), "--seed", "abc"}).status, 2);
  EXPECT_EQ(govsim({"compare", data("good/minimal.yaml")}).status, 2);
}

TEST_F(Cli, CheckGoodScenarios) {
  for (const std::string& path : {data("good/minimal.yaml"), data("good/base.yaml"), data("good/child.yaml"),
                                  data("good/grandchild.yaml"), scenario("mm1"), scenario("jackson")}) {
    SCOPED_TRACE(path);
    const Result r = govsim({"check", path});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find(": ok"), std::string::npos) << r.out;
    EXPECT_EQ(r.err, "");
  }
}

TEST_F(Cli, CheckWithSet) {
  EXPECT_EQ(govsim({"check", data("good/minimal.yaml"), "--set", "units.station.staff=3"}).status, 0);
  const Result bad = govsim({"check", data("good/minimal.yaml"), "--set", "units.station.staff=0"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("error:"), std::string::npos) << bad.err;
  EXPECT_TRUE(one_line(bad.err)) << bad.err;
  EXPECT_EQ(govsim({"check", data("good/minimal.yaml"), "--set", "units.station.staf=3"}).status, 2);
  EXPECT_EQ(govsim({"check", data("good/minimal.yaml"), "--set", "nonsense"}).status, 2);
}

struct BadCase {
  const char* fixture;
  const char* reported;  // the file the message names (relative to tests/data)
  bool has_line;
  const char* needle;
};

TEST_F(Cli, CheckBadInputsExitTwoWithOneLineMessage) {
  const std::vector<BadCase> cases = {
      {"bad/malformed.yaml", "bad/malformed.yaml", true, "malformed YAML"},
      {"bad/unknown_key.yaml", "bad/unknown_key.yaml", true, "did you mean `staff`"},
      {"bad/wrong_type.yaml", "bad/wrong_type.yaml", true, "whole number"},
      {"bad/zero_mean.yaml", "bad/zero_mean.yaml", true, "`mean`"},
      {"bad/negative_rate.yaml", "bad/negative_rate.yaml", true, "out of range"},
      {"bad/probability.yaml", "bad/probability.yaml", true, "`quality`"},
      {"bad/routing_sum.yaml", "bad/routing_sum.yaml", true, "routing probabilities"},
      {"bad/missing_parent.yaml", "bad/missing_parent.yaml", true, "headquarters"},
      {"bad/missing_refers.yaml", "bad/missing_refers.yaml", true, "bureaux"},
      {"bad/missing_routing.yaml", "bad/missing_routing.yaml", true, "nowhere"},
      {"bad/missing_at.yaml", "bad/missing_at.yaml", true, "stadium"},
      {"bad/unresolved.yaml", "bad/unresolved.yaml", true, "no unit `resolves`"},
      {"bad/shares.yaml", "bad/shares.yaml", true, "shares"},
      {"bad/cycle_a.yaml", "bad/cycle_b.yaml", true, "cycle"},
      {"bad/extends_missing.yaml", "bad/extends_missing.yaml", true, "no_such_base.yaml"},
      {"bad/garbage.yaml", "bad/garbage.yaml", true, "mapping"},
      {"bad/binary.yaml", "bad/binary.yaml", false, "binary"},
      {"bad/empty.yaml", "bad/empty.yaml", false, "empty"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.fixture);
    const Result r = govsim({"check", data(c.fixture)});
    EXPECT_EQ(r.status, 2) << r.out << r.err;
    EXPECT_TRUE(one_line(r.err)) << r.err;
    const std::string file = data(c.reported);
    const std::string prefix = c.has_line ? file + ":" : file + ": error: ";
    ASSERT_EQ(r.err.rfind(prefix, 0), 0u) << r.err;
    if (c.has_line) {
      static const std::regex where(R"(^:[1-9][0-9]*:[1-9][0-9]*: error: .+\n$)");
      EXPECT_TRUE(std::regex_match(r.err.substr(file.size()), where)) << r.err;
    }
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(Cli, BadInputsAlsoFailRunAndDescribe) {
  for (const std::string command : {"run", "describe"}) {
    SCOPED_TRACE(command);
    std::vector<std::string> args{command, data("bad/unknown_key.yaml")};
    if (command == "run") args.insert(args.end(), {"--out", (dir_ / "out").string(), "--quiet"});
    const Result r = govsim(args);
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find("did you mean"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out" / "summary.json"));
  }
}

TEST_F(Cli, MissingFileExitsTwo) {
  const std::string path = (dir_ / "no-such-scenario.yaml").string();
  for (const std::string command : {"check", "run", "describe"}) {
    SCOPED_TRACE(command);
    std::vector<std::string> args{command, path};
    if (command == "run") args.insert(args.end(), {"--out", (dir_ / "out").string()});  // the others take no --out
    const Result r = govsim(args);
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_EQ(r.err.rfind(path + ": error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("no such file"), std::string::npos) << r.err;
  }
}

TEST_F(Cli, UnwritableOutputExitsTwo) {
  // Under /proc nothing can be created, even by root.
  {
    const Result r = govsim(small_run("/proc/nonexistent/x"));
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("error:"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists("/proc/nonexistent/x/summary.json"));
  }
  // A path under a regular file.
  {
    std::ofstream(dir_ / "plain-file") << "x";
    const fs::path out = dir_ / "plain-file" / "sub";
    const Result r = govsim(small_run(out.string()));
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("error:"), std::string::npos) << r.err;
    EXPECT_EQ(read_file(dir_ / "plain-file"), "x");
  }
  // --out naming an existing regular file.
  {
    std::ofstream(dir_ / "a-file") << "keep";
    const Result r = govsim(small_run((dir_ / "a-file").string()));
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(read_file(dir_ / "a-file"), "keep");
  }
  // Nothing anywhere in the temp dir looks like results.
  for (const auto& e : fs::recursive_directory_iterator(dir_))
    EXPECT_NE(e.path().filename(), "summary.json") << e.path();
}

TEST_F(Cli, NonEmptyOutputFolderNeedsForce) {
  const fs::path out = dir_ / "busy";
  fs::create_directories(out);
  std::ofstream(out / "notes.txt") << "mine";
  const Result refused = govsim(small_run(out.string()));
  EXPECT_EQ(refused.status, 2) << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(out / "summary.json"));
  EXPECT_EQ(read_file(out / "notes.txt"), "mine");

  auto args = small_run(out.string());
  args.push_back("--force");
  const Result forced = govsim(args);
  EXPECT_EQ(forced.status, 0) << forced.err;
  EXPECT_TRUE(fs::exists(out / "summary.json"));
  EXPECT_EQ(read_file(out / "notes.txt"), "mine");
}

TEST_F(Cli, EmptyExistingOutputFolderIsAccepted) {
  const fs::path out = dir_ / "empty";
  fs::create_directories(out);
  const Result r = govsim(small_run(out.string()));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(out / "summary.json"));
}

TEST_F(Cli, SmallRunWritesAllResultFiles) {
  const fs::path out = dir_ / "run";
  auto args = small_run(out.string());
  args.insert(args.end(), {"--threads", "2"});
  const Result r = govsim(args);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("results: " + out.string()), std::string::npos) << r.out;
  for (const char* name : {"summary.json", "metrics.csv", "timeseries.csv", "distributions.csv"}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(fs::is_regular_file(out / name));
    EXPECT_GT(fs::file_size(out / name), 0u);
  }
  for (const auto& e : fs::directory_iterator(out)) {
    const std::string name = e.path().filename().string();
    EXPECT_EQ(name.find(".partial-"), std::string::npos) << name;
    EXPECT_EQ(name.find(".govsim-write-test"), std::string::npos) << name;
  }
  const std::string summary = read_file(out / "summary.json");
  EXPECT_EQ(summary.front(), '{');
  EXPECT_NE(summary.find("mm1"), std::string::npos);
  const std::string metrics = read_file(out / "metrics.csv");
  EXPECT_EQ(metrics.rfind("replication,metric,scope,key,value", 0), 0u) << metrics.substr(0, 200);
  EXPECT_EQ(read_file(out / "timeseries.csv").rfind("replication,time_h", 0), 0u);
  EXPECT_EQ(read_file(out / "distributions.csv").rfind("scope,key,quantile", 0), 0u);
}

TEST_F(Cli, ResultFilesDoNotDependOnThreads) {
  std::vector<std::string> csv;
  for (const char* threads : {"1", "2"}) {
    const fs::path out = dir_ / (std::string("t") + threads);
    auto args = small_run(out.string());
    args.insert(args.end(), {"--threads", threads});
    ASSERT_EQ(govsim(args).status, 0);
    csv.push_back(read_file(out / "metrics.csv") + read_file(out / "timeseries.csv") + read_file(out / "distributions.csv"));
  }
  EXPECT_EQ(csv[0], csv[1]);
}

TEST_F(Cli, DescribeWritesDot) {
  const fs::path dot = dir_ / "org.dot";
  const Result r = govsim({"describe", data("good/base.yaml"), "--dot", dot.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("office"), std::string::npos) << r.out;
  ASSERT_TRUE(fs::exists(dot));
  const std::string text = read_file(dot);
  EXPECT_NE(text.find("digraph"), std::string::npos) << text;
  EXPECT_NE(text.find("->"), std::string::npos) << text;  // office refers permits to bureau
  EXPECT_EQ(text.back(), '\n');
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find(".partial-"), std::string::npos) << e.path();
}

TEST_F(Cli, DescribeWithoutDotWritesNothing) {
  const Result r = govsim({"describe", scenario("mm1")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("station"), std::string::npos) << r.out;
}

TEST_F(Cli, DescribeDotUnwritableExitsTwo) {
  const Result r = govsim({"describe", scenario("mm1"), "--dot", "/proc/nonexistent/org.dot"});
  EXPECT_EQ(r.status, 2) << r.err;
}

}  // namespace

// --- issue 16 item 1: a command line that helps ---------------------------------

namespace {

class CliHelp : public Cli {};

TEST_F(CliHelp, EveryCommandHasHelpWithUsageAndExamples) {
  for (const std::string command : {"run", "compare", "sweep", "check", "describe"})
    for (const std::string flag : {"--help", "-h"}) {
      SCOPED_TRACE(command + " " + flag);
      const Result r = govsim({command, flag});
      EXPECT_EQ(r.status, 0) << r.err;
      EXPECT_EQ(r.out.rfind("usage: govsim " + command, 0), 0u) << r.out;
      EXPECT_NE(r.out.find("examples:"), std::string::npos) << r.out;
      EXPECT_EQ(r.err, "");
    }
  const Result run = govsim({"run", "--help"});
  EXPECT_NE(run.out.find("--replications R"), std::string::npos) << run.out;
  EXPECT_EQ(govsim({"help", "sweep"}).out.rfind("usage: govsim sweep", 0), 0u);
}

TEST_F(CliHelp, MisspeltOptionsAndCommandsGetASuggestion) {
  const Result option = govsim({"run", scenario("mm1"), "--replicatons", "2"});
  EXPECT_EQ(option.status, 2);
  EXPECT_TRUE(one_line(option.err)) << option.err;
  EXPECT_NE(option.err.find("unknown option `--replicatons`; did you mean `--replications`?"), std::string::npos)
      << option.err;
  const Result command = govsim({"comapre", scenario("mm1"), scenario("mm1")});
  EXPECT_EQ(command.status, 2);
  EXPECT_TRUE(one_line(command.err)) << command.err;
  EXPECT_NE(command.err.find("did you mean `compare`?"), std::string::npos) << command.err;
}

TEST_F(CliHelp, ParseErrorsNameTheOptionAndItsForm) {
  for (const std::string bad : {"abc", "18446744073709551616", "-1", "2^64"}) {
    SCOPED_TRACE(bad);
    const Result r = govsim({"run", scenario("mm1"), "--seed", bad, "--out", (dir_ / "x").string()});
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find("--seed takes N, a whole number from 0 to 18446744073709551615, not `" + bad + "`"),
              std::string::npos)
        << r.err;
  }
  const Result missing = govsim({"run", scenario("mm1"), "--replications"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("--replications needs a value"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(dir_ / "x"));
}

// --- issue 13: nothing silently wrong ------------------------------------------

TEST_F(Cli, OptionsACommandDoesNotTakeAreRefused) {
  const Result dot = govsim({"run", scenario("mm1"), "--dot", (dir_ / "x.dot").string(), "--out", (dir_ / "r").string()});
  EXPECT_EQ(dot.status, 2);
  EXPECT_TRUE(one_line(dot.err)) << dot.err;
  EXPECT_NE(dot.err.find("`run` does not take --dot"), std::string::npos) << dot.err;
  EXPECT_FALSE(fs::exists(dir_ / "r"));
  const Result seed = govsim({"check", scenario("mm1"), "--seed", "3"});
  EXPECT_EQ(seed.status, 2);
  EXPECT_NE(seed.err.find("`check` does not take --seed"), std::string::npos) << seed.err;
}

TEST_F(Cli, MemoryLimitDoesNotOverflow) {
  // 2^44 MiB is 2^64 bytes: it wrapped to 0 (no check); 2^44 + 1 to 1 MiB.
  for (const std::string mib : {"17592186044416", "17592186044417"}) {
    const Result r = govsim({"run", scenario("mm1"), "--memory-limit", mib, "--out", (dir_ / "r").string()});
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("--memory-limit takes MiB"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(dir_ / "r"));
}

TEST_F(Cli, ThreadsAboveTheCoresAreRecordedAsUsed) {
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  auto args = small_run((dir_ / "r").string());
  args.insert(args.end(), {"--threads", "1000"});
  const Result r = govsim(args);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find("TBB"), std::string::npos) << r.err;
  EXPECT_NE(read_file(dir_ / "r" / "summary.json").find("\"threads\": " + std::to_string(cores) + ","), std::string::npos);
}

TEST_F(Cli, SetPathMustNameAnExistingGroup) {
  // `centr` was created as a new, idle group with staff cost.
  const Result r = govsim({"describe", data("good/base.yaml"), "--set", "units.ofice.staff=8"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("did you mean `office`?"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(Cli, CompareSaysItsSetAppliesToEveryScenario) {
  const fs::path out = dir_ / "cmp";
  const Result r = govsim({"compare", scenario("mm1"), scenario("mm1"), "--set", "simulation.horizon_h=300", "--set",
                           "simulation.warmup_h=0", "--replications", "2", "--quiet", "--out", out.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("--set simulation.horizon_h=300: applied to every scenario"), std::string::npos) << r.out;
  const std::string json = read_file(out / "comparison.json");
  EXPECT_NE(json.find("\"overrides\": [\"simulation.horizon_h=300\", \"simulation.warmup_h=0\"]"), std::string::npos)
      << json.substr(0, 400);
}

TEST_F(Cli, RerunFromTheResolvedScenarioIsByteIdentical) {
  const fs::path first = dir_ / "first", again = dir_ / "again";
  const Result a = govsim({"run", data("good/child.yaml"), "--seed", "5", "--replications", "2", "--set",
                           "units.office.staff=4", "--set", "simulation.horizon_h=300", "--quiet", "--out",
                           first.string()});
  ASSERT_EQ(a.status, 0) << a.err;
  const std::string summary = read_file(first / "summary.json");
  EXPECT_NE(summary.find("\"overrides\": [\"units.office.staff=4\", \"simulation.horizon_h=300\"]"), std::string::npos)
      << summary.substr(0, 600);
  EXPECT_NE(summary.find("\"resolved_scenario\": \"scenario.resolved.yaml\""), std::string::npos);
  ASSERT_TRUE(fs::exists(first / "scenario.resolved.yaml"));
  // Nothing else: no --seed, no --set, no extends chain.
  const Result b = govsim({"run", (first / "scenario.resolved.yaml").string(), "--quiet", "--out", again.string()});
  ASSERT_EQ(b.status, 0) << b.err;
  for (const char* f : {"metrics.csv", "timeseries.csv", "distributions.csv", "scenario.resolved.yaml"}) {
    SCOPED_TRACE(f);
    EXPECT_GT(fs::file_size(first / f), 0u);
    if (std::string(f) == "scenario.resolved.yaml") continue;  // its header names the file it came from
    EXPECT_EQ(read_file(first / f), read_file(again / f));
  }
  const std::string again_summary = read_file(again / "summary.json");
  EXPECT_NE(again_summary.find("\"seed\": 5,"), std::string::npos);
  EXPECT_NE(again_summary.find("\"name\": \"child\""), std::string::npos);
}

TEST_F(Cli, TwoRunsIntoOneFolderOneIsRefused) {
  const fs::path out = dir_ / "shared";
  const std::string run = shell_quote(GOVSIM_BINARY) + " run " + shell_quote(scenario("mm1")) +
                          " --set simulation.horizon_h=20000 --set simulation.warmup_h=0 --replications 2 --threads 1 --quiet --out " +
                          shell_quote(out.string());
  const std::string d = shell_quote(dir_.string());
  const std::string script = "cd " + d + "; (" + run + " --seed 1 >o1 2>e1; echo $? >s1) & (" + run +
                             " --seed 2 >o2 2>e2; echo $? >s2) & wait";
  ASSERT_EQ(std::system(("bash -c " + shell_quote(script)).c_str()), 0);
  std::vector<int> status = {std::stoi(read_file(dir_ / "s1")), std::stoi(read_file(dir_ / "s2"))};
  std::sort(status.begin(), status.end());
  EXPECT_EQ(status, (std::vector<int>{0, 2})) << read_file(dir_ / "e1") << read_file(dir_ / "e2");
  const std::string refused = read_file(dir_ / (std::stoi(read_file(dir_ / "s1")) ? "e1" : "e2"));
  EXPECT_TRUE(one_line(refused)) << refused;
  // What the folder holds is one run's, whole.
  const std::string summary = read_file(out / "summary.json"), resolved = read_file(out / "scenario.resolved.yaml");
  const std::string seed = summary.find("\"seed\": 1,") != std::string::npos ? "1" : "2";
  EXPECT_NE(resolved.find("seed: " + seed), std::string::npos) << resolved;
  EXPECT_FALSE(fs::exists(out / ".govsim.lock"));
}

TEST_F(Cli, RunsWithoutOutNeverShareADefaultFolder) {
  const std::string run = shell_quote(GOVSIM_BINARY) + " run " + shell_quote(scenario("mm1")) +
                          " --set simulation.horizon_h=3000 --set simulation.warmup_h=0 --replications 1 --threads 1 --quiet";
  const std::string script =
      "cd " + shell_quote(dir_.string()) + "; (" + run + " >o1 2>e1; echo $? >s1) & (" + run + " >o2 2>e2; echo $? >s2) & wait";
  ASSERT_EQ(std::system(("bash -c " + shell_quote(script)).c_str()), 0);
  EXPECT_EQ(read_file(dir_ / "s1"), "0\n") << read_file(dir_ / "e1");
  EXPECT_EQ(read_file(dir_ / "s2"), "0\n") << read_file(dir_ / "e2");
  for (const char* n : {"results/mm1-1", "results/mm1-2"}) EXPECT_TRUE(fs::exists(dir_ / n / "summary.json")) << n;
}

TEST_F(Cli, ForceRemovesWhatGovsimWroteBefore) {
  const fs::path out = dir_ / "cmp";
  auto compare = [&](std::vector<std::string> files, bool force) {
    std::vector<std::string> args{"compare"};
    args.insert(args.end(), files.begin(), files.end());
    args.insert(args.end(), {"--set", "simulation.horizon_h=300", "--set", "simulation.warmup_h=0", "--replications", "2",
                             "--quiet", "--out", out.string()});
    if (force) args.push_back("--force");
    return govsim(args);
  };
  ASSERT_EQ(compare({scenario("mm1"), scenario("mm1"), scenario("mm1")}, false).status, 0);
  fs::create_directories(out / "plots");
  std::ofstream(out / "plots" / "old.png") << "png";
  std::ofstream(out / "report.html") << "old";
  std::ofstream(out / "notes.txt") << "mine";
  ASSERT_EQ(compare({scenario("mm1"), scenario("mm1")}, true).status, 0);
  EXPECT_TRUE(fs::exists(out / "run-1" / "summary.json"));
  EXPECT_FALSE(fs::exists(out / "run-2")) << "a 3-way compare redone as 2-way kept run-2/";
  EXPECT_FALSE(fs::exists(out / "plots"));
  EXPECT_FALSE(fs::exists(out / "report.html"));
  EXPECT_EQ(read_file(out / "notes.txt"), "mine");
  // A run over the comparison: no comparison.* left to be plotted as current.
  auto args = small_run(out.string());
  args.push_back("--force");
  ASSERT_EQ(govsim(args).status, 0);
  EXPECT_FALSE(fs::exists(out / "comparison.csv"));
  EXPECT_FALSE(fs::exists(out / "comparison.json"));
  EXPECT_FALSE(fs::exists(out / "run-0"));
  EXPECT_TRUE(fs::exists(out / "summary.json"));
}

TEST_F(Cli, DotThroughASymlinkWritesItsTarget) {
  std::ofstream(dir_ / "target.dot") << "old";
  fs::create_symlink("target.dot", dir_ / "link.dot");
  const Result r = govsim({"describe", scenario("mm1"), "--dot", (dir_ / "link.dot").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(dir_ / "link.dot")) << "the link was replaced by a file";
  EXPECT_NE(read_file(dir_ / "target.dot").find("digraph"), std::string::npos);
  // A name of 250 bytes: the temporary name must not pass 255.
  const std::string longname = std::string(246, 'd') + ".dot";
  const Result l = govsim({"describe", scenario("mm1"), "--dot", (dir_ / longname).string()});
  EXPECT_EQ(l.status, 0) << l.err;
  EXPECT_TRUE(fs::exists(dir_ / longname));
}

TEST_F(Cli, DotNeverReplacesASpecialFile) {
  const fs::path fifo = dir_ / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const Result r = govsim({"describe", scenario("mm1"), "--dot", fifo.string()});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("is not a regular file"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_fifo(fifo)) << "the pipe was replaced";
}

TEST_F(Cli, PlantedSymlinksInTheOutputFolderAreNotFollowed) {
  std::ofstream(dir_ / "precious.txt") << "precious";
  const fs::path probe = dir_ / "probe";
  fs::create_directories(probe);
  fs::create_symlink("../precious.txt", probe / ".govsim-write-test");
  auto args = small_run(probe.string());
  args.push_back("--force");
  const Result r = govsim(args);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_file(dir_ / "precious.txt"), "precious");
  // The lock file itself, planted as a link: refused, nothing written through it.
  const fs::path trap = dir_ / "trap";
  fs::create_directories(trap);
  fs::create_symlink("../precious.txt", trap / ".govsim.lock");
  const Result t = govsim(small_run(trap.string()));
  EXPECT_EQ(t.status, 2) << t.err;
  EXPECT_NE(t.err.find("symbolic link"), std::string::npos) << t.err;
  EXPECT_EQ(read_file(dir_ / "precious.txt"), "precious");
}

TEST_F(Cli, DanglingSymlinkOutIsNamed) {
  fs::create_symlink(dir_ / "nowhere", dir_ / "dangling");
  const Result r = govsim(small_run((dir_ / "dangling").string()));
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_TRUE(one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("symbolic link"), std::string::npos) << r.err;
}

TEST_F(Cli, CompareChecksEveryScenarioMemoryBeforeRunningAny) {
  const fs::path out = dir_ / "c_mem";
  const Result r = govsim({"compare", scenario("mm1"), std::string(GOVSIM_SOURCE_DIR) + "/scenarios/three-tier.yaml",
                           "--replications", "1", "--memory-limit", "20", "--quiet", "--out", out.string()});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_TRUE(one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("three-tier.yaml: error: this run would need about"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out / "run-0")) << "the first scenario ran before the second was checked";
}

TEST_F(Cli, SweepTakesAMemoryLimit) {
  std::ofstream(dir_ / "sweep.yaml") << "base: " << scenario("mm1")
                                     << "\nparameters:\n  m: {path: units.station.staff, values: [1, 2]}\n";
  const Result r = govsim({"sweep", (dir_ / "sweep.yaml").string(), "--memory-limit", "1", "--threads", "1", "--quiet",
                           "--out", (dir_ / "s").string()});
  EXPECT_EQ(r.status, 2) << r.err << r.out;
  EXPECT_NE(r.err.find("MiB allowed"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "s" / "manifest.json"));
}

}  // namespace
