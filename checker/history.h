// History format v1 (DESIGN §6): the record of every executed step, as the simulator writes it and
// other serving systems log it. The contract with other systems: field names and meanings are
// fixed; docs/checker.md has the grammar and a worked example.
//
//   {"format":"rwttt-history","version":1,"policy":"rwttt","seed":7,"backend":"cpu",
//    "trace":"t.jsonl","model":"tiny","hardware":"h100-sxm","chunk":8}
//   {"step":0,"batch":0,"owner":3,"effect":"READ","version":0,"tokens":[0,8],"start_ns":0,
//    "end_ns":1200,"slot":0,"seen_owner":3,"seen_version":0,"out_digest":"9f0c..."}
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/step.h"
#include "core/strong_types.h"

namespace rwttt {

struct HistoryHeader {
  std::string policy;
  std::string backend;
  // Null in histories of other systems; step 5 (serial reference) then is skipped. A relative
  // trace, model or hardware file is looked for in the history's folder, then the working
  // directory (checker/check_inputs.h).
  std::optional<std::uint64_t> seed;
  std::optional<std::string> trace;
  std::optional<std::string> model;
  std::optional<std::string> hardware;
  // Tokens per chunk (C), optional: for histories that name no model. When both are given they
  // must agree.
  std::optional<std::uint32_t> chunk;
  // The copy-on-write base slot, optional: the slot holding version 0, every owner's
  // (docs/checker.md#the-base-slot-copy-on-write-version-0). Absent: no slot is shared.
  std::optional<std::uint64_t> base_slot;
};

// One executed step: what it claimed (its tag) and what it observed. Or, with `moved_to` set, a
// move (docs/checker.md#moves-a-host-tier): the line {"move": id, ...}, a state copied from
// `slot` to `*moved_to` over [start, end] carrying the stamp (seen_owner, seen_version); `step` is
// the move's id (unique among moves), and effect, version, tokens, batch, commit fields and
// digests are unused.
struct HistoryStep {
  std::uint64_t step = 0;              // unique id in this history
  std::optional<std::uint64_t> batch;  // the launch it ran in
  OwnerId owner;
  Effect effect = Effect::kRead;
  Version version;                // the tag: the version it claims to read
  std::uint64_t first_token = 0;  // tokens: [first_token, end_token)
  std::uint64_t end_token = 0;
  Nanos start{0};
  Nanos end{0};
  std::uint64_t slot = 0;  // the slot it read
  OwnerId seen_owner;      // the stamp found in that slot
  Version seen_version;
  std::optional<std::uint64_t> commit_slot;   // WRITE only
  std::optional<Version> commit_version;      // WRITE only
  std::optional<std::uint64_t> out_digest;    // READ, hex in the file
  std::optional<std::uint64_t> state_digest;  // WRITE, hex in the file
  std::optional<std::uint64_t> moved_to;      // a move's to_slot; nullopt for a step
  bool is_move() const { return moved_to.has_value(); }
};

// The record of a move of `owner`'s state, stamped (owner, version), from slot `from` to `to`.
inline HistoryStep HistoryMove(std::uint64_t id, OwnerId owner, Version version, std::uint64_t from,
                               std::uint64_t to, Nanos start, Nanos end) {
  HistoryStep h;
  h.step = id;
  h.owner = owner;
  h.slot = from;
  h.moved_to = to;
  h.start = start;
  h.end = end;
  h.seen_owner = owner;
  h.seen_version = version;
  return h;
}

// The record a correct execution logs for `s`, run as step `id` in `slot` over [start, end): it
// found its own tag in the slot and, for a WRITE, committed the next version there. Batch and
// digests are left for the caller. (Generators of valid histories: benchmarks, property tests.)
inline HistoryStep CorrectHistoryStep(const Step& s, std::uint64_t id, std::uint64_t slot,
                                      Nanos start, Nanos end) {
  HistoryStep h;
  h.step = id;
  h.owner = s.tag.owner;
  h.effect = s.tag.effect;
  h.version = s.tag.version;
  h.first_token = s.first_token;
  h.end_token = s.end_token;
  h.start = start;
  h.end = end;
  h.slot = slot;
  h.seen_owner = s.tag.owner;
  h.seen_version = s.tag.version;
  if (!s.is_read()) {
    h.commit_slot = slot;
    h.commit_version = s.tag.version.Next();
  }
  return h;
}

}  // namespace rwttt
