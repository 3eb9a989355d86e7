// models/app/input/parameters.hpp: the parameter tables of govsim's input files.
//
// One Section per mapping of a scenario, sweep or targets file (its path
// pattern, e.g. `units.*.oversight`, and one line saying what it is), one
// Parameter per key: its type, default, range, unit, meaning and where its
// value comes from. A key, its default and its range are written here once:
// the Reader (reader.hpp) takes them from the table when the loaders read,
// and the documentation (the tables of docs/scenario-format.md and
// docs/ODD.md, and docs/scenario.schema.json) is generated from the same
// tables (`govsim_docgen`, parameter_docs.hpp).
#pragma once

#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace govsim {

enum class ParameterType { number, integer, boolean, text, choice, distribution, list, mapping };
const char* to_string(ParameterType t) noexcept;

struct Parameter {
  std::string key;
  ParameterType type = ParameterType::number;
  /// The default as YAML text ("720", "true", "station", "{dist: exponential, mean: 2}"),
  /// read by the same code as a value in a file; "" when there is none.
  std::string default_value;
  /// What happens when the key is absent and there is no default_value
  /// ("required", "none: never abandons", "`handoffs.transfer_delay_h`").
  std::string default_note;
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  bool low_open = false, high_open = false;  ///< true: the bound itself is excluded
  std::string unit;     ///< "h", "share", "yuan per staff-hour"; "" when none
  std::string meaning;  ///< one line
  std::string source;   ///< where the value comes from: a grade (A/B/C) and/or a reference, "" for structure
  std::vector<std::string> choices;  ///< choice: the values allowed
  /// Read by no code (`description`): the reader counts it as read.
  bool documentation_only = false;
  /// Taken out of the document before it is read (`extends`): documented and in the schema, never read.
  bool merged_away = false;
  /// Extra JSON Schema keywords for this key's property, as a JSON object
  /// text (items of a list, a pattern), merged into what the type gives.
  std::string schema;

  bool required() const { return default_note == "required"; }
  bool has_range() const { return low > -std::numeric_limits<double>::infinity() || high < std::numeric_limits<double>::infinity(); }
  /// "(0, 876000]", ">= 0", "0 .. 3", "" for none: for tables and messages.
  std::string range_text() const;
  /// The default as the tables show it: the YAML text, else the note.
  std::string default_text() const;
};

struct Section {
  Section(std::string path_pattern, std::string one_line, std::vector<Parameter> rows, std::string schema_extra = {})
      : path(std::move(path_pattern)), meaning(std::move(one_line)), parameters(std::move(rows)), schema(std::move(schema_extra)) {}

  std::string path;     ///< "simulation", "units.*", "units.*.routing[]", "distribution"
  std::string meaning;  ///< one line
  std::vector<Parameter> parameters;
  /// Extra JSON Schema keywords for the section's object (if/then between keys), as a JSON object text.
  std::string schema;

  /// The parameter `key`, or nullptr.
  const Parameter* find(const std::string& key) const;
  /// The keys a file may write here (not those merged away), in table order.
  std::vector<std::string> keys() const;
};

/// Which file a table describes.
enum class InputKind { scenario, sweep, targets };

/// Every section of one kind of input file, in the order of its documentation.
const std::vector<Section>& sections(InputKind kind);
/// The section at `path` of a kind of input file; throws std::logic_error when there is none (a typo in the code).
const Section& section(InputKind kind, const std::string& path);
/// Scenario sections, the loader's common case.
inline const Section& scenario_section(const std::string& path) { return section(InputKind::scenario, path); }

}  // namespace govsim
