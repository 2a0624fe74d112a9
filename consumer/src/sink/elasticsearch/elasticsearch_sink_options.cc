#include "sink/elasticsearch/elasticsearch_sink_options.h"

#include <openssl/crypto.h>

#include <fstream>

namespace cdc {

SecretString& SecretString::operator=(const SecretString& other) {
  if (this != &other) {
    Wipe();
    value_ = other.value_;
  }
  return *this;
}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    Wipe();
    value_ = std::move(other.value_);
  }
  return *this;
}

SecretString::~SecretString() { Wipe(); }

void SecretString::Wipe() {
  // OPENSSL_cleanse is not optimised away, unlike a memset before free.
  if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
  value_.clear();
}

namespace {

// Checks one base URL; appends what is wrong to `errors` without echoing the URL itself, which
// may hold a password someone pasted into it.
void CheckUrl(std::size_t i, std::string_view url, std::vector<std::string>* errors) {
  const std::string where = "urls[" + std::to_string(i) + "]";
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    errors->push_back(where + ": must start with http:// or https://");
    return;
  }
  const std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.empty()) errors->push_back(where + ": has no host");
  if (authority.find('@') != std::string_view::npos) {
    errors->push_back(where + ": must not carry credentials; use username/password or api_key");
  }
  const std::string_view path = rest.substr(authority.size());
  if (!path.empty() && path != "/") {
    errors->push_back(where + ": must not have a path, query or fragment");
  }
}

void CheckIndex(std::string_view index, std::vector<std::string>* errors) {
  if (index.empty() || index.size() > 200) {
    errors->push_back("index: must be 1..200 bytes");
    return;
  }
  if (index.front() == '-' || index.front() == '_' || index.front() == '+' || index == "." ||
      index == "..") {
    errors->push_back("index: must not start with '-', '_' or '+', nor be '.' or '..'");
  }
  for (const char c : index) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                    c == '.' || c == '+';
    if (!ok) {
      errors->push_back("index: only lowercase letters, digits and - _ . + are allowed");
      return;
    }
  }
}

}  // namespace

Status ElasticsearchSinkOptions::Validate() const {
  std::vector<std::string> errors;
  if (urls.empty()) errors.push_back("urls: at least one URL is required");
  for (std::size_t i = 0; i < urls.size(); ++i) CheckUrl(i, urls[i], &errors);
  CheckIndex(index, &errors);
  if (!api_key.empty() && (!username.empty() || !password.empty())) {
    errors.push_back("credentials: give either username/password or api_key, not both");
  }
  if (!password.empty() && username.empty()) errors.push_back("password: needs a username");
  if (!ca_file.empty() && !std::ifstream(ca_file).good()) {
    errors.push_back("ca_file: cannot be read");
  }
  if (gzip_level < 1 || gzip_level > 9) errors.push_back("gzip_level: must be 1..9");
  if (bulk_max_bytes < 1024) errors.push_back("bulk_max_bytes: must be at least 1024");
  if (bulk_max_docs < 1) errors.push_back("bulk_max_docs: must be at least 1");
  if (linger.count() < 0) errors.push_back("linger: must not be negative");
  if (max_in_flight < 1 || max_in_flight > 64) errors.push_back("max_in_flight: must be 1..64");
  if (request_timeout.count() <= 0) errors.push_back("request_timeout: must be positive");
  if (connect_timeout.count() <= 0) errors.push_back("connect_timeout: must be positive");
  if (healthcheck_timeout.count() <= 0) errors.push_back("healthcheck_timeout: must be positive");
  if (retry_initial.count() <= 0) errors.push_back("retry_initial: must be positive");
  if (retry_max < retry_initial) errors.push_back("retry_max: must be at least retry_initial");
  if (max_queued_bytes < 1) errors.push_back("max_queued_bytes: must be positive");
  if (errors.empty()) return Status::Ok();
  std::string joined;
  for (const auto& e : errors) {
    if (!joined.empty()) joined += "; ";
    joined += e;
  }
  return Status::InvalidConfig(std::move(joined));
}

}  // namespace cdc
