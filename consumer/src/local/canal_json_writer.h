#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cdc {

// One column of a simulated table, with the canal-json type codes TiCDC v6.5 would send.
struct SimColumn {
  std::string name;
  int sql_type = 12;         // Java SQL type (unsigned columns are promoted per value, below)
  std::string mysql_type;    // e.g. "varchar", "bigint unsigned", "blob"
  bool is_binary = false;    // value bytes are sent as ISO-8859-1 code points
  bool is_unsigned = false;  // sqlType depends on the value (ENT65 getJavaSQLType)
};

using SimRow = std::vector<std::optional<std::string>>;  // one value per column; nullopt = NULL

// One DML message as TiCDC v6.5 builds it (one row per message).
struct SimDml {
  std::string database;
  std::string table;
  std::vector<std::string> pk_names;
  std::string type;  // INSERT | UPDATE | DELETE
  std::uint64_t commit_ts = 0;
  std::int64_t ts_ms = 0;
  const std::vector<SimColumn>* columns = nullptr;
  // The order of mysqlType keys: TiCDC fills it from a Go map, so it is random per message.
  std::vector<std::size_t> mysql_type_order;
  SimRow data;                // the new row (INSERT/UPDATE) or the deleted row (DELETE)
  std::optional<SimRow> old;  // UPDATE: the full previous row
};

// The bytes TiCDC v6.5.0–6.5.11 puts in the Kafka value for a DML event with
// enable-tidb-extension=true: keys `id, database, table, pkNames, isDdl, type, es, ts, sql,
// sqlType, mysqlType, old, data, _tidb`, es = commitTs >> 18, easyjson escaping, the trailing
// "\r\n" terminator (tiflow#11707). Pure function, any thread.
std::string EncodeCanalDml(const SimDml& dml);

// A DDL message (goccy/go-json struct order `... sqlType, mysqlType, data, old, _tidb`), no
// terminator.
std::string EncodeCanalDdl(std::string_view database, std::string_view table,
                           std::string_view ddl_type, std::string_view sql, std::uint64_t commit_ts,
                           std::int64_t ts_ms);

// A TIDB_WATERMARK message, no terminator.
std::string EncodeCanalWatermark(std::uint64_t watermark_ts, std::int64_t ts_ms);

// Bytes → UTF-8 of the code points U+0000..U+00FF (how TiCDC sends binary and blob values).
std::string Iso88591ToUtf8(std::string_view bytes);

// The Java SQL type TiCDC reports for an unsigned integer column holding `value`.
int UnsignedSqlType(std::string_view mysql_type, int sql_type, std::string_view value);

// The partition TiCDC's table dispatcher picks: crc32-IEEE over schema then table (tiflow's
// PositionInertia hash), modulo the partition count.
std::int32_t TablePartition(std::string_view database, std::string_view table,
                            std::int32_t partitions);

}  // namespace cdc
