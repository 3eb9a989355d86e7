// models/app/input/provenance.hpp: which file each value of a merged document came from.
//
// A scenario is merged from an `extends` chain and --set overrides; an error
// about a value must name the file (and line) that wrote it. A single file
// (a sweep or targets file) has an empty map: every path is the root's.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>

namespace govsim {

struct Provenance {
  std::map<std::string, std::string> file_of;  ///< dotted path -> file
  std::map<std::string, YAML::Mark> key_mark;  ///< dotted path -> where its key was written
  std::string root;                            ///< the file named by paths nobody else wrote

  /// The path without the top-level reader's "scenario." prefix (provenance stores "<key>").
  static std::string bare(const std::string& path);
  /// The file that wrote `path` (or its nearest ancestor), else `root`.
  std::string file(const std::string& path) const;
};

/// Throws InputError for the value at dotted `path`, placed at `node` in the
/// file that wrote it (no line and column for a value from --set).
[[noreturn]] void fail_at(const Provenance& prov, const std::string& path, const YAML::Node& node,
                          const std::string& message);

}  // namespace govsim
