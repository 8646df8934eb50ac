#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/line_reader.h"
#include "core/output_file.h"
#include "tests/support/test_files.h"

namespace rwttt {
namespace {

std::vector<std::string> ReadLines(const std::string& path) {
  auto reader = LineReader::Open(path);
  EXPECT_TRUE(reader.ok());
  std::vector<std::string> lines;
  std::string_view line;
  while ((*reader)->Next(line).value()) lines.emplace_back(line);
  return lines;
}

TEST(LineReader, HandlesCrlfAndAMissingFinalNewline) {
  testing::TempDir dir;
  const auto path = dir.Write("a.txt", "one\r\ntwo\n\nthree");
  EXPECT_EQ(ReadLines(path), (std::vector<std::string>{"one", "two", "", "three"}));
}

TEST(LineReader, CountsLinesAcrossBufferRefills) {
  testing::TempDir dir;
  std::string text;
  for (int i = 0; i < 200000; ++i) text += std::to_string(i) + "\n";
  const auto lines = ReadLines(dir.Write("big.txt", text));
  ASSERT_EQ(lines.size(), 200000u);
  EXPECT_EQ(lines[123456], "123456");
}

TEST(LineReader, MissingFileIsAnIoErrorNamingIt) {
  auto reader = LineReader::Open("/nonexistent/x.jsonl");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().code, ErrorCode::kIo);
  EXPECT_NE(reader.error().ToString().find("/nonexistent/x.jsonl"), std::string::npos);
}

TEST(OutputFile, ZstdRoundTripsThroughLineReader) {
  testing::TempDir dir;
  const std::string path = dir.File("x.jsonl.zst");
  auto out = OutputFile::Create(path).value();
  std::string expected;
  for (int i = 0; i < 50000; ++i) out->Write("line " + std::to_string(i) + "\n");
  ASSERT_TRUE(out->Commit().ok());
  const auto lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 50000u);
  EXPECT_EQ(lines.back(), "line 49999");
}

// Several 1 MiB blocks, so that the file's writer thread writes them: through Write in pieces of
// every size (a piece past a block boundary, a piece larger than a block) and through
// WriteSwapping, plain and compressed, the bytes come back exactly, in order.
TEST(OutputFile, BlocksWrittenByTheWriterThreadKeepEveryByteInOrder) {
  testing::TempDir dir;
  std::string expected;
  std::vector<std::string> pieces;
  for (int i = 0; i < 60000; ++i) pieces.push_back("line " + std::to_string(i) + "\n");
  pieces.push_back(std::string(3 << 20, 'x') + "\n");  // larger than a block
  for (int i = 0; i < 30000; ++i) pieces.push_back("after " + std::to_string(i) + "\n");
  for (const std::string& piece : pieces) expected += piece;
  for (const bool swapping : {false, true}) {
    for (const char* name : {"blocks.txt", "blocks.txt.zst"}) {
      const std::string path = dir.File(name);
      auto out = OutputFile::Create(path).value();
      std::string block;
      for (const std::string& piece : pieces) {
        if (!swapping) {
          out->Write(piece);
          continue;
        }
        block += piece;
        if (block.size() >= (1 << 20)) {
          out->WriteSwapping(block);
          EXPECT_TRUE(block.empty());
        }
      }
      if (swapping) out->WriteSwapping(block);
      ASSERT_TRUE(out->Commit().ok()) << name;
      std::string read;
      for (const std::string& line : ReadLines(path)) read += line + "\n";
      EXPECT_TRUE(read == expected) << name << (swapping ? " swapping" : "") << ": " << read.size()
                                    << " bytes read of " << expected.size();
    }
  }
}

// Bytes buffered before a block handed over whole come first.
TEST(OutputFile, BufferedBytesGoBeforeABlockHandedOverWhole) {
  testing::TempDir dir;
  const std::string path = dir.File("order.txt");
  auto out = OutputFile::Create(path).value();
  out->Write("head\n");
  std::string block(2 << 20, 'b');
  block += '\n';
  out->WriteSwapping(block);
  out->Write("tail\n");
  ASSERT_TRUE(out->Commit().ok());
  EXPECT_EQ(ReadLines(path), (std::vector<std::string>{"head", std::string(2 << 20, 'b'), "tail"}));
}

// Dropped without Commit after its writer thread started, a file leaves the previous one as it
// was and no temporary file behind.
TEST(OutputFile, ADroppedFileWhoseBlocksWereBeingWrittenLeavesNothingBehind) {
  testing::TempDir dir;
  const std::string path = dir.Write("keep.txt.zst", "previous\n");
  {
    auto out = OutputFile::Create(path).value();
    for (int i = 0; i < 3; ++i) out->Write(std::string((1 << 20) + 7, 'x'));
  }  // dropped
  EXPECT_EQ(testing::ReadFile(path), "previous\n");
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.File(""))) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

// A write error met on the writer thread (a full device) reaches health() while writing goes on,
// and Commit().
TEST(OutputFile, AWriteErrorOnTheWriterThreadIsReported) {
  for (const char* path : {"/dev/full"}) {
    struct stat st {};
    if (::stat(path, &st) != 0) GTEST_SKIP() << path << " is absent";
    auto out = OutputFile::Create(path).value();
    // Each block waits for the one before it to be written, so the third block's handoff follows
    // the first block's failed write.
    for (int i = 0; i < 4; ++i) out->Write(std::string(1 << 20, 'x'));
    EXPECT_FALSE(out->health().ok());
    const Status committed = out->Commit();
    ASSERT_FALSE(committed.ok());
    EXPECT_EQ(committed.error().code, ErrorCode::kIo);
    EXPECT_NE(committed.error().ToString().find("No space left"), std::string::npos)
        << committed.error().ToString();
    EXPECT_FALSE(out->health().ok());
  }
}

TEST(OutputFile, NothingAppearsUntilCommitAndAnAbandonedFileLeavesThePreviousOne) {
  testing::TempDir dir;
  const std::string path = dir.Write("keep.txt", "previous\n");
  {
    auto out = OutputFile::Create(path).value();
    out->Write("new contents\n");
    EXPECT_EQ(testing::ReadFile(path), "previous\n");
  }  // dropped without Commit
  EXPECT_EQ(testing::ReadFile(path), "previous\n");
  auto out = OutputFile::Create(path).value();
  out->Write("new contents\n");
  ASSERT_TRUE(out->Commit().ok());
  EXPECT_EQ(testing::ReadFile(path), "new contents\n");
}

TEST(OutputFile, DevicesAreWrittenInPlaceNotReplaced) {
  auto out = OutputFile::Create("/dev/null").value();
  out->Write("discarded\n");
  ASSERT_TRUE(out->Commit().ok());
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));  // still the device, not a regular file renamed over it
}

TEST(OutputFile, UnwritableDirectoryIsAnIoError) {
  auto out = OutputFile::Create("/nonexistent-dir/out.jsonl");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace rwttt
