// models/app/cli/sweep_cli.hpp: `govsim sweep`, on threads or under MPI.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "models/app/sweep/sweep.hpp"

namespace govsim::cli {

struct SweepCommand {
  std::string file, out;
  int threads = 1;
  bool force = false, resume = false, quiet = false, dry_run = false;
  std::uint64_t memory_limit_bytes = 0;  ///< for all the runs at once (--memory-limit); 0: no check
  std::atomic<bool>* stop = nullptr;  ///< raised by SIGINT/SIGTERM (and by a fatal error)
  /// explore and attribute: the plan instead of reading `file`; what to write
  /// from the records before the sweep files; and the command that resumes.
  std::function<SweepSpec()> make_spec;
  std::function<void(const SweepSpec&, const std::string& dir)> post;
  std::string resume_command;  ///< e.g. "govsim explore A B --samples 64"; default "govsim sweep FILE"
};

/// Returned by run_sweep_command when a signal stopped the sweep.
inline constexpr int kInterrupted = -1;

/// Runs a sweep; returns 0 when done, or kInterrupted. Bad input throws
/// InputError / OutputError as the other commands do.
/// Under mpirun (when built with MPI) rank 0 hands runs to the other ranks.
int run_sweep_command(const SweepCommand& command);

/// True when this process was started by mpirun and govsim was built with MPI.
bool launched_by_mpi();

}  // namespace govsim::cli
