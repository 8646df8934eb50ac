// Exact parsing of imported text fields: integers, seconds and wall-clock times to nanoseconds.
#include "traces/import_fields.h"

#include <gtest/gtest.h>

#include "traces/csv.h"

namespace rwttt {
namespace {

template <typename T>
std::string ErrorOf(const Result<T>& r) {
  return r.ok() ? "ok" : r.error().ToString();
}

TEST(ImportFields, WallClockIsExactToTheHundredNanoseconds) {
  // The first row of the Azure 2023 conversation trace: 7 fractional digits, no zone.
  auto t = ParseWallClockNs("2023-11-16 18:15:46.6805900");
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  EXPECT_EQ(*t, 1700158546680590000);
  EXPECT_EQ(*ParseWallClockNs("2023-11-16 18:15:46.6805901") - *t, 100);
  EXPECT_EQ(*ParseWallClockNs("2023-11-16 18:15:46"), 1700158546000000000);
  EXPECT_EQ(*ParseWallClockNs("2023-11-16T18:15:46.680590001"), 1700158546680590001);
}

TEST(ImportFields, WallClockHonoursUtcOffsets) {
  // The 2024 traces write "+00:00"; other offsets move the instant.
  EXPECT_EQ(*ParseWallClockNs("2024-05-10 00:00:00.000000+00:00"), 1715299200000000000);
  EXPECT_EQ(*ParseWallClockNs("2024-05-10 00:00:00Z"), 1715299200000000000);
  EXPECT_EQ(*ParseWallClockNs("2024-05-10 02:00:00+02:00"), 1715299200000000000);
  EXPECT_EQ(*ParseWallClockNs("2024-05-09 22:30:00-0130"), 1715299200000000000);
  EXPECT_EQ(*ParseWallClockNs("2024-02-29 23:59:59"), 1709251199000000000);
}

TEST(ImportFields, WallClockRejectsWhatIsNotATime) {
  EXPECT_EQ(ErrorOf(ParseWallClockNs("2023-02-29 00:00:00")),
            "no such date or time: \"2023-02-29 00:00:00\"");
  EXPECT_EQ(ErrorOf(ParseWallClockNs("2023-11-16 24:00:00")),
            "no such date or time: \"2023-11-16 24:00:00\"");
  const std::string expected =
      "expected a time YYYY-MM-DD HH:MM:SS.fffffff (an optional Z or +HH:MM offset), found ";
  EXPECT_EQ(ErrorOf(ParseWallClockNs("2023-11-16 18:15")), expected + "\"2023-11-16 18:15\"");
  EXPECT_EQ(ErrorOf(ParseWallClockNs("2023-11-16 18:15:46.")),
            expected + "\"2023-11-16 18:15:46.\"");
  EXPECT_EQ(ErrorOf(ParseWallClockNs("2023-11-16 18:15:46.1234567890")),
            expected + "\"2023-11-16 18:15:46.1234567890\"");
  EXPECT_EQ(ErrorOf(ParseWallClockNs("2023-11-16 18:15:46 ")),
            expected + "\"2023-11-16 18:15:46 \"");
  EXPECT_EQ(ErrorOf(ParseWallClockNs("")), expected + "\"\"");
  EXPECT_EQ(ErrorOf(ParseWallClockNs("1969-12-31 23:59:59")),
            "year outside 1970..2261: \"1969-12-31 23:59:59\"");
}

TEST(ImportFields, DecimalSecondsAreExact) {
  EXPECT_EQ(*ParseDecimalSecondsNs("0"), 0);
  EXPECT_EQ(*ParseDecimalSecondsNs("12.5"), 12'500'000'000);
  EXPECT_EQ(*ParseDecimalSecondsNs("0.000000001"), 1);
  // 0.1 + 0.2 style rounding cannot happen: 1.1 is exactly 1'100'000'000 ns.
  EXPECT_EQ(*ParseDecimalSecondsNs("1.1"), 1'100'000'000);
  EXPECT_NE(ErrorOf(ParseDecimalSecondsNs("-1")), "ok");
  EXPECT_NE(ErrorOf(ParseDecimalSecondsNs("1e3")), "ok");
  EXPECT_NE(ErrorOf(ParseDecimalSecondsNs("1.")), "ok");
  EXPECT_NE(ErrorOf(ParseDecimalSecondsNs(".5")), "ok");
  EXPECT_NE(ErrorOf(ParseDecimalSecondsNs("1.0000000001")), "ok");
  EXPECT_EQ(ErrorOf(ParseDecimalSecondsNs("99999999999999")),
            "seconds \"99999999999999\" are too large");
}

TEST(ImportFields, IntegersAndTokens) {
  EXPECT_EQ(*ParseUint("0"), 0u);
  EXPECT_EQ(*ParseUint("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(ErrorOf(ParseUint("18446744073709551616")),
            "integer \"18446744073709551616\" is too large");
  EXPECT_EQ(ErrorOf(ParseUint("-3")), "must not be negative, found \"-3\"");
  EXPECT_EQ(ErrorOf(ParseUint("12x")), "expected a non-negative integer, found \"12x\"");
  EXPECT_EQ(ErrorOf(ParseUint("")), "expected a non-negative integer, found \"\"");
  EXPECT_EQ(ErrorOf(ParseUint("+1")), "expected a non-negative integer, found \"+1\"");
  EXPECT_EQ(ErrorOf(ParseTokens("2147483648")),
            "2147483648 tokens is more than the 2147483647 supported");
  EXPECT_EQ(ErrorOf(InField(ParseTokens("x"), 7, "column 2 (ContextTokens)")),
            "line 7: column 2 (ContextTokens): expected a non-negative integer, found \"x\"");
}

std::vector<std::string> Split(std::string_view line) {
  std::vector<std::string_view> fields;
  std::string scratch;
  Status s = SplitCsvLine(line, 1, fields, scratch);
  if (!s.ok()) return {"error: " + s.error().ToString()};
  return {fields.begin(), fields.end()};
}

TEST(Csv, SplitsTrimsAndUnquotes) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Split("a,b,c"), (V{"a", "b", "c"}));
  EXPECT_EQ(Split(" a , b ,"), (V{"a", "b", ""}));
  EXPECT_EQ(Split(""), (V{""}));
  EXPECT_EQ(Split(R"(1,"GPT-4, big","say ""hi""",x)"), (V{"1", "GPT-4, big", "say \"hi\"", "x"}));
  EXPECT_EQ(Split(R"("a" , "")"), (V{"a", ""}));
  EXPECT_EQ(Split(R"(1,"open)"), (V{"error: line 1: column 2: unterminated quoted field"}));
  EXPECT_EQ(Split(R"(1,"a"b)"), (V{"error: line 1: column 2: text after the closing quote"}));
  EXPECT_EQ(Split(R"(1,a"b",2)"), (V{"error: line 1: column 2: a quote inside an unquoted field"}));
}

TEST(Csv, HeaderFindsColumnsByNameInAnyOrderAndCase) {
  auto h = CsvHeader::Parse("\xEF\xBB\xBFx, generatedtokens ,TIMESTAMP,ContextTokens",
                            {"TIMESTAMP", "ContextTokens", "GeneratedTokens"}, 1, "doc");
  ASSERT_TRUE(h.ok()) << h.error().ToString();
  EXPECT_EQ(h->width(), 4u);
  EXPECT_EQ(h->index(0), 2u);
  EXPECT_EQ(h->index(1), 3u);
  EXPECT_EQ(h->index(2), 1u);
  EXPECT_EQ(h->column(1), "column 4 (ContextTokens)");
  EXPECT_EQ(ErrorOf(CsvHeader::Parse("TIMESTAMP,ContextTokens",
                                     {"TIMESTAMP", "ContextTokens", "GeneratedTokens"}, 1, "doc")),
            "line 1: the header has no column 'GeneratedTokens': expected a first line with the "
            "columns TIMESTAMP,ContextTokens,GeneratedTokens (see doc)");
}

}  // namespace
}  // namespace rwttt
