// `rwttt bench cow`: copy-on-write version 0 and the host tier against `rwttt` on the paper's
// workload and the public traces, every run checked (harness/cow_experiment.h).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace rwttt::cli {

struct CowFlags {
  std::string model = "inplace-ttt-4b";
  std::vector<std::uint32_t> chunks = {512, 4096};
  std::string traces = "../shared/traces";
  double window_s = 600;  // the first this many seconds of each public trace
  std::uint64_t offload_after = 128;
};

// Registers the subcommand under `bench`, its flags in `flags`.
CLI::App* AddBenchCow(CLI::App* bench, CowFlags& flags);
Result<int> RunBenchCow(const CowFlags& flags);

}  // namespace rwttt::cli
