#pragma once

#include <chrono>
#include <cstdint>

namespace cdc_bench {

// How much of its core the calling thread is getting right now, measured rather than assumed.
// Returns integer additions per nanosecond over `rounds` x 200 additions in 8 independent
// chains. A core running only this thread retires them as fast as its integer ALUs allow (on
// this project's Zen 4 VM: 4 per cycle at 3.675 GHz, 14.7 per ns). A hyperthread sibling busy
// with another tenant's work, or a hypervisor that preempts the vCPU, gives less. The probe
// touches no data, only registers and about 1 KiB of its own code, so the data caches stay as
// the code under test left them.
inline double IntegerAddsPerNs(std::int64_t rounds) {
  std::uint64_t a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < rounds; ++i) {
#pragma GCC unroll 25
    for (int j = 0; j < 25; ++j) {
      ++a, ++b, ++c, ++d, ++e, ++f, ++g, ++h;
      // Claims to read and change all 8: each increment stays a real instruction on a register
      // (no vectorising, no folding 25 increments into one add).
      asm volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f), "+r"(g), "+r"(h));
    }
  }
  const double ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  return static_cast<double>(rounds) * 200.0 / ns;
}

}  // namespace cdc_bench
