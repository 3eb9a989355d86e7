// models/domain/scenario.cpp: small helpers of the scenario description.
#include "models/domain/scenario.hpp"

namespace govsim {

const char* to_string(UnitKind kind) noexcept {
  for (const auto& [k, name] : kUnitKinds)
    if (k == kind) return name;
  return "station";
}

std::optional<UnitKind> unit_kind_named(std::string_view name) noexcept {
  for (const auto& [k, n] : kUnitKinds)
    if (name == n) return k;
  return std::nullopt;
}

std::vector<std::string> unit_kind_names() {
  std::vector<std::string> names;
  for (const auto& [k, n] : kUnitKinds) names.emplace_back(n);
  return names;
}

int Scenario::request_type_index(const std::string& name) const {
  for (std::size_t i = 0; i < request_types.size(); ++i)
    if (request_types[i].name == name) return static_cast<int>(i);
  return -1;
}

const UnitGroup* Scenario::unit_group(const std::string& name) const {
  for (const auto& g : units)
    if (g.name == name) return &g;
  return nullptr;
}

const CalendarSpec* Scenario::calendar(const std::string& name) const {
  for (const auto& c : calendars)
    if (c.name == name) return &c;
  return nullptr;
}

const CalendarSpec* Scenario::calendar_of(const UnitGroup& g) const {
  return calendar(g.calendar.empty() ? std::string("default") : g.calendar);
}

}  // namespace govsim
