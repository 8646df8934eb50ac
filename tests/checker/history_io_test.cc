// HistoryWriter and HistoryReader: round trips, and one clear error per kind of bad input.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <limits>

#include "checker/history_reader.h"
#include "checker/history_writer.h"
#include "core/output_file.h"
#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using testing::TempDir;

constexpr char kHeader[] =
    R"({"format":"rwttt-history","version":1,"policy":"rwttt","seed":7,"backend":"cpu",)"
    R"("trace":"t.jsonl","model":"tiny","hardware":"h100-sxm"})";
constexpr char kRead[] =
    R"({"step":0,"batch":0,"owner":3,"effect":"READ","version":0,"tokens":[0,8],"start_ns":0,)"
    R"("end_ns":1200,"slot":0,"seen_owner":3,"seen_version":0,"out_digest":"9f0c00000000abcd"})";
constexpr char kWrite[] =
    R"({"step":1,"batch":1,"owner":3,"effect":"WRITE","version":0,"tokens":[0,8],)"
    R"("start_ns":1200,"end_ns":2000,"slot":0,"seen_owner":3,"seen_version":0,"commit_slot":0,)"
    R"("commit_version":1,"state_digest":"00000000000000ff"})";

HistoryStep SampleWrite() {
  HistoryStep s;
  s.step = 1;
  s.batch = 1;
  s.owner = OwnerId{3};
  s.effect = Effect::kWrite;
  s.version = Version{0};
  s.first_token = 0;
  s.end_token = 8;
  s.start = Nanos{1200};
  s.end = Nanos{2000};
  s.slot = 0;
  s.seen_owner = OwnerId{3};
  s.seen_version = Version{0};
  s.commit_slot = 0;
  s.commit_version = Version{1};
  s.state_digest = 0xff;
  return s;
}

Result<std::vector<HistoryStep>> ReadAll(const std::string& path, HistoryHeader* header = nullptr) {
  RWTTT_ASSIGN_OR_RETURN(auto reader, HistoryReader::Open(path));
  if (header) *header = reader->header();
  std::vector<HistoryStep> steps;
  HistoryStep s;
  while (true) {
    RWTTT_ASSIGN_OR_RETURN(bool more, reader->Next(s));
    if (!more) break;
    steps.push_back(s);
  }
  return steps;
}

// The error message of reading `body` after a valid header, or "" when it reads.
std::string ErrorOf(const std::string& contents) {
  TempDir dir;
  auto r = ReadAll(dir.Write("h.jsonl", contents));
  if (r.ok()) return "";
  std::string m = r.error().ToString();
  return m.substr(m.find("h.jsonl"));
}

TEST(HistoryWriter, FormatsTheDesignExample) {
  HistoryStep s = SampleWrite();
  EXPECT_EQ(FormatHistoryStep(s), kWrite);
  HistoryHeader h{.policy = "rwttt",
                  .backend = "cpu",
                  .seed = 7,
                  .trace = "t.jsonl",
                  .model = "tiny",
                  .hardware = "h100-sxm",
                  .chunk = {},
                  .base_slot = {}};
  EXPECT_EQ(FormatHistoryHeader(h), kHeader);
  h.seed.reset();
  h.trace.reset();
  EXPECT_EQ(FormatHistoryHeader(h),
            R"({"format":"rwttt-history","version":1,"policy":"rwttt","seed":null,)"
            R"("backend":"cpu","trace":null,"model":"tiny","hardware":"h100-sxm"})");
  h.chunk = 8;  // optional; written only when known
  EXPECT_EQ(FormatHistoryHeader(h),
            R"({"format":"rwttt-history","version":1,"policy":"rwttt","seed":null,)"
            R"("backend":"cpu","trace":null,"model":"tiny","hardware":"h100-sxm","chunk":8})");
}

// The longest lines the writer can produce, every number at its type's extreme, against the same
// lines formatted independently (fmt with one format string each).
TEST(HistoryWriter, LongestLinesMatchAnIndependentFormatting) {
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  HistoryStep w = SampleWrite();
  w.step = w.first_token = w.end_token = w.slot = *(w.batch = kMax);
  w.owner = w.seen_owner = OwnerId{kMax};
  w.version = w.seen_version = *(w.commit_version = Version{kMax});
  w.commit_slot = kMax;
  w.start = w.end = Nanos{kMin};
  w.state_digest = kMax;
  const std::string write = FormatHistoryStep(w);
  EXPECT_EQ(write, fmt::format(R"({{"step":{0},"batch":{0},"owner":{0},"effect":"WRITE",)"
                               R"("version":{0},"tokens":[{0},{0}],"start_ns":{1},"end_ns":{1},)"
                               R"("slot":{0},"seen_owner":{0},"seen_version":{0},)"
                               R"("commit_slot":{0},"commit_version":{0},)"
                               R"("state_digest":"ffffffffffffffff"}})",
                               kMax, kMin));
  EXPECT_EQ(write.size(), 455u);  // 13 numbers of 20 characters and 195 others
  HistoryStep r = w;
  r.effect = Effect::kRead;
  r.out_digest = 0x0123456789abcdefULL;
  EXPECT_EQ(FormatHistoryStep(r),
            fmt::format(R"({{"step":{0},"batch":{0},"owner":{0},"effect":"READ",)"
                        R"("version":{0},"tokens":[{0},{0}],"start_ns":{1},"end_ns":{1},)"
                        R"("slot":{0},"seen_owner":{0},"seen_version":{0},)"
                        R"("out_digest":"0123456789abcdef"}})",
                        kMax, kMin));
  const HistoryStep move =
      HistoryMove(kMax, OwnerId{kMax}, Version{kMax}, kMax, kMax, Nanos{kMin}, Nanos{kMin});
  EXPECT_EQ(FormatHistoryStep(move),
            fmt::format(R"({{"move":{0},"owner":{0},"from_slot":{0},"to_slot":{0},)"
                        R"("start_ns":{1},"end_ns":{1},"seen_owner":{0},"seen_version":{0}}})",
                        kMax, kMin));
}

TEST(HistoryWriter, RoundTripsThroughTheReaderCompressedOrNot) {
  for (const char* name : {"h.jsonl", "h.jsonl.zst"}) {
    TempDir dir;
    const std::string path = dir.File(name);
    HistoryHeader h{.policy = "naive",
                    .backend = "omp",
                    .seed = {},
                    .trace = {},
                    .model = "tiny",
                    .hardware = {},
                    .chunk = 4,
                    .base_slot = {}};
    auto writer = HistoryWriter::Create(path, h);
    ASSERT_TRUE(writer.ok());
    HistoryStep w = SampleWrite();
    HistoryStep r = w;
    r.step = 0;
    r.effect = Effect::kRead;
    r.commit_slot.reset();
    r.commit_version.reset();
    r.state_digest.reset();
    r.out_digest = 0x0123456789abcdefULL;
    r.batch.reset();
    (*writer)->Write(r);
    (*writer)->Write(w);
    ASSERT_TRUE((*writer)->Commit().ok());
    HistoryHeader back;
    auto steps = ReadAll(path, &back);
    ASSERT_TRUE(steps.ok()) << steps.error().ToString();
    EXPECT_EQ(back.policy, "naive");
    EXPECT_FALSE(back.seed.has_value());
    EXPECT_EQ(back.model, std::optional<std::string>("tiny"));
    EXPECT_EQ(back.chunk, std::optional<std::uint32_t>(4));
    ASSERT_EQ(steps->size(), 2u);
    EXPECT_EQ(FormatHistoryStep((*steps)[0]), FormatHistoryStep(r));
    EXPECT_EQ(FormatHistoryStep((*steps)[1]), FormatHistoryStep(w));
  }
}

TEST(HistoryReader, ReadsCrlfBlankLinesAndIgnoresUnknownFields) {
  std::string write = kWrite;
  write.insert(1, R"("x_debug":{"a":[1,2]},)");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + "\r\n\r\n" + kRead + "\r\n" + write), "");
}

TEST(HistoryReader, RejectsEmptyFile) {
  EXPECT_NE(ErrorOf("").find("empty history"), std::string::npos) << ErrorOf("");
}

TEST(HistoryReader, RejectsUnknownFormatAndVersion) {
  EXPECT_EQ(ErrorOf(R"({"format":"jepsen","version":1})"
                    "\n"),
            "h.jsonl:1: format: unknown format \"jepsen\": expected \"rwttt-history\" (see "
            "docs/checker.md#history-format-v1)");
  EXPECT_EQ(ErrorOf(R"({"format":"rwttt-history","version":2})"
                    "\n"),
            "h.jsonl:1: version: unsupported history version 2: this rwttt reads version 1 (see "
            "docs/checker.md#history-format-v1)");
  EXPECT_NE(ErrorOf(std::string(kRead) + "\n").find("h.jsonl:1: format: missing required field"),
            std::string::npos);
}

TEST(HistoryReader, RejectsTruncatedLastLine) {
  const std::string contents =
      std::string(kHeader) + "\n" + kRead + "\n" + std::string(kWrite).substr(0, 40);
  EXPECT_NE(ErrorOf(contents).find("h.jsonl:3: the last line is incomplete"), std::string::npos)
      << ErrorOf(contents);
}

// A history whose header has one optional field, `field`, set to the JSON `value`.
std::string WithHeaderField(const std::string& field, const std::string& value) {
  return std::string(R"({"format":"rwttt-history","version":1,")") + field + "\":" + value + "}\n" +
         kRead + "\n";
}

TEST(HistoryReader, ReadsTheOptionalChunkAndRejectsAnImpossibleOne) {
  auto header = [](const std::string& chunk) { return WithHeaderField("chunk", chunk); };
  TempDir dir;
  HistoryHeader back;
  ASSERT_TRUE(ReadAll(dir.Write("h.jsonl", header("16")), &back).ok());
  EXPECT_EQ(back.chunk, std::optional<std::uint32_t>(16));
  ASSERT_TRUE(ReadAll(dir.Write("h.jsonl", header("null")), &back).ok());
  EXPECT_EQ(ErrorOf(header("0")),
            "h.jsonl:1: chunk: chunk must be 1 to 2147483647 tokens, found 0");
  EXPECT_EQ(ErrorOf(header("4294967296")),
            "h.jsonl:1: chunk: chunk must be 1 to 2147483647 tokens, found 4294967296");
  EXPECT_EQ(ErrorOf(header("-1")), "h.jsonl:1: chunk: must not be negative, found -1");
}

TEST(HistoryReader, ReadsAndWritesTheOptionalBaseSlot) {
  auto header = [](const std::string& base) { return WithHeaderField("base_slot", base); };
  TempDir dir;
  HistoryHeader back;
  ASSERT_TRUE(ReadAll(dir.Write("h.jsonl", header("18446744073709551615")), &back).ok());
  EXPECT_EQ(back.base_slot, std::optional<std::uint64_t>(UINT64_MAX));
  ASSERT_TRUE(ReadAll(dir.Write("h.jsonl", header("null")), &back).ok());
  EXPECT_FALSE(back.base_slot.has_value());
  EXPECT_EQ(ErrorOf(header("-1")), "h.jsonl:1: base_slot: must not be negative, found -1");
  EXPECT_NE(ErrorOf(header("\"7\"")).find("h.jsonl:1: base_slot:"), std::string::npos);
  // Written only when declared, after the chunk.
  HistoryHeader h;
  EXPECT_EQ(FormatHistoryHeader(h).find("base_slot"), std::string::npos);
  h.chunk = 4;
  h.base_slot = 9;
  EXPECT_NE(FormatHistoryHeader(h).find(R"("chunk":4,"base_slot":9})"), std::string::npos)
      << FormatHistoryHeader(h);
}

TEST(HistoryReader, RejectsLineThatIsNotJson) {
  const std::string e = ErrorOf(std::string(kHeader) + "\nhello\n" + kRead + "\n");
  EXPECT_EQ(e, "h.jsonl:2: expected a JSON object");
  const std::string e2 = ErrorOf(std::string(kHeader) + "\n{\"step\":}\n" + kRead + "\n");
  EXPECT_EQ(e2, "h.jsonl:2: step: expected a non-negative integer, found malformed JSON");
}

TEST(HistoryReader, RejectsWrongTypes) {
  std::string bad = kRead;
  bad.replace(bad.find(R"("owner":3)"), 9, R"("owner":"3")");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + "\n" + bad + "\n"),
            "h.jsonl:2: owner: expected a non-negative integer, found a string");
  bad = kRead;
  bad.replace(bad.find(R"("version":0)"), 11, R"("version":-1)");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + "\n" + bad + "\n"),
            "h.jsonl:2: version: must not be negative, found -1");
  bad = kRead;
  bad.replace(bad.find(R"("READ")"), 6, R"("read")");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + "\n" + bad + "\n"),
            "h.jsonl:2: effect: expected \"READ\" or \"WRITE\", found \"read\"");
  bad = kRead;
  bad.replace(bad.find("[0,8]"), 5, "[8,0]");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + "\n" + bad + "\n"),
            "h.jsonl:2: tokens: first token 8 is after end 0");
  bad = kRead;
  bad.replace(bad.find("9f0c"), 4, "zz0c");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + "\n" + bad + "\n"),
            "h.jsonl:2: out_digest: expected hex digits (0-9, a-f)");
}

TEST(HistoryReader, RejectsMissingRequiredField) {
  std::string bad = kRead;
  bad.erase(bad.find(R"("seen_version":0,)"), 17);
  EXPECT_EQ(ErrorOf(std::string(kHeader) + "\n" + bad + "\n"),
            "h.jsonl:2: seen_version: missing required field (see "
            "docs/checker.md#history-format-v1)");
  bad = kWrite;
  bad.erase(bad.find(R"("commit_version":1,)"), 19);
  EXPECT_EQ(ErrorOf(std::string(kHeader) + "\n" + bad + "\n"),
            "h.jsonl:2: commit_version: missing field required on a WRITE step (see "
            "docs/checker.md#history-format-v1)");
}

TEST(HistoryReader, RejectsWriteOnlyFieldOnRead) {
  std::string bad = kRead;
  bad.insert(bad.size() - 1, R"(,"commit_version":1)");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + "\n" + bad + "\n"),
            "h.jsonl:2: commit_version: only a WRITE step may have this field; this step is a "
            "READ");
}

TEST(HistoryReader, RejectsDuplicateFieldAndBackwardsInterval) {
  std::string bad = kRead;
  bad.insert(bad.size() - 1, R"(,"owner":4)");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + "\n" + bad + "\n"), "h.jsonl:2: owner: duplicate field");
  bad = kRead;
  bad.replace(bad.find(R"("end_ns":1200)"), 13, R"("end_ns":0000)");
  EXPECT_NE(ErrorOf(std::string(kHeader) + "\n" + bad + "\n"), "");
  bad = kRead;
  bad.replace(bad.find(R"("start_ns":0)"), 12, R"("start_ns":5000)");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + "\n" + bad + "\n"),
            "h.jsonl:2: end_ns: end_ns 1200 is before start_ns 5000");
}

// Moves (docs/checker.md#moves-a-host-tier): owner 3's state offloaded from slot 0 to host slot
// 2^31 after the WRITE, in the writer's field order.
constexpr char kMove[] =
    R"({"move":0,"owner":3,"from_slot":0,"to_slot":2147483648,"start_ns":2000,"end_ns":2100,)"
    R"("seen_owner":3,"seen_version":1})";

TEST(HistoryWriter, FormatsAMoveLine) {
  const HistoryStep m =
      HistoryMove(0, OwnerId{3}, Version{1}, 0, std::uint64_t{1} << 31, Nanos{2000}, Nanos{2100});
  EXPECT_EQ(FormatHistoryStep(m), kMove);
}

TEST(HistoryReader, RoundTripsAMoveBetweenSteps) {
  for (const char* name : {"h.jsonl", "h.jsonl.zst"}) {
    TempDir dir;
    const std::string path = dir.File(name);
    auto writer = HistoryWriter::Create(path, HistoryHeader{.policy = "rwttt",
                                                            .backend = "cpu",
                                                            .seed = 7,
                                                            .trace = {},
                                                            .model = "tiny",
                                                            .hardware = "h100-sxm",
                                                            .chunk = 8,
                                                            .base_slot = 4294967295u});
    ASSERT_TRUE(writer.ok());
    const HistoryStep offload =
        HistoryMove(0, OwnerId{3}, Version{1}, 0, std::uint64_t{1} << 31, Nanos{2000}, Nanos{2100});
    HistoryStep restore =
        HistoryMove(1, OwnerId{3}, Version{1}, std::uint64_t{1} << 31, 5, Nanos{2100}, Nanos{2200});
    restore.seen_owner = OwnerId{4};  // any stamp reads back as written
    (*writer)->Write(SampleWrite());
    (*writer)->Write(offload);
    (*writer)->Write(restore);
    ASSERT_TRUE((*writer)->Commit().ok());
    HistoryHeader back;
    auto steps = ReadAll(path, &back);
    ASSERT_TRUE(steps.ok()) << steps.error().ToString();
    EXPECT_EQ(back.base_slot, std::optional<std::uint64_t>(4294967295u));
    ASSERT_EQ(steps->size(), 3u);
    EXPECT_FALSE((*steps)[0].is_move());
    EXPECT_EQ(FormatHistoryStep((*steps)[0]), kWrite);
    const HistoryStep& m = (*steps)[1];
    ASSERT_TRUE(m.is_move());
    EXPECT_EQ(m.step, 0u);
    EXPECT_EQ(m.owner, OwnerId{3});
    EXPECT_EQ(m.slot, 0u);
    EXPECT_EQ(*m.moved_to, std::uint64_t{1} << 31);
    EXPECT_EQ(m.start, Nanos{2000});
    EXPECT_EQ(m.end, Nanos{2100});
    EXPECT_EQ(m.seen_owner, OwnerId{3});
    EXPECT_EQ(m.seen_version, Version{1});
    EXPECT_EQ(FormatHistoryStep(m), kMove);
    EXPECT_EQ(FormatHistoryStep((*steps)[2]), FormatHistoryStep(restore));
    EXPECT_EQ((*steps)[2].seen_owner, OwnerId{4});
  }
}

TEST(HistoryReader, ReadsAMoveInAnyFieldOrderIgnoringStepOnlyFields) {
  const std::string move =
      R"({"seen_version":1,"to_slot":5,"x_link":"c2c","batch":4,"effect":"WRITE",)"
      R"("commit_slot":9,"owner":3,"end_ns":2100,"from_slot":2147483648,"start_ns":2000,)"
      R"("seen_owner":3,"move":7})";
  TempDir dir;
  auto steps = ReadAll(dir.Write("h.jsonl", std::string(kHeader) + "\n" + kWrite + "\n" + move));
  ASSERT_TRUE(steps.ok()) << steps.error().ToString();
  ASSERT_EQ(steps->size(), 2u);
  const HistoryStep& m = (*steps)[1];
  ASSERT_TRUE(m.is_move());
  EXPECT_EQ(m.step, 7u);
  EXPECT_EQ(m.slot, std::uint64_t{1} << 31);
  EXPECT_EQ(*m.moved_to, 5u);
  EXPECT_FALSE(m.batch.has_value());
  EXPECT_FALSE(m.commit_slot.has_value());
}

TEST(HistoryReader, RejectsABadMoveNamingTheLineAndField) {
  const std::string head = std::string(kHeader) + "\n" + kWrite + "\n";
  std::string bad = kMove;
  bad.erase(bad.find(R"("to_slot":2147483648,)"), 21);
  EXPECT_EQ(ErrorOf(head + bad + "\n"),
            "h.jsonl:3: to_slot: missing field required on a move (see "
            "docs/checker.md#history-format-v1)");
  bad = kMove;
  bad.erase(bad.find(R"(,"seen_version":1)"), 17);
  EXPECT_EQ(ErrorOf(head + bad + "\n"),
            "h.jsonl:3: seen_version: missing field required on a move (see "
            "docs/checker.md#history-format-v1)");
  bad = kMove;
  bad.insert(1, R"("step":4,)");
  EXPECT_EQ(ErrorOf(head + bad + "\n"),
            "h.jsonl:3: move: a line is a step or a move, not both: it has both \"step\" and "
            "\"move\"");
  bad = kWrite;
  bad.insert(bad.size() - 1, R"(,"move":0)");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + "\n" + bad + "\n"),
            "h.jsonl:2: move: a line is a step or a move, not both: it has both \"step\" and "
            "\"move\"");
  bad = kMove;
  bad.replace(bad.find(R"("end_ns":2100)"), 13, R"("end_ns":1999)");
  EXPECT_EQ(ErrorOf(head + bad + "\n"), "h.jsonl:3: end_ns: end_ns 1999 is before start_ns 2000");
  bad = kMove;
  bad.replace(bad.find(R"("from_slot":0)"), 13, R"("from_slot":-1)");
  EXPECT_EQ(ErrorOf(head + bad + "\n"), "h.jsonl:3: from_slot: must not be negative, found -1");
  bad = kMove;
  bad.insert(bad.size() - 1, R"(,"to_slot":3)");
  EXPECT_EQ(ErrorOf(head + bad + "\n"), "h.jsonl:3: to_slot: duplicate field");
}

}  // namespace
}  // namespace rwttt

namespace rwttt {
namespace {

// A history of `lines` step lines (~210 bytes each) with CRLF and blank lines here and there, so
// that it spans several of ReadAll's 1 MiB blocks.
std::string BigHistory(int lines) {
  std::string contents = std::string(kHeader) + "\n";
  for (int i = 0; i < lines; ++i) {
    HistoryStep s = SampleWrite();
    s.step = static_cast<std::uint64_t>(i);
    s.start = Nanos{i * 10};
    s.end = Nanos{i * 10 + 5};
    contents += FormatHistoryStep(s) + (i % 7 == 0 ? "\r\n" : "\n");
    if (i % 1000 == 0) contents += "\n  \n";
  }
  return contents;
}

// Every step through ReadAll on `threads` workers, or its error.
Result<std::vector<HistoryStep>> ReadAllInParallel(const std::string& path, unsigned threads) {
  RWTTT_ASSIGN_OR_RETURN(auto reader, HistoryReader::Open(path));
  std::vector<HistoryStep> steps;
  RWTTT_TRY(reader->ReadAll(threads, [&](std::span<const HistoryStep> block) {
    steps.insert(steps.end(), block.begin(), block.end());
  }));
  return steps;
}

TEST(HistoryReader, ReadAllOnThreadsGivesWhatNextGives) {
  TempDir dir;
  for (const char* name : {"big.jsonl", "big.jsonl.zst", "small.jsonl"}) {
    // OutputFile compresses a name ending in .zst.
    const std::string path = dir.File(name);
    auto out = OutputFile::Create(path);
    ASSERT_TRUE(out.ok());
    (*out)->Write(BigHistory(std::string(name) == "small.jsonl" ? 50 : 20000));
    ASSERT_TRUE((*out)->Commit().ok());
    const auto one = ReadAll(path);
    ASSERT_TRUE(one.ok()) << one.error().ToString();
    for (const unsigned threads : {1u, 3u}) {
      const auto all = ReadAllInParallel(path, threads);
      ASSERT_TRUE(all.ok()) << all.error().ToString();
      ASSERT_EQ(all->size(), one->size()) << name;
      for (std::size_t i = 0; i < one->size(); ++i) {
        ASSERT_EQ(FormatHistoryStep((*all)[i]), FormatHistoryStep((*one)[i])) << name << " " << i;
      }
    }
  }
}

TEST(HistoryReader, ReadAllReportsTheFirstBadLineOfTheFile) {
  std::string contents = BigHistory(20000);
  // Break the steps on lines far apart, in different blocks: the first in file order is reported.
  auto break_line = [&](int line) {
    std::size_t at = 0;
    for (int l = 1; l < line; ++l) at = contents.find('\n', at) + 1;
    contents.replace(contents.find("\"owner\":3", at), 9, "\"owner\":-3");
  };
  break_line(15000);
  break_line(9000);
  TempDir dir;
  const std::string path = dir.Write("h.jsonl", contents);
  const auto all = ReadAllInParallel(path, 2);
  ASSERT_FALSE(all.ok());
  const auto one = ReadAll(path);
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(all.error().ToString(), one.error().ToString());
  EXPECT_EQ(all.error().ToString(), path + ":9000: owner: must not be negative, found -3");
}

TEST(HistoryReader, ReadAllSaysATruncatedLastLineOfABigFile) {
  std::string contents = BigHistory(20000);
  contents.resize(contents.size() - 40);
  TempDir dir;
  const std::string path = dir.Write("h.jsonl", contents);
  const auto all = ReadAllInParallel(path, 2);
  ASSERT_FALSE(all.ok());
  EXPECT_NE(all.error().ToString().find("the last line is incomplete (a truncated file?)"),
            std::string::npos)
      << all.error().ToString();
}

}  // namespace
}  // namespace rwttt
