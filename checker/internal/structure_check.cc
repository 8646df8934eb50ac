#include "checker/internal/structure_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <tuple>

#include "core/program.h"

namespace rwttt::internal {
namespace {

// What identifies a step of a program: its effect and tokens.
using Key = std::tuple<std::uint32_t, std::uint32_t, Effect>;  // first, end, effect
Key KeyOf(const StepRecord& r) { return {r.first_token, r.end_token, r.effect}; }

std::string DescribeProgramStep(const Step& s) {
  return s.is_read() ? fmt::format("READ of tokens [{},{}) at version {}", s.first_token,
                                   s.end_token, s.tag.version.value())
                     : fmt::format("WRITE closing chunk [{},{}) at version {}", s.first_token,
                                   s.end_token, s.tag.version.value());
}

// The step the owner's program must have next, after its previous step `p` (nullptr: none).
struct Expected {
  Effect effect = Effect::kRead;
  std::uint32_t at = 0;  // a READ's first token, or the token a WRITE closes the chunk at
};

Expected ExpectedAfter(const StepRecord* p, std::uint32_t chunk) {
  if (p == nullptr) return {};
  if (!p->is_write() && chunk > 0 && p->end_token > 0 && p->end_token % chunk == 0) {
    return {Effect::kWrite, p->end_token};
  }
  return {Effect::kRead, p->end_token};
}

std::string DescribeExpected(const Expected& e, std::uint32_t chunk) {
  if (e.effect == Effect::kWrite) {
    return fmt::format("the WRITE closing chunk [{},{})", e.at - chunk, e.at);
  }
  return fmt::format("a READ starting at token {}", e.at);
}

// The end of the program's READ at token `t`, or nullopt past the end of the program.
std::optional<std::uint64_t> ProgramReadEnd(const Request& r, std::uint32_t chunk,
                                            std::uint64_t t) {
  if (t >= r.total_tokens()) return std::nullopt;
  if (t < r.prompt_tokens) return std::min<std::uint64_t>(r.prompt_tokens, (t / chunk + 1) * chunk);
  return t + 1;
}

enum class Fault : std::uint8_t {
  kNone,
  kWrongStep,       // not the expected effect or position
  kEmpty,           // a READ of no tokens
  kCrossesChunk,    // a READ over a chunk boundary
  kPastProgram,     // after the program's last step, or past P + O
  kNotProgramStep,  // the right position, but not the program's span
  kWriteSpan,       // a WRITE that does not cover [end - C, end)
  kTag,             // the tag is not the number of chunks closed before the step
  kTime,            // started before the previous step ended
};

struct OwnerWalk {
  const CheckContext& ctx;
  const Request* request;  // nullptr: the program is known only through C
  std::uint32_t chunk;

  std::int64_t ExpectedTag(const StepRecord& x) const {
    if (chunk == 0) return 0;
    return x.is_write() ? static_cast<std::int64_t>(x.end_token / chunk) - 1
                        : static_cast<std::int64_t>(x.first_token / chunk);
  }

  Fault Judge(const StepRecord& x, const StepRecord* p) const {
    const Expected e = ExpectedAfter(p, chunk);
    if (x.effect != e.effect) return Fault::kWrongStep;
    if (x.is_write()) {
      if (x.end_token != e.at) return Fault::kWrongStep;
      if (x.first_token != e.at - chunk) return Fault::kWriteSpan;
      if (request != nullptr && e.at > request->total_tokens()) return Fault::kPastProgram;
    } else {
      if (x.first_token != e.at) return Fault::kWrongStep;
      if (request != nullptr && x.first_token >= request->total_tokens()) {
        return Fault::kPastProgram;
      }
      if (x.end_token <= x.first_token) return Fault::kEmpty;
      if (chunk > 0 && x.first_token / chunk != (x.end_token - 1) / chunk) {
        return Fault::kCrossesChunk;
      }
      if (request != nullptr) {
        if (x.end_token > request->total_tokens()) return Fault::kPastProgram;
        if (chunk > 0 && x.end_token != *ProgramReadEnd(*request, chunk, x.first_token)) {
          return Fault::kNotProgramStep;
        }
      }
    }
    if (static_cast<std::int64_t>(x.version) != ExpectedTag(x)) return Fault::kTag;
    if (p != nullptr && !Precedes(*p, x)) return Fault::kTime;
    return Fault::kNone;
  }

  std::string Explain(Fault fault, std::uint32_t xi, std::uint32_t pi) const {
    const RecordSet& set = ctx.set;
    const StepRecord& x = set.records[xi];
    const StepRecord* p = pi == kNone ? nullptr : &set.records[pi];
    const std::uint64_t owner = set.OwnerOf(xi);
    const std::string dx = set.Describe(xi);
    const std::string after = p == nullptr ? fmt::format("as owner {}'s first step", owner)
                                           : fmt::format("after {}", set.Describe(pi));
    switch (fault) {
      case Fault::kWrongStep:
        return fmt::format("{} is out of program order: {}, owner {}'s next step is {}", dx, after,
                           owner, DescribeExpected(ExpectedAfter(p, chunk), chunk));
      case Fault::kEmpty:
        return fmt::format("{} covers no tokens: a READ covers at least one", dx);
      case Fault::kCrossesChunk:
        return fmt::format(
            "{} crosses the chunk boundary at token {} (C = {}): a READ stays within one chunk, "
            "and the chunk's WRITE comes between",
            dx, (x.first_token / chunk + 1) * chunk, chunk);
      case Fault::kPastProgram:
        return fmt::format(
            "{} is past the end of owner {}'s program ({} prompt + {} output "
            "tokens)",
            dx, owner, request->prompt_tokens, request->output_tokens);
      case Fault::kNotProgramStep:
        return fmt::format(
            "{} is not the program's READ at token {}, which covers [{},{}) ({} prompt tokens, "
            "C = {})",
            dx, x.first_token, x.first_token, *ProgramReadEnd(*request, chunk, x.first_token),
            request->prompt_tokens, chunk);
      case Fault::kWriteSpan:
        return fmt::format(
            "{} does not cover the chunk [{},{}) it closes (C = {}): every WRITE "
            "closes one full chunk",
            dx, x.end_token - chunk, x.end_token, chunk);
      case Fault::kTag:
        return chunk == 0 ? fmt::format(
                                "{} is tagged version {}, but no WRITE precedes it in its "
                                "program",
                                dx, x.version)
                          : fmt::format(
                                "{} is tagged version {}, but {} chunks (C = {}) close "
                                "before it in its program",
                                dx, x.version, ExpectedTag(x), chunk);
      case Fault::kTime:
        return fmt::format(
            "{} ran over [{}, {}] ns, which does not come after its owner's previous step, {}, "
            "over [{}, {}] ns: a step is ready only when the previous one completed",
            dx, x.start_ns, x.end_ns, set.Describe(pi), p->start_ns, p->end_ns);
      case Fault::kNone:
        break;
    }
    return dx;
  }
};

// The first and the number of program steps for which `present` is false.
struct Missing {
  std::uint64_t count = 0;
  std::optional<Step> first;
};

// Whether (effect, [first, end)) is a step of `r`'s program.
bool IsProgramStep(const Request& r, std::uint32_t chunk, const Key& key) {
  const auto& [first, end, effect] = key;
  if (effect == Effect::kWrite) {
    return end > 0 && end % chunk == 0 && end <= r.total_tokens() &&
           std::uint64_t{first} + chunk == end;
  }
  const std::optional<std::uint64_t> read_end = ProgramReadEnd(r, chunk, first);
  return read_end && *read_end == end;
}

// The program steps of `r` that none of `keys` (sorted, distinct or not) matches. The count comes
// from the closed form less the program steps present; the first is found by walking the program
// only until it, so the cost is O(steps present), never O(program) (a request of 2^31 tokens
// with a step or two in the history).
Missing MissingFromProgram(const Request& r, std::uint32_t chunk, const std::vector<Key>& keys) {
  Missing m;
  std::uint64_t present = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if ((i == 0 || keys[i] != keys[i - 1]) && IsProgramStep(r, chunk, keys[i])) ++present;
  }
  m.count = ProgramStepCount(r.prompt_tokens, r.output_tokens, chunk) - present;
  if (m.count == 0) return m;
  for (ProgramCursor c(r, chunk); !c.done(); c.Advance()) {
    const Step& s = c.step();
    if (!std::binary_search(keys.begin(), keys.end(),
                            Key{s.first_token, s.end_token, s.tag.effect})) {
      m.first = s;
      break;
    }
  }
  return m;
}

void CheckIds(const RecordSet& set, Findings& findings) {
  const auto& records = set.records;
  std::vector<std::uint32_t> order(records.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  auto by_id = [&](std::uint32_t a, std::uint32_t b) {
    return records[a].step_id != records[b].step_id ? records[a].step_id < records[b].step_id
                                                    : a < b;
  };
  // Histories usually number steps in order: skip the sort.
  if (!std::is_sorted(order.begin(), order.end(), by_id)) {
    std::sort(order.begin(), order.end(), by_id);
  }
  for (std::size_t i = 1; i < order.size(); ++i) {
    const StepRecord& a = records[order[i - 1]];
    const StepRecord& b = records[order[i]];
    if (a.step_id != b.step_id) continue;
    findings.Add(AnomalyType::kMalformed, set.OwnerOf(order[i]), [&] {
      return Detail{{b.step_id},
                    fmt::format("step id {} appears more than once (owners {} and {}): step ids "
                                "are unique in a history",
                                b.step_id, set.owner_ids[a.owner_index].value(),
                                set.owner_ids[b.owner_index].value())};
    });
  }
}

}  // namespace

ChunkChoice ChooseChunk(const RecordSet& set, const HistoryHeader& header,
                        const CheckInputs& inputs) {
  if (inputs.model) {
    return {inputs.model->chunk, ChunkSource::kModel, "from model " + inputs.model->name};
  }
  if (header.chunk) return {*header.chunk, ChunkSource::kHeader, "from the header's chunk field"};
  for (const StepRecord& r : set.records) {
    if (r.is_write() && r.end_token > r.first_token) {
      return {r.end_token - r.first_token, ChunkSource::kInferred,
              fmt::format("inferred from the WRITEs' token spans (the first, step {}; the header "
                          "names no model and no chunk)",
                          r.step_id)};
    }
  }
  return {0, ChunkSource::kUnknown,
          "the header names no model and no chunk, and no WRITE has a token span"};
}

CompletenessChoice ChooseCompleteness(const CheckContext& ctx) {
  const CheckInputs& in = ctx.options.inputs;
  if (ctx.trace_known()) {
    if (ctx.chunk > 0) {
      return {Completeness::kFull, fmt::format("every step of every program of {} ({} requests)",
                                               in.TraceWords(), in.trace->size())};
    }
    return {Completeness::kAbsentOwners,
            fmt::format("only that every request of {} with tokens has a step: the chunk size "
                        "is unknown",
                        in.TraceWords())};
  }
  if (ctx.chunk > 0) {
    return {Completeness::kChunkWrites,
            fmt::format("partial: only the WRITE of every chunk a READ completed, as the trace "
                        "is unknown ({})",
                        in.TraceWords())};
  }
  return {Completeness::kNone,
          fmt::format("not checked ({}, and the chunk size is unknown)", in.TraceWords())};
}

namespace {

// One owner's steps (history order) and what structure needs of them.
struct OwnerSteps {
  std::uint32_t owner_index = 0;
  std::span<const std::uint32_t> steps;
  std::vector<std::uint32_t> by_key;  // the steps sorted by key, then history order
  std::vector<Key> keys;              // their keys, in that order
  std::vector<std::uint32_t>
      duplicate_of;  // [steps]: the first earlier step with its key, or kNone

  OwnerSteps(const RecordSet& set, std::uint32_t o) : owner_index(o), steps(set.StepsOf(o)) {
    by_key.assign(steps.begin(), steps.end());
    std::stable_sort(by_key.begin(), by_key.end(), [&](std::uint32_t a, std::uint32_t b) {
      return KeyOf(set.records[a]) < KeyOf(set.records[b]);
    });
    for (const std::uint32_t i : by_key) keys.push_back(KeyOf(set.records[i]));
    duplicate_of.assign(steps.size(), kNone);
    for (std::size_t i = 1, run = 0; i < by_key.size(); ++i) {
      if (keys[i] != keys[i - 1]) {
        run = i;
        continue;
      }
      // `steps` is increasing: find the step's position in it.
      const auto at = std::lower_bound(steps.begin(), steps.end(), by_key[i]) - steps.begin();
      duplicate_of[at] = by_key[run];
    }
  }
  bool Has(std::uint32_t first, std::uint32_t end, Effect effect) const {
    return std::binary_search(keys.begin(), keys.end(), Key{first, end, effect});
  }
};

// duplicate-step and program-order, walking the owner's steps in history order.
void JudgeProgramOrder(const CheckContext& ctx, const OwnerSteps& own, Findings& findings) {
  const RecordSet& set = ctx.set;
  const std::uint64_t owner_id = set.owner_ids[own.owner_index].value();
  const OwnerWalk walk{ctx, ctx.request_of[own.owner_index], ctx.chunk};
  std::uint32_t prev = kNone;
  for (std::size_t i = 0; i < own.steps.size(); ++i) {
    const std::uint32_t xi = own.steps[i];
    const StepRecord& x = set.records[xi];
    if (const std::uint32_t earlier = own.duplicate_of[i]; earlier != kNone) {
      findings.Add(AnomalyType::kDuplicateStep, owner_id, [&] {
        return Detail{
            {set.records[earlier].step_id, x.step_id},
            fmt::format("{} repeats {}: the same {} of tokens [{},{}) ran twice", set.Describe(xi),
                        set.Describe(earlier), EffectName(x.effect), x.first_token, x.end_token)};
      });
      continue;
    }
    const StepRecord* p = prev == kNone ? nullptr : &set.records[prev];
    if (const Fault fault = walk.Judge(x, p); fault != Fault::kNone) {
      findings.Add(AnomalyType::kProgramOrder, owner_id, [&] {
        std::vector<std::uint64_t> ids{x.step_id};
        if (fault == Fault::kTime) ids.insert(ids.begin(), p->step_id);
        return Detail{std::move(ids), walk.Explain(fault, xi, prev)};
      });
    }
    prev = xi;
  }
}

// missing-step for an owner with steps: its whole program when known, else the WRITE of every
// chunk one of its READs completed.
void JudgeCompleteness(const CheckContext& ctx, const OwnerSteps& own, Findings& findings) {
  const RecordSet& set = ctx.set;
  const std::uint32_t chunk = ctx.chunk;
  if (chunk == 0) return;
  const Request* request = ctx.request_of[own.owner_index];
  const std::uint64_t owner_id = set.owner_ids[own.owner_index].value();
  const std::uint64_t last_id = set.records[own.steps.back()].step_id;
  if (request != nullptr) {
    const Missing m = MissingFromProgram(*request, chunk, own.keys);
    if (m.count == 0) return;
    findings.Add(AnomalyType::kMissingStep, owner_id, [&] {
      return Detail{
          {last_id},
          fmt::format("owner {}'s program ({} prompt + {} output tokens, C = {}) has {} "
                      "steps; {} never appear in the history, the first being the {}",
                      owner_id, request->prompt_tokens, request->output_tokens, chunk,
                      ProgramStepCount(request->prompt_tokens, request->output_tokens, chunk),
                      m.count, DescribeProgramStep(*m.first))};
    });
    return;
  }
  std::vector<std::uint32_t> ends;  // chunk boundaries READs end at, without their WRITE
  for (const std::uint32_t i : own.by_key) {
    const StepRecord& r = set.records[i];
    if (r.is_write() || r.end_token == 0 || r.end_token % chunk != 0) continue;
    if (!own.Has(r.end_token - chunk, r.end_token, Effect::kWrite)) ends.push_back(r.end_token);
  }
  std::sort(ends.begin(), ends.end());
  ends.erase(std::unique(ends.begin(), ends.end()), ends.end());
  if (ends.empty()) return;
  findings.Add(AnomalyType::kMissingStep, owner_id, [&] {
    return Detail{{last_id},
                  fmt::format("owner {}'s READs complete {} chunk{} (C = {}) whose WRITE never "
                              "appears in the history, the first the WRITE closing chunk [{},{}) "
                              "at version {}",
                              owner_id, ends.size(), ends.size() == 1 ? "" : "s", chunk,
                              ends.front() - chunk, ends.front(), ends.front() / chunk - 1)};
  });
}

// missing-step for the requests of the trace with no step at all.
void JudgeAbsentOwners(const CheckContext& ctx, Findings& findings) {
  const std::vector<Request>& trace = *ctx.trace;
  std::vector<bool> has_steps(trace.size(), false);
  for (std::uint32_t o = 0; o < ctx.request_of.size(); ++o) {
    const Request* r = ctx.request_of[o];
    if (r != nullptr && !ctx.set.StepsOf(o).empty()) has_steps[r - trace.data()] = true;
  }
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const Request& r = trace[i];
    if (has_steps[i] || r.total_tokens() == 0) continue;
    findings.Add(AnomalyType::kMissingStep, r.id.value(), [&] {
      std::string what =
          ctx.chunk > 0
              ? fmt::format(
                    "all {} steps of its program ({} prompt + {} output tokens, C = {}) "
                    "are missing, the first being the {}",
                    ProgramStepCount(r.prompt_tokens, r.output_tokens, ctx.chunk), r.prompt_tokens,
                    r.output_tokens, ctx.chunk,
                    DescribeProgramStep(ProgramCursor(r, ctx.chunk).step()))
              : fmt::format("its program ({} prompt + {} output tokens) has at least one step",
                            r.prompt_tokens, r.output_tokens);
      return Detail{{},
                    fmt::format("owner {}, a request of {}, has no step in the history: {}",
                                r.id.value(), ctx.options.inputs.TraceWords(), what)};
    });
  }
}

}  // namespace

void CheckStructure(const CheckContext& ctx, Findings& findings) {
  const RecordSet& set = ctx.set;
  for (std::uint32_t o = 0; o < set.owner_ids.size(); ++o) {
    if (set.StepsOf(o).empty()) continue;  // only seen in another owner's stamp
    const OwnerSteps own(set, o);
    if (ctx.trace_known() && ctx.request_of[o] == nullptr) {
      findings.Add(AnomalyType::kMalformed, set.owner_ids[o].value(), [&] {
        return Detail{{set.records[own.steps.front()].step_id},
                      fmt::format("owner {} is not a request of {}", set.owner_ids[o].value(),
                                  ctx.options.inputs.TraceWords())};
      });
    }
    JudgeProgramOrder(ctx, own, findings);
    JudgeCompleteness(ctx, own, findings);
  }
  if (ctx.trace_known()) JudgeAbsentOwners(ctx, findings);
  CheckIds(set, findings);
}

void CheckBatches(const CheckContext& ctx, Findings& findings) {
  const RecordSet& set = ctx.set;
  const auto& records = set.records;
  std::vector<std::uint32_t> order;
  for (std::uint32_t i = 0; i < records.size(); ++i) {
    if (records[i].has_batch) order.push_back(i);
  }
  // By batch, then history order (stable): each batch's first step comes first.
  auto by_batch = [&](std::uint32_t a, std::uint32_t b) {
    return records[a].batch < records[b].batch;
  };
  if (!std::is_sorted(order.begin(), order.end(), by_batch)) {
    std::stable_sort(order.begin(), order.end(), by_batch);
  }
  std::vector<std::uint32_t> owners;  // of one batch, sorted
  for (std::size_t begin = 0; begin < order.size();) {
    std::size_t end = begin + 1;
    while (end < order.size() && records[order[end]].batch == records[order[begin]].batch) ++end;
    const std::uint32_t fi = order[begin];
    const StepRecord& first = records[fi];
    for (std::size_t i = begin + 1; i < end; ++i) {
      const std::uint32_t bi = order[i];
      const StepRecord& b = records[bi];
      if (b.effect != first.effect) {
        findings.Add(AnomalyType::kMixedBatch, set.OwnerOf(bi), [&] {
          return Detail{
              {first.step_id, b.step_id},
              fmt::format("batch {} mixes effects: step {} (owner {}) is a {} and step "
                          "{} (owner {}) a {}; a batch has one effect",
                          b.batch, first.step_id, set.OwnerOf(fi), EffectName(first.effect),
                          b.step_id, set.OwnerOf(bi), EffectName(b.effect))};
        });
      }
    }
    // Owners: sort the batch's (owner, index) pairs; a repeat names the earlier step.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
    for (std::size_t i = begin; i < end; ++i)
      pairs.emplace_back(records[order[i]].owner_index, order[i]);
    std::sort(pairs.begin(), pairs.end());
    for (std::size_t i = 1; i < pairs.size(); ++i) {
      if (pairs[i].first != pairs[i - 1].first) continue;
      const StepRecord& a = records[pairs[i - 1].second];
      const StepRecord& b = records[pairs[i].second];
      findings.Add(AnomalyType::kMixedBatch, set.OwnerOf(pairs[i].second), [&] {
        return Detail{{a.step_id, b.step_id},
                      fmt::format("batch {} holds two steps of owner {}, steps {} and {}; a "
                                  "batch has distinct owners",
                                  b.batch, set.OwnerOf(pairs[i].second), a.step_id, b.step_id)};
      });
    }
    begin = end;
  }
}

}  // namespace rwttt::internal
