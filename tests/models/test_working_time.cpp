// tests/models/test_working_time.cpp: working-time calendars in the model.
//
// A single station open 8 hours a working day (9:00-17:00, Monday to Friday;
// t = 0 is Monday 2012-01-02 00:00) with exponential or fixed service:
// throughput and utilisation against working hours, the wait of a request
// reported at Friday's closing, a holiday, a deadline in working days across
// a weekend, an M/M/1 queue whose theory holds in working-time units, and
// services that overrun closing time.
//
// Two kinds of check. Aggregates (utilisation, throughput, mean wait, share
// past deadline) go through run_scenario and assert a 95% interval over
// replications. Exact, per-request facts (this request waited until Monday
// 9:00) read the outcome records of one replication: `trace` below builds the
// model as run_scenario does and keeps every record. Expected times come from
// plain weekday arithmetic written here, not from sim::WorkCalendar, so a
// fault in the calendar cannot hide itself.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "models/domain/journey.hpp"
#include "models/domain/organisation.hpp"
#include "models/domain/population.hpp"
#include "test_support.hpp"

using namespace govsim;
using namespace govsim::testing;

namespace {

// ---------------------------------------------------------------------------
// Helpers

constexpr double kDay = 24.0, kWeek = 168.0;
constexpr double kOpen = 9.0, kClose = 17.0;  // the station's hours
constexpr double kTol = 2e-3;                  // outcome records are floats: ~1e-4 h at a few thousand hours

/// 0 = Monday .. 6 = Sunday (t = 0 is a Monday midnight).
int weekday_of(double t) { return static_cast<int>(std::floor(t / kDay)) % 7; }
double hour_of(double t) { return t - kDay * std::floor(t / kDay); }
double midnight_of(double t) { return kDay * std::floor(t / kDay); }

/// A working day of a Monday-Friday calendar, less the given holidays (day indices).
bool works(long day, const std::vector<long>& holidays = {}) {
  return day % 7 < 5 && std::find(holidays.begin(), holidays.end(), day) == holidays.end();
}

/// When a station open 9-17 on working days can first serve a request that arrives at t.
double next_opening(double t, const std::vector<long>& holidays = {}) {
  auto day = static_cast<long>(std::floor(t / kDay));
  if (works(day, holidays) && hour_of(t) < kOpen) return day * kDay + kOpen;
  if (works(day, holidays) && hour_of(t) < kClose) return t;
  for (++day; !works(day, holidays); ++day) {
  }
  return day * kDay + kOpen;
}

/// The close of the n-th working day after the day of t (a promised time limit).
double end_of_working_days(double t, int n) {
  auto day = static_cast<long>(std::floor(t / kDay));
  while (n > 0) n -= works(++day);
  return day * kDay + kClose;
}

/// Office hours 9-17, Monday to Friday, as YAML, with extra calendar keys.
std::string office_hours(const std::string& extra = "") {
  return "calendars:\n"
         "  default:\n"
         "    hours: [[9, 17]]\n"
         "    working_days: [mon, tue, wed, thu, fri]\n" +
         extra;
}


std::vector<Outcome> resolved(const std::vector<Outcome>& all) {
  std::vector<Outcome> r;
  for (const auto& o : all)
    if (o.status == Status::resolved) r.push_back(o);
  return r;
}

double end_of(const Outcome& o) { return static_cast<double>(o.reported_at) + o.response_h; }

class WorkingTime : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = temp_folder("working-time"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string scenario(const std::string& name, const std::string& yaml) const {
    return write_scenario(dir_, name + ".yaml", yaml);
  }
  std::filesystem::path dir_;
};

}  // namespace

// ---------------------------------------------------------------------------
// Throughput and utilisation.
//
// Requests arrive at every hour (Poisson, lambda = 0.1 per hour) at a station
// open 40 of the week's 168 hours; service is exponential with mean 1 h and
// paused at closing (`overrun: pause`), so every hour of service falls in
// working time. The station is stable (it can do 40 h of work a week and
// receives 16.8), so in the long run it completes what arrives: throughput
// = 24 lambda = 2.4 a day. Utilisation is busy time over *working* time:
// the work arriving in the window over the working hours in it,
// lambda E[S] x 168 / 40 = 0.42; measured against all hours it would be 0.1.
//
// The window runs from one Friday 17:00 to another, 51 weeks later: it holds
// exactly 51 x 40 = 2,040 working hours, and the backlog left at either end
// is that of the same moment of the week, so the boundaries cancel in
// expectation.
TEST_F(WorkingTime, ThroughputEqualsArrivalsAndUtilisationCountsWorkingHoursOnly) {
  const double warmup = kWeek + 4 * kDay + kClose;  // Friday 17:00 of week 2
  const double horizon = warmup + 51 * kWeek;       // Friday 17:00, 51 weeks later
  const std::string path = scenario("throughput",
      "simulation: {horizon_h: " + std::to_string(horizon) + ", warmup_h: " + std::to_string(warmup) +
      ", replications: 10, seed: 11, sample_interval_h: 168, start_date: 2012-01-02}\n" +
      office_hours("    overrun: pause\n") +
      "request_types: {job: {deadline_h: 1000}}\n"
      "units:\n"
      "  station: {staff: 1, resolves: {job: {dist: exponential, mean: 1.0}}}\n"
      "populations:\n"
      "  arrivals: {at: station, groups: {all: {need_rates_per_hour: {job: 0.1}}}}\n");
  const RunResult r = run(path);
  const double lambda = 0.1, window = horizon - warmup;
  ASSERT_DOUBLE_EQ(window, 51 * kWeek);
  // Capacity: one paid place for the working hours of the window, exactly.
  EXPECT_DOUBLE_EQ(mean_of(r, "paid_staff_hours"), 51 * 40.0);
  // Stable: what arrives is completed.
  EXPECT_CI_CONTAINS(estimate_of(r, "throughput_per_day"), 24 * lambda);
  EXPECT_CI_CONTAINS(estimate_of(r, "work_hours_for_residents"), lambda * window * 1.0);
  // Utilisation over working hours only, not over the 24-hour week.
  const sim::Estimate u = estimate_of(r, "utilisation", "unit", "station");
  EXPECT_CI_CONTAINS(u, lambda * 1.0 * kWeek / 40.0);
  EXPECT_GT(u.low(), 2 * lambda);  // the 24/7 figure (0.1) is far outside
  EXPECT_EQ(mean_of(r, "overtime_hours"), 0.0);  // pause: no service after closing
}

// ---------------------------------------------------------------------------
// A request reported at Friday's closing waits the weekend: 64 hours.
//
// Plenty of staff and a fixed service of 1 h, so nobody queues behind anyone:
// each request's first contact is exactly the station's next opening. A
// request reported at or after 17:00 on Friday is first seen on Monday at
// 9:00, 64 hours after closing, and all of that wait is outside working hours
// (closed_h), none of it queueing in working time (wait_h).
TEST_F(WorkingTime, RequestAtFridayClosingWaitsUntilMondayOpening) {
  const std::string path = scenario("friday",
      "simulation: {horizon_h: 1008, replications: 1, seed: 3, sample_interval_h: 168, start_date: 2012-01-02}\n" +
      office_hours("    overrun: pause\n") +
      "request_types: {job: {deadline_h: 1000}}\n"
      "units:\n"
      "  station: {staff: 1000, resolves: {job: {dist: deterministic, value: 1.0}}}\n"
      "populations:\n"
      "  arrivals: {at: station, groups: {all: {need_rates_per_hour: {job: 4.0}}}}\n");
  const auto done = resolved(trace(path));
  ASSERT_GT(done.size(), 3500u);
  int weekend = 0;
  double longest = 0;
  for (const auto& o : done) {
    const double t = o.reported_at, first = next_opening(t) - t;
    ASSERT_NEAR(o.first_contact_h, first, kTol) << "reported at " << t;
    EXPECT_NEAR(o.wait_h, 0.0, kTol) << "reported at " << t;  // never queued in working time
    longest = std::max(longest, static_cast<double>(o.first_contact_h));
    // Reported in the first quarter-hour after Friday's closing: Monday 9:00.
    const double friday_close = midnight_of(t) + kClose;
    if (weekday_of(t) == 4 && t >= friday_close && t < friday_close + 0.25) {
      ++weekend;
      EXPECT_NEAR(t + o.first_contact_h, friday_close + 64.0, kTol);
      EXPECT_NEAR(o.closed_h + (t - friday_close), 64.0, kTol) << "reported at " << t;
      EXPECT_NEAR(o.response_h, friday_close + 64.0 + 1.0 - t, kTol);  // then 1 h of service
    }
  }
  EXPECT_GE(weekend, 3);               // about one a Friday, six Fridays
  EXPECT_LE(longest, 64.0 + kTol);     // nobody waits longer than a weekend
  EXPECT_GT(longest, 63.0);            // and the longest waits are a weekend
}

// ---------------------------------------------------------------------------
// A one-day holiday (Wednesday 2012-01-04): a request reported on Tuesday
// evening waits until Thursday 9:00, 24 hours more than it would otherwise.
// The same requests with and without the holiday (common random numbers:
// needs do not depend on calendars) are compared one by one.
TEST_F(WorkingTime, HolidayAddsADayToTheWaitOfTheEveningBefore) {
  const std::string base =
      "simulation: {horizon_h: 168, replications: 1, seed: 4, sample_interval_h: 24, start_date: 2012-01-02}\n"
      "request_types: {job: {deadline_h: 1000}}\n"
      "units:\n"
      "  station: {staff: 1000, resolves: {job: {dist: deterministic, value: 1.0}}}\n"
      "populations:\n"
      "  arrivals: {at: station, groups: {all: {need_rates_per_hour: {job: 2.0}}}}\n";
  const auto plain = resolved(trace(scenario("plain", base + office_hours("    overrun: pause\n"))));
  const auto holiday =
      resolved(trace(scenario("holiday", base + office_hours("    overrun: pause\n    holidays: [2012-01-04]\n"))));
  std::map<float, Outcome> before;
  for (const auto& o : plain) before.emplace(o.reported_at, o);
  const long wednesday = 2;
  int evening = 0, on_the_day = 0;
  for (const auto& o : holiday) {
    const double t = o.reported_at;
    ASSERT_NEAR(o.first_contact_h, next_opening(t, {wednesday}) - t, kTol) << "reported at " << t;
    const auto same = before.find(o.reported_at);
    ASSERT_NE(same, before.end()) << "the same needs arise with and without the holiday";
    const double extra = o.closed_h - same->second.closed_h;
    if (weekday_of(t) == 1 && hour_of(t) >= kClose) {  // Tuesday evening
      ++evening;
      EXPECT_NEAR(t + o.first_contact_h, 3 * kDay + kOpen, kTol);  // Thursday 9:00
      EXPECT_NEAR(extra, 24.0, kTol) << "reported at " << t;
    } else if (weekday_of(t) == 2) {  // on the holiday itself: Thursday 9:00 too
      ++on_the_day;
      EXPECT_NEAR(t + o.first_contact_h, 3 * kDay + kOpen, kTol);
    } else if (t < kDay + kOpen || t >= 3 * kDay + kOpen) {  // served before Tuesday 9:00 or from Thursday 9:00
      EXPECT_NEAR(extra, 0.0, kTol) << "reported at " << t;
    }
  }
  EXPECT_GE(evening, 5);  // 7 h at 2 an hour
  EXPECT_GE(on_the_day, 20);
}

// ---------------------------------------------------------------------------
// A deadline of one working day (deadline_working_days: 1), counted from the
// day after the report and ending at that day's close: a Friday report is due
// on Monday at 17:00, not on Saturday.
//
// Service takes a fixed 14 working hours (paused at closing) and nobody
// queues. Reported on a working day at hour h: before 9:00 it ends the next
// working day at 15:00 (on time); between 9:00 and 11:00 it ends the next
// working day at h + 6 <= 17:00 (on time); after 11:00 it spills into the day
// after (late); after 17:00 it starts the next working day and ends the one
// after (late). So a Friday report straddles Monday's close at 11:00, and
// over the week 5 x 11 of the 168 hours report on time: the share past the
// deadline is 113/168. Counting calendar days instead would make every
// Friday report late (118/168); counting the report's own day, every report
// between 9:00 and 11:00.
TEST_F(WorkingTime, DeadlineInWorkingDaysSpansTheWeekend) {
  auto yaml = [&](double warmup, double horizon, int replications) {
    return "simulation: {horizon_h: " + std::to_string(horizon) + ", warmup_h: " + std::to_string(warmup) +
           ", replications: " + std::to_string(replications) +
           ", seed: 8, sample_interval_h: 168, start_date: 2012-01-02}\n" + office_hours("    overrun: pause\n") +
           "request_types: {job: {deadline_working_days: 1}}\n"
           "units:\n"
           "  station: {staff: 1000, resolves: {job: {dist: deterministic, value: 14.0}}}\n"
           "populations:\n"
           "  arrivals: {at: station, groups: {all: {need_rates_per_hour: {job: 0.5}}}}\n";
  };
  // One by one: every request is late exactly when it ends after the close of the next working day.
  const auto all = trace(scenario("deadline-trace", yaml(0, 4 * kWeek, 1)));
  int friday_on_time = 0, friday_late = 0;
  for (const auto& o : resolved(all)) {
    const double t = o.reported_at, due = end_of_working_days(t, 1);
    ASSERT_EQ(o.deadline_breached, end_of(o) > due + kTol) << "reported at " << t << ", ended " << end_of(o);
    if (weekday_of(t) == 4) {
      EXPECT_DOUBLE_EQ(due, midnight_of(t) + 3 * kDay + kClose);  // Monday 17:00
      const bool late = hour_of(t) > 11.0;
      EXPECT_EQ(o.deadline_breached, late) << "Friday report at " << hour_of(t) << ":00";
      ++(late ? friday_late : friday_on_time);
    }
  }
  EXPECT_GE(friday_on_time, 5);
  EXPECT_GE(friday_late, 5);
  // In aggregate, over 52 weeks and 41 hours (Monday 00:00 to a Tuesday
  // 17:00). A request still open at the horizon counts as late only if its
  // deadline has passed, so the late reports of the last 41 hours (Monday
  // after 11:00, Tuesday 11:00-17:00: 19 hours' worth) are not counted late,
  // and those 41 hours add 41 hours of reports: the share is 52 x 113 hours
  // of late reports over 52 x 168 + 41 hours of reports.
  const double warmup = kWeek, horizon = 53 * kWeek + kDay + kClose, window = horizon - warmup;
  const RunResult r = run(scenario("deadline", yaml(warmup, horizon, 8)));
  const sim::Estimate late = estimate_of(r, "share_deadline_breached");
  EXPECT_CI_CONTAINS(late, 52 * 113.0 / window);
  EXPECT_LT(late.high(), 52 * 118.0 / window);  // Friday reports all late: the deadline counted in calendar days
}

// ---------------------------------------------------------------------------
// An M/M/1 queue in working-time units.
//
// Needs arise at every hour, so a station alone would take the night's
// arrivals in one batch at opening: not an M/M/1 in any clock (and the model
// has no arrival process that follows working time). The construction: an
// intake (open 9:00-17:00 every day, enough staff that nobody queues, service
// paused at closing) holds each request a Uniform(0, 8) working hours, then
// hands it over on the platform (0.5 h) to a desk open 9:30-17:30, one place,
// exponential service with mean 1 h, paused at closing.
//
// Why the desk is an exact M/M/1 in its working-time clock: each request's
// departure from the intake, in the intake's working-time clock, is its
// arrival (or the next opening) plus an independent Uniform(0, 8); by the
// displacement theorem these departures are a Poisson process, whose
// intensity per working hour is lambda (arrivals in working time, displaced)
// plus the 16 closed hours' lambda x 16 arrivals spread evenly over the next 8
// working hours (2 lambda): 3 lambda, constant. They happen only while the
// intake is open, and the handover shifts them by 0.5 h into the desk's
// hours, whose clock is the intake's shifted by the same half hour. So the
// desk sees Poisson arrivals at Lambda = 3 lambda per working hour and serves
// exponentially in working time. With lambda = 0.2, mu = 1: rho = 0.6 and the
// mean wait in working time is Wq = rho / (mu - Lambda) = 1.5 h (wait_mean_h
// counts queueing in working time only; the intake adds none).
// Real-time M/M/1 theory would say 0.25 h. A fixed 4 h at the intake instead
// passes the night's batch on intact, and the desk waits much longer.
TEST_F(WorkingTime, MM1InWorkingTimeUnits) {
  const std::string path = scenario("mm1-working-time",
      "simulation: {horizon_days: 420, warmup_days: 21, replications: 10, seed: 12, sample_interval_h: 168,"
      " start_date: 2012-01-02}\n"
      "calendars:\n"
      "  intake: {hours: [[9, 17]], working_days: [mon, tue, wed, thu, fri, sat, sun], overrun: pause}\n"
      "  desk: {hours: [[9.5, 17.5]], working_days: [mon, tue, wed, thu, fri, sat, sun], overrun: pause}\n"
      "request_types: {job: {deadline_h: 10000}}\n"
      "platform: {handoff_h: 0.5}\n"
      "units:\n"
      "  intake:\n"
      "    staff: 500\n"
      "    calendar: intake\n"
      "    connected: true\n"
      "    resolves: {job: {dist: uniform, low: 0, high: 8}}\n"
      "    routing: [{to: desk, probability: 1}]\n"
      "  desk:\n"
      "    staff: 1\n"
      "    calendar: desk\n"
      "    connected: true\n"
      "    resolves: {job: {dist: exponential, mean: 1.0}}\n"
      "populations:\n"
      "  arrivals: {at: intake, groups: {all: {need_rates_per_hour: {job: 0.2}}}}\n");
  const double lambda = 3 * 0.2, mu = 1.0, rho = lambda / mu;
  const RunResult r = run(path);
  const sim::Estimate wq = estimate_of(r, "wait_mean_h");
  EXPECT_CI_CONTAINS(wq, rho / (mu - lambda));
  EXPECT_CI_CONTAINS(estimate_of(r, "utilisation", "unit", "desk"), rho);
  EXPECT_GT(wq.low(), 2 * 0.2 / (mu * (mu - 0.2)));  // not the real-time M/M/1's 0.25 h
  // The construction matters: undisplaced, the night's arrivals reach the desk together.
  const RunResult batched = run(path, {"units.intake.resolves.job={dist: deterministic, value: 4}"});
  EXPECT_GT(estimate_of(batched, "wait_mean_h").low(), wq.high());
}

// ---------------------------------------------------------------------------
// A service running past closing. With `overrun: finish`, one that would end
// at most `overtime_limit_h` after closing is finished in overtime (recorded)
// and one that would end later is paused; with `pause`, every service stops
// at closing and resumes at the next opening, and no overtime is worked.
TEST_F(WorkingTime, OverrunFinishRecordsOvertimePauseResumesNextOpening) {
  const std::string path = scenario("overrun",
      "simulation: {horizon_h: 3360, replications: 3, seed: 21, sample_interval_h: 168, start_date: 2012-01-02}\n" +
      office_hours("    overrun: finish\n    overtime_limit_h: 2\n") +
      "request_types: {job: {deadline_h: 1000}}\n"
      "units:\n"
      "  station: {staff: 1, resolves: {job: {dist: exponential, mean: 1.0}}}\n"
      "populations:\n"
      "  arrivals: {at: station, groups: {all: {need_rates_per_hour: {job: 0.1}}}}\n");
  const std::vector<std::string> pause = {"calendars.default.overrun=pause"};

  // finish: overtime is worked and recorded, never more than 2 h past closing.
  EXPECT_GT(estimate_of(run(path), "overtime_hours").low(), 0.0);
  EXPECT_GT(mean_of(run(path), "overtime_hours", "unit", "station"), 0.0);
  int after_hours = 0, resumed = 0;
  for (const auto& o : resolved(trace(path))) {
    const double end = end_of(o), h = hour_of(end - 1e-6);
    ASSERT_TRUE(weekday_of(end - 1e-6) < 5 && h >= kOpen && h < kClose + 2.0 + kTol) << "ended at " << end;
    after_hours += h > kClose + kTol;
    resumed += o.service_h > h - kOpen + kTol;  // its service began on an earlier day: paused overnight
  }
  EXPECT_GT(after_hours, 10);
  EXPECT_GT(resumed, 0);  // overruns beyond 2 h still pause

  // pause: no overtime; every service ends in working time, and some resume after a night or a weekend.
  const RunResult paused = run(path, pause);
  EXPECT_EQ(mean_of(paused, "overtime_hours"), 0.0);
  EXPECT_EQ(mean_of(paused, "overtime_hours", "unit", "station"), 0.0);
  resumed = 0;
  for (const auto& o : resolved(trace(path, pause))) {
    const double end = end_of(o), h = hour_of(end - 1e-6);
    ASSERT_TRUE(weekday_of(end - 1e-6) < 5 && h >= kOpen - kTol && h <= kClose + kTol) << "ended at " << end;
    // Served across a closing: its service began the working day before and ended after 9:00 this one.
    resumed += o.service_h > h - kOpen + kTol && o.closed_h >= 16.0 - kTol;
  }
  EXPECT_GT(resumed, 10);
}

// ---------------------------------------------------------------------------
// Resource neutrality (issue 12): the three-tier variant meant for a fair
// comparison pays for exactly the staff-hours of the four-tier baseline
// (paid places x working hours of their calendars; volunteers count apart,
// at zero pay). `paid_staff_hours` depends only on the organisation and the
// calendars, not on randomness, so one short replication of each suffices.
//
// NOTE: scenarios/variants/three-tier-resource-neutral.yaml is being written;
// until it lands this test skips.
TEST(ResourceNeutrality, ThreeTierVariantPaysTheBaselinesStaffHours) {
  const std::string variant = source_path("scenarios/variants/three-tier-resource-neutral.yaml");
  if (!std::filesystem::exists(variant))
    GTEST_SKIP() << "scenarios/variants/three-tier-resource-neutral.yaml does not exist yet";
  const std::vector<std::string> short_run = {"simulation.horizon_days=60", "simulation.replications=1",
                                              "populations.residents.residents_per_unit=200"};
  const double baseline = mean_of(run(source_path("scenarios/four-tier.yaml"), short_run), "paid_staff_hours");
  const double reform = mean_of(run(variant, short_run), "paid_staff_hours");
  ASSERT_GT(baseline, 0.0);
  EXPECT_NEAR(reform, baseline, 1e-9 * baseline) << "four-tier pays " << baseline << " staff-hours, the variant "
                                                 << reform;
}
