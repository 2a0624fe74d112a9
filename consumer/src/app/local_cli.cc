#include "app/local_cli.h"

#include <ostream>

#include "config/value_parsers.h"
#include "local/local_commands.h"

namespace cdc {

void AddLocalCommands(CLI::App& app, LocalFlags& flags, std::function<int()>& action,
                      std::ostream& out, std::ostream& err) {
  EmbeddedBrokerOptions& b = flags.broker;
  CLI::App* broker = app.add_subcommand(
      "broker",
      "Local mode: run an embedded Kafka-protocol broker (librdkafka mock cluster) on "
      "loopback until SIGTERM/SIGINT; prints bootstrap.servers=<list>");
  broker->add_option("--brokers", b.brokers, "Number of mock brokers")->capture_default_str();
  broker->add_option("--topic", b.topic, "Topic created up front")->capture_default_str();
  broker->add_option("--partitions", b.partitions, "Partitions of --topic")->capture_default_str();
  broker->add_option("--dlq-topic", b.dlq_topic, "Dead-letter topic")->capture_default_str();
  broker->add_option("--dlq-partitions", b.dlq_partitions, "Partitions of --dlq-topic")
      ->capture_default_str();
  broker->add_option("--state-dir", b.state_dir, "Directory receiving the bootstrap.servers file")
      ->type_name("DIR");
  broker->callback([&action, &flags, &out, &err] {
    action = [&flags, &out, &err] { return RunBrokerCommand(flags.broker, out, err); };
  });

  SimulatorOptions& s = flags.simulator;
  CLI::App* simulate = app.add_subcommand(
      "simulate",
      "Local mode: produce a TiCDC-like canal-json feed (or replay a file of captured "
      "messages) to Kafka; prints a JSON report at the end");
  simulate->add_option("--brokers", s.brokers, "Kafka bootstrap servers")->capture_default_str();
  simulate->add_option("--topic", s.topic, "Topic to produce to")->capture_default_str();
  simulate->add_option("--rate", s.rate, "Row changes (replay: lines) per second; <= 0 unpaced")
      ->capture_default_str();
  simulate
      ->add_option("--replay-file", s.replay_file,
                   "Produce this file's lines (one canal-json message each) instead")
      ->type_name("FILE");
  simulate->add_option("--seed", s.seed, "Random seed; 0 takes one from the clock")
      ->capture_default_str();
  simulate->add_option("--count", s.count, "Stop after this many row changes; 0 runs until stopped")
      ->capture_default_str();
  simulate
      ->add_option("--watermark-interval", flags.watermark_interval,
                   "Time between watermark messages")
      ->capture_default_str();
  simulate->add_option("--ddl-every", s.ddl_every, "One DDL per this many transactions; 0 never")
      ->capture_default_str();
  simulate
      ->add_option("--hostile-every", s.hostile_every,
                   "Every Nth appdb.users insert carries a hostile username; 0 never")
      ->capture_default_str();
  simulate->callback([&action, &flags, &out, &err] {
    action = [&flags, &out, &err] {
      auto interval = ParseDuration(flags.watermark_interval);
      if (!interval) {
        err << "simulate: --watermark-interval " << interval.error().message() << "\n";
        return 2;
      }
      flags.simulator.watermark_interval = *interval;
      return RunSimulateCommand(flags.simulator, out, err);
    };
  });
}

}  // namespace cdc
