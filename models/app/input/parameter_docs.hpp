// models/app/input/parameter_docs.hpp: documentation generated from the parameter tables.
//
// docs/scenario.schema.json (the JSON Schema editors use) and the parameter
// tables of the docs are generated from models/app/input/parameters.cpp, so
// that a key, its default and its range are written in one place. A doc holds
// a generated table between two marker comments naming a table,
//
//   <!-- parameters:scenario/units.* begin -->
//   ...generated...
//   <!-- parameters:scenario/units.* end -->
//
// (kind/section path; `scenario/defaults` is docs/ODD.md's table of every
// default). `govsim_docgen ROOT` rewrites them; `govsim_docgen --check ROOT`
// (a ctest test) fails when a committed file differs from what it generates.
#pragma once

#include <string>
#include <vector>

#include "models/app/input/parameters.hpp"

namespace govsim {

/// One section's table, in Markdown: key, type, default, range, unit, meaning, source.
std::string section_markdown(const Section& section);
/// Every scenario parameter that has a default (dotted path, unit, default, range, source), in Markdown.
std::string defaults_markdown();
/// The generated table a marker names ("scenario/units.*", "sweep/design", "scenario/defaults");
/// throws std::invalid_argument for a name that is no table.
std::string generated_table(const std::string& name);
/// The JSON Schema of scenario files (draft-07), as the text of docs/scenario.schema.json.
std::string scenario_schema_json();

/// `doc` with the content between every pair of markers replaced by the table
/// the marker names. Throws std::invalid_argument for an unmatched marker.
std::string regenerate_markers(const std::string& doc);

/// A file the generator writes, with the text it should hold.
struct GeneratedFile {
  std::string path;  ///< relative to the repository root
  std::string text;
};
/// Every generated file under the repository `root`: the schema, and each
/// docs/*.md that holds markers (with its markers regenerated).
std::vector<GeneratedFile> generated_docs(const std::string& root);

}  // namespace govsim
