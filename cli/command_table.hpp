// signetctl as a function of its arguments (signetctl_main.cpp's, without the program name):
// the command they name, with --help answered at every level.

#pragma once

#include <string>
#include <vector>

namespace signet::daemon {

// The exit status of `signetctl args...`.
int run_signetctl(std::vector<std::string> args);

}  // namespace signet::daemon
