#include "support/consumer_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/test_env.h"

extern char** environ;

namespace cdc::testing {
namespace {

ExitInfo Decode(int status) {
  ExitInfo info;
  if (WIFEXITED(status)) {
    info.exited = true;
    info.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    info.signal = WTERMSIG(status);
  }
  return info;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Closes every descriptor above stderr in the child, so that it holds no copy of the test's
// listening sockets (a copy would keep a "down" fake server's port accepting connections).
void CloseInheritedDescriptors() {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
#endif
  const long max_fd = sysconf(_SC_OPEN_MAX);
  for (long fd = 3; fd < (max_fd > 0 && max_fd < 65536 ? max_fd : 65536); ++fd) {
    close(static_cast<int>(fd));
  }
}

}  // namespace

std::string ExitInfo::ToString() const {
  if (exited) return "exit code " + std::to_string(code);
  if (signal != 0)
    return std::string("killed by signal ") + std::to_string(signal) + " (" + strsignal(signal) +
           ")";
  return "unknown";
}

ConsumerProcess::ConsumerProcess(ConsumerProcessOptions options) : options_(std::move(options)) {
  if (options_.binary.empty()) options_.binary = ConsumerBinaryPath();
  if (options_.log_dir.empty()) options_.log_dir = std::filesystem::temp_directory_path().string();
}

ConsumerProcess::~ConsumerProcess() { (void)Kill(); }

std::string ConsumerProcess::StdoutPath(int run) const {
  return options_.log_dir + "/" + options_.name + "." + std::to_string(run) + ".out";
}
std::string ConsumerProcess::StderrPath(int run) const {
  return options_.log_dir + "/" + options_.name + "." + std::to_string(run) + ".err";
}

Status ConsumerProcess::Start() {
  if (pid_ > 0 && Running()) return Status::Internal("already running");
  std::error_code ec;
  std::filesystem::create_directories(options_.log_dir, ec);
  ++runs_;
  const std::string out_path = StdoutPath(runs_);
  const std::string err_path = StderrPath(runs_);

  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> argv_s;
  argv_s.push_back(options_.binary);
  argv_s.insert(argv_s.end(), options_.args.begin(), options_.args.end());
  std::vector<std::string> env_s;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string key = entry.substr(0, entry.find('='));
    if (key.rfind("CDC_", 0) == 0 || options_.env.contains(key)) continue;
    env_s.push_back(entry);
  }
  for (const auto& [key, value] : options_.env) env_s.push_back(key + "=" + value);
  std::vector<char*> argv, envp;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);
  const pid_t parent = getpid();

  const pid_t pid = fork();
  if (pid < 0) return Status::Internal(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);  // the test died between fork and prctl
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null_in = open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || null_in < 0) _exit(125);
    dup2(null_in, 0);
    dup2(out, 1);
    dup2(err, 2);
    CloseInheritedDescriptors();
    // The test process may block signals in its threads; the child starts clean.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  pid_ = pid;
  last_exit_.reset();
  return Status::Ok();
}

bool ConsumerProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  if (r == pid_) last_exit_ = Decode(status);
  pid_ = -1;
  return false;
}

bool ConsumerProcess::Signal(int signo) {
  if (!Running()) return false;
  return kill(pid_, signo) == 0;
}

std::optional<ExitInfo> ConsumerProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return last_exit_;
}

std::optional<ExitInfo> ConsumerProcess::Kill() {
  if (pid_ <= 0) return last_exit_;
  if (Running()) kill(pid_, SIGKILL);
  int status = 0;
  if (pid_ > 0 && waitpid(pid_, &status, 0) == pid_) last_exit_ = Decode(status);
  pid_ = -1;
  return last_exit_;
}

std::optional<ExitInfo> ConsumerProcess::Terminate(std::chrono::milliseconds timeout) {
  if (!Signal(SIGTERM)) return last_exit_;
  auto info = Wait(timeout);
  if (!info) (void)Kill();
  return info;
}

std::string ConsumerProcess::Output() const {
  if (runs_ == 0) return {};
  return Slurp(StdoutPath(runs_)) + Slurp(StderrPath(runs_));
}

std::string ConsumerProcess::AllOutput() const {
  std::string all;
  for (int run = 1; run <= runs_; ++run) all += Slurp(StdoutPath(run)) + Slurp(StderrPath(run));
  return all;
}

std::vector<std::string> ConsumerProcess::OutputFiles() const {
  std::vector<std::string> files;
  for (int run = 1; run <= runs_; ++run) {
    files.push_back(StdoutPath(run));
    files.push_back(StderrPath(run));
  }
  return files;
}

std::optional<std::int64_t> ConsumerProcess::StatusField(const char* field) const {
  if (pid_ <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::atoll(line.c_str() + prefix.size());
  }
  return std::nullopt;
}

std::optional<std::int64_t> ConsumerProcess::PeakRssKiB() const { return StatusField("VmHWM"); }
std::optional<std::int64_t> ConsumerProcess::RssKiB() const { return StatusField("VmRSS"); }

std::uint16_t FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  std::uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::optional<HttpResult> HttpGet(std::uint16_t port, const std::string& path,
                                  std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return std::nullopt;
  auto fail = [fd]() -> std::optional<HttpResult> {
    close(fd);
    return std::nullopt;
  };
  auto wait_for = [&](short events) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    return poll(&p, 1, static_cast<int>(left.count())) == 1;
  };
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno != EINPROGRESS || !wait_for(POLLOUT)) return fail();
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) return fail();
  }
  const std::string request = "GET " + path +
                              " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                              "\r\nConnection: close\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_for(POLLOUT)) {
      continue;
    } else {
      return fail();
    }
  }
  std::string raw;
  char buf[16384];
  while (true) {
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n > 0) {
      raw.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if ((errno == EAGAIN || errno == EWOULDBLOCK) && wait_for(POLLIN)) {
      continue;
    } else {
      return fail();
    }
  }
  close(fd);
  const auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos || raw.rfind("HTTP/1.", 0) != 0) return std::nullopt;
  HttpResult result;
  result.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
  result.headers = raw.substr(0, head_end);
  std::string body = raw.substr(head_end + 4);
  std::string lower = result.headers;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find("transfer-encoding: chunked") != std::string::npos) {
    std::string decoded;
    std::size_t pos = 0;
    while (pos < body.size()) {
      const auto eol = body.find("\r\n", pos);
      if (eol == std::string::npos) break;
      const std::size_t size = std::stoul(body.substr(pos, eol - pos), nullptr, 16);
      if (size == 0) break;
      decoded += body.substr(eol + 2, size);
      pos = eol + 2 + size + 2;
    }
    body = std::move(decoded);
  }
  result.body = std::move(body);
  return result;
}

}  // namespace cdc::testing
