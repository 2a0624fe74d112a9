#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base64.h"

namespace cdc {

// Appends `text` to `out` as a JSON string literal, quotes included. Escapes `"`, `\` and every
// byte below 0x20 (short forms for \b \f \n \r \t), so the output is valid RFC 8259 JSON for any
// input: an invalid UTF-8 sequence becomes U+FFFD instead of passing through, because the
// documents we write must always parse in Elasticsearch even if a caller hands us raw bytes.
void AppendJsonString(std::string_view text, std::string* out);

// Compact JSON writer for hand-built documents (no DOM): the caller emits keys and values in
// order and the writer places the commas. It never validates nesting; the document shaper and
// bulk encoder are its only callers and emit well-formed sequences. Not thread-safe: one writer
// per output buffer, used by one thread.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void StartObject() { OpenContainer('{'); }
  void EndObject() { CloseContainer('}'); }
  void StartArray() { OpenContainer('['); }
  void EndArray() { CloseContainer(']'); }

  void Key(std::string_view key) {
    if (need_comma_) out_->push_back(',');
    AppendJsonString(key, out_);
    out_->push_back(':');
    need_comma_ = false;
  }
  void String(std::string_view value) {
    BeforeValue();
    AppendJsonString(value, out_);
  }
  void Null() {
    BeforeValue();
    out_->append("null");
  }
  void Bool(bool value) {
    BeforeValue();
    out_->append(value ? "true" : "false");
  }
  template <typename Int>
  void Integer(Int value) {
    BeforeValue();
    char buf[24];
    const auto result = std::to_chars(buf, buf + sizeof(buf), value);
    out_->append(buf, result.ptr);
  }
  // Writes `bytes` base64-encoded as a JSON string (binary column values).
  void Base64String(std::string_view bytes) {
    BeforeValue();
    out_->push_back('"');
    AppendBase64(bytes, out_);
    out_->push_back('"');
  }
  // Appends `json` verbatim as a value: the caller guarantees it is valid JSON (e.g. base64 text
  // already wrapped in quotes, or a document built by another JsonWriter).
  void RawValue(std::string_view json) {
    BeforeValue();
    out_->append(json);
  }

  std::string* out() { return out_; }

 private:
  void BeforeValue() {
    if (need_comma_) out_->push_back(',');
    need_comma_ = true;
  }
  void OpenContainer(char c) {
    BeforeValue();
    out_->push_back(c);
    need_comma_ = false;
  }
  void CloseContainer(char c) {
    out_->push_back(c);
    need_comma_ = true;
  }

  std::string* out_;
  bool need_comma_ = false;
};

}  // namespace cdc
