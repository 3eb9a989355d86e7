// models/scenario_loader.hpp: YAML scenario files -> validated Scenario.
//
// A scenario may `extends:` another file (relative to its own folder): maps
// are merged key by key (the child wins), lists and scalars are replaced, and
// a key set to null is removed. `--set path=value` overrides are applied to
// the merged document before it is read. Every key is checked: an unknown key
// is an error that suggests the nearest valid one; every error names the file,
// line and column (1-based).
#pragma once

#include <string>
#include <vector>

#include "models/scenario.hpp"

namespace govsim {

/// Loads and validates; throws ScenarioError.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

/// Loads and validates scenario text as if it were the content of the file
/// `name` (which need not exist): messages name it, and `extends` is resolved
/// relative to its folder. For tools that hold the text already (the fuzzer).
/// Throws ScenarioError.
Scenario load_scenario_text(const std::string& text, const std::string& name,
                            const std::vector<std::string>& overrides = {});

/// The merged YAML document of a scenario (after extends and overrides), as text.
std::string merged_scenario_text(const std::string& path, const std::vector<std::string>& overrides = {});

/// Edit distance, for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace govsim
