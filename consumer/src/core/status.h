#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace cdc {

// The retry class of an error decides what the pipeline does with it: transient errors are
// retried with backoff, permanent and invalid-input errors are dead-lettered, invalid-config
// errors stop the process at startup, internal errors mark the process unhealthy.
enum class ErrorCode {
  kOk = 0,
  kInvalidConfig,
  kInvalidInput,
  kTransient,
  kPermanent,
  kInternal,
};

std::string_view ErrorCodeName(ErrorCode code);

// Status is the one error vocabulary across component boundaries (leveldb style): no exceptions
// on the per-event path. Messages must never carry row values or secrets. Like leveldb's, it is
// one pointer, null when ok: the decoder creates, tests and drops dozens per message, and an ok
// Status then costs a single store and test. A moved-from Status is ok.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(const Status& other) : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  ~Status() = default;

  static Status Ok() { return Status(); }
  static Status InvalidConfig(std::string msg) {
    return {ErrorCode::kInvalidConfig, std::move(msg)};
  }
  static Status InvalidInput(std::string msg) { return {ErrorCode::kInvalidInput, std::move(msg)}; }
  static Status Transient(std::string msg) { return {ErrorCode::kTransient, std::move(msg)}; }
  static Status Permanent(std::string msg) { return {ErrorCode::kPermanent, std::move(msg)}; }
  static Status Internal(std::string msg) { return {ErrorCode::kInternal, std::move(msg)}; }

  bool ok() const { return rep_ == nullptr; }
  ErrorCode code() const { return rep_ ? rep_->code : ErrorCode::kOk; }
  // Empty when ok.
  const std::string& message() const;
  bool IsRetryable() const { return code() == ErrorCode::kTransient; }

  // "transient: connection refused"; "ok" for success.
  std::string ToString() const;

 private:
  struct Rep {
    ErrorCode code;
    std::string message;
  };
  Status(ErrorCode code, std::string msg)
      : rep_(std::make_unique<Rep>(Rep{code, std::move(msg)})) {}

  std::unique_ptr<Rep> rep_;
};

template <typename T>
using Result = tl::expected<T, Status>;

// Shorthand for returning an error from a function that returns Result<T>.
inline tl::unexpected<Status> Err(Status status) {
  return tl::unexpected<Status>(std::move(status));
}

}  // namespace cdc
