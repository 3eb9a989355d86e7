// models/app/input/parameter_docs.cpp: tables and schema from the parameter tables (see parameter_docs.hpp).
#include "models/app/input/parameter_docs.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <limits>
#include <stdexcept>

namespace govsim {
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

std::string cell(const std::string& text) {
  std::string out;
  for (const char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string code(const std::string& text) { return text.empty() ? "" : "`" + text + "`"; }

std::string type_text(const Parameter& p) {
  if (p.type == ParameterType::choice) {
    std::string s;
    for (const auto& c : p.choices) s += (s.empty() ? "" : ", ") + c;
    return "one of: " + s;
  }
  return to_string(p.type);
}

std::string default_cell(const Parameter& p) {
  if (!p.default_value.empty()) return code(p.default_value) + (p.default_note.empty() ? "" : " (" + p.default_note + ")");
  return p.default_note;
}

InputKind kind_named(const std::string& name) {
  if (name == "scenario") return InputKind::scenario;
  if (name == "sweep") return InputKind::sweep;
  if (name == "targets") return InputKind::targets;
  throw std::invalid_argument("no parameter tables for `" + name + "` files (scenario, sweep or targets)");
}

std::string prefix_of(const std::string& path) { return path == "scenario" || path == "distribution" ? "" : path + "."; }

// --- JSON Schema -------------------------------------------------------------

Json nullable(const char* type) { return Json::array({type, "null"}); }

std::string description(const Parameter& p) {
  std::string d = p.meaning;
  if (!d.empty()) d[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(d[0])));
  if (!p.unit.empty()) d += " (" + p.unit + ")";
  d += ".";
  if (!p.default_value.empty()) d += " Default " + p.default_value + ".";
  else if (!p.default_note.empty()) d += " Default: " + p.default_note + ".";
  return d;
}

void add_range(Json& j, const Parameter& p) {
  if (p.low > -std::numeric_limits<double>::infinity()) j[p.low_open ? "exclusiveMinimum" : "minimum"] = p.low;
  if (p.high < std::numeric_limits<double>::infinity() && p.high < 1e18)
    j[p.high_open ? "exclusiveMaximum" : "maximum"] = p.high;
}

void merge(Json& j, const std::string& extra) {
  if (extra.empty()) return;
  const Json parsed = Json::parse(extra);  // named: items() only refers to it
  for (const auto& [k, v] : parsed.items()) j[k] = v;
}

const Section* find_section(const std::string& path) {
  for (const auto& s : sections(InputKind::scenario))
    if (s.path == path) return &s;
  return nullptr;
}

Json object_schema(const Section& s);

Json property_schema(const Parameter& p, const std::string& child) {
  Json j = Json::object();
  switch (p.type) {
    case ParameterType::number: j["type"] = nullable("number"); add_range(j, p); break;
    case ParameterType::integer: j["type"] = nullable("integer"); add_range(j, p); break;
    case ParameterType::boolean: j["type"] = nullable("boolean"); break;
    case ParameterType::text: j["type"] = nullable("string"); break;
    case ParameterType::choice: {
      Json values = Json::array();
      for (const auto& c : p.choices) values.push_back(c);
      values.push_back(nullptr);
      j["enum"] = values;
      break;
    }
    case ParameterType::distribution: return Json{{"$ref", "#/$defs/duration"}};
    case ParameterType::list:
      j["type"] = nullable("array");
      if (const Section* items = find_section(child + "[]")) j["items"] = object_schema(*items);
      break;
    case ParameterType::mapping:
      if (const Section* inner = find_section(child)) {
        j = object_schema(*inner);
      } else if (const Section* each = find_section(child + ".*")) {
        j["type"] = nullable("object");
        j["additionalProperties"] = object_schema(*each);
      } else {
        j["type"] = nullable("object");
      }
      break;
  }
  merge(j, p.schema);
  if (!j.contains("description")) j["description"] = description(p);
  return j;
}

Json object_schema(const Section& s) {
  Json j = Json::object();
  j["type"] = nullable("object");
  j["description"] = s.meaning.empty() ? s.meaning : std::string(1, static_cast<char>(std::toupper(s.meaning[0]))) + s.meaning.substr(1) + ".";
  j["additionalProperties"] = false;
  // Lists are replaced whole by an extending file, so their items must be complete;
  // mappings merge key by key, so a key required of the merged document may be absent from one file.
  Json required = Json::array();
  if (s.path.size() > 2 && s.path.substr(s.path.size() - 2) == "[]")
    for (const auto& p : s.parameters)
      if (p.required()) required.push_back(p.key);
  if (!required.empty()) j["required"] = required;
  Json props = Json::object();
  const std::string base = s.path.size() > 2 && s.path.substr(s.path.size() - 2) == "[]" ? s.path : prefix_of(s.path);
  for (const auto& p : s.parameters) props[p.key] = property_schema(p, base == s.path ? s.path + "." + p.key : base + p.key);
  j["properties"] = props;
  merge(j, s.schema);
  return j;
}

}  // namespace

std::string section_markdown(const Section& s) {
  std::ostringstream out;
  out << "| key | type | default | range | unit | meaning | source |\n|---|---|---|---|---|---|---|\n";
  for (const auto& p : s.parameters)
    out << "| `" << p.key << "` | " << cell(type_text(p)) << " | " << cell(default_cell(p)) << " | " << cell(p.range_text())
        << " | " << cell(p.unit) << " | " << cell(p.meaning) << " | " << cell(p.source) << " |\n";
  return out.str();
}

std::string defaults_markdown() {
  std::ostringstream out;
  out << "| key | unit | default | range | grade, source |\n|---|---|---|---|---|\n";
  for (const auto& s : sections(InputKind::scenario)) {
    if (s.path == "distribution" || s.path == "uncertain.*" || s.path == "scenario") continue;
    for (const auto& p : s.parameters) {
      if (p.default_value.empty() || p.documentation_only) continue;
      std::string path = s.path;
      for (const auto& [from, to] : {std::pair<std::string, std::string>{"units.*", "units.G"}, {"request_types.*", "request_types.T"},
                                     {"calendars.*", "calendars.C"}, {"populations.*", "populations.P"}, {".groups.*", ".groups.R"}})
        if (const auto at = path.find(from); at != std::string::npos) path.replace(at, from.size(), to);
      out << "| `" << path << "." << p.key << "` | " << cell(p.unit) << " | " << cell(p.default_value) << " | "
          << cell(p.range_text()) << " | " << cell(p.source) << " |\n";
    }
  }
  return out.str();
}

std::string generated_table(const std::string& name) {
  const auto slash = name.find('/');
  if (slash == std::string::npos) throw std::invalid_argument("`" + name + "` names no table (KIND/SECTION, e.g. scenario/units.*)");
  const InputKind kind = kind_named(name.substr(0, slash));
  const std::string path = name.substr(slash + 1);
  if (kind == InputKind::scenario && path == "defaults") return defaults_markdown();
  for (const auto& s : sections(kind))
    if (s.path == path) return section_markdown(s);
  throw std::invalid_argument("`" + name + "` names no table: no section `" + path + "`");
}

std::string scenario_schema_json() {
  Json root = Json::object();
  root["$schema"] = "http://json-schema.org/draft-07/schema#";
  root["title"] = "govsim scenario";
  root["description"] =
      "A govsim scenario file (docs/scenario-format.md). Generated from models/app/input/parameters.cpp by govsim_docgen: "
      "do not edit. Any key may be null, which removes what an `extends` parent set. govsim checks more than a schema "
      "can (references between units, shares summing to 1): run `govsim check FILE`.";
  root["type"] = "object";
  root["additionalProperties"] = false;
  Json defs = Json::object();
  defs["duration"] = Json{{"description", "Hours: a number (deterministic) or a distribution mapping."},
                          {"anyOf", Json::array({Json{{"type", "number"}, {"minimum", 0}}, Json{{"type", "null"}},
                                                 Json{{"$ref", "#/$defs/distribution"}}})}};
  const Section& dist = scenario_section("distribution");
  Json distribution = object_schema(dist);
  distribution["type"] = "object";
  distribution["required"] = Json::array({"dist"});
  Json component = distribution;
  component["required"] = Json::array({"dist", "weight"});
  component["description"] = "One component of a mixture: a distribution with a `weight`.";
  defs["distribution"] = distribution;
  defs["component"] = component;
  defs["date"] = Json{{"type", "string"}, {"pattern", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}, {"format", "date"},
                      {"description", "An ISO date, YYYY-MM-DD, that exists (2012-02-29 yes, 2013-02-29 no)."}};
  root["$defs"] = defs;
  const Json top = object_schema(scenario_section("scenario"));
  root["properties"] = top["properties"];
  return root.dump(1, ' ', false) + "\n";
}

std::string regenerate_markers(const std::string& doc) {
  static const std::string open = "<!-- parameters:";
  std::string out;
  std::size_t at = 0;
  while (true) {
    const auto b = doc.find(open, at);
    if (b == std::string::npos) break;
    const auto close = doc.find(" -->", b);
    if (close == std::string::npos) throw std::invalid_argument("a `" + open + "` marker is never closed");
    const std::string marker = doc.substr(b + open.size(), close - b - open.size());
    const auto space = marker.rfind(' ');
    if (space == std::string::npos || marker.substr(space + 1) != "begin")
      throw std::invalid_argument("`" + open + marker + " -->` is not a begin marker");
    const std::string name = marker.substr(0, space);
    const std::string end = open + name + " end -->";
    const auto e = doc.find(end, close);
    if (e == std::string::npos) throw std::invalid_argument("no `" + end + "` after its begin marker");
    const auto body = doc.find('\n', close) + 1;
    out += doc.substr(at, body - at) + generated_table(name) + end;
    at = e + end.size();
  }
  return out + doc.substr(at);
}

std::vector<GeneratedFile> generated_docs(const std::string& root) {
  std::vector<GeneratedFile> files;
  files.push_back({"docs/scenario.schema.json", scenario_schema_json()});
  std::vector<fs::path> docs;
  for (const auto& entry : fs::directory_iterator(fs::path(root) / "docs"))
    if (entry.path().extension() == ".md") docs.push_back(entry.path());
  std::sort(docs.begin(), docs.end());
  for (const auto& d : docs) {
    std::ifstream in(d, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find("<!-- parameters:") == std::string::npos) continue;
    files.push_back({"docs/" + d.filename().string(), regenerate_markers(text.str())});
  }
  return files;
}

}  // namespace govsim
