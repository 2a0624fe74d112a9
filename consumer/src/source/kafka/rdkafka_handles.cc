#include "source/kafka/rdkafka_handles.h"

#include <array>

#include <fmt/format.h>

namespace cdc::kafka {

Status StatusFromKafka(rd_kafka_resp_err_t err, std::string_view what) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();
  std::string msg = fmt::format("{}: {} ({})", what, rd_kafka_err2str(err), rd_kafka_err2name(err));
  switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return Status::Transient(std::move(msg));
    case RD_KAFKA_RESP_ERR__STATE:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__FATAL:
      return Status::Internal(std::move(msg));
    default:
      return Status::Permanent(std::move(msg));
  }
}

Status StatusFromKafkaError(rd_kafka_error_t* error, std::string_view what) {
  if (error == nullptr) return Status::Ok();
  const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  const bool retriable = rd_kafka_error_is_retriable(error) != 0;
  std::string msg = fmt::format("{}: {}", what, rd_kafka_error_string(error));
  rd_kafka_error_destroy(error);
  if (retriable) return Status::Transient(std::move(msg));
  Status mapped = StatusFromKafka(code, what);
  return mapped.IsRetryable() ? Status::Transient(std::move(msg))
                              : Status::Internal(std::move(msg));
}

bool IsSecretProperty(std::string_view key) {
  static constexpr std::array<std::string_view, 6> kSecretWords = {
      "password", "secret", "key", "token", "jaas", "sasl.oauthbearer.config"};
  for (std::string_view word : kSecretWords) {
    if (key.find(word) != std::string_view::npos) return true;
  }
  return false;
}

Status KafkaConf::Set(const std::string& key, const std::string& value) {
  std::array<char, 512> errstr{};
  const rd_kafka_conf_res_t res =
      rd_kafka_conf_set(conf_.get(), key.c_str(), value.c_str(), errstr.data(), errstr.size());
  if (res == RD_KAFKA_CONF_OK) return Status::Ok();
  if (res == RD_KAFKA_CONF_UNKNOWN) {
    return Status::InvalidConfig(fmt::format("-X {}: unknown librdkafka property", key));
  }
  // librdkafka's text quotes the value; keep it only where the value cannot be a secret.
  if (IsSecretProperty(key)) {
    return Status::InvalidConfig(fmt::format("-X {}: invalid value (***)", key));
  }
  return Status::InvalidConfig(fmt::format("-X {}: {}", key, errstr.data()));
}

Status KafkaConf::SetAll(const KafkaProperties& properties) {
  std::string errors;
  for (const auto& [key, value] : properties) {
    Status st = Set(key, value);
    if (st.ok()) continue;
    if (!errors.empty()) errors += "; ";
    errors += st.message();
  }
  return errors.empty() ? Status::Ok() : Status::InvalidConfig(std::move(errors));
}

Result<HandlePtr> NewClient(rd_kafka_type_t type, ConfPtr conf) {
  std::array<char, 512> errstr{};
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr.data(), errstr.size());
  if (rk == nullptr) {
    return Err(Status::InvalidConfig(fmt::format("librdkafka client: {}", errstr.data())));
  }
  (void)conf.release();  // rd_kafka_new took ownership
  return HandlePtr(rk);
}

PartitionList PartitionList::Copy(const rd_kafka_topic_partition_list_t* other) {
  return PartitionList(rd_kafka_topic_partition_list_copy(other));
}

void PartitionList::Add(const std::string& topic, std::int32_t partition, std::int64_t offset) {
  rd_kafka_topic_partition_list_add(list_.get(), topic.c_str(), partition)->offset = offset;
}

std::vector<std::int32_t> PartitionsOf(const rd_kafka_topic_partition_list_t* list,
                                       std::string_view topic) {
  std::vector<std::int32_t> out;
  if (list == nullptr) return out;
  for (int i = 0; i < list->cnt; ++i) {
    if (topic == list->elems[i].topic) out.push_back(list->elems[i].partition);
  }
  return out;
}

}  // namespace cdc::kafka

#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer builds only. librdkafka starts its threads with C11 thrd_create and locks with
// mtx_*/cnd_*, which glibc 2.34+ implements without going through the pthread functions TSan
// intercepts: TSan never learns about those threads (and crashes in its allocator on their first
// malloc, or on a reused thread id) and cannot see librdkafka's own synchronisation. Defining
// them here (the executable's definitions win over libc's) routes them through pthread; the
// default suppressions below ignore what the uninstrumented librdkafka does internally.
#include <pthread.h>
#include <threads.h>

#include <cerrno>

namespace {
struct ThrdStart {
  thrd_start_t func;
  void* arg;
};
void* ThrdTrampoline(void* p) {
  ThrdStart start = *static_cast<ThrdStart*>(p);
  delete static_cast<ThrdStart*>(p);
  return reinterpret_cast<void*>(static_cast<std::intptr_t>(start.func(start.arg)));
}
}  // namespace

extern "C" int thrd_create(thrd_t* thr, thrd_start_t func, void* arg) {
  auto* start = new ThrdStart{func, arg};
  if (pthread_create(thr, nullptr, &ThrdTrampoline, start) != 0) {
    delete start;
    return thrd_error;
  }
  return thrd_success;
}

// The rest of librdkafka's C11 thread calls, routed to their (intercepted) pthread equivalents
// so that TSan sees its joins and locks; glibc's C11 types share the pthread layouts.
extern "C" int thrd_join(thrd_t thr, int* res) {
  void* ret = nullptr;
  if (pthread_join(thr, &ret) != 0) return thrd_error;
  if (res != nullptr) *res = static_cast<int>(reinterpret_cast<std::intptr_t>(ret));
  return thrd_success;
}

extern "C" int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  if ((type & mtx_recursive) != 0) pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  const int rc = pthread_mutex_init(reinterpret_cast<pthread_mutex_t*>(m), &attr);
  pthread_mutexattr_destroy(&attr);
  return rc == 0 ? thrd_success : thrd_error;
}
extern "C" int mtx_lock(mtx_t* m) {
  return pthread_mutex_lock(reinterpret_cast<pthread_mutex_t*>(m)) == 0 ? thrd_success : thrd_error;
}
extern "C" int mtx_unlock(mtx_t* m) {
  return pthread_mutex_unlock(reinterpret_cast<pthread_mutex_t*>(m)) == 0 ? thrd_success
                                                                          : thrd_error;
}
extern "C" void mtx_destroy(mtx_t* m) {
  pthread_mutex_destroy(reinterpret_cast<pthread_mutex_t*>(m));
}
extern "C" int cnd_init(cnd_t* c) {
  return pthread_cond_init(reinterpret_cast<pthread_cond_t*>(c), nullptr) == 0 ? thrd_success
                                                                               : thrd_error;
}
extern "C" int cnd_signal(cnd_t* c) {
  return pthread_cond_signal(reinterpret_cast<pthread_cond_t*>(c)) == 0 ? thrd_success : thrd_error;
}
extern "C" int cnd_broadcast(cnd_t* c) {
  return pthread_cond_broadcast(reinterpret_cast<pthread_cond_t*>(c)) == 0 ? thrd_success
                                                                           : thrd_error;
}
extern "C" int cnd_wait(cnd_t* c, mtx_t* m) {
  return pthread_cond_wait(reinterpret_cast<pthread_cond_t*>(c),
                           reinterpret_cast<pthread_mutex_t*>(m)) == 0
             ? thrd_success
             : thrd_error;
}
extern "C" int cnd_timedwait(cnd_t* c, mtx_t* m, const struct timespec* abs) {
  const int rc = pthread_cond_timedwait(reinterpret_cast<pthread_cond_t*>(c),
                                        reinterpret_cast<pthread_mutex_t*>(m), abs);
  if (rc == 0) return thrd_success;
  return rc == ETIMEDOUT ? thrd_timedout : thrd_error;
}
extern "C" void cnd_destroy(cnd_t* c) {
  pthread_cond_destroy(reinterpret_cast<pthread_cond_t*>(c));
}

extern "C" const char* __tsan_default_suppressions() {
  return "called_from_lib:librdkafka.so.1\n"
         "race:librdkafka.so.1\n"
         // Record payloads are written by librdkafka's decompression (these libraries) on its
         // broker thread and handed over through its (invisible) queue locks.
         "race:libzstd.so.1\n"
         "race:liblz4.so.1\n"
         "race:libz.so.1\n"
         "race:libsnappy.so.1\n"
         "thread:thrd_create\n";
}
#endif
