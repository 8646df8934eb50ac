// Error values for bad input: a code, a message, and where in the input the problem is.
//
//   Error err = Error::Input("field must be a non-negative integer",
//                            {path, line, "prompt_tokens"});  // a Result<T> takes it as it is
//   std::cerr << err.ToString();  // "t.jsonl:3: prompt_tokens: field must be ..."
//
// Libraries never throw or exit on bad input; they return an Error inside a Result (core/result.h)
// and only cli/ turns it into a message and exit code 2.
#pragma once

#include <cstdint>
#include <string>

namespace rwttt {

// Where a problem was found. Every member is optional: an empty file, line 0 or an empty field
// means "not known" and is left out of the rendered message.
struct SourceLoc {
  std::string file;
  std::int64_t line = 0;
  std::string field;
};

enum class ErrorCode {
  kInvalidInput,  // a file or value the user gave is malformed or impossible
  kUsage,         // a flag or argument combination that cannot work
  kIo,            // a file could not be opened, read or written
  kUnavailable,   // a requested resource (a device, a backend) is absent
};

struct Error {
  ErrorCode code = ErrorCode::kInvalidInput;
  std::string message;
  SourceLoc where;

  static Error Input(std::string message, SourceLoc where = {}) {
    return {ErrorCode::kInvalidInput, std::move(message), std::move(where)};
  }
  static Error Usage(std::string message) { return {ErrorCode::kUsage, std::move(message), {}}; }
  static Error Io(std::string message, SourceLoc where = {}) {
    return {ErrorCode::kIo, std::move(message), std::move(where)};
  }
  static Error Unavailable(std::string message) {
    return {ErrorCode::kUnavailable, std::move(message), {}};
  }

  // One line: "file:line: field: message", leaving out the parts that are unknown.
  std::string ToString() const;
};

}  // namespace rwttt
