// models/app/cli/calibrate_cli.cpp: `govsim calibrate`: options -> models/app/sweep/calibrate.hpp.
#include "models/app/cli/calibrate_cli.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "models/app/sweep/calibrate.hpp"
#include "models/app/cli/sweep_cli.hpp"
#include "models/app/results/results.hpp"
#include "models/domain/scenario.hpp"

#ifdef GOVSIM_WITH_MPI
#include <mpi.h>
#endif

namespace govsim::cli {

namespace {

#ifdef GOVSIM_WITH_MPI
/// The calibration's ranks, over MPI_COMM_WORLD (texts as bytes).
class MpiRanks final : public RankGroup {
 public:
  MpiRanks() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::vector<std::string> all_gather(const std::string& mine) override {
    const long long bytes = static_cast<long long>(mine.size());
    std::vector<long long> sizes(static_cast<std::size_t>(size_));
    MPI_Allgather(&bytes, 1, MPI_LONG_LONG, sizes.data(), 1, MPI_LONG_LONG, MPI_COMM_WORLD);
    std::vector<int> counts, offsets;
    long long total = 0;
    for (long long n : sizes) {
      if (total + n > kMaxMessage) throw OutputError("govsim: error: MPI ranks exchange more than 2 GB at once");
      counts.push_back(static_cast<int>(n));
      offsets.push_back(static_cast<int>(total));
      total += n;
    }
    std::string all(static_cast<std::size_t>(total), '\0');
    MPI_Allgatherv(mine.data(), static_cast<int>(bytes), MPI_CHAR, all.data(), counts.data(), offsets.data(), MPI_CHAR,
                   MPI_COMM_WORLD);
    std::vector<std::string> out;
    for (std::size_t r = 0; r < sizes.size(); ++r)
      out.push_back(all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(counts[r])));
    return out;
  }
  void broadcast(std::string& text) override {
    long long bytes = static_cast<long long>(text.size());
    MPI_Bcast(&bytes, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
    if (bytes > kMaxMessage) throw OutputError("govsim: error: MPI rank 0 sends more than 2 GB at once");
    text.resize(static_cast<std::size_t>(bytes));
    MPI_Bcast(text.data(), static_cast<int>(bytes), MPI_CHAR, 0, MPI_COMM_WORLD);
  }

 private:
  static constexpr long long kMaxMessage = 2147483647;
  int rank_ = 0, size_ = 1;
};

/// An error on one rank that the others do not know of: they would wait for
/// it in their next exchange. Say it, and end every rank.
[[noreturn]] void abort_all_ranks(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const PlacedError& e) {
    std::fprintf(stderr, "%s\n", e.what());
  } catch (const OutputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "govsim: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "govsim: internal error\n");
  }
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 2);
  std::abort();
}
#endif

int whole(const std::map<std::string, std::string>& o, const char* name, int low, int high, int fallback) {
  const auto it = o.find(name);
  if (it == o.end()) return fallback;
  const std::string& t = it->second;
  const std::string form = std::string("--") + name + " takes a whole number from " + std::to_string(low) + " to " +
                           std::to_string(high) + ", not `" + t + "`";
  if (t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos) throw std::invalid_argument(form);
  const int v = std::stoi(t);
  if (v < low || v > high) throw std::invalid_argument(form);
  return v;
}

double fraction(const std::map<std::string, std::string>& o, const char* name, double fallback) {
  const auto it = o.find(name);
  if (it == o.end()) return fallback;
  char* end = nullptr;
  const double v = std::strtod(it->second.c_str(), &end);
  if (it->second.empty() || *end != '\0' || !(v > 0 && v < 1))
    throw std::invalid_argument(std::string("--") + name + " takes a number between 0 and 1 (exclusive), not `" + it->second + "`");
  return v;
}

}  // namespace

int calibrate_command(const std::vector<std::string>& positional, const std::map<std::string, std::string>& options,
                      const std::vector<std::string>& sets, std::optional<std::uint64_t> seed, int threads,
                      std::atomic<bool>* stop) {
  if (positional.size() != 1) throw std::invalid_argument("calibrate needs exactly one targets file");
  const auto prior = options.find("prior");
  if (prior == options.end() || prior->second.empty())
    throw std::invalid_argument("calibrate needs --prior SCENARIO: the scenario whose `uncertain:` ranges are the priors");
  CalibrateOptions o;
  o.targets_file = positional[0];
  o.prior = prior->second;
  o.sets = sets;
  o.population = whole(options, "population", 2, 100000, 200);
  o.generations = whole(options, "generations", 1, 1000, options.count("min-acceptance") ? 1000 : 6);
  o.min_acceptance = fraction(options, "min-acceptance", 0.02);
  o.quantile = fraction(options, "quantile", 0.5);
  if (const auto it = options.find("rms"); it != options.end()) {
    char* end = nullptr;
    o.rms = std::strtod(it->second.c_str(), &end);
    if (it->second.empty() || *end != '\0' || !(o.rms > 0) || !std::isfinite(o.rms))
      throw std::invalid_argument("--rms takes a positive number, not `" + it->second + "`");
  }
  o.predictive = whole(options, "predictive", 1, 100000, 100);
  o.seed = seed;
  o.threads = threads;
  if (const auto it = options.find("out"); it != options.end()) o.out = it->second;
  o.resume = options.count("resume") > 0;
  o.force = options.count("force") > 0;
  o.quiet = options.count("quiet") > 0;
  if (o.resume && o.out.empty()) throw std::invalid_argument("--resume needs --out DIR: the folder of the calibration to continue");
  o.stop = stop;
  CalibrationSummary s;
#ifdef GOVSIM_WITH_MPI
  if (launched_by_mpi()) {
    // Every rank runs the calibration in lockstep (models/app/sweep/calibrate.hpp: RankGroup);
    // rank 0 writes the files and speaks.
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    struct Finalize {
      ~Finalize() { MPI_Finalize(); }
    } finalize;
    MpiRanks ranks;
    if (ranks.size() > 1) o.ranks = &ranks;
    // One rank per core is the way to use MPI: without --threads, each rank runs one run at a time.
    if (ranks.size() > 1 && !options.count("threads")) o.threads = 1;
    if (ranks.rank() != 0) o.quiet = true;
    try {
      s = run_calibration(o);
    } catch (const PeerFailed& e) {
      // Another rank failed and says why (rank 0 says it for a rank that is not 0).
      if (ranks.rank() == 0) std::fprintf(stderr, "govsim: error: %s\n", e.what());
      return 2;
    } catch (...) {
      if (o.ranks && !ranks.failure_agreed) abort_all_ranks(std::current_exception());
      if (ranks.rank() != 0) return 2;  // every rank failed alike: rank 0 says it once
      throw;
    }
    if (ranks.rank() != 0) return s.interrupted ? kInterrupted : 0;
  } else {
    s = run_calibration(o);
  }
#else
  s = run_calibration(o);
#endif
  if (s.interrupted) {
    std::string again = "govsim calibrate " + o.targets_file + " --prior " + o.prior;
    for (const auto& [k, v] : options)
      if (k != "prior" && k != "out" && k != "resume" && k != "force" && k != "threads" && k != "quiet" && k != "set" &&
          k != "seed")  // --set and --seed follow, from what the run used
        again += " --" + k + " " + v;
    for (const auto& x : sets) again += " --set " + x;
    if (seed) again += " --seed " + std::to_string(*seed);
    std::fprintf(stderr, "govsim: interrupted: finished runs are recorded in %s; continue with:\n  %s --out %s --resume\n",
                 s.dir.c_str(), again.c_str(), s.dir.c_str());
    return kInterrupted;
  }
  return 0;
}

}  // namespace govsim::cli
