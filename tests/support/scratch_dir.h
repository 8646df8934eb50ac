// A test fixture that runs each test inside a fresh scratch directory, so that the relative file
// names a header's example uses ("t.jsonl", "out.jsonl") are created and found there.
//
//   class HeaderExample : public testing::ScratchDirTest {};
//   TEST_F(HeaderExample, Writes) { dir_.Write("t.jsonl", "...");  /* "t.jsonl" is that file */ }
#pragma once

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/test_files.h"

namespace rwttt::testing {

// Makes dir_ the working directory for the test's body and restores the old one afterwards.
class ScratchDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    old_dir_ = std::filesystem::current_path();
    std::filesystem::current_path(dir_.path());
  }
  void TearDown() override { std::filesystem::current_path(old_dir_); }

  TempDir dir_;  // removed with its contents when the test ends
  std::filesystem::path old_dir_;
};

// The small native trace the header examples read as "t.jsonl": two requests, ids 0 and 1.
inline constexpr const char* kTwoRequestTrace =
    "{\"id\":0,\"arrival_ns\":0,\"prompt_tokens\":4,\"output_tokens\":2}\n"
    "{\"id\":1,\"arrival_ns\":10,\"prompt_tokens\":3,\"output_tokens\":1}\n";

}  // namespace rwttt::testing
