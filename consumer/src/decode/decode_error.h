#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace cdc {

// Why a canal-json message was rejected. Each reason has a fixed slug that opens the Status
// message ("<slug>: <detail>") and is the `reason` label of cdc_decode_errors_total, so the set
// is small and closed. Details name fields and columns, never row values.
enum class DecodeError {
  kInvalidJson,     // not RFC 8259 JSON (syntax, bad escape, bad UTF-8, trailing garbage, depth)
  kNotObject,       // the top-level value is not an object
  kWrongType,       // a known field has the wrong JSON type (e.g. a number as a column value)
  kMissingField,    // a field the message kind requires is absent (or an empty name)
  kDuplicateKey,    // a key repeated in the envelope, a row, or pkNames
  kUnknownType,     // `type` is not INSERT/UPDATE/DELETE/TIDB_WATERMARK or a canal DDL type
  kEmptyData,       // DML without rows, or a row without columns
  kBadOld,          // UPDATE `old` does not pair with `data`
  kBadCommitTs,     // `_tidb.commitTs` is not an integer in [0, 2^64)
  kBadWatermarkTs,  // `_tidb.watermarkTs` is not an integer in [0, 2^64)
  kBadTimestamp,    // `es` (used when there is no commitTs) is outside years 1970..9999
  kBadBinary,       // a binary column holds a code point above U+00FF
  kTooLarge,        // the parser could not allocate for the message
};

std::string_view DecodeErrorName(DecodeError error);

// Status::InvalidInput("<slug>: <detail>").
Status MakeDecodeError(DecodeError error, std::string_view detail);

// The slug of a decoder error status ("invalid_json", ...), for the metric label. Always one of
// the fixed names above: "" for ok, "other" for a status the decoder did not produce.
std::string_view DecodeErrorSlug(const Status& status);

// Renders an identifier from the message (a column or key name) for an error detail: at most
// 64 bytes, non-printable bytes as \xNN, so a hostile name cannot forge log lines.
std::string QuoteName(std::string_view name);

}  // namespace cdc
