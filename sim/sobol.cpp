// sim/sobol.cpp
#include "sim/sobol.hpp"

#include <boost/random/sobol.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/random.hpp"

namespace sim {

std::vector<std::vector<double>> sobol_points(std::size_t n, std::size_t dims, std::uint64_t seed) {
  if (dims < 1 || dims > kSobolMaxDimension)
    throw std::invalid_argument("sobol_points: " + std::to_string(dims) + " dimensions; the Sobol' sequence has 1 to " +
                                std::to_string(kSobolMaxDimension));
  const Stream stream(stream_key(seed, 0), stable_id("sobol-digital-shift"));
  std::vector<std::uint64_t> shift(dims);
  for (std::size_t d = 0; d < dims; ++d) {
    const Block b = stream.block(0, static_cast<std::uint32_t>(d));
    shift[d] = (std::uint64_t{b[0]} << 32) | b[1];
  }
  auto to_unit = [](std::uint64_t bits) {
    return to_open_unit(static_cast<std::uint32_t>(bits >> 32), static_cast<std::uint32_t>(bits));
  };
  std::vector<std::vector<double>> points(n, std::vector<double>(dims));
  // Boost's engine starts at point 1 (it skips the origin); point 0 is all zero bits.
  boost::random::sobol_engine<std::uint64_t, 64> engine(dims);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t d = 0; d < dims; ++d) points[j][d] = to_unit((j == 0 ? 0 : engine()) ^ shift[d]);
  return points;
}

std::pair<double, double> sobol_indices(const std::vector<double>& fa, const std::vector<double>& fb,
                                        const std::vector<double>& fab, const std::vector<std::size_t>& use) {
  const double n = static_cast<double>(use.size());
  double mean = 0;
  for (std::size_t j : use) mean += fa[j] + fb[j];
  mean /= 2 * n;
  double var = 0, first = 0, total = 0;
  for (std::size_t j : use) {
    const double a = fa[j] - mean, b = fb[j] - mean, ab = fab[j] - mean;
    var += a * a + b * b;
    first += b * (ab - a);
    total += (a - ab) * (a - ab);
  }
  var /= 2 * n - 1;
  if (!(var > 0)) return {NAN, NAN};
  return {first / n / var, total / (2 * n) / var};
}

}  // namespace sim
