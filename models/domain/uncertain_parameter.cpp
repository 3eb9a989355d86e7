// models/domain/uncertain_parameter.cpp: sampling one uncertain-parameter declaration.
#include "models/domain/uncertain_parameter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace govsim {

std::string number_text(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

const char* to_string(UncertainDist d) noexcept {
  switch (d) {
    case UncertainDist::uniform: return "uniform";
    case UncertainDist::loguniform: return "loguniform";
    case UncertainDist::triangular: return "triangular";
    case UncertainDist::choice: return "choice";
    case UncertainDist::integer: return "integer";
  }
  return "?";
}


std::string UncertainParameter::value_at(double u) const {
  u = std::clamp(u, 0.0, std::nextafter(1.0, 0.0));
  switch (dist) {
    case UncertainDist::uniform: return number_text(std::clamp(low + u * (high - low), low, high));
    case UncertainDist::loguniform:
      return number_text(std::clamp(std::exp(std::log(low) + u * (std::log(high) - std::log(low))), low, high));
    case UncertainDist::triangular: {
      const double span = high - low, cut = (mode - low) / span;
      const double v = u < cut ? low + std::sqrt(u * span * (mode - low)) : high - std::sqrt((1 - u) * span * (high - mode));
      return number_text(std::clamp(v, low, high));
    }
    case UncertainDist::integer: {
      const double v = std::floor(low + u * (high - low + 1));
      return number_text(std::min(v, high));
    }
    case UncertainDist::choice: {
      const auto i = std::min(values.size() - 1, static_cast<std::size_t>(u * static_cast<double>(values.size())));
      return values[i];
    }
  }
  return "";
}

std::string UncertainParameter::range_text() const {
  std::string s = to_string(dist);
  if (dist == UncertainDist::choice) {
    s += " {";
    for (std::size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + values[i];
    return s + "}";
  }
  s += " [" + number_text(low);
  if (dist == UncertainDist::triangular) s += ", " + number_text(mode);
  return s + ", " + number_text(high) + "]";
}

}  // namespace govsim
