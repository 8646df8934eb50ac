// libFuzzer target for the trace readers: one binary per format, chosen at compile time by
// RWTTT_FUZZ_TRACE_FORMAT (kNative, kAzure, kBurstGpt or kMooncake). The native format is also
// read through the streaming TraceReader and ReadTrace; imports are loaded both strictly and with
// skip_bad_rows.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "readers_fuzz/fuzz_support.h"
#include "traces/native_trace.h"
#include "traces/trace_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using rwttt::TraceFormat;
  constexpr TraceFormat kFormat = TraceFormat::RWTTT_FUZZ_TRACE_FORMAT;
  const std::string path = rwttt::fuzz::WriteInput(
      data, size,
      kFormat == TraceFormat::kAzure || kFormat == TraceFormat::kBurstGpt ? "input.csv"
                                                                          : "input.jsonl");
  rwttt::TraceLoadOptions options;
  if (kFormat == TraceFormat::kNative) {
    rwttt::fuzz::CheckOutcome(rwttt::ReadTrace(path));
    auto reader = rwttt::TraceReader::Open(path);
    rwttt::fuzz::CheckOutcome(reader);
    if (reader.ok()) {
      rwttt::Request request;
      while (true) {
        auto more = (*reader)->Next(request);
        rwttt::fuzz::CheckOutcome(more);
        if (!more.ok() || !*more) break;
      }
    }
  } else {
    options.skip_bad_rows = true;
    rwttt::fuzz::CheckOutcome(rwttt::LoadTrace(path, kFormat, options));
    options.skip_bad_rows = false;
  }
  rwttt::fuzz::CheckOutcome(rwttt::LoadTrace(path, kFormat, options));
  rwttt::fuzz::CheckWroteNothing();
  return 0;
}
