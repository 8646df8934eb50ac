// libFuzzer target for the command line's value parsers: length distributions (`--prompt`,
// `--output`), fault plans (`--inject`) and shard specs (`fuzz --shard`), each on the input text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harness/fuzz.h"
#include "readers_fuzz/fuzz_support.h"
#include "sim/faults/fault_injector.h"
#include "traces/length_distribution.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view spec(reinterpret_cast<const char*>(data), size);
  rwttt::fuzz::CheckOutcome(rwttt::ParseLengthDistribution(spec, "--prompt"));
  rwttt::fuzz::CheckOutcome(rwttt::ParseFaultPlan(spec));
  rwttt::fuzz::CheckOutcome(rwttt::ParseShard(spec));
  return 0;
}
