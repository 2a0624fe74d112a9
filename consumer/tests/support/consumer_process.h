#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace cdc::testing {

struct ConsumerProcessOptions {
  std::string binary;             // default: ConsumerBinaryPath()
  std::vector<std::string> args;  // after the binary, e.g. {"run", "--brokers", ...}
  // Added to (or replacing) the inherited environment. Every inherited CDC_* variable is
  // dropped first: the consumer treats CDC_* as its own settings and rejects unknown ones, and
  // the test runner's CDC_TEST_TIMEOUT_MULTIPLIER must not leak into it.
  std::map<std::string, std::string> env;
  std::string log_dir;  // where <name>.<run>.out/.err go (created if missing)
  std::string name = "consumer";
};

// How a child ended, decoded from waitpid's status.
struct ExitInfo {
  bool exited = false;  // normal exit (then `code`), else killed by `signal`
  int code = -1;
  int signal = 0;
  std::string ToString() const;
};

// One child process running the cdc-consumer binary (or any binary), restartable: each Start()
// is a new "run" with its own stdout/stderr files, so that a test can grep everything a whole
// scenario printed. The child gets PR_SET_PDEATHSIG=SIGKILL so that it never outlives a crashed
// test. Not thread-safe: owned and driven by the test thread (which must be the thread that
// calls Start, because the death signal follows the forking thread).
class ConsumerProcess {
 public:
  explicit ConsumerProcess(ConsumerProcessOptions options);
  ~ConsumerProcess();  // SIGKILL + reap when still running
  ConsumerProcess(const ConsumerProcess&) = delete;
  ConsumerProcess& operator=(const ConsumerProcess&) = delete;

  Status Start();
  // True while the current run has not ended (reaps it when it has).
  bool Running();
  // Sends `signo` to the running child; false when there is none.
  bool Signal(int signo);
  // Waits (bounded, not scaled) for the current run to end.
  std::optional<ExitInfo> Wait(std::chrono::milliseconds timeout);
  // SIGKILL and reap; returns how it ended (it may have ended on its own before).
  std::optional<ExitInfo> Kill();
  // SIGTERM, then wait up to `timeout`; SIGKILL if it did not end in time (returns nullopt).
  std::optional<ExitInfo> Terminate(std::chrono::milliseconds timeout);

  pid_t pid() const { return pid_; }
  int runs() const { return runs_; }
  const std::optional<ExitInfo>& last_exit() const { return last_exit_; }

  std::string StdoutPath(int run) const;
  std::string StderrPath(int run) const;
  // stdout + stderr of the current (or last) run.
  std::string Output() const;
  // stdout + stderr of every run so far, in order.
  std::string AllOutput() const;
  // Every file written for this process (stdout/stderr of each run).
  std::vector<std::string> OutputFiles() const;

  // From /proc/<pid>/status of the running child, in KiB (VmHWM = peak resident set, VmRSS =
  // current); nullopt when not running or unreadable.
  std::optional<std::int64_t> PeakRssKiB() const;
  std::optional<std::int64_t> RssKiB() const;

  void set_args(std::vector<std::string> args) { options_.args = std::move(args); }
  void set_env(const std::string& key, const std::string& value) { options_.env[key] = value; }
  const ConsumerProcessOptions& options() const { return options_; }

 private:
  std::optional<std::int64_t> StatusField(const char* field) const;

  ConsumerProcessOptions options_;
  pid_t pid_ = -1;
  int runs_ = 0;
  std::optional<ExitInfo> last_exit_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close).
std::uint16_t FreeLoopbackPort();

// A minimal HTTP/1.1 GET over loopback (Connection: close), for /metrics, /readyz and friends.
struct HttpResult {
  int status = 0;
  std::string headers;
  std::string body;
};
std::optional<HttpResult> HttpGet(std::uint16_t port, const std::string& path,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace cdc::testing
