#pragma once

#include <atomic>
#include <functional>
#include <thread>

#include "core/status.h"

namespace cdc {

// Turns SIGTERM and SIGINT into a graceful shutdown: a dedicated thread waits for them with
// sigwait (so no work happens in a signal handler), calls `on_first` for the first one (the run
// command asks the pipeline to stop) and `on_second` for any later one (default: exit at once
// with 128+signal, for an operator who does not want to wait for the flush).
// BlockSignals() must run on the main thread before any other thread starts, so that every
// thread inherits the blocked mask and only the watcher ever receives these signals.
// Start/Stop are called from the main thread; the callbacks run on the watcher thread.
class SignalWatcher {
 public:
  struct Options {
    std::function<void(int signo)> on_first;
    std::function<void(int signo)> on_second;  // empty: log and _exit(128 + signo)
  };

  // Blocks SIGTERM and SIGINT in the calling thread and ignores SIGPIPE (a peer closing a socket
  // must not kill the process; writes then fail with EPIPE instead).
  static void BlockSignals();
  // Undoes the blocking of BlockSignals in the calling thread (tests).
  static void UnblockSignalsForTest();

  explicit SignalWatcher(Options options);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  Status Start();
  // Ends the watcher thread; signals arriving afterwards stay blocked and pending.
  void Stop();

  int signals_received() const { return received_.load(); }

 private:
  void Run();

  Options options_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> received_{0};
  std::thread thread_;
};

}  // namespace cdc
