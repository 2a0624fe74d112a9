// SIGKILL of a process running the pipeline mid-stream, then restarts: no record may be missing.
// The child is this same test binary re-executed with a filter selecting CrashRestartChild (a
// fresh process, not a bare fork of a multi-threaded one); it runs a Pipeline whose fake sink
// appends every delivered record to a file with write(2) before acknowledging it, so whatever
// the sink acknowledged survives the kill.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "integration/pipeline_harness.h"

namespace cdc::testing {
namespace {

using std::chrono::milliseconds;
namespace fs = std::filesystem;

constexpr int kPartitions = 8;
constexpr std::int64_t kRecords = 4000;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// Runs in the child only (skipped unless the parent set CDC_CRASH_CHILD).
TEST(CrashRestartChild, RunPipelineUntilKilledOrAskedToStop) {
  if (Env("CDC_CRASH_CHILD").empty()) GTEST_SKIP() << "child process mode only";
  Metrics metrics;
  auto options =
      MockPipelineOptions(Env("CDC_CRASH_BROKERS"), Env("CDC_CRASH_TOPIC"), Env("CDC_CRASH_GROUP"));
  options.kafka.batch_max_records = 100;
  FakeSink::Options sink = FakeSink::Options::Delay(milliseconds(5), 500);
  sink.record_file = Env("CDC_CRASH_RECORDS");
  RunningPipeline run(std::move(options), sink, &metrics);
  ASSERT_TRUE(run.start_status().ok()) << run.start_status().ToString();
  const std::string stop_file = Env("CDC_CRASH_STOP");
  while (!fs::exists(stop_file)) std::this_thread::sleep_for(milliseconds(20));
  ASSERT_TRUE(run.Stop().ok());
}

class CrashRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Env("CDC_CRASH_CHILD").empty()) GTEST_SKIP() << "parent test";
    ASSERT_TRUE(cluster_.ok());
    ASSERT_TRUE(cluster_.CreateTopic(topic_, kPartitions));
    ASSERT_TRUE(cluster_.CreateTopic(topic_ + "-dlq", 1));
    char tmpl[] = "/tmp/cdc-crash-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  pid_t SpawnChild() {
    const std::string self = fs::read_symlink("/proc/self/exe");
    std::vector<std::string> env = {
        "CDC_CRASH_CHILD=1",
        "CDC_CRASH_BROKERS=" + cluster_.bootstraps(),
        "CDC_CRASH_TOPIC=" + topic_,
        "CDC_CRASH_GROUP=" + group_,
        "CDC_CRASH_RECORDS=" + dir_ + "/records.txt",
        "CDC_CRASH_STOP=" + dir_ + "/stop",
        "CDC_TEST_TIMEOUT_MULTIPLIER=" + Env("CDC_TEST_TIMEOUT_MULTIPLIER"),
    };
    for (const char* keep : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS", "PATH"}) {
      if (!Env(keep).empty()) env.push_back(std::string(keep) + "=" + Env(keep));
    }
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string filter = "--gtest_filter=CrashRestartChild.*";
    std::vector<char*> argv = {const_cast<char*>(self.c_str()), filter.data(), nullptr};
    const std::string log = dir_ + "/child.log";
    const pid_t pid = fork();
    if (pid == 0) {
      // Only async-signal-safe calls between fork and exec.
      const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
    return pid;
  }

  // Distinct (partition, offset) pairs in the record file, and the number of lines.
  std::pair<std::set<std::pair<std::int32_t, std::int64_t>>, std::size_t> Recorded() const {
    std::set<std::pair<std::int32_t, std::int64_t>> seen;
    std::size_t lines = 0;
    std::ifstream in(dir_ + "/records.txt");
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::int32_t p = -1;
      std::int64_t o = -1;
      if (fields >> p >> o) {
        seen.emplace(p, o);
        ++lines;
      }
    }
    return {seen, lines};
  }

  MockCluster cluster_;
  std::string topic_ = "tidb-cdc";
  std::string group_ = "cdc-crash";
  std::string dir_;
};

TEST_F(CrashRestart, SigkillMidStreamThenRestartLosesNothing) {
  TestProducer producer(cluster_.bootstraps());
  ASSERT_TRUE(ProduceUsers(producer, topic_, kPartitions, 0, kRecords));
  const auto highs = HighWatermarks(cluster_.bootstraps(), topic_, kPartitions);
  ASSERT_EQ(highs.size(), static_cast<std::size_t>(kPartitions));

  // Two kills at different depths, each followed by a restart.
  for (std::size_t kill_after : {std::size_t{800}, std::size_t{2400}}) {
    const pid_t pid = SpawnChild();
    ASSERT_GT(pid, 0);
    const bool reached =
        WaitFor([&] { return Recorded().second >= kill_after; }, milliseconds(60000));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(reached) << "child delivered " << Recorded().second << " records";
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  }
  const pid_t pid = SpawnChild();
  ASSERT_GT(pid, 0);
  const bool complete =
      WaitFor([&] { return Recorded().first.size() >= kRecords; }, milliseconds(90000));
  std::ofstream(dir_ + "/stop") << "stop\n";
  int status = -1;
  const bool exited =
      WaitFor([&] { return waitpid(pid, &status, WNOHANG) == pid; }, milliseconds(30000));
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  ASSERT_TRUE(complete) << "records recorded: " << Recorded().first.size();
  EXPECT_TRUE(exited && WIFEXITED(status) && WEXITSTATUS(status) == 0) << "graceful stop";

  auto [seen, lines] = Recorded();
  std::size_t missing = 0;
  for (int p = 0; p < kPartitions; ++p) {
    for (std::int64_t o = 0; o < highs[static_cast<std::size_t>(p)]; ++o) {
      missing += seen.contains({p, o}) ? 0 : 1;
    }
  }
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kRecords)) << "nothing outside the topic";
  RecordProperty("duplicates_after_kills", static_cast<int>(lines - seen.size()));
  std::cout << "crash-restart: produced=" << kRecords << " missing=" << missing
            << " redelivered=" << (lines - seen.size()) << "\n";
  EXPECT_TRUE(CommittedEquals(cluster_.bootstraps(), group_, topic_, highs));
}

}  // namespace
}  // namespace cdc::testing
