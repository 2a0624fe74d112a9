#include "app/cli.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "app/decode_command.h"
#include "app/healthcheck_command.h"
#include "app/local_cli.h"
#include "app/service.h"
#include "app/signals.h"
#include "config/config_loader.h"
#include "config/config_reference.h"
#include "config/settings.h"

namespace cdc {
namespace {

std::string TypeName(SettingType type) {
  switch (type) {
    case SettingType::kSecret:
      return "SECRET";
    case SettingType::kAddress:
      return "HOST:PORT";
    default: {
      std::string name(SettingTypeName(type));
      for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return name;
    }
  }
}

// The flags of `run`, filled by CLI11 while parsing.
struct RunFlags {
  std::map<std::string, std::string> values;  // key → text; only keys whose option was given
  std::vector<std::pair<const SettingSpec*, CLI::Option*>> options;
  std::vector<std::string> rdkafka;
  bool print_config = false;
};

void AddRunCommand(CLI::App& app, RunFlags& flags, std::function<int()>& action,
                   const std::vector<std::string>& environment, std::ostream& out,
                   std::ostream& err) {
  CLI::App* run = app.add_subcommand(
      "run",
      "Consume the changefeed topic into Elasticsearch (or the embedded store) until "
      "SIGTERM/SIGINT. Precedence: flag > CDC_* environment > --config file > default.");
  for (const SettingSpec& spec : Settings()) {
    CLI::Option* option =
        run->add_option(spec.FlagName(), flags.values[spec.key], FlagDescription(spec));
    option->type_name(TypeName(spec.type))
        ->group(spec.group)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    if (spec.type == SettingType::kBool) option->expected(0, 1);  // --es-gzip alone is true
    flags.options.emplace_back(&spec, option);
  }
  run->add_option("-X", flags.rdkafka,
                  "librdkafka property passed verbatim, checked at startup (repeatable; file: "
                  "rdkafka: map; env: CDC_X_<NAME>)")
      ->type_name("NAME=VALUE")
      ->group("Kafka");
  run->add_flag("--print-config", flags.print_config,
                "Print the effective configuration as YAML (secrets as ***) and exit");
  run->callback([&flags, &action, &environment, &out, &err] {
    action = [&flags, &environment, &out, &err] {
      ConfigInputs inputs;
      inputs.environment = environment;
      inputs.rdkafka_flags = flags.rdkafka;
      for (const auto& [spec, option] : flags.options) {
        if (option->count() == 0) continue;
        std::string text = flags.values[spec->key];
        if (spec->type == SettingType::kBool && text.empty()) text = "true";
        inputs.flags[spec->key] = std::move(text);
      }
      ConfigResult config = LoadConfig(inputs);
      if (!config) {
        err << fmt::format("cdc-consumer: invalid configuration ({} error{}):\n",
                           config.error().size(), config.error().size() == 1 ? "" : "s")
            << FormatConfigErrors(config.error());
        return kExitConfigError;
      }
      if (flags.print_config) {
        out << DumpConfig(*config);
        return kExitOk;
      }
      return RunService(*config);
    };
  });
}

// What the other subcommands' flags parse into; lives on RunCli's stack so that every call
// starts from the defaults.
struct OtherFlags {
  DecodeCommandOptions decode;
  std::string redact;
  std::string healthcheck_url = std::string(kDefaultHealthcheckUrl);
  std::string healthcheck_timeout = "2s";
  std::string reference_update;
};

void AddDecodeCommand(CLI::App& app, OtherFlags& flags, std::function<int()>& action,
                      std::ostream& out, std::ostream& err) {
  DecodeCommandOptions& options = flags.decode;
  std::string& redact = flags.redact;
  CLI::App* decode = app.add_subcommand(
      "decode",
      "Decode canal-json messages (FILEs, or one per line on stdin) and print the "
      "Elasticsearch _bulk body the consumer would send");
  decode->add_option("--index", options.index, "Index named in the bulk actions")
      ->capture_default_str();
  CLI::Option* redact_option = decode->add_option(
      "--redact-columns", redact,
      fmt::format("Column patterns to redact, comma-separated; \"\" disables [default: {}]",
                  FindSetting("redact-columns")->default_text));
  decode->add_option("files", options.files, "Files holding one Kafka record value each")
      ->type_name("FILE");
  decode->callback([&action, &options, &redact, &out, &err, redact_option] {
    action = [&options, &redact, &out, &err, redact_option] {
      options.redact_columns_set = redact_option->count() > 0;
      if (options.redact_columns_set) options.redact_columns = ParseRedactColumns(redact);
      return RunDecodeCommand(options, std::cin, out, err);
    };
  });
}

void AddHealthcheckCommand(CLI::App& app, OtherFlags& flags, std::function<int()>& action,
                           const std::vector<std::string>& environment, std::ostream& out,
                           std::ostream& err) {
  std::string& url = flags.healthcheck_url;
  std::string& timeout = flags.healthcheck_timeout;
  // In a container configured with CDC_LISTEN, probe that port without repeating it.
  for (const std::string& entry : environment) {
    if (!entry.starts_with("CDC_LISTEN=")) continue;
    if (auto hp = ParseHostPort(entry.substr(11)); hp && hp->port != 0) {
      const bool any = hp->host == "0.0.0.0" || hp->host == "::" || hp->host.empty();
      const std::string host = any ? "127.0.0.1" : hp->host;
      url = host.find(':') != std::string::npos
                ? fmt::format("http://[{}]:{}/healthz", host, hp->port)
                : fmt::format("http://{}:{}/healthz", host, hp->port);
    }
  }
  CLI::App* hc = app.add_subcommand(
      "healthcheck", "GET the health endpoint (for a container HEALTHCHECK); exit 0 on HTTP 200");
  hc->add_option("--url", url, "URL to probe (default follows CDC_LISTEN)")->capture_default_str();
  hc->add_option("--timeout", timeout, "Connect and read timeout")->capture_default_str();
  hc->callback([&action, &url, &timeout, &out, &err] {
    action = [&url, &timeout, &out, &err]() -> int {
      auto t = ParseDuration(timeout);
      if (!t) {
        err << "healthcheck: --timeout " << t.error().message() << "\n";
        return kExitConfigError;
      }
      return RunHealthcheckCommand(url, *t, out, err);
    };
  });
}

void AddReferenceCommand(CLI::App& app, OtherFlags& flags, std::function<int()>& action,
                         std::ostream& out, std::ostream& err) {
  std::string& update = flags.reference_update;
  CLI::App* ref = app.add_subcommand(
      "config-reference", "Print the settings reference (markdown), as in docs/configuration.md");
  ref->add_option("--update", update, "Rewrite the generated section of this markdown file")
      ->type_name("FILE");
  ref->callback([&action, &update, &out, &err] {
    action = [&update, &out, &err] {
      if (update.empty()) {
        out << ConfigReferenceMarkdown();
        return kExitOk;
      }
      if (Status s = UpdateConfigReference(update); !s.ok()) {
        err << "config-reference: " << s.message() << "\n";
        return kExitFailure;
      }
      return kExitOk;
    };
  });
}

std::string SettingsFooter() {
  std::string out =
      "\nSettings of `run` (flag, environment variable, default; `cdc-consumer run --help` "
      "explains each):\n";
  for (const SettingSpec& spec : Settings()) {
    out += fmt::format("  {:<24} {:<24} {}\n", spec.FlagName(), spec.EnvName(),
                       spec.secret                 ? "(secret)"
                       : spec.default_text.empty() ? "(none)"
                                                   : spec.default_text);
  }
  out += "  -X NAME=VALUE            CDC_X_<NAME>             librdkafka properties\n";
  return out;
}

// The arguments as CLI11's parse(std::vector) takes them: reversed, without the program name,
// and `--name=` (an explicitly empty value, e.g. `--es-url=` for the embedded store) split into
// `--name` and "": CLI11 would otherwise take the next argument as the value.
std::vector<std::string> ArgumentsForCli11(int argc, const char* const* argv) {
  std::vector<std::string> args;
  bool options_ended = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") options_ended = true;
    if (!options_ended && arg.size() > 3 && arg.starts_with("--") && arg.ends_with('=') &&
        arg.find('=') == arg.size() - 1) {
      args.emplace_back(arg.substr(0, arg.size() - 1));
      args.emplace_back();
    } else {
      args.emplace_back(arg);
    }
  }
  std::reverse(args.begin(), args.end());
  return args;
}

}  // namespace

int RunCli(int argc, const char* const* argv, const std::vector<std::string>& environment,
           std::ostream& out, std::ostream& err) {
  CLI::App app("cdc-consumer " CDC_VERSION
               ": TiCDC canal-json changes from Kafka into Elasticsearch or an embedded store",
               "cdc-consumer");
  app.require_subcommand(1);
  app.set_version_flag("--version", "cdc-consumer " CDC_VERSION);
  app.get_formatter()->column_width(36);

  std::function<int()> action;
  RunFlags run_flags;
  OtherFlags other_flags;
  AddRunCommand(app, run_flags, action, environment, out, err);
  AddDecodeCommand(app, other_flags, action, out, err);
  AddHealthcheckCommand(app, other_flags, action, environment, out, err);
  AddReferenceCommand(app, other_flags, action, out, err);
  LocalFlags local_flags;
  AddLocalCommands(app, local_flags, action, out, err);
  app.add_subcommand("version", "Print the version")->callback([&action, &out] {
    action = [&out] {
      out << "cdc-consumer " << CDC_VERSION << "\n";
      return kExitOk;
    };
  });

  // Set last: CLI11 copies a footer into subcommands created after it, and `run --help` already
  // documents each setting in full.
  app.footer(SettingsFooter());
  try {
    app.parse(ArgumentsForCli11(argc, argv));
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitConfigError;
  }
  return action ? action() : kExitConfigError;
}

}  // namespace cdc
