// models/app/run/simulation.cpp: replications, and turning outcome records into metrics.
#include "models/app/run/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <atomic>
#include <memory>
#include <mutex>

#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "models/domain/journey.hpp"
#include "models/domain/organisation.hpp"
#include "models/domain/population.hpp"

namespace govsim {

namespace {

/// Everything measured about one set of requests (a scope).
struct ScopeTally {
  std::uint64_t needs = 0, reported = 0, breaches = 0, escalated = 0;
  std::uint64_t on_time = 0, within_1wd = 0, within_3wd = 0, within_10wd = 0;  ///< resolved within
  std::uint64_t status[kStatusCount] = {};
  sim::RunningStats response, since_need, wait, first_contact, transit, service, closed, cosign_wait;
  double handoffs = 0, bounces = 0, misroutes = 0, redocumentations = 0, reworks = 0;
  sim::LogHistogram response_hist, since_need_hist;

  void add(const Outcome& o) {
    ++needs;
    ++status[static_cast<int>(o.status)];
    if (o.status == Status::unreported) return;
    ++reported;
    breaches += o.deadline_breached;
    escalated += o.escalated;
    handoffs += o.handoffs;
    bounces += o.bounces;
    misroutes += o.misroutes;
    redocumentations += o.redocumentations;
    reworks += o.reworks;
    wait.add(o.wait_h);
    transit.add(o.transit_h);
    service.add(o.service_h);
    closed.add(o.closed_h);
    cosign_wait.add(o.cosign_wait_h);
    if (o.first_contact_h >= 0) first_contact.add(o.first_contact_h);
    if (o.status == Status::resolved) {
      on_time += !o.deadline_breached;
      within_1wd += o.working_days <= 1;
      within_3wd += o.working_days <= 3;
      within_10wd += o.working_days <= 10;
      response.add(o.response_h);
      since_need.add(o.since_need_h);
      response_hist.add(o.response_h);
      since_need_hist.add(o.since_need_h);
    }
  }

  /// Adds another tally's requests (Chan et al. for the moments; exact for the rest).
  void merge(const ScopeTally& o) {
    needs += o.needs, reported += o.reported, breaches += o.breaches, escalated += o.escalated;
    on_time += o.on_time, within_1wd += o.within_1wd, within_3wd += o.within_3wd, within_10wd += o.within_10wd;
    for (int i = 0; i < kStatusCount; ++i) status[i] += o.status[i];
    response.merge(o.response), since_need.merge(o.since_need), wait.merge(o.wait);
    first_contact.merge(o.first_contact), transit.merge(o.transit);
    service.merge(o.service), closed.merge(o.closed), cosign_wait.merge(o.cosign_wait);
    handoffs += o.handoffs, bounces += o.bounces, misroutes += o.misroutes;
    redocumentations += o.redocumentations, reworks += o.reworks;
    response_hist.merge(o.response_hist), since_need_hist.merge(o.since_need_hist);
  }

  void emit(const std::string& scope, const std::string& key, std::vector<Metric>& out) const {
    auto put = [&](const char* name, double v) { out.push_back(Metric{name, scope, key, v}); };
    const double n = static_cast<double>(needs), r = static_cast<double>(reported);
    const auto share = [&](Status s) { return n > 0 ? static_cast<double>(status[static_cast<int>(s)]) / n : NAN; };
    put("needs", n);
    put("reported", r);
    put("resolved", static_cast<double>(status[0]));
    put("share_unreported", share(Status::unreported));
    put("share_abandoned", share(Status::abandoned));
    put("share_lost", share(Status::lost));
    put("share_no_responsible_unit", share(Status::orphaned));
    put("share_unresolved", share(Status::unresolved));
    put("service_gap", n > 0 ? 1.0 - static_cast<double>(status[0]) / n : NAN);
    put("share_deadline_breached", r > 0 ? static_cast<double>(breaches) / r : NAN);
    // Resolved within the deadline, or within 1, 3, 10 working days, out of every reported request.
    put("share_within_deadline", r > 0 ? static_cast<double>(on_time) / r : NAN);
    put("share_within_1wd", r > 0 ? static_cast<double>(within_1wd) / r : NAN);
    put("share_within_3wd", r > 0 ? static_cast<double>(within_3wd) / r : NAN);
    put("share_within_10wd", r > 0 ? static_cast<double>(within_10wd) / r : NAN);
    const bool any = response.count() > 0;
    put("response_mean_h", any ? response.mean() : NAN);
    put("response_median_h", any ? response_hist.quantile(0.5) : NAN);
    put("response_p90_h", any ? response_hist.quantile(0.9) : NAN);
    put("response_p99_h", any ? response_hist.quantile(0.99) : NAN);
    put("since_need_mean_h", any ? since_need.mean() : NAN);
    put("since_need_p90_h", any ? since_need_hist.quantile(0.9) : NAN);
    // Where the time went, per reported request (they add up to the mean response of every ending).
    put("wait_mean_h", r > 0 ? wait.mean() : NAN);
    put("service_mean_h", r > 0 ? service.mean() : NAN);
    put("transit_mean_h", r > 0 ? transit.mean() : NAN);
    put("closed_mean_h", r > 0 ? closed.mean() : NAN);
    put("cosign_wait_mean_h", r > 0 ? cosign_wait.mean() : NAN);
    put("first_contact_mean_h", first_contact.count() ? first_contact.mean() : NAN);
    put("handoffs_per_request", r > 0 ? handoffs / r : NAN);
    put("bounces_per_request", r > 0 ? bounces / r : NAN);
    put("misroutes_per_request", r > 0 ? misroutes / r : NAN);
    put("redocumentations_per_request", r > 0 ? redocumentations / r : NAN);
    put("reworks_per_request", r > 0 ? reworks / r : NAN);
    put("share_escalated", r > 0 ? static_cast<double>(escalated) / r : NAN);
  }
};

/// The outcome records of a run, tallied by every scope at once.
struct Tallies {
  ScopeTally all;
  std::vector<ScopeTally> by_type, by_group;
  std::map<std::uint32_t, ScopeTally> by_area;
  std::map<std::string, ScopeTally> by_tier;
  double response_sum = 0;  ///< every reported request, the open ones counted to the horizon (Little's W)

  Tallies(std::size_t types, std::size_t groups) : by_type(types), by_group(groups) {}
  void add(const Outcome& o, const Scenario& scenario, const Organisation& org) {
    all.add(o);
    by_type[o.type].add(o);
    by_group[o.group_id].add(o);
    const std::uint32_t area = org.unit(o.home).area;
    by_area[area == kNoUnit ? o.home : area].add(o);
    if (o.status == Status::resolved) by_tier[scenario.units[org.unit(o.resolver).group].tier].add(o);
    if (o.status != Status::unreported) response_sum += o.response_h;
  }
  void merge(const Tallies& o) {
    all.merge(o.all);
    for (std::size_t i = 0; i < by_type.size(); ++i) by_type[i].merge(o.by_type[i]);
    for (std::size_t i = 0; i < by_group.size(); ++i) by_group[i].merge(o.by_group[i]);
    for (const auto& [k, t] : o.by_area) by_area[k].merge(t);
    for (const auto& [k, t] : o.by_tier) by_tier[k].merge(t);
    response_sum += o.response_sum;
  }
};

/// Tallies every unit's outcome records. Units are taken in fixed blocks, each
/// block tallied on its own (in parallel) and the blocks merged in unit order:
/// the arithmetic, and so every bit of the result, is the same for any thread count.
Tallies tally_outcomes(const Scenario& scenario, const Organisation& org, const std::vector<UnitState>& states,
                       std::size_t groups, int threads) {
  constexpr std::size_t kUnitsPerBlock = 16;
  const std::size_t types = scenario.request_types.size();
  const std::size_t blocks = (states.size() + kUnitsPerBlock - 1) / kUnitsPerBlock;
  auto tally_block = [&](std::size_t b) {
    auto t = std::make_unique<Tallies>(types, groups);
    for (std::size_t u = b * kUnitsPerBlock; u < std::min(states.size(), (b + 1) * kUnitsPerBlock); ++u)
      for (const Outcome& o : states[u].outcomes) t->add(o, scenario, org);
    return t;
  };
  Tallies total(types, groups);
  if (threads <= 1) {
    for (std::size_t b = 0; b < blocks; ++b) total.merge(*tally_block(b));
    return total;
  }
  std::size_t next = 0;
  // Released after each filter call, acquired after the pipeline: makes the
  // pipeline's hand-offs visible to ThreadSanitizer (libtbb is not instrumented).
  std::atomic<int> calls{0};
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_pipeline(
        static_cast<std::size_t>(threads) * 2,
        tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order,
                                            [&](tbb::flow_control& fc) -> std::size_t {
                                              if (next == blocks) fc.stop();
                                              calls.fetch_add(1, std::memory_order_release);
                                              return next++;
                                            }) &
            tbb::make_filter<std::size_t, std::shared_ptr<Tallies>>(
                tbb::filter_mode::parallel,
                [&](std::size_t b) {
                  std::shared_ptr<Tallies> t(tally_block(b));
                  calls.fetch_add(1, std::memory_order_release);
                  return t;
                }) &
            tbb::make_filter<std::shared_ptr<Tallies>, void>(tbb::filter_mode::serial_in_order,
                                                             [&](const std::shared_ptr<Tallies>& t) {
                                                               total.merge(*t);
                                                               calls.fetch_add(1, std::memory_order_release);
                                                             }));
  });
  (void)calls.load(std::memory_order_acquire);
  return total;
}

/// Outcomes, by scope: everything, each request type, each resident group, each area and each tier.
void emit_outcomes(const Scenario& scenario, const Organisation& org, const std::vector<std::string>& groups,
                   const Tallies& tallies, std::vector<Metric>& m) {
  const ScopeTally& all = tallies.all;
  const auto &by_type = tallies.by_type, &by_group = tallies.by_group;
  const auto& by_area = tallies.by_area;
  const auto& by_tier = tallies.by_tier;
  all.emit("all", "all", m);
  for (std::size_t t = 0; t < by_type.size(); ++t) by_type[t].emit("type", scenario.request_types[t].name, m);
  for (std::size_t g = 0; g < by_group.size(); ++g) by_group[g].emit("group", groups[g], m);
  for (const auto& [area, tally] : by_area) tally.emit("area", org.unit(area).name, m);
  for (const auto& [tier, tally] : by_tier) tally.emit("tier", tier, m);
}

/// Hours worked and paid over the measured window, all units together.
struct WorkHours {
  double paid = 0, volunteer = 0, for_residents = 0, diverted = 0, overtime = 0, cost = 0;
};

/// Load and cost per unit, and utilisation per tier and per unit group.
/// Capacity is places x working hours (paid places and volunteers apart);
/// utilisation is the share of it busy, for residents or diverted.
WorkHours emit_unit_load(const Scenario& scenario, const Organisation& org, const std::vector<UnitState>& states,
                         double window, std::vector<Metric>& m) {
  WorkHours h;
  double &paid_hours = h.paid, &volunteer_hours = h.volunteer, &resident_hours = h.for_residents,
         &diverted_hours = h.diverted, &overtime = h.overtime, &cost = h.cost;
  std::map<std::string, std::pair<double, double>> busy_by_tier, busy_by_group;  // (busy, capacity)
  for (std::uint32_t u = 0; u < org.size(); ++u) {
    const UnitGroup& g = org.group_of(u);
    const auto& st = states[u];
    const double working = org.calendar(u).working_hours_between(scenario.simulation.warmup_h,
                                                                 scenario.simulation.horizon_h);
    const double capacity = (g.staff + g.volunteers) * working;
    paid_hours += g.staff * working;
    volunteer_hours += g.volunteers * working;
    cost += g.staff * working * g.cost_per_staff_hour;
    resident_hours += st.busy_area;
    diverted_hours += st.diverted_area;
    overtime += st.overtime_h;
    const double busy = st.busy_area + st.diverted_area;
    for (auto* tally : {&busy_by_tier[g.tier], &busy_by_group[g.name]}) {
      tally->first += busy;
      tally->second += capacity;
    }
    const std::string& name = org.unit(u).name;
    m.push_back({"utilisation", "unit", name, capacity > 0 ? busy / capacity : NAN});
    m.push_back({"diverted_share", "unit", name, capacity > 0 ? st.diverted_area / capacity : NAN});
    m.push_back({"overtime_hours", "unit", name, st.overtime_h});
    m.push_back({"mean_queue", "unit", name, st.queue_area / window});
    m.push_back({"backlog_end", "unit", name, static_cast<double>(st.queued + st.volunteer_queued + st.busy)});
  }
  for (const auto& [tier, b] : busy_by_tier) m.push_back({"utilisation", "tier", tier, b.second > 0 ? b.first / b.second : NAN});
  for (const auto& [group, b] : busy_by_group)
    m.push_back({"utilisation", "unit_group", group, b.second > 0 ? b.first / b.second : NAN});
  return h;
}

/// Little's law, L against lambda W: the model integrates open requests as they
/// close (`open_area`), including those reported before the warm-up,
/// independently of the outcome records.
void emit_littles_law(const Tallies& tallies, double open_area, double window, std::vector<Metric>& m) {
  const ScopeTally& all = tallies.all;
  const double resolved = static_cast<double>(all.status[0]);
  const double lambda = static_cast<double>(all.reported) / window;
  // W over every reported request, the open ones counted to the horizon.
  const double w = all.reported ? tallies.response_sum / static_cast<double>(all.reported) : 0.0;
  const double little_l = open_area / window;
  m.push_back({"throughput_per_day", "all", "all", resolved / window * 24.0});
  m.push_back({"little_L", "all", "all", little_l});
  m.push_back({"little_lambda_W", "all", "all", lambda * w});
  m.push_back({"little_relative_gap", "all", "all", little_l > 0 ? (lambda * w - little_l) / little_l : 0.0});
}

/// Cost three ways: what is paid, the work done for residents, the work diverted from them.
void emit_costs(const Tallies& tallies, const WorkHours& h, std::vector<Metric>& m) {
  const double resolved = static_cast<double>(tallies.all.status[0]);
  const double paid_hours = h.paid, volunteer_hours = h.volunteer, resident_hours = h.for_residents,
               diverted_hours = h.diverted, overtime = h.overtime, cost = h.cost;
  const auto per_resolved = [&](double x) { return resolved > 0 ? x / resolved : NAN; };
  m.push_back({"paid_staff_hours", "all", "all", paid_hours});
  m.push_back({"volunteer_hours", "all", "all", volunteer_hours});
  m.push_back({"fiscal_cost", "all", "all", cost});
  m.push_back({"work_hours_for_residents", "all", "all", resident_hours});
  m.push_back({"work_hours_diverted", "all", "all", diverted_hours});
  m.push_back({"overtime_hours", "all", "all", overtime});
  m.push_back({"utilisation", "all", "all", paid_hours + volunteer_hours > 0
                                                ? (resident_hours + diverted_hours) / (paid_hours + volunteer_hours)
                                                : NAN});
  m.push_back({"paid_staff_hours_per_resolved", "all", "all", per_resolved(paid_hours)});
  m.push_back({"fiscal_cost_per_resolved", "all", "all", per_resolved(cost)});
  m.push_back({"work_hours_for_residents_per_resolved", "all", "all", per_resolved(resident_hours)});
  m.push_back({"work_hours_diverted_per_resolved", "all", "all", per_resolved(diverted_hours)});
}

/// Distributions for plots: response-time histograms by scope.
void keep_distributions(const Scenario& scenario, const std::vector<std::string>& groups, const Tallies& tallies,
                        ReplicationResult& result) {
  const ScopeTally& all = tallies.all;
  const auto &by_type = tallies.by_type, &by_group = tallies.by_group;
  const auto& by_tier = tallies.by_tier;
  auto keep = [&](const std::string& key, const ScopeTally& t) {
    result.response_histograms.emplace(key, t.response_hist);
    result.since_need_histograms.emplace(key, t.since_need_hist);
  };
  keep("all:all", all);
  for (std::size_t t = 0; t < by_type.size(); ++t) keep("type:" + scenario.request_types[t].name, by_type[t]);
  for (std::size_t g = 0; g < by_group.size(); ++g) keep("group:" + groups[g], by_group[g]);
  for (const auto& [tier, tally] : by_tier) keep("tier:" + tier, tally);
}

/// The time series of every unit, in time order (units in order at equal times).
void keep_series(const Organisation& org, const std::vector<UnitState>& states, ReplicationResult& result) {
  for (std::uint32_t u = 0; u < org.size(); ++u)
    for (const auto& s : states[u].samples)
      result.series.push_back({s.time_h, u, s.queue, s.busy, s.utilisation, s.mean_willingness});
  std::stable_sort(result.series.begin(), result.series.end(),
                   [](const SeriesRow& a, const SeriesRow& b) { return a.time_h < b.time_h; });
}

}  // namespace

void check_memory(const Scenario& scenario, const Organisation& org, const RunSettings& settings) {
  if (settings.memory_limit_bytes > 0) {
    Scenario as_run = scenario;  // the estimate counts what this call will keep: its replications
    as_run.simulation.replications = settings.replications.value_or(scenario.simulation.replications);
    const int at_once = std::min(std::max(1, settings.threads), std::max(1, as_run.simulation.replications));
    const std::uint64_t need = estimate_memory_bytes(as_run, org, at_once);
    if (need > settings.memory_limit_bytes)
      throw ResourceLimitError(scenario.path, 0, 0,
                               "this run would need about " + std::to_string((need + (1u << 20) - 1) >> 20) +
                              " MiB, more than the " + std::to_string(settings.memory_limit_bytes >> 20) +
                              " MiB allowed (fewer residents, a shorter horizon, or --memory-limit)");
  }
}

void check_memory(const Scenario& scenario, const RunSettings& settings) {
  if (settings.memory_limit_bytes > 0) check_memory(scenario, Organisation(scenario), settings);
}

RunResult run_scenario(const Scenario& scenario, const RunSettings& settings,
                       const std::function<void(int, int)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  const Organisation org(scenario);
  check_memory(scenario, org, settings);
  RunResult run;
  run.seed = settings.seed.value_or(scenario.simulation.seed);
  run.threads = std::max(1, settings.threads);
  const int replications = settings.replications.value_or(scenario.simulation.replications);
  const Residents residents(scenario, org, run.seed);
  run.residents = residents.size();
  run.social_ties = residents.graph_edges() / 2;
  for (const auto& u : org.units()) {
    const auto& g = scenario.units[u.group];
    run.unit_names.push_back(u.name);
    run.unit_groups.push_back(g.name);
    run.unit_tiers.push_back(g.tier);
    run.unit_kinds.push_back(to_string(g.kind));
  }
  const auto& groups = residents.group_names();
  const double window = scenario.simulation.horizon_h - scenario.simulation.warmup_h;

  // One replication on `threads` threads: everything it reports depends on
  // its own random stream only, never on the threads or on what runs beside it.
  auto run_replication = [&](int rep, int threads) {
    const auto r0 = std::chrono::steady_clock::now();
    if (settings.cancel && settings.cancel->load()) throw Interrupted();
    JourneyModel model(scenario, org, residents, sim::stream_key(run.seed, static_cast<std::uint32_t>(rep)));
    const double lookahead = model.minimum_cross_unit_delay();
    if (!(lookahead > 0))
      throw InputError(scenario.path, 0, 0,
                          "every handoff between two units needs a positive minimum delay (transfer_delay_h, "
                          "travel_h or reporting delay): the smallest here is 0 hours");
    JourneyModel::Engine engine(model, org.size(), lookahead);
    model.seed_sources(engine);
    ReplicationResult result;
    result.replication = rep;
    result.counters = engine.run(scenario.simulation.horizon_h, threads, settings.cancel);
    if (result.counters.interrupted) throw Interrupted();
    model.finish(engine);

    // Outcomes, gathered from the partitions and merged in unit order: deterministic whatever the threads did.
    const JourneyModel::Results gathered = JourneyModel::gather(engine);
    const std::vector<UnitState>& states = gathered.units;
    const Tallies tallies = tally_outcomes(scenario, org, states, groups.size(), threads);
    auto& m = result.metrics;
    emit_outcomes(scenario, org, groups, tallies, m);
    const WorkHours hours = emit_unit_load(scenario, org, states, window, m);
    double open_area = 0;
    for (const auto& st : states) open_area += st.open_area;
    emit_littles_law(tallies, open_area, window, m);
    emit_costs(tallies, hours, m);
    m.push_back({"mean_willingness_end", "all", "all", gathered.mean_willingness()});
    keep_distributions(scenario, groups, tallies, result);
    if (settings.keep_series) keep_series(org, states, result);
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
    return std::pair{std::move(result), lookahead};
  };

  // Replications run side by side where that keeps every thread busy: a
  // window of one replication holds only a few hundred events, so two
  // replications on one thread each go faster than one on two threads.
  // Rounds of min(threads, left) replications share the threads; each
  // result lands in its own slot, so the order of the results (and every
  // byte of them) is the same for any thread count.
  std::vector<ReplicationResult> results(static_cast<std::size_t>(std::max(replications, 0)));
  std::mutex mutex;  // completion count, progress; and it makes the workers' writes visible (also to TSan)
  int completed = 0;
  auto finish_one = [&](int index, std::pair<ReplicationResult, double>&& done) {
    const std::lock_guard<std::mutex> lock(mutex);
    results[static_cast<std::size_t>(index)] = std::move(done.first);
    run.lookahead_h = done.second;
    ++completed;
    if (progress) progress(completed, replications);
  };
  for (int first = 0; first < replications;) {
    const int together = std::min(run.threads, replications - first);
    const int threads_each = run.threads / together;
    if (together == 1) {
      finish_one(first, run_replication(settings.first_replication + first, threads_each));
    } else {
      // Each replication ends under the mutex, and so does the round, also
      // when one of them threw (an interruption): see LockOnExit.
      const LockOnExit after_round{mutex};
      tbb::task_arena arena(together);
      arena.execute([&] {
        tbb::parallel_for(0, together, [&](int k) {
          const LockOnExit after_replication{mutex};
          finish_one(first + k, run_replication(settings.first_replication + first + k, threads_each));
        });
      });
    }
    first += together;
  }
  run.replications = std::move(results);
  run.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return run;
}

const std::vector<std::string>& all_metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<Metric> emitted;
    const ScopeTally empty;
    empty.emit("all", "all", emitted);
    std::vector<std::string> v;
    for (const auto& m : emitted) v.push_back(m.name);
    for (const char* extra :
         {"throughput_per_day", "little_L", "little_lambda_W", "little_relative_gap", "paid_staff_hours",
          "volunteer_hours", "fiscal_cost", "work_hours_for_residents", "work_hours_diverted", "overtime_hours",
          "utilisation", "paid_staff_hours_per_resolved", "fiscal_cost_per_resolved",
          "work_hours_for_residents_per_resolved", "work_hours_diverted_per_resolved", "mean_willingness_end"})
      v.push_back(extra);
    return v;
  }();
  return names;
}

std::vector<SummaryRow> summarise(const RunResult& run) {
  std::vector<SummaryRow> rows;
  if (run.replications.empty()) return rows;
  // Metric lists have the same order in every replication except for scopes
  // that only some replications saw (e.g. a tier nobody resolved at): index by name.
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<double>> values;
  std::vector<std::tuple<std::string, std::string, std::string>> order;
  for (const auto& rep : run.replications)
    for (const auto& m : rep.metrics) {
      auto key = std::make_tuple(m.name, m.scope, m.key);
      auto [it, inserted] = values.try_emplace(key);
      if (inserted) order.push_back(key);
      it->second.push_back(m.value);
    }
  for (const auto& key : order)
    rows.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), sim::estimate(values[key])});
  return rows;
}

}  // namespace govsim
