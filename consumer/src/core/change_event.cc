#include "core/change_event.h"

#include "core/short_text.h"

namespace cdc {

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kInsert:
      return "insert";
    case Op::kUpdate:
      return "update";
    case Op::kDelete:
      return "delete";
    case Op::kDdl:
      return "ddl";
  }
  return "unknown";
}

const ColumnValue* FindColumn(const Row& row, std::string_view name) {
  for (const ColumnValue& column : row) {
    if (SameShortText(column.name, name)) return &column;
  }
  return nullptr;
}

}  // namespace cdc
