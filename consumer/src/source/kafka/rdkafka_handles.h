#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "core/status.h"

namespace cdc::kafka {

// Small RAII owners for librdkafka's C objects, and the conversion of its error codes to Status.
// None of them is thread-safe by itself; the librdkafka calls they wrap are (see rdkafka.h).

using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

// "what: Local: Broker transport failure (_TRANSPORT)"; transient when librdkafka says the
// operation may be retried, internal for local state errors, permanent otherwise.
Status StatusFromKafka(rd_kafka_resp_err_t err, std::string_view what);
// Takes ownership of `error` (may be null = success) and destroys it.
Status StatusFromKafkaError(rd_kafka_error_t* error, std::string_view what);

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
struct MessageDeleter {
  void operator()(rd_kafka_message_t* msg) const { rd_kafka_message_destroy(msg); }
};
struct HeadersDeleter {
  void operator()(rd_kafka_headers_t* headers) const { rd_kafka_headers_destroy(headers); }
};

using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;
using HeadersPtr = std::unique_ptr<rd_kafka_headers_t, HeadersDeleter>;

// An rd_kafka_conf_t under construction. Setting properties collects every error instead of
// stopping at the first, so a bad `-X` list is reported whole at startup. Values are never
// echoed for keys that may hold secrets.
class KafkaConf {
 public:
  KafkaConf() : conf_(rd_kafka_conf_new()) {}

  // Sets `key`; the error reads "-X key: why".
  Status Set(const std::string& key, const std::string& value);
  // Sets every property in order; the returned error lists every failure, separated by "; ".
  Status SetAll(const KafkaProperties& properties);

  rd_kafka_conf_t* get() const { return conf_.get(); }
  ConfPtr Release() { return std::move(conf_); }

 private:
  ConfPtr conf_;
};

// True for property names whose values must never appear in logs or errors.
bool IsSecretProperty(std::string_view key);

// rd_kafka_new with ownership rules handled: `conf` is consumed only on success.
Result<HandlePtr> NewClient(rd_kafka_type_t type, ConfPtr conf);

// A topic+partition list. Copyable by value through Copy(); moves are cheap.
class PartitionList {
 public:
  explicit PartitionList(int capacity = 0) : list_(rd_kafka_topic_partition_list_new(capacity)) {}
  static PartitionList Copy(const rd_kafka_topic_partition_list_t* other);

  void Add(const std::string& topic, std::int32_t partition,
           std::int64_t offset = RD_KAFKA_OFFSET_INVALID);
  int size() const { return list_->cnt; }
  bool empty() const { return list_->cnt == 0; }
  rd_kafka_topic_partition_t& operator[](int i) const { return list_->elems[i]; }
  rd_kafka_topic_partition_list_t* get() const { return list_.get(); }

 private:
  explicit PartitionList(rd_kafka_topic_partition_list_t* adopt) : list_(adopt) {}
  std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter> list_;
};

// The partition numbers of `topic` in a list handed over by librdkafka.
std::vector<std::int32_t> PartitionsOf(const rd_kafka_topic_partition_list_t* list,
                                       std::string_view topic);

}  // namespace cdc::kafka
