// Library errors name the field they are about (Error::where.field: "streams", "shard"), never a
// flag; the CLI says them with the flag that sets that field, so that a user reads the spelling
// they typed:
//
//   Error said = NameFlag(result.error(), LibraryFieldFlags());   // main.cc, once for every
//   command
//   // "streams: values must be in [1, 4096]" -> "--streams values must be in [1, 4096]"
#pragma once

#include <span>
#include <string_view>

#include "core/error.h"
#include "core/result.h"

namespace rwttt::cli {

// A library field and the flag that sets it.
struct FieldFlag {
  std::string_view field;
  std::string_view flag;
};

// `error` with its field, when `flags` lists it, said as the flag: the message becomes
// "FLAG MESSAGE" and the field is cleared. Any other error (one in a file, or of a field no flag
// sets) is returned as is.
Error NameFlag(Error error, std::span<const FieldFlag> flags);

// Every library field a flag sets (the same flag in every command that has it): the table
// main.cc says a command's error with.
std::span<const FieldFlag> LibraryFieldFlags();

}  // namespace rwttt::cli
