// models/app/input/scenario_merge.cpp: `extends` chains and --set overrides (see scenario_merge.hpp).
#include "models/app/input/scenario_merge.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "models/app/input/suggest.hpp"
#include "models/app/input/yaml_input.hpp"
#include "models/domain/input_error.hpp"

namespace govsim {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxChain = 32;  // files in one `extends` chain

/// One file of a chain, parsed: a non-empty mapping.
YAML::Node parse_scenario(const std::string& text, const std::string& file) {
  YAML::Node node = parse_guarded_yaml(text, file);
  if (node.IsNull()) {
    if (text.empty()) throw InputError(file, 0, 0, "the file is empty");
    throw InputError(file, 0, 0, "the file is empty of YAML: its " + std::to_string(text.size()) +
                                        " bytes are white space, line breaks or comments");
  }
  if (!node.IsMap()) fail_mark(file, node.Mark(), "a scenario must be a mapping of keys to values");
  return node;
}

void record_provenance(const YAML::Node& node, const std::string& path, const std::string& file, Provenance& prov) {
  prov.file_of[path] = file;
  if (node.IsMap())
    for (const auto& kv : node) record_provenance(kv.second, path + "." + kv.first.Scalar(), file, prov);
}

/// In a file that extends another, an entry of `units` or `request_types`
/// that the chain above does not define is a new one only if it says so
/// (`kind:` for a unit group, `deadline_h:` or `deadline_working_days:` for a
/// request type); otherwise
/// it is taken for a misspelt name, which would silently add an idle group
/// or an unused type.
void check_new_entries(const YAML::Node& base, const YAML::Node& over, const std::string& file) {
  struct Collection {
    const char* key;
    const char* what;
    const char* marker;
  };
  for (const Collection c : {Collection{"units", "unit group", "kind"}, Collection{"request_types", "request type", "deadline_h"}}) {
    const YAML::Node theirs = base[c.key], ours = over[c.key];
    if (!theirs.IsDefined() || !theirs.IsMap() || !ours.IsDefined() || !ours.IsMap()) continue;
    for (const auto& kv : ours) {
      const std::string name = kv.first.Scalar();
      if (kv.second.IsNull() || theirs[name].IsDefined()) continue;
      if (kv.second.IsMap() && kv.second[c.marker].IsDefined()) continue;
      if (kv.second.IsMap() && std::string(c.key) == "request_types" && kv.second["deadline_working_days"].IsDefined())
        continue;  // the other way to give a deadline
      std::string best;
      std::size_t distance = 1000;
      for (const auto& t : theirs)
        if (const std::size_t d = edit_distance(name, t.first.Scalar()); d < distance) distance = d, best = t.first.Scalar();
      std::string message = "`" + name + "` is no " + std::string(c.what) + " of the scenario this file extends";
      if (!best.empty() && distance <= std::max<std::size_t>(3, name.size() / 3)) message += "; did you mean `" + best + "`?";
      message += " (a new " + std::string(c.what) + " in an extending file must give `" + c.marker + ":`)";
      fail_mark(file, kv.first.Mark(), message);
    }
  }
}

/// Deep-merges `over` into `base` (both maps). Null removes a key.
void merge_into(YAML::Node base, const YAML::Node& over, const std::string& path, const std::string& file,
                Provenance& prov) {
  for (const auto& kv : over) {
    const std::string key = kv.first.Scalar();
    const std::string child = path.empty() ? key : path + "." + key;
    if (kv.second.IsNull()) {
      base.remove(key);
      continue;
    }
    prov.key_mark[child] = kv.first.Mark();
    if (kv.second.IsMap() && base[key].IsMap()) {
      merge_into(base[key], kv.second, child, file, prov);
    } else {
      base[key] = kv.second;  // the key node is new (no position): messages fall back to the value's
      record_provenance(kv.second, child, file, prov);
    }
  }
}

std::string canonical_name(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  if (ec) p = fs::absolute(path, ec).lexically_normal();  // e.g. a name too long: read_text says why
  return p.string();
}

/// Loads `path` (or `text`, given as the content of `path`) and the files it extends, merged.
YAML::Node load_chain(const std::string& path, const std::string* text, std::vector<std::string>& chain,
                      std::vector<std::string>& names, Provenance& prov) {
  chain.push_back(canonical_name(path));
  names.push_back(path);
  YAML::Node own = parse_scenario(text ? *text : read_input_file(path, "scenario", kMaxScenarioFileBytes), path);
  YAML::Node merged(YAML::NodeType::Map);
  if (own["extends"]) {
    const YAML::Node ext = own["extends"];
    if (!ext.IsScalar() || ext.Scalar().empty()) fail_mark(path, ext.Mark(), "`extends` must be a file name");
    const std::string base = (fs::path(path).parent_path() / ext.Scalar()).string();
    const std::string canonical = canonical_name(base);
    if (const auto seen = std::find(chain.begin(), chain.end(), canonical); seen != chain.end()) {
      std::string cycle;
      for (auto n = names.begin() + (seen - chain.begin()); n != names.end(); ++n) cycle += *n + " -> ";
      fail_mark(path, ext.Mark(), "`extends: " + ext.Scalar() + "` forms a cycle: " + cycle + base);
    }
    if (chain.size() >= kMaxChain)
      fail_mark(path, ext.Mark(), "the `extends` chain is longer than " + std::to_string(kMaxChain) + " files");
    try {
      merged = load_chain(base, nullptr, chain, names, prov);
    } catch (const InputError& e) {
      // The base file itself is unusable (missing, a folder, empty...): say so where it is named.
      if (e.line() == 0 && e.file() == base)
        fail_mark(path, ext.Mark(), "`extends: " + ext.Scalar() + "`: " + base + ": " + e.message());
      throw;
    }
  }
  own.remove("extends");
  if (merged.size() > 0) check_new_entries(merged, own, path);  // this file extends another
  merge_into(merged, own, "", path, prov);
  return merged;
}

/// Maps whose keys are names the scenario defines (unit groups, request
/// types, populations, resident groups): a path through one must name an
/// entry that exists, or a typo would silently create a new, idle entry.
const char* named_collection(const std::vector<std::string>& parts, std::size_t i) {
  if (i == 1 && parts[0] == "units") return "unit group";
  if (i == 1 && parts[0] == "request_types") return "request type";
  if (i == 1 && parts[0] == "populations") return "population";
  if (i == 3 && parts[0] == "populations" && parts[2] == "groups") return "resident group";
  return nullptr;
}

}  // namespace

std::string path_problem(const YAML::Node& root, const std::vector<std::string>& parts) {
  YAML::Node n = root;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!n.IsMap()) return "";  // the walk in apply_override says what is wrong
    const YAML::Node here = n;
    const YAML::Node next = here[parts[i]];
    if (const char* what = named_collection(parts, i); what && (!next.IsDefined() || next.IsNull())) {
      std::string best, path;
      std::size_t distance = 1000;
      for (const auto& kv : n)
        if (const std::size_t d = edit_distance(parts[i], kv.first.Scalar()); d < distance)
          distance = d, best = kv.first.Scalar();
      for (std::size_t j = 0; j < i; ++j) path += parts[j] + ".";
      std::string message = "`" + parts[i] + "` is not a " + what + " of this scenario (in `" +
                            path.substr(0, path.size() - 1) + "`: a path may only change what the scenario defines)";
      if (!best.empty() && distance <= std::max<std::size_t>(3, parts[i].size() / 3))
        message += "; did you mean `" + best + "`?";
      return message;
    }
    if (!next.IsDefined() || next.IsNull()) return "";
    n.reset(next);  // `n = next` would overwrite the document's node with its child
  }
  return "";
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream ss(path);
  for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
  if (!path.empty() && path.back() == '.') parts.emplace_back();
  return parts;
}

namespace {

void apply_override(YAML::Node root, const std::string& assignment, Provenance& prov) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError("--set", 0, 0, "`" + assignment + "` is not of the form path=value");
  const std::string path = assignment.substr(0, eq);
  if (assignment.find_first_not_of(" \t", eq + 1) == std::string::npos)
    throw InputError("--set", 0, 0, "`" + assignment + "` gives no value (an unset shell variable?); to remove a key, "
                                       "write `" + path + "=null`");
  YAML::Node value;
  try {
    value = parse_guarded_yaml(assignment.substr(eq + 1), "--set");
  } catch (const InputError& e) {
    std::string why = e.message();
    if (why.rfind("malformed YAML: ", 0) == 0) why.erase(0, 16);
    throw InputError("--set", 0, 0, "`" + assignment + "`: malformed value: " + why);
  }
  const std::vector<std::string> parts = split_path(path);
  for (const auto& part : parts)
    if (part.empty()) throw InputError("--set", 0, 0, "`" + path + "`: empty name in the path");
  if (parts.size() > static_cast<std::size_t>(kMaxYamlDepth))  // the file's own nesting limit
    throw InputError("--set", 0, 0, "`" + path.substr(0, 40) + "...`: the path is deeper than " +
                                         std::to_string(kMaxYamlDepth) + " levels");
  if (const std::string problem = path_problem(root, parts); !problem.empty())
    throw InputError("--set", 0, 0, "`" + path + "`: " + problem);
  std::vector<YAML::Node> nodes{root};
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    YAML::Node next = nodes.back()[parts[i]];
    if (!next.IsDefined() || next.IsNull()) {
      nodes.back()[parts[i]] = YAML::Node(YAML::NodeType::Map);
      next = nodes.back()[parts[i]];
    }
    if (!next.IsMap()) throw InputError("--set", 0, 0, "`" + path + "`: `" + parts[i] + "` is not a mapping");
    nodes.push_back(next);
  }
  if (value.IsNull())
    nodes.back().remove(parts.back());  // `--set units.office=null` removes, as in an extends file
  else
    nodes.back()[parts.back()] = value;
  prov.file_of[path] = "--set " + assignment;
}

}  // namespace

YAML::Node merged_document(const std::string& path, const std::string* text, const std::vector<std::string>& overrides,
                           Provenance& prov, std::vector<std::string>& chain) {
  prov.root = path;
  std::vector<std::string> names;
  YAML::Node root = load_chain(path, text, chain, names, prov);
  for (const auto& o : overrides) apply_override(root, o, prov);
  return root;
}
}  // namespace govsim
