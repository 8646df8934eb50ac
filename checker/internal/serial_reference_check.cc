#include "checker/internal/serial_reference_check.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/cpu_backend.h"
#include "core/model_profile.h"
#include "core/serial_reference.h"

namespace rwttt::internal {

CheckOutcome CheckSerialReference(const CheckContext& ctx, Findings& findings) {
  auto skipped = [](std::string why) { return CheckOutcome{false, std::move(why)}; };
  const HistoryHeader& header = ctx.header;
  const CheckInputs& in = ctx.options.inputs;
  if (!header.trace && !header.model && !header.seed) {
    return skipped(
        "the history header names no trace, model or seed (a history of another system)");
  }
  if (!ctx.options.reference) return skipped("turned off (--no-reference)");
  if (!in.trace) return skipped(in.TraceWords());
  if (!in.model) return skipped(in.model_note.empty() ? "no model was given" : in.model_note);
  if (!header.seed) return skipped("the history header names no seed");
  const ModelProfile& model = *in.model;
  const Records& records = ctx.set.records;
  const std::vector<OwnerId>& owner_ids = ctx.set.owner_ids;

  // The steps with digests, by owner and then history order.
  std::vector<std::uint32_t> order;
  for (std::uint32_t i = 0; i < records.size(); ++i) {
    if (records[i].has_digest) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return owner_ids[records[a].owner] < owner_ids[records[b].owner];
  });
  CpuBackend cpu;
  const Seed seed{*header.seed};
  if (Status s = cpu.Reset(model, /*num_slots=*/1, seed); !s.ok()) {
    return skipped("cannot run the serial reference: " + s.error().ToString());
  }
  for (std::size_t begin = 0; begin < order.size();) {
    const std::uint32_t owner = records[order[begin]].owner;
    std::size_t end = begin;
    while (end < order.size() && records[order[end]].owner == owner) ++end;
    const OwnerId id = owner_ids[owner];
    const Request* req = ctx.request_of[owner];
    if (req == nullptr) {  // not a request of the trace: a structure finding
      begin = end;
      continue;
    }
    OwnerReference ref = RunSerialReference(cpu, model, *req, seed);
    auto key = [](const Step& s) { return std::make_pair(s.first_token, s.is_read() ? 0 : 1); };
    std::sort(
        ref.steps.begin(), ref.steps.end(),
        [&](const ReferenceStep& a, const ReferenceStep& b) { return key(a.step) < key(b.step); });
    for (std::size_t i = begin; i < end; ++i) {
      const StepRecord& r = records[order[i]];
      const auto want = std::make_pair(r.first_token, r.is_write() ? 1 : 0);
      const auto it =
          std::lower_bound(ref.steps.begin(), ref.steps.end(), want,
                           [&](const ReferenceStep& s, const std::pair<std::uint32_t, int>& k) {
                             return key(s.step) < k;
                           });
      // A step that is not in the program was reported by the structure check.
      if (it == ref.steps.end() || key(it->step) != want || it->step.end_token != r.end_token) {
        continue;
      }
      const std::uint64_t expected = r.is_write() ? it->state_digest : it->out_digest;
      if (expected == r.digest) continue;
      findings.Add(AnomalyType::kDigestMismatch, id.value(), [&] {
        return Detail{{r.step_id}, fmt::format(
            "step {} (owner {}, {} of tokens [{},{}) at version {}) is the first "
            "divergence from the serial reference: its {} is {:016x}, the serial "
            "run's {:016x}; it diverges at token {}{} (layer unknown: the history "
            "records one digest per step)",
            r.step_id, id.value(), EffectName(r.effect), r.first_token, r.end_token,
            r.version, r.is_write() ? "state_digest" : "out_digest", r.digest, expected,
            r.first_token, r.is_write() ? ", the chunk's update" : "")};
      });
      break;  // every later step of this owner diverges too
    }
    begin = end;
  }
  return CheckOutcome{};
}

}  // namespace rwttt::internal
