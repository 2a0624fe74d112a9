#include "sink/elasticsearch/backoff.h"

#include <algorithm>

namespace cdc::es {

Backoff::Backoff(Options options)
    : options_(options), rng_(options.seed != 0 ? options.seed : std::random_device{}()) {}

std::chrono::milliseconds Backoff::Ceiling(int attempt) const {
  const std::int64_t initial = std::max<std::int64_t>(1, options_.initial.count());
  const std::int64_t max = std::max(initial, options_.max.count());
  // Doubling stops at the cap; the shift is bounded so it never overflows.
  std::int64_t ceiling = initial;
  for (int i = 0; i < attempt && ceiling < max; ++i) ceiling *= 2;
  return std::chrono::milliseconds(std::min(ceiling, max));
}

std::chrono::milliseconds Backoff::Next(int attempt) {
  return Uniform(0, Ceiling(attempt).count());
}

std::chrono::milliseconds Backoff::Long() {
  const std::int64_t max = std::max(options_.initial.count(), options_.max.count());
  return Uniform(max / 2, max);
}

std::chrono::milliseconds Backoff::Uniform(std::int64_t low, std::int64_t high) {
  std::uniform_int_distribution<std::int64_t> dist(low, std::max(low, high));
  return std::chrono::milliseconds(dist(rng_));
}

}  // namespace cdc::es
