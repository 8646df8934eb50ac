// The public traces benches replay (`../shared/traces` by default: Azure LLM inference 2023 conv,
// Mooncake conversation), as files present in a folder.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "traces/trace_format.h"

namespace rwttt::cli {

struct PublicTrace {
  std::string path;
  TraceFormat format;
};

// The public traces present in `dir`, in a fixed order; each absent one is said on stderr as
// "rwttt: `command`: PATH is absent: its workload is left out".
std::vector<PublicTrace> PresentPublicTraces(const std::string& dir, std::string_view command);

}  // namespace rwttt::cli
