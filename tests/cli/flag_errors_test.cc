// Library errors name a field; the CLI says them with its flag (cli/flag_errors.h), so that the
// messages users read stay the ones they always were.
#include "cli/flag_errors.h"

#include <gtest/gtest.h>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using cli::FieldFlag;
using cli::NameFlag;

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

TEST(NameFlag, SaysFieldsQuotedInTheMessageWithTheirFlags) {
  const Error two{ErrorCode::kUsage, "`streams` at `budget_gib` and `streams` again: `chunks`", {}};
  EXPECT_EQ(NameFlag(two, kFlags).ToString(),
            "--streams at --budget and --streams again: `chunks`");
  // Inside a file's error too (a hint to give a flag), where the file and line stay.
  const Error in_file{ErrorCode::kInvalidInput, "give `budget_gib` 2", {"t.csv", 1, ""}};
  EXPECT_EQ(NameFlag(in_file, kFlags).ToString(), "t.csv:1: give --budget 2");
  // Unquoted, a field's name is a word like any other.
  EXPECT_EQ(NameFlag(Error::Usage("streams and budget_gib"), kFlags).ToString(),
            "streams and budget_gib");
}

TEST(LibraryFieldFlags, SaysEveryLibraryFieldWithItsFlag) {
  const std::pair<const char*, const char*> expected[] = {
      {"streams", "--streams x"},
      {"chunks", "--chunks x"},
      {"budget_gib", "--budget x"},
      {"prompt_tokens and output_tokens", "--prompt and --output x"},
      {"shard", "--shard x"},
      {"policy_options", "--policy-opt x"},
      {"faults", "--inject x"},
      {"count", "--count x"},
      {"duration_s", "--duration x"},
      {"rate_per_s", "--rate x"},
      {"cv", "--cv x"},
      {"sample_fraction", "--sample x"},
      {"time_scale", "--time-scale x"},
      {"window", "--window x"},
      {"skip_bad_rows", "--skip-bad-rows x"},
      {"format", "--format x"},
      {"repeats", "--repeats x"},
      {"memory_gib", "--memory x"}};
  for (const auto& [field, said] : expected) {
    EXPECT_EQ(NameFlag(Error{ErrorCode::kUsage, "x", {"", 0, field}}, cli::LibraryFieldFlags())
                  .ToString(),
              said);
  }
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

TEST(FlagErrors, PolicyOptionValuesAreSaidWithPolicyOpt) {
  testing::TempDir dir;
  const std::string trace =
      dir.Write("t.jsonl", "{\"id\":0,\"arrival_ns\":0,\"prompt_tokens\":4,\"output_tokens\":2}\n");
  const auto replay = testing::RunCli(
      {"replay", trace, "--model", "tiny", "--policy", "rwttt", "--policy-opt", "max_batch=many"});
  EXPECT_EQ(replay.exit_code, 2);
  EXPECT_EQ(replay.err,
            "rwttt: error: --policy-opt max_batch=many: expected an integer in [0, "
            "18446744073709551615]\n");
  const auto fuzz = testing::RunCli({"fuzz", "--policy", "rwttt", "--policy-opt", "prefer=newest",
                                     "--iterations", "1", "--out", dir.File("failures")});
  EXPECT_EQ(fuzz.exit_code, 2);
  EXPECT_EQ(fuzz.err,
            "rwttt: error: --policy-opt prefer=newest: expected one of oldest, largest\n");
}

TEST(FlagErrors, FaultPlansAreSaidWithInject) {
  testing::TempDir dir;
  const std::string trace =
      dir.Write("t.jsonl", "{\"id\":0,\"arrival_ns\":0,\"prompt_tokens\":4,\"output_tokens\":2}\n");
  const auto kind = testing::RunCli({"replay", trace, "--model", "tiny", "--inject", "torn@2"});
  EXPECT_EQ(kind.exit_code, 2);
  EXPECT_EQ(kind.err,
            "rwttt: error: --inject 'torn@2': unknown fault kind (known: stale-read, "
            "uncommitted-read, lost-update, cross-owner-write, early-write, duplicate-step, "
            "torn-state, base-commit, base-read, stale-restore, restore-held)\n");
  const auto rate =
      testing::RunCli({"fuzz", "--model", "tiny", "--inject", "torn-state@2", "--iterations", "1"});
  EXPECT_EQ(rate.exit_code, 2);
  EXPECT_EQ(rate.err, "rwttt: error: --inject 'torn-state@2': RATE must be a number in (0, 1]\n");
}

}  // namespace
}  // namespace rwttt
