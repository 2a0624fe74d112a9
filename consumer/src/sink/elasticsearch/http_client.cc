#include "sink/elasticsearch/http_client.h"

#include <algorithm>
#include <cctype>

namespace cdc::es {
namespace {

// Larger bodies than this are not a bulk response we can use; stop reading instead of
// buffering without bound.
constexpr std::size_t kMaxResponseBytes = 256u * 1024u * 1024u;

std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  if (response->body.size() + size * n > kMaxResponseBytes) return 0;  // fails the transfer
  response->body.append(data, size * n);
  return size * n;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  const std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    response->headers.clear();  // a new status line (after 100 Continue): start over
    return size * n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(Trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  response->headers.emplace_back(std::move(name), std::string(Trim(line.substr(colon + 1))));
  return size * n;
}

}  // namespace

std::string_view HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

Result<std::unique_ptr<HttpClient>> HttpClient::Create(Options options) {
  if (Status s = CurlGlobalInit(); !s.ok()) return Err(std::move(s));
  CurlEasyPtr easy(curl_easy_init());
  CurlMultiPtr multi(curl_multi_init());
  if (!easy || !multi) return Err(Status::Internal("curl: cannot create handles"));
  return std::unique_ptr<HttpClient>(
      new HttpClient(std::move(options), std::move(easy), std::move(multi)));
}

HttpClient::HttpClient(Options options, CurlEasyPtr easy, CurlMultiPtr multi)
    : options_(std::move(options)), easy_(std::move(easy)), multi_(std::move(multi)) {}

void HttpClient::Abort() {
  aborted_.store(true);
  curl_multi_wakeup(multi_.get());
}

Status HttpClient::Configure(const HttpRequest& request, CurlHeaders* headers,
                             HttpResponse* response) {
  CURL* h = easy_.get();
  // reset keeps the connection cache (it lives in the multi handle), so keep-alive survives.
  curl_easy_reset(h);
  const auto timeout = request.timeout.count() > 0 ? request.timeout : options_.request_timeout;
  const auto connect = std::min(options_.connect_timeout, timeout);
  Status s;
  auto set = [&](CURLoption o, auto v) {
    if (s.ok()) s = SetOpt(h, o, v);
  };
  set(CURLOPT_URL, request.url.c_str());
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, 0L);  // a redirect must not carry our credentials elsewhere
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect.count()));
  set(CURLOPT_ACCEPT_ENCODING, "");  // any encoding libcurl can decode
  set(CURLOPT_ERRORBUFFER, error_buffer_);
  set(CURLOPT_WRITEFUNCTION, &OnBody);
  set(CURLOPT_WRITEDATA, static_cast<void*>(response));
  set(CURLOPT_HEADERFUNCTION, &OnHeader);
  set(CURLOPT_HEADERDATA, static_cast<void*>(response));
  set(CURLOPT_SSL_VERIFYPEER, options_.tls_verify ? 1L : 0L);
  set(CURLOPT_SSL_VERIFYHOST, options_.tls_verify ? 2L : 0L);
  if (!options_.ca_file.empty()) set(CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.username.empty()) {
    set(CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    set(CURLOPT_USERNAME, options_.username.c_str());
    set(CURLOPT_PASSWORD, options_.password.Reveal().c_str());
  }
  if (!s.ok()) return s;
  if (!options_.api_key.empty()) {
    const SecretString line("Authorization: ApiKey " + options_.api_key.Reveal());
    if (s = headers->Append(line.Reveal()); !s.ok()) return s;
  }
  if (!request.content_type.empty()) {
    if (s = headers->Append("Content-Type: " + std::string(request.content_type)); !s.ok()) {
      return s;
    }
  }
  if (request.body_gzipped) {
    if (s = headers->Append("Content-Encoding: gzip"); !s.ok()) return s;
  }
  if (s = headers->Append("Expect:"); !s.ok()) return s;  // no 100-continue round trip
  set(CURLOPT_HTTPHEADER, headers->get());
  if (request.method == "HEAD") {
    set(CURLOPT_NOBODY, 1L);
  } else if (request.method == "GET") {
    set(CURLOPT_HTTPGET, 1L);
  } else {
    if (request.method != "POST") set(CURLOPT_CUSTOMREQUEST, std::string(request.method).c_str());
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    set(CURLOPT_POSTFIELDS, request.body.data());
  }
  return s;
}

Status HttpClient::Perform() {
  CurlMultiAttachment attachment(multi_.get(), easy_.get());
  if (Status s = attachment.Attach(); !s.ok()) return s;
  for (;;) {
    int running = 0;
    if (Status s = MultiStatus(curl_multi_perform(multi_.get(), &running), "curl_multi_perform");
        !s.ok()) {
      return s;
    }
    if (running == 0) break;
    if (aborted_.load()) return Status::Transient("http: aborted by shutdown");
    if (Status s = MultiStatus(curl_multi_poll(multi_.get(), nullptr, 0, 1000, nullptr),
                               "curl_multi_poll");
        !s.ok()) {
      return s;
    }
  }
  int queued = 0;
  CURLcode rc = CURLE_OK;
  while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &queued)) {
    if (msg->msg == CURLMSG_DONE) rc = msg->data.result;
  }
  if (rc == CURLE_OK) return Status::Ok();
  std::string message = "http: ";
  message += error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(rc);
  return Status::Transient(std::move(message));
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  if (aborted_.load()) return Err(Status::Transient("http: aborted by shutdown"));
  HttpResponse response;
  CurlHeaders headers;
  // libcurl copies every string option except POSTFIELDS, whose bytes (request.body) the caller
  // keeps alive; the header list lives until the transfer ends.
  error_buffer_[0] = '\0';
  if (Status s = Configure(request, &headers, &response); !s.ok()) return Err(std::move(s));
  if (Status s = Perform(); !s.ok()) return Err(std::move(s));
  long code = 0;
  if (curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &code) != CURLE_OK || code <= 0) {
    return Err(Status::Transient("http: no response status"));
  }
  response.status = static_cast<int>(code);
  return response;
}

}  // namespace cdc::es
