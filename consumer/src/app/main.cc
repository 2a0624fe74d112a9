// cdc-consumer: the entry point. Everything but signal setup lives in app/cli.cc, so that tests
// can drive the command line in-process.
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "app/allocator_tuning.h"
#include "app/cli.h"

extern char** environ;

int main(int argc, char** argv) {
  // A peer closing a socket must not kill the process; writes fail with EPIPE instead. SIGTERM
  // and SIGINT keep their default action here (Ctrl-C ends `decode`); `run` blocks them for its
  // signal thread before it starts any other thread.
  std::signal(SIGPIPE, SIG_IGN);
  cdc::TuneAllocatorForStreaming();
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
