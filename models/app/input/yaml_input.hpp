// models/app/input/yaml_input.hpp: the guard every YAML input file passes first.
//
// Scenario, sweep and targets files are read as text (read_input_file:
// folders, devices and oversized files refused before reading) and parsed by
// parse_guarded_yaml: binary data, alias bombs, recursive aliases, nesting
// deeper than 64 levels, more than a million nodes once aliases are
// expanded, duplicate keys, keys that are not text, quotes never closed and
// second documents are refused with a one-line InputError naming the file,
// line and column, before any walk of the tree could take exponential time.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>

#include "models/domain/input_error.hpp"

namespace govsim {

// Limits on what an input file may be. Hand-written files are small; the
// limits keep every step below linear-ish in the input, so that a hostile or
// broken file is refused in milliseconds instead of exhausting time or memory.
inline constexpr std::uintmax_t kMaxScenarioFileBytes = 8u << 20;
inline constexpr int kMaxYamlDepth = 64;                  // nesting, counted after expanding aliases
inline constexpr std::uint64_t kMaxYamlNodes = 1000000;  // nodes, counted after expanding aliases
inline constexpr std::size_t kMaxYamlKeys = 1000;         // keys in one mapping (yaml-cpp looks keys up linearly)

/// Parses YAML text: the structure guard first, then yaml-cpp's tree. Errors
/// (InputError) name `file`; an empty text gives a null node.
YAML::Node parse_guarded_yaml(const std::string& text, const std::string& file);

/// The text of an input file, refusing what cannot be one before reading it:
/// missing, a folder, not a regular file (a device or pipe could block or
/// never end), or larger than `max_bytes`. `kind` names the file in messages
/// ("scenario", "sweep", "targets"). Throws InputError.
std::string read_input_file(const std::string& file, const std::string& kind, std::uintmax_t max_bytes);

/// Throws InputError at `mark` (1-based line and column; none when the mark has no place).
[[noreturn]] void fail_mark(const std::string& file, const YAML::Mark& mark, const std::string& message);

}  // namespace govsim
