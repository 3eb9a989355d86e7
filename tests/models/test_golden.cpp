// tests/models/test_golden.cpp: end-to-end golden results, as examples a reader
// can check by eye (SimGrid's .tesh files are the model).
//
// Each golden case is a small but full-featured scenario (residents with trust
// and a social graph, every unit kind, the platform, councils, co-signs,
// routing), registered in tests/CMakeLists.txt with
//   govsim_add_golden(CASE three-tier SCENARIO scenarios/three-tier.yaml SET ... THREADS 1 2 4)
// as the ctest tests Golden.<case>.threads<n>: every thread count must give the
// same committed files. One test runs govsim_golden, which runs the scenario
// once and compares, in this order:
//   1. tests/data/golden/<case>.summary.txt: every scope-"all" metric of
//      metrics.csv, its mean over replications rounded to 4 significant
//      digits, one per line. A failure lists the metrics that changed, golden
//      value beside the new one.
//   2. tests/data/golden/<case>.txt: the FNV-1a 64 hash of each result file
//      (metrics.csv, timeseries.csv, distributions.csv, written by the
//      library's own writer), which catches every change, however small.
// A performance change must leave both as they are; a change of behaviour must
// update them and say why (commit message, docs/performance.md or change log).
//
// To regenerate every golden file after an intended, explained change of
// results (one command, from the repository root, after building):
//   GOVSIM_UPDATE_GOLDEN=1 ctest --preset release -L golden
// Each test then runs its scenario (and at 1 thread too, when it has more),
// fails if the thread counts disagree, rewrites both files of its case in the
// source tree and reports itself skipped. Run `ctest --preset release -L golden`
// again to see them pass, and commit tests/data/golden/ with the reason.
// One case by hand:
//   build/release/tests/govsim_golden --case jackson --scenario scenarios/textbook/jackson.yaml
//     --threads 2 --set simulation.horizon_h=3000 --set simulation.replications=2    (one line)
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "models/app/results/results.hpp"
#include "test_support.hpp"

using namespace govsim;
using namespace govsim::testing;

namespace {

/// One golden case, from govsim_golden's command line.
struct GoldenCase {
  std::string name;      ///< tests/data/golden/<name>.txt and <name>.summary.txt
  std::string scenario;  ///< relative to the repository root
  std::vector<std::string> sets;
  int threads = 0;
};
GoldenCase g_case;

const char* const kFiles[] = {"metrics.csv", "timeseries.csv", "distributions.csv"};

std::string fnv1a64(const std::string& data) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

/// What one run of a case gives: file name -> hash, and the summary lines.
struct Outputs {
  std::map<std::string, std::string> hashes;
  std::vector<std::string> summary;  ///< "metric key value", aligned; no comments
};

/// Width of the metric column in the summary (longer names push the key right).
constexpr int kNameWidth = 38;

/// The summary: every metric of scope "all", in the order the run reports
/// them, with its mean over replications (in replication order) to 4
/// significant digits; a mean below 1e-9 in magnitude is floating-point
/// residue and prints as 0. A metric missing from some replication is
/// averaged over those that have it.
std::vector<std::string> summary_of(const RunResult& r) {
  std::vector<std::pair<std::string, std::string>> order;  // (metric, key), first appearance
  std::map<std::pair<std::string, std::string>, std::pair<double, int>> sums;
  for (const auto& rep : r.replications)
    for (const auto& m : rep.metrics) {
      if (m.scope != "all") continue;
      auto [it, fresh] = sums.try_emplace({m.name, m.key}, 0.0, 0);
      if (fresh) order.emplace_back(m.name, m.key);
      it->second.first += m.value;
      it->second.second += 1;
    }
  std::vector<std::string> lines;
  for (const auto& id : order) {
    const auto& [sum, n] = sums.at(id);
    const double mean = sum / n;
    char value[64];
    std::snprintf(value, sizeof value, "%.4g", std::fabs(mean) < 1e-9 ? 0.0 : mean);
    char line[512];
    std::snprintf(line, sizeof line, "%-*s %-8s %s", kNameWidth, id.first.c_str(), id.second.c_str(), value);
    lines.emplace_back(line);
  }
  return lines;
}

Outputs run_case(const GoldenCase& c, int threads) {
  const Scenario s = load_scenario(source_path(c.scenario), c.sets);
  RunSettings settings;
  settings.threads = threads;
  const RunResult r = run_scenario(s, settings);
  const auto dir = temp_folder("golden-" + c.name + "-" + std::to_string(threads));
  write_run(s, r, dir.string());
  Outputs out;
  for (const char* f : kFiles) out.hashes[f] = fnv1a64(read_file(dir / f));
  out.summary = summary_of(r);
  std::filesystem::remove_all(dir);
  return out;
}

std::string hash_path(const GoldenCase& c) { return source_path("tests/data/golden/" + c.name + ".txt"); }
std::string summary_path(const GoldenCase& c) { return source_path("tests/data/golden/" + c.name + ".summary.txt"); }

std::string regenerate_hint() {
  return "If the change of results is intended, explain it (commit message, docs/performance.md or the change log) "
         "and regenerate every golden file with:\n  GOVSIM_UPDATE_GOLDEN=1 ctest --preset release -L golden";
}

/// The lines of a committed file that are not comments or blank.
std::vector<std::string> data_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  return lines;
}

std::map<std::string, std::string> read_hashes(const GoldenCase& c) {
  std::map<std::string, std::string> h;
  for (const auto& line : data_lines(read_file(hash_path(c)))) {
    std::istringstream l(line);
    std::string file, hash;
    if (l >> file >> hash) h[file] = hash;
  }
  return h;
}

/// "metric key" -> value, of summary lines.
std::vector<std::pair<std::string, std::string>> split_summary(const std::vector<std::string>& lines) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& line : lines) {
    std::istringstream l(line);
    std::string metric, key, value;
    l >> metric >> key >> value;
    rows.emplace_back(metric + " " + key, value);
  }
  return rows;
}

/// A readable difference between two summaries: changed values as
/// "~ metric key: golden -> now", lines only in the golden file with "-",
/// lines only in the new run with "+". Empty when they are the same.
std::string summary_diff(const std::vector<std::string>& golden, const std::vector<std::string>& now) {
  const auto g = split_summary(golden);
  const auto n = split_summary(now);
  std::map<std::string, std::string> g_values(g.begin(), g.end()), n_values(n.begin(), n.end());
  std::ostringstream out;
  for (const auto& [id, value] : g) {
    const auto it = n_values.find(id);
    if (it == n_values.end()) {
      out << "  - " << id << " " << value << "   (no longer reported)\n";
    } else if (it->second != value) {
      out << "  ~ " << id << ": " << value << " -> " << it->second << "\n";
    }
  }
  for (const auto& [id, value] : n)
    if (!g_values.count(id)) out << "  + " << id << " " << value << "   (new)\n";
  // Same rows and values but another order (or duplicated rows): still a change.
  if (out.str().empty() && g != n) out << "  (the same values, in another order)\n";
  return out.str();
}

void write_golden(const GoldenCase& c, const Outputs& o) {
  std::string sets;
  for (const auto& s : c.sets) sets += " --set " + s;
  const std::string regenerate =
      "# Regenerate (only after an intended, explained change of results), from the repository root:\n"
      "#   GOVSIM_UPDATE_GOLDEN=1 ctest --preset release -L golden\n";
  std::ostringstream h;
  h << "# Golden FNV-1a 64 hashes of the result files of " << c.scenario << " with\n#" << sets << "\n"
    << regenerate;
  for (const auto& [file, hash] : o.hashes) h << file << " " << hash << "\n";
  write_file_atomically(hash_path(c), h.str());

  std::ostringstream s;
  s << "# Golden summary of " << c.scenario << " with\n#" << sets << "\n"
    << "# Every metric of scope \"all\" in metrics.csv: its mean over replications to 4 significant digits\n"
    << "# (below 1e-9 as 0), the same for any --threads. docs/results.md says what each metric is.\n"
    << regenerate;
  char header[256];
  std::snprintf(header, sizeof header, "# %-*s %-8s %s\n", kNameWidth - 2, "metric", "key", "mean");
  s << header;
  for (const auto& line : o.summary) s << line << "\n";
  write_file_atomically(summary_path(c), s.str());
}

bool update_requested() {
  const char* update = std::getenv("GOVSIM_UPDATE_GOLDEN");
  return update && std::string(update) == "1";
}

}  // namespace

TEST(Golden, SummaryThenHashesMatch) {
  const GoldenCase& c = g_case;
  const Outputs now = run_case(c, c.threads);

  if (update_requested()) {
    if (c.threads != 1) {
      // Never write what only one thread count gives.
      const Outputs sequential = run_case(c, 1);
      ASSERT_EQ(summary_diff(sequential.summary, now.summary), "")
          << c.scenario << ": the summary at " << c.threads << " threads differs from 1 thread; nothing written";
      ASSERT_EQ(sequential.hashes, now.hashes)
          << c.scenario << ": results at " << c.threads << " threads differ from 1 thread; nothing written";
    }
    write_golden(c, now);
    GTEST_SKIP() << "golden files rewritten: " << summary_path(c) << " and " << hash_path(c);
  }

  // 1. The summary: what changed, readably.
  const auto golden_summary = data_lines(read_file(summary_path(c)));
  ASSERT_FALSE(golden_summary.empty()) << "no golden summary in " << summary_path(c)
                                       << " (create it with GOVSIM_UPDATE_GOLDEN=1 ctest --preset release -L golden)";
  const std::string diff = summary_diff(golden_summary, now.summary);
  EXPECT_TRUE(diff.empty()) << c.scenario << " at " << c.threads << " thread(s): metrics no longer match " << summary_path(c)
                      << " (golden -> now):\n"
                      << diff << "The results of the same scenario and seed have changed. A performance change must "
                      << "not do that. " << regenerate_hint();

  // 2. The hashes: any change at all, in any result file.
  const auto golden = read_hashes(c);
  ASSERT_FALSE(golden.empty()) << "no golden hashes in " << hash_path(c)
                               << " (create them with GOVSIM_UPDATE_GOLDEN=1 ctest --preset release -L golden)";
  for (const char* f : kFiles) {
    const auto it = golden.find(f);
    ASSERT_NE(it, golden.end()) << hash_path(c) << " has no hash for " << f;
    EXPECT_EQ(it->second, now.hashes.at(f))
        << f << " of " << c.scenario << " at " << c.threads << " thread(s) no longer matches the golden hash in "
        << hash_path(c) << "."
        << (diff.empty() ? "\nThe rounded summary is unchanged: the change is below 4 significant digits, outside "
                           "scope \"all\", or in timeseries.csv / distributions.csv."
                         : "")
        << "\nThe results of the same scenario and seed have changed. A performance change must not do that. "
        << regenerate_hint();
  }
}

// The summary diff itself: the test above is only as readable as this.
TEST(GoldenDiff, ListsChangedMissingAndNewMetrics) {
  const std::vector<std::string> golden = {"a all 1", "b all 2", "c all 3"};
  const std::vector<std::string> now = {"a all 1", "b all 2.5", "d all 4"};
  const std::string diff = summary_diff(golden, now);
  EXPECT_NE(diff.find("~ b all: 2 -> 2.5"), std::string::npos) << diff;
  EXPECT_NE(diff.find("- c all 3"), std::string::npos) << diff;
  EXPECT_NE(diff.find("+ d all 4"), std::string::npos) << diff;
  EXPECT_EQ(diff.find("a all"), std::string::npos) << diff;
  EXPECT_EQ(summary_diff(golden, golden), "");
  EXPECT_NE(summary_diff(golden, {"b all 2", "a all 1", "c all 3"}), "");
}

/// govsim_golden --case NAME --scenario FILE --threads N [--set path=value ...] [gtest flags]
int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "govsim_golden: %s needs a value\n", a.c_str());
      return 2;
    }
    const std::string v = argv[++i];
    if (a == "--case") g_case.name = v;
    else if (a == "--scenario") g_case.scenario = v;
    else if (a == "--threads") g_case.threads = std::atoi(v.c_str());
    else if (a == "--set") g_case.sets.push_back(v);
    else {
      std::fprintf(stderr, "govsim_golden: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (g_case.name.empty() || g_case.scenario.empty() || g_case.threads < 1) {
    std::fprintf(stderr,
                 "usage: govsim_golden --case NAME --scenario FILE --threads N [--set path=value ...]\n"
                 "(tests/CMakeLists.txt registers each case with govsim_add_golden)\n");
    return 2;
  }
  return RUN_ALL_TESTS();
}
