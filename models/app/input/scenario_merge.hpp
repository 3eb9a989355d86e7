// models/app/input/scenario_merge.hpp: a scenario's `extends` chain and --set overrides, merged.
//
// A scenario may `extends:` another file (relative to its own folder): maps
// are merged key by key (the child wins), lists and scalars are replaced, and
// a key set to null is removed. `--set path=value` overrides are applied to
// the merged document before it is read. Provenance records which file wrote
// each path, so that the reader's errors name the right file.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "models/app/input/provenance.hpp"

namespace govsim {

/// The merged document of `path` (or of `text`, given as the content of
/// `path`, when not null) with `overrides` applied. Fills `prov` and `chain`
/// (the files of the extends chain, canonical names, base last). Throws InputError.
YAML::Node merged_document(const std::string& path, const std::string* text, const std::vector<std::string>& overrides,
                           Provenance& prov, std::vector<std::string>& chain);

/// Why `parts` (a dotted path, split) names nothing in `root`, or "" when it names (or may add) a key.
std::string path_problem(const YAML::Node& root, const std::vector<std::string>& parts);

/// A dotted path split at its dots (a trailing dot gives an empty last part).
std::vector<std::string> split_path(const std::string& path);

}  // namespace govsim
