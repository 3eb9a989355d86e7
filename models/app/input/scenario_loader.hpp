// models/app/input/scenario_loader.hpp: YAML scenario files -> validated Scenario.
//
// A scenario may `extends:` another file (relative to its own folder): maps
// are merged key by key (the child wins), lists and scalars are replaced, and
// a key set to null is removed (scenario_merge.hpp). `--set path=value`
// overrides are applied to the merged document before it is read. Every key
// is checked against its section's parameter table (parameters.hpp): an
// unknown key is an error that suggests the nearest valid one; every error is
// an InputError naming the file, line and column (1-based).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/app/input/suggest.hpp"    // edit_distance, for callers that suggest names
#include "models/app/input/uncertain.hpp"  // the `uncertain:` section a loaded Scenario holds
#include "models/domain/scenario.hpp"

namespace govsim {

/// Loads and validates; throws InputError.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

/// Loads and validates scenario text as if it were the content of the file
/// `name` (which need not exist): messages name it, and `extends` is resolved
/// relative to its folder. For tools that hold the text already (the fuzzer).
/// Throws InputError.
Scenario load_scenario_text(const std::string& text, const std::string& name,
                            const std::vector<std::string>& overrides = {});

/// The merged YAML document of a scenario (after extends and overrides), as text.
std::string merged_scenario_text(const std::string& path, const std::vector<std::string>& overrides = {});

/// The scenario as a run used it, as YAML text with nothing left to resolve:
/// extends and overrides applied, `name`, `simulation.seed` and
/// `simulation.replications` set to what the run used. Running it again gives
/// byte-identical result files.
std::string resolved_scenario_text(const std::string& path, const std::vector<std::string>& overrides,
                                   const std::string& name, std::uint64_t seed, int replications);

/// Why the dotted `path` names nothing in the scenario (after `overrides`),
/// e.g. a unit group that does not exist, with a did-you-mean; "" when it is
/// fine. Throws InputError when the scenario itself cannot be read.
std::string override_path_problem(const std::string& path, const std::vector<std::string>& overrides,
                                  const std::string& dotted);

}  // namespace govsim
