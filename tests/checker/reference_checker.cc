// The reference checker: a straight transcription of docs/checker.md, "The rules, precisely"
// (checks 1-4, with check 2's "The base slot (copy-on-write version 0)" and "Moves (a host tier)")
// and "The dependency graph". Quotes from the doc are in double quotes. Every place where the text
// admits more than one reading is marked "AMBIGUOUS:" with the reading chosen (the most literal
// one).
//
// Deliberately simple: every rule scans the whole history (O(n^2)); the graph is an adjacency
// matrix with one rt edge per ordered pair.
//
// Moves (HistoryStep with moved_to set) sit in the same vector as the steps, in history order.
// "For checks 1, 3, 4 and 5, moves are not steps: they are in no program, no batch and no
// dependency graph, and a move's seen_version is not judged." So every rule about steps filters
// them out through IsStep (IsRead, IsWrite, CommitSlot, CommitVersion, StepsOf, HistoryOwners
// included); only check 1's start order and move ids, and check 2's move rules, look at moves.
#include "tests/checker/reference_checker.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "checker/history.h"
#include "core/request.h"
#include "core/step.h"
#include "core/strong_types.h"

namespace rwttt::testing {
namespace {

// "a version, seen_version, commit_version or token beyond 2^32 - 2" is malformed.
constexpr std::uint64_t kMaxValue = (std::uint64_t{1} << 32) - 2;

// Everything a rule needs to read, and where findings go.
struct Context {
  const std::vector<HistoryStep>& history;
  std::optional<std::uint64_t> chunk;      // C, when known
  const std::vector<Request>* trace;       // null when the trace is unknown
  std::optional<std::uint64_t> base_slot;  // B, when the header declares `base_slot`
  std::vector<ReferenceFinding>* findings;

  void Report(std::string type, std::string rule, std::optional<std::size_t> index) const {
    findings->push_back(ReferenceFinding{std::move(type), std::move(rule), index});
  }
};

// Whether a record of the history is a step (not a move). A move's effect, version, tokens, batch
// and commit fields are unused, so a move is neither a READ nor a WRITE.
bool IsStep(const HistoryStep& s) { return !s.is_move(); }
bool IsRead(const HistoryStep& s) { return IsStep(s) && s.effect == Effect::kRead; }
bool IsWrite(const HistoryStep& s) { return IsStep(s) && s.effect == Effect::kWrite; }

// The version a step commits: a WRITE's commit_version; nullopt when it commits nothing.
// AMBIGUOUS: commit fields are "WRITE only"; a READ carrying them (which the reader rejects) is
// taken to commit nothing, and a WRITE without commit_version commits nothing (the brief: "treat
// absent as no commit").
std::optional<std::uint64_t> CommitVersion(const HistoryStep& s) {
  if (!IsWrite(s) || !s.commit_version) return std::nullopt;
  return s.commit_version->value();
}

// The slot a step commits into; nullopt when it commits nothing (same reading as CommitVersion).
std::optional<std::uint64_t> CommitSlot(const HistoryStep& s) {
  if (!IsWrite(s) || !s.commit_slot) return std::nullopt;
  return *s.commit_slot;
}

// ---------------------------------------------------------------------------------------------
// The base slot and the stamp a step saw.

// "When the header declares base_slot: B, slot B holds version 0, every owner's": whether `s` is
// "a step x of owner o with slot == B". Never true for a history without base_slot ("a history
// without base_slot has no base slot: slot numbers mean what they always meant"), nor for a move
// (a move's base rule is CheckMoveBase's).
bool InBase(const Context& ctx, const HistoryStep& s) {
  return IsStep(s) && ctx.base_slot && s.slot == *ctx.base_slot;
}

// A stamp (owner, version).
struct Stamp {
  OwnerId owner;
  std::uint64_t version;
};

// The stamp a step saw, as checks 3 and 4 take it: "(o, v) seen by a step is its (seen_owner,
// seen_version)", except that "For checks 3 and 4, a step with slot == B saw (o, 0), whatever it
// logged: the base holds version 0." (Check 2 judges the logged stamp; check 1's value range too.)
Stamp Seen(const Context& ctx, const HistoryStep& s) {
  if (InBase(ctx, s)) return Stamp{s.owner, 0};
  return Stamp{s.seen_owner, s.seen_version.value()};
}

// ---------------------------------------------------------------------------------------------
// Real time.

// "Step x precedes y when x.end < y.start, or x.end == y.start and at least one of the two took
// time (end > start)."
bool Precedes(const HistoryStep& x, const HistoryStep& y) {
  if (x.end < y.start) return true;
  return x.end == y.start && (x.end > x.start || y.end > y.start);
}

// "Two steps overlap when neither precedes the other."
bool Overlap(const HistoryStep& x, const HistoryStep& y) {
  return !Precedes(x, y) && !Precedes(y, x);
}

// ---------------------------------------------------------------------------------------------
// The chunk size, the program and the tag rule.

// "The chunk size C comes from, in this order: the model the header names; the header's chunk
// field; else it is inferred: the span b - a of the first WRITE in history order with b > a."
// AMBIGUOUS: a given chunk of 0 names no chunk size; it is treated as absent (C is inferred).
// AMBIGUOUS: the inferring WRITE need not carry commit fields; any WRITE step with b > a counts.
std::optional<std::uint64_t> ChunkSize(const std::vector<HistoryStep>& history,
                                       const ReferenceInputs& inputs) {
  if (inputs.chunk && *inputs.chunk > 0) return *inputs.chunk;
  for (const HistoryStep& s : history) {
    if (IsWrite(s) && s.end_token > s.first_token) return s.end_token - s.first_token;
  }
  return std::nullopt;
}

// The owner's request in the trace, or null (trace unknown, or owner not in it).
// AMBIGUOUS: a trace naming one id twice is not specified; the first request with the id wins.
const Request* FindRequest(const Context& ctx, OwnerId owner) {
  if (ctx.trace == nullptr) return nullptr;
  for (const Request& r : *ctx.trace) {
    if (r.id == owner) return &r;
  }
  return nullptr;
}

// A step of a program: an effect and tokens [first, end).
struct ProgramStep {
  Effect effect;
  std::uint64_t first;
  std::uint64_t end;
};

// (floor(t / c) + 1) * c, the next chunk boundary after t; cannot overflow for t < 2^33.
std::uint64_t NextBoundary(std::uint64_t t, std::uint64_t c) { return (t / c + 1) * c; }

// "the READ at token t exists when t < P + O; it covers [t, min(P, (floor(t/C) + 1)·C)) when
// t < P (prefill) and [t, t + 1) otherwise (decode)."
std::optional<ProgramStep> ReadAt(std::uint64_t t, const Request& r, std::uint64_t c) {
  const std::uint64_t p = r.prompt_tokens;
  if (t >= r.total_tokens()) return std::nullopt;
  if (t < p) return ProgramStep{Effect::kRead, t, std::min(p, NextBoundary(t, c))};
  return ProgramStep{Effect::kRead, t, t + 1};
}

// "the WRITE closing e exists when e > 0, e % C == 0 and e <= P + O; it covers [e - C, e)."
std::optional<ProgramStep> WriteClosing(std::uint64_t e, const Request& r, std::uint64_t c) {
  if (e == 0 || e % c != 0 || e > r.total_tokens()) return std::nullopt;
  return ProgramStep{Effect::kWrite, e - c, e};
}

// "The program starts with the READ at 0; after a READ [a, b) comes the WRITE closing b when
// b % C == 0, else the READ at b; after the WRITE closing e comes the READ at e; it ends where the
// next step does not exist."
std::vector<ProgramStep> Program(const Request& r, std::uint64_t c) {
  std::vector<ProgramStep> program;
  std::optional<ProgramStep> next = ReadAt(0, r, c);
  while (next) {
    program.push_back(*next);
    const ProgramStep last = program.back();
    if (last.effect == Effect::kRead && last.end % c == 0) {
      next = WriteClosing(last.end, r, c);
    } else {
      next = ReadAt(last.end, r, c);
    }
  }
  return program;
}

// The tag rule: "a READ [a, b) is tagged floor(a / C), the WRITE closing e is tagged e / C - 1.
// With C unknown, every READ is tagged 0." Returns nullopt when the rule names no version.
// AMBIGUOUS: a WRITE is taken to close its own end token e = b. A WRITE closing e < C would be
// tagged -1, which no version equals; with C unknown the rule says nothing about a WRITE (such a
// WRITE is out of order anyway: after anything, with C unknown, a READ is expected).
std::optional<std::uint64_t> TagRule(const HistoryStep& s, std::optional<std::uint64_t> c) {
  if (IsRead(s)) return c ? s.first_token / *c : 0;
  if (!c || s.end_token < *c) return std::nullopt;
  return s.end_token / *c - 1;
}

// The positions of `owner`'s steps (not its moves), in history order.
std::vector<std::size_t> StepsOf(const Context& ctx, OwnerId owner) {
  std::vector<std::size_t> steps;
  for (std::size_t i = 0; i < ctx.history.size(); ++i) {
    if (IsStep(ctx.history[i]) && ctx.history[i].owner == owner) steps.push_back(i);
  }
  return steps;
}

// Every owner with a step in the history, in id order.
// AMBIGUOUS: an owner that appears only in moves has no step: it is not an owner of the history
// for check 1 (a move's owner not in the trace is not "malformed", since "Check 1 judges a move's
// line only for its start order ... and its id"; and a trace owner with only moves "has no step at
// all" for missing-step).
std::set<OwnerId> HistoryOwners(const Context& ctx) {
  std::set<OwnerId> owners;
  for (const HistoryStep& s : ctx.history) {
    if (IsStep(s)) owners.insert(s.owner);
  }
  return owners;
}

// ---------------------------------------------------------------------------------------------
// Check 1: structure. "Each owner's steps are walked in history order."

// "duplicate-step: a step with the same effect and the same tokens as an earlier step of its
// owner (it ran twice)." Returns, per step, whether it is a duplicate.
std::vector<bool> Duplicates(const Context& ctx) {
  const std::vector<HistoryStep>& h = ctx.history;
  std::vector<bool> duplicate(h.size(), false);
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (!IsStep(h[i])) continue;
    for (std::size_t j = 0; j < i; ++j) {
      if (IsStep(h[j]) && h[j].owner == h[i].owner && h[j].effect == h[i].effect &&
          h[j].first_token == h[i].first_token && h[j].end_token == h[i].end_token) {
        duplicate[i] = true;
      }
    }
  }
  return duplicate;
}

void CheckDuplicateStep(const Context& ctx, const std::vector<bool>& duplicate) {
  for (std::size_t i = 0; i < duplicate.size(); ++i) {
    if (duplicate[i]) ctx.Report("duplicate-step", "structure/duplicate-step", i);
  }
}

// Whether `x` is in program order after `p` (null: x is its owner's first non-duplicate step),
// as "program-order" defines it; `rule` receives the first condition that fails.
bool InProgramOrder(const Context& ctx, const HistoryStep& x, const HistoryStep* p,
                    std::string* rule) {
  const std::optional<std::uint64_t> c = ctx.chunk;
  // "The expected step is: with no p, a READ starting at 0; after a READ p = [a', b'), the WRITE
  // closing b' when C is known, b' > 0 and b' % C == 0, else a READ starting at b'; after a WRITE
  // p = [a', b'), a READ starting at b'."
  Effect expected_effect = Effect::kRead;
  std::uint64_t expected_token = 0;  // a READ's first token, or the WRITE's closing token
  if (p != nullptr) {
    expected_token = p->end_token;
    const std::uint64_t b = p->end_token;
    if (IsRead(*p) && c && b > 0 && b % *c == 0) expected_effect = Effect::kWrite;
  }
  // "it has the expected effect and starts at the expected token; a READ is not empty (b > a)
  // and, with C known, never crosses a chunk boundary (floor(a/C) == floor((b-1)/C)); a WRITE
  // covers exactly [b - C, b) where b is the expected closing token"
  if (x.effect != expected_effect) {
    *rule = "structure/program-order/effect";
    return false;
  }
  if (IsRead(x)) {
    if (x.first_token != expected_token) {
      *rule = "structure/program-order/start";
      return false;
    }
    if (x.end_token <= x.first_token) {
      *rule = "structure/program-order/empty-read";
      return false;
    }
    if (c && x.first_token / *c != (x.end_token - 1) / *c) {
      *rule = "structure/program-order/crosses-chunk";
      return false;
    }
  } else {
    // Here C is known and b >= C: a WRITE is expected only then. Its first token is b - C.
    if (x.first_token != expected_token - *c || x.end_token != expected_token) {
      *rule = "structure/program-order/write-span";
      return false;
    }
  }
  // "when the owner's request is in the trace (and C is known), it is exactly the program's step
  // there: the READ at a or the WRITE closing b, which must exist (a step past the end of the
  // program is out of order); with C unknown, a READ ends by P + O"
  // AMBIGUOUS: "the READ at a" is the rule's READ at token a, whether or not the program's walk
  // from 0 reaches token a (after an earlier misplaced step it may not).
  if (const Request* r = FindRequest(ctx, x.owner); r != nullptr) {
    if (c) {
      const std::optional<ProgramStep> want =
          IsRead(x) ? ReadAt(x.first_token, *r, *c) : WriteClosing(x.end_token, *r, *c);
      if (!want || want->first != x.first_token || want->end != x.end_token) {
        *rule = "structure/program-order/not-the-program-step";
        return false;
      }
    } else if (IsRead(x) && x.end_token > r->total_tokens()) {
      *rule = "structure/program-order/read-past-end";
      return false;
    }
  }
  // "its tag follows the tag rule"
  const std::optional<std::uint64_t> tag = TagRule(x, c);
  if (!tag || *tag != x.version.value()) {
    *rule = "structure/program-order/tag";
    return false;
  }
  // "p, if any, precedes x in real time"
  if (p != nullptr && !Precedes(*p, x)) {
    *rule = "structure/program-order/real-time";
    return false;
  }
  return true;
}

// "program-order: every other step x is judged against p, the latest earlier step of its owner
// that is not a duplicate (none for the owner's first step)."
void CheckProgramOrder(const Context& ctx, const std::vector<bool>& duplicate) {
  for (OwnerId owner : HistoryOwners(ctx)) {
    const HistoryStep* p = nullptr;
    for (std::size_t i : StepsOf(ctx, owner)) {
      if (duplicate[i]) continue;  // "A duplicate is not judged ... and is skipped"
      std::string rule;
      if (!InProgramOrder(ctx, ctx.history[i], p, &rule)) ctx.Report("program-order", rule, i);
      p = &ctx.history[i];
    }
  }
}

// Whether some step of `owner` has this effect and these tokens ("same effect and tokens").
bool Matched(const Context& ctx, OwnerId owner, Effect effect, std::uint64_t first,
             std::uint64_t end) {
  for (const HistoryStep& s : ctx.history) {
    if (IsStep(s) && s.owner == owner && s.effect == effect && s.first_token == first &&
        s.end_token == end) {
      return true;
    }
  }
  return false;
}

// "missing-step, at most one per owner: a step the owner's program certainly contains that no step
// of the owner matches (same effect and tokens)."
void CheckMissingStep(const Context& ctx) {
  std::set<OwnerId> owners = HistoryOwners(ctx);
  if (ctx.trace != nullptr) {
    for (const Request& r : *ctx.trace) owners.insert(r.id);
  }
  for (OwnerId owner : owners) {
    const Request* r = FindRequest(ctx, owner);
    bool missing = false;
    if (r != nullptr && ctx.chunk) {
      // "When the owner's request is in the trace and C is known, that is every step of its
      // program, so an owner of the trace with no step at all is reported too"
      for (const ProgramStep& want : Program(*r, *ctx.chunk)) {
        if (!Matched(ctx, owner, want.effect, want.first, want.end)) missing = true;
      }
    } else if (r != nullptr) {
      // "with the trace known and C unknown, only an owner with P + O > 0 that has no step at all"
      missing = r->total_tokens() > 0 && StepsOf(ctx, owner).empty();
    } else if (ctx.chunk) {
      // "Without the trace (or for an owner not in it) and with C known ... the WRITE closing b
      // for every READ of the owner that ends on a chunk boundary (b > 0, b % C == 0) is required."
      // AMBIGUOUS: "every READ" includes READs that are duplicates, out of order or empty.
      const std::uint64_t c = *ctx.chunk;
      for (std::size_t i : StepsOf(ctx, owner)) {
        const HistoryStep& s = ctx.history[i];
        const std::uint64_t b = s.end_token;
        if (IsRead(s) && b > 0 && b % c == 0 && !Matched(ctx, owner, Effect::kWrite, b - c, b)) {
          missing = true;
        }
      }
    }
    if (missing) ctx.Report("missing-step", "structure/missing-step", std::nullopt);
  }
}

// "mixed-batch: among the steps that share a batch id, a step whose effect differs from the first
// step of the batch (history order), and a step whose owner already has an earlier step in the
// batch." A step with no batch is in no batch; a move is in no batch ("moves are not steps: they
// are in no program, no batch"), whatever its unused batch field holds.
void CheckMixedBatch(const Context& ctx) {
  const std::vector<HistoryStep>& h = ctx.history;
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (!IsStep(h[i]) || !h[i].batch) continue;
    const HistoryStep* first = nullptr;
    bool owner_seen = false;
    for (std::size_t j = 0; j < i; ++j) {
      if (!IsStep(h[j]) || h[j].batch != h[i].batch) continue;
      if (first == nullptr) first = &h[j];
      if (h[j].owner == h[i].owner) owner_seen = true;
    }
    if (first != nullptr && first->effect != h[i].effect) {
      ctx.Report("mixed-batch", "structure/mixed-batch/effect", i);
    }
    if (owner_seen) ctx.Report("mixed-batch", "structure/mixed-batch/owner", i);
  }
}

// "malformed: a step whose start_ns is smaller than the largest start_ns before it; a step id used
// by an earlier step; a version, seen_version, commit_version or token beyond 2^32 - 2; an owner
// that is not a request of the trace (once per owner, when the trace is known)."
// Moves: "Check 1 judges a move's line only for its start order (a move whose start_ns is below the
// largest start_ns before it, of a step or a move, is malformed) and its id (a move id used by an
// earlier move is malformed)."
// AMBIGUOUS: what the reader rejects (end_ns < start_ns, first > end, a READ with commit fields)
// is not a rule of checks 1-4 and is not judged here. commit_version is judged whenever present.
// AMBIGUOUS: "the largest start_ns before it" for a step counts the moves before it too (a move
// "sits in start order with the steps"), so a step starting below an earlier move's start_ns is
// malformed. Step ids and move ids are separate name spaces: a step id is compared with earlier
// steps' ids only ("unique in the history" is read as among the steps, since a move is "unique
// among the moves"), a move id with earlier moves' ids only; a move whose id equals a step's is
// not malformed. A move's seen_version is not range-checked ("a move's seen_version is not
// judged"; its other fields are unused).
void CheckStartOrder(const Context& ctx, std::size_t i) {
  const std::vector<HistoryStep>& h = ctx.history;
  for (std::size_t j = 0; j < i; ++j) {
    if (h[j].start > h[i].start) {
      ctx.Report("malformed", "structure/malformed/start-order", i);
      return;
    }
  }
}

void CheckRepeatedId(const Context& ctx, std::size_t i) {
  const std::vector<HistoryStep>& h = ctx.history;
  for (std::size_t j = 0; j < i; ++j) {
    if (h[j].is_move() == h[i].is_move() && h[j].step == h[i].step) {
      ctx.Report("malformed",
                 h[i].is_move() ? "structure/malformed/repeated-move-id"
                                : "structure/malformed/repeated-id",
                 i);
      return;
    }
  }
}

void CheckMalformed(const Context& ctx) {
  const std::vector<HistoryStep>& h = ctx.history;
  for (std::size_t i = 0; i < h.size(); ++i) {
    const HistoryStep& x = h[i];
    CheckStartOrder(ctx, i);
    CheckRepeatedId(ctx, i);
    if (!IsStep(x)) continue;
    const bool beyond = x.version.value() > kMaxValue || x.seen_version.value() > kMaxValue ||
                        (x.commit_version && x.commit_version->value() > kMaxValue) ||
                        x.first_token > kMaxValue || x.end_token > kMaxValue;
    if (beyond) ctx.Report("malformed", "structure/malformed/value-range", i);
  }
  if (ctx.trace != nullptr) {
    for (OwnerId owner : HistoryOwners(ctx)) {
      if (FindRequest(ctx, owner) == nullptr) {
        ctx.Report("malformed", "structure/malformed/owner-not-in-trace", StepsOf(ctx, owner)[0]);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Check 2: owner isolation.

// "for each slot, the owner that holds it and whose state is in it"
struct SlotEntry {
  std::optional<OwnerId> holder;
  std::optional<OwnerId> state;
};

// The replayed table: "for each slot, the owner that holds it and whose state is in it; for each
// owner, its current slot (the slot of its latest step)". A move into b makes b its owner's
// current slot too ("b is o's current slot").
struct SlotTable {
  std::map<std::uint64_t, SlotEntry> slots;  // std::map: references stay valid across insertions
  std::map<OwnerId, std::uint64_t> current_slot;
  // The positions of the moves that are a use of their source slot: "the source is used until the
  // copy ends: when o holds a, m is also o's latest use of a" (decided when the move is replayed,
  // by the table before it).
  std::set<std::size_t> source_uses;
};

// "foreign stamp: seen_owner != o is an owner-leak (it found another owner's state)." It holds in
// the base slot too: "a foreign seen_owner is an owner-leak (the foreign-stamp rule)".
void CheckForeignStamp(const Context& ctx, std::size_t i) {
  const HistoryStep& x = ctx.history[i];
  if (x.seen_owner != x.owner) ctx.Report("owner-leak", "isolation/foreign-stamp", i);
}

// Whether the record at position `j` is a use of slot `k` for the rule for entering a held slot: "a
// step that read or committed it, or a move into or out of it" (the moves section's definition of
// h's latest use y). A move out of k is one only when its owner held k then ("the source is used
// until the copy ends: when o holds a, m is also o's latest use of a"): table.source_uses.
// AMBIGUOUS: a move out of k by an owner that did not hold k (a move-source finding) is no use of
// k. (It could not be the latest use of an owner that holds k later anyway: that owner entered k
// again after it.)
bool UsesSlot(const Context& ctx, const SlotTable& table, std::size_t j, std::uint64_t k) {
  const HistoryStep& s = ctx.history[j];
  if (s.is_move()) return *s.moved_to == k || (s.slot == k && table.source_uses.count(j) == 1);
  return s.slot == k || CommitSlot(s) == k;
}

// "entering a held slot: when another owner h holds k, let y be h's latest step that read or
// committed k. If y does not precede x in real time, or h's current slot is still k and h has any
// step after x in the history, it is an owner-leak." The record at `i` enters slot `k`; `rule` is
// the rule name's prefix ("isolation/held-slot" when a step x reads k,
// "isolation/base-write-entry" when a WRITE in the base slot commits into k,
// "isolation/move-destination" when a move m enters its to_slot k: "m enters b by the rule for
// entering a held slot, with m as the entering record").
// AMBIGUOUS: "latest" is taken in history order among the records before x (the replay has not
// seen later ones); "after x in the history" is a later position in the file.
// AMBIGUOUS: y is h's latest use of k including a move of h into or out of k (UsesSlot), for a
// step entering k as well as for a move (the step rule says "h's latest step that read or
// committed k", but the moves section makes "m ... o's latest use of b" and "m is also o's latest
// use of a" part of the table, which only matters to later entries, and says "a step or move
// entering a while the copy out of it runs is an owner-leak"). "h has any step after x" counts h's
// steps only, not its moves (moves are not steps; a later move of h out of k is caught by the
// source rule instead). "Precedes" between a record and a move uses the move's own [start_ns,
// end_ns].
void CheckEntry(const Context& ctx, const SlotTable& table, std::size_t i, std::uint64_t k,
                const std::string& rule) {
  const std::vector<HistoryStep>& h = ctx.history;
  const OwnerId o = h[i].owner;
  const auto entry = table.slots.find(k);
  if (entry == table.slots.end() || !entry->second.holder || *entry->second.holder == o) return;
  const OwnerId holder = *entry->second.holder;
  const HistoryStep* y = nullptr;  // exists: h holds k only after a use of k by h
  for (std::size_t j = i; j-- > 0;) {
    if (h[j].owner == holder && UsesSlot(ctx, table, j, k)) {
      y = &h[j];
      break;
    }
  }
  bool holder_later = false;
  for (std::size_t j = i + 1; j < h.size(); ++j) {
    if (IsStep(h[j]) && h[j].owner == holder) holder_later = true;
  }
  const bool still_live = table.current_slot.at(holder) == k && holder_later;
  if (y == nullptr || !Precedes(*y, h[i])) {
    ctx.Report("owner-leak", rule + "/concurrent", i);
  } else if (still_live) {
    ctx.Report("owner-leak", rule + "/live", i);
  }
}

// "a stamp that contradicts the table: when o already holds k and its previous step was in k too,
// but the table says the state in k is another owner's (a foreign commit landed there since), a
// step that logs its own stamp is an owner-leak: the log contradicts what the slot holds."
// "its previous step was in k" is read as o's current slot (the slot of its latest step) == k.
// AMBIGUOUS: with a base slot, a step in B leaves "o's current slot ... as it was", so a step in B
// between o's steps in k does not count as o's previous step here (o is still taken to have been
// in k); and a WRITE in B that entered c = commit_slot makes c o's current slot, so o's next step
// in c is judged as one whose previous step was in c.
// AMBIGUOUS: likewise with moves: a move into b makes b o's current slot ("b is o's current
// slot"), so o's next step in b is judged as one whose previous step was in b, and a step in a
// slot o moved out of is not (even though o's previous *step* was there). (Either reading differs
// only where a foreign commit landed in a slot that o holds, which commit-elsewhere reports.)
void CheckStampAgainstTable(const Context& ctx, const SlotTable& table, std::size_t i) {
  const HistoryStep& x = ctx.history[i];
  const OwnerId o = x.owner;
  const auto entry = table.slots.find(x.slot);
  const auto o_current = table.current_slot.find(o);
  if (entry == table.slots.end() || o_current == table.current_slot.end()) return;
  if (entry->second.holder == o && o_current->second == x.slot && entry->second.state &&
      *entry->second.state != o && x.seen_owner == o) {
    ctx.Report("owner-leak", "isolation/stamp-contradicts-table", i);
  }
}

// "a WRITE whose commit_slot differs from its slot is an owner-leak (a state is updated in
// place)". "The in-place rule (commit_slot != slot) does not apply to" a WRITE with slot == B.
void CheckCommitInPlace(const Context& ctx, std::size_t i) {
  const HistoryStep& x = ctx.history[i];
  if (InBase(ctx, x)) return;
  const std::optional<std::uint64_t> commit_slot = CommitSlot(x);
  if (commit_slot && *commit_slot != x.slot) {
    ctx.Report("owner-leak", "isolation/commit-elsewhere", i);
  }
}

// "A commit into B (commit_slot == B, by any WRITE) is an owner-leak: it overwrites the version 0
// of every owner that reads the base."
void CheckBaseCommit(const Context& ctx, std::size_t i) {
  if (ctx.base_slot && CommitSlot(ctx.history[i]) == *ctx.base_slot) {
    ctx.Report("owner-leak", "isolation/base-commit", i);
  }
}

// "A step x of owner o with slot == B ... must log the stamp (o, 0): a foreign seen_owner is an
// owner-leak (the foreign-stamp rule), and its own owner with seen_version != 0 is an owner-leak
// too (the log contradicts what the base holds)." The foreign case is CheckForeignStamp's.
void CheckBaseStamp(const Context& ctx, std::size_t i) {
  const HistoryStep& x = ctx.history[i];
  if (InBase(ctx, x) && x.seen_owner == x.owner && x.seen_version.value() != 0) {
    ctx.Report("owner-leak", "isolation/base-stamp", i);
  }
}

// "A WRITE with slot == B (an owner's first WRITE, tagged 0) commits version 1 into a private slot
// c = commit_slot, c != B: that commit is o's entry into c, judged by the rule for entering a held
// slot with x as the entering step (...); then o holds c, the state in c is o's, and c is o's
// current slot."
// AMBIGUOUS: "an owner's first WRITE, tagged 0" describes the engine, not a condition: every WRITE
// in B with a commit_slot != B enters its commit_slot (a later or mis-tagged one is check 3's
// lost-update, since it saw (o, 0)). When o itself holds c, no other owner does and the entry rule
// has nothing to judge. A WRITE in B without commit fields (which the reader rejects) commits
// nothing and enters nothing; one committing into B enters nothing (CheckBaseCommit reports it).
void ReplayBaseWriteEntry(const Context& ctx, SlotTable* table, std::size_t i) {
  const HistoryStep& x = ctx.history[i];
  const std::optional<std::uint64_t> c = CommitSlot(x);
  if (!InBase(ctx, x) || !c || *c == *ctx.base_slot) return;
  CheckEntry(ctx, *table, i, *c, "isolation/base-write-entry");
  SlotEntry& entry = table->slots[*c];
  entry.holder = x.owner;
  entry.state = x.owner;
  table->current_slot[x.owner] = *c;
}

// ---------------------------------------------------------------------------------------------
// Check 2: moves (a host tier). "A move m of owner o from slot a to slot b is judged in history
// order among the steps, with the same table". Here a = m.slot, b = *m.moved_to.

// "foreign stamp: seen_owner != o is an owner-leak (it moved another owner's state)."
void CheckMoveForeignStamp(const Context& ctx, std::size_t i) {
  const HistoryStep& m = ctx.history[i];
  if (m.seen_owner != m.owner) ctx.Report("owner-leak", "isolation/move-foreign-stamp", i);
}

// "the base: when the header declares base_slot: B, a == B or b == B is an owner-leak (the base is
// no owner's to move, and a move into it overwrites every owner's version 0)." One finding per
// move, even when a == b == B.
void CheckMoveBase(const Context& ctx, std::size_t i) {
  const HistoryStep& m = ctx.history[i];
  if (ctx.base_slot && (m.slot == *ctx.base_slot || *m.moved_to == *ctx.base_slot)) {
    ctx.Report("owner-leak", "isolation/move-base", i);
  }
}

// "the source: when the state in a, by the table, is not o's (no owner's state was ever put there,
// or another owner's state was put there since o's), it is an owner-leak: o moved a state that is
// not its own."
// AMBIGUOUS: the rule has no exception for a == B: steps in the base never put a state there in
// the table, so a move out of the base is a move-source finding as well as a move-base one (both
// owner-leak).
void CheckMoveSource(const Context& ctx, const SlotTable& table, std::size_t i) {
  const HistoryStep& m = ctx.history[i];
  const auto entry = table.slots.find(m.slot);
  if (entry == table.slots.end() || !entry->second.state || *entry->second.state != m.owner) {
    ctx.Report("owner-leak", "isolation/move-source", i);
  }
}

// "its own steps: o's step just before m in the history must precede m in real time (a state
// copied while a step of its owner still runs on it), and o's step just after m in the history
// must come after m in real time (a step that read its state before the copy that put it there
// ended); otherwise it is an uncommitted-read (...), one finding per move."
// AMBIGUOUS: "o's step" is a step, not a move: other moves of o between are skipped (an offload
// and the restore right after it are not compared with each other; each is compared with the
// steps around the pair). Any step of o counts, a duplicate or a step in the base included. "Come
// after m" is read as "m precedes it" (the equality clause included). An owner with no step
// before (after) m has nothing to judge on that side.
void CheckMoveOwnSteps(const Context& ctx, std::size_t i) {
  const std::vector<HistoryStep>& h = ctx.history;
  const HistoryStep& m = h[i];
  const HistoryStep* before = nullptr;
  for (std::size_t j = i; j-- > 0;) {
    if (IsStep(h[j]) && h[j].owner == m.owner) {
      before = &h[j];
      break;
    }
  }
  const HistoryStep* after = nullptr;
  for (std::size_t j = i + 1; j < h.size(); ++j) {
    if (IsStep(h[j]) && h[j].owner == m.owner) {
      after = &h[j];
      break;
    }
  }
  if ((before != nullptr && !Precedes(*before, m)) || (after != nullptr && !Precedes(m, *after))) {
    ctx.Report("uncommitted-read", "isolation/move-own-steps", i);
  }
}

// "the destination: m enters b by the rule for entering a held slot, with m as the entering record
// (...). Then o holds b, the state in b is o's, b is o's current slot, and m is o's latest use of
// b." (m being o's latest use of b is UsesSlot's: CheckEntry finds it by searching the history
// backwards.)
// "the source is used until the copy ends: when o holds a, m is also o's latest use of a. Nothing
// else changes there: a's holder and state stay as they were" (table.source_uses, read by
// UsesSlot; "o holds a" by the table before m).
// AMBIGUOUS: the rules are checked in the order the doc lists them, all against the table before
// m, and the table is updated whatever they found (as for a step). A move into B (already a
// move-base finding) still enters B in the table: the base section's "does not enter B" is said of
// steps only ("These rules replace the ones above for the steps they name"). A move's seen_version
// plays no part in check 2 either. A move with a == b is a use of b (a move into it) whoever held
// it.
void ReplayMove(const Context& ctx, SlotTable* table, std::size_t i) {
  const HistoryStep& m = ctx.history[i];
  const std::uint64_t a = m.slot;
  const std::uint64_t b = *m.moved_to;
  CheckMoveForeignStamp(ctx, i);
  CheckMoveBase(ctx, i);
  CheckMoveSource(ctx, *table, i);
  CheckEntry(ctx, *table, i, b, "isolation/move-destination");
  const auto source = table->slots.find(a);
  if (source != table->slots.end() && source->second.holder == m.owner) {
    table->source_uses.insert(i);
  }
  SlotEntry& entry = table->slots[b];
  entry.holder = m.owner;
  entry.state = m.owner;
  table->current_slot[m.owner] = b;
  CheckMoveOwnSteps(ctx, i);
}

// "The checker replays the history in history order with its own table: for each slot, the owner
// that holds it and whose state is in it; for each owner, its current slot (the slot of its latest
// step)."
void CheckOwnerIsolation(const Context& ctx) {
  const std::vector<HistoryStep>& h = ctx.history;
  SlotTable table;
  for (std::size_t i = 0; i < h.size(); ++i) {
    const HistoryStep& x = h[i];
    if (x.is_move()) {
      ReplayMove(ctx, &table, i);
      continue;
    }
    const OwnerId o = x.owner;
    const std::uint64_t k = x.slot;
    CheckForeignStamp(ctx, i);
    CheckBaseCommit(ctx, i);
    if (InBase(ctx, x)) {
      // "A step x of owner o with slot == B does not enter B: the table's holder, state and o's
      // current slot are left as they were, so any number of owners may read B, at once or one
      // after another."
      CheckBaseStamp(ctx, i);
      ReplayBaseWriteEntry(ctx, &table, i);
      continue;
    }
    CheckEntry(ctx, table, i, k, "isolation/held-slot");
    CheckStampAgainstTable(ctx, table, i);
    // "then o holds k, the state in k is o's, and k is o's current slot."
    SlotEntry& entry = table.slots[k];
    entry.holder = o;
    entry.state = o;
    table.current_slot[o] = k;
    // "after any commit the state in commit_slot is o's, while the slot's holder stays who it was"
    CheckCommitInPlace(ctx, i);
    if (const std::optional<std::uint64_t> commit_slot = CommitSlot(x)) {
      table.slots[*commit_slot].state = o;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Check 3: version linearizability.

// ""The owner's WRITEs" are o's WRITE steps other than the step judged. What a step x of owner o
// observed (seen version sv, tag v) is judged by the first four rules, and only when
// seen_owner == o (...); the last rule judges every WRITE's commit"
void CheckObserved(const Context& ctx, std::size_t i);
void CheckCommit(const Context& ctx, std::size_t i);

void CheckVersions(const Context& ctx) {
  for (std::size_t i = 0; i < ctx.history.size(); ++i) {
    // "For checks 1, 3, 4 and 5, moves are not steps": a move is neither judged nor one of "the
    // owner's WRITEs" (IsWrite is false for it).
    if (!IsStep(ctx.history[i])) continue;
    // With a base slot, a step in B "saw (o, 0)": its seen owner is its own.
    if (Seen(ctx, ctx.history[i]).owner == ctx.history[i].owner) CheckObserved(ctx, i);
    CheckCommit(ctx, i);
  }
}

void CheckObserved(const Context& ctx, std::size_t i) {
  const std::vector<HistoryStep>& h = ctx.history;
  {
    const HistoryStep& x = h[i];
    const OwnerId o = x.owner;
    const std::uint64_t sv = Seen(ctx, x).version;  // 0 for a step in the base slot
    const std::uint64_t v = x.version.value();
    const char* older = IsRead(x) ? "stale-read" : "lost-update";
    // "the owner's WRITEs": o's WRITE steps other than x.
    auto owner_write = [&](std::size_t j) { return j != i && h[j].owner == o && IsWrite(h[j]); };

    // "sv > v is a future-read; sv < v is a stale-read for a READ and a lost-update for a WRITE"
    if (sv > v) ctx.Report("future-read", "versions/seen-above-tag", i);
    if (sv < v) ctx.Report(older, "versions/seen-below-tag", i);

    // "let L be the highest commit_version of the owner's WRITEs that precede x (0 if none):
    // sv < L is a stale-read (READ) or lost-update (WRITE)"
    std::uint64_t latest = 0;
    for (std::size_t j = 0; j < h.size(); ++j) {
      const std::optional<std::uint64_t> cv = CommitVersion(h[j]);
      if (owner_write(j) && cv && Precedes(h[j], x)) latest = std::max(latest, *cv);
    }
    if (sv < latest) ctx.Report(older, "versions/seen-below-latest-commit", i);

    // "when sv > 0 and none of the owner's WRITEs committing sv precedes x: a future-read (...),
    // unless one of them overlaps x (...: the next rule reports that uncommitted-read)". Reporting
    // it here too changes no type set.
    if (sv > 0) {
      bool committed_before = false;
      bool committing_during = false;
      for (std::size_t j = 0; j < h.size(); ++j) {
        if (!owner_write(j) || CommitVersion(h[j]) != sv) continue;
        if (Precedes(h[j], x)) committed_before = true;
        if (Overlap(h[j], x)) committing_during = true;
      }
      if (!committed_before) {
        if (committing_during) {
          ctx.Report("uncommitted-read", "versions/seen-version-being-committed", i);
        } else {
          ctx.Report("future-read", "versions/seen-version-not-committed", i);
        }
      }
    }

    // "uncommitted-read (G1b): x overlaps in real time a WRITE of its owner"
    // AMBIGUOUS: any WRITE step of the owner counts, with or without commit fields.
    for (std::size_t j = 0; j < h.size(); ++j) {
      if (owner_write(j) && Overlap(h[j], x)) {
        ctx.Report("uncommitted-read", "versions/overlaps-own-write", i);
        break;
      }
    }
  }
}

void CheckCommit(const Context& ctx, std::size_t i) {
  const std::vector<HistoryStep>& h = ctx.history;
  const HistoryStep& x = h[i];
  const OwnerId o = x.owner;
  auto owner_write = [&](std::size_t j) { return j != i && h[j].owner == o && IsWrite(h[j]); };
  {
    // "a WRITE's commit: let M be the highest commit_version of the owner's WRITEs earlier in the
    // history (0 if none). commit_version <= M is a lost-update; commit_version > M + 1 is a
    // version-gap."
    if (const std::optional<std::uint64_t> cv = CommitVersion(x)) {
      std::uint64_t highest = 0;
      for (std::size_t j = 0; j < i; ++j) {
        const std::optional<std::uint64_t> earlier = CommitVersion(h[j]);
        if (owner_write(j) && earlier) highest = std::max(highest, *earlier);
      }
      if (*cv <= highest) ctx.Report("lost-update", "versions/commit-not-above-highest", i);
      if (*cv > highest && *cv - highest > 1) {
        ctx.Report("version-gap", "versions/commit-skips", i);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Check 4: the dependency graph.

// A directed graph on the steps as an adjacency matrix. Self-loops are never added. A move keeps
// its vertex (indices are history positions) but gets no edge, so it lies on no cycle.
class Graph {
 public:
  explicit Graph(std::size_t n) : edges_(n, std::vector<bool>(n, false)) {}
  void Add(std::size_t from, std::size_t to) {
    if (from != to) edges_[from][to] = true;
  }
  // Whether the graph has a directed cycle (Kahn: a vertex never freed lies on or after a cycle).
  bool HasCycle() const {
    const std::size_t n = edges_.size();
    std::vector<std::size_t> in_degree(n, 0);
    for (std::size_t u = 0; u < n; ++u) {
      for (std::size_t v = 0; v < n; ++v) in_degree[v] += edges_[u][v] ? 1 : 0;
    }
    std::deque<std::size_t> ready;
    for (std::size_t v = 0; v < n; ++v) {
      if (in_degree[v] == 0) ready.push_back(v);
    }
    std::size_t removed = 0;
    while (!ready.empty()) {
      const std::size_t u = ready.front();
      ready.pop_front();
      ++removed;
      for (std::size_t v = 0; v < n; ++v) {
        if (edges_[u][v] && --in_degree[v] == 0) ready.push_back(v);
      }
    }
    return removed != n;
  }

 private:
  std::vector<std::vector<bool>> edges_;  // [n][n]: edges_[from][to]
};

// "the WRITE committing (o, v)" means "the earliest WRITE in history order whose owner is o and
// commit_version is v". Keyed by (o, v).
std::map<std::pair<OwnerId, std::uint64_t>, std::size_t> Committers(const Context& ctx) {
  std::map<std::pair<OwnerId, std::uint64_t>, std::size_t> committer;
  for (std::size_t i = 0; i < ctx.history.size(); ++i) {
    if (const std::optional<std::uint64_t> cv = CommitVersion(ctx.history[i])) {
      committer.emplace(std::pair{ctx.history[i].owner, *cv}, i);  // keeps the earliest
    }
  }
  return committer;
}

void CheckCycle(const Context& ctx) {
  const std::vector<HistoryStep>& h = ctx.history;
  const std::size_t n = h.size();
  Graph graph(n);
  const auto committer = Committers(ctx);
  auto find_committer = [&](OwnerId o, std::uint64_t v) -> std::optional<std::size_t> {
    const auto it = committer.find({o, v});
    if (it == committer.end()) return std::nullopt;
    return it->second;
  };

  // po: "a step -> the next step of its owner in history order"
  for (OwnerId owner : HistoryOwners(ctx)) {
    const std::vector<std::size_t> steps = StepsOf(ctx, owner);
    for (std::size_t k = 0; k + 1 < steps.size(); ++k) graph.Add(steps[k], steps[k + 1]);
  }
  // wr: "the WRITE committing (o, v) -> each other step that saw (o, v), v > 0"
  // (a step in the base slot "saw (o, 0)": it has no wr edge)
  for (std::size_t j = 0; j < n; ++j) {
    if (!IsStep(h[j])) continue;  // moves are in "no dependency graph"
    const Stamp seen = Seen(ctx, h[j]);
    if (seen.version == 0) continue;
    if (const std::optional<std::size_t> w = find_committer(seen.owner, seen.version)) {
      graph.Add(*w, j);
    }
  }
  // ww: "an owner's WRITEs in order of (commit_version, history order): each -> the next"
  // AMBIGUOUS: a WRITE without commit_version has no place in that order and gets no ww edge.
  for (OwnerId owner : HistoryOwners(ctx)) {
    std::vector<std::pair<std::uint64_t, std::size_t>> writes;  // (commit_version, position)
    for (std::size_t i : StepsOf(ctx, owner)) {
      if (const std::optional<std::uint64_t> cv = CommitVersion(h[i])) writes.emplace_back(*cv, i);
    }
    std::sort(writes.begin(), writes.end());
    for (std::size_t k = 0; k + 1 < writes.size(); ++k) {
      graph.Add(writes[k].second, writes[k + 1].second);
    }
  }
  // rw: "a step that saw (o, v) -> the WRITE committing (o, v+1), unless it is that step"
  // (a step in the base slot saw (o, 0): its rw edge goes to the WRITE committing (o, 1))
  for (std::size_t j = 0; j < n; ++j) {
    if (!IsStep(h[j])) continue;
    const Stamp seen = Seen(ctx, h[j]);
    if (seen.version == std::numeric_limits<std::uint64_t>::max()) continue;  // no v + 1
    if (const std::optional<std::size_t> w = find_committer(seen.owner, seen.version + 1)) {
      graph.Add(j, *w);
    }
  }
  // rt: "a step -> every step it precedes in real time", one explicit edge per pair.
  // AMBIGUOUS: the barrier construction's "a path exists exactly when the first ended before the
  // second started" reads as a plain end < start; the edges here follow "precedes" (with its
  // equality clause), as the definition of real time says and the brief asks.
  for (std::size_t x = 0; x < n; ++x) {
    for (std::size_t y = 0; y < n; ++y) {
      if (x != y && IsStep(h[x]) && IsStep(h[y]) && Precedes(h[x], h[y])) graph.Add(x, y);
    }
  }
  if (graph.HasCycle()) ctx.Report("cycle", "graph/cycle", std::nullopt);
}

}  // namespace

std::vector<ReferenceFinding> ReferenceFindings(const std::vector<HistoryStep>& history,
                                                const ReferenceInputs& inputs) {
  std::vector<ReferenceFinding> findings;
  const Context ctx{history, ChunkSize(history, inputs), inputs.trace ? &*inputs.trace : nullptr,
                    inputs.base_slot, &findings};
  // Check 1: structure.
  const std::vector<bool> duplicate = Duplicates(ctx);
  CheckDuplicateStep(ctx, duplicate);
  CheckProgramOrder(ctx, duplicate);
  CheckMissingStep(ctx);
  CheckMixedBatch(ctx);
  CheckMalformed(ctx);
  // Check 2: owner isolation (with the base slot's rules when the header declares one).
  CheckOwnerIsolation(ctx);
  // Check 3: version linearizability.
  CheckVersions(ctx);
  // Check 4: dependency graph.
  CheckCycle(ctx);
  return findings;
}

std::set<std::string> ReferenceAnomalyTypes(const std::vector<HistoryStep>& history,
                                            const ReferenceInputs& inputs) {
  std::set<std::string> types;
  for (const ReferenceFinding& f : ReferenceFindings(history, inputs)) types.insert(f.type);
  return types;
}

}  // namespace rwttt::testing
