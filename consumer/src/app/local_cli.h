#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <iosfwd>
#include <string>

#include "local/embedded_broker.h"
#include "local/feed_simulator.h"

namespace cdc {

// What the flags of `broker` and `simulate` parse into (the local mode's helpers, issue 5).
struct LocalFlags {
  EmbeddedBrokerOptions broker;
  SimulatorOptions simulator;
  std::string watermark_interval = "1s";
};

// Adds `broker` and `simulate` to the command line; the chosen one sets `action`. `flags` must
// outlive the parse and the action. Called by RunCli on the main thread.
void AddLocalCommands(CLI::App& app, LocalFlags& flags, std::function<int()>& action,
                      std::ostream& out, std::ostream& err);

}  // namespace cdc
