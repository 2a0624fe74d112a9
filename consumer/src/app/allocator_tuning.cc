#include "app/allocator_tuning.h"

#include <malloc.h>

#include <cstdlib>
#include <string_view>

namespace cdc {
namespace {

// glibc serves allocations above its mmap threshold (128 KiB at first, raised only when such a
// block is freed) with a fresh mmap, and gives it back with munmap on free. librdkafka allocates
// a buffer of up to several MiB for every fetch response and every lz4/zstd decompression, so
// its broker thread spent a large part of its time in page faults on memory it had just
// received. The pipeline benchmark (bench/pipeline_e2e_bench.cc) measured about 25 % less CPU
// per event with these two settings. Large blocks now come from the heap; the trim threshold
// lets each arena keep that much free memory for the next fetch instead of returning it at once.
constexpr int kMmapThreshold = 32 << 20;  // glibc's largest allowed value on 64-bit
constexpr int kTrimThreshold = 64 << 20;

}  // namespace

void TuneAllocatorForStreaming() {
  if (const char* tunables = std::getenv("GLIBC_TUNABLES");
      tunables != nullptr &&
      std::string_view(tunables).find("glibc.malloc.") != std::string_view::npos) {
    return;
  }
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
}

}  // namespace cdc
