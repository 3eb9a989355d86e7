// models/app/input/scenario_loader.cpp: reading and validating a merged scenario document.
//
// The YAML guard (yaml_input.cpp), the `extends` merge and --set overrides
// (scenario_merge.cpp) come first; this file reads each section through a
// Reader on its parameter table (parameters.cpp), then checks what crosses
// sections (references, routing that lets requests leave, contracts).
#include "models/app/input/scenario_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

#include "models/app/input/parameters.hpp"
#include "models/app/input/reader.hpp"
#include "models/app/input/scenario_merge.hpp"
#include "models/app/input/uncertain.hpp"
#include "sim/calendar.hpp"
#include "sim/random.hpp"

namespace govsim {
namespace fs = std::filesystem;

namespace {

/// names (group/3), and the keys of CSV result files (split at ',').
void check_name(const Provenance& prov, const std::string& path, const YAML::Node& key, const std::string& what) {
  for (const char c : key.Scalar()) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '.' || c == '/' || c == ',' || c == '"' || u < 0x20 || u == 0x7f)
      fail_at(prov, path, key,
              what + " name `" + key.Scalar() + "` contains " +
                  (u < 0x20 || u == 0x7f ? std::string("a control character") : "`" + std::string(1, c) + "`") +
                  ": names appear in --set paths, unit members (group/3) and CSV files");
  }
}

UnitKind parse_kind(const Reader& r) {
  return *unit_kind_named(r.choice("kind"));  // choice() refused any other name (the table's choices are the kinds)
}

/// What a unit group resolves: a service time per request type.
void read_resolves(const Reader& top, Reader& r, const std::string& path, const Scenario& s, UnitGroup& g) {
  if (r.has("resolves")) {
    const YAML::Node res = r.node("resolves");
    if (!res.IsMap()) r.fail_key(res, "resolves", "`resolves` must map request types to service times");
    for (const auto& t : res) {
      const std::string tname = t.first.Scalar();
      if (s.request_type_index(tname) < 0)
        fail_at(top.provenance(), path + ".resolves." + tname, t.first,
                "`" + tname + "` is not a request type defined in `request_types`");
      sim::Distribution d = r.read_distribution(t.second, path + ".resolves." + tname, tname, true);
      if (!(d.mean() > 0.0))
        fail_at(top.provenance(), path + ".resolves." + tname, t.second, "service time of `" + tname + "` must have a positive mean");
      g.resolves.emplace(tname, d);
    }
  }
}

/// The share of each resolved type the group resolves itself (the rest it refers).
void read_resolves_share(const Reader& top, Reader& r, const std::string& path, UnitGroup& g) {
  if (r.has("resolves_share")) {
    const YAML::Node shares = r.node("resolves_share");
    if (!shares.IsMap()) r.fail_key(shares, "resolves_share", "`resolves_share` must map request types to shares");
    std::vector<std::string> keys;
    std::vector<YAML::Node> key_nodes;
    for (const auto& t : shares) keys.push_back(t.first.Scalar()), key_nodes.push_back(t.first);
    const Reader sr(top.provenance(), shares, path + ".resolves_share", keys);
    for (std::size_t k = 0; k < keys.size(); ++k) {
      const std::string& tname = keys[k];
      if (!g.resolves.count(tname))
        fail_at(top.provenance(), path + ".resolves_share." + tname, key_nodes[k],
                "`" + tname + "` has a share but is not in this unit's `resolves`");
      g.resolves_share[tname] = sr.number(tname, 1.0, 0.0, 1.0);
    }
    sr.finish();
  }
}

/// The request types volunteers may serve: some of those the group resolves.
void read_volunteers_serve(const Reader& top, Reader& r, const std::string& path, UnitGroup& g) {
  if (r.has("volunteers_serve")) {
    const YAML::Node vs = r.node("volunteers_serve");
    if (!vs.IsSequence()) r.fail_key(vs, "volunteers_serve", "`volunteers_serve` must be a list of request types");
    for (const auto& t : vs) {
      if (!t.IsScalar() || !g.resolves.count(t.Scalar()))
        fail_at(top.provenance(), path + ".volunteers_serve", t,
                "`" + (t.IsScalar() ? t.Scalar() : std::string("?")) +
                    "` in `volunteers_serve` is not a request type this unit `resolves`");
      g.volunteers_serve.push_back(t.Scalar());
    }
    if (g.volunteers == 0) r.fail_key(vs, "volunteers_serve", "`volunteers_serve` needs `volunteers`");
  }
}

/// Where the group refers each request type (or `default`).
void read_refers(const Reader& top, Reader& r, const std::string& path, const Scenario& s, UnitGroup& g) {
  if (r.has("refers")) {
    const YAML::Node ref = r.node("refers");
    if (!ref.IsMap()) r.fail_key(ref, "refers", "`refers` must map request types (or `default`) to unit groups");
    for (const auto& t : ref) {
      const std::string tname = t.first.Scalar();
      if (tname != "default" && s.request_type_index(tname) < 0)
        fail_at(top.provenance(), path + ".refers." + tname, t.first,
                "`" + tname + "` is not a request type (or `default`)");
      if (!t.second.IsScalar())
        fail_at(top.provenance(), path + ".refers." + tname, t.second, "a referral target must be a unit group name");
      g.refers[tname] = t.second.Scalar();
    }
  }
}

/// Onward routing after service (textbook networks): {to, probability}.
void read_routing(const Reader& top, Reader& r, const std::string& path, UnitGroup& g) {
  if (r.has("routing")) {
    const YAML::Node routes = r.node("routing");
    if (!routes.IsSequence()) r.fail_key(routes, "routing", "`routing` must be a list of {to, probability}");
    if (routes.size() > 100) r.fail_key(routes, "routing", "`routing` lists more than 100 destinations");
    double total = 0.0;
    for (std::size_t i = 0; i < routes.size(); ++i) {
      Reader rr(top.provenance(), routes[i], path + ".routing[" + std::to_string(i) + "]",
                scenario_section("units.*.routing[]"));
      rr.require("to");
      rr.require("probability");
      Route route{rr.text("to"), rr.number("probability")};
      rr.finish();
      total += route.probability;
      g.routing.push_back(route);
    }
    if (total > 1.0 + 1e-9)
      r.fail_key(routes, "routing", "routing probabilities sum to " + std::to_string(total) + " (> 1)");
  }
}

/// Governance roles: an NGO's contract, a council's oversight, a party committee's joint handling.
void read_governance_roles(const Reader& top, Reader& r, const std::string& path, UnitGroup& g) {
  if (r.has("contract")) {
    Reader c(top.provenance(), r.node("contract"), path + ".contract", scenario_section("units.*.contract"));
    c.require("from");
    Contract k;
    k.from = c.text("from");
    k.oversight_share = c.number("oversight_share");
    c.finish();
    g.contract = k;
    if (g.kind != UnitKind::ngo) r.fail_key(r.node("contract"), "contract", "only an `ngo` works under a `contract`");
  }
  if (r.has("oversight")) {
    Reader o(top.provenance(), r.node("oversight"), path + ".oversight", scenario_section("units.*.oversight"));
    Oversight ov;
    ov.review_interval_h = o.number("review_interval_h");
    ov.overdue_share = o.number("overdue_share");
    ov.arbitrate_bounced = o.boolean("arbitrate_bounced");
    o.finish();
    g.oversight = ov;
    if (g.kind != UnitKind::council) r.fail_key(r.node("oversight"), "oversight", "only a `council` has `oversight`");
  }
  g.joint_handling = r.boolean("joint_handling");
  if (g.joint_handling && g.kind != UnitKind::party_committee)
    r.fail_key(r.node("joint_handling"), "joint_handling", "only a `party_committee` has `joint_handling`");
  g.coordination_delay_h = r.distribution("coordination_delay_h");
}

/// One unit group: identity, places and diverted work, services, referrals,
/// routing, handoffs and governance roles, in that order.
UnitGroup read_unit_group(const Reader& top, const Scenario& s, const YAML::Node& key, const YAML::Node& value) {
  const std::string name = key.Scalar();
  const std::string path = "units." + name;
  check_name(top.provenance(), path, key, "unit group");
  if (name == "parent" || name == "home" || name == "default")
    fail_at(top.provenance(), path, key, "unit name `" + name + "` is reserved");
  Reader r(top.provenance(), value, path, scenario_section("units.*"));
  UnitGroup g;
  g.name = name;
  g.file = top.provenance().file(path);
  g.line = key.Mark().line + 1;
  g.column = key.Mark().column + 1;
  g.kind = parse_kind(r);
  g.tier = r.text("tier");
  g.count = r.integer("count");
  g.parent = r.has("parent") ? r.text("parent") : "";
  g.staff = r.integer("staff");
  g.volunteers = r.integer("volunteers");
  if (g.staff + g.volunteers < 1)
    r.fail_key(r.has("staff") ? r.node("staff") : value, "staff",
               "`staff` = " + std::to_string(g.staff) +
                   " is out of range: a unit needs at least one place (`staff` >= 1, or `volunteers`)");
  g.calendar = r.has("calendar") ? r.text("calendar") : "";
  // Diverted work in hours per member per year: at most every hour of a year
  // for every place (a unit can be overloaded, which the run then shows).
  g.admin_hours_per_year = r.number_at_most("admin_hours_per_year", 8760.0 * (g.staff + g.volunteers));
  g.economic_hours_per_year = r.number_at_most("economic_hours_per_year", 8760.0 * (g.staff + g.volunteers));
  g.admin_task_h = r.distribution("admin_task_h");
  // Diverted tasks arrive at (share x staff / mean) per hour: a mean of a
  // nanosecond would be a billion events an hour of no interest to anyone.
  if (!(g.admin_task_h.mean() >= 0.01))
    r.fail_key(r.has("admin_task_h") ? r.node("admin_task_h") : r.self(), "admin_task_h",
               "`admin_task_h` must have a mean of at least 0.01 hours");
  read_resolves(top, r, path, s, g);
  read_resolves_share(top, r, path, g);
  read_volunteers_serve(top, r, path, g);
  read_refers(top, r, path, s, g);
  read_routing(top, r, path, g);
  g.misroute_probability = r.number("misroute_probability");
  g.refusal_probability = r.number("refusal_probability");
  g.quality = r.number("quality");
  g.triage_h = r.distribution("triage_h");
  if (r.has("transfer_delay_h")) {
    g.transfer_delay_h = r.distribution("transfer_delay_h");
    if (!(g.transfer_delay_h->minimum() > 0.0))
      r.fail_key(r.node("transfer_delay_h"), "transfer_delay_h",
                 "`transfer_delay_h` must have a positive minimum (add an `offset`): it is the engine's lookahead");
  }
  g.travel_h = r.number("travel_h");
  if (r.has("connected")) g.connected = r.boolean("connected");
  g.cost_per_staff_hour = r.number("cost_per_staff_hour");
  read_governance_roles(top, r, path, g);
  r.finish();
  return g;
}

/// The expanded organisation must fit the model's tables; say so here, where
/// the counts have a place in the file, rather than when it is built.
void check_expanded_size(const Reader& top, const YAML::Node& units, const Scenario& s) {
  constexpr std::uint64_t kMaxUnits = 5'000'000, kMaxTableEntries = 50'000'000;
  const auto types = static_cast<std::uint64_t>(s.request_types.size());
  std::uint64_t total = 0;
  std::size_t i = 0;
  for (const auto& kv : units) {
    total += static_cast<std::uint64_t>(s.units[i++].count);
    const YAML::Node at = kv.second["count"] ? kv.second["count"] : kv.first;
    const std::string path = "units." + kv.first.Scalar() + ".count";
    if (total > kMaxUnits)
      fail_at(top.provenance(), path, at, "the unit groups expand to more than 5,000,000 units");
    if (total * types > kMaxTableEntries)
      fail_at(top.provenance(), path, at, "the unit groups expand to " + std::to_string(total) + " units x " +
                                              std::to_string(types) +
                                              " request types: more than 50,000,000 routing-table entries");
  }
}

void read_units(const Reader& top, Scenario& s) {
  if (!top.has("units")) top.fail(top.self(), "a scenario needs `units`");
  const YAML::Node units = top.node("units");
  if (!units.IsMap() || units.size() == 0) top.fail_key(units, "units", "`units` must be a non-empty mapping");
  for (const auto& kv : units) s.units.push_back(read_unit_group(top, s, kv.first, kv.second));
  check_expanded_size(top, units, s);
}

/// Why text that parse_date refused is not a date (for messages).
std::string date_problem(const std::string& text) {
  const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                      std::all_of(text.begin(), text.end(), [](char ch) { return ch == '-' || (ch >= '0' && ch <= '9'); });
  if (!shaped) return "is not a date written YYYY-MM-DD";
  const int month = (text[5] - '0') * 10 + (text[6] - '0');
  return month >= 1 && month <= 12 ? "is not a date: that month has no such day"
                                   : "is not a date: there is no month " + text.substr(5, 2);
}

/// A list of hours of the day, or of [open, close] pairs, read with their places.
double hour_of_day(const Provenance& prov, const std::string& path, const YAML::Node& n, bool allow_24,
                   const std::string& what) {
  double v = NAN;
  if (n.IsScalar()) {
    try {
      v = n.as<double>();
    } catch (const YAML::Exception&) {
    }
  }
  if (!(v >= 0.0 && (allow_24 ? v <= 24.0 : v < 24.0)))
    fail_at(prov, path, n, what + " must be an hour of the day, >= 0 and " + std::string(allow_24 ? "<= 24" : "< 24") +
                               (n.IsScalar() ? ", not `" + n.Scalar() + "`" : ""));
  return v;
}

void read_calendars(const Reader& top, Scenario& s) {
  if (!top.has("calendars")) return;
  const YAML::Node cals = top.node("calendars");
  if (!cals.IsMap()) top.fail_key(cals, "calendars", "`calendars` must map names to calendars");
  const Provenance& prov = top.provenance();
  static const std::vector<std::string> days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  for (const auto& kv : cals) {
    const std::string path = "calendars." + kv.first.Scalar();
    check_name(prov, path, kv.first, "calendar");
    Reader r(prov, kv.second, path, scenario_section("calendars.*"));
    CalendarSpec c;
    c.name = kv.first.Scalar();
    c.file = prov.file(path);
    c.line = kv.first.Mark().line + 1;
    c.column = kv.first.Mark().column + 1;
    r.require("hours");
    const YAML::Node hours = r.node("hours");
    if (!hours.IsSequence() || hours.size() == 0)
      r.fail_key(hours, "hours", "`hours` must be a list of [open, close] hours, e.g. [[9, 12], [13.5, 17.5]]");
    std::vector<std::pair<double, double>> intervals;
    for (std::size_t i = 0; i < hours.size(); ++i) {
      const YAML::Node iv = hours[i];
      const std::string ipath = path + ".hours[" + std::to_string(i) + "]";
      if (!iv.IsSequence() || iv.size() != 2) fail_at(prov, ipath, iv, "each opening must be [open, close] in hours of the day");
      const double open = hour_of_day(prov, ipath, iv[0], false, "an opening time");
      const double close = hour_of_day(prov, ipath, iv[1], true, "a closing time");
      const std::string shown = "[" + iv[0].Scalar() + ", " + iv[1].Scalar() + "]";
      if (!(close > open))
        fail_at(prov, ipath, iv, "the opening " + shown + " closes before it opens (reversed or empty hours)");
      if (!intervals.empty() && open < intervals.back().second)
        fail_at(prov, ipath, iv,
                "the opening " + shown + (open < intervals.back().first ? " comes before" : " overlaps") +
                    " the one before it: openings must be in order and must not overlap");
      intervals.emplace_back(open, close);
    }
    std::vector<bool> working(7, false);
    if (r.has("working_days")) {
      const YAML::Node wd = r.node("working_days");
      if (!wd.IsSequence()) r.fail_key(wd, "working_days", "`working_days` must be a list such as [mon, tue, wed, thu, fri]");
      for (const auto& d : wd) {
        const auto it = d.IsScalar() ? std::find(days.begin(), days.end(), d.Scalar()) : days.end();
        if (it == days.end()) fail_at(prov, path + ".working_days", d, "a working day must be one of mon, tue, wed, thu, fri, sat, sun");
        working[static_cast<std::size_t>(it - days.begin())] = true;
      }
    } else {
      std::fill(working.begin(), working.begin() + 5, true);
    }
    for (std::size_t d = 0; d < 7; ++d)
      if (working[d]) c.week[d] = intervals;
    auto dates = [&](const std::string& key, std::vector<std::string>& out) {
      if (!r.has(key)) return;
      const YAML::Node list = r.node(key);
      if (!list.IsSequence()) r.fail_key(list, key, "`" + key + "` must be a list of dates (YYYY-MM-DD)");
      for (const auto& d : list) {
        if (!d.IsScalar() || !sim::parse_date(d.Scalar()))
          fail_at(prov, path + "." + key, d,
                  "`" + (d.IsScalar() ? d.Scalar() : std::string("?")) + "` in `" + key + "` " +
                      date_problem(d.IsScalar() ? d.Scalar() : ""));
        out.push_back(d.Scalar());
      }
    };
    dates("holidays", c.holidays);
    dates("makeup_days", c.makeup_days);
    const YAML::Node makeup = r.node("makeup_days");  // const: indexing must not add entries
    for (std::size_t m = 0; m < c.makeup_days.size(); ++m)
      if (std::find(c.holidays.begin(), c.holidays.end(), c.makeup_days[m]) != c.holidays.end())
        r.fail_key(makeup[m], "makeup_days",
                   "`" + c.makeup_days[m] + "` is both a holiday and a make-up working day");
    c.overrun = r.choice("overrun") == "pause" ? CalendarSpec::Overrun::pause : CalendarSpec::Overrun::finish;
    c.overtime_limit_h = r.number("overtime_limit_h");
    if (r.has("dispatch_h")) {
      const YAML::Node dh = r.node("dispatch_h");
      if (!dh.IsSequence()) r.fail_key(dh, "dispatch_h", "`dispatch_h` must be a list of hours of the day, e.g. [10, 15]");
      for (std::size_t i = 0; i < dh.size(); ++i) {
        const double h = hour_of_day(prov, path + ".dispatch_h", dh[i], false, "a document run in `dispatch_h`");
        if (!c.dispatch_h.empty() && h <= c.dispatch_h.back())
          fail_at(prov, path + ".dispatch_h", dh[i], "dispatch hours must be in increasing order");
        c.dispatch_h.push_back(h);
      }
    }
    r.finish();
    s.calendars.push_back(std::move(c));
  }
}

void read_request_types(const Reader& top, Scenario& s) {
  if (!top.has("request_types")) top.fail(top.self(), "a scenario needs `request_types`");
  const YAML::Node types = top.node("request_types");
  if (!types.IsMap() || types.size() == 0)
    top.fail_key(types, "request_types", "`request_types` must be a non-empty mapping");
  for (const auto& kv : types) {
    const std::string path = "request_types." + kv.first.Scalar();
    Reader r(top.provenance(), kv.second.IsNull() ? YAML::Node(YAML::NodeType::Map) : kv.second, path,
             scenario_section("request_types.*"));
    RequestType t;
    check_name(top.provenance(), path, kv.first, "request type");
    t.name = kv.first.Scalar();
    if (r.has("deadline_h") && r.has("deadline_working_days"))
      r.fail(r.node("deadline_working_days"), "give `deadline_h` or `deadline_working_days`, not both");
    t.deadline_h = r.number("deadline_h");
    t.deadline_working_days = r.integer("deadline_working_days");
    t.urgency = r.integer("urgency");
    if (r.has("cosign")) {
      const YAML::Node c = r.node("cosign");
      if (!c.IsSequence()) r.fail_key(c, "cosign", "`cosign` must be a list of unit groups");
      for (const auto& x : c) {
        if (!x.IsScalar()) r.fail_key(x, "cosign", "`cosign` must be a list of unit group names");
        t.cosign.push_back(x.Scalar());
      }
    }
    r.finish();
    s.request_types.push_back(std::move(t));
  }
  if (s.request_types.size() > 250) top.fail_key(types, "request_types", "at most 250 request types");
}

void read_populations(const Reader& top, Scenario& s) {
  if (!top.has("populations")) top.fail(top.self(), "a scenario needs `populations` (who has needs)");
  const YAML::Node pops = top.node("populations");
  if (!pops.IsMap() || pops.size() == 0)
    top.fail_key(pops, "populations", "`populations` must be a non-empty mapping");
  std::uint64_t residents = 0;
  int resident_groups = 0;
  for (const auto& kv : pops) {
    const std::string path = "populations." + kv.first.Scalar();
    Reader r(top.provenance(), kv.second, path, scenario_section("populations.*"));
    Population p;
    check_name(top.provenance(), path, kv.first, "population");
    p.name = kv.first.Scalar();
    r.require("at");
    p.at = r.text("at");
    if (!s.unit_group(p.at)) r.fail_key(r.node("at"), "at", "`at: " + p.at + "` names no unit group");
    p.residents_per_unit = r.integer("residents_per_unit");
    // Residents are numbered with 32 bits; each number above is in range, their product need not be.
    residents += static_cast<std::uint64_t>(s.unit_group(p.at)->count) * static_cast<std::uint64_t>(p.residents_per_unit);
    if (residents >= 0xFFFFFFF0ull)
      r.fail_key(r.has("residents_per_unit") ? r.node("residents_per_unit") : r.node("at"), "residents_per_unit",
                 "the populations add up to " + std::to_string(residents) +
                     " residents, more than the model's limit of 4,294,967,280");
    p.neighbours = r.integer("neighbours");
    if (p.neighbours % 2) r.fail_key(r.node("neighbours"), "neighbours", "`neighbours` must be even (ties both ways)");
    p.long_link_share = r.number("long_link_share");
    if (r.has("first_contact")) {
      const YAML::Node fc = r.node("first_contact");
      if (!fc.IsMap()) r.fail_key(fc, "first_contact", "`first_contact` must map request types (or `default`) to home, parent or a unit group");
      for (const auto& t : fc) {
        const std::string tname = t.first.Scalar();
        if (tname != "default" && s.request_type_index(tname) < 0)
          fail_at(top.provenance(), path + ".first_contact." + tname, t.first, "`" + tname + "` is not a request type (or `default`)");
        if (!t.second.IsScalar())
          fail_at(top.provenance(), path + ".first_contact." + tname, t.second,
                  "a first contact must be home, parent or a unit group name");
        p.first_contact[tname] = t.second.Scalar();
      }
    }
    r.require("groups");
    const YAML::Node groups = r.node("groups");
    if (!groups.IsMap() || groups.size() == 0) r.fail_key(groups, "groups", "`groups` must be a non-empty mapping");
    double share_total = 0.0;
    for (const auto& g : groups) {
      const std::string gpath = path + ".groups." + g.first.Scalar();
      Reader gr(top.provenance(), g.second, gpath, scenario_section("populations.*.groups.*"));
      ResidentGroup rg;
      check_name(top.provenance(), gpath, g.first, "resident group");
      rg.name = g.first.Scalar();
      rg.share = gr.number("share");
      share_total += rg.share;
      rg.digital_access = gr.number("digital_access");
      rg.willingness = gr.number("willingness");
      if (gr.has("patience_h")) rg.patience_h = gr.distribution("patience_h");
      rg.reporting_delay_h = gr.distribution("reporting_delay_h");
      const bool per_year = gr.has("need_rates_per_year"), per_hour = gr.has("need_rates_per_hour");
      if (per_year == per_hour)
        gr.fail(g.second, "group `" + rg.name + "` needs exactly one of `need_rates_per_year` or `need_rates_per_hour`");
      const std::string key = per_year ? "need_rates_per_year" : "need_rates_per_hour";
      const YAML::Node rates = gr.node(key);
      if (!rates.IsMap()) gr.fail_key(rates, key, "`" + key + "` must map request types to rates");
      Reader rr(top.provenance(), rates, gpath + "." + key, [&] {
        std::vector<std::string> names;
        for (const auto& t : s.request_types) names.push_back(t.name);
        return names;
      }());
      for (const auto& t : rates) {
        const double rate = rr.number(t.first.Scalar(), 0.0, 0.0, 1e7);
        if (rate > 0.0) rg.need_rates[t.first.Scalar()] = per_year ? rate / 8760.0 : rate;
      }
      rr.finish();
      gr.finish();
      p.groups.push_back(std::move(rg));
      // Resident groups are numbered with 16 bits in the outcome records.
      if (++resident_groups > 10000)
        fail_at(top.provenance(), gpath, g.first, "more than 10,000 resident groups in all populations");
    }
    if (std::abs(share_total - 1.0) > 1e-6)
      r.fail_key(groups, "groups", "group shares sum to " + std::to_string(share_total) + ", not 1");
    r.finish();
    s.populations.push_back(std::move(p));
  }
}

void check_references(const Scenario& s, const Provenance& prov, const YAML::Node& root) {
  auto group_exists = [&](const std::string& n) { return s.unit_group(n) != nullptr; };
  auto where = [&](const std::string& path) {
    YAML::Node n = root;
    std::stringstream ss(path);
    for (std::string part; std::getline(ss, part, '.');) {
      if (!n.IsMap() || !n[part]) break;
      n = n[part];
    }
    return n;
  };
  for (const auto& g : s.units) {
    const std::string path = "units." + g.name;
    if (!g.parent.empty()) {
      if (!group_exists(g.parent))
        fail_at(prov, path + ".parent", where(path + ".parent"), "`parent: " + g.parent + "` names no unit group");
      if (g.parent == g.name) fail_at(prov, path + ".parent", where(path + ".parent"), "a unit cannot be its own parent");
    }
    for (const auto& [type, target] : g.refers) {
      if (target != "parent" && !group_exists(target)) {
        std::string best;
        std::size_t bd = 1000;
        for (const auto& u : s.units)
          if (edit_distance(u.name, target) < bd) bd = edit_distance(u.name, target), best = u.name;
        fail_at(prov, path + ".refers." + type, where(path + ".refers." + type),
                "`" + type + ": " + target + "` names no unit group" + (bd <= 3 ? "; did you mean `" + best + "`?" : ""));
      }
      if (target == "parent" && g.parent.empty())
        fail_at(prov, path + ".refers." + type, where(path + ".refers." + type), "refers to `parent` but has no `parent`");
    }
    for (const auto& r : g.routing)
      if (!group_exists(r.to))
        fail_at(prov, path + ".routing", where(path + ".routing"), "routing to `" + r.to + "`, which names no unit group");
  }
  // Routing must let requests leave. Around a cycle whose probabilities sum to
  // 1 a request circulates until the horizon, and near 1 it visits thousands
  // of units: the run's work has no bound either way. The expected number of
  // units a request visits from group g solves V = 1 + P V; iterate from
  // V = 1 (it only grows) and refuse past 1,000 visits or without convergence.
  {
    std::map<std::string, std::size_t> index;
    for (std::size_t g = 0; g < s.units.size(); ++g) index.emplace(s.units[g].name, g);
    std::vector<double> visits(s.units.size(), 1.0), next(s.units.size());
    bool settled = false;
    for (int iteration = 0; iteration < 2000 && !settled; ++iteration) {
      double change = 0.0;
      for (std::size_t g = 0; g < s.units.size(); ++g) {
        next[g] = 1.0;
        for (const auto& r : s.units[g].routing) next[g] += r.probability * visits[index.at(r.to)];
        change = std::max(change, (next[g] - visits[g]) / next[g]);
      }
      visits.swap(next);
      settled = change < 1e-9;
      if (*std::max_element(visits.begin(), visits.end()) > 1000.0) break;
    }
    const auto worst = static_cast<std::size_t>(std::max_element(visits.begin(), visits.end()) - visits.begin());
    if (!settled || visits[worst] > 1000.0) {
      const std::string path = "units." + s.units[worst].name + ".routing";
      fail_at(prov, path, where(path),
              "a request routed from `" + s.units[worst].name +
                  "` would visit more than 1,000 units on average: routing probabilities around a cycle are 1 or too "
                  "close to it for requests ever to leave");
    }
  }
  // Parent chains must not loop.
  for (const auto& g : s.units) {
    std::set<std::string> seen{g.name};
    for (const UnitGroup* p = s.unit_group(g.parent); p; p = s.unit_group(p->parent))
      if (!seen.insert(p->name).second)
        fail_at(prov, "units." + g.name + ".parent", where("units." + g.name + ".parent"),
                "the `parent` chain of `" + g.name + "` loops back on itself");
  }
  for (const auto& t : s.request_types)
    for (const auto& c : t.cosign)
      if (!group_exists(c))
        fail_at(prov, "request_types." + t.name + ".cosign", where("request_types." + t.name + ".cosign"),
                "`cosign` names `" + c + "`, which is no unit group");
  for (const auto& p : s.populations) {
    for (const auto& [type, target] : p.first_contact)
      if (target != "home" && target != "parent" && !group_exists(target))
        fail_at(prov, "populations." + p.name + ".first_contact." + type,
                where("populations." + p.name + ".first_contact." + type),
                "first contact `" + target + "` is not home, parent or a unit group");
  }
  for (const auto& g : s.units) {
    const std::string path = "units." + g.name;
    if (!g.calendar.empty() && !s.calendar(g.calendar)) {
      std::string known;
      for (const auto& c : s.calendars) known += (known.empty() ? "" : ", ") + c.name;
      fail_at(prov, path + ".calendar", where(path + ".calendar"),
              "`calendar: " + g.calendar + "` names no calendar in `calendars`" +
                  (known.empty() ? std::string(" (the scenario defines none)") : " (calendars: " + known + ")"));
    }
    if (g.contract) {
      const UnitGroup* dept = s.unit_group(g.contract->from);
      if (!dept || dept->kind != UnitKind::department)
        fail_at(prov, path + ".contract.from", where(path + ".contract.from"),
                "`from: " + g.contract->from + "` " +
                    (dept ? std::string("is a `") + to_string(dept->kind) + "`" : std::string("names no unit group")) +
                    ": it must name the `department` group that pays for the contract");
    }
  }
  for (const auto& t : s.request_types)
    if (t.deadline_working_days > 0 && !s.calendar("default"))
      fail_at(prov, "request_types." + t.name + ".deadline_working_days",
              where("request_types." + t.name + ".deadline_working_days"),
              "a deadline in working days needs a `default` calendar in `calendars` to count them");
  // Some unit must be able to serve each type that residents need.
  std::set<std::string> needed;
  for (const auto& p : s.populations)
    for (const auto& g : p.groups)
      for (const auto& [type, rate] : g.need_rates) needed.insert(type);
  for (const auto& type : needed) {
    bool resolvable = false;
    for (const auto& g : s.units) resolvable = resolvable || g.resolves.count(type);
    if (!resolvable)
      fail_at(prov, "request_types." + type, where("request_types." + type),
              "request type `" + type + "` has demand but no unit `resolves` it");
  }
}

/// Working hours in a plain week of a calendar (always open: 168).
double weekly_hours(const CalendarSpec* c) {
  if (!c) return 168.0;
  double h = 0.0;
  for (const auto& day : c->week)
    for (const auto& [open, close] : day) h += close - open;
  return h;
}

/// Purchase of services: each NGO's contracted places come out of the paying
/// department's paid places (the budget moves, it does not grow), and the
/// department spends oversight hours on every contracted hour.
void apply_contracts(Scenario& s, const Provenance& prov, const YAML::Node& root) {
  for (const auto& g : s.units) {
    if (!g.contract) continue;
    UnitGroup& dept = *std::find_if(s.units.begin(), s.units.end(),
                                    [&](const UnitGroup& d) { return d.name == g.contract->from; });
    const long long bought = static_cast<long long>(g.count) * g.staff;
    const long long budget = static_cast<long long>(dept.count) * dept.staff;
    const YAML::Node& doc = root;  // const: looking up must not add keys
    const YAML::Node at = doc["units"][g.name]["contract"];
    const std::string path = "units." + g.name + ".contract";
    if (bought >= budget)
      fail_at(prov, path, at,
              "the contract buys " + std::to_string(bought) + " staff places (" + std::to_string(g.count) + " x " +
                  std::to_string(g.staff) + ") out of the " + std::to_string(budget) + " of `" + dept.name +
                  "`: NGO contract hours must be smaller than the department's budget (it keeps at least one place)");
    if ((budget - bought) % dept.count != 0)
      fail_at(prov, path, at,
              "the " + std::to_string(bought) + " places bought must leave each of the " + std::to_string(dept.count) +
                  " members of `" + dept.name + "` a whole number of staff");
    dept.staff = static_cast<int>((budget - bought) / dept.count);
    const double contract_hours = static_cast<double>(bought) * weekly_hours(s.calendar_of(g)) * 365.0 / 7.0;
    dept.admin_hours_per_year += g.contract->oversight_share * contract_hours / dept.count;
  }
}


Scenario read_scenario(const YAML::Node& root, const Provenance& prov, const std::string& path,
                       const std::vector<std::string>& chain);

}  // namespace

std::string merged_scenario_text(const std::string& path, const std::vector<std::string>& overrides) {
  Provenance prov;
  std::vector<std::string> chain;
  YAML::Emitter out;
  out << merged_document(path, nullptr, overrides, prov, chain);
  return out.c_str();
}

std::string resolved_scenario_text(const std::string& path, const std::vector<std::string>& overrides,
                                   const std::string& name, std::uint64_t seed, int replications) {
  Provenance prov;
  std::vector<std::string> chain;
  YAML::Node root = merged_document(path, nullptr, overrides, prov, chain);
  root["name"] = name;
  if (!root["simulation"].IsDefined() || !root["simulation"].IsMap()) root["simulation"] = YAML::Node(YAML::NodeType::Map);
  root["simulation"]["seed"] = seed;
  root["simulation"]["replications"] = replications;
  YAML::Emitter out;
  out << root;
  std::string header = "# The scenario as govsim ran it: " + path;
  for (const auto& o : overrides) header += " --set " + o;
  for (char& c : header)
    if (c == '\n' || c == '\r') c = ' ';
  return header + "\n# (extends and --set applied; `govsim run` of this file gives the same results)\n" + out.c_str() + "\n";
}

std::string override_path_problem(const std::string& path, const std::vector<std::string>& overrides,
                                  const std::string& dotted) {
  Provenance prov;
  std::vector<std::string> chain;
  const YAML::Node root = merged_document(path, nullptr, overrides, prov, chain);
  return path_problem(root, split_path(dotted));
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  Provenance prov;
  std::vector<std::string> chain;
  const YAML::Node root = merged_document(path, nullptr, overrides, prov, chain);
  return read_scenario(root, prov, path, chain);
}

Scenario load_scenario_text(const std::string& text, const std::string& name,
                            const std::vector<std::string>& overrides) {
  Provenance prov;
  std::vector<std::string> chain;
  const YAML::Node root = merged_document(name, &text, overrides, prov, chain);
  return read_scenario(root, prov, name, chain);
}

namespace {

/// A section of the scenario, read through its table: an absent section is
/// an empty mapping, so that every default comes from the table.
Reader section_reader(const Reader& top, const std::string& key) {
  return Reader(top.provenance(), top.has(key) ? top.node(key) : YAML::Node(YAML::NodeType::Map), key,
                scenario_section(key));
}

void read_simulation(const Reader& top, Scenario& s) {
  const Reader r = section_reader(top, "simulation");
  auto& sim = s.simulation;
  if (r.has("horizon_h") && r.has("horizon_days")) r.fail(r.self(), "give `horizon_h` or `horizon_days`, not both");
  sim.horizon_h = r.has("horizon_days") ? 24.0 * r.number("horizon_days") : r.number("horizon_h");
  sim.warmup_h = r.has("warmup_days") ? 24.0 * r.number("warmup_days") : r.number("warmup_h");
  if (sim.warmup_h >= sim.horizon_h)
    r.fail(r.has("warmup_days") ? r.node("warmup_days") : r.has("warmup_h") ? r.node("warmup_h") : r.self(),
           "the warm-up must end before the horizon");
  sim.replications = r.integer("replications");
  sim.seed = r.unsigned64("seed");
  sim.sample_interval_h = r.number("sample_interval_h");
  sim.start_date = r.text("start_date");
  if (!sim::parse_date(sim.start_date))
    r.fail_key(r.node("start_date"), "start_date", "`start_date` = `" + sim.start_date + "` " + date_problem(sim.start_date));
  if (sim.horizon_h / sim.sample_interval_h > 1e5)
    r.fail_key(r.node("sample_interval_h"), "sample_interval_h", "more than 100,000 samples per unit: raise `sample_interval_h`");
  r.finish();
}

void read_behaviour(const Reader& top, Scenario& s) {
  const Reader r = section_reader(top, "behaviour");
  auto& b = s.behaviour;
  b.reporting = r.boolean("reporting");
  b.abandonment = r.boolean("abandonment");
  b.trust = r.boolean("trust");
  b.bad_experience_drop = r.number("bad_experience_drop");
  b.good_experience_gain = r.number("good_experience_gain");
  b.spread_weight = r.number("spread_weight");
  b.slow_share = r.number("slow_share");
  b.word_of_mouth_delay_h = r.distribution("word_of_mouth_delay_h");
  b.feedback_delay_h = r.distribution("feedback_delay_h");
  r.finish();
}

void read_platform(const Reader& top, Scenario& s) {
  const Reader r = section_reader(top, "platform");
  auto& p = s.platform;
  p.coverage = r.number("coverage");
  p.misroute_reduction = r.number("misroute_reduction");
  p.parallel_signoffs = r.boolean("parallel_signoffs");
  p.online_delay_h = r.number("online_delay_h");
  p.handoff_h = r.number("handoff_h");
  r.finish();
}

void read_handoffs(const Reader& top, Scenario& s) {
  const Reader r = section_reader(top, "handoffs");
  auto& h = s.handoffs;
  h.transfer_delay_h = r.distribution("transfer_delay_h");
  if (!(h.transfer_delay_h.minimum() > 0.0))
    r.fail_key(r.node("transfer_delay_h"), "transfer_delay_h",
               "`transfer_delay_h` must have a positive minimum (add an `offset`): it is the engine's lookahead");
  h.redocumentation_h = r.distribution("redocumentation_h");
  h.loss_probability = r.number("loss_probability");
  h.arbitration_after_bounces = r.integer("arbitration_after_bounces");
  h.arbitration_delay_h = r.distribution("arbitration_delay_h");
  h.max_reworks = r.integer("max_reworks");
  r.finish();
}

Scenario read_scenario(const YAML::Node& root, const Provenance& prov, const std::string& path,
                       const std::vector<std::string>& chain) {
  const Reader top(prov, root, "scenario", scenario_section("scenario"));
  Scenario s;
  s.path = path;
  s.files = chain;
  s.name = top.text("name", fs::path(path).stem().string());
  s.description = top.text("description", "");
  {
    YAML::Emitter out;
    out << root;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(sim::stable_id(out.c_str())));
    s.content_hash = hex;
  }
  read_simulation(top, s);
  read_calendars(top, s);
  read_request_types(top, s);
  read_units(top, s);
  read_populations(top, s);
  read_behaviour(top, s);
  read_platform(top, s);
  read_handoffs(top, s);
  check_references(s, prov, root);
  apply_contracts(s, prov, root);
  s.uncertain = read_uncertain(top.node("uncertain"), root, [&](const std::string& p, const YAML::Node& at, const std::string& m) {
    fail_at(prov, p, at, m);
  });
  top.finish();
  return s;
}

}  // namespace

}  // namespace govsim