#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include "fakes/fake_sink.h"

namespace cdc {
namespace {

PipelineOptions OfflineOptions() {
  PipelineOptions options;
  options.kafka.brokers = "127.0.0.1:1";  // never contacted by these tests
  return options;
}

TEST(PipelineTest, StartListsEveryConfigurationErrorWithoutBuildingAnything) {
  PipelineOptions options = OfflineOptions();
  options.kafka.topic.clear();
  options.kafka.batch_max_records = 0;
  options.kafka.rdkafka_overrides = {{"no.such.property", "1"}, {"fetch.wait.max.ms", "x"}};
  options.shutdown_deadline = std::chrono::milliseconds(0);
  bool factory_called = false;
  Pipeline pipeline(
      options,
      [&factory_called](AckSink*, DeadLetterWriter*) -> Result<std::unique_ptr<Sink>> {
        factory_called = true;
        return Err(Status::Internal("unreachable"));
      },
      nullptr);
  Status st = pipeline.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidConfig);
  for (const char* part : {"kafka.topic", "kafka.batch_max_records", "shutdown_deadline",
                           "-X no.such.property", "-X fetch.wait.max.ms"}) {
    EXPECT_NE(st.message().find(part), std::string::npos) << part << " in " << st.message();
  }
  EXPECT_FALSE(factory_called);
  EXPECT_FALSE(pipeline.KafkaReachable());
  EXPECT_EQ(pipeline.Wait().code(), ErrorCode::kInternal) << "never started";
}

TEST(PipelineTest, SinkFactoryErrorIsReturned) {
  Pipeline pipeline(
      OfflineOptions(),
      [](AckSink*, DeadLetterWriter*) -> Result<std::unique_ptr<Sink>> {
        return Err(Status::InvalidConfig("es.url: bad"));
      },
      nullptr);
  Status st = pipeline.Start();
  EXPECT_EQ(st.code(), ErrorCode::kInvalidConfig);
  EXPECT_EQ(st.message(), "es.url: bad");
}

// A sink whose Start fails (index template refused, say) fails the pipeline start; the sink is
// stopped and destroyed with the pipeline.
TEST(PipelineTest, SinkStartFailureIsReturned) {
  class FailingSink final : public Sink {
   public:
    Status Start() override { return Status::Permanent("template refused"); }
    Status Healthcheck() override { return Status::Ok(); }
    bool TrySubmit(Batch&) override { return false; }
    Status Stop(std::chrono::milliseconds) override { return Status::Ok(); }
  };
  Pipeline pipeline(
      OfflineOptions(),
      [](AckSink*, DeadLetterWriter*) -> Result<std::unique_ptr<Sink>> {
        return std::unique_ptr<Sink>(std::make_unique<FailingSink>());
      },
      nullptr);
  Status st = pipeline.Start();
  EXPECT_EQ(st.code(), ErrorCode::kPermanent);
  EXPECT_EQ(st.message(), "template refused");
  EXPECT_FALSE(pipeline.SinkHealthy());
}

}  // namespace
}  // namespace cdc
