// models/app/input/reader.cpp: strict reading of one mapping (see reader.hpp).
#include "models/app/input/reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "models/app/input/suggest.hpp"
#include "models/domain/input_error.hpp"

namespace govsim {

namespace {

/// A whole number written in decimal digits is read in decimal, leading
/// zeros and all (`staff: 010` is 10, as `horizon_h: 010` is 10.0): yaml-cpp
/// would read it as octal in integer fields only. Other forms go to `other`.
template <typename Other>
auto decimal_or(const YAML::Node& n, Other other) -> decltype(other()) {
  using T = decltype(other());
  const std::string& text = n.Scalar();
  std::size_t i = text[0] == '+' || text[0] == '-' ? 1 : 0;
  if (i == text.size() || text.find_first_not_of("0123456789", i) != std::string::npos) return other();
  errno = 0;
  char* end = nullptr;
  if constexpr (std::is_signed_v<T>) {
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno == ERANGE) throw YAML::Exception(n.Mark(), "out of range");
    return static_cast<T>(v);
  } else {
    if (text[0] == '-') throw YAML::Exception(n.Mark(), "negative");
    const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (errno == ERANGE) throw YAML::Exception(n.Mark(), "out of range");
    return static_cast<T>(v);
  }
}

/// A table's default, parsed as YAML (it is written as a file would write it).
YAML::Node default_node(const Parameter& p) { return YAML::Load(p.default_value); }

}  // namespace

Reader::Reader(const Provenance& prov, YAML::Node node, std::string path, const Section& section, std::string where)
    : prov_(prov), node_(std::move(node)), path_(std::move(path)), where_(std::move(where)), section_(&section),
      allowed_(section.keys()) {
  check_keys();
}

Reader::Reader(const Provenance& prov, YAML::Node node, std::string path, std::vector<std::string> names,
               std::string where)
    : prov_(prov), node_(std::move(node)), path_(std::move(path)), where_(std::move(where)), allowed_(std::move(names)) {
  check_keys();
}

void Reader::check_keys() {
  if (where_.empty()) where_ = "`" + path_ + "`";
  if (!node_.IsMap()) fail(node_, where_ + " must be a mapping of keys to values");
  for (const auto& kv : node_) {
    const std::string key = kv.first.Scalar();
    if (std::find(allowed_.begin(), allowed_.end(), key) != allowed_.end()) continue;
    std::string message = "unknown key `" + key + "` in " + where_;
    if (const std::string best = nearest_word(key, allowed_); !best.empty())
      message += "; did you mean `" + best + "`?";
    else
      message += "; valid keys: " + join(allowed_);
    // A key merged from an extends chain lost its position: look it up.
    const auto mark = prov_.key_mark.find(Provenance::bare(path_ + "." + key));
    if (kv.first.Mark().line < 0 && mark != prov_.key_mark.end())
      throw InputError(prov_.file(path_ + "." + key), mark->second.line + 1, mark->second.column + 1, message);
    fail_key(kv.first.Mark().line >= 0 ? kv.first : kv.second, key, message);
  }
}

std::string Reader::shape(const YAML::Node& n) { return n.IsSequence() ? "a list" : "a mapping"; }

std::string Reader::join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

bool Reader::has(const std::string& key) const { return node_[key].IsDefined() && !node_[key].IsNull(); }

YAML::Node Reader::node(const std::string& key) const {
  mark(key);
  return node_[key];
}

void Reader::fail(const YAML::Node& at, const std::string& message) const { fail_at(prov_, path_, at, message); }

void Reader::fail_key(const YAML::Node& at, const std::string& key, const std::string& message) const {
  fail_at(prov_, path_ + "." + key, at, message);
}

void Reader::require(const std::string& key) const {
  if (!has(key)) fail(node_, "`" + path_ + "` needs `" + key + "`");
}

const Parameter& Reader::parameter(const std::string& key, ParameterType type) const {
  const Parameter* p = section_ ? section_->find(key) : nullptr;
  if (!p) throw std::logic_error("reading `" + path_ + "." + key + "`: no such key in its parameter table");
  if (p->type != type)
    throw std::logic_error("reading `" + path_ + "." + key + "` as " + to_string(type) + ": the table says " +
                           to_string(p->type));
  if (p->default_value.empty() && !has(key))
    throw std::logic_error("reading `" + path_ + "." + key + "`: absent, and the table gives no default (check has() first)");
  return *p;
}

// --- From the table ---------------------------------------------------------

double Reader::number(const std::string& key) const {
  const Parameter& p = parameter(key, ParameterType::number);
  const double fallback = p.default_value.empty() ? 0.0 : std::strtod(p.default_value.c_str(), nullptr);
  return number_in(key, fallback, p.low, p.low_open, p.high, p.high_open);
}

double Reader::number_at_most(const std::string& key, double high) const {
  const Parameter& p = parameter(key, ParameterType::number);
  const double fallback = p.default_value.empty() ? 0.0 : std::strtod(p.default_value.c_str(), nullptr);
  return number_in(key, fallback, p.low, p.low_open, std::min(high, p.high), p.high_open);
}

int Reader::integer(const std::string& key) const {
  const Parameter& p = parameter(key, ParameterType::integer);
  const int fallback = p.default_value.empty() ? 0 : std::atoi(p.default_value.c_str());
  return integer(key, fallback, static_cast<int>(p.low), static_cast<int>(p.high));
}

std::uint64_t Reader::unsigned64(const std::string& key) const {
  const Parameter& p = parameter(key, ParameterType::integer);
  return unsigned64(key, p.default_value.empty() ? 0 : std::strtoull(p.default_value.c_str(), nullptr, 10));
}

bool Reader::boolean(const std::string& key) const {
  const Parameter& p = parameter(key, ParameterType::boolean);
  return boolean(key, !p.default_value.empty() && default_node(p).as<bool>());
}

std::string Reader::text(const std::string& key) const {
  const Parameter& p = parameter(key, ParameterType::text);
  return text(key, p.default_value.empty() ? std::string() : default_node(p).Scalar());
}

std::string Reader::choice(const std::string& key) const {
  const Parameter& p = parameter(key, ParameterType::choice);
  return choice(key, p.default_value, p.choices);
}

sim::Distribution Reader::distribution(const std::string& key) const {
  const Parameter& p = parameter(key, ParameterType::distribution);
  mark(key);
  if (has(key)) return read_distribution(node_[key], path_ + "." + key, key, true);
  return read_distribution(default_node(p), "(the default of " + path_ + "." + key + ")", key, true);
}

// --- Explicit ---------------------------------------------------------------

double Reader::number(const std::string& key, double fallback, double low, double high, bool low_open) const {
  return number_in(key, fallback, low, low_open, high, false);
}

double Reader::number_in(const std::string& key, double fallback, double low, bool low_open, double high,
                         bool high_open) const {
  mark(key);
  if (!has(key)) return fallback;
  const YAML::Node n = node_[key];
  double v;
  if (!n.IsScalar()) fail_key(n, key, "`" + key + "` must be a number, not " + shape(n));
  try {
    v = n.as<double>();
  } catch (const YAML::Exception&) {
    fail_key(n, key, "`" + key + "` must be a number, not `" + n.Scalar() + "`");
  }
  if (std::isnan(v)) fail_key(n, key, "`" + key + "` is NaN");
  if (v < low || (low_open && v == low) || v > high || (high_open && v == high)) {
    std::ostringstream msg;
    msg << "`" << key << "` = " << n.Scalar() << " is out of range: must be " << (low_open ? "> " : ">= ") << low;
    if (std::isfinite(high)) msg << " and " << (high_open ? "< " : "<= ") << high;
    fail_key(n, key, msg.str());
  }
  // An open-ended range (a target's `sd`) must still not take .inf.
  if (!std::isfinite(v)) fail_key(n, key, "`" + key + "` must be a finite number");
  return v;
}

int Reader::integer(const std::string& key, int fallback, int low, int high) const {
  mark(key);
  if (!has(key)) return fallback;
  const YAML::Node n = node_[key];
  long long v;
  if (!n.IsScalar()) fail_key(n, key, "`" + key + "` must be a whole number, not " + shape(n));
  try {
    v = decimal_or(n, [&] { return n.as<long long>(); });
  } catch (const YAML::Exception&) {
    fail_key(n, key, "`" + key + "` must be a whole number, not `" + n.Scalar() + "`");
  }
  if (v < low || v > high)
    fail_key(n, key, "`" + key + "` = " + n.Scalar() + " is out of range: must be between " + std::to_string(low) +
                         " and " + std::to_string(high));
  return static_cast<int>(v);
}

std::uint64_t Reader::unsigned64(const std::string& key, std::uint64_t fallback) const {
  mark(key);
  if (!has(key)) return fallback;
  const YAML::Node n = node_[key];
  try {
    if (!n.IsScalar() || n.Scalar().empty() || n.Scalar()[0] == '-') throw YAML::Exception(n.Mark(), "");
    return decimal_or(n, [&] { return n.as<std::uint64_t>(); });
  } catch (const YAML::Exception&) {
    fail_key(n, key, "`" + key + "` must be a non-negative whole number");
  }
}

std::uint64_t Reader::unsigned64_at(const YAML::Node& n, const std::string& what) const {
  try {
    if (!n.IsScalar() || n.Scalar().empty() || n.Scalar()[0] == '-') throw YAML::Exception(n.Mark(), "");
    return decimal_or(n, [&] { return n.as<std::uint64_t>(); });
  } catch (const YAML::Exception&) {
    fail(n, "`" + what + "` must be a non-negative whole number");
  }
}

bool Reader::boolean(const std::string& key, bool fallback) const {
  mark(key);
  if (!has(key)) return fallback;
  const YAML::Node n = node_[key];
  try {
    if (!n.IsScalar()) throw YAML::Exception(n.Mark(), "");
    return n.as<bool>();
  } catch (const YAML::Exception&) {
    fail_key(n, key, "`" + key + "` must be true or false");
  }
}

std::string Reader::text(const std::string& key, const std::string& fallback) const {
  mark(key);
  if (!has(key)) return fallback;
  const YAML::Node n = node_[key];
  if (!n.IsScalar()) fail_key(n, key, "`" + key + "` must be text, not " + shape(n));
  return n.Scalar();
}

std::string Reader::choice(const std::string& key, const std::string& fallback,
                           const std::vector<std::string>& options) const {
  const std::string v = text(key, fallback);
  if (std::find(options.begin(), options.end(), v) == options.end())
    fail_key(node_[key], key, "`" + key + "` = `" + v + "` is not one of: " + join(options));
  return v;
}

sim::Distribution Reader::distribution(const std::string& key, const sim::Distribution& fallback) const {
  mark(key);
  if (!has(key)) return fallback;
  return read_distribution(node_[key], path_ + "." + key, key, true);
}

// --- Durations --------------------------------------------------------------

sim::Distribution Reader::read_distribution(const YAML::Node& n, const std::string& path, const std::string& key,
                                            bool allow_mixture, double* weight) const {
  if (n.IsScalar() && !weight) {
    double v;
    try {
      v = n.as<double>();
    } catch (const YAML::Exception&) {
      fail_at(prov_, path, n, "`" + key + "` must be a number of hours or a distribution mapping");
    }
    if (!(v >= 0.0) || !std::isfinite(v)) fail_at(prov_, path, n, "`" + key + "` must be a finite duration >= 0");
    return sim::Distribution::deterministic(v);
  }
  const Reader r(prov_, n, path, scenario_section("distribution"));
  r.require("dist");
  const std::string kind = r.choice("dist");
  if (weight) *weight = r.number("weight", 1.0, 0.0, 1e9);  // inf / inf would make the shares NaN
  sim::Distribution d;
  if (kind == "deterministic") {
    d = sim::Distribution::deterministic(r.number("value"));
  } else if (kind == "exponential") {
    r.require("mean");
    d = sim::Distribution::exponential(r.number("mean"));
  } else if (kind == "lognormal") {
    if (r.has("median")) {
      r.require("sigma");
      d = sim::Distribution::lognormal(r.number("median"), r.number("sigma"));
    } else {
      r.require("mean");
      r.require("cv");
      const double mean = r.number("mean"), cv = r.number("cv");
      const double s2 = std::log1p(cv * cv);
      d = sim::Distribution::lognormal(mean / std::sqrt(1.0 + cv * cv), std::sqrt(s2));
    }
  } else if (kind == "weibull") {
    r.require("shape");
    r.require("scale");
    d = sim::Distribution::weibull(r.number("shape"), r.number("scale"));
  } else if (kind == "uniform") {
    r.require("low");
    r.require("high");
    const double lo = r.number("low"), hi = r.number("high");
    if (hi < lo) r.fail(n, "uniform: `high` must be >= `low`");
    d = sim::Distribution::uniform(lo, hi);
  } else if (kind == "empirical") {
    r.require("points");
    const YAML::Node pts = r.node("points");
    if (!pts.IsSequence()) r.fail(pts, "`points` must be a list of [probability, hours] pairs");
    std::vector<double> p, v;
    for (const auto& pt : pts) {
      if (!pt.IsSequence() || pt.size() != 2) r.fail(pt, "each point must be [probability, hours]");
      try {
        p.push_back(pt[0].as<double>());
        v.push_back(pt[1].as<double>());
      } catch (const YAML::Exception&) {
        r.fail(pt, "each point must be two numbers");
      }
      // NaN compares false both ways, so the distribution's own order checks would let it through.
      if (!(p.back() >= 0.0 && p.back() <= 1.0)) r.fail(pt[0], "a point's probability must be between 0 and 1");
      if (!(v.back() >= 0.0 && v.back() <= 1e9)) r.fail(pt[1], "a point's hours must be between 0 and 1e9");
    }
    try {
      d = sim::Distribution::empirical(p, v);
    } catch (const std::invalid_argument& e) {
      r.fail(pts, e.what());
    }
  } else {
    if (!allow_mixture) r.fail(n, "a mixture component cannot itself be a mixture");
    r.require("components");
    const YAML::Node comps = r.node("components");
    if (!comps.IsSequence() || comps.size() == 0) r.fail(comps, "`components` must be a non-empty list");
    std::vector<double> w;
    std::vector<sim::Distribution> c;
    for (std::size_t i = 0; i < comps.size(); ++i) {
      const std::string cpath = path + ".components[" + std::to_string(i) + "]";
      if (!comps[i].IsMap() || !comps[i]["weight"]) r.fail(comps[i], "each component needs a `weight`");
      double component_weight = 1.0;
      c.push_back(read_distribution(comps[i], cpath, "component", false, &component_weight));
      w.push_back(component_weight);
    }
    try {
      d = sim::Distribution::mixture(w, c);
    } catch (const std::invalid_argument& e) {
      r.fail(comps, e.what());
    }
  }
  const double offset = r.number("offset");
  // The keys of one family do not apply to another: refuse them rather than ignore them.
  if (const auto extra = r.unread(); !extra.empty()) {
    const std::string& k = extra.front();
    r.fail_key(n[k], k,
               "`" + k + "` does not apply to " +
                   (k == "weight" ? std::string("a distribution outside a mixture's `components`")
                                  : "a `" + kind + "` distribution"));
  }
  return offset != 0.0 ? d.shifted(offset) : d;
}

// --- Keys never read --------------------------------------------------------

std::vector<std::string> Reader::unread() const {
  std::vector<std::string> out;
  if (!node_.IsMap()) return out;
  for (const auto& kv : node_) {
    const std::string key = kv.first.Scalar();
    if (read_.count(key) || kv.second.IsNull()) continue;
    if (section_)
      if (const Parameter* p = section_->find(key); p && p->documentation_only) continue;
    out.push_back(key);
  }
  return out;
}

void Reader::finish() const {
  if (const auto keys = unread(); !keys.empty())
    throw std::logic_error("internal error: `" + path_ + "` has " + join(keys) +
                           ", which the table allows but nothing read: the loader ignores what the file says");
}

}  // namespace govsim
