// Library errors name the fields they are about, never a flag: the one an error is about in
// Error::where.field ("streams", "shard"), others inline, quoted ("give exactly one of `count` and
// `duration_s`"). The CLI says them with the flags that set those fields, so that a user reads
// the spelling they typed:
//
//   Error said = NameFlag(result.error(), LibraryFieldFlags());   // main.cc, once for every
//   command
//   // "streams: values must be in [1, 4096]" -> "--streams values must be in [1, 4096]"
//   // "`rate_per_s` needs at least two requests" -> "--rate needs at least two requests"
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

// `error` said with flags: each "`field`" in its message that `flags` lists becomes the flag
// (in any error, one in a file included), and an error of a field `flags` lists that is not in a
// file becomes "FLAG MESSAGE" with the field cleared. Fields no flag sets are left as they are.
Error NameFlag(Error error, std::span<const FieldFlag> flags);

// Every library field a flag sets (the same flag in every command that has it): the table
// main.cc says a command's error with.
std::span<const FieldFlag> LibraryFieldFlags();

}  // namespace rwttt::cli
