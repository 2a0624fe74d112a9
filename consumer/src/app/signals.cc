#include "app/signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <exception>

#include "app/logging.h"
#include "core/thread_name.h"

namespace cdc {
namespace {

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void SignalWatcher::BlockSignals() {
  const sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

void SignalWatcher::UnblockSignalsForTest() {
  const sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

SignalWatcher::SignalWatcher(Options options) : options_(std::move(options)) {}

SignalWatcher::~SignalWatcher() { Stop(); }

Status SignalWatcher::Start() {
  if (thread_.joinable()) return Status::Internal("signal watcher already started");
  // The new thread inherits the caller's mask; it must have the signals blocked for sigwait.
  BlockSignals();
  try {
    thread_ = std::thread([this] {
      SetCurrentThreadName("cdc-signals");
      Run();
    });
  } catch (const std::exception& e) {
    return Status::Internal(std::string("cannot start the signal thread: ") + e.what());
  }
  return Status::Ok();
}

void SignalWatcher::Stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true);
  // Wakes sigwait with a signal aimed at the watcher thread alone; it sees stopping_ and returns.
  pthread_kill(thread_.native_handle(), SIGTERM);
  thread_.join();
}

void SignalWatcher::Run() {
  const auto log = Logger("signals");
  const sigset_t set = ShutdownSignals();
  while (true) {
    int signo = 0;
    if (sigwait(&set, &signo) != 0) continue;
    if (stopping_.load()) return;
    const int n = ++received_;
    try {
      if (n == 1) {
        log->info("msg=\"shutdown requested; finishing in-flight work\" signal={}",
                  sigabbrev_np(signo));
        if (options_.on_first) options_.on_first(signo);
      } else if (options_.on_second) {
        options_.on_second(signo);
      } else {
        log->warn("msg=\"second signal; exiting without waiting for the flush\" signal={}",
                  sigabbrev_np(signo));
        log->flush();
        _exit(128 + signo);
      }
    } catch (const std::exception& e) {
      log->error("msg=\"signal callback failed\" error={}", LogValue(e.what()));
    } catch (...) {
      log->error("msg=\"signal callback failed\"");
    }
  }
}

}  // namespace cdc
