// sim/distribution.hpp: our own probability distributions, sampled by inverse
// transform from one random block per sample.
//
// Standard-library distributions differ between implementations (SimGrid's
// xbt/random warns about this), and rejection samplers consume a variable
// number of draws, which breaks stream alignment between scenarios. Every
// sample here takes exactly one Block: the first uniform picks a mixture
// component (when there is one), the second is put through the component's
// inverse CDF. All times are in hours.
#pragma once

#include <string>
#include <vector>

#include "sim/random.hpp"

namespace sim {

/// The inverse of the standard normal CDF (Acklam's approximation refined by
/// one Halley step: relative error below 1e-15 on (0,1)).
double inverse_normal_cdf(double p);

/// A univariate, non-negative distribution (a duration or an amount).
class Distribution {
 public:
  enum class Kind { deterministic, exponential, lognormal, weibull, uniform, empirical, mixture };

  static Distribution deterministic(double value);
  static Distribution exponential(double mean);
  /// Lognormal by its median exp(mu) and shape sigma.
  static Distribution lognormal(double median, double sigma);
  static Distribution weibull(double shape, double scale);
  static Distribution uniform(double low, double high);
  /// Piecewise-linear inverse CDF through (probability, value) points,
  /// probabilities strictly increasing from 0 to 1, values non-decreasing.
  static Distribution empirical(std::vector<double> probabilities, std::vector<double> values);
  /// Components with weights (normalised here); components are not mixtures.
  static Distribution mixture(std::vector<double> weights, std::vector<Distribution> components);

  /// Adds a constant shift (e.g. a minimum transfer delay).
  Distribution shifted(double offset) const;

  /// Sample from one block: exactly one block per sample, always.
  double sample(const Block& block) const noexcept;
  /// Sample from a given uniform in (0,1) (single-component only).
  double quantile(double u) const noexcept;

  double mean() const noexcept;
  /// Squared coefficient of variation, Var/mean^2.
  double scv() const noexcept;
  /// The smallest value the distribution can produce.
  double minimum() const noexcept;
  Kind kind() const noexcept { return kind_; }
  std::string describe() const;

 private:
  double second_moment() const noexcept;
  Kind kind_ = Kind::deterministic;
  double a_ = 0.0, b_ = 0.0;  // parameters (meaning depends on kind)
  double offset_ = 0.0;
  std::vector<double> probabilities_, values_;  // empirical points; mixture cumulative weights
  std::vector<Distribution> components_;
};

}  // namespace sim
