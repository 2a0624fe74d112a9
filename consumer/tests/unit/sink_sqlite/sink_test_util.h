#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "core/document.h"
#include "core/sink_record.h"
#include "sink/sink.h"
#include "sink/sqlite/json_text.h"

namespace cdc::testing {

// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cdc-sqlite-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Records every acknowledgement; an optional hook runs inside Ack (on the sink's thread).
class RecordingAcks : public AckSink {
 public:
  void Ack(const SinkRecord& record, DeliveryOutcome outcome) override {
    if (hook) hook(record);
    std::lock_guard lock(mu_);
    acked_.push_back({record.doc.id, record.source.offset, outcome});
  }
  std::size_t size() {
    std::lock_guard lock(mu_);
    return acked_.size();
  }
  std::vector<std::int64_t> Offsets() {
    std::lock_guard lock(mu_);
    std::vector<std::int64_t> out;
    for (const auto& a : acked_) out.push_back(a.offset);
    return out;
  }

  struct Entry {
    std::string id;
    std::int64_t offset;
    DeliveryOutcome outcome;
  };
  std::function<void(const SinkRecord&)> hook;

 private:
  std::mutex mu_;
  std::vector<Entry> acked_;
};

inline SinkRecord MakeRecord(std::string id, std::string table, Op op, std::string text,
                             std::int64_t offset) {
  SinkRecord r;
  r.doc.id = std::move(id);
  r.doc.database = "appdb";
  r.doc.table = std::move(table);
  r.doc.op = op;
  r.doc.commit_ts = 400000000000000000ULL + static_cast<std::uint64_t>(offset);
  r.doc.event_time_ms = 1700000000000 + offset;
  r.doc.source_json = "{\"database\":\"appdb\",\"table\":\"" + r.doc.table +
                      "\",\"data\":{\"name\":" + JsonString(text) + "}}";
  r.source = MessageRef{0, offset, 1};
  return r;
}

}  // namespace cdc::testing
