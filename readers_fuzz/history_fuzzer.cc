// libFuzzer target for the history v1 reader (checker/history_reader.h): the input is written as
// RWTTT_FUZZ_HISTORY_NAME (`.jsonl`, or `.jsonl.zst` to fuzz the decompressing line reader too)
// and read to its end or its first error.
#include <cstddef>
#include <cstdint>

#include "checker/history_reader.h"
#include "readers_fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = rwttt::fuzz::WriteInput(data, size, RWTTT_FUZZ_HISTORY_NAME);
  auto reader = rwttt::HistoryReader::Open(path);
  rwttt::fuzz::CheckOutcome(reader);
  if (reader.ok()) {
    rwttt::HistoryStep step;
    while (true) {
      auto more = (*reader)->Next(step);
      rwttt::fuzz::CheckOutcome(more);
      if (!more.ok() || !*more) break;
    }
  }
  rwttt::fuzz::CheckWroteNothing();
  return 0;
}
