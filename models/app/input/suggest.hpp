// models/app/input/suggest.hpp: "did you mean" for misspelt keys and names.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace govsim {

/// Edit distance (insertions, deletions, substitutions), for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);

/// The option nearest to `word`, or "" when none is within max(`floor`, |word| / 3) edits.
std::string nearest_word(const std::string& word, const std::vector<std::string>& options, std::size_t floor = 2);

}  // namespace govsim
