// Import speed (issue 8): rows per second of LoadTrace on the real public traces in
// ../shared/traces (skipped when absent) and on larger generated files of the same shape.
//
//   build/bench/import_bench [--benchmark_filter=Azure] [--benchmark_repetitions=5]
//
// items_per_second is rows/s: read, parse, sort check, rebase and renumber, one core. The
// "ToNative" cases also format and write the native JSONL to a temporary file, as `rwttt import`
// does. (Never to /dev/null: OutputFile renames a temporary file onto its target.)
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "traces/native_trace.h"
#include "traces/trace_loader.h"

namespace rwttt {
namespace {

std::string SharedTrace(const char* relative) {
  return std::string(RWTTT_SHARED_TRACES_DIR) + "/" + relative;
}

const std::string kAzureReal = SharedTrace("azure-llm-2023/AzureLLMInferenceTrace_conv.csv");
const std::string kMooncakeReal = SharedTrace("mooncake/conversation_trace.jsonl");

// Files Generated() wrote, removed at exit.
std::vector<std::string>& GeneratedFiles() {
  static std::vector<std::string> files;
  return files;
}

// A generated file of `rows` rows in `format`, written once per process under the temp directory.
std::string Generated(TraceFormat format, std::size_t rows) {
  const std::string path =
      (std::filesystem::temp_directory_path() /
       fmt::format("rwttt-import-bench-{}-{}-{}", TraceFormatName(format), rows, ::getpid()))
          .string();
  if (std::filesystem::exists(path)) return path;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return path;
  GeneratedFiles().push_back(path);
  if (format == TraceFormat::kAzure) std::fputs("TIMESTAMP,ContextTokens,GeneratedTokens\r\n", f);
  if (format == TraceFormat::kBurstGpt) {
    std::fputs("Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n", f);
  }
  for (std::size_t i = 0; i < rows; ++i) {
    const std::size_t prompt = 100 + (i * 7919) % 4000, output = 1 + (i * 104729) % 900;
    const std::size_t us = i * 180'000;  // 5.5 rows a second, as the Azure trace
    if (format == TraceFormat::kAzure) {
      std::fprintf(f, "2023-11-16 %02zu:%02zu:%02zu.%07zu,%zu,%zu\r\n", (us / 3'600'000'000) % 24,
                   (us / 60'000'000) % 60, (us / 1'000'000) % 60, (us % 1'000'000) * 10, prompt,
                   output);
    } else if (format == TraceFormat::kBurstGpt) {
      std::fprintf(f, "%zu,%s,%zu,%zu,%zu,%s\n", us / 1'000'000, i % 3 ? "ChatGPT" : "GPT-4",
                   prompt, output, prompt + output, i % 2 ? "Conversation log" : "API log");
    } else {
      std::fprintf(f,
                   "{\"timestamp\": %zu, \"input_length\": %zu, \"output_length\": %zu, "
                   "\"hash_ids\": [",
                   us / 1000, prompt, output);
      for (std::size_t b = 0; b < (prompt + 511) / 512; ++b) {
        std::fprintf(f, b ? ", %zu" : "%zu", i * 8 + b);
      }
      std::fputs("]}\n", f);
    }
  }
  std::fclose(f);
  return path;
}

void Import(benchmark::State& state, const std::string& path, TraceFormat format, bool write) {
  if (!std::filesystem::exists(path)) {
    state.SkipWithError(("absent: " + path).c_str());
    return;
  }
  const std::string out = (std::filesystem::temp_directory_path() /
                           fmt::format("rwttt-import-bench-out-{}.jsonl", ::getpid()))
                              .string();
  std::uint64_t rows = 0;
  for (auto _ : state) {
    Result<LoadedTrace> trace = LoadTrace(path, format, {});
    if (!trace.ok()) {
      state.SkipWithError(trace.error().ToString().c_str());
      return;
    }
    if (write && !WriteTrace(trace->requests, out).ok()) {
      state.SkipWithError(("cannot write " + out).c_str());
      return;
    }
    rows += trace->report.rows;
    benchmark::DoNotOptimize(trace->requests.data());
  }
  std::error_code ec;
  std::filesystem::remove(out, ec);
  state.SetItemsProcessed(static_cast<std::int64_t>(rows));
  state.counters["rows"] = static_cast<double>(rows) / static_cast<double>(state.iterations());
  state.counters["MB/s"] =
      benchmark::Counter(static_cast<double>(std::filesystem::file_size(path)) *
                             static_cast<double>(state.iterations()) / 1e6,
                         benchmark::Counter::kIsRate);
}

void BM_AzureReal(benchmark::State& s) { Import(s, kAzureReal, TraceFormat::kAzure, false); }
void BM_AzureRealToNative(benchmark::State& s) { Import(s, kAzureReal, TraceFormat::kAzure, true); }
void BM_MooncakeReal(benchmark::State& s) {
  Import(s, kMooncakeReal, TraceFormat::kMooncake, false);
}
void BM_MooncakeRealToNative(benchmark::State& s) {
  Import(s, kMooncakeReal, TraceFormat::kMooncake, true);
}
void BM_AzureGenerated1M(benchmark::State& s) {
  Import(s, Generated(TraceFormat::kAzure, 1'000'000), TraceFormat::kAzure, false);
}
void BM_BurstGptGenerated1M(benchmark::State& s) {
  Import(s, Generated(TraceFormat::kBurstGpt, 1'000'000), TraceFormat::kBurstGpt, false);
}
void BM_MooncakeGenerated1M(benchmark::State& s) {
  Import(s, Generated(TraceFormat::kMooncake, 1'000'000), TraceFormat::kMooncake, false);
}

BENCHMARK(BM_AzureReal)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AzureRealToNative)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MooncakeReal)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MooncakeRealToNative)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AzureGenerated1M)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BurstGptGenerated1M)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MooncakeGenerated1M)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rwttt

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (const std::string& path : rwttt::GeneratedFiles()) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  return 0;
}
