#include "traces/generator.h"

#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "core/philox.h"

namespace rwttt {
namespace {

// What a draw is for, the third counter word: streams never overlap.
enum Purpose : std::uint32_t { kGap = 1, kPrompt = 2, kOutput = 3 };

// Draws for one request and purpose, as many as a rejection sampler asks for.
class DrawStream {
 public:
  DrawStream(Seed seed, std::uint64_t request, Purpose purpose)
      : seed_(seed), request_(request), purpose_(purpose) {}
  double Uniform() {
    if (used_ == 2) {
      block_ = PhiloxBits(seed_.value(), static_cast<std::uint32_t>(request_),
                          static_cast<std::uint32_t>(request_ >> 32), purpose_, counter_++);
      used_ = 0;
    }
    const double u = UnitDouble(block_[2 * used_], block_[2 * used_ + 1]);
    ++used_;
    return u;
  }
  double Normal() {
    const double u1 = Uniform();
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  Seed seed_;
  std::uint64_t request_;
  Purpose purpose_;
  std::uint32_t counter_ = 0;
  PhiloxBlock block_{};
  int used_ = 2;
};

// Marsaglia and Tsang's method for shape >= 1; shape < 1 through Gamma(shape + 1) * U^(1/shape).
double SampleGamma(double shape, DrawStream& draws) {
  if (shape < 1.0) return SampleGamma(shape + 1.0, draws) * std::pow(draws.Uniform(), 1.0 / shape);
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    double x = 0;
    double v = 0;
    do {
      x = draws.Normal();
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = draws.Uniform();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

Status Validate(const GeneratorOptions& o) {
  if (o.count.has_value() == o.duration_s.has_value()) {
    return Error::Usage("give exactly one of `count` and `duration_s`");
  }
  if (o.count && (*o.count == 0 || *o.count > kMaxGeneratedRequests)) {
    return Error::Usage(
        fmt::format("`count` must be from 1 to {}, found {}", kMaxGeneratedRequests, *o.count));
  }
  if (o.duration_s && !(*o.duration_s > 0 && *o.duration_s <= kMaxGeneratedSeconds)) {
    return Error::Usage(fmt::format("`duration_s` must be above 0 and at most {} seconds, found {}",
                                    kMaxGeneratedSeconds, *o.duration_s));
  }
  if (!(o.rate_per_s > 0 && o.rate_per_s <= kMaxGeneratedRate)) {
    return Error::Usage(
        fmt::format("`rate_per_s` must be above 0 and at most {} requests per second, found {}",
                    kMaxGeneratedRate, o.rate_per_s));
  }
  if (o.duration_s && o.rate_per_s * *o.duration_s > static_cast<double>(kMaxGeneratedRequests)) {
    return Error::Usage(fmt::format(
        "`duration_s` {} at `rate_per_s` {} would generate about {:.3g} requests; at most {} can "
        "be "
        "generated",
        *o.duration_s, o.rate_per_s, o.rate_per_s * *o.duration_s, kMaxGeneratedRequests));
  }
  if (o.arrival == ArrivalProcess::kGamma && !(o.cv > 0 && o.cv <= 100)) {
    return Error::Usage(fmt::format("`cv` must be above 0 and at most 100, found {}", o.cv));
  }
  return OkStatus();
}

}  // namespace

Status GenerateTrace(const GeneratorOptions& o, const std::function<Status(const Request&)>& sink) {
  RWTTT_TRY(Validate(o));
  const double mean_gap_ns = 1e9 / o.rate_per_s;
  const double shape = 1.0 / (o.cv * o.cv);
  double t_ns = 0;
  for (std::uint64_t i = 0;; ++i) {
    if (o.count && i == *o.count) break;
    if (i > 0) {
      DrawStream gap(o.seed, i, kGap);
      const double g = o.arrival == ArrivalProcess::kPoisson ? -std::log(gap.Uniform())
                                                             : SampleGamma(shape, gap) / shape;
      t_ns += g * mean_gap_ns;
    }
    if (o.duration_s && t_ns >= *o.duration_s * 1e9) break;
    if (t_ns > 9e18) return Error::Usage("the trace's arrival times overflow 64-bit nanoseconds");
    DrawStream prompt(o.seed, i, kPrompt);
    DrawStream output(o.seed, i, kOutput);
    Request r;
    r.id = OwnerId{i};
    r.arrival = Nanos{static_cast<std::int64_t>(std::llround(t_ns))};
    r.prompt_tokens = o.prompt.Sample(prompt.Uniform(), prompt.Uniform());
    r.output_tokens = o.output.Sample(output.Uniform(), output.Uniform());
    RWTTT_TRY(sink(r));
  }
  return OkStatus();
}

Result<std::vector<Request>> GenerateTraceVector(const GeneratorOptions& o) {
  std::vector<Request> out;
  RWTTT_TRY(GenerateTrace(o, [&](const Request& r) {
    out.push_back(r);
    return OkStatus();
  }));
  return out;
}

}  // namespace rwttt
