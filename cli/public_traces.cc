#include "cli/public_traces.h"

#include <fmt/format.h>

#include <cstdio>

namespace rwttt::cli {

std::vector<PublicTrace> PresentPublicTraces(const std::string& dir, std::string_view command) {
  std::vector<PublicTrace> out;
  const std::pair<const char*, TraceFormat> traces[] = {
      {"/azure-llm-2023/AzureLLMInferenceTrace_conv.csv", TraceFormat::kAzure},
      {"/mooncake/conversation_trace.jsonl", TraceFormat::kMooncake}};
  for (const auto& [name, format] : traces) {
    const std::string path = dir + name;
    if (std::FILE* f = std::fopen(path.c_str(), "r")) {
      std::fclose(f);
      out.push_back({path, format});
    } else {
      fmt::print(stderr, "rwttt: {}: {} is absent: its workload is left out\n", command, path);
    }
  }
  return out;
}

}  // namespace rwttt::cli
