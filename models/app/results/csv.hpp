// models/app/results/csv.hpp: the one CSV field writer of every result file (RFC 4180).
//
// A field holding a comma, a double quote, a carriage return or a line feed
// is enclosed in double quotes, and each double quote inside it is doubled;
// any other field is written as it is. Numbers go through csv_number
// (models/app/results/results.hpp) and never need quoting.
#pragma once

#include <string>

namespace govsim {

inline std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace govsim
