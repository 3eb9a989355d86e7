// models/app/results/json.cpp: the layout of govsim's JSON files, parsing, and differences.
#include "models/app/results/json.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace govsim {

namespace {

/// Deeper containers are written on one line.
constexpr int kLineDepth = 2;

/// The document itself, and a list of records in it (every member an object
/// or a list: metric rows, registry entries), are written one member per line.
bool one_member_per_line(const Json& v, int depth) {
  if (depth == 0) return true;
  if (depth >= kLineDepth) return false;
  return std::all_of(v.begin(), v.end(), [](const Json& m) { return m.is_structured(); });
}

std::string scalar_text(const Json& v) {
  // ensure_ascii off: Chinese names stay readable; invalid UTF-8 becomes U+FFFD instead of throwing.
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string key_text(const std::string& key) { return scalar_text(Json(key)); }

void write(std::string& out, const Json& v, int depth) {
  if (!v.is_structured()) {
    out += scalar_text(v);
    return;
  }
  const bool object = v.is_object();
  out += object ? '{' : '[';
  if (v.empty()) {
    out += object ? '}' : ']';
    return;
  }
  const bool lines = one_member_per_line(v, depth);
  const auto new_line = [&out](int indent) {
    out += '\n';
    out.append(2 * static_cast<std::size_t>(indent), ' ');
  };
  bool first = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!first) out += lines ? "," : ", ";
    if (lines) new_line(depth + 1);
    first = false;
    if (object) {
      out += key_text(it.key());
      out += ": ";
    }
    write(out, *it, depth + 1);
  }
  if (lines) new_line(depth);
  out += object ? '}' : ']';
}

/// A list whose elements are all objects with a distinct string "name".
bool named_list(const Json& v) {
  if (!v.is_array()) return false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_object() || !v[i].contains("name") || !v[i]["name"].is_string()) return false;
    for (std::size_t j = 0; j < i; ++j)
      if (v[j]["name"] == v[i]["name"]) return false;
  }
  return true;
}

std::string join(const std::string& path, const std::string& member) {
  return path.empty() ? member : path + "." + member;
}

std::optional<JsonDifference> diff(const Json& a, const Json& b, const std::string& path) {
  if (a.is_object() && b.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      const auto other = b.find(it.key());
      if (other == b.end()) return JsonDifference{join(path, it.key()), json_line(*it), "absent"};
      if (auto d = diff(*it, *other, join(path, it.key()))) return d;
    }
    for (auto it = b.begin(); it != b.end(); ++it)
      if (!a.contains(it.key())) return JsonDifference{join(path, it.key()), "absent", json_line(*it)};
    return std::nullopt;
  }
  if (named_list(a) && named_list(b) && a.size() == b.size()) {
    bool same_names = true;
    for (std::size_t i = 0; i < a.size(); ++i) same_names = same_names && a[i]["name"] == b[i]["name"];
    if (same_names) {
      for (std::size_t i = 0; i < a.size(); ++i)
        if (auto d = diff(a[i], b[i], join(path, a[i]["name"].get<std::string>()))) return d;
      return std::nullopt;
    }
  }
  if (a == b) return std::nullopt;
  return JsonDifference{path.empty() ? "(the whole document)" : path, json_line(a), json_line(b)};
}

}  // namespace

Json json_number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

std::string json_text(const Json& doc) {
  std::string out;
  write(out, doc, 0);
  return out + "\n";
}

std::string json_line(const Json& value) {
  std::string out;
  write(out, value, kLineDepth);
  return out;
}

Json parse_json(const std::string& text, const std::string& name) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    throw std::runtime_error(name + ": not valid JSON (" + e.what() + ")");
  }
}

std::optional<JsonDifference> first_difference(const Json& a, const Json& b) { return diff(a, b, ""); }

}  // namespace govsim
