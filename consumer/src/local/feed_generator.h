#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "local/canal_json_writer.h"

namespace cdc {

struct FeedGeneratorOptions {
  std::uint64_t seed = 1;
  std::int32_t partitions = 6;
  int update_percent = 30;  // of row changes on an existing row
  int delete_percent = 15;
  int ddl_every = 250;     // one DDL per this many transactions; 0 = never
  int hostile_every = 20;  // every Nth appdb.users insert carries a hostile username; 0 = never
  std::size_t max_live_rows = 2000;        // per table; past it deletes are preferred
  std::function<std::int64_t()> now_ms{};  // wall clock (TSO physical part, `ts`); tests inject
};

// One Kafka record to produce: partition, value (null key), and what it carries.
struct SimMessage {
  enum class Kind { kDml, kDdl, kWatermark };
  Kind kind = Kind::kDml;
  std::int32_t partition = 0;
  std::string value;
  std::string database;
  std::string table;
  std::string op;  // insert | update | delete | ddl | "" (watermark)
};

// The hostile values the simulator puts in appdb.users.username (the UI test looks for them).
inline constexpr const char* kHostileValues[] = {
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
};

// Generates a TiCDC v6.5 canal-json feed for appdb.users (the seed's table), appdb.orders
// (bigint unsigned, decimal, enum, smallint unsigned, text, datetime) and appdb.files
// (varbinary, blob, json, bigint): inserts, updates with the full `old`, deletes, an
// occasional DDL (partition 0) and watermarks for every partition. The same seed and clock give
// the same bytes. Not thread-safe: one thread drives it.
class FeedGenerator {
 public:
  explicit FeedGenerator(FeedGeneratorOptions options);

  // The next transaction: 1–3 row changes of one table sharing one commitTs, or one DDL.
  std::vector<SimMessage> NextTransaction();
  // One watermark per partition, newer than every commitTs produced so far.
  std::vector<SimMessage> Watermarks();

  struct Table {
    std::string name;
    std::vector<SimColumn> columns;
    std::vector<std::string> pk_names;
    std::vector<SimRow> live;  // rows that exist now, for updates and deletes
    std::uint64_t next_id = 1;
  };

 private:
  std::uint64_t NextTso();
  std::uint64_t Uniform(std::uint64_t n) { return rng_() % n; }
  SimRow NewRow(Table& table);
  void Mutate(Table& table, SimRow& row);
  std::string RandomBytes(std::size_t n);
  std::string Timestamp();
  SimMessage MakeDml(Table& table, const char* type, SimRow data, std::optional<SimRow> old,
                     std::uint64_t commit_ts);
  SimMessage NextDdl();

  FeedGeneratorOptions options_;
  std::mt19937_64 rng_;
  std::vector<Table> tables_;
  std::uint64_t transactions_ = 0;
  std::uint64_t users_inserted_ = 0;
  std::uint64_t ddl_count_ = 0;
  std::int64_t last_physical_ = 0;
  std::uint64_t last_logical_ = 0;
};

}  // namespace cdc
