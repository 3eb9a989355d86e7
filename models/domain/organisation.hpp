// models/domain/organisation.hpp: the organisational graph of one scenario.
//
// Unit groups are expanded into unit members ("committee/17"); each member is
// one partition of the engine. Referral targets, parents and co-signers are
// resolved here, once, into plain index tables, so the request journey looks
// things up instead of searching. The same graph is kept as a Boost.Graph for
// `govsim describe` and for structural checks.
#pragma once

#include <boost/graph/adjacency_list.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "models/domain/scenario.hpp"
#include "sim/calendar.hpp"

namespace govsim {

inline constexpr std::uint32_t kNoUnit = 0xFFFFFFFFu;

/// One organisational unit (a member of a unit group).
struct Unit {
  std::string name;  ///< group/index, or the group name when count == 1
  std::uint32_t group = 0;
  std::uint32_t index_in_group = 0;
  std::uint32_t parent = kNoUnit;
  std::uint32_t area = kNoUnit;  ///< the community it belongs to (its committee's parent), for equity tables
  bool connected = false;        ///< on the data platform
  std::uint32_t council = kNoUnit;          ///< council overseeing residents homed here
  std::uint32_t party_committee = kNoUnit;  ///< party committee coordinating for residents homed here
};

struct EdgeInfo {
  enum Kind : std::uint8_t { hierarchy, referral, routing, cosign } kind = hierarchy;
  double probability = 1.0;
};

using OrgGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, boost::no_property, EdgeInfo>;

class Organisation {
 public:
  /// Expands the scenario's unit groups; throws InputError on a structural problem, ResourceLimitError when it is too big.
  explicit Organisation(const Scenario& scenario);
  /// It refers to the scenario it expands: a temporary one would be gone before it.
  explicit Organisation(const Scenario&& scenario) = delete;

  const Scenario& scenario() const noexcept { return *scenario_; }
  std::size_t size() const noexcept { return units_.size(); }
  const Unit& unit(std::uint32_t u) const noexcept { return units_[u]; }
  const UnitGroup& group_of(std::uint32_t u) const noexcept { return scenario_->units[units_[u].group]; }
  const std::vector<Unit>& units() const noexcept { return units_; }
  /// The members of group g: [first, first + count).
  std::uint32_t first_member(std::uint32_t g) const noexcept { return group_first_[g]; }
  std::uint32_t group_index(const std::string& name) const;

  /// Where unit u sends a request of type t it does not resolve (kNoUnit: nobody).
  std::uint32_t referral(std::uint32_t u, int type) const noexcept { return referral_[u * types_ + type]; }
  /// Service time at u for type t, or nullptr if u does not resolve t.
  const sim::Distribution* service(std::uint32_t u, int type) const noexcept {
    const int s = service_[u * types_ + type];
    return s < 0 ? nullptr : &services_[s];
  }
  /// Whether u's volunteers work apart from its staff, on the types they serve only.
  bool volunteers_apart(std::uint32_t u) const noexcept { return !scenario_->units[units_[u].group].volunteers_serve.empty(); }
  /// Whether u's volunteers (when apart) resolve type t.
  bool volunteers_serve(std::uint32_t u, int type) const noexcept {
    return volunteer_types_[std::size_t{units_[u].group} * static_cast<std::size_t>(types_) + static_cast<std::size_t>(type)];
  }
  /// The share of type-t cases that u resolves itself (1 unless `resolves_share` says less).
  double resolve_share(std::uint32_t u, int type) const noexcept {
    return resolve_share_[std::size_t{units_[u].group} * static_cast<std::size_t>(types_) + static_cast<std::size_t>(type)];
  }
  /// The member of group `target` that unit u deals with (ancestor, sibling-by-parent, or proportional).
  std::uint32_t resolve_target(std::uint32_t u, const std::string& target) const;
  /// Departments a misrouted request may land at instead of `intended`.
  const std::vector<std::uint32_t>& misroute_alternatives(std::uint32_t intended) const noexcept {
    return misroute_alternatives_[intended];
  }
  /// Co-signing units of type t for a request handled at u (resolved per unit, once, here).
  std::span<const std::uint32_t> cosigners(std::uint32_t u, int type) const noexcept {
    const std::size_t i = std::size_t{u} * static_cast<std::size_t>(types_) + static_cast<std::size_t>(type);
    return {cosigners_.data() + cosign_begin_[i], cosigners_.data() + cosign_begin_[i + 1]};
  }
  /// Onward routing after service at u: (target, cumulative probability).
  const std::vector<std::pair<std::uint32_t, double>>& routing(std::uint32_t u) const noexcept { return routing_[u]; }

  /// When unit u works (always open when its group has no calendar).
  const sim::WorkCalendar& calendar(std::uint32_t u) const noexcept { return calendars_[group_calendar_[units_[u].group]]; }
  /// The calendar's rules of unit u (overrun, document runs), or nullptr: always open, no runs.
  const CalendarSpec* calendar_spec(std::uint32_t u) const noexcept { return group_calendar_spec_[units_[u].group]; }
  /// The calendar working days are counted in (deadlines): `default`, else always open.
  const sim::WorkCalendar& deadline_calendar() const noexcept { return calendars_[default_calendar_]; }

  /// The smallest delay of any handoff between two different units (hours).
  double minimum_handoff_delay() const noexcept { return min_handoff_delay_; }
  const OrgGraph& graph() const noexcept { return graph_; }
  std::vector<std::string> tiers() const;  ///< distinct tiers, in order of first appearance

 private:
  // The constructor's steps, in the order it takes them (organisation.cpp).
  void expand_members(const Scenario& scenario);
  void link_parents(const Scenario& scenario);
  void connect_platform(const Scenario& scenario);
  void assign_areas(const Scenario& scenario);
  void build_service_and_referral_tables(const Scenario& scenario);
  void build_misroute_alternatives(const Scenario& scenario);
  void build_onward_routing(const Scenario& scenario);
  void resolve_cosigners(const Scenario& scenario);
  void lay_out_calendars(const Scenario& scenario);
  void find_minimum_handoff_delay(const Scenario& scenario);
  void build_graph();

  const Scenario* scenario_;
  int types_ = 0;
  std::vector<Unit> units_;
  std::vector<std::uint32_t> group_first_;
  /// Per group, its members as (parent, member), sorted: "the member whose parent is X" in log time.
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> members_by_parent_;
  std::vector<std::uint32_t> referral_;
  std::vector<int> service_;
  std::vector<sim::Distribution> services_;
  std::vector<double> resolve_share_;  ///< by (group, type)
  std::vector<bool> volunteer_types_;  ///< by (group, type)
  std::vector<std::vector<std::uint32_t>> misroute_alternatives_;
  std::vector<std::vector<std::pair<std::uint32_t, double>>> routing_;
  std::vector<std::uint32_t> cosign_begin_, cosigners_;  ///< by (unit, type): [begin[i], begin[i + 1]) in cosigners_
  double min_handoff_delay_ = 0.0;
  std::vector<sim::WorkCalendar> calendars_;  ///< [0] always open, then the scenario's, in order
  std::vector<std::uint32_t> group_calendar_;
  std::vector<const CalendarSpec*> group_calendar_spec_;
  std::uint32_t default_calendar_ = 0;
  OrgGraph graph_;
};

}  // namespace govsim
