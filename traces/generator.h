// Synthetic traces: arrivals from a Poisson or gamma renewal process, lengths from
// LengthDistribution, every draw from keyed Philox counters so a seed gives the same trace on
// every machine and standard library.
//
//   GeneratorOptions o; o.count = 100; o.rate_per_s = 4; o.seed = Seed{7};
//   RWTTT_TRY(GenerateTrace(o, [&](const Request&) { ++n; return OkStatus(); }));
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/request.h"
#include "core/result.h"
#include "core/strong_types.h"
#include "traces/length_distribution.h"

namespace rwttt {

enum class ArrivalProcess { kPoisson, kGamma };

// What one call may generate: a trace of a billion requests is about 60 GB of JSONL, and a
// second's rate of a billion requests a request per nanosecond.
inline constexpr std::uint64_t kMaxGeneratedRequests = 1'000'000'000;
inline constexpr double kMaxGeneratedSeconds = 1e9;  // about 31 years
inline constexpr double kMaxGeneratedRate = 1e9;     // requests per second

struct GeneratorOptions {
  std::optional<std::uint64_t> count;  // exactly this many requests, or
  std::optional<double> duration_s;    // every arrival before this time
  double rate_per_s = 1.0;             // mean arrival rate
  ArrivalProcess arrival = ArrivalProcess::kPoisson;
  double cv = 1.0;  // gamma: coefficient of variation of the gaps
  LengthDistribution prompt{LengthDistribution::Kind::kFixed, 128, 0};
  LengthDistribution output{LengthDistribution::Kind::kFixed, 64, 0};
  Seed seed{0};
};

// REQUIRES nothing; bad options are a Usage error. The first request arrives at 0 ns; each later
// one a sampled gap after the previous. Ids are 0, 1, 2, ... Stops early if `sink` fails.
Status GenerateTrace(const GeneratorOptions& options,
                     const std::function<Status(const Request&)>& sink);

// The same, collected. For tests and small traces.
Result<std::vector<Request>> GenerateTraceVector(const GeneratorOptions& options);

}  // namespace rwttt
