// models/domain/scenario.hpp: the validated, immutable description of a scenario.
//
// Flow: YAML file(s) -> (scenario_loader) -> Scenario (this file, never
// mutated while running) -> Organisation/Population (built per run) ->
// simulation state -> results. Times are in hours throughout; rates are per
// resident per hour after loading (files may give them per year).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/domain/input_error.hpp"
#include "models/domain/uncertain_parameter.hpp"
#include "sim/distribution.hpp"

namespace govsim {

enum class UnitKind : std::uint8_t {
  residents_committee,
  subdistrict_office,
  service_centre,
  department,
  council,
  party_committee,
  ngo,
  station,  ///< a plain queueing station (textbook networks)
};
/// Every unit kind with the name scenario files give it, in enum order: the one list of them.
inline constexpr std::pair<UnitKind, const char*> kUnitKinds[] = {
    {UnitKind::residents_committee, "residents_committee"}, {UnitKind::subdistrict_office, "subdistrict_office"},
    {UnitKind::service_centre, "service_centre"},           {UnitKind::department, "department"},
    {UnitKind::council, "council"},                         {UnitKind::party_committee, "party_committee"},
    {UnitKind::ngo, "ngo"},                                 {UnitKind::station, "station"}};
const char* to_string(UnitKind kind) noexcept;
/// The kind a scenario file names, if it names one.
std::optional<UnitKind> unit_kind_named(std::string_view name) noexcept;
/// Every kind's name, in enum order (the choices of a unit group's `kind`).
std::vector<std::string> unit_kind_names();

struct RequestType {
  std::string name;
  double deadline_h = 0.0;  ///< the resident-facing deadline (from the report), in hours
  /// Or a promised time limit (承诺时限) in working days of the scenario's
  /// `default` calendar, counted from the day after the report (0: use deadline_h).
  int deadline_working_days = 0;
  int urgency = 0;          ///< 0 (routine) .. 3 (urgent): served first within a unit
  /// Units (group names) that must co-sign after the resolving department.
  std::vector<std::string> cosign;
};

struct Route {
  std::string to;  ///< unit group name
  double probability = 0.0;
};

/// Oversight by a residents' council of the requests of its area's residents.
struct Oversight {
  double review_interval_h = 168.0;  ///< the council meets this often
  double overdue_share = 1.0;        ///< a case is overdue once older than share x deadline
  bool arbitrate_bounced = true;     ///< overdue cases that bounced go straight to the right unit
};

/// Working time: when a unit's staff serve, triage and hand off. Reports (a
/// hotline, online intake) arrive at any hour and wait for working time.
struct CalendarSpec {
  std::string name;
  /// Opening intervals (hour of day, [open, close)) by weekday, Monday first.
  std::array<std::vector<std::pair<double, double>>, 7> week;
  std::vector<std::string> holidays;     ///< ISO dates closed all day
  std::vector<std::string> makeup_days;  ///< ISO dates worked (调休) with Monday's hours
  /// A service still running at closing time: finished in overtime (recorded)
  /// when it overruns by at most `overtime_limit_h`, else paused and resumed at
  /// the next opening; `pause` always pauses.
  enum class Overrun : std::uint8_t { finish, pause } overrun = Overrun::finish;
  double overtime_limit_h = 0.5;
  /// Paper handoffs leave with the document run at these hours of working days
  /// (empty: as soon as they are ready).
  std::vector<double> dispatch_h;
  int line = 0, column = 0;
  std::string file;
};

/// Purchase of services (转让、购买): an NGO's staff-hours are bought from a
/// department's budget, whose own paid staff fall by as many places.
struct Contract {
  std::string from;              ///< the department group that pays for it
  double oversight_share = 0.1;  ///< department hours spent overseeing, per contract hour
};

/// A group of identical units: `count` members named name/0, name/1, ...
struct UnitGroup {
  std::string name;
  UnitKind kind = UnitKind::station;
  std::string tier;
  int count = 1;
  std::string parent;  ///< group name, empty for none
  int staff = 1;        ///< paid places (servers), per member
  int volunteers = 0;   ///< unpaid places (patrols, council members), per member: serve, cost nothing
  /// Request types the volunteers resolve, apart from the staff (e.g. joint
  /// patrols take public-order cases); empty: volunteers are extra places for any work.
  std::vector<std::string> volunteers_serve;
  std::string calendar; ///< working time: a calendar name (empty: the scenario's `default`, else always open)
  double admin_hours_per_year = 0.0;     ///< administrative work from above, hours per member per year (行政化)
  double economic_hours_per_year = 0.0;  ///< work for economic targets, hours per member per year (错位)
  sim::Distribution admin_task_h = sim::Distribution::exponential(2.0);
  std::map<std::string, sim::Distribution> resolves;  ///< request type -> service time
  /// Request type -> share of its cases resolved here (the rest referred on);
  /// types absent resolve every case. E.g. minor public-order cases handled by
  /// a committee's public-order workstation (一居两站).
  std::map<std::string, double> resolves_share;
  std::optional<Contract> contract;  ///< NGOs: staff bought from a department
  std::map<std::string, std::string> refers;          ///< request type or "default" -> group / "parent"
  std::vector<Route> routing;                         ///< after service: onward with probability
  double misroute_probability = 0.0;
  double refusal_probability = 0.0;  ///< a correctly routed case returned as "not ours"
  double quality = 1.0;              ///< probability a resolution holds (else reworked)
  sim::Distribution triage_h = sim::Distribution::deterministic(0.25);
  std::optional<sim::Distribution> transfer_delay_h;  ///< handoffs sent from here (else the default)
  double travel_h = 0.5;             ///< residents' travel to report in person
  std::optional<bool> connected;     ///< on the data platform (else by platform coverage)
  double cost_per_staff_hour = 30.0;  ///< pay and on-costs per paid staff-hour (yuan), or an NGO's contract price
  std::optional<Oversight> oversight;  ///< councils
  bool joint_handling = false;         ///< party committees: co-signs run jointly, in parallel
  sim::Distribution coordination_delay_h = sim::Distribution::deterministic(24.0);
  int line = 0, column = 0;            ///< where it was defined (for messages)
  std::string file;
};

struct ResidentGroup {
  std::string name;
  double share = 1.0;
  double digital_access = 0.0;  ///< share who can use the online channel
  double willingness = 1.0;     ///< initial probability of reporting a need
  std::optional<sim::Distribution> patience_h;  ///< none: never abandons
  sim::Distribution reporting_delay_h = sim::Distribution::deterministic(0.0);
  std::map<std::string, double> need_rates;  ///< per resident per hour
};

struct Population {
  std::string name;
  std::string at;  ///< the unit group residents are attached to (their home unit)
  int residents_per_unit = 1;
  std::vector<ResidentGroup> groups;
  std::map<std::string, std::string> first_contact;  ///< type or "default" -> "home" | "parent" | group
  int neighbours = 0;             ///< social graph degree (even)
  double long_link_share = 0.0;   ///< share of ties to residents of other units
};

struct Behaviour {
  bool reporting = false;    ///< willingness thins reported needs
  bool abandonment = false;  ///< residents give up after their patience
  bool trust = false;        ///< experiences change willingness and spread on the social graph
  double bad_experience_drop = 0.15;
  double good_experience_gain = 0.05;
  double spread_weight = 0.3;
  double slow_share = 1.0;  ///< resolved later than share x deadline counts as a bad experience
  sim::Distribution word_of_mouth_delay_h = sim::Distribution::exponential(48.0).shifted(1.0);
  sim::Distribution feedback_delay_h = sim::Distribution::deterministic(1.0);
};

struct Platform {
  double coverage = 0.0;            ///< share of units connected
  double misroute_reduction = 0.0;  ///< connected senders misroute this much less
  bool parallel_signoffs = true;    ///< co-signs between connected units run in parallel
  double online_delay_h = 0.1;      ///< first contact online
  /// A handoff between two connected units: sent electronically and picked
  /// up at the receiver's next check of its platform worklist.
  double handoff_h = 1.0;
};

struct Handoffs {
  /// Carrying a paper handoff after it leaves (with the sender's next
  /// document run, when its calendar has one).
  sim::Distribution transfer_delay_h = sim::Distribution::deterministic(4.0);
  sim::Distribution redocumentation_h = sim::Distribution::deterministic(0.0);
  double loss_probability = 0.0;  ///< a paper handoff that never arrives
  int arbitration_after_bounces = 3;
  sim::Distribution arbitration_delay_h = sim::Distribution::deterministic(48.0);
  int max_reworks = 2;
};

struct SimulationSettings {
  double horizon_h = 8760.0;
  double warmup_h = 0.0;
  int replications = 1;
  std::uint64_t seed = 1;
  double sample_interval_h = 24.0;
  std::string start_date = "2012-01-02";  ///< t = 0 is midnight starting this day (calendars)
};

struct Scenario {
  std::string name;
  std::string description;
  std::string path;          ///< the file it was loaded from
  std::string content_hash;  ///< hash of the merged, overridden document
  std::vector<std::string> files;  ///< the extends chain, base last
  SimulationSettings simulation;
  std::vector<RequestType> request_types;
  std::vector<UnitGroup> units;
  std::vector<CalendarSpec> calendars;
  std::vector<Population> populations;
  Behaviour behaviour;
  Platform platform;
  Handoffs handoffs;
  std::vector<UncertainParameter> uncertain;  ///< `uncertain:` declarations (read by models/app/input/uncertain.cpp)

  int request_type_index(const std::string& name) const;  ///< -1 if absent
  const UnitGroup* unit_group(const std::string& name) const;
  const CalendarSpec* calendar(const std::string& name) const;  ///< nullptr if absent
  /// The calendar a group works by (its own, else `default`), or nullptr: always open.
  const CalendarSpec* calendar_of(const UnitGroup& g) const;
};

}  // namespace govsim
