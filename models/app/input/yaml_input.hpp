// models/app/input/yaml_input.hpp: YAML text parsed with the scenario loader's guards.
//
// For govsim's other input files (sweep files): binary data, alias bombs,
// recursive aliases, nesting deeper than 64 levels, more than a million nodes
// once aliases are expanded, duplicate keys and second documents are refused
// with a one-line ScenarioError naming `file`, line and column, before any
// walk of the tree could take exponential time.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

namespace govsim {

YAML::Node parse_guarded_yaml(const std::string& text, const std::string& file);

}  // namespace govsim
