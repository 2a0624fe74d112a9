#include "local/canal_json_writer.h"

#include <array>
#include <charconv>

#include "sink/sqlite/json_text.h"

namespace cdc {
namespace {

void AppendValue(std::string& out, const SimColumn& column, const std::optional<std::string>& v) {
  if (!v) {
    out += "null";
  } else if (column.is_binary) {
    AppendJsonString(out, Iso88591ToUtf8(*v));
  } else {
    AppendJsonString(out, *v);
  }
}

void AppendRow(std::string& out, const std::vector<SimColumn>& columns, const SimRow& row) {
  out += "[{";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, columns[i].name);
    out += ':';
    AppendValue(out, columns[i], row[i]);
  }
  out += "}]";
}

std::array<std::uint32_t, 256> MakeCrcTable() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

std::uint32_t Crc32Update(std::uint32_t crc, std::string_view bytes) {
  static const std::array<std::uint32_t, 256> kTable = MakeCrcTable();
  for (const char ch : bytes) {
    crc = kTable[(crc ^ static_cast<unsigned char>(ch)) & 0xffu] ^ (crc >> 8);
  }
  return crc;
}

}  // namespace

std::string Iso88591ToUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char ch : bytes) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
    } else {
      out.push_back(static_cast<char>(0xc0 | (b >> 6)));
      out.push_back(static_cast<char>(0x80 | (b & 0x3f)));
    }
  }
  return out;
}

int UnsignedSqlType(std::string_view mysql_type, int sql_type, std::string_view value) {
  unsigned long long v = 0;
  if (std::from_chars(value.data(), value.data() + value.size(), v).ec != std::errc()) {
    return sql_type;
  }
  if (mysql_type.starts_with("tinyint") && v > 127) return 5;
  if (mysql_type.starts_with("smallint") && v > 32767) return 4;
  if (mysql_type.starts_with("int") && v > 2147483647ULL) return -5;
  if (mysql_type.starts_with("bigint") && v > 9223372036854775807ULL) return 3;
  return sql_type;
}

std::string EncodeCanalDml(const SimDml& dml) {
  const std::vector<SimColumn>& columns = *dml.columns;
  std::string out;
  out.reserve(512);
  out += "{\"id\":0,\"database\":";
  AppendJsonString(out, dml.database);
  out += ",\"table\":";
  AppendJsonString(out, dml.table);
  out += ",\"pkNames\":[";
  for (std::size_t i = 0; i < dml.pk_names.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, dml.pk_names[i]);
  }
  out += "],\"isDdl\":false,\"type\":";
  AppendJsonString(out, dml.type);
  out += ",\"es\":" + std::to_string(dml.commit_ts >> 18);
  out += ",\"ts\":" + std::to_string(dml.ts_ms);
  out += ",\"sql\":\"\",\"sqlType\":{";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, columns[i].name);
    int type = columns[i].sql_type;
    // Promotion looks at the new row's value; NULL is never promoted.
    if (columns[i].is_unsigned && dml.data[i]) {
      type = UnsignedSqlType(columns[i].mysql_type, type, *dml.data[i]);
    }
    out += ':' + std::to_string(type);
  }
  out += "},\"mysqlType\":{";
  for (std::size_t k = 0; k < dml.mysql_type_order.size(); ++k) {
    const SimColumn& column = columns[dml.mysql_type_order[k]];
    if (k > 0) out += ',';
    AppendJsonString(out, column.name);
    out += ':';
    AppendJsonString(out, column.mysql_type);
  }
  out += "},\"old\":";
  if (dml.old) {
    AppendRow(out, columns, *dml.old);
  } else {
    out += "null";
  }
  out += ",\"data\":";
  AppendRow(out, columns, dml.data);
  out += ",\"_tidb\":{\"commitTs\":" + std::to_string(dml.commit_ts) + "}}\r\n";
  return out;
}

std::string EncodeCanalDdl(std::string_view database, std::string_view table,
                           std::string_view ddl_type, std::string_view sql, std::uint64_t commit_ts,
                           std::int64_t ts_ms) {
  std::string out = "{\"id\":0,\"database\":";
  AppendJsonString(out, database);
  out += ",\"table\":";
  AppendJsonString(out, table);
  out += ",\"pkNames\":null,\"isDdl\":true,\"type\":";
  AppendJsonString(out, ddl_type);
  out += ",\"es\":" + std::to_string(commit_ts >> 18) + ",\"ts\":" + std::to_string(ts_ms);
  out += ",\"sql\":";
  AppendJsonString(out, sql);
  out +=
      ",\"sqlType\":null,\"mysqlType\":null,\"data\":null,\"old\":null,\"_tidb\":{\"commitTs\":" +
      std::to_string(commit_ts) + "}}";
  return out;
}

std::string EncodeCanalWatermark(std::uint64_t watermark_ts, std::int64_t ts_ms) {
  return "{\"id\":0,\"database\":\"\",\"table\":\"\",\"pkNames\":null,\"isDdl\":false,"
         "\"type\":\"TIDB_WATERMARK\",\"es\":" +
         std::to_string(watermark_ts >> 18) + ",\"ts\":" + std::to_string(ts_ms) +
         ",\"sql\":\"\",\"sqlType\":null,\"mysqlType\":null,\"data\":null,\"old\":null,"
         "\"_tidb\":{\"watermarkTs\":" +
         std::to_string(watermark_ts) + "}}";
}

std::int32_t TablePartition(std::string_view database, std::string_view table,
                            std::int32_t partitions) {
  if (partitions <= 1) return 0;
  std::uint32_t crc = 0xffffffffu;
  crc = Crc32Update(crc, database);
  crc = Crc32Update(crc, table);
  crc ^= 0xffffffffu;
  return static_cast<std::int32_t>(crc % static_cast<std::uint32_t>(partitions));
}

}  // namespace cdc
