#pragma once

namespace cdc {

// Keeps glibc malloc from handing librdkafka's large fetch and decompression buffers to mmap and
// back on every fetch (see allocator_tuning.cc). Call once at process start, before any thread
// is started. Does nothing when GLIBC_TUNABLES already sets a malloc tunable: the operator's
// choice wins.
void TuneAllocatorForStreaming();

}  // namespace cdc
