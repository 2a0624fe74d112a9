#include "config/config_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "config/config_reference.h"
#include "config/settings.h"
#include "support/test_env.h"
#include "transform/redactor.h"

namespace cdc {
namespace {

constexpr const char* kSentinel = "s3ntinel-Pa55word-XYZ";

// A file in the test's temp dir, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    path_ = (std::filesystem::temp_directory_path() /
             fmt::format("cdc-config-test-{}-{}", ::getpid(), counter_++))
                .string();
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

std::string Errors(const ConfigResult& r) { return r ? "" : FormatConfigErrors(r.error()); }

TEST(ConfigLoaderTest, DefaultsMatchTheIssue) {
  const ConfigResult c = LoadConfig({});
  ASSERT_TRUE(c.has_value()) << Errors(c);
  EXPECT_EQ(c->brokers, "localhost:9092");
  EXPECT_EQ(c->topic, "tidb-cdc");
  EXPECT_EQ(c->group, "tidb-cdc-consumer");
  EXPECT_EQ(c->dlq_topic, "tidb-cdc-dlq");
  EXPECT_EQ(c->es_urls, std::vector<std::string>{"http://localhost:9200"});
  EXPECT_EQ(c->index, "cdc-events");
  EXPECT_EQ(c->listen, (HostPort{"127.0.0.1", 3000}));
  EXPECT_EQ(c->redact_columns, Redactor::DefaultPatterns());
  EXPECT_FALSE(c->redact_columns.empty());
  EXPECT_EQ(c->log_level, "info");
  EXPECT_EQ(c->max_table_series, 200);
  EXPECT_TRUE(c->es_password.empty());
  EXPECT_TRUE(c->rdkafka_overrides.empty());
  for (const auto& [key, source] : c->sources) EXPECT_EQ(source.where, "default") << key;
}

TEST(ConfigLoaderTest, TableIsConsistent) {
  std::set<std::string> keys;
  std::set<std::string> envs;
  Config config;
  for (const SettingSpec& spec : Settings()) {
    EXPECT_TRUE(keys.insert(spec.key).second) << "duplicate key " << spec.key;
    EXPECT_TRUE(envs.insert(spec.EnvName()).second) << "duplicate env " << spec.EnvName();
    EXPECT_FALSE(spec.help.empty()) << spec.key;
    EXPECT_FALSE(spec.group.empty()) << spec.key;
    // Every default parses, and the printed form parses back to the same value.
    ASSERT_TRUE(spec.apply(spec.default_text, config).ok()) << spec.key;
    const std::string printed = spec.format(config);
    if (!spec.secret) {
      ASSERT_TRUE(spec.apply(printed, config).ok()) << spec.key << "=" << printed;
      EXPECT_EQ(spec.format(config), printed) << spec.key;
    }
    if (!spec.secret_file_for.empty()) {
      ASSERT_NE(FindSetting(spec.secret_file_for), nullptr) << spec.key;
      EXPECT_TRUE(FindSetting(spec.secret_file_for)->secret) << spec.key;
    }
  }
  EXPECT_EQ(FindSetting("es-url")->EnvName(), "CDC_ES_URL");
  EXPECT_EQ(FindSetting("dlq-topic")->FlagName(), "--dlq-topic");
  EXPECT_EQ(FindSettingByEnv("CDC_BROKERS")->key, "brokers");
  for (const char* key : {"brokers",
                          "topic",
                          "group",
                          "dlq-topic",
                          "es-url",
                          "index",
                          "listen",
                          "redact-columns",
                          "es-user",
                          "es-password",
                          "es-password-file",
                          "es-api-key",
                          "es-api-key-file",
                          "es-ca-file",
                          "es-gzip",
                          "max-buffered-bytes",
                          "shutdown-timeout",
                          "log-level",
                          "store-path",
                          "max-table-series"}) {
    EXPECT_NE(FindSetting(key), nullptr) << key;
  }
}

TEST(ConfigLoaderTest, FlagBeatsEnvBeatsFileBeatsDefault) {
  const TempFile file("topic: from-file\ngroup: file-group\nindex: file-index\n");
  ConfigInputs in;
  in.flags["config"] = file.path();
  in.environment = {"CDC_TOPIC=from-env", "CDC_GROUP=env-group"};
  in.flags["topic"] = "from-flag";
  const ConfigResult c = LoadConfig(in);
  ASSERT_TRUE(c.has_value()) << Errors(c);
  EXPECT_EQ(c->topic, "from-flag");
  EXPECT_EQ(c->sources.at("topic").where, "flag --topic");
  EXPECT_EQ(c->group, "env-group");
  EXPECT_EQ(c->sources.at("group").where, "env CDC_GROUP");
  EXPECT_EQ(c->index, "file-index");
  EXPECT_EQ(c->sources.at("index").where, file.path() + ":3");
  EXPECT_EQ(c->brokers, "localhost:9092");
  EXPECT_EQ(c->sources.at("brokers").where, "default");
}

TEST(ConfigLoaderTest, ConfigFileComesFromEnvToo) {
  const TempFile file("topic: via-env-config\n");
  ConfigInputs in;
  in.environment = {"CDC_CONFIG=" + file.path()};
  const ConfigResult c = LoadConfig(in);
  ASSERT_TRUE(c.has_value()) << Errors(c);
  EXPECT_EQ(c->topic, "via-env-config");
}

TEST(ConfigLoaderTest, UnknownCdcEnvIsRejectedWithoutItsValue) {
  ConfigInputs in;
  in.environment = {"CDC_ES_PASSWROD=" + std::string(kSentinel), "CDC_BROKER=x",
                    "CDC_TEST_TIMEOUT_MULTIPLIER=3", "PATH=/usr/bin", "CDCX=1"};
  const ConfigResult c = LoadConfig(in);
  ASSERT_FALSE(c.has_value());
  const std::string all = Errors(c);
  EXPECT_EQ(c.error().size(), 2u) << all;
  EXPECT_NE(all.find("env CDC_ES_PASSWROD: unknown variable (did you mean CDC_ES_PASSWORD?)"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("env CDC_BROKER: unknown variable (did you mean CDC_BROKERS?)"),
            std::string::npos)
      << all;
  EXPECT_EQ(all.find(kSentinel), std::string::npos) << all;
}

TEST(ConfigLoaderTest, AllErrorsFromAllSourcesAtOnce) {
  const TempFile file("topic: ok\nbrokerz: x\nes-bulk-linger: soon\n");
  ConfigInputs in;
  in.flags["config"] = file.path();
  in.environment = {"CDC_LISTEN=localhost", "CDC_NOPE=1"};
  in.flags["es-max-in-flight"] = "65";
  in.flags["es-url"] = "http://es:9200/some/path";
  in.rdkafka_flags = {"no-equals-sign"};
  const ConfigResult c = LoadConfig(in);
  ASSERT_FALSE(c.has_value());
  const std::string all = Errors(c);
  EXPECT_EQ(c.error().size(), 7u) << all;
  for (const std::string& want : std::vector<std::string>{
           file.path() + ":2: brokerz: unknown key (did you mean brokers?)",
           file.path() + ":3: es-bulk-linger: must be a duration",
           "env CDC_LISTEN: listen: must be host:port", "env CDC_NOPE: unknown variable",
           "flag --es-max-in-flight: es-max-in-flight: must be between 1 and 64",
           "flag --es-url: es-url: item 1: must not have a path",
           "flag -X: -X: must be -X name=value"}) {
    EXPECT_NE(all.find(want), std::string::npos) << "missing: " << want << "\n" << all;
  }
}

TEST(ConfigLoaderTest, SecretsNeverPrint) {
  ConfigInputs in;
  in.environment = {"CDC_ES_USER=writer", "CDC_ES_PASSWORD=" + std::string(kSentinel),
                    "CDC_X_SASL_PASSWORD=" + std::string(kSentinel)};
  const ConfigResult c = LoadConfig(in);
  ASSERT_TRUE(c.has_value()) << Errors(c);
  EXPECT_EQ(c->es_password.Reveal(), kSentinel);
  const std::string dump = DumpConfig(*c);
  EXPECT_EQ(dump.find(kSentinel), std::string::npos) << dump;
  EXPECT_NE(dump.find("es-password: \"***\"  # env CDC_ES_PASSWORD"), std::string::npos) << dump;
  EXPECT_NE(dump.find("sasl.password: \"***\""), std::string::npos) << dump;
  EXPECT_EQ(fmt::format("{}", c->es_password), "***");
  std::ostringstream streamed;
  streamed << c->es_password;
  EXPECT_EQ(streamed.str(), "***");
}

TEST(ConfigLoaderTest, SecretErrorsNeverShowTheSecret) {
  ConfigInputs in;
  in.environment = {"CDC_ES_PASSWORD=" + std::string(kSentinel),
                    "CDC_ES_API_KEY=" + std::string(kSentinel)};
  in.flags["es-user"] = "writer";
  in.flags["topic"] = "bad topic";
  const ConfigResult c = LoadConfig(in);
  ASSERT_FALSE(c.has_value());
  const std::string all = Errors(c);
  EXPECT_NE(all.find("es-api-key: give either es-api-key or es-user/es-password"),
            std::string::npos)
      << all;
  EXPECT_EQ(all.find(kSentinel), std::string::npos) << all;
}

TEST(ConfigLoaderTest, SecretFilesTrimOneTrailingNewline) {
  struct Case {
    std::string content;
    std::string want;
  };
  for (const Case& tc : {Case{"pw\n", "pw"}, Case{"pw\r\n", "pw"}, Case{"pw\n\n", "pw\n"},
                         Case{"pw", "pw"}, Case{" spaced pw \n", " spaced pw "}}) {
    const TempFile file(tc.content);
    ConfigInputs in;
    in.environment = {"CDC_ES_USER=writer", "CDC_ES_PASSWORD_FILE=" + file.path()};
    const ConfigResult c = LoadConfig(in);
    ASSERT_TRUE(c.has_value()) << Errors(c);
    EXPECT_EQ(c->es_password.Reveal(), tc.want);
    EXPECT_EQ(c->sources.at("es-password").where, "file " + file.path());
  }
  const TempFile key("a2V5LWlkOmtleQ==\n");
  ConfigInputs in;
  in.flags["es-api-key-file"] = key.path();
  const ConfigResult c = LoadConfig(in);
  ASSERT_TRUE(c.has_value()) << Errors(c);
  EXPECT_EQ(c->es_api_key.Reveal(), "a2V5LWlkOmtleQ==");
}

TEST(ConfigLoaderTest, SecretFileProblems) {
  const TempFile empty("\n");
  const TempFile good(kSentinel);
  ConfigInputs in;
  in.environment = {"CDC_ES_USER=writer", "CDC_ES_PASSWORD=" + std::string(kSentinel),
                    "CDC_ES_PASSWORD_FILE=" + good.path()};
  in.flags["es-api-key-file"] = "/nonexistent/key";
  ConfigResult c = LoadConfig(in);
  ASSERT_FALSE(c.has_value());
  std::string all = Errors(c);
  EXPECT_NE(all.find("env CDC_ES_PASSWORD_FILE: es-password-file: give either es-password or "
                     "es-password-file, not both"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("flag --es-api-key-file: es-api-key-file: cannot read \"/nonexistent/key\""),
            std::string::npos)
      << all;
  EXPECT_EQ(all.find(kSentinel), std::string::npos) << all;

  in = {};
  in.flags["es-api-key-file"] = empty.path();
  c = LoadConfig(in);
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(Errors(c).find("is empty"), std::string::npos) << Errors(c);
}

TEST(ConfigLoaderTest, RdkafkaPropertiesPassThroughWithPrecedence) {
  const TempFile file("rdkafka:\n  client.id: from-file\n  fetch.wait.max.ms: 100\n");
  ConfigInputs in;
  in.flags["config"] = file.path();
  in.environment = {"CDC_X_CLIENT_ID=from-env", "CDC_X_SOCKET_KEEPALIVE_ENABLE=true"};
  in.rdkafka_flags = {"client.id=from-flag", "statistics.interval.ms=0",
                      "debug=broker,topic"};  // values may contain '=' or ','
  const ConfigResult c = LoadConfig(in);
  ASSERT_TRUE(c.has_value()) << Errors(c);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"client.id", "from-flag"},
      {"fetch.wait.max.ms", "100"},
      {"socket.keepalive.enable", "true"},
      {"statistics.interval.ms", "0"},
      {"debug", "broker,topic"}};
  EXPECT_EQ(c->rdkafka_overrides, want);
}

TEST(ConfigLoaderTest, RdkafkaEnvNames) {
  EXPECT_EQ(RdkafkaPropertyFromEnv("CDC_X_SECURITY_PROTOCOL"), "security.protocol");
  EXPECT_EQ(RdkafkaPropertyFromEnv("CDC_X_SSL__ENGINE__ID"), "ssl_engine_id");
  EXPECT_EQ(RdkafkaPropertyFromEnv("CDC_BROKERS"), "");
  EXPECT_TRUE(IsSecretRdkafkaProperty("sasl.password"));
  EXPECT_TRUE(IsSecretRdkafkaProperty("ssl.key.pem"));
  EXPECT_TRUE(IsSecretRdkafkaProperty("sasl.oauthbearer.client.secret"));
  EXPECT_FALSE(IsSecretRdkafkaProperty("fetch.wait.max.ms"));
}

TEST(ConfigLoaderTest, BoolAndListForms) {
  ConfigInputs in;
  in.environment = {"CDC_ES_GZIP=off", "CDC_REDACT_COLUMNS= ssn , , *token* ",
                    "CDC_ES_URL=http://a:9200, https://b:9243/"};
  const ConfigResult c = LoadConfig(in);
  ASSERT_TRUE(c.has_value()) << Errors(c);
  EXPECT_FALSE(c->es_gzip);
  EXPECT_EQ(c->redact_columns, (std::vector<std::string>{"ssn", "*token*"}));
  EXPECT_EQ(c->es_urls, (std::vector<std::string>{"http://a:9200", "https://b:9243/"}));
}

// yaml-cpp recurses once per nesting level; hostile files must be refused before it runs.
TEST(ConfigLoaderTest, RefusesFilesNestedTooDeeplyBeforeParsing) {
  struct Case {
    std::string yaml;
    std::string error;  // "" when the file must load
  };
  std::string comment = "# ";
  for (int i = 0; i < 40; ++i) comment += "a: ";
  for (const Case& c :
       {Case{"topic: " + std::string(300, '['), "values are nested too deeply"},
        Case{std::string(300, '{'), "values are nested too deeply"},
        Case{std::string(200, ' ') + "topic: x", "lines are indented too deeply"},
        Case{std::string(40, '-'), ""},
        Case{"- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -",
             "values are nested too deeply"},
        Case{std::string((1 << 20) + 1, '#'), "file is larger than 1 MiB"},
        Case{comment + "\ntopic: t\n", ""}, Case{"redact-columns: [a, b, \"[x]\"]\n", ""}}) {
    std::vector<ConfigError> errors;
    const ConfigLayer layer = ParseConfigYaml(c.yaml, "f.yaml", errors);
    if (c.error.empty()) {
      EXPECT_TRUE(errors.empty() || errors[0].message.find("nested") == std::string::npos)
          << c.yaml.substr(0, 60);
    } else {
      ASSERT_EQ(errors.size(), 1u) << c.yaml.substr(0, 60);
      EXPECT_EQ(errors[0].message, c.error);
      EXPECT_TRUE(layer.values.empty());
    }
  }
}

}  // namespace
}  // namespace cdc
