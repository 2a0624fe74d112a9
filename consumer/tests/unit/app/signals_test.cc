#include "app/signals.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>

#include "support/test_env.h"

namespace cdc {
namespace {

// Process-directed signals, as `docker stop` and Ctrl-C send them. The test blocks them in its
// own thread first (as main does), so only the watcher can take them.
class SignalWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override { SignalWatcher::BlockSignals(); }
  void TearDown() override { SignalWatcher::UnblockSignalsForTest(); }
};

TEST_F(SignalWatcherTest, FirstSignalRequestsStopSecondForcesExit) {
  std::atomic<int> first{0};
  std::atomic<int> second{0};
  std::atomic<int> first_signo{0};
  SignalWatcher watcher({.on_first =
                             [&](int signo) {
                               first_signo = signo;
                               ++first;
                             },
                         .on_second = [&](int) { ++second; }});
  ASSERT_TRUE(watcher.Start().ok());

  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  ASSERT_TRUE(testing::WaitFor([&] { return first.load() == 1; }, std::chrono::seconds(5)));
  EXPECT_EQ(first_signo.load(), SIGTERM);
  EXPECT_EQ(second.load(), 0);

  ASSERT_EQ(kill(getpid(), SIGINT), 0);
  ASSERT_TRUE(testing::WaitFor([&] { return second.load() == 1; }, std::chrono::seconds(5)));
  EXPECT_EQ(first.load(), 1) << "the stop request is made once";
  EXPECT_EQ(watcher.signals_received(), 2);
  watcher.Stop();
  watcher.Stop();  // idempotent
}

TEST_F(SignalWatcherTest, StopWithoutAnySignalCallsNothing) {
  std::atomic<int> calls{0};
  {
    SignalWatcher watcher({.on_first = [&](int) { ++calls; }, .on_second = [&](int) { ++calls; }});
    ASSERT_TRUE(watcher.Start().ok());
    EXPECT_FALSE(watcher.Start().ok()) << "one thread per watcher";
  }  // the destructor stops and joins
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(SignalWatcherTest, ThrowingCallbackDoesNotKillTheWatcher) {
  std::atomic<int> second{0};
  SignalWatcher watcher({.on_first = [](int) -> void { throw std::runtime_error("stop failed"); },
                         .on_second = [&](int) { ++second; }});
  ASSERT_TRUE(watcher.Start().ok());
  ASSERT_EQ(kill(getpid(), SIGINT), 0);
  ASSERT_TRUE(
      testing::WaitFor([&] { return watcher.signals_received() == 1; }, std::chrono::seconds(5)));
  ASSERT_EQ(kill(getpid(), SIGINT), 0);
  ASSERT_TRUE(testing::WaitFor([&] { return second.load() == 1; }, std::chrono::seconds(5)));
}

TEST_F(SignalWatcherTest, SigpipeIsIgnored) {
  struct sigaction current {};
  ASSERT_EQ(sigaction(SIGPIPE, nullptr, &current), 0);
  EXPECT_EQ(current.sa_handler, SIG_IGN);
}

}  // namespace
}  // namespace cdc
