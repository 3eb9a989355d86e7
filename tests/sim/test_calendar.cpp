// tests/sim/test_calendar.cpp: the working-time calendar against a brute force
// that reads the Spec directly, day by day, interval by interval.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/calendar.hpp"
#include "sim/random.hpp"

namespace {

using sim::Date;
using sim::WorkCalendar;
using Interval = WorkCalendar::Interval;

constexpr double kInf = std::numeric_limits<double>::infinity();

Date date(const char* iso) {
  const auto parsed = sim::parse_date(iso);
  EXPECT_TRUE(parsed.has_value()) << iso;
  return parsed.value_or(Date{});
}

// Hours of `iso` 00:00 + `hour` on the axis of a calendar starting at `start`.
double at(const WorkCalendar::Spec& spec, const char* iso, double hour) {
  return 24.0 * static_cast<double>(sim::days_from_civil(date(iso)) - sim::days_from_civil(spec.start)) + hour;
}

// An office in 2012: 8:30-12:00 and 13:30-17:30 on weekdays; Spring Festival
// 2012-01-22..28 with make-up days on Saturday 01-21 and Sunday 01-29;
// Qingming 04-02..04 with make-up days 03-31 and 04-01. Starts on a Sunday.
WorkCalendar::Spec office_2012() {
  WorkCalendar::Spec spec;
  spec.start = date("2012-01-01");
  for (int w = 0; w < 5; ++w) spec.week[w] = {Interval{8.5, 12.0}, Interval{13.5, 17.5}};
  for (const char* d : {"2012-01-22", "2012-01-23", "2012-01-24", "2012-01-25", "2012-01-26", "2012-01-27",
                        "2012-01-28", "2012-04-02", "2012-04-03", "2012-04-04"})
    spec.holidays.push_back(date(d));
  for (const char* d : {"2012-01-21", "2012-01-29", "2012-03-31", "2012-04-01"}) spec.makeup_days.push_back(date(d));
  return spec;
}

// Night shifts that touch across midnight (Monday 00:00-06:00 and 22:00-24:00
// on Monday to Thursday, Friday to midnight only), a Saturday morning and
// Sunday to midnight, so open periods span days and the week's end.
WorkCalendar::Spec night_shifts() {
  WorkCalendar::Spec spec;
  spec.start = date("2012-01-04");  // a Wednesday
  for (int w = 0; w < 4; ++w) spec.week[w] = {Interval{0.0, 6.0}, Interval{22.0, 24.0}};
  spec.week[4] = {Interval{0.0, 6.0}, Interval{9.25, 11.75}, Interval{11.75, 24.0}};
  spec.week[5] = {Interval{0.0, 2.0}};
  spec.week[6] = {Interval{20.0, 24.0}};
  spec.holidays = {date("2012-01-10"), date("2012-01-23"), date("2012-01-24"), date("2012-01-25")};
  spec.makeup_days = {date("2012-01-14")};
  spec.makeup_hours = {Interval{10.0, 24.0}};
  return spec;
}

// --- the brute force: intervals read off the Spec, one day at a time --------

std::vector<Interval> brute_day(const WorkCalendar::Spec& spec, double table_end, std::int64_t day) {
  const std::int64_t civil = sim::days_from_civil(spec.start) + day;
  const int w = static_cast<int>(((civil + 3) % 7 + 7) % 7);
  if (24.0 * static_cast<double>(day) < table_end) {
    for (const Date& h : spec.holidays)
      if (sim::days_from_civil(h) == civil) return {};
    for (const Date& m : spec.makeup_days)
      if (sim::days_from_civil(m) == civil) return spec.makeup_hours.empty() ? spec.week[0] : spec.makeup_hours;
  }
  return spec.week[w];
}

struct Brute {
  std::vector<double> open, close;  // absolute, days [0, days)
  Brute(const WorkCalendar::Spec& spec, double table_end, std::int64_t days) {
    for (std::int64_t d = 0; d < days; ++d)
      for (const Interval& iv : brute_day(spec, table_end, d)) {
        open.push_back(24.0 * static_cast<double>(d) + iv.open_h);
        close.push_back(24.0 * static_cast<double>(d) + iv.close_h);
      }
  }
  double hours(double a, double b) const {
    double sum = 0.0;
    for (std::size_t i = 0; i < open.size(); ++i) sum += std::max(0.0, std::min(b, close[i]) - std::max(a, open[i]));
    return sum;
  }
  std::size_t first_closing_after(double t) const {  // the interval containing t or the next one
    std::size_t i = 0;
    while (close[i] <= t) ++i;
    return i;
  }
  bool is_open(double t) const {
    const std::size_t i = first_closing_after(t);
    return open[i] <= t;
  }
  double next_open(double t) const { return std::max(t, open[first_closing_after(t)]); }
  double closes_at(double t) const {
    std::size_t i = first_closing_after(t);
    while (close[i] == open[i + 1]) ++i;
    return close[i];
  }
  double add(double t, double h) const {
    if (h == 0.0) return t;
    for (std::size_t i = first_closing_after(t);; ++i) {
      const double from = std::max(t, open[i]);
      if (from + h <= close[i]) return from + h;
      h -= close[i] - from;
    }
  }
};

// Random times on the project's own streams: half on a quarter-hour grid (to
// land on openings and closings exactly), half anywhere.
struct Draws {
  sim::Stream stream;
  std::uint32_t index = 0;
  explicit Draws(std::uint64_t seed) : stream(sim::stream_key(seed, 0), 7) {}
  double uniform() { return stream.uniform(0, index++); }
  double time(double span) {
    const double t = span * uniform();
    return uniform() < 0.5 ? std::floor(t * 4.0) / 4.0 : t;
  }
};

// --- dates -------------------------------------------------------------------

TEST(Calendar, ParseDateAcceptsOnlyStrictValidDates) {
  const auto ok = sim::parse_date("2012-01-23");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->year, 2012);
  EXPECT_EQ(ok->month, 1);
  EXPECT_EQ(ok->day, 23);
  EXPECT_TRUE(sim::parse_date("2012-02-29"));  // leap year
  EXPECT_TRUE(sim::parse_date("2000-02-29"));  // divisible by 400
  EXPECT_TRUE(sim::parse_date("1999-12-31"));
  for (const char* bad : {"2012-02-30", "2013-02-29", "1900-02-29", "2012-04-31", "2012-13-01", "2012-00-10",
                          "2012-01-00", "2012-1-5", "2012-01-5", "2012/01/23", " 2012-01-23", "2012-01-23 ",
                          "20120123", "garbage", "", "abcd-ef-gh", "2012-0a-01", "+012-01-01"})
    EXPECT_FALSE(sim::parse_date(bad)) << bad;
  EXPECT_EQ(sim::format_date(Date{2012, 1, 5}), "2012-01-05");
}

TEST(Calendar, DaysFromCivilAndWeekdayOfKnownDates) {
  EXPECT_EQ(sim::days_from_civil(Date{1970, 1, 1}), 0);
  EXPECT_EQ(sim::days_from_civil(Date{1969, 12, 31}), -1);
  EXPECT_EQ(sim::days_from_civil(Date{2000, 3, 1}), 11017);
  EXPECT_EQ(sim::days_from_civil(Date{2012, 1, 23}) - sim::days_from_civil(Date{2011, 1, 23}), 365);
  EXPECT_EQ(sim::days_from_civil(Date{2013, 1, 23}) - sim::days_from_civil(Date{2012, 1, 23}), 366);
  EXPECT_EQ(sim::weekday(date("2012-01-23")), 0);  // Spring Festival 2012 was a Monday
  EXPECT_EQ(sim::weekday(date("1970-01-01")), 3);  // Thursday
  EXPECT_EQ(sim::weekday(date("2000-01-01")), 5);  // Saturday
  EXPECT_EQ(sim::weekday(date("2012-01-01")), 6);  // Sunday
  EXPECT_EQ(sim::weekday(date("1969-12-28")), 6);  // a Sunday before the epoch
  EXPECT_EQ(sim::weekday(date("2024-02-29")), 3);  // Thursday
}

// --- the office --------------------------------------------------------------

TEST(Calendar, NextOpenAcrossNightLunchAndWeekend) {
  const auto spec = office_2012();
  const WorkCalendar cal(spec, 24.0 * 120);
  EXPECT_FALSE(cal.is_always_open());
  EXPECT_DOUBLE_EQ(cal.working_hours_per_week(), 5 * 7.5);
  EXPECT_EQ(cal.next_open(0.0), at(spec, "2012-01-02", 8.5));  // Sunday midnight -> Monday
  EXPECT_EQ(cal.next_open(at(spec, "2012-01-02", 18.0)), at(spec, "2012-01-03", 8.5));  // the night
  EXPECT_EQ(cal.next_open(at(spec, "2012-01-02", 17.5)), at(spec, "2012-01-03", 8.5));  // closing is closed
  EXPECT_EQ(cal.next_open(at(spec, "2012-01-02", 12.5)), at(spec, "2012-01-02", 13.5));  // lunch
  EXPECT_EQ(cal.next_open(at(spec, "2012-01-02", 9.1)), at(spec, "2012-01-02", 9.1));    // open: t itself
  EXPECT_EQ(cal.next_open(at(spec, "2012-01-06", 17.75)), at(spec, "2012-01-09", 8.5));  // weekend
  EXPECT_TRUE(cal.is_open(at(spec, "2012-01-02", 8.5)));
  EXPECT_FALSE(cal.is_open(at(spec, "2012-01-02", 12.0)));
  EXPECT_FALSE(cal.is_open(-1.0));
  EXPECT_EQ(cal.next_open(-5.0), at(spec, "2012-01-02", 8.5));
}

TEST(Calendar, NextOpenSkipsSpringFestivalAndUsesMakeupDays) {
  const auto spec = office_2012();
  const WorkCalendar cal(spec, 24.0 * 120);
  // Friday evening before the festival: the make-up Saturday opens.
  EXPECT_EQ(cal.next_open(at(spec, "2012-01-20", 18.0)), at(spec, "2012-01-21", 8.5));
  // Make-up Saturday evening: seven closed days, then the make-up Sunday.
  EXPECT_EQ(cal.next_open(at(spec, "2012-01-21", 18.0)), at(spec, "2012-01-29", 8.5));
  EXPECT_EQ(cal.next_open(at(spec, "2012-01-23", 10.0)), at(spec, "2012-01-29", 8.5));
  EXPECT_FALSE(cal.is_open(at(spec, "2012-01-23", 10.0)));  // a Monday, but Spring Festival
  EXPECT_TRUE(cal.is_open(at(spec, "2012-01-29", 10.0)));   // a Sunday, but a make-up day
  auto day = [&](const char* iso) { return sim::days_from_civil(date(iso)) - sim::days_from_civil(spec.start); };
  EXPECT_TRUE(cal.is_working_day(day("2012-01-21")));
  EXPECT_FALSE(cal.is_working_day(day("2012-01-22")));
  EXPECT_FALSE(cal.is_working_day(day("2012-01-28")));
  EXPECT_TRUE(cal.is_working_day(day("2012-01-29")));
  EXPECT_TRUE(cal.is_working_day(day("2012-01-30")));
  EXPECT_FALSE(cal.is_working_day(day("2012-01-08")));  // an ordinary Sunday
  EXPECT_FALSE(cal.is_working_day(-1));
  // Working hours over the festival week: only the two make-up days count.
  EXPECT_EQ(cal.working_hours_between(at(spec, "2012-01-21", 0.0), at(spec, "2012-01-30", 0.0)), 15.0);
}

TEST(Calendar, AfterTheTableTheWeeklyPatternApplies) {
  auto spec = office_2012();
  const WorkCalendar short_table(spec, 24.0 * 10);
  const WorkCalendar long_table(spec, 24.0 * 120);
  EXPECT_GE(short_table.table_end_h(), 24.0 * 10 + 24.0 * 28);
  EXPECT_LT(short_table.table_end_h(), at(spec, "2012-03-31", 0.0));
  // Qingming lies beyond the short table: plain weekly pattern there.
  const double qingming_monday = at(spec, "2012-04-02", 0.0);
  EXPECT_TRUE(short_table.is_working_day(static_cast<std::int64_t>(qingming_monday / 24)));
  EXPECT_FALSE(long_table.is_working_day(static_cast<std::int64_t>(qingming_monday / 24)));
  EXPECT_EQ(short_table.next_open(qingming_monday), qingming_monday + 8.5);
  EXPECT_EQ(long_table.next_open(qingming_monday), at(spec, "2012-04-05", 8.5));
  // Far beyond: the weekend is still skipped (2013-01-04 is a Friday).
  EXPECT_EQ(long_table.next_open(at(spec, "2013-01-04", 18.0)), at(spec, "2013-01-07", 8.5));
  // Beyond the table, both agree with a calendar that has no holidays at all.
  spec.holidays.clear();
  spec.makeup_days.clear();
  const WorkCalendar plain(spec, 0.0);
  Draws draws(11);
  for (int i = 0; i < 2000; ++i) {
    const double t = long_table.table_end_h() + draws.time(24.0 * 400);
    EXPECT_EQ(long_table.next_open(t), plain.next_open(t)) << t;
    EXPECT_EQ(long_table.closes_at(t), plain.closes_at(t)) << t;
    const double h = draws.time(100.0);
    EXPECT_NEAR(long_table.add_working_hours(t, h), plain.add_working_hours(t, h), 1e-9) << t << " + " << h;
  }
}

// --- properties against the brute force --------------------------------------

void check_against_brute_force(const WorkCalendar::Spec& spec, double horizon, std::uint64_t seed) {
  const WorkCalendar cal(spec, horizon);
  const double span = cal.table_end_h() + 24.0 * 60;  // well past the table
  const Brute brute(spec, cal.table_end_h(), static_cast<std::int64_t>(span / 24) + 30);
  Draws draws(seed);
  for (int i = 0; i < 3000; ++i) {
    const double a = draws.time(span), b = draws.time(span);
    const double expected = brute.hours(a, b);
    EXPECT_NEAR(cal.working_hours_between(a, b), expected, 1e-9) << "[" << a << ", " << b << ")";
    EXPECT_EQ(cal.is_open(a), brute.is_open(a)) << a;
    EXPECT_EQ(cal.next_open(a), brute.next_open(a)) << a;
    EXPECT_EQ(cal.closes_at(a), brute.closes_at(a)) << a;
  }
}

TEST(Calendar, WorkingHoursBetweenEqualsBruteForceOffice) {
  check_against_brute_force(office_2012(), 24.0 * 40, 2012);
}

TEST(Calendar, WorkingHoursBetweenEqualsBruteForceNightShifts) {
  check_against_brute_force(night_shifts(), 24.0 * 15, 2013);
}

void check_add_inverts_between(const WorkCalendar::Spec& spec, std::uint64_t seed) {
  const WorkCalendar cal(spec, 24.0 * 40);
  const Brute brute(spec, cal.table_end_h(), 400);
  Draws draws(seed);
  for (int i = 0; i < 3000; ++i) {
    const double t = draws.time(24.0 * 150), h = draws.time(120.0);
    const double s = cal.add_working_hours(t, h);
    ASSERT_GE(s, t);
    EXPECT_NEAR(cal.working_hours_between(t, s), h, 1e-9) << t << " + " << h;
    EXPECT_NEAR(s, brute.add(t, h), 1e-9) << t << " + " << h;
    // Earliest: just before s, less than h was done.
    if (h > 0.0) EXPECT_LT(cal.working_hours_between(t, s - 1e-6), h) << t << " + " << h;
    // And the other way round: add(a, between(a, b)) reaches b or an earlier
    // point with no working time between it and b.
    const double b = t + draws.time(24.0 * 20);
    const double back = cal.add_working_hours(t, cal.working_hours_between(t, b));
    EXPECT_LE(back, b + 1e-9);
    EXPECT_NEAR(cal.working_hours_between(back, b), 0.0, 1e-9);
  }
}

TEST(Calendar, AddWorkingHoursInvertsWorkingHoursBetween) {
  check_add_inverts_between(office_2012(), 7);
  check_add_inverts_between(night_shifts(), 8);
}

TEST(Calendar, AddWorkingHoursIsExactAndPausesOverClosures) {
  const auto spec = office_2012();
  const WorkCalendar cal(spec, 24.0 * 120);
  const double monday = at(spec, "2012-01-02", 0.0);
  EXPECT_EQ(cal.add_working_hours(monday + 8.5, 3.5), monday + 12.0);  // ends at lunch, not after it
  EXPECT_EQ(cal.add_working_hours(monday + 8.5, 3.75), monday + 13.75);
  EXPECT_EQ(cal.add_working_hours(monday + 9.0, 0.0), monday + 9.0);
  EXPECT_EQ(cal.add_working_hours(monday + 20.0, 1.0), monday + 24.0 + 9.5);  // waits for the morning
  // Make-up Saturday 16:00 plus 3.5 h: 1.5 h then, 2 h on the make-up Sunday.
  EXPECT_EQ(cal.add_working_hours(at(spec, "2012-01-21", 16.0), 3.5), at(spec, "2012-01-29", 10.5));
  // A whole week of work from Friday noon lands on the next Friday noon.
  EXPECT_EQ(cal.add_working_hours(at(spec, "2012-01-06", 12.0), 37.5), at(spec, "2012-01-13", 12.0));
}

TEST(Calendar, ClosesAtEndsTheOpenPeriod) {
  const auto office = office_2012();
  const WorkCalendar cal(office, 24.0 * 120);
  EXPECT_EQ(cal.closes_at(at(office, "2012-01-02", 10.0)), at(office, "2012-01-02", 12.0));
  EXPECT_EQ(cal.closes_at(at(office, "2012-01-02", 12.0)), at(office, "2012-01-02", 17.5));  // lunch: next period
  EXPECT_EQ(cal.closes_at(at(office, "2012-01-21", 18.0)), at(office, "2012-01-29", 12.0));
  const auto nights = night_shifts();
  const WorkCalendar night(nights, 24.0 * 120);
  // Monday 23:00 runs on to Tuesday 06:00 (2012-01-09 is a Monday).
  EXPECT_EQ(night.closes_at(at(nights, "2012-01-09", 23.0)), at(nights, "2012-01-10", 0.0));
  // ...except that 2012-01-10 is a holiday, so it closes at midnight; a week later it runs on.
  EXPECT_EQ(night.closes_at(at(nights, "2012-01-16", 23.0)), at(nights, "2012-01-17", 6.0));
  // Friday from 09:15 to Saturday 02:00: three touching intervals, one period.
  EXPECT_EQ(night.closes_at(at(nights, "2012-01-20", 9.25)), at(nights, "2012-01-21", 2.0));
  // Sunday 20:00 runs through Monday 06:00.
  EXPECT_EQ(night.closes_at(at(nights, "2012-01-29", 21.0)), at(nights, "2012-01-30", 6.0));
}

TEST(Calendar, EndOfWorkingDaysAcrossWeekendAndHoliday) {
  const auto spec = office_2012();
  const WorkCalendar cal(spec, 24.0 * 120);
  // Accepted on a Friday: one working day is Monday, three is Wednesday.
  EXPECT_EQ(cal.end_of_working_days(at(spec, "2012-01-06", 10.0), 1), at(spec, "2012-01-09", 17.5));
  EXPECT_EQ(cal.end_of_working_days(at(spec, "2012-01-06", 10.0), 3), at(spec, "2012-01-11", 17.5));
  // Accepted on a Saturday: counting still starts with Monday.
  EXPECT_EQ(cal.end_of_working_days(at(spec, "2012-01-07", 10.0), 1), at(spec, "2012-01-09", 17.5));
  // Accepted Thursday before the festival: Fri 20, Sat 21 (make-up), Sun 29 (make-up).
  EXPECT_EQ(cal.end_of_working_days(at(spec, "2012-01-19", 16.0), 3), at(spec, "2012-01-29", 17.5));
  EXPECT_EQ(cal.end_of_working_days(at(spec, "2012-01-19", 16.0), 4), at(spec, "2012-01-30", 17.5));
  // Ten working days from late March: through Qingming, or (short table) the plain weeks.
  const WorkCalendar short_table(spec, 24.0 * 10);
  EXPECT_EQ(cal.end_of_working_days(at(spec, "2012-03-26", 9.0), 10), at(spec, "2012-04-10", 17.5));
  EXPECT_EQ(short_table.end_of_working_days(at(spec, "2012-03-26", 9.0), 10), at(spec, "2012-04-09", 17.5));
  // n = 0: today's close while today is still open for business, else the next working day's.
  EXPECT_EQ(cal.end_of_working_days(at(spec, "2012-01-09", 10.0), 0), at(spec, "2012-01-09", 17.5));
  EXPECT_EQ(cal.end_of_working_days(at(spec, "2012-01-09", 18.0), 0), at(spec, "2012-01-10", 17.5));
  EXPECT_EQ(cal.end_of_working_days(at(spec, "2012-01-21", 18.0), 0), at(spec, "2012-01-29", 17.5));
}

TEST(Calendar, NextSlotRunsOnWorkingDaysOnly) {
  const auto spec = office_2012();
  const WorkCalendar cal(spec, 24.0 * 120);
  const std::vector<double> runs{10.0, 15.0};
  const double monday = at(spec, "2012-01-09", 0.0);
  EXPECT_EQ(cal.next_slot(monday + 9.0, runs), monday + 10.0);
  EXPECT_EQ(cal.next_slot(monday + 10.0, runs), monday + 10.0);  // at the slot: this one
  EXPECT_EQ(cal.next_slot(monday + 10.0001, runs), monday + 15.0);
  EXPECT_EQ(cal.next_slot(monday + 16.0, runs), monday + 24.0 + 10.0);
  EXPECT_EQ(cal.next_slot(at(spec, "2012-01-13", 16.0), runs), at(spec, "2012-01-16", 10.0));  // Friday
  EXPECT_EQ(cal.next_slot(at(spec, "2012-01-21", 16.0), runs), at(spec, "2012-01-29", 10.0));  // festival
  EXPECT_EQ(cal.next_slot(at(spec, "2012-01-21", 12.5), runs), at(spec, "2012-01-21", 15.0));
  EXPECT_EQ(cal.next_slot(at(spec, "2013-01-04", 15.5), runs), at(spec, "2013-01-07", 10.0));  // past the table
  EXPECT_EQ(cal.next_slot(monday, std::vector<double>{}), kInf);
}

TEST(Calendar, AlwaysOpenIsIdentityLike) {
  const WorkCalendar cal = WorkCalendar::always_open();
  EXPECT_TRUE(cal.is_always_open());
  EXPECT_EQ(cal.working_hours_per_week(), 168.0);
  Draws draws(99);
  for (int i = 0; i < 1000; ++i) {
    const double t = draws.time(1e5), h = draws.time(500.0), b = t + draws.time(300.0);
    const int n = 1 + static_cast<int>(draws.uniform() * 30);
    EXPECT_TRUE(cal.is_open(t));
    EXPECT_EQ(cal.next_open(t), t);
    EXPECT_EQ(cal.add_working_hours(t, h), t + h);
    EXPECT_EQ(cal.working_hours_between(t, b), b - t);
    EXPECT_EQ(cal.end_of_working_days(t, n), 24.0 * (std::floor(t / 24.0) + n + 1));
    EXPECT_EQ(cal.closes_at(t), kInf);
    EXPECT_TRUE(cal.is_working_day(static_cast<std::int64_t>(t / 24)));
  }
  EXPECT_EQ(cal.next_slot(30.0, std::vector<double>{10.0}), 34.0);
  EXPECT_EQ(cal.next_slot(35.0, std::vector<double>{10.0}), 58.0);
}

TEST(Calendar, FarAndNonFiniteTimesAreSafe) {
  const WorkCalendar cal(office_2012(), 24.0 * 40);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(cal.working_hours_between(0.0, kInf), kInf);
  const double far = cal.working_hours_between(0.0, 2e12);
  EXPECT_TRUE(std::isfinite(far));
  EXPECT_NEAR(far / 2e12, 37.5 / 168.0, 1e-6);
  EXPECT_EQ(cal.next_open(kInf), kInf);
  EXPECT_EQ(cal.closes_at(kInf), kInf);
  EXPECT_EQ(cal.add_working_hours(0.0, kInf), kInf);
  EXPECT_EQ(cal.add_working_hours(10.0, -3.0), 10.0);  // negative work: nothing to do
  EXPECT_EQ(cal.end_of_working_days(kInf, 3), kInf);
  EXPECT_FALSE(cal.is_open(nan));
  EXPECT_EQ(cal.working_hours_between(nan, 10.0), 0.0);
  EXPECT_EQ(cal.next_slot(kInf, std::vector<double>{10.0}), kInf);
}

// --- invalid specs -----------------------------------------------------------

void expect_rejected(const WorkCalendar::Spec& spec, const std::string& words, double horizon = 240.0) {
  try {
    WorkCalendar cal(spec, horizon);
    ADD_FAILURE() << "accepted a spec that should say: " << words;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST(Calendar, InvalidSpecsThrowWithClearMessages) {
  const auto good = office_2012();
  EXPECT_NO_THROW(WorkCalendar(good, 240.0));

  auto reversed = good;
  reversed.week[1] = {Interval{12.0, 9.0}};
  expect_rejected(reversed, "Tuesday's interval [12, 9) is reversed");

  auto empty = good;
  empty.week[2] = {Interval{9.0, 9.0}};
  expect_rejected(empty, "Wednesday's interval [9, 9) is reversed or empty");

  auto overlapping = good;
  overlapping.week[0] = {Interval{8.0, 12.5}, Interval{12.0, 17.0}};
  expect_rejected(overlapping, "Monday's interval [12, 17) overlaps");

  auto unsorted = good;
  unsorted.week[4] = {Interval{13.0, 17.0}, Interval{8.0, 12.0}};
  expect_rejected(unsorted, "Friday's interval [8, 12) overlaps or precedes");

  auto outside = good;
  outside.week[6] = {Interval{20.0, 25.0}};
  expect_rejected(outside, "Sunday's interval [20, 25) lies outside the day");
  outside.week[6] = {Interval{-1.0, 2.0}};
  expect_rejected(outside, "lies outside the day");

  auto bad_makeup = good;
  bad_makeup.makeup_hours = {Interval{9.0, 8.0}};
  expect_rejected(bad_makeup, "make-up day interval [9, 8) is reversed");

  auto both = good;
  both.makeup_days.push_back(date("2012-01-25"));
  expect_rejected(both, "2012-01-25 is both a holiday and a make-up day");

  auto idle = good;
  for (auto& day : idle.week) day.clear();
  expect_rejected(idle, "no working time at all");

  auto bad_date = good;
  bad_date.holidays.push_back(Date{2012, 2, 30});
  expect_rejected(bad_date, "holiday 2012-2-30 is not a valid date");
  bad_date = good;
  bad_date.start = Date{2013, 2, 29};
  expect_rejected(bad_date, "start date 2013-2-29 is not a valid date");

  expect_rejected(good, "horizon", -1.0);
  expect_rejected(good, "horizon", std::numeric_limits<double>::quiet_NaN());
}

}  // namespace
