#include "support/test_env.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace cdc::testing {

double TimeoutMultiplier() {
  const char* env = std::getenv("CDC_TEST_TIMEOUT_MULTIPLIER");
  if (env == nullptr) return 1.0;
  const double value = std::atof(env);
  return value >= 1.0 ? value : 1.0;
}

std::chrono::milliseconds Scaled(std::chrono::milliseconds base) {
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(base.count()) * TimeoutMultiplier()));
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + Scaled(timeout);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

std::string FixturePath(const std::string& rel) {
  return std::string(CDC_FIXTURES_DIR) + "/" + rel;
}
std::string SharedPath(const std::string& rel) { return std::string(CDC_SHARED_DIR) + "/" + rel; }
std::string ConsumerBinaryPath() { return CDC_BINARY_PATH; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace cdc::testing
