#include "core/program.h"

#include <gtest/gtest.h>

namespace rwttt {
namespace {

struct Expect {
  Effect effect;
  std::uint32_t first, end, version;
};

void ExpectProgram(std::uint32_t prompt, std::uint32_t output, std::uint32_t chunk,
                   const std::vector<Expect>& expected) {
  const auto steps = BuildProgram(Request{OwnerId{7}, Nanos{0}, prompt, output, {}}, chunk);
  ASSERT_EQ(steps.size(), expected.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(steps[i].tag.owner, OwnerId{7});
    EXPECT_EQ(steps[i].tag.effect, expected[i].effect);
    EXPECT_EQ(steps[i].first_token, expected[i].first);
    EXPECT_EQ(steps[i].end_token, expected[i].end);
    EXPECT_EQ(steps[i].tag.version, Version{expected[i].version});
    EXPECT_EQ(steps[i].index, i);
  }
}

constexpr Effect R = Effect::kRead;
constexpr Effect W = Effect::kWrite;

TEST(Program, PrefillSplitsAtChunkBoundariesThenDecodesOneTokenAtATime) {
  // P=10, O=3, C=4: prefill [0,4) W [4,8) W [8,10), decode 10, 11 (closes chunk 3) W, 12.
  ExpectProgram(10, 3, 4,
                {{R, 0, 4, 0},
                 {W, 0, 4, 0},
                 {R, 4, 8, 1},
                 {W, 4, 8, 1},
                 {R, 8, 10, 2},
                 {R, 10, 11, 2},
                 {R, 11, 12, 2},
                 {W, 8, 12, 2},
                 {R, 12, 13, 3}});
}

TEST(Program, FinalPartialChunkGetsNoWrite) {
  ExpectProgram(3, 2, 8, {{R, 0, 3, 0}, {R, 3, 4, 0}, {R, 4, 5, 0}});
}

TEST(Program, StreamEndingOnABoundaryEndsWithAWrite) {
  ExpectProgram(2, 2, 2, {{R, 0, 2, 0}, {W, 0, 2, 0}, {R, 2, 3, 1}, {R, 3, 4, 1}, {W, 2, 4, 1}});
}

TEST(Program, DecodeOnlyAndEmptyPrograms) {
  ExpectProgram(0, 2, 1, {{R, 0, 1, 0}, {W, 0, 1, 0}, {R, 1, 2, 1}, {W, 1, 2, 1}});
  ExpectProgram(0, 0, 4, {});
}

TEST(Program, ClosedFormCountsMatchTheCursor) {
  EXPECT_EQ(ProgramWriteCount(10, 3, 4), 3u);
  EXPECT_EQ(ProgramReadCount(10, 3, 4), 6u);
  EXPECT_EQ(ProgramStepCount(10, 3, 4), 9u);
}

}  // namespace
}  // namespace rwttt
