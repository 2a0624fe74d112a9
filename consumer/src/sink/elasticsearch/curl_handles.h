#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "core/status.h"

namespace cdc::es {

// RAII owners of libcurl handles and Status-returning wrappers of the calls we make, so that no
// curl_* return code is ignored and no handle leaks on an early return. The handles themselves
// are not thread-safe: each belongs to one HttpClient, used by one thread at a time.

// curl_global_init, once per process (safe to call from several threads).
Status CurlGlobalInit();

struct CurlEasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};
using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMultiPtr = std::unique_ptr<CURLM, CurlMultiDeleter>;

// A curl_slist of request headers, freed on destruction.
class CurlHeaders {
 public:
  CurlHeaders() = default;
  CurlHeaders(const CurlHeaders&) = delete;
  CurlHeaders& operator=(const CurlHeaders&) = delete;
  ~CurlHeaders() { curl_slist_free_all(list_); }

  Status Append(const std::string& line);
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

// curl_easy_setopt with its result checked; the option number (never the value, which may be a
// secret) goes into the error.
template <typename T>
Status SetOpt(CURL* h, CURLoption option, T value) {
  const CURLcode rc = curl_easy_setopt(h, option, value);
  if (rc == CURLE_OK) return Status::Ok();
  return Status::Internal("curl_easy_setopt(" + std::to_string(static_cast<int>(option)) +
                          "): " + curl_easy_strerror(rc));
}

Status MultiStatus(CURLMcode rc, const char* what);

// Attaches an easy handle to a multi handle for one transfer and detaches it on scope exit.
class CurlMultiAttachment {
 public:
  CurlMultiAttachment(CURLM* multi, CURL* easy) : multi_(multi), easy_(easy) {}
  CurlMultiAttachment(const CurlMultiAttachment&) = delete;
  CurlMultiAttachment& operator=(const CurlMultiAttachment&) = delete;
  ~CurlMultiAttachment() {
    if (attached_) curl_multi_remove_handle(multi_, easy_);
  }

  Status Attach() {
    Status s = MultiStatus(curl_multi_add_handle(multi_, easy_), "curl_multi_add_handle");
    attached_ = s.ok();
    return s;
  }

 private:
  CURLM* multi_;
  CURL* easy_;
  bool attached_ = false;
};

}  // namespace cdc::es
