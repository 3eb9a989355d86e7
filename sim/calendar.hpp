// sim/calendar.hpp: a working-time calendar (office hours, weekends,
// holidays and make-up working days) on the engine's time axis.
//
// Time axis: double hours since the start; t = 0 is midnight at the start of
// `Spec::start`. Day i covers [24 i, 24 i + 24). The calendar is open on
// half-open intervals [open, close). There is no time before the start: a
// general calendar is closed at every t < 0 (always_open() is open at every t).
//
// Why tables: these queries sit on hot paths (every service start, every
// deadline), tens of millions of times per run. The constructor lays the
// working intervals of every day up to the horizon (plus a margin of at least
// four weeks, rounded up to a Monday) end to end in one sorted array with
// cumulative working hours, and per-day tables of working-day ranks. A query
// is then a division to find the day, a step over that day's few intervals,
// and at most one binary search: no loop over days, so a nine-day holiday run
// costs nothing. Beyond the table (`table_end_h()`) the plain weekly pattern
// repeats, with no holidays or make-up days, answered in closed form from a
// one-week table. A week with no working time is rejected, so every query has
// an answer; only t beyond ~10^12 h or NaN gives +infinity.
//
// Semantics worth knowing:
//  - Intervals are per day; one ending at 24:00 and the next day's starting at
//    00:00 (a night shift) touch. `closes_at` treats touching intervals as one
//    open period, so it is the first moment the office is really closed.
//  - add_working_hours pauses while closed and resumes at the next opening; it
//    returns the *earliest* such time, so finishing exactly at a closing time
//    returns the closing time, not the next opening.
//  - end_of_working_days counts whole working days strictly after the day that
//    contains t (a promised time limit of n working days counted from the day
//    after acceptance) and returns that day's closing time (its last interval's
//    end, 24:00 for a day that is open to midnight). n <= 0 means "today": the
//    closing time of t's day if it is a working day not yet closed at t, else
//    of the next working day.
//  - next_slot looks only at working days (a day with any working time), not
//    at the hours: a 15:00 document run happens on a working day even if that
//    day's office closed at 12:00.
//  - Make-up days work `makeup_hours` (Monday's hours when empty), whatever
//    weekday they fall on. Holidays and make-up days beyond the table are
//    ignored (the weekly pattern applies there).
//  - Results are exact when the inputs and the interval bounds are exactly
//    representable (whole, half, quarter hours...): a query inside one
//    interval returns t + h, never a value rebuilt from cumulative sums. No
//    query returns a time before its t.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

/// A proleptic Gregorian calendar date.
struct Date {
  int year = 1970, month = 1, day = 1;
  friend auto operator<=>(const Date&, const Date&) = default;  // NOLINT(modernize-use-nullptr): clang-tidy 14 bug
};

/// True for a real calendar date (2012-02-29 yes, 2013-02-29 no).
bool is_valid_date(Date date) noexcept;
/// Strictly "YYYY-MM-DD" naming a valid date; anything else is nullopt.
std::optional<Date> parse_date(std::string_view iso) noexcept;
/// "YYYY-MM-DD" (for messages).
std::string format_date(Date date);
/// Days since 1970-01-01 (Howard Hinnant's days_from_civil); negative before.
std::int64_t days_from_civil(Date date) noexcept;
/// 0 = Monday .. 6 = Sunday.
int weekday(Date date) noexcept;

class WorkCalendar {
 public:
  /// Hours of the day, 0 <= open_h < close_h <= 24.
  struct Interval {
    double open_h = 0.0, close_h = 24.0;
  };
  struct Spec {
    Date start;                                 ///< day 0 of the time axis
    std::array<std::vector<Interval>, 7> week;  ///< by weekday, Monday first; sorted, non-overlapping
    std::vector<Date> holidays;                 ///< closed all day
    std::vector<Date> makeup_days;              ///< working days with `makeup_hours` (e.g. a Sunday)
    std::vector<Interval> makeup_hours;         ///< empty: Monday's hours
  };

  /// Open 24 hours a day, every day: every query is one branch on a flag.
  static WorkCalendar always_open();

  /// Throws std::invalid_argument, naming the culprit, for an invalid date, an
  /// interval that is reversed, outside [0, 24] or overlapping its
  /// predecessor, a date that is both a holiday and a make-up day, a week with
  /// no working time, or a horizon that is negative or beyond 200 years.
  WorkCalendar(const Spec& spec, double horizon_h);

  bool is_always_open() const noexcept { return always_open_; }
  /// Holidays and make-up days apply before this time, the weekly pattern after.
  double table_end_h() const noexcept { return table_end_; }
  double working_hours_per_week() const noexcept { return week_hours_; }

  bool is_open(double t) const noexcept;
  /// The earliest s >= t at which it is open (t itself when open).
  double next_open(double t) const noexcept;
  /// The end of the open period containing t, or of the next one when closed
  /// at t (touching intervals count as one period); +infinity when always open.
  double closes_at(double t) const noexcept;
  /// Open time in [a, b); 0 when b <= a.
  double working_hours_between(double a, double b) const noexcept;
  /// The earliest s >= t with working_hours_between(t, s) == h: work of h
  /// hours started at t, paused while closed. h <= 0 gives t.
  double add_working_hours(double t, double h) const noexcept;
  /// The closing time of the n-th working day strictly after the day of t.
  double end_of_working_days(double t, int n) const noexcept;
  /// The earliest s >= t on a working day whose time of day is one of
  /// `times_of_day` (sorted, each in [0, 24)); +infinity when it is empty.
  double next_slot(double t, std::span<const double> times_of_day) const noexcept;
  /// Day 0 is the start date; no day before it is a working day (except
  /// when always open).
  bool is_working_day(std::int64_t day_index) const noexcept;

 private:
  WorkCalendar() = default;

  // Index k < K names table interval k; k >= K names interval (k - K) % R of
  // week (k - K) / R after table_end_ (a Monday midnight).
  double open_of(std::int64_t k) const noexcept;
  double close_of(std::int64_t k) const noexcept;
  double cum_of(std::int64_t k) const noexcept;  // working hours in [0, open_of(k))
  double run_end_of(std::int64_t k) const noexcept;
  std::int64_t locate(double t) const noexcept;                // first interval with close > t (t >= 0)
  double hours_before(double t) const noexcept;                // working hours in [0, t)
  double time_at_cum(double c) const noexcept;                 // earliest s with hours_before(s) == c (c > 0)
  std::int64_t working_rank(std::int64_t day) const noexcept;  // working days in [0, day)
  std::int64_t working_day_of_rank(std::int64_t rank) const noexcept;
  bool working_day(std::int64_t day) const noexcept;  // day >= 0
  double day_close_h(std::int64_t day) const noexcept;

  bool always_open_ = false;
  double week_hours_ = 0.0;
  double table_end_ = 0.0;  // 24 * table_days_
  std::int64_t table_days_ = 0;

  // The table: intervals of days [0, table_days_), end to end.
  std::vector<double> open_, close_, run_end_;
  std::vector<double> cum_;              // size K + 1: working hours before interval k; cum_[K] is the table total
  std::vector<std::int32_t> day_first_;  // size days + 1: first interval of each day
  std::vector<std::int32_t> day_rank_;   // size days + 1: working days before each day
  std::vector<std::int32_t> working_days_;
  std::vector<double> day_close_;  // hour of day of the last close; 0 when closed

  // The weekly pattern, hours since Monday 00:00.
  std::vector<double> week_open_, week_close_, week_run_end_;
  std::vector<double> week_cum_;  // size R + 1
  std::array<bool, 7> week_working_{};
  std::array<double, 7> week_day_close_{};
  std::array<int, 8> week_rank_{};  // working weekdays before each weekday
  std::vector<int> week_working_days_;
};

}  // namespace sim
