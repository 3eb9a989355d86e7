// models/cli/sweep_cli.hpp: `govsim sweep`, on threads or under MPI.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace govsim::cli {

struct SweepCommand {
  std::string file, out;
  int threads = 1;
  bool force = false, resume = false, quiet = false, dry_run = false;
  std::uint64_t memory_limit_bytes = 0;  ///< for all the runs at once (--memory-limit); 0: no check
  std::atomic<bool>* stop = nullptr;  ///< raised by SIGINT/SIGTERM (and by a fatal error)
};

/// Returned by run_sweep_command when a signal stopped the sweep.
inline constexpr int kInterrupted = -1;

/// Runs a sweep; returns 0 when done, or kInterrupted. Bad input throws
/// ScenarioError / OutputError as the other commands do.
/// Under mpirun (when built with MPI) rank 0 hands runs to the other ranks.
int run_sweep_command(const SweepCommand& command);

/// True when this process was started by mpirun and govsim was built with MPI.
bool launched_by_mpi();

}  // namespace govsim::cli
