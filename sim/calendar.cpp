// sim/calendar.cpp: the working-time calendar's tables and queries.
#include "sim/calendar.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace sim {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kDay = 24.0, kWeek = 168.0;
// Beyond this (about 10^8 years) day numbers stop being exact in a double and
// an int64; queries there answer +infinity rather than garbage.
constexpr double kFar = 0x1.0p40;
// Enough for a query near the horizon to see the next holiday run through.
constexpr std::int64_t kMarginDays = 28;
constexpr double kMaxHorizon = 200 * 366 * kDay;
constexpr const char* kWeekdayNames[7] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

int days_in_month(int year, int month) noexcept {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// The day containing t (t finite, |t| < kFar), exact at midnights even when
// t / 24 rounds across an integer.
std::int64_t day_of(double t) noexcept {
  auto d = static_cast<std::int64_t>(std::floor(t / kDay));
  if (kDay * static_cast<double>(d) > t) --d;
  else if (kDay * static_cast<double>(d + 1) <= t) ++d;
  return d;
}

std::string describe(double open, double close) {
  std::ostringstream out;
  out << '[' << open << ", " << close << ')';
  return out.str();
}

// Checks one day's intervals: each inside the day and not reversed, sorted and
// not overlapping (touching is fine).
void check_intervals(const std::vector<WorkCalendar::Interval>& day, const std::string& whose) {
  for (std::size_t i = 0; i < day.size(); ++i) {
    const auto& iv = day[i];
    const std::string what = "WorkCalendar: " + whose + " interval " + describe(iv.open_h, iv.close_h);
    if (!(iv.open_h >= 0.0 && iv.close_h <= kDay))
      throw std::invalid_argument(what + " lies outside the day (hours must be within [0, 24])");
    if (!(iv.open_h < iv.close_h))
      throw std::invalid_argument(what + " is reversed or empty (open must be before close)");
    if (i > 0 && iv.open_h < day[i - 1].close_h)
      throw std::invalid_argument(what + " overlaps or precedes the one before it, " +
                                  describe(day[i - 1].open_h, day[i - 1].close_h) + " (intervals must be sorted)");
  }
}

void check_date(Date date, const std::string& whose) {
  if (!is_valid_date(date))
    throw std::invalid_argument("WorkCalendar: " + whose + " " + std::to_string(date.year) + "-" +
                                std::to_string(date.month) + "-" + std::to_string(date.day) + " is not a valid date");
}

}  // namespace

bool is_valid_date(Date date) noexcept {
  return date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= days_in_month(date.year, date.month);
}

std::optional<Date> parse_date(std::string_view iso) noexcept {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  auto number = [&](std::size_t from, std::size_t count) -> int {
    int value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (iso[i] < '0' || iso[i] > '9') return -1;
      value = value * 10 + (iso[i] - '0');
    }
    return value;
  };
  const Date date{number(0, 4), number(5, 2), number(8, 2)};
  if (date.year < 0 || !is_valid_date(date)) return std::nullopt;
  return date;
}

std::string format_date(Date date) {
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", date.year, date.month, date.day);
  return text;
}

std::int64_t days_from_civil(Date date) noexcept {
  // Hinnant, "chrono-Compatible Low-Level Date Algorithms": eras of 400 years
  // starting on March 1st, so the leap day is the last day of a year.
  const std::int64_t y = std::int64_t{date.year} - (date.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;                                                            // [0, 399]
  const std::int64_t doy = (153 * (date.month + (date.month > 2 ? -3 : 9)) + 2) / 5 + date.day - 1;  // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                                    // [0, 146096]
  return era * 146097 + doe - 719468;
}

int weekday(Date date) noexcept {
  // 1970-01-01 was a Thursday (3 with Monday = 0).
  return static_cast<int>(((days_from_civil(date) + 3) % 7 + 7) % 7);
}

// --- construction ------------------------------------------------------------

WorkCalendar WorkCalendar::always_open() {
  Spec spec;
  for (auto& day : spec.week) day = {Interval{0.0, kDay}};
  WorkCalendar calendar(spec, 0.0);
  calendar.always_open_ = true;
  return calendar;
}

WorkCalendar::WorkCalendar(const Spec& spec, double horizon_h) {
  check_date(spec.start, "start date");
  if (!(horizon_h >= 0.0 && horizon_h <= kMaxHorizon))
    throw std::invalid_argument("WorkCalendar: horizon " + std::to_string(horizon_h) +
                                " h must be within [0, 200 years]");
  for (int w = 0; w < 7; ++w) check_intervals(spec.week[w], std::string(kWeekdayNames[w]) + "'s");
  check_intervals(spec.makeup_hours, "make-up day");

  // The weekly pattern, from Monday 00:00.
  for (int w = 0; w < 7; ++w) {
    week_rank_[w + 1] = week_rank_[w];
    for (const auto& iv : spec.week[w]) {
      week_open_.push_back(kDay * w + iv.open_h);
      week_close_.push_back(kDay * w + iv.close_h);
    }
    week_working_[w] = !spec.week[w].empty();
    if (week_working_[w]) {
      week_day_close_[w] = spec.week[w].back().close_h;
      week_working_days_.push_back(w);
      ++week_rank_[w + 1];
    }
  }
  if (week_open_.empty())
    throw std::invalid_argument("WorkCalendar: the week has no working time at all (every weekday is empty)");
  const std::size_t week_count = week_open_.size();
  week_cum_.assign(week_count + 1, 0.0);
  for (std::size_t r = 0; r < week_count; ++r) week_cum_[r + 1] = week_cum_[r] + (week_close_[r] - week_open_[r]);
  week_hours_ = week_cum_[week_count];

  // Run ends within the week, then across the week's end when Sunday runs to
  // midnight and Monday opens at 00:00 (a week open throughout never closes).
  week_run_end_.assign(week_count, 0.0);
  for (std::size_t r = week_count; r-- > 0;)
    week_run_end_[r] =
        r + 1 < week_count && week_close_[r] == week_open_[r + 1] ? week_run_end_[r + 1] : week_close_[r];
  if (week_close_.back() == kWeek && week_open_.front() == 0.0) {
    const double wrapped = week_run_end_.front() == kWeek ? kInf : kWeek + week_run_end_.front();
    for (std::size_t r = 0; r < week_count; ++r)
      if (week_run_end_[r] == kWeek) week_run_end_[r] = wrapped;
  }

  // Holidays and make-up days, as day numbers since the start.
  const std::int64_t start_day = days_from_civil(spec.start);
  auto day_numbers = [&](const std::vector<Date>& dates, const char* whose) {
    std::vector<std::int64_t> days;
    for (const Date& date : dates) {
      check_date(date, whose);
      days.push_back(days_from_civil(date) - start_day);
    }
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    return days;
  };
  const auto holidays = day_numbers(spec.holidays, "holiday");
  const auto makeups = day_numbers(spec.makeup_days, "make-up day");
  // A date cannot be both closed and a make-up working day: say which one.
  std::vector<Date> closed = spec.holidays, extra = spec.makeup_days;
  std::sort(closed.begin(), closed.end());
  std::sort(extra.begin(), extra.end());
  std::vector<Date> both;
  std::set_intersection(closed.begin(), closed.end(), extra.begin(), extra.end(), std::back_inserter(both));
  if (!both.empty())
    throw std::invalid_argument("WorkCalendar: " + format_date(both.front()) + " is both a holiday and a make-up day");
  const auto& makeup_hours = spec.makeup_hours.empty() ? spec.week[0] : spec.makeup_hours;

  // The table covers the horizon plus the margin and ends on a Monday
  // midnight, so the weekly pattern takes over at a week boundary.
  const int first_weekday = weekday(spec.start);
  const std::int64_t first_monday = (7 - first_weekday) % 7;
  std::int64_t days = static_cast<std::int64_t>(std::ceil(horizon_h / kDay)) + kMarginDays;
  days += ((first_monday - days) % 7 + 7) % 7;
  table_days_ = days;
  table_end_ = kDay * static_cast<double>(days);

  day_first_.resize(days + 1);
  day_rank_.resize(days + 1);
  day_close_.assign(days, 0.0);
  cum_.push_back(0.0);
  for (std::int64_t d = 0; d < days; ++d) {
    day_first_[d] = static_cast<std::int32_t>(open_.size());
    day_rank_[d] = static_cast<std::int32_t>(working_days_.size());
    const std::vector<Interval>* hours = &spec.week[(first_weekday + d) % 7];
    if (std::binary_search(holidays.begin(), holidays.end(), d)) hours = nullptr;
    else if (std::binary_search(makeups.begin(), makeups.end(), d)) hours = &makeup_hours;
    if (hours == nullptr || hours->empty()) continue;
    for (const auto& iv : *hours) {
      open_.push_back(kDay * static_cast<double>(d) + iv.open_h);
      close_.push_back(kDay * static_cast<double>(d) + iv.close_h);
      cum_.push_back(cum_.back() + (iv.close_h - iv.open_h));
    }
    day_close_[d] = hours->back().close_h;
    working_days_.push_back(static_cast<std::int32_t>(d));
  }
  day_first_[days] = static_cast<std::int32_t>(open_.size());
  day_rank_[days] = static_cast<std::int32_t>(working_days_.size());

  // Run ends, backwards, continuing into the weekly pattern at the table's end.
  run_end_.assign(open_.size(), 0.0);
  for (std::size_t k = open_.size(); k-- > 0;) {
    const bool last = k + 1 == open_.size();
    const double next_open = last ? table_end_ + week_open_.front() : open_[k + 1];
    const double next_run_end = last ? table_end_ + week_run_end_.front() : run_end_[k + 1];
    run_end_[k] = close_[k] == next_open ? next_run_end : close_[k];
  }
}

// --- interval access ---------------------------------------------------------

double WorkCalendar::open_of(std::int64_t k) const noexcept {
  const auto table = static_cast<std::int64_t>(open_.size());
  if (k < table) return open_[k];
  const auto per_week = static_cast<std::int64_t>(week_open_.size());
  const std::int64_t j = k - table;
  return table_end_ + kWeek * static_cast<double>(j / per_week) + week_open_[j % per_week];
}

double WorkCalendar::close_of(std::int64_t k) const noexcept {
  const auto table = static_cast<std::int64_t>(open_.size());
  if (k < table) return close_[k];
  const auto per_week = static_cast<std::int64_t>(week_open_.size());
  const std::int64_t j = k - table;
  return table_end_ + kWeek * static_cast<double>(j / per_week) + week_close_[j % per_week];
}

double WorkCalendar::cum_of(std::int64_t k) const noexcept {
  const auto table = static_cast<std::int64_t>(open_.size());
  if (k < table) return cum_[k];
  const auto per_week = static_cast<std::int64_t>(week_open_.size());
  const std::int64_t j = k - table;
  return cum_[table] + week_hours_ * static_cast<double>(j / per_week) + week_cum_[j % per_week];
}

double WorkCalendar::run_end_of(std::int64_t k) const noexcept {
  const auto table = static_cast<std::int64_t>(open_.size());
  if (k < table) return run_end_[k];
  const auto per_week = static_cast<std::int64_t>(week_open_.size());
  const std::int64_t j = k - table;
  return table_end_ + kWeek * static_cast<double>(j / per_week) + week_run_end_[j % per_week];
}

std::int64_t WorkCalendar::locate(double t) const noexcept {
  if (t < table_end_) {
    const std::int64_t d = day_of(t);
    std::int64_t k = day_first_[d];
    // A day holds a few intervals; past the last, the next day's first (or
    // the weekly pattern's first) is the answer.
    while (k < day_first_[d + 1] && close_[k] <= t) ++k;
    return k;
  }
  // The weekly pattern: t - table_end_ and the week's start are exact.
  const double x = t - table_end_;
  auto week = static_cast<std::int64_t>(std::floor(x / kWeek));
  if (kWeek * static_cast<double>(week) > x) --week;
  else if (kWeek * static_cast<double>(week + 1) <= x) ++week;
  const double phase = x - kWeek * static_cast<double>(week);
  const auto per_week = static_cast<std::int64_t>(week_open_.size());
  const auto r =
      static_cast<std::int64_t>(std::upper_bound(week_close_.begin(), week_close_.end(), phase) - week_close_.begin());
  return static_cast<std::int64_t>(open_.size()) + week * per_week + r;
}

double WorkCalendar::hours_before(double t) const noexcept {
  if (!(t > 0.0)) return 0.0;
  if (!(t < kFar)) {
    // Past exact day numbers: the weekly average, so the answer still grows.
    const double edge = kFar - kWeek;
    return hours_before(edge) + (t - edge) * (week_hours_ / kWeek);
  }
  const std::int64_t k = locate(t);
  const double open = open_of(k);
  return cum_of(k) + (t > open ? t - open : 0.0);
}

double WorkCalendar::time_at_cum(double c) const noexcept {
  const double table_total = cum_.back();
  if (c <= table_total) {
    // The first interval whose end has at least c hours before it.
    const auto m = std::lower_bound(cum_.begin() + 1, cum_.end(), c) - cum_.begin();
    const auto j = m - 1;
    return std::min(open_[j] + (c - cum_[j]), close_[j]);
  }
  const double past = c - table_total;
  auto week = static_cast<std::int64_t>(std::floor(past / week_hours_));
  double rest = past - week_hours_ * static_cast<double>(week);
  if (rest > week_hours_) {
    ++week;
    rest -= week_hours_;
  } else if (rest <= 0.0) {
    --week;  // earliest: the close of the previous week's last interval
    rest += week_hours_;
  }
  const auto m = std::lower_bound(week_cum_.begin() + 1, week_cum_.end(), rest) - week_cum_.begin();
  const auto r = std::min<std::ptrdiff_t>(m, static_cast<std::ptrdiff_t>(week_open_.size())) - 1;
  const double base = table_end_ + kWeek * static_cast<double>(week);
  return base + std::min(week_open_[r] + (rest - week_cum_[r]), week_close_[r]);
}

// --- working days ------------------------------------------------------------

bool WorkCalendar::working_day(std::int64_t day) const noexcept {
  if (day < table_days_) return day_first_[day] < day_first_[day + 1];
  return week_working_[(day - table_days_) % 7];
}

double WorkCalendar::day_close_h(std::int64_t day) const noexcept {
  if (day < table_days_) return day_close_[day];
  return week_day_close_[(day - table_days_) % 7];
}

std::int64_t WorkCalendar::working_rank(std::int64_t day) const noexcept {
  if (day <= 0) return 0;
  if (day <= table_days_) return day_rank_[day];
  const std::int64_t past = day - table_days_;
  return day_rank_[table_days_] + week_rank_[7] * (past / 7) + week_rank_[past % 7];
}

std::int64_t WorkCalendar::working_day_of_rank(std::int64_t rank) const noexcept {
  if (rank < static_cast<std::int64_t>(working_days_.size())) return working_days_[rank];
  const std::int64_t past = rank - static_cast<std::int64_t>(working_days_.size());
  const std::int64_t per_week = week_rank_[7];
  return table_days_ + 7 * (past / per_week) + week_working_days_[past % per_week];
}

bool WorkCalendar::is_working_day(std::int64_t day_index) const noexcept {
  if (always_open_) return true;
  if (day_index < 0) return false;
  return working_day(day_index);
}

// --- queries -----------------------------------------------------------------

bool WorkCalendar::is_open(double t) const noexcept {
  if (always_open_) return true;
  if (!(t >= 0.0 && t < kFar)) return false;
  const std::int64_t k = locate(t);
  return open_of(k) <= t && t < close_of(k);
}

double WorkCalendar::next_open(double t) const noexcept {
  if (always_open_) return t;
  if (!(t < kFar)) return kInf;
  const double from = std::max(t, 0.0);
  return std::max(from, open_of(locate(from)));
}

double WorkCalendar::closes_at(double t) const noexcept {
  if (always_open_) return kInf;
  if (!(t < kFar)) return kInf;
  return std::max(t, run_end_of(locate(std::max(t, 0.0))));
}

double WorkCalendar::working_hours_between(double a, double b) const noexcept {
  if (!(b > a)) return 0.0;
  if (always_open_) return b - a;
  a = std::max(a, 0.0);
  if (!(b > a)) return 0.0;
  if (b < kFar) {
    // Both in (or before) the same interval: a plain difference, exact.
    const std::int64_t k = locate(a);
    if (b <= close_of(k)) {
      const double from = std::max(a, open_of(k));
      return b > from ? b - from : 0.0;
    }
  }
  return std::max(0.0, hours_before(b) - hours_before(a));
}

double WorkCalendar::add_working_hours(double t, double h) const noexcept {
  if (!(h > 0.0)) return t;
  if (always_open_) return t + h;
  if (!(t < kFar)) return kInf;
  const double from = std::max(t, 0.0);
  const std::int64_t k = locate(from);
  const double open = open_of(k);
  const double start = std::max(from, open);
  // Finishing within the current (or next) interval: exact.
  if (start + h <= close_of(k)) return start + h;
  const double target = cum_of(k) + (start - open) + h;
  if (!(target < kFar)) return kInf;
  return std::max(t, time_at_cum(target));
}

double WorkCalendar::end_of_working_days(double t, int n) const noexcept {
  if (always_open_) {
    if (!(t < kFar)) return kInf;
    return std::max(t, kDay * static_cast<double>(day_of(std::max(t, -kFar)) + std::max(n, 0) + 1));
  }
  if (!(t < kFar)) return kInf;
  const std::int64_t today = t < 0.0 ? -1 : day_of(t);
  if (n <= 0) {
    if (today >= 0 && working_day(today)) {
      const double close = kDay * static_cast<double>(today) + day_close_h(today);
      if (t < close) return close;
    }
    n = 1;
  }
  const std::int64_t day = working_day_of_rank(working_rank(today + 1) + n - 1);
  return std::max(t, kDay * static_cast<double>(day) + day_close_h(day));
}

double WorkCalendar::next_slot(double t, std::span<const double> times_of_day) const noexcept {
  if (times_of_day.empty() || !(t < kFar)) return kInf;
  std::int64_t day = always_open_ ? day_of(std::max(t, -kFar)) : day_of(std::max(t, 0.0));
  if (always_open_ || working_day(day)) {
    const double base = kDay * static_cast<double>(day);
    const auto it =
        std::partition_point(times_of_day.begin(), times_of_day.end(), [&](double x) { return base + x < t; });
    if (it != times_of_day.end()) return base + *it;
  }
  day = always_open_ ? day + 1 : working_day_of_rank(working_rank(day + 1));
  return std::max(t, kDay * static_cast<double>(day) + times_of_day.front());
}

}  // namespace sim
