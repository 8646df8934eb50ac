#include "checker/internal/serial_reference_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <thread>
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

// Where an owner's history first diverges from its serial reference run: the record and the
// digest the reference gives there.
struct Divergence {
  std::uint32_t index = 0;
  std::uint64_t expected = 0;
};

// Compares one owner's digest steps (`steps`, all of that owner) with its serial reference run
// and returns the first divergence: every later step of the owner diverges too.
std::optional<Divergence> FirstDivergence(const RecordSet& set,
                                          std::span<const std::uint32_t> steps,
                                          OwnerReference ref) {
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
    if (expected != r.digest) return Divergence{index, expected};
  }
  return std::nullopt;
}

void ReportDivergence(const RecordSet& set, const Divergence& at, Findings& findings) {
  const StepRecord& r = set.records[at.index];
  findings.Add(AnomalyType::kDigestMismatch, set.OwnerOf(at.index), [&] {
    return Detail{
        {r.step_id},
        fmt::format(
            "{} is the first divergence from the serial reference: its {} is {:016x}, the serial "
            "run's {:016x}; it diverges at token {}{} (layer unknown: the history records one "
            "digest per step)",
            set.Describe(at.index), r.is_write() ? "state_digest" : "out_digest", r.digest,
            at.expected, r.first_token, r.is_write() ? ", the chunk's update" : "")};
  });
}

// One owner's digest steps: order[begin, end), all of `request`.
struct OwnerSteps {
  std::size_t begin = 0, end = 0;
  const Request* request = nullptr;
};

// Below this many multiply-adds a thread's share is not worth starting it (a few milliseconds of
// the cpu backend; starting a thread costs tens of microseconds): a fuzz iteration's few `tiny`
// owners run on the calling thread alone.
constexpr std::uint64_t kWorkPerThread = std::uint64_t{1} << 24;

// How many threads check 5 runs `owners` on: `requested`, or when 0 the machine's cores but at
// most one per kWorkPerThread multiply-adds of the owners' tokens; never more than the owners.
std::size_t ReferenceThreads(unsigned requested, const ModelProfile& model,
                             std::span<const OwnerSteps> owners) {
  if (requested != 0) return std::min<std::size_t>(requested, owners.size());
  double work = 0;  // an estimate: a double cannot wrap
  for (const OwnerSteps& o : owners) {
    work += (static_cast<double>(o.request->prompt_tokens) + o.request->output_tokens) *
            static_cast<double>(model.token_multiply_adds());
  }
  const double by_work = std::max(1.0, work / static_cast<double>(kWorkPerThread));
  const double cores = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<std::size_t>(
      std::min({cores, static_cast<double>(owners.size()), std::floor(by_work)}));
}

}  // namespace

CheckOutcome CheckSerialReference(const CheckContext& ctx, Findings& findings) {
  if (std::optional<std::string> why = SkipReason(ctx)) return CheckOutcome{false, *why};
  const ModelProfile& model = *ctx.options.inputs.model;
  const RecordSet& set = ctx.set;
  const std::vector<std::uint32_t> order = DigestStepsByOwner(set);
  std::vector<OwnerSteps> owners;
  for (std::size_t begin = 0; begin < order.size();) {
    const std::uint32_t owner = set.records[order[begin]].owner_index;
    std::size_t end = begin;
    while (end < order.size() && set.records[order[end]].owner_index == owner) ++end;
    // An owner that is not a request of the trace is a structure finding.
    if (const Request* request = ctx.request_of[owner]) owners.push_back({begin, end, request});
    begin = end;
  }
  const Seed seed{*ctx.header.seed};
  // One cpu backend per worker thread, the shared weights generated once; owners are independent,
  // so they run in any order and each gives the same reference on any worker.
  std::vector<CpuBackend> workers(1);
  if (Status s = workers[0].Reset(model, /*num_slots=*/1, seed); !s.ok()) {
    return CheckOutcome{false, "cannot run the serial reference: " + s.error().ToString()};
  }
  const std::size_t num_workers = ReferenceThreads(ctx.options.reference_threads, model, owners);
  workers.reserve(std::max<std::size_t>(num_workers, 1));
  while (workers.size() < num_workers) {
    CpuBackend more;
    if (!more.ShareWeightsOf(workers[0], /*num_slots=*/1).ok()) break;  // fewer threads then
    workers.push_back(std::move(more));
  }
  std::vector<std::optional<Divergence>> divergence(owners.size());
  std::atomic<std::size_t> next{0};
  auto work = [&](CpuBackend& cpu) {
    for (std::size_t n = next++; n < owners.size(); n = next++) {
      const OwnerSteps& o = owners[n];
      divergence[n] = FirstDivergence(set, std::span(order).subspan(o.begin, o.end - o.begin),
                                      RunSerialReference(cpu, model, *o.request, seed));
    }
  };
  {
    std::vector<std::jthread> threads;
    for (std::size_t w = 1; w < workers.size(); ++w)
      threads.emplace_back(work, std::ref(workers[w]));
    work(workers[0]);
  }
  // Reported in owner order, whatever order the workers finished in.
  for (const std::optional<Divergence>& d : divergence) {
    if (d) ReportDivergence(set, *d, findings);
  }
  return CheckOutcome{};
}

}  // namespace rwttt::internal
