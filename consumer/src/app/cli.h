#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace cdc {

// Exit statuses of `cdc-consumer`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;      // runtime failure (or a failed healthcheck)
inline constexpr int kExitConfigError = 2;  // bad flags or configuration; every error listed

// The command line of cdc-consumer (CLI11): run, decode, healthcheck, config-reference,
// version, and the local-mode helpers broker and simulate. Returns the exit status.
// `environment` is the process environment ("NAME=value"); command output goes to `out`,
// errors to `err`. Called once, from main, on the main thread.
int RunCli(int argc, const char* const* argv, const std::vector<std::string>& environment,
           std::ostream& out, std::ostream& err);

}  // namespace cdc
