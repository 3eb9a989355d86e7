// models/app/compare/option_summary.cpp: differences, resources and structure of an option.
#include "models/app/compare/option_summary.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "models/app/results/json.hpp"
#include "models/app/input/scenario_loader.hpp"

namespace govsim {

namespace {

void flatten(const YAML::Node& node, const std::string& path, std::vector<std::pair<std::string, std::string>>& out) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      if (path.empty() && (key == "name" || key == "description" || key == "extends")) continue;
      flatten(kv.second, path.empty() ? key : path + "." + key, out);
    }
    return;
  }
  if (node.IsScalar()) {
    out.emplace_back(path, node.Scalar());
    return;
  }
  if (node.IsNull()) {
    out.emplace_back(path, "null");
    return;
  }
  YAML::Emitter e;
  e.SetSeqFormat(YAML::Flow);
  e.SetMapFormat(YAML::Flow);
  e << node;
  out.emplace_back(path, e.c_str());
}

Json differences_json(const std::vector<SettingDifference>& diffs) {
  Json out = Json::array();
  for (const auto& d : diffs)
    out.push_back({{"path", d.path},
                   {"value", d.present ? Json(d.value) : Json(nullptr)},
                   {"other", d.other_present ? Json(d.other) : Json(nullptr)}});
  return out;
}

/// A DOT quoted string (the JSON escapes, which DOT reads the same; invalid UTF-8 replaced).
std::string dot_string(const std::string& s) { return json_line(Json(s)); }

/// Depth of each unit group in the parent hierarchy (0: no parent).
std::vector<int> group_depths(const Scenario& s) {
  std::vector<int> depth(s.units.size(), 0);
  for (std::size_t g = 0; g < s.units.size(); ++g) {
    int d = 0;
    std::string p = s.units[g].parent;
    while (!p.empty() && d < 64) {
      ++d;
      const UnitGroup* pg = s.unit_group(p);
      p = pg ? pg->parent : std::string();
    }
    depth[g] = d;
  }
  return depth;
}

/// Tiers ordered from the top (smallest depth), ties by first appearance.
std::vector<std::string> ordered_tiers(const Scenario& s) {
  const auto depth = group_depths(s);
  std::vector<std::string> tiers;
  std::map<std::string, int> tier_depth;
  for (std::size_t g = 0; g < s.units.size(); ++g) {
    const auto& t = s.units[g].tier;
    if (!tier_depth.count(t)) tiers.push_back(t), tier_depth[t] = depth[g];
    tier_depth[t] = std::min(tier_depth[t], depth[g]);
  }
  std::stable_sort(tiers.begin(), tiers.end(),
                   [&](const std::string& a, const std::string& b) { return tier_depth[a] < tier_depth[b]; });
  return tiers;
}

/// The community of each unit: the area of the units residents live at (their parent), which
/// also holds every unit whose parent it is; kNoUnit for units outside any community.
std::vector<std::uint32_t> communities_of(const Scenario& s, const Organisation& org) {
  std::set<std::string> home_groups;
  for (const auto& p : s.populations) home_groups.insert(p.at);
  std::set<std::uint32_t> areas;
  for (const auto& u : org.units())
    if (home_groups.count(s.units[u.group].name) && u.area != kNoUnit) areas.insert(u.area);
  std::vector<std::uint32_t> community(org.size(), kNoUnit);
  for (std::uint32_t i = 0; i < org.size(); ++i) {
    if (areas.count(i)) community[i] = i;
    else if (org.unit(i).parent != kNoUnit && areas.count(org.unit(i).parent)) community[i] = org.unit(i).parent;
  }
  return community;
}

const char* kEdgeKinds[] = {"hierarchy", "referral", "routing", "cosign"};

}  // namespace

std::vector<std::pair<std::string, std::string>> flattened_settings(const std::string& path,
                                                                    const std::vector<std::string>& overrides) {
  std::vector<std::pair<std::string, std::string>> out;
  flatten(YAML::Load(merged_scenario_text(path, overrides)), "", out);
  return out;
}

std::vector<SettingDifference> setting_differences(const std::vector<std::pair<std::string, std::string>>& a,
                                                   const std::vector<std::pair<std::string, std::string>>& b) {
  const std::map<std::string, std::string> ma(a.begin(), a.end()), mb(b.begin(), b.end());
  std::vector<SettingDifference> out;
  for (const auto& [k, v] : a) {
    const auto it = mb.find(k);
    if (it == mb.end()) out.push_back({k, v, "", true, false});
    else if (it->second != v) out.push_back({k, v, it->second, true, true});
  }
  for (const auto& [k, v] : b)
    if (!ma.count(k)) out.push_back({k, "", v, false, true});
  return out;
}

Json structure_json(const Scenario& s, const Organisation& org) {
  const auto tiers = ordered_tiers(s);
  const auto community = communities_of(s, org);
  std::set<std::uint32_t> communities;
  for (auto c : community)
    if (c != kNoUnit) communities.insert(c);
  std::set<std::string> home_groups;
  for (const auto& p : s.populations) home_groups.insert(p.at);
  std::uint64_t home_units = 0;
  std::vector<int> connected(s.units.size(), 0);
  for (const auto& u : org.units()) {
    connected[u.group] += u.connected;
    home_units += home_groups.count(s.units[u.group].name);
  }
  Json out;
  out["tiers"] = tiers;
  out["communities"] = communities.size();
  out["home_units"] = home_units;
  Json& groups = out["groups"] = Json::array();
  for (std::size_t g = 0; g < s.units.size(); ++g) {
    const auto& u = s.units[g];
    groups.push_back({{"name", u.name},
                      {"kind", to_string(u.kind)},
                      {"tier", u.tier},
                      {"count", u.count},
                      {"staff", u.staff},
                      {"parent", u.parent.empty() ? Json(nullptr) : Json(u.parent)},
                      {"connected", connected[g]},
                      {"volunteers", u.volunteers},
                      {"diverted_hours_per_year", json_number(u.admin_hours_per_year + u.economic_hours_per_year)},
                      {"home", home_groups.count(u.name) > 0}});
  }
  std::map<std::tuple<std::uint32_t, std::uint32_t, int>, int> links;
  const auto& graph = org.graph();
  for (auto e : boost::make_iterator_range(boost::edges(graph)))
    ++links[{org.unit(static_cast<std::uint32_t>(boost::source(e, graph))).group,
             org.unit(static_cast<std::uint32_t>(boost::target(e, graph))).group, graph[e].kind}];
  Json& out_links = out["links"] = Json::array();
  for (const auto& [k, n] : links)
    out_links.push_back({{"from", s.units[std::get<0>(k)].name},
                         {"to", s.units[std::get<1>(k)].name},
                         {"kind", kEdgeKinds[std::get<2>(k) & 3]},
                         {"count", n}});
  return out;
}

Json option_json(const Scenario& option, const Scenario& baseline, const std::vector<std::string>& overrides) {
  const Organisation org(option);
  const auto mine = flattened_settings(option.path, overrides);
  Json out;
  out["differences_from_baseline"] =
      differences_json(setting_differences(mine, flattened_settings(baseline.path, overrides)));
  if (option.files.size() > 1) {
    out["extends"] = option.files[1];
    out["differences_from_parent"] =
        differences_json(setting_differences(mine, flattened_settings(option.files[1], overrides)));
  } else {
    out["extends"] = nullptr;
    out["differences_from_parent"] = nullptr;
  }
  // Resources.
  std::uint64_t staff = 0, volunteers = 0, residents = 0;
  std::map<std::string, std::uint64_t> by_tier;
  Json staff_by_group = Json::object();
  for (const auto& u : option.units) {
    const std::uint64_t n = static_cast<std::uint64_t>(u.count) * static_cast<std::uint64_t>(u.staff);
    staff += n;
    volunteers += static_cast<std::uint64_t>(u.count) * static_cast<std::uint64_t>(u.volunteers);
    by_tier[u.tier] += n;
    staff_by_group[u.name] = n;
  }
  for (const auto& p : option.populations)
    if (const UnitGroup* at = option.unit_group(p.at))
      residents += static_cast<std::uint64_t>(at->count) * static_cast<std::uint64_t>(p.residents_per_unit);
  int connected = 0;
  for (const auto& u : org.units()) connected += u.connected;
  Json staff_by_tier = Json::object();
  for (const auto& [t, n] : by_tier) staff_by_tier[t] = n;
  out["resources"] = {
      {"staff", staff},
      {"volunteers", volunteers},
      {"staff_by_group", std::move(staff_by_group)},
      {"staff_by_tier", std::move(staff_by_tier)},
      {"units", org.size()},
      {"connected_units", connected},
      {"platform_coverage", json_number(option.platform.coverage)},
      {"residents", residents},
      {"staff_per_10000_residents",
       json_number(residents ? 1e4 * static_cast<double>(staff) / static_cast<double>(residents) : 0.0)}};
  out["structure"] = structure_json(option, org);
  return out;
}

std::string structure_dot(const Scenario& s, const Organisation& org) {
  const auto tiers = ordered_tiers(s);
  const auto community = communities_of(s, org);
  // Nodes: (community or kNoUnit, group) -> members.
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<std::uint32_t>> members;
  for (std::uint32_t u = 0; u < org.size(); ++u) members[{community[u], org.unit(u).group}].push_back(u);
  // Communities by make-up; when every community looks alike and there are many, draw three.
  std::map<std::uint32_t, std::vector<std::pair<std::uint32_t, std::size_t>>> makeup;
  for (const auto& [k, v] : members)
    if (k.first != kNoUnit) makeup[k.first].emplace_back(k.second, v.size());
  std::set<std::vector<std::pair<std::uint32_t, std::size_t>>> kinds_of_makeup;
  for (const auto& [c, m] : makeup) kinds_of_makeup.insert(m);
  constexpr std::size_t kShown = 3;
  const bool collapse = makeup.size() > 6 && kinds_of_makeup.size() == 1;
  std::set<std::uint32_t> shown;
  for (const auto& [c, m] : makeup)
    if (!collapse || shown.size() < kShown) shown.insert(c);
  std::map<std::uint32_t, std::string> node_of;  // unit -> node id
  std::ostringstream dot;
  dot << "// govsim-structure: " << json_line(structure_json(s, org)) << "\n";
  dot << "digraph organisation {\n  newrank=true;\n  rankdir=BT;\n  compound=true;\n"
      << "  graph [fontsize=11, label=" << dot_string(s.name + ": " + std::to_string(makeup.size()) +
                                                        " communities, " + std::to_string(org.size()) + " units")
      << ", labelloc=t];\n  node [shape=box, fontsize=10];\n";
  std::map<std::string, std::vector<std::string>> rank;  // tier -> node ids
  int next = 0;
  auto emit_node = [&](const std::string& indent, std::uint32_t comm, std::uint32_t g,
                       const std::vector<std::uint32_t>& units) {
    std::string id = "n";
    id += std::to_string(next++);
    const UnitGroup& grp = s.units[g];
    int connected = 0;
    for (auto u : units) node_of[u] = id, connected += org.unit(u).connected;
    std::ostringstream label_text;
    if (units.size() == 1) label_text << org.unit(units[0]).name;
    else label_text << grp.name << " x " << units.size();
    label_text << "\n" << to_string(grp.kind) << ", staff " << grp.staff;
    const std::string label = label_text.str();
    dot << indent << id << " [label=" << dot_string(label) << ", tier=" << dot_string(grp.tier)
        << ", group=" << dot_string(grp.name) << ", kind=\"" << to_string(grp.kind) << "\", count=" << units.size()
        << ", staff=" << grp.staff << (comm != kNoUnit ? ", community=" + dot_string(org.unit(comm).name) : "")
        << (connected ? ", style=filled, fillcolor=\"#dddddd\"" : "") << "];\n";
    rank[grp.tier].push_back(id);
  };
  for (const auto& [k, units] : members)
    if (k.first == kNoUnit) emit_node("  ", kNoUnit, k.second, units);
  for (const auto c : shown) {
    dot << "  subgraph cluster_c" << c << " {\n    label=" << dot_string("community " + org.unit(c).name)
        << ";\n    style=rounded;\n";
    for (const auto& [g, n] : makeup[c]) emit_node("    ", c, g, members[{c, g}]);
    dot << "  }\n";
  }
  if (shown.size() < makeup.size()) {
    const std::string id = "n" + std::to_string(next++);
    dot << "  " << id << " [shape=note, label="
        << dot_string("+ " + std::to_string(makeup.size() - shown.size()) + " more communities of the same make-up")
        << "];\n";
    if (!tiers.empty() && !makeup.empty()) rank[s.units[makeup.begin()->second.front().first].tier].push_back(id);
  }
  for (const auto& t : tiers)
    if (rank.count(t)) {
      dot << "  { rank=same;";
      for (const auto& id : rank[t]) dot << " " << id << ";";
      dot << " }\n";
    }
  const char* styles[] = {"solid", "dashed", "dotted", "bold"};
  std::set<std::tuple<std::string, std::string, int>> drawn;
  const auto& graph = org.graph();
  for (auto e : boost::make_iterator_range(boost::edges(graph))) {
    const auto a = node_of.find(static_cast<std::uint32_t>(boost::source(e, graph)));
    const auto b = node_of.find(static_cast<std::uint32_t>(boost::target(e, graph)));
    if (a == node_of.end() || b == node_of.end() || a->second == b->second) continue;
    if (!drawn.insert({a->second, b->second, graph[e].kind}).second) continue;
    dot << "  " << a->second << " -> " << b->second << " [style=" << styles[graph[e].kind & 3] << "];\n";
  }
  // Legend.
  dot << "  subgraph cluster_legend {\n    label=\"legend\";\n    style=dashed;\n"
      << "    legend_a [shape=plaintext, label=\"\"];\n    legend_b [shape=plaintext, label=\"\"];\n"
      << "    legend_c [shape=plaintext, label=\"\"];\n    legend_d [shape=plaintext, label=\"\"];\n"
      << "    legend_e [shape=plaintext, label=\"\"];\n    legend_f [shape=plaintext, label=\"\"];\n"
      << "    legend_g [shape=box, style=filled, fillcolor=\"#dddddd\", label=\"on the data platform\"];\n"
      << "    legend_a -> legend_b [style=solid, label=\"hierarchy (to parent)\"];\n"
      << "    legend_c -> legend_d [style=dashed, label=\"referral\"];\n"
      << "    legend_e -> legend_f [style=dotted, label=\"routing\"];\n  }\n";
  dot << "}\n";
  return dot.str();
}

}  // namespace govsim
