#include "app/decode_command.h"

#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <istream>
#include <iterator>
#include <ostream>

#include "core/change_event.h"
#include "core/document.h"
#include "decode/canal_json_decoder.h"
#include "sink/elasticsearch/bulk_encoder.h"
#include "transform/document_shaper.h"

namespace cdc {
namespace {

// One `decode` invocation: a decoder and shaper reused for every input, and the bulk text of
// one message assembled before anything is written, so a message that fails writes nothing.
class DecodeRun {
 public:
  DecodeRun(const DecodeCommandOptions& options, std::ostream& out, std::ostream& err)
      : index_(options.index),
        shaper_(ShaperOptions{.redact_patterns = options.redact_columns_set
                                                     ? options.redact_columns
                                                     : Redactor::DefaultPatterns()}),
        out_(out),
        err_(err) {}

  // Returns false when the message was rejected.
  bool Process(std::string_view input_name, std::string_view payload) {
    if (const Status status = decoder_.Decode(payload, &message_); !status.ok()) {
      err_ << input_name << ": " << status.message() << '\n';
      return false;
    }
    body_.clear();
    for (const ChangeEvent& event : message_.events) {
      shaper_.Shape(event, &doc_);
      AppendBulkCreate(index_, doc_, &body_);
    }
    out_.write(body_.data(), static_cast<std::streamsize>(body_.size()));
    return true;
  }

  bool ProcessFile(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      err_ << path << ": cannot read: " << std::strerror(errno) << '\n';
      return false;
    }
    const std::string payload((std::istreambuf_iterator<char>(file)),
                              std::istreambuf_iterator<char>());
    if (file.bad()) {
      err_ << path << ": cannot read: I/O error\n";
      return false;
    }
    return Process(path, payload);
  }

  bool ProcessLines(std::istream& in) {
    bool all_ok = true;
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      all_ok = Process("stdin:" + std::to_string(number), line) && all_ok;
    }
    return all_ok;
  }

 private:
  const std::string& index_;
  DocumentShaper shaper_;
  CanalJsonDecoder decoder_;
  DecodedMessage message_;
  Document doc_;
  std::string body_;
  std::ostream& out_;
  std::ostream& err_;
};

}  // namespace

int RunDecodeCommand(const DecodeCommandOptions& options, std::istream& in, std::ostream& out,
                     std::ostream& err) {
  try {
    DecodeRun run(options, out, err);
    bool all_ok = true;
    if (options.files.empty()) {
      all_ok = run.ProcessLines(in);
    } else {
      for (const std::string& path : options.files) all_ok = run.ProcessFile(path) && all_ok;
    }
    out.flush();
    return all_ok ? 0 : 1;
  } catch (const std::exception& e) {  // bad_alloc on a giant input; streams do not throw
    err << "decode: " << e.what() << '\n';
    return 1;
  }
}

std::vector<std::string> ParseRedactColumns(std::string_view list) {
  std::vector<std::string> items;
  while (true) {
    const std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    const std::size_t first = item.find_first_not_of(" \t");
    if (first != std::string_view::npos) {
      item = item.substr(first, item.find_last_not_of(" \t") - first + 1);
      items.emplace_back(item);
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return items;
}

}  // namespace cdc
