// models/domain/uncertain_parameter.hpp: one uncertain-parameter declaration of a scenario.
//
// The declaration data only (what a scenario's `uncertain:` section says, once
// read): the domain's Scenario holds them, `govsim explore` and `calibrate`
// sample them. Reading and validating the section is the input layer's
// (models/app/input/uncertain.hpp); this header keeps the domain free of it.
#pragma once

#include <string>
#include <vector>

namespace govsim {

/// A number as declarations and their messages show it (%.10g: 0.25, 1e+06).
std::string number_text(double v);

enum class UncertainDist { uniform, loguniform, triangular, choice, integer };
const char* to_string(UncertainDist d) noexcept;

struct UncertainParameter {
  std::string path;                 ///< as --set takes it
  UncertainDist dist = UncertainDist::uniform;
  double low = 0, high = 0, mode = 0;  ///< mode: triangular only
  std::vector<std::string> values;  ///< choice: the values, as YAML scalars
  std::string source;               ///< where the range comes from (free text)
  char grade = 'C';                 ///< A measured here, B comparable places or literature, C assumption
  std::string nominal;              ///< the value the scenario itself sets, as text

  /// The value at quantile u in [0,1) of the distribution (inverse CDF), as
  /// text for --set: uniform, log-uniform and triangular give a real number
  /// (%.10g), integer a whole number from low to high inclusive (equal
  /// probabilities), choice one of `values` (equal probabilities).
  std::string value_at(double u) const;
  /// "uniform [1, 3]", "choice {a, b}", ... for tables.
  std::string range_text() const;
};

}  // namespace govsim
