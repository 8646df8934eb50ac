#include "checker/internal/serial_reference_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "core/cpu_backend.h"
#include "core/model_profile.h"
#include "core/serial_reference.h"

namespace rwttt::internal {

CheckOutcome CheckSerialReference(const HistoryHeader& header, const CheckOptions& options,
                                  const std::vector<StepRecord>& records,
                                  const std::vector<OwnerId>& owner_ids, Findings& findings) {
  auto skipped = [](std::string why) { return CheckOutcome{false, std::move(why)}; };
  if (!header.trace || !header.model || !header.seed) {
    return skipped(
        "the history header names no trace, model or seed (a history of another "
        "system)");
  }
  if (!options.load_trace) return skipped("no trace loader was given to the checker");
  std::filesystem::path trace_path(*header.trace);
  if (trace_path.is_relative() && !options.trace_dir.empty()) {
    trace_path = std::filesystem::path(options.trace_dir) / trace_path;
  }
  Result<std::vector<Request>> requests = options.load_trace(trace_path.string());
  if (!requests.ok()) return skipped("cannot load the trace: " + requests.error().ToString());
  Result<ModelProfile> model = LoadModelProfile(*header.model);
  if (!model.ok()) return skipped("cannot load the model: " + model.error().ToString());
  std::sort(requests->begin(), requests->end(),
            [](const Request& a, const Request& b) { return a.id < b.id; });

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
  if (Status s = cpu.Reset(*model, /*num_slots=*/1, seed); !s.ok()) {
    return skipped("cannot run the serial reference: " + s.error().ToString());
  }
  for (std::size_t begin = 0; begin < order.size();) {
    const std::uint32_t owner = records[order[begin]].owner;
    std::size_t end = begin;
    while (end < order.size() && records[order[end]].owner == owner) ++end;
    const OwnerId id = owner_ids[owner];
    const auto req = std::lower_bound(requests->begin(), requests->end(), id,
                                      [](const Request& r, OwnerId o) { return r.id < o; });
    if (req == requests->end() || req->id != id) {
      findings.Add("malformed", id.value(), {records[order[begin]].step_id}, [&] {
        return fmt::format("owner {} is not a request of the trace {}", id.value(), *header.trace);
      });
      begin = end;
      continue;
    }
    OwnerReference ref = RunSerialReference(cpu, *model, *req, seed);
    auto key = [](const Step& s) { return std::make_pair(s.first_token, s.is_read() ? 0 : 1); };
    std::sort(
        ref.steps.begin(), ref.steps.end(),
        [&](const ReferenceStep& a, const ReferenceStep& b) { return key(a.step) < key(b.step); });
    for (std::size_t i = begin; i < end; ++i) {
      const StepRecord& r = records[order[i]];
      const auto want = std::make_pair(r.first_token, r.write ? 1 : 0);
      const auto it =
          std::lower_bound(ref.steps.begin(), ref.steps.end(), want,
                           [&](const ReferenceStep& s, const std::pair<std::uint32_t, int>& k) {
                             return key(s.step) < k;
                           });
      // A step that is not in the program was reported by the structure check.
      if (it == ref.steps.end() || key(it->step) != want || it->step.end_token != r.end_token) {
        continue;
      }
      const std::uint64_t expected = r.write ? it->state_digest : it->out_digest;
      if (expected == r.digest) continue;
      findings.Add("digest-mismatch", id.value(), {r.step_id}, [&] {
        return fmt::format(
            "step {} (owner {}, {} of tokens [{},{}) at version {}) is the first "
            "divergence from the serial reference: its {} is {:016x}, the serial "
            "run's {:016x}; it diverges at token {}{} (layer unknown: the history "
            "records one digest per step)",
            r.step_id, id.value(), r.write ? "WRITE" : "READ", r.first_token, r.end_token,
            r.version, r.write ? "state_digest" : "out_digest", r.digest, expected, r.first_token,
            r.write ? ", the chunk's update" : "");
      });
      break;  // every later step of this owner diverges too
    }
    begin = end;
  }
  return CheckOutcome{};
}

}  // namespace rwttt::internal
