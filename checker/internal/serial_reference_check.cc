#include "checker/internal/serial_reference_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/cpu_backend.h"
#include "core/model_profile.h"
#include "core/serial_reference.h"

namespace rwttt::internal {

namespace {

// Why the serial reference cannot run on this history, or nothing when it can.
std::optional<std::string> SkipReason(const CheckContext& ctx) {
  const HistoryHeader& header = ctx.header;
  const CheckInputs& in = ctx.options.inputs;
  if (!header.trace && !header.model && !header.seed) {
    return "the history header names no trace, model or seed (a history of another system)";
  }
  if (!ctx.options.reference) return "turned off (--no-reference)";
  if (!in.trace) return in.TraceWords();
  if (!in.model) return in.model_note.empty() ? "no model was given" : in.model_note;
  if (!header.seed) return "the history header names no seed";
  return std::nullopt;
}

// The steps that carry a digest, grouped by owner id (in history order within an owner).
std::vector<std::uint32_t> DigestStepsByOwner(const RecordSet& set) {
  std::vector<std::uint32_t> order;
  for (std::uint32_t i = 0; i < set.records.size(); ++i) {
    if (set.records[i].has_digest) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return set.owner_ids[set.records[a].owner_index] < set.owner_ids[set.records[b].owner_index];
  });
  return order;
}

// Compares one owner's digest steps (`steps`, all of that owner) with its serial reference run
// and reports the first divergence: every later step of the owner diverges too.
void CompareWithReference(const RecordSet& set, std::span<const std::uint32_t> steps,
                          OwnerReference ref, Findings& findings) {
  auto key = [](const Step& s) { return std::make_pair(s.first_token, s.is_read() ? 0 : 1); };
  std::sort(
      ref.steps.begin(), ref.steps.end(),
      [&](const ReferenceStep& a, const ReferenceStep& b) { return key(a.step) < key(b.step); });
  for (const std::uint32_t index : steps) {
    const StepRecord& r = set.records[index];
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
    findings.Add(AnomalyType::kDigestMismatch, set.OwnerOf(index), [&] {
      return Detail{
          {r.step_id},
          fmt::format(
              "{} is the first divergence from the serial reference: its {} is {:016x}, the serial "
              "run's {:016x}; it diverges at token {}{} (layer unknown: the history records one "
              "digest per step)",
              set.Describe(index), r.is_write() ? "state_digest" : "out_digest", r.digest, expected,
              r.first_token, r.is_write() ? ", the chunk's update" : "")};
    });
    return;
  }
}

}  // namespace

CheckOutcome CheckSerialReference(const CheckContext& ctx, Findings& findings) {
  if (std::optional<std::string> why = SkipReason(ctx)) return CheckOutcome{false, *why};
  const ModelProfile& model = *ctx.options.inputs.model;
  const RecordSet& set = ctx.set;
  const std::vector<std::uint32_t> order = DigestStepsByOwner(set);
  CpuBackend cpu;
  const Seed seed{*ctx.header.seed};
  if (Status s = cpu.Reset(model, /*num_slots=*/1, seed); !s.ok()) {
    return CheckOutcome{false, "cannot run the serial reference: " + s.error().ToString()};
  }
  for (std::size_t begin = 0; begin < order.size();) {
    const std::uint32_t owner = set.records[order[begin]].owner_index;
    std::size_t end = begin;
    while (end < order.size() && set.records[order[end]].owner_index == owner) ++end;
    // An owner that is not a request of the trace is a structure finding.
    if (const Request* request = ctx.request_of[owner]) {
      CompareWithReference(set, std::span(order).subspan(begin, end - begin),
                           RunSerialReference(cpu, model, *request, seed), findings);
    }
    begin = end;
  }
  return CheckOutcome{};
}

}  // namespace rwttt::internal
