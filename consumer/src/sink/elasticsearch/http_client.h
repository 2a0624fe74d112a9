#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "sink/elasticsearch/curl_handles.h"
#include "sink/elasticsearch/elasticsearch_sink_options.h"

namespace cdc::es {

struct HttpRequest {
  std::string_view method = "GET";  // GET, HEAD, PUT or POST
  std::string url;
  std::string_view body;                 // must outlive Send()
  std::string_view content_type;         // empty: no Content-Type header
  bool body_gzipped = false;             // adds Content-Encoding: gzip
  std::chrono::milliseconds timeout{0};  // 0: the client's request_timeout
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased

  // The value of the first header called `name` (lower case), or "".
  std::string_view Header(std::string_view name) const;
};

// One HTTP/1.1 connection's worth of libcurl (an easy handle on its own multi handle, so the
// connection is kept alive between requests and a transfer can be cut short from another
// thread). Send() is called by one thread at a time; Abort() from any thread.
class HttpClient {
 public:
  struct Options {
    std::string ca_file;
    bool tls_verify = true;
    std::string username;
    SecretString password;
    SecretString api_key;
    std::chrono::milliseconds request_timeout{30'000};
    std::chrono::milliseconds connect_timeout{5'000};
  };

  static Result<std::unique_ptr<HttpClient>> Create(Options options);
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // A transport problem (refused, reset, timeout, TLS) is a Transient error whose message names
  // the cause (never a header or body); any HTTP status is a response.
  Result<HttpResponse> Send(const HttpRequest& request);

  // Makes the transfer in progress, and every later one, fail at once (for shutdown).
  void Abort();

 private:
  HttpClient(Options options, CurlEasyPtr easy, CurlMultiPtr multi);
  Status Configure(const HttpRequest& request, CurlHeaders* headers, HttpResponse* response);
  Status Perform();

  Options options_;
  CurlEasyPtr easy_;
  CurlMultiPtr multi_;
  std::atomic<bool> aborted_{false};
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace cdc::es
