// Properties of every program (DESIGN §3), over random prompt, output and chunk sizes.
#include "core/program.h"
#include "tests/support/property.h"

namespace rwttt {
namespace {

struct Shape {
  std::uint32_t prompt, output, chunk;
};

rc::Gen<Shape> AnyShape() {
  return rc::gen::apply(
      [](std::uint32_t p, std::uint32_t o, std::uint32_t c) {
        return Shape{p, o, c};
      },
      rc::gen::inRange<std::uint32_t>(0, 300), rc::gen::inRange<std::uint32_t>(0, 300),
      rc::gen::inRange<std::uint32_t>(1, 70));
}

std::vector<Step> Build(const Shape& s) {
  return BuildProgram(Request{OwnerId{1}, Nanos{0}, s.prompt, s.output, {}}, s.chunk);
}

RC_GTEST_PROP(ProgramProperty, ReadsCoverTheTokenStreamExactlyOnceInOrder, ()) {
  const Shape s = *AnyShape();
  std::uint32_t next = 0;
  for (const Step& step : Build(s)) {
    if (!step.is_read()) continue;
    RC_ASSERT(step.first_token == next);
    RC_ASSERT(step.end_token > step.first_token);
    if (step.first_token >= s.prompt) RC_ASSERT(step.tokens() == 1u);  // decode
    if (step.first_token < s.prompt) {
      RC_ASSERT(step.end_token <= s.prompt);  // prefill stays in the prompt
      RC_ASSERT(step.first_token / s.chunk == (step.end_token - 1) / s.chunk);  // one chunk
    }
    next = step.end_token;
  }
  RC_ASSERT(next == s.prompt + s.output);
}

RC_GTEST_PROP(ProgramProperty, WriteCountIsWholeChunks, ()) {
  const Shape s = *AnyShape();
  const auto steps = Build(s);
  const auto writes =
      std::count_if(steps.begin(), steps.end(), [](const Step& x) { return !x.is_read(); });
  RC_ASSERT(static_cast<std::uint64_t>(writes) == (s.prompt + s.output) / s.chunk);
  RC_ASSERT(steps.size() == ProgramStepCount(s.prompt, s.output, s.chunk));
}

RC_GTEST_PROP(ProgramProperty, EveryStepsVersionIsTheWritesBeforeIt, ()) {
  const Shape s = *AnyShape();
  std::uint64_t writes = 0;
  std::uint32_t read_end = 0;
  for (const Step& step : Build(s)) {
    RC_ASSERT(step.tag.version == Version{writes});
    if (step.is_read()) {
      read_end = step.end_token;
    } else {
      // A WRITE closes exactly the chunk the previous READ completed.
      RC_ASSERT(read_end % s.chunk == 0);
      RC_ASSERT(step.end_token == read_end);
      RC_ASSERT(step.tokens() == s.chunk);
      ++writes;
    }
  }
}

}  // namespace
}  // namespace rwttt
