// What every reader fuzz target shares: a private temporary directory (the process's working
// directory while it fuzzes) holding the one input file, and the two assertions each target makes.
//
//   const std::string path = rwttt::fuzz::WriteInput(data, size, "input.jsonl");
//   rwttt::fuzz::CheckOutcome(ReadTrace(path));  rwttt::fuzz::CheckWroteNothing();
//
// The assertions: a reader returns a value or an Error with a message (a crash, hang, leak or
// sanitizer report is libFuzzer's to catch), and it creates no file beside its input (the
// readers are given a relative path inside the temporary directory and nothing else).
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/check.h"

namespace rwttt::fuzz {

// The temporary directory, created (and made the working directory) on first use, removed with
// its input file at exit.
inline const std::string& TempDir() {
  static const std::string dir = [] {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/rwttt-fuzz-XXXXXX";
    RWTTT_CHECK(mkdtemp(templ.data()) != nullptr) << "mkdtemp " << templ;
    RWTTT_CHECK(chdir(templ.c_str()) == 0) << "chdir " << templ;
    return templ;
  }();
  return dir;
}

inline std::string& InputName() {
  static std::string name;
  return name;
}

inline void RemoveTempDir() {
  if (!InputName().empty()) std::remove((TempDir() + "/" + InputName()).c_str());
  rmdir(TempDir().c_str());
}

// Writes the fuzzer's bytes to `name` (the suffix picks the reader's decompression) in the
// temporary directory and returns the relative path to hand to the reader.
inline std::string WriteInput(const std::uint8_t* data, std::size_t size, const char* name) {
  static const bool registered = [] {
    TempDir();
    std::atexit(RemoveTempDir);
    return true;
  }();
  (void)registered;
  InputName() = name;
  std::FILE* f = std::fopen(name, "wb");
  RWTTT_CHECK(f != nullptr) << "cannot write " << name << " in " << TempDir();
  RWTTT_CHECK(size == 0 || std::fwrite(data, 1, size, f) == size) << "short write";
  RWTTT_CHECK(std::fclose(f) == 0) << "cannot close " << name;
  return name;
}

// A Result or Status: either a value, or an Error that says what is wrong.
template <typename R>
void CheckOutcome(const R& r) {
  if (!r.ok()) {
    RWTTT_CHECK(!r.error().message.empty()) << "an Error without a message";
  }
}

// Nothing but the input file in the temporary directory.
inline void CheckWroteNothing() {
  DIR* dir = opendir(".");
  RWTTT_CHECK(dir != nullptr) << "cannot list " << TempDir();
  while (const dirent* e = readdir(dir)) {
    const std::string n = e->d_name;
    RWTTT_CHECK(n == "." || n == ".." || n == InputName())
        << "the reader created " << TempDir() << "/" << n;
  }
  closedir(dir);
}

}  // namespace rwttt::fuzz
