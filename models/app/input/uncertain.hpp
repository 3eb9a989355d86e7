// models/app/input/uncertain.hpp: uncertain parameters declared in a scenario file.
//
// A scenario's top-level `uncertain:` section maps a parameter path (as
// --set takes it, e.g. `units.centre.staff`) to its plausible range or
// distribution, its source and a grade of evidence:
//
//   uncertain:
//     units.centre.staff: {dist: integer, low: 4, high: 12, grade: C, source: "assumption"}
//     handoffs.redocumentation_h: {dist: triangular, low: 0.25, mode: 0.5, high: 2, grade: B, source: "..."}
//
// Declarations merge through `extends` like any mapping (an extending file
// may change one field of a declaration, or remove it with null). Every
// declaration must name a value the scenario writes; `govsim explore` samples
// them (docs/uncertainty.md).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "models/domain/uncertain_parameter.hpp"

namespace YAML {
class Node;
}

namespace govsim {

/// Reports an error at a node: `path` is the dotted path of what is wrong
/// (under "uncertain."), for the file it came from. Must throw.
using UncertainFail = std::function<void(const std::string& path, const YAML::Node& at, const std::string& message)>;

/// Reads and validates the `uncertain` section against the merged document
/// `root` (paths must name values it sets). Errors go through `fail`.
std::vector<UncertainParameter> read_uncertain(const YAML::Node& section, const YAML::Node& root,
                                               const UncertainFail& fail);

/// Why `path` names no value in the merged document `root` (with a did-you-mean), or "" when it does.
std::string uncertain_path_problem(const YAML::Node& root, const std::string& path);

/// The uncertain parameters as an aligned text table (govsim describe); "" when there are none.
std::string uncertain_table(const std::vector<UncertainParameter>& params);

/// The uncertain parameters as a Markdown table (path, distribution and range,
/// nominal value, grade, source): the input-data table of docs/ODD.md
/// (`govsim describe SCENARIO --uncertain-table`). Just the header when there are none.
std::string uncertain_markdown(const std::vector<UncertainParameter>& params);

}  // namespace govsim
