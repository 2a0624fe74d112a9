// Binary-level tests of cdc-consumer's command line: the built executable runs as a child
// process with a controlled environment, its stdout and stderr captured to files.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "config/settings.h"
#include "http/http_server.h"
#include "support/test_env.h"

namespace cdc {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr const char* kSentinels[] = {"pw-SENTINEL-7f3a", "apikey-SENTINEL-91c2",
                                      "sasl-SENTINEL-55e0"};

// One run of the binary. Output goes to files so a chatty child never blocks on a full pipe.
class Child {
 public:
  Child(std::vector<std::string> args, std::vector<std::string> env) : dir_(MakeDir()) {
    args.insert(args.begin(), testing::ConsumerBinaryPath());
    pid_ = fork();
    if (pid_ == 0) {
      const int out = open((dir_ / "stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int err = open((dir_ / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(out, 1);
      dup2(err, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      std::vector<char*> envp;
      for (auto& e : env) envp.push_back(e.data());
      envp.push_back(nullptr);
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0 && status_ < 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    fs::remove_all(dir_);
  }

  // The exit status (128+signal when killed by one); -1 if still running after `timeout`.
  int Wait(std::chrono::milliseconds timeout) {
    testing::WaitFor(
        [this] {
          int raw = 0;
          if (status_ < 0 && waitpid(pid_, &raw, WNOHANG) == pid_) {
            status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
          }
          return status_ >= 0;
        },
        timeout);
    return status_;
  }
  void Signal(int signo) { kill(pid_, signo); }
  std::string Out() const { return Slurp(dir_ / "stdout"); }
  std::string Err() const { return Slurp(dir_ / "stderr"); }
  const fs::path& dir() const { return dir_; }

 private:
  static fs::path MakeDir() {
    std::string tmpl = (fs::temp_directory_path() / "cdc-cli-test-XXXXXX").string();
    return fs::path(mkdtemp(tmpl.data()));
  }
  static std::string Slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path dir_;
  pid_t pid_ = -1;
  int status_ = -1;
};

// Under -DCDC_SANITIZE the child reports to stderr and exits 1, which a test expecting 1 would
// otherwise take for the failure it provoked.
void ExpectNoSanitizerReport(const std::string& err) {
  for (const char* marker : {"Sanitizer", "runtime error:"}) {
    EXPECT_EQ(err.find(marker), std::string::npos) << err;
  }
}

struct Finished {
  int status;
  std::string out;
  std::string err;
};

Finished RunBinary(std::vector<std::string> args, std::vector<std::string> env = {}) {
  env.push_back("PATH=/usr/bin:/bin");
  Child child(std::move(args), std::move(env));
  const int status = child.Wait(seconds(30));
  Finished f{status, child.Out(), child.Err()};
  ExpectNoSanitizerReport(f.err);
  return f;
}

void ExpectNoSentinel(const std::string& text, const char* what) {
  for (const char* s : kSentinels) {
    EXPECT_EQ(text.find(s), std::string::npos) << what << " leaks " << s << ":\n" << text;
  }
}

TEST(CliBinaryTest, HelpDocumentsEverySettingWithItsDefault) {
  const Finished run = RunBinary({"run", "--help"});
  ASSERT_EQ(run.status, 0) << run.err;
  const Finished top = RunBinary({"--help"});
  ASSERT_EQ(top.status, 0) << top.err;
  for (const SettingSpec& spec : Settings()) {
    EXPECT_NE(run.out.find(spec.FlagName()), std::string::npos) << spec.key;
    EXPECT_NE(top.out.find(spec.EnvName()), std::string::npos) << spec.key;
    if (!spec.secret) {
      const std::string def = spec.default_text.empty() ? "none" : spec.default_text;
      EXPECT_NE(run.out.find("[default: " + def + "]"), std::string::npos) << spec.key;
    }
  }
}

TEST(CliBinaryTest, ConfigErrorsExitTwoAndListEveryErrorWithItsSource) {
  const fs::path file = fs::temp_directory_path() / ("cdc-cli-bad-" + std::to_string(getpid()));
  std::ofstream(file) << "topic: tidb-cdc\nbrokerz: kafka:9092\nes-bulk-linger: 50\n";
  const Finished r = RunBinary(
      {"run", "--config", file.string(), "--es-gzip", "maybe", "-X", "fetch.wait.max.ms=-5"},
      {"CDC_LISTEN=nowhere", "CDC_ES_PASSWROD=x"});
  fs::remove(file);
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  for (const std::string& want : std::vector<std::string>{
           "invalid configuration (6 errors)", file.string() + ":2: brokerz: unknown key",
           file.string() + ":3: es-bulk-linger: must be a duration", "env CDC_LISTEN: listen:",
           "env CDC_ES_PASSWROD: unknown variable (did you mean CDC_ES_PASSWORD?)",
           "flag --es-gzip: es-gzip: must be true or false",
           "flag -X: -X fetch.wait.max.ms: Configuration property \"fetch.wait.max.ms\" value "
           "-5"}) {
    EXPECT_NE(r.err.find(want), std::string::npos) << "missing: " << want << "\n" << r.err;
  }
}

TEST(CliBinaryTest, SecretsGivenByEnvNeverAppearInAFailingRun) {
  const Finished r = RunBinary({"run", "--log-level", "trace", "--topic", "bad topic"},
                               {std::string("CDC_ES_PASSWORD=") + kSentinels[0],
                                std::string("CDC_ES_API_KEY=") + kSentinels[1],
                                std::string("CDC_X_SASL_PASSWORD=") + kSentinels[2],
                                std::string("CDC_ES_PASSWORDD=") + kSentinels[0]});
  EXPECT_EQ(r.status, 2);
  EXPECT_FALSE(r.err.empty());
  ExpectNoSentinel(r.out, "stdout");
  ExpectNoSentinel(r.err, "stderr");
}

TEST(CliBinaryTest, SecretsNeverAppearWhenStartupFailsAtRuntime) {
  // A busy port makes `run` fail after the configuration was accepted and logged at trace.
  HttpServerOptions busy_options;
  busy_options.port = 0;
  HttpServer busy(std::move(busy_options));
  ASSERT_TRUE(busy.Start().ok());
  const Finished r = RunBinary(
      {"run", "--log-level", "trace", "--es-url", "", "--listen",
       "127.0.0.1:" + std::to_string(busy.port()), "--brokers", "127.0.0.1:1"},
      {"CDC_ES_USER=writer", std::string("CDC_ES_PASSWORD=") + kSentinels[0],
       std::string("CDC_X_SASL_PASSWORD=") + kSentinels[2],
       "CDC_STORE_PATH=" + (fs::temp_directory_path() / "cdc-cli-unused.sqlite").string()});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("cannot start the HTTP server"), std::string::npos) << r.err;
  ExpectNoSentinel(r.out, "stdout");
  ExpectNoSentinel(r.err, "stderr");
}

TEST(CliBinaryTest, ServesProbesAndStopsCleanlyOnSigterm) {
  const fs::path store = fs::temp_directory_path() / ("cdc-cli-store-" + std::to_string(getpid()));
  fs::create_directories(store);
  Child child({"run", "--es-url", "", "--brokers", "127.0.0.1:1", "--listen", "127.0.0.1:0"},
              {"PATH=/usr/bin:/bin", "CDC_STORE_PATH=" + (store / "events.sqlite").string(),
               "CDC_SHUTDOWN_TIMEOUT=5s", "CDC_ES_USER=writer",
               std::string("CDC_ES_PASSWORD=") + kSentinels[0]});
  std::smatch m;
  const std::regex listening("HTTP server listening\" host=127\\.0\\.0\\.1 port=(\\d+)");
  std::string err;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        err = child.Err();
        return std::regex_search(err, m, listening);
      },
      seconds(30)))
      << err;
  const int port = std::stoi(m[1]);
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(seconds(5));

  auto healthz = client.Get("/healthz");
  ASSERT_TRUE(healthz);
  EXPECT_EQ(healthz->status, 200);
  auto readyz = client.Get("/readyz");
  ASSERT_TRUE(readyz);
  EXPECT_EQ(readyz->status, 503) << "no broker at 127.0.0.1:1";
  EXPECT_NE(readyz->body.find("\"kafka\":\"down\""), std::string::npos) << readyz->body;
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("cdc_"), std::string::npos);
  EXPECT_EQ(metrics->get_header_value("X-Content-Type-Options"), "nosniff");
  auto ui = client.Get("/");
  ASSERT_TRUE(ui);
  EXPECT_EQ(ui->status, 200);
  EXPECT_FALSE(ui->get_header_value("Content-Security-Policy").empty());

  const Finished probe =
      RunBinary({"healthcheck", "--url", "http://127.0.0.1:" + std::to_string(port) + "/healthz"});
  EXPECT_EQ(probe.status, 0) << probe.err;

  child.Signal(SIGTERM);
  EXPECT_EQ(child.Wait(seconds(30)), 0) << child.Err();
  EXPECT_NE(child.Err().find("stopped cleanly"), std::string::npos) << child.Err();
  ExpectNoSanitizerReport(child.Err());
  ExpectNoSentinel(child.Out(), "stdout");
  ExpectNoSentinel(child.Err(), "stderr");
  fs::remove_all(store);
}

TEST(CliBinaryTest, VersionAndHealthcheckOfNothing) {
  const Finished v = RunBinary({"version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out, "cdc-consumer " CDC_VERSION "\n");
  const Finished hc =
      RunBinary({"healthcheck", "--url", "http://127.0.0.1:1/healthz", "--timeout", "1s"});
  EXPECT_EQ(hc.status, 1);
  EXPECT_FALSE(hc.err.empty());
}

}  // namespace
}  // namespace cdc
