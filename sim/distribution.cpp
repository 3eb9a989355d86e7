// sim/distribution.cpp: inverse-transform sampling and moments.
#include "sim/distribution.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace sim {

double inverse_normal_cdf(double p) {
  // Acklam (2003) rational approximation, then one Halley refinement step.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double p_low = 0.02425, p_high = 1.0 - p_low;
  if (!(p > 0.0 && p < 1.0)) {
    if (p <= 0.0) return -INFINITY;
    return INFINITY;
  }
  double x;
  if (p < p_low) {
    const double q = std::sqrt(-2.0 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else if (p <= p_high) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  } else {
    const double q = std::sqrt(-2.0 * std::log(1.0 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2.0 * M_PI) * std::exp(x * x / 2.0);
  return x - u / (1.0 + x * u / 2.0);
}

Distribution Distribution::deterministic(double value) {
  Distribution d;
  d.kind_ = Kind::deterministic;
  d.a_ = value;
  return d;
}
Distribution Distribution::exponential(double mean) {
  Distribution d;
  d.kind_ = Kind::exponential;
  d.a_ = mean;
  return d;
}
Distribution Distribution::lognormal(double median, double sigma) {
  Distribution d;
  d.kind_ = Kind::lognormal;
  d.a_ = std::log(median);
  d.b_ = sigma;
  return d;
}
Distribution Distribution::weibull(double shape, double scale) {
  Distribution d;
  d.kind_ = Kind::weibull;
  d.a_ = shape;
  d.b_ = scale;
  return d;
}
Distribution Distribution::uniform(double low, double high) {
  Distribution d;
  d.kind_ = Kind::uniform;
  d.a_ = low;
  d.b_ = high;
  return d;
}
Distribution Distribution::empirical(std::vector<double> probabilities, std::vector<double> values) {
  if (probabilities.size() != values.size() || probabilities.size() < 2)
    throw std::invalid_argument("empirical distribution needs at least two (probability, value) points");
  if (probabilities.front() != 0.0 || probabilities.back() != 1.0)
    throw std::invalid_argument("empirical distribution probabilities must run from 0 to 1");
  for (std::size_t i = 1; i < values.size(); ++i) {
    if (!(probabilities[i] > probabilities[i - 1]))
      throw std::invalid_argument("empirical distribution probabilities must increase strictly");
    if (values[i] < values[i - 1]) throw std::invalid_argument("empirical distribution values must not decrease");
  }
  Distribution d;
  d.kind_ = Kind::empirical;
  d.probabilities_ = std::move(probabilities);
  d.values_ = std::move(values);
  return d;
}
Distribution Distribution::mixture(std::vector<double> weights, std::vector<Distribution> components) {
  if (weights.size() != components.size() || weights.empty())
    throw std::invalid_argument("mixture needs one weight per component");
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  if (!(total > 0.0)) throw std::invalid_argument("mixture weights must sum to a positive number");
  Distribution d;
  d.kind_ = Kind::mixture;
  double cumulative = 0.0;
  for (double w : weights) {
    if (!(w >= 0.0)) throw std::invalid_argument("mixture weights must be non-negative");
    cumulative += w / total;
    d.probabilities_.push_back(cumulative);
  }
  d.probabilities_.back() = 1.0;
  for (const auto& c : components)
    if (c.kind_ == Kind::mixture) throw std::invalid_argument("a mixture component cannot itself be a mixture");
  d.components_ = std::move(components);
  return d;
}

Distribution Distribution::shifted(double offset) const {
  Distribution d = *this;
  d.offset_ += offset;
  return d;
}

double Distribution::quantile(double u) const noexcept {
  double x = 0.0;
  switch (kind_) {
    case Kind::deterministic: x = a_; break;
    case Kind::exponential: x = -a_ * std::log1p(-u); break;
    case Kind::lognormal: x = std::exp(a_ + b_ * inverse_normal_cdf(u)); break;
    case Kind::weibull: x = b_ * std::pow(-std::log1p(-u), 1.0 / a_); break;
    case Kind::uniform: x = a_ + (b_ - a_) * u; break;
    case Kind::empirical: {
      const auto it = std::upper_bound(probabilities_.begin(), probabilities_.end(), u);
      const std::size_t hi =
          std::min<std::size_t>(static_cast<std::size_t>(it - probabilities_.begin()), probabilities_.size() - 1);
      const std::size_t lo = hi - 1;
      const double t = (u - probabilities_[lo]) / (probabilities_[hi] - probabilities_[lo]);
      x = values_[lo] + t * (values_[hi] - values_[lo]);
      break;
    }
    case Kind::mixture: x = components_.front().quantile(u); break;  // not used for sampling
  }
  return x + offset_;
}

double Distribution::sample(const Block& block) const noexcept {
  const Uniforms u = to_uniforms(block);
  if (kind_ == Kind::mixture) {
    const auto it = std::upper_bound(probabilities_.begin(), probabilities_.end(), u.first);
    const std::size_t i =
        std::min<std::size_t>(static_cast<std::size_t>(it - probabilities_.begin()), components_.size() - 1);
    return components_[i].quantile(u.second) + offset_;
  }
  return quantile(u.second);
}

double Distribution::mean() const noexcept {
  double m = 0.0;
  switch (kind_) {
    case Kind::deterministic: m = a_; break;
    case Kind::exponential: m = a_; break;
    case Kind::lognormal: m = std::exp(a_ + b_ * b_ / 2.0); break;
    case Kind::weibull: m = b_ * std::tgamma(1.0 + 1.0 / a_); break;
    case Kind::uniform: m = (a_ + b_) / 2.0; break;
    case Kind::empirical:
      for (std::size_t i = 1; i < values_.size(); ++i)
        m += (probabilities_[i] - probabilities_[i - 1]) * (values_[i] + values_[i - 1]) / 2.0;
      break;
    case Kind::mixture: {
      double previous = 0.0;
      for (std::size_t i = 0; i < components_.size(); ++i) {
        m += (probabilities_[i] - previous) * components_[i].mean();
        previous = probabilities_[i];
      }
      break;
    }
  }
  return m + offset_;
}

double Distribution::second_moment() const noexcept {
  // Second raw moment about zero, including the offset.
  const double m = mean();
  switch (kind_) {
    case Kind::deterministic: return m * m;
    case Kind::exponential: return a_ * a_ + m * m;
    case Kind::lognormal: {
      const double base = std::exp(a_ + b_ * b_ / 2.0);
      return (std::exp(b_ * b_) - 1.0) * base * base + m * m;
    }
    case Kind::weibull: {
      const double g1 = std::tgamma(1.0 + 1.0 / a_), g2 = std::tgamma(1.0 + 2.0 / a_);
      return b_ * b_ * (g2 - g1 * g1) + m * m;
    }
    case Kind::uniform: return (b_ - a_) * (b_ - a_) / 12.0 + m * m;
    case Kind::empirical: {
      double s = 0.0;  // E[X^2] of a piecewise-uniform density between points
      for (std::size_t i = 1; i < values_.size(); ++i) {
        const double x0 = values_[i - 1] + offset_, x1 = values_[i] + offset_;
        s += (probabilities_[i] - probabilities_[i - 1]) * (x0 * x0 + x0 * x1 + x1 * x1) / 3.0;
      }
      return s;
    }
    case Kind::mixture: {
      double s = 0.0, previous = 0.0;
      for (std::size_t i = 0; i < components_.size(); ++i) {
        const Distribution c = components_[i].shifted(offset_);
        s += (probabilities_[i] - previous) * c.second_moment();
        previous = probabilities_[i];
      }
      return s;
    }
  }
  return m * m;
}

double Distribution::scv() const noexcept {
  const double m = mean();
  if (m <= 0.0) return 0.0;
  return std::max(0.0, second_moment() - m * m) / (m * m);
}

double Distribution::minimum() const noexcept {
  switch (kind_) {
    case Kind::deterministic: return a_ + offset_;
    case Kind::uniform: return a_ + offset_;
    case Kind::empirical: return values_.front() + offset_;
    case Kind::mixture: {
      double lo = INFINITY;
      for (const auto& c : components_) lo = std::min(lo, c.minimum());
      return lo + offset_;
    }
    default: return offset_;
  }
}

std::string Distribution::describe() const {
  std::ostringstream out;
  switch (kind_) {
    case Kind::deterministic: out << "deterministic(" << a_ << ")"; break;
    case Kind::exponential: out << "exponential(mean=" << a_ << ")"; break;
    case Kind::lognormal: out << "lognormal(median=" << std::exp(a_) << ", sigma=" << b_ << ")"; break;
    case Kind::weibull: out << "weibull(shape=" << a_ << ", scale=" << b_ << ")"; break;
    case Kind::uniform: out << "uniform(" << a_ << ", " << b_ << ")"; break;
    case Kind::empirical: out << "empirical(" << values_.size() << " points)"; break;
    case Kind::mixture: out << "mixture(" << components_.size() << " components)"; break;
  }
  if (offset_ != 0.0) out << " + " << offset_;
  return out.str();
}

}  // namespace sim
