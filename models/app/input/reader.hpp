// models/app/input/reader.hpp: strict reading of one mapping of an input file.
//
// The one reader of scenario, sweep and targets files. Constructed on a
// mapping and its parameter table (parameters.hpp), it refuses a key the
// table does not have (with a did-you-mean), and `r.number("key")` takes the
// default and the range from the table, so that each is written once. Every
// error is an InputError at the value's file, line and column (1-based).
//
// A key the table allows, present in the file, that the loader never read
// would be silently ignored: finish() refuses it as a programming error
// (std::logic_error), and the tests load every shipped file with it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "models/app/input/parameters.hpp"
#include "models/app/input/provenance.hpp"
#include "sim/distribution.hpp"

namespace govsim {

class Reader {
 public:
  /// A mapping described by a table. `where` names it in messages ("a
  /// target"); empty: its path in backticks.
  Reader(const Provenance& prov, YAML::Node node, std::string path, const Section& section, std::string where = "");
  /// A mapping whose keys are names known only when reading (request types
  /// of a rate table, the parameters of a sweep's point): no table, no defaults.
  Reader(const Provenance& prov, YAML::Node node, std::string path, std::vector<std::string> names,
         std::string where = "");

  /// "a list" or "a mapping", for messages about a value of the wrong shape.
  static std::string shape(const YAML::Node& n);
  static std::string join(const std::vector<std::string>& v);

  /// Present and not null (does not count as reading it).
  bool has(const std::string& key) const;
  /// The value of `key` (counts as reading it: the caller reads it itself).
  YAML::Node node(const std::string& key) const;
  YAML::Node self() const { return node_; }
  const std::string& path() const { return path_; }
  std::string child_path(const std::string& key) const { return path_ + "." + key; }
  const Provenance& provenance() const { return prov_; }

  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const;
  [[noreturn]] void fail_key(const YAML::Node& at, const std::string& key, const std::string& message) const;
  /// Fails with "`path` needs `key`" when the key is absent or null.
  void require(const std::string& key) const;

  // --- From the table: its default when absent, its range. Calling one for
  // a key the table does not have, of another type, or without a default
  // when the key is absent, is a programming error (std::logic_error).
  double number(const std::string& key) const;
  int integer(const std::string& key) const;
  std::uint64_t unsigned64(const std::string& key) const;
  bool boolean(const std::string& key) const;
  std::string text(const std::string& key) const;
  std::string choice(const std::string& key) const;
  sim::Distribution distribution(const std::string& key) const;
  /// The table's default and lower bound, with an upper bound that depends on
  /// other values (hours per year: at most 8760 for every place).
  double number_at_most(const std::string& key, double high) const;

  // --- Explicit: for a range that depends on other values, or a mapping without a table.
  double number(const std::string& key, double fallback, double low, double high, bool low_open = false) const;
  int integer(const std::string& key, int fallback, int low, int high) const;
  std::uint64_t unsigned64(const std::string& key, std::uint64_t fallback) const;
  bool boolean(const std::string& key, bool fallback) const;
  std::string text(const std::string& key, const std::string& fallback) const;
  std::string choice(const std::string& key, const std::string& fallback, const std::vector<std::string>& options) const;
  sim::Distribution distribution(const std::string& key, const sim::Distribution& fallback) const;

  /// A non-negative whole number (a seed) at `n`, an item of a list named `what` in messages.
  std::uint64_t unsigned64_at(const YAML::Node& n, const std::string& what) const;

  /// A duration at `n` (dotted `path`, named `key` in messages): a number of
  /// hours or a distribution mapping (the `distribution` table). A mixture
  /// component (`weight` not null) must give a weight, stored there, and may
  /// not itself be a mixture.
  sim::Distribution read_distribution(const YAML::Node& n, const std::string& path, const std::string& key,
                                      bool allow_mixture, double* weight = nullptr) const;

  /// Refuses, as a programming error (std::logic_error), a key of the table
  /// present in the mapping that nothing read. Call when done with the mapping.
  void finish() const;
  /// The keys present (allowed, not documentation only) that nothing read yet.
  std::vector<std::string> unread() const;

 private:
  void check_keys();
  const Parameter& parameter(const std::string& key, ParameterType type) const;
  double number_in(const std::string& key, double fallback, double low, bool low_open, double high, bool high_open) const;
  void mark(const std::string& key) const { read_.insert(key); }

  const Provenance& prov_;
  YAML::Node node_;
  std::string path_, where_;
  const Section* section_ = nullptr;
  std::vector<std::string> allowed_;
  mutable std::set<std::string> read_;
};

}  // namespace govsim
