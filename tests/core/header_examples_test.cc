// Every core/ header's opening example, compiled as written (with the names it assumes declared
// around it), and run where it claims a value: an example that drifts from the API fails here.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/backend.h"
#include "core/bf16.h"
#include "core/check.h"
#include "core/cpu_backend.h"
#include "core/dtype.h"
#include "core/error.h"
#include "core/hardware_profile.h"
#include "core/host_device.h"
#include "core/host_memory.h"
#include "core/inplace_ttt_kind.h"
#include "core/json_fields.h"
#include "core/json_writer.h"
#include "core/lact_math.h"
#include "core/lact_swiglu_kind.h"
#include "core/line_reader.h"
#include "core/low_rank_kind.h"
#include "core/low_rank_math.h"
#include "core/model_profile.h"
#include "core/output_file.h"
#include "core/philox.h"
#include "core/profile_source.h"
#include "core/program.h"
#include "core/request.h"
#include "core/result.h"
#include "core/serial_reference.h"
#include "core/state_kind.h"
#include "core/state_kind_base.h"
#include "core/state_shapes.h"
#include "core/step.h"
#include "core/step_cost.h"
#include "core/strong_types.h"
#include "core/ttt_digest.h"
#include "core/ttt_math.h"
#include "core/units.h"
#include "core/xml_escape.h"

namespace rwttt {

RWTTT_HD float Silu(float x);  // host_device.h

namespace {

Status BackendExample(const ModelProfile& model, std::span<const BatchItem> items,
                      std::span<ItemResult> results) {
  std::unique_ptr<Backend> b = std::make_unique<CpuBackend>();  // backend.h's "..."
  RWTTT_TRY(b->Reset(model, /*num_slots=*/8, Seed{7}));
  b->InitSlot(0);  // slot 0 holds a fresh state (version 0)
  b->RunBatch(items, results);
  return OkStatus();
}

Status CpuBackendExample() {
  CpuBackend cpu;
  RWTTT_TRY(cpu.Reset(LoadModelProfile("tiny").value(), /*num_slots=*/2, Seed{7}));
  return OkStatus();
}

Status ErrorExample(const std::string& path, int line) {
  return Error::Input("field must be a non-negative integer", {path, line, "prompt_tokens"});
}

Status HardwareProfileExample() {
  RWTTT_ASSIGN_OR_RETURN(HardwareProfile hw, LoadHardwareProfile("h100-sxm"));
  hw.memory_bytes();  // the default memory budget
  return OkStatus();
}

Status HostMemoryExample(std::uint64_t bytes) {
  RWTTT_TRY(CheckHostMemory(bytes, "8 slots of model medium"));
  AvailableHostMemoryBytes();  // MemAvailable from /proc/meminfo
  return OkStatus();
}

Status JsonFieldsExample(simdjson::ondemand::value value, const SourceLoc& at, std::uint64_t& out) {
  RWTTT_ASSIGN_OR_RETURN(std::uint64_t n, json::GetUint(value, at));  // at names file and field
  out = n;
  return OkStatus();
}

Status LineReaderExample() {
  RWTTT_ASSIGN_OR_RETURN(auto reader, LineReader::Open("history.jsonl.zst"));
  std::string_view line;
  while (true) {
    RWTTT_ASSIGN_OR_RETURN(bool more, reader->Next(line));
    if (!more) break;
  }
  return OkStatus();
}

Status ModelProfileExample() {
  RWTTT_ASSIGN_OR_RETURN(ModelProfile m, LoadModelProfile("tiny"));  // a preset or a JSON file
  m.state_bytes();                                                   // one owner's TttState
  return OkStatus();
}

[[maybe_unused]] Status OutputFileExample(const std::string& line) {
  RWTTT_ASSIGN_OR_RETURN(auto out, OutputFile::Create("trace.jsonl"));
  out->Write(line);
  RWTTT_TRY(out->Commit());
  return OkStatus();
}

Status ProfileSourceExample(std::string_view arg) {
  const std::vector<std::string> presets = ModelPresetNames();
  const auto PresetJson = ModelPresetJson;
  RWTTT_ASSIGN_OR_RETURN(ProfileText t, ResolveProfile(arg, presets, PresetJson, "model"));
  return OkStatus();
}

Status ResultExample(std::string_view path) {
  Result<ModelProfile> m = LoadModelProfile(path);
  if (!m.ok()) return m.error();
  RWTTT_ASSIGN_OR_RETURN(ModelProfile model, LoadModelProfile(path));  // the same, in one line
  return OkStatus();
}

TEST(HeaderExamples, Run) {
  const ModelProfile model = LoadModelProfile("tiny").value();
  std::vector<BatchItem> items(1);
  items[0].effect = Effect::kRead;
  items[0].end_token = 1;
  std::vector<ItemResult> results(1);
  EXPECT_TRUE(BackendExample(model, items, results).ok());
  EXPECT_NE(results[0].out_digest, 0u);
  EXPECT_TRUE(CpuBackendExample().ok());
  EXPECT_EQ(ErrorExample("t.jsonl", 3).error().ToString(),
            "t.jsonl:3: prompt_tokens: field must be a non-negative integer");
  EXPECT_TRUE(HardwareProfileExample().ok());
  EXPECT_TRUE(HostMemoryExample(1024).ok());
  EXPECT_FALSE(LineReaderExample().ok());  // no such file here
  EXPECT_TRUE(ModelProfileExample().ok());
  EXPECT_TRUE(ProfileSourceExample("tiny").ok());
  EXPECT_TRUE(ResultExample("tiny").ok());
  EXPECT_FALSE(ResultExample("no-such-profile").ok());
}

TEST(HeaderExamples, JsonFields) {
  simdjson::ondemand::parser parser;
  const simdjson::padded_string text(std::string_view(R"({"n":3})"));
  std::uint64_t n = 0;
  ASSERT_TRUE(
      json::ForEachField(parser, text, SourceLoc{"x.json", 1, ""},
                         [&](std::string_view, simdjson::ondemand::value value,
                             const SourceLoc& at) { return JsonFieldsExample(value, at, n); })
          .ok());
  EXPECT_EQ(n, 3u);
  std::string out;
  const ModelProfile profile = LoadModelProfile("tiny").value();
  out += "\"name\":";
  AppendJsonString(out, profile.name);
  EXPECT_EQ(out, R"("name":"tiny")");
}

TEST(HeaderExamples, ValuesTheyClaim) {
  Bf16 b = FloatToBf16(1.00390625f);  // a tie: rounds to even, b.bits == 0x3F80 (1.0f)
  float f = Bf16ToFloat(b);           // exact: bf16 is the top half of an fp32
  EXPECT_EQ(b.bits, 0x3F80);
  EXPECT_EQ(f, 1.0f);

  static_assert(DTypeBytes(DType::kBf16) == 2);
  std::optional<DType> t = ParseDType("fp32");  // DType::kFp32; nullopt for an unknown name
  EXPECT_EQ(t, DType::kFp32);

  const std::vector<int> batch = {1};
  const std::string name = "fifo";
  RWTTT_CHECK(batch.size() > 0) << "policy " << name << " returned an empty batch";

  const std::uint64_t seed = 7;
  const std::uint32_t owner_lo = 1, token = 2, layer = 3, index = 4;
  PhiloxBlock bits = PhiloxBits(seed, owner_lo, token, layer, index);  // the counter's 4 words
  float u = UnitFloat(bits[0]);                                        // in (0, 1)
  EXPECT_GT(u, 0.0f);
  EXPECT_LT(u, 1.0f);

  int uses = 0;
  const auto Use = [&](const Step&) { ++uses; };
  for (ProgramCursor c(OwnerId{0}, /*prompt=*/10, /*output=*/3, /*chunk=*/4); !c.done();
       c.Advance())
    Use(c.step());
  EXPECT_GT(uses, 0);

  Request r{.id = OwnerId{0},
            .arrival = Nanos{0},
            .prompt_tokens = 128,
            .output_tokens = 64,
            .seed = std::nullopt};
  EXPECT_EQ(r.total_tokens(), 192u);

  Step s{.tag = {OwnerId{1}, Version{0}, Effect::kRead}, .first_token = 0, .end_token = 16};
  EXPECT_EQ(s.tokens(), 16u);

  OwnerId owner{3};
  Nanos ns{1'500};
  ns += Nanos{10};
  Version v = Version{0}.Next();
  EXPECT_EQ(owner.value(), 3u);
  EXPECT_EQ(ns, Nanos{1'510});
  EXPECT_EQ(v, Version{1});

  std::uint64_t gib = GibToBytes(33.53);  // REQUIRES 0 <= gib <= kMaxGib
  EXPECT_EQ(gib, static_cast<std::uint64_t>(33.53 * kBytesPerGib));
  EXPECT_EQ(FormatBytes(24576), "24.000 KiB");

  const std::string explanation = "a<b";
  std::string xml;
  xml += "<failure message=\"" + XmlEscape(explanation) + "\"/>";
  EXPECT_EQ(xml, "<failure message=\"a&lt;b\"/>");

  EXPECT_EQ(Silu(0.0f), 0.0f);
}

TEST(HeaderExamples, ModelAndKinds) {
  const ModelProfile model = LoadModelProfile("tiny").value();
  Request request{.id = OwnerId{0},
                  .arrival = Nanos{0},
                  .prompt_tokens = 8,
                  .output_tokens = 2,
                  .seed = std::nullopt};
  OwnerReference ref = RunSerialReference(model, request, Seed{7});
  const std::size_t i = 0;
  ASSERT_FALSE(ref.steps.empty());
  [[maybe_unused]] const std::uint64_t out = ref.steps[i].out_digest;  // the i-th step

  LayerWork w = ReadLayerWork(model, /*ttt_layer=*/true, /*tokens=*/1);
  EXPECT_GT(w.shared_bytes, 0);

  std::vector<Bf16> outputs(4);
  std::uint64_t carry = 0;
  std::uint64_t d = OutputDigest(outputs.data(), outputs.size() * sizeof(Bf16));
  carry = NextCarry(carry, d);
  EXPECT_NE(carry, 0u);

  const std::uint32_t owner_lo = 0, token = 0, layer = 0, k = 0;
  float x = InputValue(TokenKey(/*seed=*/7, carry, /*owner=*/0), owner_lo, token, layer, k);
  float acc = 0.0f;
  const float h_i = 2.0f, w_ij = 3.0f;
  acc = Mac(acc, h_i, w_ij);  // y_j = sum_i h_i * W_ij, i ascending, acc starting at 0
  EXPECT_EQ(acc, 6.0f);
  EXPECT_NE(x, 0.0f);

  EXPECT_EQ(InplaceTttKind{}.layer_state_elems({.d_model = 16, .d_ff = 32}), 512u);
  {
    const LactSwigluKind k{.heads = 2, .fast_dim = 12};
    EXPECT_EQ(k.layer_state_elems({.d_model = 16, .d_ff = 32}), 3u * 16 * 12);
  }
  {
    const LowRankKind k{.rank = 4, .up = true, .down = true};
    EXPECT_EQ(k.layer_state_elems({.d_model = 16, .d_ff = 32}), 2u * 4 * (16 + 32));
  }
  const MlpDims dims{.d_model = 16, .d_ff = 32};
  EXPECT_EQ((LowRankKind{.rank = 4, .down = true}.layer_state_elems(dims)), 4u * (16 + 32));
  const StateKind kind = LactSwigluKind{.heads = 2, .fast_dim = 12};
  EXPECT_EQ(StateKindName(kind), "lact-swiglu");
}

TEST(HeaderExamples, StateKindMath) {
  {
    const ModelProfile model = LoadModelProfile("lact-tiny").value();
    const LactShape s = MathShapeOf(model, std::get<LactSwigluKind>(model.state_kind));
    const float w0 = BaseStateElement(s, RunKey(7), /*layer=*/0, /*e=*/0);
    EXPECT_NE(w0, 0.0f);
    std::vector<float> head_state(s.head_elems(), 0.01f), scratch(s.read_scratch()),
        out(s.head_dim);
    const std::uint64_t key = 1;
    const std::uint32_t owner_lo = 0, token = 0, layer = 0, head = 0;
    LactReadHead(s, head_state.data(), LactTokenKey{key, owner_lo, token, layer, head},
                 scratch.data(), out.data());
  }
  {
    const ModelProfile model = LoadModelProfile("low-rank-tiny").value();
    const LowRankShape s = MathShapeOf(model, std::get<LowRankKind>(model.state_kind));
    std::vector<float> up(std::uint64_t{s.d_model} * s.d_ff, 0.01f), down(up.size(), 0.01f),
        state(s.layer_elems(), 0.0f), x(s.d_model, 1.0f), h(s.d_ff), z(s.rank), y(s.d_model);
    LowRankForward(s, up.data(), down.data(), state.data(), x.data(), h.data(), z.data(),
                   y.data());  // h = silu(u) and y, for one token
    EXPECT_NE(y[0], 0.0f);
  }
}

}  // namespace
}  // namespace rwttt
