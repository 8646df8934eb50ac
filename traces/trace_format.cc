#include "traces/trace_format.h"

#include <string>

namespace rwttt {

Result<TraceFormat> ParseTraceFormat(std::string_view name) {
  for (std::size_t i = 0; i < kTraceFormatNames.size(); ++i) {
    if (name == kTraceFormatNames[i]) return static_cast<TraceFormat>(i);
  }
  return Error::Usage("unknown trace format '" + std::string(name) +
                      "' (expected native, azure, burstgpt or mooncake)");
}

}  // namespace rwttt
