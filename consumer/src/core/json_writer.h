#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/short_text.h"

namespace cdc {

// Appends `text` to `out` as a JSON string literal, quotes included. Escapes `"`, `\` and every
// byte below 0x20 (short forms for \b \f \n \r \t), so the output is valid RFC 8259 JSON for any
// input: an invalid UTF-8 sequence becomes U+FFFD instead of passing through, because the
// documents we write must always parse in Elasticsearch even if a caller hands us raw bytes.
void AppendJsonString(std::string_view text, std::string* out);

// True when `text` needs no escaping at all (only ASCII bytes from 0x20 up, neither `"` nor `\`):
// it can then be copied between quotes as is, with the same result as AppendJsonString.
bool IsPlainJsonText(std::string_view text);

// Compact JSON writer for hand-built documents (no DOM): the caller emits keys and values in
// order and the writer places the commas. It does not validate nesting; its callers emit
// well-formed sequences. For speed it writes through a raw pointer into `out`, which it keeps
// longer than the text written so far: `out` must not be touched until Finish() (or the
// destructor) trims it to exactly what was written. Not thread-safe: one writer per buffer.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out);
  ~JsonWriter() { Finish(); }
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  // Trims `out` to the text written; the writer may keep writing afterwards.
  void Finish() {
    out_->resize(static_cast<std::size_t>(pos_ - out_->data()));
    end_ = pos_;
  }

  void StartObject() { OpenContainer('{'); }
  void EndObject() { CloseContainer('}'); }
  void StartArray() { OpenContainer('['); }
  void EndArray() { CloseContainer(']'); }

  void Key(std::string_view key) {
    if (need_comma_) Put(',');
    WriteString(key);
    Put(':');
    need_comma_ = false;
  }
  // A key the caller knows needs no escaping (a string literal of ours): no scan.
  void LiteralKey(std::string_view key) {
    Reserve(key.size() + 4);
    if (need_comma_) *pos_++ = ',';
    *pos_++ = '"';
    std::memcpy(pos_, key.data(), key.size());
    pos_ += key.size();
    *pos_++ = '"';
    *pos_++ = ':';
    need_comma_ = false;
  }
  // A key already written as a JSON string literal, quotes included (e.g. by AppendJsonString,
  // so that a name used for many documents is escaped once).
  void JsonKey(std::string_view json_name) {
    Reserve(json_name.size() + 2);
    if (need_comma_) *pos_++ = ',';
    CopyShortText(pos_, json_name);
    pos_ += json_name.size();
    *pos_++ = ':';
    need_comma_ = false;
  }
  void String(std::string_view value) {
    BeforeValue();
    WriteString(value);
  }
  // A string value the caller knows needs no escaping (our own ASCII text: a timestamp, an op
  // name): copied without a scan.
  void LiteralString(std::string_view value) {
    BeforeValue();
    Reserve(value.size() + 2);
    *pos_++ = '"';
    std::memcpy(pos_, value.data(), value.size());
    pos_ += value.size();
    *pos_++ = '"';
  }
  void Null() { RawValue("null"); }
  void Bool(bool value) { RawValue(value ? "true" : "false"); }
  void Integer(std::int64_t value);
  void Integer(std::uint64_t value);
  // Writes `bytes` base64-encoded as a JSON string (binary column values).
  void Base64String(std::string_view bytes);
  // Appends `json` verbatim as a value: the caller guarantees it is valid JSON.
  void RawValue(std::string_view json) {
    BeforeValue();
    Reserve(json.size());
    CopyShortText(pos_, json);
    pos_ += json.size();
  }

 private:
  void Put(char c) {
    Reserve(1);
    *pos_++ = c;
  }
  void BeforeValue() {
    if (need_comma_) Put(',');
    need_comma_ = true;
  }
  void OpenContainer(char c) {
    BeforeValue();
    Put(c);
    need_comma_ = false;
  }
  void CloseContainer(char c) {
    Put(c);
    need_comma_ = true;
  }
  void Reserve(std::size_t n) {
    if (static_cast<std::size_t>(end_ - pos_) < n) Grow(n);
  }
  void Grow(std::size_t n);
  void WriteString(std::string_view text);

  std::string* out_;
  char* pos_;  // next byte to write, inside out_'s buffer
  char* end_;  // end of out_'s current size: [pos_, end_) is scratch
  bool need_comma_ = false;
};

}  // namespace cdc
