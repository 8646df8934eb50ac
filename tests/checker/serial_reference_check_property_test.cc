// Check 5 (the serial reference) on owners run by several threads: a history whose digests are the
// serial runs' own, with random digests flipped, gets one digest-mismatch per corrupted owner, at
// that owner's first flipped step (the expectation computed here from the flips alone), and the
// same report, byte for byte, on 1 thread as on many.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "checker/check_report.h"
#include "checker/history_checker.h"
#include "core/model_profile.h"
#include "core/serial_reference.h"
#include "tests/checker/history_builder.h"
#include "tests/support/property.h"

namespace rwttt {
namespace {

using testing::HistoryBuilder;

RC_GTEST_PROP(SerialReferenceCheckProperty, FindsEveryCorruptedOwnerOnAnyNumberOfThreads, ()) {
  const std::string model_name =
      *rc::gen::element<std::string>("tiny", "lact-tiny", "low-rank-tiny");
  const ModelProfile model = LoadModelProfile(model_name).value();
  const auto owners = *rc::gen::inRange<std::uint32_t>(1, 9);
  std::vector<Request> trace;
  for (std::uint32_t o = 0; o < owners; ++o) {
    trace.push_back(Request{.id = OwnerId{100 + o},
                            .arrival = Nanos{0},
                            .prompt_tokens = *rc::gen::inRange<std::uint32_t>(1, 20),
                            .output_tokens = *rc::gen::inRange<std::uint32_t>(1, 12),
                            .seed = {}});
  }
  // The owners one after another, each step after the last; flips chosen per step.
  HistoryBuilder h;
  std::map<std::uint64_t, std::uint64_t> first_flip;  // owner -> its first flipped step id
  std::int64_t t = 0;
  std::uint64_t step_id = 0;
  for (const Request& request : trace) {
    for (const ReferenceStep& r : RunSerialReference(model, request, Seed{3}).steps) {
      const Step& s = r.step;
      const std::pair<std::uint64_t, std::uint64_t> tokens{s.first_token, s.end_token};
      const std::uint64_t owner = request.id.value();
      HistoryStep& step = s.is_read() ? h.Read(owner, s.tag.version.value(), tokens, t, t + 5)
                                      : h.Write(owner, s.tag.version.value(), tokens, t, t + 5);
      std::uint64_t digest = s.is_read() ? r.out_digest : r.state_digest;
      if (*rc::gen::inRange(0, 10) == 0) {
        digest ^= std::uint64_t{1} << *rc::gen::inRange(0, 64);
        first_flip.emplace(owner, step_id);
      }
      (s.is_read() ? step.out_digest : step.state_digest) = digest;
      t += 5;
      ++step_id;
    }
  }
  const HistoryHeader header{.policy = "x",
                             .backend = "cpu",
                             .seed = 3,
                             .trace = "t.jsonl",
                             .model = model_name,
                             .hardware = {},
                             .chunk = {},
                             .base_slot = {}};
  auto check = [&](unsigned threads) {
    CheckOptions o;
    o.inputs.trace = trace;
    o.inputs.model = model;
    o.reference_threads = threads;
    return h.Check(o, header);
  };
  const CheckReport one = check(1);
  RC_ASSERT(one.checks[static_cast<int>(CheckKind::kSerialReference)].ran);
  std::map<std::uint64_t, std::uint64_t> found;
  for (const Anomaly& a : one.anomalies) {
    RC_ASSERT(a.type == AnomalyType::kDigestMismatch);
    RC_ASSERT(a.steps.size() == 1u);
    RC_ASSERT(a.owner.has_value());
    RC_ASSERT(found.emplace(*a.owner, a.steps[0]).second);  // one per owner
  }
  RC_ASSERT(found == first_flip);
  const std::string expected = RenderJson(one);
  for (const unsigned threads : {2u, 3u, 16u}) RC_ASSERT(RenderJson(check(threads)) == expected);
}

}  // namespace
}  // namespace rwttt
