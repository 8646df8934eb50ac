#include "cli/flag_errors.h"

#include <string>

namespace rwttt::cli {

Error NameFlag(Error error, std::span<const FieldFlag> flags) {
  if (!error.where.file.empty() || error.where.line != 0) return error;
  for (const FieldFlag& f : flags) {
    if (error.where.field != f.field) continue;
    error.message = std::string(f.flag) + " " + error.message;
    error.where.field.clear();
    break;
  }
  return error;
}

}  // namespace rwttt::cli
