#pragma once

#include <iosfwd>

#include "local/embedded_broker.h"
#include "local/feed_simulator.h"

namespace cdc {

// Entry points of `cdc-consumer broker` and `cdc-consumer simulate` (main.cc parses the flags
// into the options and returns what these return as the exit status). Each blocks SIGINT and
// SIGTERM before librdkafka starts its threads and stops cleanly on either. Call from main.

// Starts the embedded broker, prints "bootstrap.servers=<list>" on `out`, writes
// <state_dir>/bootstrap.servers, runs until SIGINT/SIGTERM. 0 on a clean stop, 1 on error.
int RunBrokerCommand(const EmbeddedBrokerOptions& options, std::ostream& out, std::ostream& err);

// Runs the feed simulator until SIGINT/SIGTERM, --count or the end of the replay file, then
// prints the SimulatorReport as one JSON line on `out`. 0 when every record was delivered.
int RunSimulateCommand(const SimulatorOptions& options, std::ostream& out, std::ostream& err);

}  // namespace cdc
