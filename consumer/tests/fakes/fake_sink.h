#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/sink_record.h"
#include "sink/dead_letter.h"
#include "sink/sink.h"

namespace cdc::testing {

// A Sink for pipeline tests, one failure mode per instance:
//   kAckImmediately  acknowledges inside TrySubmit (the fastest possible sink)
//   kDelay           acknowledges each record `delay` after it was submitted, on a worker thread
//   kHold            keeps everything until Release() (a sink that never answers)
// Records matching `dead_letter_if` are dead-lettered through the DeadLetterWriter instead and
// acknowledged as kDeadLettered once the letter is written. `capacity` bounds records in flight
// the way the Elasticsearch sink bounds its queue: once `capacity` records are in flight,
// TrySubmit refuses whole batches until some are acknowledged. With `record_file` set,
// every delivered record appends "partition offset doc_id\n" to it (write(2), so the line
// survives a SIGKILL right after). TrySubmit/Start/Stop from the pipeline thread; the getters,
// Release and SetHealthy from any thread.
class FakeSink final : public Sink {
 public:
  enum class Mode { kAckImmediately, kDelay, kHold };
  struct Options {
    Mode mode = Mode::kAckImmediately;
    std::chrono::milliseconds delay{0};
    std::size_t capacity = SIZE_MAX;
    std::function<bool(const SinkRecord&)> dead_letter_if;
    std::string record_file;

    static Options Immediate() { return Options{}; }
    static Options Hold(std::size_t capacity = SIZE_MAX) {
      Options o;
      o.mode = Mode::kHold;
      o.capacity = capacity;
      return o;
    }
    static Options Delay(std::chrono::milliseconds delay, std::size_t capacity = SIZE_MAX) {
      Options o;
      o.mode = Mode::kDelay;
      o.delay = delay;
      o.capacity = capacity;
      return o;
    }
  };

  FakeSink(Options options, AckSink* acks, DeadLetterWriter* dlq);
  ~FakeSink() override;

  Status Start() override;
  Status Healthcheck() override;
  bool TrySubmit(Batch& batch) override;
  Status Stop(std::chrono::milliseconds deadline) override;

  // kHold: acknowledges everything held so far (and lets later records through at once).
  void Release();
  void SetHealthy(bool healthy);

  std::size_t delivered() const;
  std::size_t in_flight() const;
  std::size_t refused() const;
  std::size_t max_in_flight() const;
  // (partition, offset) of every record delivered, with repeats.
  std::vector<std::pair<std::int32_t, std::int64_t>> DeliveredRefs() const;
  bool stopped() const;

 private:
  struct Pending {
    std::chrono::steady_clock::time_point due;
    SinkRecord record;
  };
  void Deliver(const SinkRecord& record);  // mu_ not held
  void Worker();

  Options options_;
  AckSink* acks_;
  DeadLetterWriter* dlq_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> pending_;
  std::vector<std::pair<std::int32_t, std::int64_t>> delivered_;
  std::size_t in_flight_ = 0;
  std::size_t max_in_flight_ = 0;
  std::size_t refused_ = 0;
  bool released_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  bool healthy_ = true;
  int record_fd_ = -1;
  std::thread worker_;
};

}  // namespace cdc::testing
