#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "metrics/metrics.h"
#include "sink/dead_letter.h"
#include "sink/elasticsearch/backoff.h"
#include "sink/elasticsearch/batch_queue.h"
#include "sink/sink.h"

namespace cdc::es {

// A record on its way to the dead-letter writer, with the reason it is there.
struct DeadLetterJob {
  PendingRecord record;
  std::string reason;
  int attempts = 0;
};

// What a worker should do next: possibly the startup handshake, dead letters to (re)write, and a
// bulk request to send. An empty optional from NextWork means "exit".
struct SinkWork {
  bool bootstrap = false;
  std::vector<DeadLetterJob> dead_letters;
  PendingBatch batch;
};

enum class RetryDelay { kBackoff, kLong };

// The shared state of an ElasticsearchSink: queued records, retries, in-flight accounting, and
// the one gate every acknowledgement passes, so that each accepted record is completed exactly
// once and none after Close(). Fully thread-safe: called by the pipeline thread (TrySubmit,
// lifecycle), the worker threads, and dead-letter callbacks from any thread. Held by shared_ptr
// because those callbacks may outlive the sink.
class SinkCore : public std::enable_shared_from_this<SinkCore> {
 public:
  struct Options {
    BatchQueue::Options batching;
    Backoff::Options backoff;
    std::size_t max_queued_bytes = 32 * 1024 * 1024;
    int max_in_flight = 4;
    std::string index;
    std::string dead_letter_topic;
  };
  struct Deps {
    AckSink* acks = nullptr;
    DeadLetterWriter* dlq = nullptr;
    Metrics* metrics = nullptr;
  };

  SinkCore(Options options, Deps deps);

  bool TrySubmit(Batch& batch);

  // Blocks until there is work or the core is closed (then nullopt). A returned batch counts as
  // in flight until FinishBatch().
  std::optional<SinkWork> NextWork();
  void FinishBatch();
  void BootstrapDone(bool ok);

  void Deliver(PendingBatch records);
  void Retry(PendingBatch records, RetryDelay delay);
  void Split(PendingBatch records);                  // two pinned halves, due at once
  void DeadLetter(std::vector<DeadLetterJob> jobs);  // writes them (no locks held)
  void LimitBulkBytes(std::size_t max_bytes);
  // Additive increase / multiplicative decrease of the requests in flight: halved on overload.
  void AdjustConcurrency(bool overloaded);

  void Open(bool ready);  // start accepting; ready = bootstrap already done
  void BeginFlush();      // stop accepting, send partial batches at once
  bool WaitDrained(Clock::time_point deadline);
  // Sends no new requests and waits until none is in flight (true) or the deadline passes.
  // What is still queued stays unacknowledged and was never sent, so a restart reads it again
  // without writing anything twice; cutting a request short instead would.
  bool StopSendingAndWaitInFlight(Clock::time_point deadline);
  void Close();  // no more acknowledgements; wakes and ends the workers

  std::size_t queued_bytes() const;
  std::size_t unfinished() const;
  int in_flight_limit() const;

 private:
  void Release(std::size_t records, std::size_t bytes);
  void OnDeadLetterDone(DeadLetterJob job, Status status);
  bool HasWorkLocked(Clock::time_point now) const;

  const Options options_;
  const Deps deps_;

  // Acks run under a shared lock; Close takes it exclusively, so none starts after it.
  std::shared_mutex gate_;
  bool closed_ = false;  // guarded by gate_ (written) and mu_ (read by workers)

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable drained_cv_;
  BatchQueue queue_;
  Backoff backoff_;
  std::multimap<Clock::time_point, DeadLetterJob> dead_letter_retries_;
  std::size_t queued_bytes_ = 0;
  std::size_t unfinished_ = 0;  // accepted, not completed
  int in_flight_ = 0;
  int in_flight_limit_;
  bool accepting_ = false;
  bool flushing_ = false;
  bool sending_ = true;  // false once the stop gave up on the queue
  bool stopping_ = false;
  bool ready_ = false;
  bool bootstrap_running_ = false;
  Clock::time_point bootstrap_due_{};
  int bootstrap_attempts_ = 0;
};

}  // namespace cdc::es
