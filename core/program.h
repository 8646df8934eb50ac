// Program: the exact sequence of steps of one owner (DESIGN §3), derived from a request's prompt
// and output lengths and the chunk size C.
//
//   for (ProgramCursor c(OwnerId{0}, /*prompt=*/10, /*output=*/3, /*chunk=*/4); !c.done();
//        c.Advance()) Use(c.step());
//
// READs cover the token stream [0, P + O) in order: a prefill READ covers the prompt tokens up to
// the next chunk boundary (never crossing one, so at most C tokens), a decode READ covers one
// output token. A WRITE follows every READ that ends on a chunk boundary (end % C == 0) and closes
// that chunk; the final partial chunk gets none. A step's version is the number of WRITEs before
// it.
#pragma once

#include <cstdint>
#include <vector>

#include "core/request.h"
#include "core/step.h"

namespace rwttt {

// Walks a program one step at a time in O(1) memory, so that a simulator with a million owners
// need not hold their programs.
class ProgramCursor {
 public:
  // REQUIRES: chunk > 0, prompt + output < 2^32.
  ProgramCursor(OwnerId owner, std::uint32_t prompt, std::uint32_t output, std::uint32_t chunk);
  ProgramCursor(const Request& request, std::uint32_t chunk)
      : ProgramCursor(request.id, request.prompt_tokens, request.output_tokens, chunk) {}

  bool done() const { return done_; }
  // The current step. REQUIRES: !done().
  const Step& step() const { return step_; }
  // Moves to the next step. REQUIRES: !done().
  void Advance();

 private:
  void Load();

  std::uint32_t prompt_;
  std::uint32_t total_;
  std::uint32_t chunk_;
  std::uint32_t next_token_ = 0;  // first token not yet covered by a READ
  bool write_pending_ = false;    // the last READ closed a chunk
  bool done_ = false;
  Step step_;
};

// The whole program, materialised. O(steps) memory: for tests and small traces.
std::vector<Step> BuildProgram(const Request& request, std::uint32_t chunk);

// Closed-form counts, O(1). REQUIRES: chunk > 0.
std::uint64_t ProgramWriteCount(std::uint64_t prompt, std::uint64_t output, std::uint32_t chunk);
std::uint64_t ProgramReadCount(std::uint64_t prompt, std::uint64_t output, std::uint32_t chunk);
inline std::uint64_t ProgramStepCount(std::uint64_t prompt, std::uint64_t output,
                                      std::uint32_t chunk) {
  return ProgramReadCount(prompt, output, chunk) + ProgramWriteCount(prompt, output, chunk);
}

}  // namespace rwttt
