#include "local/feed_generator.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <numeric>
#include <set>

namespace cdc {
namespace {

constexpr const char* kDatabase = "appdb";
constexpr const char* kNames[] = {"alice", "bob",  "carol", "dave",    "erin", "frank",  "grace",
                                  "heidi", "ivan", "judy",  "mallory", "niaj", "olivia", "peggy"};
constexpr const char* kNotes[] = {"gift wrap",         "leave at the door",
                                  "Ünïcödé ✓ 测试",    "quote \" and backslash \\",
                                  "tab\tand\nnewline", "fish & chips <b>bold</b>"};
// Order ids start just below 2^63 so the feed crosses into the range where TiCDC promotes a
// bigint unsigned column's sqlType from -5 (BIGINT) to 3 (DECIMAL).
constexpr std::uint64_t kFirstOrderId = 9223372036854775708ULL;  // 2^63 - 100

std::int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<FeedGenerator::Table> MakeTables() {
  std::vector<FeedGenerator::Table> t(3);
  t[0].name = "users";
  t[0].pk_names = {"id"};
  t[0].columns = {{"id", 4, "int"},
                  {"username", 12, "varchar"},
                  {"password", 12, "varchar"},
                  {"email", 12, "varchar"},
                  {"created_at", 93, "timestamp"}};
  t[1].name = "orders";
  t[1].pk_names = {"id"};
  t[1].columns = {{"id", -5, "bigint unsigned", false, true},
                  {"user_id", 4, "int"},
                  {"amount", 3, "decimal"},
                  {"status", 4, "enum"},
                  {"quantity", 5, "smallint unsigned", false, true},
                  {"note", 2005, "text"},
                  {"created_at", 93, "datetime"}};
  t[1].next_id = kFirstOrderId;
  t[2].name = "files";
  t[2].pk_names = {"id"};
  t[2].columns = {{"id", 4, "int"},
                  {"name", 12, "varchar"},
                  {"checksum", 2004, "varbinary", true},
                  {"content", 2004, "blob", true},
                  {"meta", 12, "json"},
                  {"size", -5, "bigint"}};
  return t;
}

}  // namespace

FeedGenerator::FeedGenerator(FeedGeneratorOptions options)
    : options_(std::move(options)), rng_(options_.seed), tables_(MakeTables()) {
  if (!options_.now_ms) options_.now_ms = SystemNowMs;
  if (options_.partitions < 1) options_.partitions = 1;
}

std::uint64_t FeedGenerator::NextTso() {
  std::int64_t physical = options_.now_ms();
  if (physical <= last_physical_) {
    // Same millisecond (or a clock step back): TSOs stay strictly increasing, as PD's do.
    physical = last_physical_;
    if (++last_logical_ >= (1u << 18)) {
      ++physical;
      last_logical_ = 0;
    }
  } else {
    last_logical_ = 0;
  }
  last_physical_ = physical;
  return (static_cast<std::uint64_t>(physical) << 18) | last_logical_;
}

std::string FeedGenerator::RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(Uniform(256));
  return out;
}

std::string FeedGenerator::Timestamp() {
  const std::time_t secs = static_cast<std::time_t>(options_.now_ms() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

SimRow FeedGenerator::NewRow(Table& table) {
  const std::uint64_t id = table.next_id++;
  const std::string name = std::string(kNames[Uniform(std::size(kNames))]);
  if (table.name == "users") {
    ++users_inserted_;
    std::string username = name + "_" + std::to_string(id);
    if (options_.hostile_every > 0 &&
        users_inserted_ % static_cast<std::uint64_t>(options_.hostile_every) ==
            3 % static_cast<std::uint64_t>(options_.hostile_every)) {
      username =
          kHostileValues[(users_inserted_ / static_cast<std::uint64_t>(options_.hostile_every)) %
                         std::size(kHostileValues)];
    }
    return {std::to_string(id), username, "s3cr3t-" + std::to_string(Uniform(1000000)),
            name + "." + std::to_string(id) + "@example.com", Timestamp()};
  }
  if (table.name == "orders") {
    std::optional<std::string> note;
    if (Uniform(10) < 6) note = kNotes[Uniform(std::size(kNotes))];
    return {std::to_string(id),
            std::to_string(1 + Uniform(1000)),
            std::to_string(Uniform(100000)) + "." + std::to_string(10 + Uniform(90)),
            std::to_string(1 + Uniform(4)),
            std::to_string(1 + Uniform(40000)),
            note,
            Timestamp()};
  }
  std::string content = RandomBytes(Uniform(48));
  return {std::to_string(id),
          name + "-report-" + std::to_string(id) + ".pdf",
          RandomBytes(16),
          Uniform(5) == 0 ? std::nullopt : std::optional<std::string>(content),
          "{\"owner\": \"" + name +
              "\", \"tags\": [\"a\", \"b\"], \"v\": " + std::to_string(Uniform(100)) + "}",
          std::to_string(Uniform(1u << 30))};
}

void FeedGenerator::Mutate(Table& table, SimRow& row) {
  if (table.name == "users") {
    if (Uniform(2) == 0) {
      row[3] = "changed." + std::to_string(Uniform(100000)) + "@example.com";
    } else {
      row[2] = "s3cr3t-" + std::to_string(Uniform(1000000));
    }
  } else if (table.name == "orders") {
    row[3] = std::to_string(1 + Uniform(4));
    if (Uniform(2) == 0) row[2] = std::to_string(Uniform(100000)) + ".00";
  } else {
    row[3] = RandomBytes(Uniform(48));
    row[4] = "{\"owner\": \"updated\", \"v\": " + std::to_string(Uniform(100)) + "}";
  }
}

SimMessage FeedGenerator::MakeDml(Table& table, const char* type, SimRow data,
                                  std::optional<SimRow> old, std::uint64_t commit_ts) {
  SimDml dml{.database = kDatabase,
             .table = table.name,
             .pk_names = table.pk_names,
             .type = type,
             .commit_ts = commit_ts,
             .ts_ms = options_.now_ms(),
             .columns = &table.columns,
             .mysql_type_order = {},
             .data = std::move(data),
             .old = std::move(old)};
  dml.mysql_type_order.resize(table.columns.size());
  std::iota(dml.mysql_type_order.begin(), dml.mysql_type_order.end(), std::size_t{0});
  for (std::size_t i = dml.mysql_type_order.size(); i > 1; --i) {
    std::swap(dml.mysql_type_order[i - 1], dml.mysql_type_order[Uniform(i)]);
  }
  SimMessage m;
  m.kind = SimMessage::Kind::kDml;
  m.partition = TablePartition(kDatabase, table.name, options_.partitions);
  m.value = EncodeCanalDml(dml);
  m.database = kDatabase;
  m.table = table.name;
  m.op = type[0] == 'I' ? "insert" : type[0] == 'U' ? "update" : "delete";
  return m;
}

SimMessage FeedGenerator::NextDdl() {
  struct Ddl {
    const char* table;
    const char* type;
    const char* sql;
  };
  static constexpr Ddl kDdls[] = {
      {"orders", "CINDEX", "CREATE INDEX `idx_status` ON `appdb`.`orders` (`status`)"},
      {"orders", "DINDEX", "DROP INDEX `idx_status` ON `appdb`.`orders`"},
      {"files", "ALTER", "ALTER TABLE `appdb`.`files` COMMENT = 'simulated <ddl> & co'"},
  };
  const Ddl& ddl = kDdls[ddl_count_++ % std::size(kDdls)];
  SimMessage m;
  m.kind = SimMessage::Kind::kDdl;
  m.partition = 0;  // canal-json DDL always goes to partition 0
  m.value = EncodeCanalDdl(kDatabase, ddl.table, ddl.type, ddl.sql, NextTso(), options_.now_ms());
  m.database = kDatabase;
  m.table = ddl.table;
  m.op = "ddl";
  return m;
}

std::vector<SimMessage> FeedGenerator::NextTransaction() {
  ++transactions_;
  if (options_.ddl_every > 0 &&
      transactions_ % static_cast<std::uint64_t>(options_.ddl_every) == 0) {
    return {NextDdl()};
  }
  Table& table = tables_[Uniform(tables_.size())];
  const std::uint64_t commit_ts = NextTso();
  const std::size_t rows = 1 + Uniform(3);
  std::vector<SimMessage> out;
  std::set<std::size_t> touched;  // a transaction changes each row at most once
  for (std::size_t r = 0; r < rows; ++r) {
    const std::uint64_t dice = Uniform(100);
    const bool full = table.live.size() >= options_.max_live_rows;
    const bool can_touch = table.live.size() > touched.size();
    std::size_t pick = table.live.empty() ? 0 : Uniform(table.live.size());
    while (can_touch && touched.count(pick) != 0) pick = (pick + 1) % table.live.size();
    if (!can_touch || (!full && dice >= static_cast<std::uint64_t>(options_.update_percent +
                                                                   options_.delete_percent))) {
      SimRow row = NewRow(table);
      table.live.push_back(row);
      touched.insert(table.live.size() - 1);
      out.push_back(MakeDml(table, "INSERT", std::move(row), std::nullopt, commit_ts));
    } else if (!full && dice < static_cast<std::uint64_t>(options_.update_percent)) {
      SimRow before = table.live[pick];
      Mutate(table, table.live[pick]);
      touched.insert(pick);
      out.push_back(MakeDml(table, "UPDATE", table.live[pick], std::move(before), commit_ts));
    } else {
      SimRow gone = std::move(table.live[pick]);
      table.live.erase(table.live.begin() + static_cast<std::ptrdiff_t>(pick));
      // Indexes above `pick` shifted down by one.
      std::set<std::size_t> shifted;
      for (std::size_t t : touched) shifted.insert(t > pick ? t - 1 : t);
      touched = std::move(shifted);
      out.push_back(MakeDml(table, "DELETE", std::move(gone), std::nullopt, commit_ts));
    }
  }
  return out;
}

std::vector<SimMessage> FeedGenerator::Watermarks() {
  const std::uint64_t ts = NextTso();
  std::vector<SimMessage> out;
  for (std::int32_t p = 0; p < options_.partitions; ++p) {
    SimMessage m;
    m.kind = SimMessage::Kind::kWatermark;
    m.partition = p;
    m.value = EncodeCanalWatermark(ts, options_.now_ms());
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace cdc
