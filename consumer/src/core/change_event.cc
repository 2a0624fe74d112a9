#include "core/change_event.h"

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

}  // namespace cdc
