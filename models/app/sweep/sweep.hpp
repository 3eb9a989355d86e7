// models/app/sweep/sweep.hpp: parameter sweeps and sensitivity analysis.
//
// A sweep file names a base scenario, the parameters to vary (by path into
// the scenario, as for --set), a design (grid, points, Latin hypercube, Morris
// trajectories, Saltelli samples for Sobol indices), replications and seeds.
// The design expands into points; every point x replication is one run. Runs
// are independent: each is written to its own record file (runs/) the moment
// it finishes, and the sweep's result files are built from those records in
// (point, replication) order once all exist. So the output is the same for
// any thread count, for MPI, and for a sweep interrupted and resumed.
// See docs/sweeps.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/domain/scenario.hpp"

namespace govsim {

enum class DesignKind { grid, points, lhs, morris, sobol };
const char* to_string(DesignKind k) noexcept;

struct SweepParameter {
  std::string name;
  std::vector<std::string> paths;   ///< scenario paths set to the parameter's value
  std::vector<std::string> values;  ///< grid: the values, as YAML scalars
  double low = 0, high = 0;         ///< lhs, morris, sobol: the range
  bool integer = false;             ///< round sampled values to whole numbers
  bool log_scale = false;           ///< sample uniformly in log(value)
};

struct SweepSpec {
  std::string path, name, description;
  std::string base;                    ///< the base scenario file (resolved against the sweep file's folder)
  std::vector<std::string> overrides;  ///< fixed `path=value` settings applied to every point
  std::vector<SweepParameter> parameters;
  DesignKind design = DesignKind::grid;
  int samples = 0;                     ///< lhs: points; sobol: base samples N
  int trajectories = 0, levels = 4;    ///< morris
  std::uint64_t design_seed = 1;
  /// The expanded design: per point, each parameter's value as text (what --set receives).
  std::vector<std::vector<std::string>> points;
  /// morris and sobol: each point's position in the unit cube [0,1]^k.
  std::vector<std::vector<double>> unit_points;
  int replications = 1;
  std::uint64_t seed = 1;
  std::vector<std::uint64_t> seeds;    ///< explicit: replication r runs with seed seeds[r], replication index 0
  std::vector<std::string> scopes;     ///< metric scopes kept in sweep.csv
  std::vector<std::string> metrics;    ///< outputs analysed for sensitivity
  std::string content_hash;            ///< of the sweep file and the merged base scenario
  /// Not from the file: the memory one run may use (--memory-limit divided by
  /// the runs at once); a run estimated above it fails. 0: no check.
  std::uint64_t memory_limit_bytes = 0;
  /// Not from a sweep file: plans that `govsim explore` and `attribute` build
  /// (models/app/sweep/explore.hpp). Per point, when not empty: the scenario file it
  /// runs (else `base`), overrides added after the parameters', and the base
  /// seed its replications run with (replication index r; else seed_of).
  std::vector<std::string> point_bases;
  std::vector<std::vector<std::string>> point_sets;
  std::vector<std::uint64_t> point_seeds;
  /// `govsim explore --posterior`: what explore.json says of the posterior the
  /// samples were drawn from (file, hash, targets; JSON text); empty otherwise.
  std::string posterior_json;

  const std::string& point_base(std::size_t point) const { return point_bases.empty() ? base : point_bases[point]; }
  std::size_t runs() const noexcept { return points.size() * static_cast<std::size_t>(replications); }
  /// The --set overrides of one point: the fixed ones, then the parameters'.
  std::vector<std::string> point_overrides(std::size_t point) const;
  /// Seed and replication index of replication r.
  std::pair<std::uint64_t, int> seed_of(int replication) const noexcept;
};

/// Reads, validates and expands a sweep file; throws InputError (file:line:col).
SweepSpec load_sweep(const std::string& path);
/// The same from text, `name` standing for the file in messages and for
/// resolving `base` (fuzzing, tests).
SweepSpec load_sweep_text(const std::string& text, const std::string& name);

/// The outcome of one run, as its record file holds it: metric rows
/// (metric,scope,key,value) or, for a failed run, one line of error.
struct RunRecord {
  bool ok = true;
  std::string text;
};

/// Runs one (point, replication) on `threads` engine threads. A run that
/// fails (bad point, unstable parameters) returns ok=false with the message;
/// Interrupted propagates.
RunRecord execute_run(const SweepSpec& spec, std::size_t run, int threads, const std::atomic<bool>* cancel);
/// Runs `count` consecutive replications of one point (base-seed sweeps
/// only), building the organisation and residents once: the same records as
/// `count` calls of execute_run.
std::vector<RunRecord> execute_runs(const SweepSpec& spec, std::size_t first_run, int count, int threads,
                                    const std::atomic<bool>* cancel);

/// Where the record of a run lives, and whether it exists.
std::string record_path(const std::string& dir, std::size_t point, int replication, bool ok);
bool has_record(const std::string& dir, std::size_t point, int replication);
void write_record(const std::string& dir, const SweepSpec& spec, std::size_t run, const RunRecord& record);

/// Creates the sweep folder (or, with resume, checks that it holds this very
/// sweep) and writes design.csv and plan.json. An empty `dir` becomes a new
/// folder under results/. Returns the runs still to do.
std::vector<std::size_t> prepare_sweep_folder(const SweepSpec& spec, std::string& dir, bool force, bool resume);

struct SweepTotals {
  std::size_t runs = 0, failed = 0;
};
/// Builds sweep.csv, points.csv, failures.csv, sensitivity.csv (morris) or
/// sobol.csv (sobol) and manifest.json from the records; every run must have one.
SweepTotals finalize_sweep(const SweepSpec& spec, const std::string& dir, double wall_seconds, int threads, int ranks);

/// Runs the pending runs on `threads` TBB threads (one engine thread each),
/// writing each record as it finishes. `on_done(done, failed)` is called after
/// each (serialised). Stops early when *cancel becomes true; returns the
/// number of runs finished. Record-writing errors propagate (OutputError).
std::size_t run_pending(const SweepSpec& spec, const std::string& dir, const std::vector<std::size_t>& pending,
                        int threads, std::atomic<bool>* cancel,
                        const std::function<void(std::size_t, std::size_t)>& on_done);

/// As run_pending, but each finished run's record goes to `keep(run, record)`
/// (called from the worker threads, several at once: it must be thread-safe)
/// instead of to a file: for an MPI rank whose records another rank writes.
/// A record `keep` cannot take (it throws) stops the runs, and the error propagates.
std::size_t run_pending_to(const SweepSpec& spec, const std::vector<std::size_t>& pending, int threads,
                           std::atomic<bool>* cancel, const std::function<void(std::size_t, const RunRecord&)>& keep,
                           const std::function<void(std::size_t, std::size_t)>& on_done);

/// 16 hex digits of a 64-bit value (hashes in plans and manifests).
std::string hex64(std::uint64_t x);
/// A whole file of the run's own output (records, plans); OutputError when it cannot be read.
std::string read_text(const std::string& path);

}  // namespace govsim
