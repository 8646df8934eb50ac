// libFuzzer target for the profile parsers: ParseModelProfile or ParseHardwareProfile (chosen at
// compile time by RWTTT_FUZZ_PROFILE), on the input as JSON text. Files are read elsewhere
// (core/profile_source.h); this fuzzes what is done with their bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "readers_fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  rwttt::fuzz::CheckOutcome(rwttt::RWTTT_FUZZ_PROFILE(json, "fuzz-input.json"));
  return 0;
}
