// Library errors name the field they are about (Error::where.field: "streams", "shard"), never a
// flag; the CLI says them with the flag that sets that field, so that a user reads the spelling
// they typed:
//
//   constexpr FieldFlag kFlags[] = {{"streams", "--streams"}, {"chunks", "--chunks"}};
//   RWTTT_ASSIGN_OR_RETURN(auto rows, NameFlags(RunSweep(o), kFlags));
//   // "streams: values must be in [1, 4096]" -> "--streams values must be in [1, 4096]"
#pragma once

#include <span>
#include <string_view>
#include <utility>

#include "core/error.h"
#include "core/result.h"

namespace rwttt::cli {

// A library field and the flag that sets it.
struct FieldFlag {
  std::string_view field;
  std::string_view flag;
};

// `error` with its field, when `flags` lists it, said as the flag: the message becomes
// "FLAG MESSAGE" and the field is cleared. Any other error is returned as is.
Error NameFlag(Error error, std::span<const FieldFlag> flags);

// The same for a Result: its value, or its error said with the flag.
template <typename T>
Result<T> NameFlags(Result<T> result, std::span<const FieldFlag> flags) {
  if (result.ok()) return result;
  return NameFlag(std::move(result).error(), flags);
}

}  // namespace rwttt::cli
