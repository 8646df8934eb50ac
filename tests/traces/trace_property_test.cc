// Properties of the trace format and the generator.
#include "tests/support/property.h"
#include "tests/support/test_files.h"
#include "traces/generator.h"
#include "traces/native_trace.h"

namespace rwttt {
namespace {

rc::Gen<std::vector<Request>> AnyTrace() {
  return rc::gen::map(
      rc::gen::container<std::vector<
          std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, rc::Maybe<std::uint64_t>>>>(
          rc::gen::tuple(rc::gen::inRange<std::uint32_t>(0, 1u << 30),
                         rc::gen::arbitrary<std::uint32_t>(), rc::gen::arbitrary<std::uint32_t>(),
                         rc::gen::maybe(rc::gen::arbitrary<std::uint64_t>()))),
      [](const auto& rows) {
        std::vector<Request> trace;
        std::int64_t t = 0;
        std::uint64_t id = 0;
        for (const auto& [gap, prompt, output, seed] : rows) {
          t += gap;
          id += 1 + prompt % 5;  // ids need not be dense
          Request r{
              OwnerId{id}, Nanos{t}, prompt % kMaxRequestTokens, output % kMaxRequestTokens, {}};
          if (seed) r.seed = Seed{*seed};
          trace.push_back(r);
        }
        return trace;
      });
}

RC_GTEST_PROP(TraceProperty, WriteThenReadRoundTripsAnyTrace, ()) {
  const auto trace = *AnyTrace();
  RC_PRE(!trace.empty());
  testing::TempDir dir;
  const std::string path = dir.File(*rc::gen::element<std::string>("t.jsonl", "t.jsonl.zst"));
  RC_ASSERT(WriteTrace(trace, path).ok());
  auto back = ReadTrace(path);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == trace);
}

GeneratorOptions AnyOptions() {
  GeneratorOptions o;
  o.count = *rc::gen::inRange<std::uint64_t>(1, 200);
  o.rate_per_s = *rc::gen::inRange(1, 1000);
  o.arrival = *rc::gen::element(ArrivalProcess::kPoisson, ArrivalProcess::kGamma);
  o.cv = *rc::gen::element(0.3, 1.0, 4.0);
  o.prompt = {LengthDistribution::Kind::kLognormal, 200, 1.0};
  o.output = {LengthDistribution::Kind::kUniform, 1, 50};
  o.seed = Seed{*rc::gen::arbitrary<std::uint64_t>()};
  return o;
}

RC_GTEST_PROP(TraceProperty, GeneratorIsDeterministicSortedAndFormatReadable, ()) {
  const GeneratorOptions o = AnyOptions();
  const auto a = GenerateTraceVector(o);
  const auto b = GenerateTraceVector(o);
  RC_ASSERT(a.ok() && b.ok());
  RC_ASSERT(*a == *b);
  RC_ASSERT(a->size() == *o.count);
  for (std::size_t i = 1; i < a->size(); ++i) RC_ASSERT((*a)[i - 1].arrival <= (*a)[i].arrival);
  testing::TempDir dir;
  RC_ASSERT(WriteTrace(*a, dir.File("g.jsonl")).ok());
  RC_ASSERT(ReadTrace(dir.File("g.jsonl")).ok());
}

}  // namespace
}  // namespace rwttt
