#include "core/thread_name.h"

#include <pthread.h>

#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace cdc {
namespace {

std::string NameOfThisThread() {
  char name[32] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) return "?";
  return name;
}

TEST(ThreadNameTest, NamesTheCallingThreadAndCutsAtTheKernelLimit) {
  std::string short_name;
  std::string long_name;
  std::thread([&] {
    SetCurrentThreadName("cdc-decode");
    short_name = NameOfThisThread();
    // 15 bytes is all Linux keeps: a longer name is cut, not refused (the old name would stay).
    SetCurrentThreadName("cdc-a-very-long-thread-name");
    long_name = NameOfThisThread();
  }).join();
  EXPECT_EQ(short_name, "cdc-decode");
  EXPECT_EQ(long_name, "cdc-a-very-long");
}

}  // namespace
}  // namespace cdc
