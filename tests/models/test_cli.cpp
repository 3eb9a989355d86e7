// tests/models/test_cli.cpp: the real govsim binary, run as a user would.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

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
  for (const char* command : {"run", "describe"}) {
    SCOPED_TRACE(command);
    const Result r = govsim({command, data("bad/unknown_key.yaml"), "--out", (dir_ / "out").string(), "--quiet"});
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out" / "summary.json"));
  }
}

TEST_F(Cli, MissingFileExitsTwo) {
  const std::string path = (dir_ / "no-such-scenario.yaml").string();
  for (const char* command : {"check", "run", "describe"}) {
    SCOPED_TRACE(command);
    const Result r = govsim({command, path, "--out", (dir_ / "out").string()});
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
