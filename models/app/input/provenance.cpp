// models/app/input/provenance.cpp: see provenance.hpp.
#include "models/app/input/provenance.hpp"

#include "models/domain/input_error.hpp"

namespace govsim {

std::string Provenance::bare(const std::string& path) {
  return path.rfind("scenario.", 0) == 0 ? path.substr(9) : path;
}

std::string Provenance::file(const std::string& path) const {
  std::string p = bare(path);
  while (true) {
    auto it = file_of.find(p);
    if (it != file_of.end()) return it->second;
    const auto dot = p.rfind('.');
    if (dot == std::string::npos) break;
    p.resize(dot);
  }
  auto it = file_of.find(p);
  return it != file_of.end() ? it->second : root;
}

void fail_at(const Provenance& prov, const std::string& path, const YAML::Node& node, const std::string& message) {
  const std::string file = prov.file(path);
  int line = 0, column = 0;
  // A value from `--set` has positions inside the value text only: not worth showing.
  if (node.IsDefined() && file.rfind("--set ", 0) != 0) {
    const YAML::Mark m = node.Mark();
    if (m.line >= 0) {
      line = m.line + 1;
      column = m.column + 1;
    }
  }
  throw InputError(file, line, column, message);
}

}  // namespace govsim
