#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cdc {

// A credential held in memory. It never prints: ToString-style helpers show "***", and the bytes
// are wiped when the object dies so that a core dump taken later holds less of it. Plain value
// type, no thread-safety of its own.
class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string value) : value_(std::move(value)) {}
  SecretString(const SecretString& other) = default;
  SecretString& operator=(const SecretString& other);
  SecretString(SecretString&& other) noexcept = default;
  SecretString& operator=(SecretString&& other) noexcept;
  ~SecretString();

  bool empty() const { return value_.empty(); }
  // The secret itself, for the one place that hands it to libcurl.
  const std::string& Reveal() const { return value_; }
  // What logs and --help show instead of the value.
  std::string_view Redacted() const { return value_.empty() ? "" : "***"; }

 private:
  void Wipe();
  std::string value_;
};

enum class SinkLogLevel { kDebug, kInfo, kWarn, kError };

// Everything the Elasticsearch sink can be told. Defaults are the documented ones
// (docs/elasticsearch-sink.md); Validate() lists every bad value at once. Plain value type.
struct ElasticsearchSinkOptions {
  // Base URLs of the cluster (http:// or https://, no path other than "/", no user:pass@).
  // Requests go round-robin over them; a transport error moves on to the next one.
  std::vector<std::string> urls = {"http://localhost:9200"};
  std::string index = "cdc-events";

  // Credentials: basic (username + password) or an API key (the base64 "id:key" form that
  // Elasticsearch prints as `encoded`), never both. Sent only in headers, never logged.
  std::string username;
  SecretString password;
  SecretString api_key;

  // TLS: a PEM bundle of trusted CAs (empty = the system store); verify peer and host name.
  std::string ca_file;
  bool tls_verify = true;

  bool gzip = true;    // request bodies with Content-Encoding: gzip
  int gzip_level = 1;  // zlib level; 1 costs least CPU per byte saved

  // Bulk request shaping: a request is sent as soon as it reaches either bound, or when its
  // oldest record has waited `linger`.
  std::size_t bulk_max_bytes = 5 * 1024 * 1024;
  std::size_t bulk_max_docs = 1000;
  std::chrono::milliseconds linger{50};
  int max_in_flight = 4;  // concurrent bulk requests (one worker thread and connection each)

  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds healthcheck_timeout{2'000};

  // Retries: exponential with full jitter, delay = uniform(0, min(max, initial * 2^attempt)).
  // Requests refused for authentication or authorization wait uniform(max/2, max).
  std::chrono::milliseconds retry_initial{100};
  std::chrono::milliseconds retry_max{30'000};

  // TrySubmit refuses new records while the bytes of accepted, unacknowledged records reach
  // this bound (the pipeline then pauses its partitions).
  std::size_t max_queued_bytes = 32 * 1024 * 1024;

  // Install the composable index template `<index>` for `<index>*` at Start().
  bool install_template = true;

  // The Kafka topic the records came from, copied into each DeadLetter.source_topic.
  std::string dead_letter_source_topic;

  // Where the sink reports state changes (cluster down/up, template installed, refusals). The
  // text never holds row data or secrets. Called from the worker threads, so it must be
  // thread-safe (spdlog loggers are). Empty: silent. The pipeline wires it to spdlog.
  std::function<void(SinkLogLevel, std::string_view)> on_log;

  // Seed of the jitter generator; 0 draws one from std::random_device. Tests fix it.
  std::uint64_t random_seed = 0;

  // Every problem, joined with "; ". Ok when the options can be used.
  Status Validate() const;
};

}  // namespace cdc
