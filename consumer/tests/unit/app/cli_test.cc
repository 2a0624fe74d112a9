#include "app/cli.h"

#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <string>
#include <vector>

#include "app/healthcheck_command.h"
#include "config/config_reference.h"
#include "config/settings.h"
#include "http/http_server.h"

namespace cdc {
namespace {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

CliRun Cli(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), "cdc-consumer");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  std::ostringstream err;
  CliRun r;
  r.status = RunCli(static_cast<int>(argv.size()), argv.data(), env, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST(CliTest, HelpListsEverySettingWithItsDefault) {
  const CliRun top = Cli({"--help"});
  EXPECT_EQ(top.status, 0);
  const CliRun run = Cli({"run", "--help"});
  EXPECT_EQ(run.status, 0);
  for (const SettingSpec& spec : Settings()) {
    EXPECT_NE(top.out.find(spec.FlagName()), std::string::npos) << spec.key;
    EXPECT_NE(top.out.find(spec.EnvName()), std::string::npos) << spec.key;
    EXPECT_NE(run.out.find(spec.FlagName()), std::string::npos) << spec.key;
    EXPECT_NE(run.out.find("[env: " + spec.EnvName() + "]"), std::string::npos) << spec.key;
    if (!spec.secret) {
      const std::string def = spec.default_text.empty() ? "none" : spec.default_text;
      EXPECT_NE(run.out.find("[default: " + def + "]"), std::string::npos) << spec.key;
    }
  }
  EXPECT_NE(run.out.find("-X NAME=VALUE"), std::string::npos) << run.out;
  for (const char* sub : {"run", "decode", "healthcheck", "config-reference", "version"}) {
    EXPECT_NE(top.out.find(sub), std::string::npos) << sub;
  }
}

TEST(CliTest, PrintConfigShowsValuesAndSources) {
  const CliRun r = Cli({"run", "--print-config", "--brokers", "k1:9092", "--es-gzip", "-X",
                        "client.id=me", "--listen=0.0.0.0:9000"},
                       {"CDC_TOPIC=env-topic", "CDC_ES_USER=u", "CDC_ES_PASSWORD=hunter2"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("brokers: \"k1:9092\"  # flag --brokers"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("topic: \"env-topic\"  # env CDC_TOPIC"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("es-gzip: \"true\"  # flag --es-gzip"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("listen: \"0.0.0.0:9000\"  # flag --listen"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("es-password: \"***\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  client.id: \"me\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << r.out;
}

TEST(CliTest, AnEmptyValueAfterEqualsIsEmpty) {
  // `--es-url=` selects the embedded store; it must not swallow the next argument.
  const CliRun r = Cli({"run", "--es-url=", "--print-config", "--topic=t"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("es-url: \"\"  # flag --es-url"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("topic: \"t\"  # flag --topic"), std::string::npos) << r.out;
}

TEST(CliTest, ConfigErrorsExitTwoAndListEveryOne) {
  const CliRun r =
      Cli({"run", "--topic", "bad topic", "--es-url", "ftp://es", "--es-gzip", "maybe"},
          {"CDC_SHUTDOWN_TIMEOUT=forever", "CDC_ES_PASSWORD=hunter2"});
  EXPECT_EQ(r.status, kExitConfigError);
  EXPECT_NE(r.err.find("invalid configuration (5 errors)"), std::string::npos) << r.err;
  for (const char* want :
       {"flag --topic: topic:", "flag --es-url: es-url:", "flag --es-gzip: es-gzip:",
        "env CDC_SHUTDOWN_TIMEOUT: shutdown-timeout:",
        "env CDC_ES_PASSWORD: es-password: needs es-user"}) {
    EXPECT_NE(r.err.find(want), std::string::npos) << want << "\n" << r.err;
  }
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos);
  EXPECT_TRUE(r.out.empty());
}

TEST(CliTest, BadCommandLinesExitTwo) {
  EXPECT_EQ(Cli({}).status, kExitConfigError);
  EXPECT_EQ(Cli({"run", "--no-such-flag"}).status, kExitConfigError);
  EXPECT_EQ(Cli({"frobnicate"}).status, kExitConfigError);
  EXPECT_EQ(Cli({"healthcheck", "--timeout", "soon"}).status, kExitConfigError);
}

TEST(CliTest, VersionAndReference) {
  EXPECT_EQ(Cli({"version"}).out, "cdc-consumer " CDC_VERSION "\n");
  EXPECT_NE(Cli({"--version"}).out.find(CDC_VERSION), std::string::npos);
  const CliRun ref = Cli({"config-reference"});
  EXPECT_EQ(ref.status, 0);
  EXPECT_EQ(ref.out, ConfigReferenceMarkdown());
}

TEST(CliTest, HealthcheckFollowsTheHttpStatus) {
  std::atomic<bool> alive{true};
  HttpServerOptions options;
  options.port = 0;
  options.liveness = [&] { return alive ? Status::Ok() : Status::Internal("poll thread died"); };
  HttpServer server(std::move(options));
  ASSERT_TRUE(server.Start().ok());
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/healthz";

  CliRun ok = Cli({"healthcheck", "--url", url});
  EXPECT_EQ(ok.status, 0) << ok.err;
  alive = false;
  CliRun failed = Cli({"healthcheck", "--url", url});
  EXPECT_EQ(failed.status, 1);
  EXPECT_NE(failed.err.find("HTTP 503"), std::string::npos) << failed.err;
  // The default URL follows CDC_LISTEN, with a wildcard host probed on loopback.
  alive = true;
  CliRun from_env = Cli({"healthcheck"}, {"CDC_LISTEN=0.0.0.0:" + std::to_string(server.port())});
  EXPECT_EQ(from_env.status, 0) << from_env.err;
  const std::uint16_t closed = server.port();
  server.Stop();
  CliRun down = Cli({"healthcheck", "--url", "http://127.0.0.1:" + std::to_string(closed) + "/",
                     "--timeout", "500ms"});
  EXPECT_EQ(down.status, 1);
  EXPECT_FALSE(down.err.empty());
}

TEST(CliTest, SplitsHealthcheckUrls) {
  auto s = SplitUrl("http://127.0.0.1:3000/healthz");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->base, "http://127.0.0.1:3000");
  EXPECT_EQ(s->path, "/healthz");
  s = SplitUrl("https://host");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->path, "/");
  s = SplitUrl("http://h:1?x=1#frag");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->path, "/?x=1");
  EXPECT_FALSE(SplitUrl("ftp://h/").has_value());
  EXPECT_FALSE(SplitUrl("http:///x").has_value());
}

TEST(CliTest, DecodeIsWired) {
  const CliRun r = Cli({"decode", "/nonexistent/message.json"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("/nonexistent/message.json"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cdc
