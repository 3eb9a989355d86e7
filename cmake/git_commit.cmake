# cmake/git_commit.cmake: run at build time (the govsim_git_commit target), not at
# configure time, so the commit recorded in every result's metadata is the one
# the binary was built from, with "-dirty" when the working tree had changes.
# Rewrites OUT only when the value changed, so an unchanged tree rebuilds nothing.
#   cmake -DSOURCE_DIR=<repo> -DOUT=<file.cpp> -P cmake/git_commit.cmake
set(commit "unknown")
find_program(GIT_EXECUTABLE git)
if(GIT_EXECUTABLE)
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty --abbrev=12
    WORKING_DIRECTORY ${SOURCE_DIR}
    OUTPUT_VARIABLE described OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET
    RESULT_VARIABLE status)
  if(status EQUAL 0 AND described)
    set(commit "${described}")
  endif()
endif()
set(text "// Generated at build time by cmake/git_commit.cmake: do not edit.
#include \"govsim/version.hpp\"
namespace govsim {
const char* const kGitCommit = \"${commit}\";
}  // namespace govsim
")
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
  message(STATUS "govsim: commit ${commit}")
endif()
