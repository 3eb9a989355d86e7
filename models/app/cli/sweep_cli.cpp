// models/app/cli/sweep_cli.cpp: `govsim sweep`: plan, run (threads or MPI ranks), record, finish.
#include "models/app/cli/sweep_cli.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>

#include "models/app/results/results.hpp"
#include "models/app/input/scenario_loader.hpp"
#include "models/app/run/simulation.hpp"
#include "models/app/sweep/sweep.hpp"

#ifdef GOVSIM_WITH_MPI
#include <mpi.h>
#endif

namespace govsim::cli {

namespace {

using Clock = std::chrono::steady_clock;

/// Progress on stderr: a bar with ETA on a terminal, plain lines otherwise.
class Progress {
 public:
  Progress(std::size_t total, bool quiet) : total_(total), quiet_(quiet), tty_(isatty(STDERR_FILENO)), start_(Clock::now()) {}
  void update(std::size_t done, std::size_t failed) {
    if (quiet_ || total_ == 0) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const double eta = done ? elapsed / static_cast<double>(done) * static_cast<double>(total_ - done) : 0.0;
    const std::string failures = failed ? ", " + std::to_string(failed) + " failed" : "";
    if (tty_) {
      constexpr int kWidth = 30;
      const int filled = static_cast<int>(kWidth * done / total_);
      std::fprintf(stderr, "\r  [%s%s] %zu/%zu runs%s, ETA %s   ", std::string(filled, '#').c_str(),
                   std::string(kWidth - filled, '.').c_str(), done, total_, failures.c_str(), duration(eta).c_str());
      if (done == total_) std::fputc('\n', stderr);
    } else {
      // About twenty lines for a long sweep; every run for a short one.
      const std::size_t every = std::max<std::size_t>(1, total_ / 20);
      if (done % every == 0 || done == total_)
        std::fprintf(stderr, "  %zu/%zu runs done%s, ETA %s\n", done, total_, failures.c_str(), duration(eta).c_str());
    }
    std::fflush(stderr);
  }
  void interrupted() {
    if (tty_ && !quiet_) std::fputc('\n', stderr);
  }

 private:
  static std::string duration(double s) {
    char buf[32];
    if (s < 90)
      std::snprintf(buf, sizeof buf, "%.0f s", s);
    else if (s < 5400)
      std::snprintf(buf, sizeof buf, "%.0f min %02.0f s", std::floor(s / 60), std::fmod(s, 60));
    else
      std::snprintf(buf, sizeof buf, "%.0f h %02.0f min", std::floor(s / 3600), std::fmod(s / 60, 60));
    return buf;
  }
  std::size_t total_;
  bool quiet_, tty_;
  Clock::time_point start_;
};

void print_design(const SweepSpec& spec) {
  std::printf("%s: %s design, %zu points x %d replications = %zu runs\nbase: %s\n", spec.name.c_str(),
              to_string(spec.design), spec.points.size(), spec.replications, spec.runs(), spec.base.c_str());
  std::printf("%6s", "point");
  for (const auto& p : spec.parameters) std::printf("  %14s", p.name.c_str());
  std::printf("\n");
  for (std::size_t i = 0; i < spec.points.size(); ++i) {
    std::printf("%6zu", i);
    for (const auto& v : spec.points[i]) std::printf("  %14s", v.c_str());
    std::printf("\n");
  }
}

/// A sweep whose every point fails to load is a broken sweep file, not a
/// sweep with failures: look for one point that loads, else report the first error.
void check_some_point_loads(const SweepSpec& spec) {
  std::exception_ptr first;  // an InputError or ResourceLimitError
  for (std::size_t p = 0; p < spec.points.size(); ++p) {
    try {
      const Scenario scenario = load_scenario(spec.point_base(p), spec.point_overrides(p));
      // The first point that loads must also fit in memory (each run checks its own too).
      RunSettings settings;
      settings.replications = 1;
      settings.keep_series = false;
      settings.memory_limit_bytes = spec.memory_limit_bytes;
      check_memory(scenario, settings);
      return;
    } catch (const PlacedError&) {
      if (!first) first = std::current_exception();
    }
  }
  std::rethrow_exception(first);  // names the file or --set at fault
}

int finish(const SweepCommand& c, const SweepSpec& spec, const std::string& dir, Clock::time_point start, int threads,
           int ranks, bool quiet) {
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  if (c.post) c.post(spec, dir);
  const SweepTotals totals = finalize_sweep(spec, dir, wall, threads, ranks);
  if (totals.failed)
    std::fprintf(stderr, "govsim: warning: %zu of %zu runs failed; their errors are in %s/failures.csv\n", totals.failed,
                 totals.runs, dir.c_str());
  if (!quiet) std::printf("%zu runs (%zu failed) in %.1f s\n", totals.runs, totals.failed, wall);
  std::printf("results: %s\n", dir.c_str());
  return 0;
}

void say_resume(const SweepCommand& c, const std::string& dir, std::size_t recorded, std::size_t total) {
  std::fprintf(stderr,
               "govsim: interrupted: %zu of %zu runs are recorded in %s/runs; continue with:\n  %s --out %s "
               "--resume\n",
               recorded, total, dir.c_str(),
               (c.resume_command.empty() ? "govsim sweep " + c.file : c.resume_command).c_str(), dir.c_str());
}

int run_on_threads(const SweepCommand& c, const SweepSpec& spec) {
  const auto start = Clock::now();
  std::string dir = c.out;
  const auto pending = prepare_sweep_folder(spec, dir, c.force, c.resume);
  if (!c.quiet)
    std::fprintf(stderr, "%s: %zu points x %d replications = %zu runs (%zu to do) on %d threads -> %s\n",
                 spec.name.c_str(), spec.points.size(), spec.replications, spec.runs(), pending.size(), c.threads,
                 dir.c_str());
  Progress progress(pending.size(), c.quiet);
  const std::size_t done = run_pending(spec, dir, pending, c.threads, c.stop,
                                       [&](std::size_t d, std::size_t f) { progress.update(d, f); });
  if (done < pending.size()) {
    progress.interrupted();
    say_resume(c, dir, spec.runs() - pending.size() + done, spec.runs());
    return kInterrupted;
  }
  return finish(c, spec, dir, start, c.threads, 1, c.quiet);
}

#ifdef GOVSIM_WITH_MPI
// Rank 0 hands out runs one at a time and writes every record; the other
// ranks run what they are given. Messages: a worker sends kResult (the run
// index, then ok, then the record text; index -1 when it just started) and
// receives kAssign (a run index) or kStop.
enum Tag : int { kResult = 1, kAssign = 2, kStop = 3 };

int mpi_coordinate(const SweepCommand& c, const SweepSpec& spec, std::string dir, std::vector<std::size_t> pending,
                   int ranks) {
  const auto start = Clock::now();
  if (!c.quiet)
    std::fprintf(stderr, "%s: %zu runs (%zu to do) on %d MPI worker ranks (rank 0 coordinates) -> %s\n", spec.name.c_str(), spec.runs(),
                 pending.size(), ranks - 1, dir.c_str());
  Progress progress(pending.size(), c.quiet);
  std::size_t next = 0, done = 0, failed = 0;
  int active = ranks - 1;
  bool fatal = false;
  std::string fatal_message;
  while (active > 0) {
    MPI_Status status;
    MPI_Probe(MPI_ANY_SOURCE, kResult, MPI_COMM_WORLD, &status);
    int size = 0;
    MPI_Get_count(&status, MPI_CHAR, &size);
    std::string message(static_cast<std::size_t>(size), '\0');
    MPI_Recv(message.data(), size, MPI_CHAR, status.MPI_SOURCE, kResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    // "<run> <ok>\n<text>": run -1 is a worker's first request, ok 2 an interrupted run.
    const std::size_t newline = message.find('\n');
    long long run = -1;
    int ok = 0;
    std::sscanf(message.c_str(), "%lld %d", &run, &ok);
    if (run >= 0 && ok != 2 && !fatal) {
      try {
        write_record(dir, spec, static_cast<std::size_t>(run), RunRecord{ok == 1, message.substr(newline + 1)});
        ++done;
        failed += ok == 0;
        progress.update(done, failed);
      } catch (const std::exception& e) {
        fatal = true;
        fatal_message = e.what();
      }
    }
    const bool stop = fatal || ok == 2 || (c.stop && c.stop->load()) || next == pending.size();
    if (ok == 2 && c.stop) c.stop->store(true);
    if (stop) {
      MPI_Send(nullptr, 0, MPI_LONG_LONG, status.MPI_SOURCE, kStop, MPI_COMM_WORLD);
      --active;
    } else {
      const long long assign = static_cast<long long>(pending[next++]);
      MPI_Send(&assign, 1, MPI_LONG_LONG, status.MPI_SOURCE, kAssign, MPI_COMM_WORLD);
    }
  }
  if (fatal) throw OutputError(fatal_message);
  if (done < pending.size()) {
    progress.interrupted();
    say_resume(c, dir, spec.runs() - pending.size() + done, spec.runs());
    return kInterrupted;
  }
  return finish(c, spec, dir, start, 1, ranks, c.quiet);
}

int mpi_work(const SweepCommand& c, const SweepSpec& spec) {
  std::string message = "-1 1\n";
  bool interrupted = false;
  while (true) {
    MPI_Send(message.data(), static_cast<int>(message.size()), MPI_CHAR, 0, kResult, MPI_COMM_WORLD);
    MPI_Status status;
    long long run = -1;
    MPI_Recv(&run, 1, MPI_LONG_LONG, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
    if (status.MPI_TAG == kStop) break;
    try {
      const RunRecord record = execute_run(spec, static_cast<std::size_t>(run), 1, c.stop);
      message = std::to_string(run) + (record.ok ? " 1\n" : " 0\n") + record.text;
    } catch (const Interrupted&) {
      message = std::to_string(run) + " 2\n";
      interrupted = true;
    }
  }
  return interrupted ? kInterrupted : 0;
}

int run_under_mpi(const SweepCommand& c) {
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  // Every rank reads the sweep; only rank 0 reports a problem, and all stop.
  std::optional<SweepSpec> spec;
  std::exception_ptr error;
  int kind = 0;  // 0 ok, 2 bad input
  try {
    spec = c.make_spec ? c.make_spec() : load_sweep(c.file);
    spec->memory_limit_bytes = c.memory_limit_bytes;  // one run per rank
    if (rank == 0) check_some_point_loads(*spec);
  } catch (...) {
    error = std::current_exception();
    kind = 2;
  }
  int worst = kind;
  MPI_Allreduce(&kind, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (worst != 0) {
    if (rank == 0 && error) std::rethrow_exception(error);
    if (rank == 0) throw InputError(c.file, 0, 0, "another MPI rank could not read the sweep file");
    return 2;
  }
  if (ranks == 1) return run_on_threads(c, *spec);
  std::string dir = c.out;
  std::vector<std::size_t> pending;
  int prepared = 1;
  if (rank == 0) {
    try {
      pending = prepare_sweep_folder(*spec, dir, c.force, c.resume);
    } catch (...) {
      error = std::current_exception();
      prepared = 0;
    }
  }
  MPI_Bcast(&prepared, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (!prepared) {
    if (rank == 0) std::rethrow_exception(error);
    return 2;
  }
  return rank == 0 ? mpi_coordinate(c, *spec, dir, pending, ranks) : mpi_work(c, *spec);
}
#endif

}  // namespace

bool launched_by_mpi() {
#ifdef GOVSIM_WITH_MPI
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK");
#else
  return false;
#endif
}

int run_sweep_command(const SweepCommand& c) {
#ifdef GOVSIM_WITH_MPI
  if (launched_by_mpi() && !c.dry_run) {
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    struct Finalize {
      ~Finalize() { MPI_Finalize(); }
    } finalize;
    return run_under_mpi(c);
  }
#endif
  SweepSpec spec = c.make_spec ? c.make_spec() : load_sweep(c.file);
  // Up to `threads` runs at once share the limit.
  spec.memory_limit_bytes = c.memory_limit_bytes / static_cast<std::uint64_t>(std::max(1, c.threads));
  if (c.dry_run) {
    print_design(spec);
    return 0;
  }
  check_some_point_loads(spec);
  return run_on_threads(c, spec);
}

}  // namespace govsim::cli
