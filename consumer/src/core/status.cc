#include "core/status.h"

namespace cdc {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kInvalidConfig:
      return "invalid_config";
    case ErrorCode::kInvalidInput:
      return "invalid_input";
    case ErrorCode::kTransient:
      return "transient";
    case ErrorCode::kPermanent:
      return "permanent";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

const std::string& Status::message() const {
  static const std::string kNone;
  return rep_ ? rep_->message : kNone;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(ErrorCodeName(rep_->code));
  out += ": ";
  out += rep_->message;
  return out;
}

}  // namespace cdc
