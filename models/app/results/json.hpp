// models/app/results/json.hpp: the JSON files govsim writes and reads (summary.json,
// comparison.json, a sweep's plan.json and manifest.json, the metric
// registry), built as nlohmann::ordered_json values (keys stay in the order
// they are set) and written in one layout.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace govsim {

using Json = nlohmann::ordered_json;

/// `v` as a JSON number, or null when it is not finite (NaN: not defined; ±inf).
Json json_number(double v);

/// The text of a JSON document: the top-level object or array one member per
/// line, and so a list of records in it (a member whose members are all
/// objects or lists: metric rows, registry entries); anything else on its
/// member's line (`"scenario": {"name": "a", "files": ["a.yaml"]}`). Ends
/// with a newline. Strings are UTF-8 as they are, with invalid bytes replaced by
/// U+FFFD; numbers round-trip (shortest form that reads back equal).
std::string json_text(const Json& doc);

/// One line (`{"a": 1, "b": [2, 3]}`), no newline: for a value inside other
/// text (a message, a comment line of a DOT file).
std::string json_line(const Json& value);

/// Parses `text`; throws std::runtime_error "`name`: not valid JSON (...)".
Json parse_json(const std::string& text, const std::string& name);

/// Where two JSON values first differ: the path of the member (`design.seed`;
/// an element of a list of objects that all have a "name" is named by it:
/// `parameters.centre_staff.values`), and each side's value on one line
/// ("absent" where a member is missing). Members are visited in `a`'s order,
/// then those only `b` has. Lists other than such lists differ as a whole.
struct JsonDifference {
  std::string path, a, b;
};
std::optional<JsonDifference> first_difference(const Json& a, const Json& b);

}  // namespace govsim
