// Result<T> and Status (core/result.h): values and errors, the macros that propagate them, and
// the rvalue value() that returns by value so that a temporary's contents cannot dangle.
#include "core/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace rwttt {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return Error::Input("odd", {"f.jsonl", 3, "n"});
  return n / 2;
}

Result<int> Quarter(int n) {
  RWTTT_ASSIGN_OR_RETURN(int half, Half(n));
  return Half(half);
}

Status CheckEven(int n) {
  RWTTT_TRY(Half(n));
  return OkStatus();
}

TEST(Result, HoldsAValueOrAnError) {
  const Result<int> ok = Half(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value(), 4);
  EXPECT_EQ(*ok, 4);
  const Result<int> bad = Half(7);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(bad.error().ToString(), "f.jsonl:3: n: odd");
}

TEST(Result, MacrosPropagateTheFirstError) {
  EXPECT_EQ(Quarter(8).value(), 2);
  EXPECT_EQ(Quarter(6).error().message, "odd") << "6/2 = 3 is odd: the second Half fails";
  EXPECT_EQ(Quarter(5).error().where.line, 3);
  EXPECT_TRUE(CheckEven(2).ok());
  EXPECT_FALSE(CheckEven(3).ok());
}

TEST(Result, RvalueValueMovesOut) {
  auto make = [] { return Result<std::vector<std::string>>(std::vector<std::string>{"a", "b"}); };
  std::string joined;
  for (const std::string& s : make().value()) joined += s;  // safe: value() && returns by value
  EXPECT_EQ(joined, "ab");
  Result<std::unique_ptr<int>> owned(std::make_unique<int>(5));
  std::unique_ptr<int> taken = std::move(owned).value();
  EXPECT_EQ(*taken, 5);
}

TEST(Status, OkByDefaultAndCarriesItsError) {
  EXPECT_TRUE(OkStatus().ok());
  const Status s = Error::Usage("bad flag");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUsage);
  EXPECT_EQ(s.error().ToString(), "bad flag");
}

TEST(ResultDeathTest, ValueOfAnErrorIsABug) {
  EXPECT_DEATH((void)Half(7).value(), "value\\(\\) of an error: f.jsonl:3: n: odd");
  EXPECT_DEATH((void)Half(8).error(), "error\\(\\) of a value");
}

}  // namespace
}  // namespace rwttt
