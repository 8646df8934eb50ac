#include "tests/gpu/backend_harness.h"

#include <algorithm>
#include <set>
#include <variant>

#include "core/cpu_backend.h"
#include "core/program.h"

namespace rwttt::testing {
namespace {

// A random permutation of `v`, drawn with RapidCheck (Fisher-Yates), so that it shrinks.
std::vector<std::uint32_t> Shuffled(std::vector<std::uint32_t> v) {
  for (std::size_t i = v.size(); i > 1; --i) {
    std::swap(v[i - 1], v[*rc::gen::inRange<std::size_t>(0, i)]);
  }
  return v;
}

}  // namespace

ModelProfile SmallProfile(std::uint32_t d_model, std::uint32_t d_ff, std::uint32_t layers,
                          std::uint32_t chunk, DType dtype, DType state_dtype, float eta) {
  ModelProfile m;
  m.name = "test";
  m.d_model = d_model;
  m.d_ff = d_ff;
  m.layers = layers;
  for (std::uint32_t l = 0; l < layers; ++l) m.ttt_layers.push_back(l);
  m.chunk = chunk;
  m.dtype = dtype;
  m.state_dtype = state_dtype;
  m.learning_rate = eta;
  return m;
}

void GenStateKind(ModelProfile& m) {
  // The index into StateKind's alternatives: in-place, LaCT, low-rank.
  const int kind = *rc::gen::element(0, 1, 2);
  if (kind == 1) {
    LactSwigluKind lact;
    lact.heads = *rc::gen::inRange<std::uint32_t>(1, 4);
    m.d_model = lact.heads * *rc::gen::inRange<std::uint32_t>(1, 7);  // heads divide d_model
    lact.fast_dim = *rc::gen::inRange<std::uint32_t>(1, 11);
    lact.muon = *rc::gen::arbitrary<bool>();
    lact.weight_norm = *rc::gen::arbitrary<bool>();
    m.state_kind = lact;
  } else if (kind == 2) {
    LowRankKind low_rank;
    low_rank.rank = *rc::gen::inRange<std::uint32_t>(1, 5);
    low_rank.up = *rc::gen::arbitrary<bool>();
    low_rank.down = !low_rank.up || *rc::gen::arbitrary<bool>();
    m.state_kind = low_rank;
  } else {
    m.state_kind = InplaceTttKind{};
  }
}

ModelProfile WithStateKind(ModelProfile m, const StateKind& kind) {
  if (std::holds_alternative<LactSwigluKind>(kind)) {
    m.d_model = 2 * ((m.d_model + 1) / 2);
    m.state_kind = LactSwigluKind{.heads = 2, .fast_dim = 5, .muon = true, .weight_norm = true};
  } else if (std::holds_alternative<LowRankKind>(kind)) {
    m.state_kind = LowRankKind{.rank = 3, .up = true, .down = true};
  } else {
    m.state_kind = kind;
  }
  return m;
}

rc::Gen<KernelCase> GenWideKernelCase() {
  return rc::gen::exec([] {
    const auto dtype = [] { return *rc::gen::element(DType::kBf16, DType::kFp32); };
    KernelCase c;
    // Chunks up to 40 tokens: the cpu reference runs a chunk 8 or 16 tokens at a time as vector
    // lanes, with a single leftover token on its row path (17 = 16 + 1).
    c.model = SmallProfile(
        *rc::gen::inRange<std::uint32_t>(48, 161), *rc::gen::inRange<std::uint32_t>(48, 201),
        *rc::gen::inRange<std::uint32_t>(1, 3), *rc::gen::inRange<std::uint32_t>(1, 41), dtype(),
        dtype(), *rc::gen::element(0.01f, 0.1f));
    c.seed = Seed{*rc::gen::arbitrary<std::uint64_t>()};
    const auto owners = *rc::gen::inRange<std::uint64_t>(1, 4);
    for (std::uint64_t id = 0; id < owners; ++id) {
      Request r;
      r.id = OwnerId{id * 7 + 1};
      r.prompt_tokens = *rc::gen::inRange<std::uint32_t>(1, 61);
      r.output_tokens = *rc::gen::inRange<std::uint32_t>(0, 4);
      c.requests.push_back(r);
    }
    return c;
  });
}

rc::Gen<KernelCase> GenKernelCase() {
  return rc::gen::exec([] {
    const auto dtype = [] { return *rc::gen::element(DType::kBf16, DType::kFp32); };
    KernelCase c;
    c.model = SmallProfile(
        *rc::gen::inRange<std::uint32_t>(1, 25), *rc::gen::inRange<std::uint32_t>(1, 41),
        *rc::gen::inRange<std::uint32_t>(1, 4), *rc::gen::inRange<std::uint32_t>(1, 7), dtype(),
        dtype(), *rc::gen::element(0.01f, 0.1f, 0.5f));
    GenStateKind(c.model);
    // A random non-empty subset of the layers carries TTT state.
    std::vector<std::uint32_t> ttt;
    for (std::uint32_t l = 0; l < c.model.layers; ++l) {
      if (*rc::gen::arbitrary<bool>()) ttt.push_back(l);
    }
    if (!ttt.empty()) c.model.ttt_layers = ttt;
    c.seed = Seed{*rc::gen::arbitrary<std::uint64_t>()};
    const auto owners = *rc::gen::inRange<std::size_t>(1, 6);
    std::set<std::uint64_t> ids;
    while (ids.size() < owners) {
      ids.insert(*rc::gen::oneOf(rc::gen::inRange<std::uint64_t>(0, 8),
                                 rc::gen::arbitrary<std::uint64_t>()));
    }
    for (const std::uint64_t id : ids) {
      Request r;
      r.id = OwnerId{id};
      r.prompt_tokens = *rc::gen::inRange<std::uint32_t>(0, 11);
      r.output_tokens = *rc::gen::inRange<std::uint32_t>(r.prompt_tokens == 0 ? 1 : 0, 7);
      if (*rc::gen::arbitrary<bool>()) r.seed = Seed{*rc::gen::arbitrary<std::uint64_t>()};
      c.requests.push_back(r);
    }
    return c;
  });
}

std::vector<OwnerReference> RunInRandomBatches(Backend& backend, const KernelCase& c) {
  const auto n = static_cast<std::uint32_t>(c.requests.size());
  RC_ASSERT(backend.Reset(c.model, n, c.seed).ok());
  std::vector<std::uint32_t> slot_of(n);
  for (std::uint32_t k = 0; k < n; ++k) slot_of[k] = k;
  slot_of = Shuffled(slot_of);
  std::vector<ProgramCursor> cursors;
  std::vector<std::uint64_t> carry(n, 0);
  std::vector<OwnerReference> out(n);
  for (std::uint32_t k = 0; k < n; ++k) {
    cursors.emplace_back(c.requests[k], c.model.chunk);
    backend.InitSlot(slot_of[k]);
  }
  for (;;) {
    std::vector<std::uint32_t> ready;
    for (std::uint32_t k = 0; k < n; ++k) {
      if (!cursors[k].done()) ready.push_back(k);
    }
    if (ready.empty()) break;
    const Effect effect = cursors[*rc::gen::elementOf(ready)].step().tag.effect;
    std::vector<std::uint32_t> same;
    for (const std::uint32_t k : ready) {
      if (cursors[k].step().tag.effect == effect) same.push_back(k);
    }
    // A random non-empty subset, in random order.
    std::vector<std::uint32_t> batch = Shuffled(same);
    batch.resize(*rc::gen::inRange<std::size_t>(1, batch.size() + 1));
    std::vector<BatchItem> items;
    for (const std::uint32_t k : batch) {
      const Step& s = cursors[k].step();
      const Request& r = c.requests[k];
      items.push_back(BatchItem{.owner = r.id,
                                .effect = s.tag.effect,
                                .first_token = s.first_token,
                                .end_token = s.end_token,
                                .slot = slot_of[k],
                                .input_seed = r.seed.value_or(c.seed).value(),
                                .carry = carry[k]});
    }
    std::vector<ItemResult> results(items.size());
    backend.RunBatch(items, results);
    for (std::size_t b = 0; b < batch.size(); ++b) {
      const std::uint32_t k = batch[b];
      carry[k] = results[b].carry;
      out[k].steps.push_back(
          ReferenceStep{cursors[k].step(), results[b].out_digest, results[b].state_digest});
      cursors[k].Advance();
    }
  }
  return out;
}

void RcAssertMatchesSerialReference(Backend& backend, const KernelCase& c) {
  const std::vector<OwnerReference> got = RunInRandomBatches(backend, c);
  for (std::size_t k = 0; k < c.requests.size(); ++k) {
    const OwnerReference want = RunSerialReference(c.model, c.requests[k], c.seed);
    RC_ASSERT(got[k].steps.size() == want.steps.size());
    for (std::size_t s = 0; s < want.steps.size(); ++s) {
      RC_ASSERT(got[k].steps[s].step == want.steps[s].step);
      RC_ASSERT(got[k].steps[s].out_digest == want.steps[s].out_digest);
      RC_ASSERT(got[k].steps[s].state_digest == want.steps[s].state_digest);
    }
  }
}

std::vector<BatchItem> GenSharedSlotItems(const ModelProfile& model, std::uint32_t num_slots) {
  const auto count = *rc::gen::inRange<std::size_t>(1, 9);
  std::vector<BatchItem> items;
  for (std::size_t n = 0; n < count; ++n) {
    BatchItem item;
    item.owner = OwnerId{*rc::gen::inRange<std::uint64_t>(0, 4)};
    item.effect = *rc::gen::element(Effect::kRead, Effect::kWrite);
    item.slot = *rc::gen::inRange<std::uint32_t>(0, num_slots);
    const std::uint32_t chunk_index = *rc::gen::inRange<std::uint32_t>(0, 3);
    if (item.effect == Effect::kWrite) {
      item.first_token = chunk_index * model.chunk;
      item.end_token = item.first_token + model.chunk;
    } else {
      item.first_token =
          chunk_index * model.chunk + *rc::gen::inRange<std::uint32_t>(0, model.chunk);
      item.end_token = item.first_token + 1;
    }
    item.input_seed = *rc::gen::inRange<std::uint64_t>(0, 3);
    item.carry = *rc::gen::arbitrary<std::uint64_t>();
    items.push_back(item);
  }
  return items;
}

void RcAssertSharedSlotItemsMatchCpu(Backend& backend, const ModelProfile& model) {
  constexpr std::uint32_t kSlots = 3;
  const std::vector<BatchItem> items = GenSharedSlotItems(model, kSlots);
  CpuBackend cpu;
  for (Backend* b : {static_cast<Backend*>(&cpu), &backend}) {
    RC_ASSERT(b->Reset(model, kSlots, Seed{3}).ok());
    for (std::uint32_t s = 0; s < kSlots; ++s) b->InitSlot(s);
  }
  std::vector<ItemResult> want(items.size()), got(items.size());
  cpu.RunBatch(items, want);
  backend.RunBatch(items, got);
  for (std::size_t n = 0; n < items.size(); ++n) {
    RC_ASSERT(got[n].out_digest == want[n].out_digest);
    RC_ASSERT(got[n].state_digest == want[n].state_digest);
    RC_ASSERT(got[n].carry == want[n].carry);
  }
  for (std::uint32_t s = 0; s < kSlots; ++s) {
    RC_ASSERT(backend.StateDigest(s) == cpu.StateDigest(s));
  }
}

}  // namespace rwttt::testing
