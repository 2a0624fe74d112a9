// cdc-consumer: the entry point. Everything but signal setup lives in app/cli.cc, so that tests
// can drive the command line in-process.
#include <iostream>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/signals.h"

extern char** environ;

int main(int argc, char** argv) {
  // Before any thread exists (librdkafka, HTTP workers), so every thread inherits the mask and
  // only the signal watcher receives SIGTERM/SIGINT; SIGPIPE is ignored.
  cdc::SignalWatcher::BlockSignals();
  std::vector<std::string> environment;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) environment.emplace_back(*e);
  try {
    return cdc::RunCli(argc, argv, environment, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "cdc-consumer: fatal: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "cdc-consumer: fatal error\n";
  }
  return cdc::kExitFailure;
}
