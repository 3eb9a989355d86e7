// models/app/cli/docgen_main.cpp: govsim_docgen, the documentation generated from the parameter tables.
//
//   govsim_docgen ROOT          rewrite docs/scenario.schema.json and the marked tables of docs/*.md
//   govsim_docgen --check ROOT  exit 1, naming each file that differs from what would be generated
//
// ROOT is the repository's root. The tables are models/app/input/parameters.cpp;
// the markers and what they name: models/app/input/parameter_docs.hpp.
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "models/app/input/parameter_docs.hpp"

int main(int argc, char** argv) {
  const bool check = argc == 3 && std::strcmp(argv[1], "--check") == 0;
  if (!(argc == 2 || check) || (argc == 2 && argv[1][0] == '-')) {
    std::fprintf(stderr, "usage: govsim_docgen [--check] REPOSITORY_ROOT\n");
    return 2;
  }
  const std::filesystem::path root = argv[argc - 1];
  try {
    int differ = 0;
    for (const auto& f : govsim::generated_docs(root.string())) {
      const auto path = root / f.path;
      std::ifstream in(path, std::ios::binary);
      std::stringstream now;
      now << in.rdbuf();
      if (now.str() == f.text) continue;
      if (check) {
        std::fprintf(stderr, "%s differs from what models/app/input/parameters.cpp generates\n", f.path.c_str());
        ++differ;
      } else {
        std::ofstream(path, std::ios::binary) << f.text;
        std::printf("wrote %s\n", f.path.c_str());
      }
    }
    if (differ) {
      std::fprintf(stderr,
                   "regenerate with: cmake --build build/release --target govsim_docgen && "
                   "build/release/govsim_docgen .   (then commit the docs with the table change)\n");
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "govsim_docgen: error: %s\n", e.what());
    return 2;
  }
}
