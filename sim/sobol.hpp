// sim/sobol.hpp: quasi-random Sobol' points and the estimators of Sobol'
// sensitivity indices from Saltelli's matrices A, B and AB_i.
//
// Saltelli et al. (2010) recommend quasi-random points for the matrices: the
// same accuracy for fewer model runs. The points here are the Sobol' sequence
// with a random digital shift keyed by a seed, so a replicated design with
// another seed is an independent, unbiased estimate, and the same seed always
// gives the same points.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace sim {

/// The most dimensions sobol_points takes (Boost's table of Joe & Kuo direction numbers).
inline constexpr std::size_t kSobolMaxDimension = 3667;

/// Points 0 .. n-1 of the `dims`-dimensional Sobol' sequence (Joe & Kuo 2008
/// direction numbers, boost::random::sobol; point 0, the origin, included)
/// with a random digital shift: each coordinate's 64 bits XORed with a word
/// per dimension drawn from the Philox stream of `seed`. Coordinates lie in
/// the open interval (0,1). The shift keeps the sequence's net structure (for
/// n = 2^m each coordinate puts exactly one point in each of the n intervals
/// [i/n, (i+1)/n)). Throws std::invalid_argument unless 1 <= dims <= kSobolMaxDimension.
std::vector<std::vector<double>> sobol_points(std::size_t n, std::size_t dims, std::uint64_t seed);

/// First-order (Saltelli 2010) and total (Jansen 1999) Sobol' indices of one
/// input from f(A_j), f(B_j) and f(AB_j^i) (A with column i from B), over the
/// samples j listed in `use` (repeats allowed: the bootstrap). Outputs are
/// centred by their mean, which keeps the first-order estimator from drowning
/// in the mean when the variance is small beside it. {NaN, NaN} when the
/// outputs do not vary.
std::pair<double, double> sobol_indices(const std::vector<double>& fa, const std::vector<double>& fb,
                                        const std::vector<double>& fab, const std::vector<std::size_t>& use);

}  // namespace sim
