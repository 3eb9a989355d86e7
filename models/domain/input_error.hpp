// models/domain/input_error.hpp: the two kinds of refusal govsim reports about what it was given.
//
// InputError: something a user wrote is wrong (a scenario, sweep, targets or
// posterior file, a --set): fix the file. ResourceLimitError: what was written
// is valid but too big to run here (memory, expanded sizes): ask for less, or
// allow more. Both carry the place (file, 1-based line and column, 0 when
// unknown) and print as one line `file:line:col: error: message`; the CLI
// maps both to exit status 2. They live in the domain because the domain
// refuses too (an organisation that cannot be expanded), and the domain may
// not include the application layers.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace govsim {

/// What the two error kinds share: the place and a one-line message.
class PlacedError : public std::runtime_error {
 public:
  const std::string& file() const noexcept { return file_; }
  /// The message alone, without the place (for re-attributing an error to another place).
  const std::string& message() const noexcept { return message_; }
  int line() const noexcept { return line_; }
  int column() const noexcept { return column_; }

 protected:
  PlacedError(std::string file, int line, int column, const std::string& message)
      : std::runtime_error(format(file, line, column, message)), file_(std::move(file)), message_(message),
        line_(line), column_(column) {}

 private:
  static std::string format(const std::string& file, int line, int column, const std::string& message) {
    std::string where = file.empty() ? std::string("scenario") : file;
    if (line > 0) where.append(":").append(std::to_string(line)).append(":").append(std::to_string(column));
    where.append(": error: ").append(message);
    return one_line(where);
  }
  /// Messages quote keys and names from the file, which may hold newlines:
  /// escape control characters so that an error is always one line.
  static std::string one_line(const std::string& text) {
    std::string out;
    for (const char c : text) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '\n') {
        out += "\\n";
      } else if (u < 0x20 || u == 0x7f) {
        const char* hex = "0123456789abcdef";
        out += "\\x";
        out += hex[u >> 4];
        out += hex[u & 15];
      } else {
        out += c;
      }
    }
    return out;
  }
  std::string file_, message_;
  int line_, column_;
};

/// A problem with an input file (or a --set), at the place it was found when known.
class InputError : public PlacedError {
 public:
  InputError(std::string file, int line, int column, const std::string& message)
      : PlacedError(std::move(file), line, column, message) {}
};

/// A valid input that is too big to run within the limits (memory, sizes).
class ResourceLimitError : public PlacedError {
 public:
  ResourceLimitError(std::string file, int line, int column, const std::string& message)
      : PlacedError(std::move(file), line, column, message) {}
};

}  // namespace govsim
