// models/domain/organisation.cpp: expanding unit groups into the organisational graph.
#include "models/domain/organisation.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/random.hpp"

namespace govsim {

std::uint32_t Organisation::group_index(const std::string& name) const {
  for (std::size_t g = 0; g < scenario_->units.size(); ++g)
    if (scenario_->units[g].name == name) return static_cast<std::uint32_t>(g);
  return kNoUnit;
}

Organisation::Organisation(const Scenario& scenario) : scenario_(&scenario) {
  types_ = static_cast<int>(scenario.request_types.size());
  std::size_t total = 0;
  for (const auto& g : scenario.units) total += static_cast<std::size_t>(g.count);
  if (total > 5'000'000)
    throw ResourceLimitError(scenario.path, 0, 0, "the scenario expands to " + std::to_string(total) + " units (limit 5,000,000)");
  expand_members(scenario);
  link_parents(scenario);
  connect_platform(scenario);
  assign_areas(scenario);
  build_service_and_referral_tables(scenario);
  build_misroute_alternatives(scenario);
  build_onward_routing(scenario);
  resolve_cosigners(scenario);
  lay_out_calendars(scenario);
  find_minimum_handoff_delay(scenario);
  build_graph();
}

void Organisation::expand_members(const Scenario& scenario) {
  const auto& groups = scenario.units;
  // Members, named and numbered.
  for (std::uint32_t g = 0; g < groups.size(); ++g) {
    group_first_.push_back(static_cast<std::uint32_t>(units_.size()));
    for (int i = 0; i < groups[g].count; ++i) {
      Unit u;
      u.group = g;
      u.index_in_group = static_cast<std::uint32_t>(i);
      u.name = groups[g].count == 1 ? groups[g].name : groups[g].name + "/" + std::to_string(i);
      units_.push_back(std::move(u));
    }
  }
}

void Organisation::link_parents(const Scenario& scenario) {
  const auto& groups = scenario.units;
  // Parents: child i of N maps to parent member floor(i * P / N).
  for (auto& u : units_) {
    const UnitGroup& g = groups[u.group];
    if (g.parent.empty()) continue;
    const std::uint32_t pg = group_index(g.parent);
    const auto p_count = static_cast<std::uint64_t>(groups[pg].count);
    u.parent = group_first_[pg] + static_cast<std::uint32_t>(u.index_in_group * p_count / static_cast<std::uint64_t>(g.count));
  }
  members_by_parent_.resize(groups.size());
  for (std::uint32_t m = 0; m < units_.size(); ++m) members_by_parent_[units_[m].group].emplace_back(units_[m].parent, m);
  for (auto& members : members_by_parent_) std::sort(members.begin(), members.end());
}

void Organisation::connect_platform(const Scenario& scenario) {
  const auto& groups = scenario.units;
  // Platform connection: explicit, or by coverage with a per-unit uniform
  // (monotone: raising coverage only ever adds connected units).
  for (auto& u : units_) {
    const UnitGroup& g = groups[u.group];
    if (g.connected) {
      u.connected = *g.connected;
    } else {
      const double draw = sim::Stream(sim::stable_id("platform"), sim::stable_id(u.name)).uniform(0, 0);
      u.connected = draw < scenario.platform.coverage;
    }
  }
}

void Organisation::assign_areas(const Scenario& scenario) {
  const auto& groups = scenario.units;
  // Areas, councils and party committees: a unit's area is its parent (the
  // community of a committee); councils and party committees serve the area
  // that is their own parent.
  // A city-wide one (no parent) serves every area, and the last such one
  // wins; otherwise an area has the first one whose parent it is.
  for (auto& u : units_) u.area = u.parent;
  std::vector<std::uint32_t> council_of_area(units_.size(), kNoUnit), party_of_area(units_.size(), kNoUnit);
  std::uint32_t city_council = kNoUnit, city_party = kNoUnit;
  for (std::uint32_t i = 0; i < units_.size(); ++i) {
    const UnitGroup& g = groups[units_[i].group];
    const std::uint32_t area = units_[i].parent;
    if (g.kind == UnitKind::council && g.oversight) {
      if (area == kNoUnit) city_council = i;
      else if (council_of_area[area] == kNoUnit) council_of_area[area] = i;
    }
    if (g.kind == UnitKind::party_committee && g.joint_handling) {
      if (area == kNoUnit) city_party = i;
      else if (party_of_area[area] == kNoUnit) party_of_area[area] = i;
    }
  }
  // (Filled once, not per city-wide member: a group of many would be quadratic.)
  if (city_council != kNoUnit) std::fill(council_of_area.begin(), council_of_area.end(), city_council);
  if (city_party != kNoUnit) std::fill(party_of_area.begin(), party_of_area.end(), city_party);
  for (auto& u : units_) {
    if (u.parent == kNoUnit) continue;
    u.council = council_of_area[u.parent];
    u.party_committee = party_of_area[u.parent];
  }
}

void Organisation::build_service_and_referral_tables(const Scenario& scenario) {
  const auto& groups = scenario.units;
  // Service and referral tables.
  referral_.assign(units_.size() * static_cast<std::size_t>(types_), kNoUnit);
  service_.assign(units_.size() * static_cast<std::size_t>(types_), -1);
  for (std::uint32_t g = 0; g < groups.size(); ++g) {
    std::vector<int> index(static_cast<std::size_t>(types_), -1);
    for (const auto& [type, dist] : groups[g].resolves) {
      index[static_cast<std::size_t>(scenario.request_type_index(type))] = static_cast<int>(services_.size());
      services_.push_back(dist);
    }
    for (int i = 0; i < groups[g].count; ++i)
      for (int t = 0; t < types_; ++t) service_[(group_first_[g] + i) * types_ + t] = index[static_cast<std::size_t>(t)];
  }
  resolve_share_.assign(groups.size() * static_cast<std::size_t>(types_), 1.0);
  volunteer_types_.assign(groups.size() * static_cast<std::size_t>(types_), false);
  for (std::uint32_t g = 0; g < groups.size(); ++g)
    for (const auto& type : groups[g].volunteers_serve)
      volunteer_types_[std::size_t{g} * static_cast<std::size_t>(types_) +
                       static_cast<std::size_t>(scenario.request_type_index(type))] = true;
  for (std::uint32_t g = 0; g < groups.size(); ++g)
    for (const auto& [type, share] : groups[g].resolves_share)
      resolve_share_[std::size_t{g} * static_cast<std::size_t>(types_) +
                     static_cast<std::size_t>(scenario.request_type_index(type))] = share;
  for (std::uint32_t u = 0; u < units_.size(); ++u) {
    const UnitGroup& g = groups[units_[u].group];
    for (int t = 0; t < types_; ++t) {
      const std::string& tname = scenario.request_types[static_cast<std::size_t>(t)].name;
      auto it = g.refers.find(tname);
      if (it == g.refers.end()) it = g.refers.find("default");
      std::uint32_t target = kNoUnit;
      if (it != g.refers.end()) target = resolve_target(u, it->second);
      else if (units_[u].parent != kNoUnit) target = units_[u].parent;  // by default, up the hierarchy
      referral_[u * types_ + t] = target;
    }
  }
}

void Organisation::build_misroute_alternatives(const Scenario& scenario) {
  const auto& groups = scenario.units;
  // Misrouting lands at another department under the same parent (or any other top-level one).
  // Siblings are found by sorting on the parent (a scan per department would
  // be quadratic); every department lists all its siblings, so the table is
  // quadratic in the siblings of one parent and is bounded first.
  misroute_alternatives_.resize(units_.size());
  std::vector<std::pair<std::uint32_t, std::uint32_t>> departments;  // (parent, unit)
  for (std::uint32_t u = 0; u < units_.size(); ++u)
    if (groups[units_[u].group].kind == UnitKind::department) departments.emplace_back(units_[u].parent, u);
  std::sort(departments.begin(), departments.end());
  std::uint64_t entries = 0;
  for (std::size_t a = 0, b = 0; a < departments.size(); a = b) {
    for (b = a; b < departments.size() && departments[b].first == departments[a].first;) ++b;
    const std::uint64_t siblings = b - a;
    entries += siblings * (siblings - 1);
    if (entries > 10'000'000) {
      const UnitGroup& g = groups[units_[departments[a].second].group];
      throw ResourceLimitError(g.file, g.line, g.column,
                          "too many departments share one parent (" + std::to_string(siblings) +
                              "): the table of where a misrouted case may land would exceed 10,000,000 entries");
    }
    for (std::size_t i = a; i < b; ++i)
      for (std::size_t j = a; j < b; ++j)
        if (i != j) misroute_alternatives_[departments[i].second].push_back(departments[j].second);
  }
}

void Organisation::build_onward_routing(const Scenario& scenario) {
  const auto& groups = scenario.units;
  // Onward routing after service (textbook networks).
  routing_.resize(units_.size());
  for (std::uint32_t u = 0; u < units_.size(); ++u) {
    double cumulative = 0.0;
    for (const auto& r : groups[units_[u].group].routing) {
      cumulative += r.probability;
      routing_[u].emplace_back(resolve_target(u, r.to), cumulative);
    }
  }
}

void Organisation::resolve_cosigners(const Scenario& scenario) {
  // Co-signers by (unit, type), resolved once.
  cosign_begin_.reserve(units_.size() * static_cast<std::size_t>(types_) + 1);
  cosign_begin_.push_back(0);
  for (std::uint32_t u = 0; u < units_.size(); ++u)
    for (int t = 0; t < types_; ++t) {
      for (const auto& c : scenario.request_types[static_cast<std::size_t>(t)].cosign) {
        const std::uint32_t v = resolve_target(u, c);
        if (v != kNoUnit && v != u) cosigners_.push_back(v);
      }
      cosign_begin_.push_back(static_cast<std::uint32_t>(cosigners_.size()));
    }
}

void Organisation::lay_out_calendars(const Scenario& scenario) {
  const auto& groups = scenario.units;
  // Working time: each calendar laid out once, to the horizon.
  calendars_.push_back(sim::WorkCalendar::always_open());
  std::vector<std::uint32_t> spec_index;
  for (const CalendarSpec& c : scenario.calendars) {
    sim::WorkCalendar::Spec spec;
    spec.start = *sim::parse_date(scenario.simulation.start_date);
    for (std::size_t d = 0; d < 7; ++d)
      for (const auto& [open, close] : c.week[d]) spec.week[d].push_back({open, close});
    for (const auto& h : c.holidays) spec.holidays.push_back(*sim::parse_date(h));
    for (const auto& m : c.makeup_days) spec.makeup_days.push_back(*sim::parse_date(m));
    try {
      calendars_.emplace_back(spec, scenario.simulation.horizon_h);
    } catch (const std::invalid_argument& e) {
      throw InputError(c.file, c.line, c.column, "calendar `" + c.name + "`: " + e.what());
    }
    if (c.name == "default") default_calendar_ = static_cast<std::uint32_t>(calendars_.size() - 1);
  }
  for (const auto& g : groups) {
    const CalendarSpec* c = scenario.calendar_of(g);
    group_calendar_spec_.push_back(c);
    group_calendar_.push_back(c ? static_cast<std::uint32_t>(1 + (c - scenario.calendars.data())) : 0u);
  }
}

void Organisation::find_minimum_handoff_delay(const Scenario& scenario) {
  const auto& groups = scenario.units;
  // The smallest cross-unit delay is the engine's lookahead: a paper handoff
  // may leave at once (a document run may be due) and then takes its
  // transfer time; an electronic one is picked up after the platform's delay.
  double lo = scenario.handoffs.transfer_delay_h.minimum();
  for (const auto& g : groups)
    if (g.transfer_delay_h) lo = std::min(lo, g.transfer_delay_h->minimum());
  bool any_connected = false;
  for (const auto& u : units_) any_connected = any_connected || u.connected;
  if (any_connected) lo = std::min(lo, scenario.platform.handoff_h);
  min_handoff_delay_ = lo;
}

void Organisation::build_graph() {
  // The graph, for describe and checks.
  graph_ = OrgGraph(units_.size());
  for (std::uint32_t u = 0; u < units_.size(); ++u) {
    if (units_[u].parent != kNoUnit) boost::add_edge(u, units_[u].parent, EdgeInfo{EdgeInfo::hierarchy, 1.0}, graph_);
    std::set<std::uint32_t> targets;
    for (int t = 0; t < types_; ++t)
      if (!service(u, t) && referral(u, t) != kNoUnit && referral(u, t) != units_[u].parent) targets.insert(referral(u, t));
    for (auto v : targets) boost::add_edge(u, v, EdgeInfo{EdgeInfo::referral, 1.0}, graph_);
    double previous = 0.0;
    for (const auto& [v, cumulative] : routing_[u]) {
      boost::add_edge(u, v, EdgeInfo{EdgeInfo::routing, cumulative - previous}, graph_);
      previous = cumulative;
    }
  }
}

std::uint32_t Organisation::resolve_target(std::uint32_t u, const std::string& target) const {
  if (target == "parent") return units_[u].parent;
  const std::uint32_t g = group_index(target);
  if (g == kNoUnit) return kNoUnit;
  const auto count = static_cast<std::uint32_t>(scenario_->units[g].count);
  const std::uint32_t first = group_first_[g];
  if (count == 1) return first;
  // An ancestor of u in that group.
  for (std::uint32_t a = units_[u].parent; a != kNoUnit; a = units_[a].parent)
    if (units_[a].group == g) return a;
  // A member whose parent is u's nearest ancestor (e.g. the NGO of my community).
  const auto& members = members_by_parent_[g];
  for (std::uint32_t a = u; a != kNoUnit; a = units_[a].parent) {
    const auto lo = std::lower_bound(members.begin(), members.end(), std::make_pair(a, std::uint32_t{0}));
    const auto hi = std::lower_bound(lo, members.end(), std::make_pair(a + 1, std::uint32_t{0}));
    if (lo != hi) return (lo + units_[u].index_in_group % static_cast<std::uint32_t>(hi - lo))->second;
  }
  // Otherwise proportionally by index.
  const auto own = static_cast<std::uint64_t>(scenario_->units[units_[u].group].count);
  return first + static_cast<std::uint32_t>(units_[u].index_in_group * static_cast<std::uint64_t>(count) / own);
}

std::vector<std::string> Organisation::tiers() const {
  std::vector<std::string> result;
  for (const auto& g : scenario_->units)
    if (std::find(result.begin(), result.end(), g.tier) == result.end()) result.push_back(g.tier);
  return result;
}

}  // namespace govsim
