#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace cdc::testing {

// Tests never sleep for a fixed time; they wait for a condition with a bound. Bounds scale with
// CDC_TEST_TIMEOUT_MULTIPLIER so that sanitizer builds, which run several times slower, keep
// the same semantics.
double TimeoutMultiplier();
std::chrono::milliseconds Scaled(std::chrono::milliseconds base);

// Polls `condition` every few milliseconds until it is true or `timeout` (scaled) passes.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// Paths of the test inputs: tests/fixtures/<rel> and ../shared/<rel> (the repository's sibling).
std::string FixturePath(const std::string& rel);
std::string SharedPath(const std::string& rel);
std::string ReadFile(const std::string& path);
// The cdc-consumer binary built alongside the tests (for subprocess tests).
std::string ConsumerBinaryPath();

}  // namespace cdc::testing
