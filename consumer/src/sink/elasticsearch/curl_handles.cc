#include "sink/elasticsearch/curl_handles.h"

#include <mutex>

namespace cdc::es {

Status CurlGlobalInit() {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK)
    return Status::Internal(std::string("curl_global_init: ") + curl_easy_strerror(rc));
  return Status::Ok();
}

Status CurlHeaders::Append(const std::string& line) {
  curl_slist* next = curl_slist_append(list_, line.c_str());
  if (next == nullptr) return Status::Internal("curl_slist_append: out of memory");
  list_ = next;
  return Status::Ok();
}

Status MultiStatus(CURLMcode rc, const char* what) {
  if (rc == CURLM_OK) return Status::Ok();
  return Status::Internal(std::string(what) + ": " + curl_multi_strerror(rc));
}

}  // namespace cdc::es
