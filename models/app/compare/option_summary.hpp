// models/app/compare/option_summary.hpp: what a reader needs to know about an option
// besides its results: how it differs from the baseline and from the file it
// extends, the resources it uses, and its structure in a compact form.
//
// Written into comparison.json (one entry per scenario under "options") so
// that the report needs nothing but the results folder; the structure also
// drives `govsim describe --dot`.
#pragma once

#include <string>
#include <vector>

#include "models/app/results/json.hpp"
#include "models/domain/organisation.hpp"
#include "models/domain/scenario.hpp"

namespace govsim {

/// One setting that differs: its path in the merged document and both values ("" when absent).
struct SettingDifference {
  std::string path, value, other;
  bool present = true, other_present = true;
};

/// The merged document of `path` (after extends and `overrides`) flattened to path -> value;
/// lists are kept whole (flow YAML); name, description and extends are left out.
std::vector<std::pair<std::string, std::string>> flattened_settings(const std::string& path,
                                                                    const std::vector<std::string>& overrides);

/// The settings of `a` that differ from `b`.
std::vector<SettingDifference> setting_differences(const std::vector<std::pair<std::string, std::string>>& a,
                                                   const std::vector<std::pair<std::string, std::string>>& b);

/// The JSON object of one option: {"differences_from_baseline", "extends", "differences_from_parent",
/// "resources", "structure"}. `overrides` are the command line's --set values (applied to every file).
Json option_json(const Scenario& option, const Scenario& baseline, const std::vector<std::string>& overrides);

/// {"tiers": [...top first], "communities": N, "home_units": N, "groups": [...], "links": [...]}.
Json structure_json(const Scenario& scenario, const Organisation& org);

/// Graphviz DOT of the organisation: one cluster per community, one rank per tier, members of a
/// unit group within a community drawn as one node ("committee x 5"), a legend; when many
/// communities have the same make-up, three are drawn and the rest counted.
std::string structure_dot(const Scenario& scenario, const Organisation& org);

}  // namespace govsim
