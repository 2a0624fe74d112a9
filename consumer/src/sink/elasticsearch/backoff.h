#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace cdc::es {

// Exponential backoff with full jitter (delay drawn uniformly from [0, min(max, initial * 2^n)]),
// so that many clients retrying after one overload do not come back in step. Not thread-safe:
// the sink calls it under its own lock.
class Backoff {
 public:
  struct Options {
    std::chrono::milliseconds initial{100};
    std::chrono::milliseconds max{30'000};
    std::uint64_t seed = 0;  // 0 = from std::random_device
  };

  explicit Backoff(Options options);

  // The upper bound of the delay before retry number `attempt` (0 = first retry).
  std::chrono::milliseconds Ceiling(int attempt) const;
  // A delay for retry number `attempt`: uniform in [0, Ceiling(attempt)].
  std::chrono::milliseconds Next(int attempt);
  // The delay after an authentication/authorization refusal or an index block: uniform in
  // [max/2, max]. Such errors do not clear in milliseconds, and hammering them fills logs.
  std::chrono::milliseconds Long();

 private:
  std::chrono::milliseconds Uniform(std::int64_t low, std::int64_t high);

  Options options_;
  std::mt19937_64 rng_;
};

}  // namespace cdc::es
