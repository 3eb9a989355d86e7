// models/app/cli/calibrate_cli.hpp: `govsim calibrate TARGETS --prior SCENARIO` (docs/calibration.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace govsim::cli {

/// Options as main.cpp's parser collected them (name -> value); returns 0,
/// or kInterrupted (models/app/cli/sweep_cli.hpp). Bad input throws
/// InputError / OutputError / std::invalid_argument (a usage error).
int calibrate_command(const std::vector<std::string>& positional, const std::map<std::string, std::string>& options,
                      const std::vector<std::string>& sets, std::optional<std::uint64_t> seed, int threads,
                      std::atomic<bool>* stop);

}  // namespace govsim::cli
