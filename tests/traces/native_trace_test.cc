#include "traces/native_trace.h"

#include <gtest/gtest.h>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

std::string ErrorOf(const std::string& contents) {
  testing::TempDir dir;
  const std::string path = dir.Write("t.jsonl", contents);
  Result<std::vector<Request>> t = ReadTrace(path);
  if (t.ok()) return "ok";
  std::string message = t.error().ToString();
  return message.substr(message.find("t.jsonl"));
}

TEST(NativeTrace, ReadsRequestsSkippingBlankLinesWithCrlf) {
  testing::TempDir dir;
  const auto path =
      dir.Write("t.jsonl",
                "{\"id\":3,\"arrival_ns\":5,\"prompt_tokens\":10,\"output_tokens\":2}\r\n\r\n"
                "{\"arrival_ns\":5,\"id\":4,\"prompt_tokens\":1,\"output_tokens\":0,\"seed\":9}");
  auto t = ReadTrace(path);
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0], (Request{OwnerId{3}, Nanos{5}, 10, 2, {}}));
  EXPECT_EQ((*t)[1], (Request{OwnerId{4}, Nanos{5}, 1, 0, Seed{9}}));
}

TEST(NativeTrace, BadLinesNameFileLineAndField) {
  const std::string ok1 = R"({"id":0,"arrival_ns":10,"prompt_tokens":1,"output_tokens":1})";
  EXPECT_EQ(ErrorOf(ok1 + "\n{\"id\":1,\"arrival_ns\":20,\"prompt_tokens\":1}\n"),
            "t.jsonl:2: output_tokens: missing required field");
  EXPECT_EQ(
      ErrorOf(ok1 + "\n{\"id\":1,\"arrival_ns\":20,\"prompt_tokens\":-1,\"output_tokens\":1}"),
      "t.jsonl:2: prompt_tokens: must not be negative, found -1");
  EXPECT_EQ(
      ErrorOf(ok1 + "\n{\"id\":1,\"arrival_ns\":\"x\",\"prompt_tokens\":1,\"output_tokens\":1}"),
      "t.jsonl:2: arrival_ns: expected a non-negative integer, found a string");
  EXPECT_EQ(ErrorOf(ok1 + "\n" + ok1 + "\n"), "t.jsonl:2: id: duplicate request id 0");
  EXPECT_EQ(ErrorOf(ok1 + "\n{\"id\":1,\"arrival_ns\":9,\"prompt_tokens\":1,\"output_tokens\":1}"),
            "t.jsonl:2: arrival_ns: arrival 9 ns is earlier than line 1's 10 ns: a trace must be "
            "sorted by arrival_ns (docs/formats.md#trace)");
  EXPECT_EQ(ErrorOf(ok1 + "\nnot json\n"), "t.jsonl:2: expected a JSON object");
  EXPECT_EQ(ErrorOf("[1,2]\n"), "t.jsonl:1: expected a JSON object");
  EXPECT_EQ(ErrorOf(""), "t.jsonl: the trace has no requests");
  EXPECT_EQ(ErrorOf("{\"id\":0,\"arrival_ns\":1,\"prompt_tokens\":1,\"output_tokens\":1,\"x\":1}"),
            "t.jsonl:1: x: unknown field (see docs/formats.md#trace)");
  EXPECT_EQ(ErrorOf("{\"id\":0,\"arrival_ns\":1,\"prompt_tokens\":1,\"output_tokens\":1} x")
                .substr(0, 36),
            "t.jsonl:1: not a valid JSON object (");
}

TEST(NativeTrace, TruncatedLastLineIsAnError) {
  EXPECT_NE(ErrorOf("{\"id\":0,\"arrival_ns\":1,\"prompt_tok").find("t.jsonl:1"),
            std::string::npos);
}

}  // namespace
}  // namespace rwttt
