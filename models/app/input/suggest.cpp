// models/app/input/suggest.cpp: see suggest.hpp.
#include "models/app/input/suggest.hpp"

#include <algorithm>

namespace govsim {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string nearest_word(const std::string& word, const std::vector<std::string>& options, std::size_t floor) {
  std::string best;
  std::size_t distance = 1000;
  for (const auto& o : options)
    if (const std::size_t d = edit_distance(word, o); d < distance) distance = d, best = o;
  return !best.empty() && distance <= std::max(floor, word.size() / 3) ? best : "";
}

}  // namespace govsim
