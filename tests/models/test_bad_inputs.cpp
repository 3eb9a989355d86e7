// tests/models/test_bad_inputs.cpp: the catalogue of bad inputs, through the real binary.
//
// tests/data/bad/catalogue.tsv lists each bad input with the exit status of
// `govsim check` and `govsim run`, where the message must point and a piece of
// what it must say. Every case runs both commands, as a user would, and
// checks the contract of docs/robustness.md: a normal exit with that status,
// nothing on stdout, exactly one line `FILE[:LINE:COLUMN]: error: message` on
// stderr, and no result folder that looks complete.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using govsim::testing::read_file;
using govsim::testing::shell_quote;

const std::string kBad = std::string(GOVSIM_SOURCE_DIR) + "/tests/data/bad";

struct Case {
  int line = 0;  // in the catalogue, for messages
  std::string file;
  int check = 0, run = 0;
  std::string where, message;
  std::vector<std::string> options;
  std::string name;  // the test's name
};

// How gtest (and so ctest's test list) shows a case: its catalogue line.
void PrintTo(const Case& c, std::ostream* os) { *os << "catalogue.tsv:" << c.line << " " << c.file; }

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  if (!s.empty() && s.back() == sep) parts.emplace_back();
  return parts;
}

std::string identifier(const std::string& s) {
  std::string id;
  for (char c : s) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  while (!id.empty() && id.front() == '_') id.erase(id.begin());
  return id;
}

// Read at test registration; a malformed catalogue line becomes a failing case, not a silent skip.
std::vector<Case> catalogue() {
  std::vector<Case> cases;
  std::ifstream in(kBad + "/catalogue.tsv");
  std::string text;
  std::map<std::string, int> seen;
  for (int number = 1; std::getline(in, text); ++number) {
    if (text.empty() || text[0] == '#') continue;
    const auto fields = split(text, '\t');
    Case c;
    c.line = number;
    if (fields.size() != 6) {
      c.file = "malformed catalogue line: " + text;
      c.check = c.run = -1;
    } else {
      c.file = fields[0];
      c.check = std::atoi(fields[1].c_str());
      c.run = std::atoi(fields[2].c_str());
      c.where = fields[3];
      c.message = fields[4];
      if (fields[5] != "-") c.options = split(fields[5], ' ');
    }
    std::string stem = c.file;
    if (stem.size() > 5 && stem.compare(stem.size() - 5, 5, ".yaml") == 0) stem.resize(stem.size() - 5);
    c.name = identifier(stem);
    if (seen[c.name]++ > 0 || c.file.find("/good/") != std::string::npos) c.name += "_line" + std::to_string(number);
    cases.push_back(std::move(c));
  }
  if (cases.empty()) cases.push_back(Case{0, "missing catalogue " + kBad + "/catalogue.tsv", -1, -1, "", "", {}, "missing"});
  return cases;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

struct Result {
  int status = -1;
  bool exited = false;
  std::string out, err;
};

class BadInput : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("govsim-bad-" + std::to_string(::getpid()) + "-" + GetParam().name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Result govsim(const std::vector<std::string>& args) const {
    std::string cmd = shell_quote(GOVSIM_BINARY);
    for (const auto& a : args) cmd += " " + shell_quote(a);
    const fs::path out = dir_ / ".stdout", err = dir_ / ".stderr";
    cmd += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string()) + " </dev/null";
    const int raw = std::system(cmd.c_str());
    Result r;
    r.exited = raw != -1 && WIFEXITED(raw);
    r.status = r.exited ? WEXITSTATUS(raw) : -1;
    r.out = read_file(out);
    r.err = read_file(err);
    fs::remove(out);
    fs::remove(err);
    return r;
  }
  // The scenario path: a catalogue file, or one made here.
  std::string scenario(const std::string& file) const {
    if (file[0] == '/') return file;  // a device, say
    if (file != "@oversize") return kBad + "/" + file;
    // A valid scenario padded with comments to one byte over the limit: only the size is wrong.
    const fs::path path = dir_ / "oversize.yaml";
    std::string text = read_file(std::string(GOVSIM_SOURCE_DIR) + "/tests/data/good/minimal.yaml");
    const std::string pad = "# padding padding padding padding padding padding padding padding\n";
    while (text.size() + pad.size() <= (8u << 20)) text += pad;
    text.append((8u << 20) + 1 - text.size(), '#');
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  fs::path dir_;
};

bool one_line(const std::string& s) { return !s.empty() && s.back() == '\n' && s.find('\n') == s.size() - 1; }

// What a failing command must look like.
void expect_refusal(const Result& r, int status, const std::string& where, const std::string& message) {
  EXPECT_TRUE(r.exited) << "did not exit normally (a crash or a signal)\nstderr: " << r.err;
  EXPECT_EQ(r.status, status) << "stderr: " << r.err;
  EXPECT_EQ(r.out, "") << "stdout should be empty";
  EXPECT_TRUE(one_line(r.err)) << "stderr should be exactly one line:\n" << r.err;
  EXPECT_EQ(r.err.find("Sanitizer"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("runtime error"), std::string::npos) << r.err;
  const std::string prefix = where + ": error: ";
  ASSERT_EQ(r.err.rfind(prefix, 0), 0u) << "expected the line to start with `" << prefix << "`:\n" << r.err;
  EXPECT_NE(r.err.find(message, prefix.size()), std::string::npos)
      << "expected the message to contain `" << message << "`:\n" << r.err;
}

TEST_P(BadInput, CheckAndRunRefuseWithOneLine) {
  const Case& c = GetParam();
  SCOPED_TRACE("tests/data/bad/catalogue.tsv:" + std::to_string(c.line) + ": " + c.file);
  ASSERT_GE(c.check, 0) << c.file;
  const std::string file = scenario(c.file);

  // Placeholders in the options: output folders in every state a user may hand us.
  const fs::path busy = dir_ / "busy", plain = dir_ / "plain-file";
  const std::string unwritable = "/proc/govsim-no-such-folder/out";  // nothing can be created under /proc, even by root
  fs::create_directories(busy);
  std::ofstream(busy / "summary.json") << "{\"earlier\": true}\n";
  std::ofstream(busy / "metrics.csv") << "earlier\n";
  std::ofstream(plain) << "keep\n";
  std::string out = (dir_ / "out").string();
  std::vector<std::string> options;
  bool has_out = false;
  for (const auto& o : c.options) {
    const std::string v = replace_all(replace_all(replace_all(o, "{busy}", busy.string()), "{unwritable}", unwritable),
                                      "{plainfile}", plain.string());
    if (!options.empty() && options.back() == "--out") out = v, has_out = true;
    options.push_back(v);
  }
  const std::string where =
      replace_all(replace_all(replace_all(c.where, "{file}", file), "{bad}", kBad), "{out}", out);

  {
    SCOPED_TRACE("govsim check");
    // `check` takes --set only: the options of `run` (an output folder, a memory limit) stay with `run`.
    std::vector<std::string> args{"check", file};
    for (std::size_t i = 0; i < options.size(); ++i) {
      if (options[i] == "--out" || options[i] == "--memory-limit") {
        ++i;
        continue;
      }
      args.push_back(options[i]);
    }
    const Result r = govsim(args);
    if (c.check == 0) {
      EXPECT_TRUE(r.exited);
      EXPECT_EQ(r.status, 0) << r.err;
      EXPECT_NE(r.out.find(": ok"), std::string::npos) << r.out;
      EXPECT_EQ(r.err, "");
    } else {
      expect_refusal(r, c.check, where, c.message);
    }
  }
  {
    SCOPED_TRACE("govsim run");
    std::vector<std::string> args{"run", file, "--quiet"};
    if (!has_out) args.insert(args.end(), {"--out", out});
    args.insert(args.end(), options.begin(), options.end());
    const Result r = govsim(args);
    expect_refusal(r, c.run, where, c.message);
    // A folder the refused run created (even after loading, e.g. over the
    // memory limit) is removed again: nothing is left behind.
    if (!has_out) EXPECT_FALSE(fs::exists(out)) << out;
  }
  // Nothing that looks like a finished (or half-written) run; what was there is untouched.
  EXPECT_EQ(read_file(busy / "summary.json"), "{\"earlier\": true}\n");
  EXPECT_EQ(read_file(busy / "metrics.csv"), "earlier\n");
  EXPECT_EQ(read_file(plain), "keep\n");
  for (const auto& e : fs::recursive_directory_iterator(dir_)) {
    const std::string name = e.path().filename().string();
    if (e.path() == busy / "summary.json") continue;
    EXPECT_NE(name, "summary.json") << e.path();
    EXPECT_EQ(name.find(".partial-"), std::string::npos) << e.path();
  }
  EXPECT_FALSE(fs::exists(fs::path(unwritable)));
}

INSTANTIATE_TEST_SUITE_P(Catalogue, BadInput, ::testing::ValuesIn(catalogue()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// The other side of the --set cases: a value that is a YAML mapping, commas
// and all, reaches the loader whole (cxxopts used to split it at the commas).
TEST(SetOption, ValueWithCommasIsOneValue) {
  const std::string cmd = shell_quote(GOVSIM_BINARY) + " check " +
                          shell_quote(std::string(GOVSIM_SOURCE_DIR) + "/tests/data/good/minimal.yaml") +
                          " --set 'units.station.resolves.job={dist: lognormal, median: 0.4, sigma: 0.5}'" +
                          " --set 'request_types.job.cosign=[station, station]' >/dev/null 2>&1";
  const int raw = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(raw));
  EXPECT_EQ(WEXITSTATUS(raw), 0) << cmd;
}

// A file added to tests/data/bad without a catalogue line would never be tested.
TEST(BadInputCatalogue, ListsEveryFileAndEnoughCases) {
  const auto cases = catalogue();
  std::set<std::string> listed;
  for (const auto& c : cases) listed.insert(c.file);
  for (const auto& e : fs::directory_iterator(kBad)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() == ".yaml") EXPECT_TRUE(listed.count(name)) << name << " is not in catalogue.tsv";
  }
  for (const auto& c : cases)
    if (c.file[0] != '@') EXPECT_TRUE(fs::exists(c.file[0] == '/' ? c.file : kBad + "/" + c.file)) << c.file;
  EXPECT_GE(cases.size(), 40u);
}

}  // namespace
