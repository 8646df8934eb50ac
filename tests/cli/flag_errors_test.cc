// Library errors name a field; the CLI says them with its flag (cli/flag_errors.h), so that the
// messages users read stay the ones they always were.
#include "cli/flag_errors.h"

#include <gtest/gtest.h>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using cli::FieldFlag;
using cli::NameFlag;
using cli::NameFlags;

constexpr FieldFlag kFlags[] = {{"streams", "--streams"}, {"budget_gib", "--budget"}};

TEST(NameFlag, SaysAListedFieldWithItsFlag) {
  const Error e =
      NameFlag(Error{ErrorCode::kUsage, "must be at least 1", {"", 0, "streams"}}, kFlags);
  EXPECT_EQ(e.ToString(), "--streams must be at least 1");
  EXPECT_EQ(e.code, ErrorCode::kUsage);
  EXPECT_TRUE(e.where.field.empty());
}

TEST(NameFlag, LeavesOtherErrorsAlone) {
  const Error other{ErrorCode::kUsage, "bad", {"", 0, "chunks"}};
  EXPECT_EQ(NameFlag(other, kFlags).ToString(), "chunks: bad");
  const Error in_file{ErrorCode::kInvalidInput, "bad", {"m.json", 3, "streams"}};
  EXPECT_EQ(NameFlag(in_file, kFlags).ToString(), in_file.ToString());  // a file's field
  EXPECT_EQ(NameFlag(Error::Usage("plain"), kFlags).ToString(), "plain");
}

TEST(NameFlags, PassesValuesThrough) {
  EXPECT_EQ(NameFlags(Result<int>(7), kFlags).value(), 7);
  const Result<int> e =
      NameFlags(Result<int>(Error{ErrorCode::kUsage, "x", {"", 0, "budget_gib"}}), kFlags);
  EXPECT_EQ(e.error().ToString(), "--budget x");
}

TEST(FlagErrors, TheCliNamesItsFlagsExactlyAsBefore) {
  const auto shard = testing::RunCli({"fuzz", "--shard", "4/3"});
  EXPECT_EQ(shard.exit_code, 2);
  EXPECT_EQ(shard.err, "rwttt: error: --shard '4/3': expected K/N with 1 <= K <= N\n");
  const auto budget = testing::RunCli({"bench", "paper", "--budget", "1"});
  EXPECT_EQ(budget.exit_code, 2);
  EXPECT_NE(budget.err.find("exceed the --budget 1 GiB memory budget (1.000 GiB)"),
            std::string::npos)
      << budget.err;
}

}  // namespace
}  // namespace rwttt
