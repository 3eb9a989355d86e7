// models/domain/scenario.cpp: small helpers of the scenario description.
#include "models/domain/scenario.hpp"

namespace govsim {

const char* to_string(UnitKind kind) noexcept {
  switch (kind) {
    case UnitKind::residents_committee: return "residents_committee";
    case UnitKind::subdistrict_office: return "subdistrict_office";
    case UnitKind::service_centre: return "service_centre";
    case UnitKind::department: return "department";
    case UnitKind::council: return "council";
    case UnitKind::party_committee: return "party_committee";
    case UnitKind::ngo: return "ngo";
    case UnitKind::station: return "station";
  }
  return "station";
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
