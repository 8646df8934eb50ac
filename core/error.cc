#include "core/error.h"

namespace rwttt {

std::string Error::ToString() const {
  std::string out;
  if (!where.file.empty()) {
    out += where.file;
    if (where.line > 0) out.append(":").append(std::to_string(where.line));
    out.append(": ");
  } else if (where.line > 0) {
    out.append("line ").append(std::to_string(where.line)).append(": ");
  }
  if (!where.field.empty()) out.append(where.field).append(": ");
  out += message;
  return out;
}

}  // namespace rwttt
