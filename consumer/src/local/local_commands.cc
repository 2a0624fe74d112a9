#include "local/local_commands.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <ostream>
#include <thread>

namespace cdc {
namespace {

// Blocks SIGINT and SIGTERM in the calling thread (and so in every thread it starts later),
// so that they are only ever received through sigtimedwait below.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Waits for SIGINT/SIGTERM, or until `done` is set; sets `stop` on a signal.
void WaitForStopSignal(const sigset_t& set, std::atomic<bool>& stop,
                       const std::atomic<bool>& done) {
  const timespec tick{0, 100'000'000};
  while (!done.load()) {
    if (sigtimedwait(&set, nullptr, &tick) > 0) {
      stop = true;
      return;
    }
  }
}

}  // namespace

int RunBrokerCommand(const EmbeddedBrokerOptions& options, std::ostream& out, std::ostream& err) {
  const sigset_t set = BlockStopSignals();
  auto broker = EmbeddedBroker::Start(options);
  if (!broker) {
    err << "broker: " << broker.error().ToString() << std::endl;
    return 1;
  }
  out << "bootstrap.servers=" << (*broker)->bootstrap_servers() << std::endl;
  err << "broker: topic " << options.topic << " (" << options.partitions << " partitions) and "
      << options.dlq_topic << " ready; Ctrl-C or SIGTERM stops" << std::endl;
  std::atomic<bool> stop{false};
  const std::atomic<bool> never{false};
  WaitForStopSignal(set, stop, never);
  broker->reset();
  err << "broker: stopped" << std::endl;
  return 0;
}

int RunSimulateCommand(const SimulatorOptions& options, std::ostream& out, std::ostream& err) {
  const sigset_t set = BlockStopSignals();
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  std::thread signals([&] { WaitForStopSignal(set, stop, done); });
  auto report = RunFeedSimulator(options, stop);
  done = true;
  signals.join();
  if (!report) {
    err << "simulate: " << report.error().ToString() << std::endl;
    return 1;
  }
  out << report->ToJson() << std::endl;
  return report->failed == 0 ? 0 : 1;
}

}  // namespace cdc
