// Every core/ header's opening example, verbatim between `// example: H` and `// end example`,
// given the variables it names and run, with assertions on what it claims
// (tests/headers/check_header_examples.py keeps the copies equal to the headers).
// clang-format is off around each example: it keeps its header's layout, line for line.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/attention.h"
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
#include "core/state_shapes.h"
#include "core/step.h"
#include "core/step_cost.h"
#include "core/strong_types.h"
#include "core/ttt_digest.h"
#include "core/ttt_math.h"
#include "core/units.h"
#include "core/xml_escape.h"
#include "tests/support/scratch_dir.h"
#include "tests/support/test_files.h"

namespace rwttt {

// A declaration of ttt_math.h's Silu, as the header shows RWTTT_HD.
// clang-format off
// example: core/host_device.h
RWTTT_HD float Silu(float x);
// end example
// clang-format on

namespace {

// Runs each example in a fresh scratch directory.
class HeaderExample : public testing::ScratchDirTest {};

TEST_F(HeaderExample, CoreBackend) {
  const ModelProfile model = LoadModelProfile("tiny").value();
  std::vector<BatchItem> batch(1);
  batch[0].effect = Effect::kRead;
  batch[0].end_token = 1;
  std::vector<ItemResult> out(1);
  const std::span<const BatchItem> items = batch;
  const std::span<ItemResult> results = out;
  auto example = [&]() -> Status {
    // clang-format off
    // example: core/backend.h
    std::unique_ptr<Backend> b = std::make_unique<CpuBackend>();  // or gpu/backend_registry.h
    RWTTT_TRY(b->Reset(model, /*num_slots=*/8, Seed{7}));
    b->InitSlot(0);                                 // slot 0 holds a fresh state (version 0)
    b->RunBatch(items, results);
    // end example
    // clang-format on
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_NE(out[0].out_digest, 0u);
}

TEST_F(HeaderExample, CoreAttention) {
  // clang-format off
  // example: core/attention.h
  AttentionShape a{.query_heads = 32, .kv_heads = 8, .head_dim = 128};  // Qwen3-4B
  a.kv_token_layer_bytes();       // 4096: one token's K and V in one layer, bf16
  a.AttendedPairs(0, 3);          // 1 + 2 + 3 = 6 query-key pairs for a 3-token prefill
  // end example
  // clang-format on
  EXPECT_EQ(a.kv_token_layer_bytes(), 4096u);
  EXPECT_EQ(a.AttendedPairs(0, 3), 6.0);
}

TEST_F(HeaderExample, CoreBf16) {
  // clang-format off
  // example: core/bf16.h
  Bf16 b = FloatToBf16(1.00390625f);   // a tie: rounds to even, b.bits == 0x3F80 (1.0f)
  float f = Bf16ToFloat(b);            // exact: bf16 is the top half of an fp32
  // end example
  // clang-format on
  EXPECT_EQ(b.bits, 0x3F80);
  EXPECT_EQ(f, 1.0f);
}

TEST_F(HeaderExample, CoreCheck) {
  const std::vector<int> batch = {1};
  const std::string name = "fifo";
  // clang-format off
  // example: core/check.h
  RWTTT_CHECK(batch.size() > 0) << "policy " << name << " returned an empty batch";
  // end example
  // clang-format on
  EXPECT_DEATH(
      {
        const std::vector<int> empty;
        RWTTT_CHECK(empty.size() > 0) << "policy " << name << " returned an empty batch";
      },
      "policy fifo returned an empty batch");
}

TEST_F(HeaderExample, CoreCpuBackend) {
  auto example = [&]() -> Status {
    // clang-format off
    // example: core/cpu_backend.h
    CpuBackend cpu;
    RWTTT_TRY(cpu.Reset(LoadModelProfile("tiny").value(), /*num_slots=*/2, Seed{7}));
    // end example
    // clang-format on
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, CoreDType) {
  // clang-format off
  // example: core/dtype.h
  static_assert(DTypeBytes(DType::kBf16) == 2);
  std::optional<DType> t = ParseDType("fp32");  // DType::kFp32; nullopt for an unknown name
  // end example
  // clang-format on
  EXPECT_EQ(t, DType::kFp32);
  EXPECT_EQ(ParseDType("fp64"), std::nullopt);
}

TEST_F(HeaderExample, CoreError) {
  const std::string path = "t.jsonl";
  const int line = 3;
  ::testing::internal::CaptureStderr();
  // clang-format off
  // example: core/error.h
  Error err = Error::Input("field must be a non-negative integer",
                           {path, line, "prompt_tokens"});  // a Result<T> takes it as it is
  std::cerr << err.ToString();  // "t.jsonl:3: prompt_tokens: field must be ..."
  // end example
  // clang-format on
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "t.jsonl:3: prompt_tokens: field must be a non-negative integer");
  const Result<int> r = err;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
}

TEST_F(HeaderExample, CoreHardwareProfile) {
  std::uint64_t budget = 0;
  auto example = [&]() -> Status {
    // clang-format off
    // example: core/hardware_profile.h
    RWTTT_ASSIGN_OR_RETURN(HardwareProfile hw, LoadHardwareProfile("h100-sxm"));
    hw.memory_bytes();  // the default memory budget
    // end example
    // clang-format on
    budget = hw.memory_bytes();
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_GT(budget, 0u);
}

TEST_F(HeaderExample, CoreHostDevice) { EXPECT_EQ(Silu(0.0f), 0.0f); }

TEST_F(HeaderExample, CoreHostMemory) {
  const std::uint64_t bytes = 1024;
  const std::size_t n = (std::size_t{3} << 20) / sizeof(float);  // 3 MiB: huge pages
  auto example = [&]() -> Status {
    // clang-format off
    // example: core/host_memory.h
    RWTTT_TRY(CheckHostMemory(bytes, "8 slots of model medium"));
    AvailableHostMemoryBytes();  // MemAvailable from /proc/meminfo
    std::vector<float, HugePageAllocator<float>> state(n);  // large: in huge pages
    // end example
    // clang-format on
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, CoreInplaceTttKind) {
  // clang-format off
  // example: core/inplace_ttt_kind.h
  InplaceTttKind{}.layer_state_elems({.d_model = 16, .d_ff = 32});  // 512
  // end example
  // clang-format on
  EXPECT_EQ(InplaceTttKind{}.layer_state_elems({.d_model = 16, .d_ff = 32}), 512u);
}

TEST_F(HeaderExample, CoreJsonFields) {
  simdjson::ondemand::parser parser;
  const simdjson::padded_string text(std::string_view(R"({"n":3})"));
  std::uint64_t got = 0;
  const auto example = [&](std::string_view, simdjson::ondemand::value value,
                           const SourceLoc& at) -> Status {
    // clang-format off
    // example: core/json_fields.h
    RWTTT_ASSIGN_OR_RETURN(std::uint64_t n, json::GetUint(value, at));  // at names file and field
    // end example
    // clang-format on
    got = n;
    return OkStatus();
  };
  EXPECT_TRUE(json::ForEachField(parser, text, SourceLoc{"x.json", 1, ""}, example).ok());
  EXPECT_EQ(got, 3u);
}

TEST_F(HeaderExample, CoreJsonWriter) {
  const ModelProfile profile = LoadModelProfile("tiny").value();
  std::string out;
  // clang-format off
  // example: core/json_writer.h
  out += "\"name\":"; AppendJsonString(out, profile.name);
  // end example
  // clang-format on
  EXPECT_EQ(out, R"("name":"tiny")");
}

TEST_F(HeaderExample, CoreLactMath) {
  const ModelProfile model = LoadModelProfile("lact-tiny").value();
  const LactShape shape = MathShapeOf(model, std::get<LactSwigluKind>(model.state_kind));
  std::vector<float> state(shape.head_elems(), 0.01f), scratch_v(shape.read_scratch()),
      out_v(shape.head_dim, 0.0f);
  const float* head_state = state.data();
  float* scratch = scratch_v.data();
  float* out = out_v.data();
  const std::uint64_t key = 1;
  const std::uint32_t owner_lo = 0, token = 0, layer = 0, head = 0;
  // clang-format off
  // example: core/lact_math.h
  const LactShape s = MathShapeOf(model, std::get<LactSwigluKind>(model.state_kind));
  LactReadHead(s, head_state, LactTokenKey{key, owner_lo, token, layer, head}, scratch, out);
  // end example
  // clang-format on
  EXPECT_EQ(s.head_dim, shape.head_dim);
  EXPECT_NE(out_v, std::vector<float>(shape.head_dim, 0.0f));
}

TEST_F(HeaderExample, CoreLactSwigluKind) {
  // clang-format off
  // example: core/lact_swiglu_kind.h
  const LactSwigluKind k{.heads = 2, .fast_dim = 12};
  k.layer_state_elems({.d_model = 16, .d_ff = 32});  // 3 * 16 * 12
  // end example
  // clang-format on
  EXPECT_EQ(k.layer_state_elems({.d_model = 16, .d_ff = 32}), 3u * 16 * 12);
}

TEST_F(HeaderExample, CoreLineReader) {
  {
    auto file = OutputFile::Create("history.jsonl.zst").value();  // compressed: a .zst name
    file->Write("first\nsecond\n");
    ASSERT_TRUE(file->Commit().ok());
  }
  std::vector<std::string> lines;
  const auto Use = [&](std::string_view line) { lines.emplace_back(line); };
  auto example = [&]() -> Status {
    // clang-format off
    // example: core/line_reader.h
    RWTTT_ASSIGN_OR_RETURN(auto reader, LineReader::Open("history.jsonl.zst"));
    std::string_view line;  bool more = true;
    while (more) { RWTTT_ASSIGN_OR_RETURN(more, reader->Next(line)); if (more) Use(line); }
    // end example
    // clang-format on
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_EQ(lines, (std::vector<std::string>{"first", "second"}));
}

TEST_F(HeaderExample, CoreLowRankKind) {
  // clang-format off
  // example: core/low_rank_kind.h
  const LowRankKind k{.rank = 4, .up = true, .down = true};
  k.layer_state_elems({.d_model = 16, .d_ff = 32});  // 2 * 4 * (16 + 32)
  // end example
  // clang-format on
  EXPECT_EQ(k.layer_state_elems({.d_model = 16, .d_ff = 32}), 2u * 4 * (16 + 32));
}

TEST_F(HeaderExample, CoreLowRankMath) {
  const ModelProfile model = LoadModelProfile("low-rank-tiny").value();
  const LowRankShape shape = MathShapeOf(model, std::get<LowRankKind>(model.state_kind));
  std::vector<float> up_v(std::uint64_t{shape.d_model} * shape.d_ff, 0.01f),
      down_v(up_v.size(), 0.01f), state_v(shape.layer_elems(), 0.0f), x_v(shape.d_model, 1.0f),
      h_v(shape.d_ff), z_v(shape.rank), y_v(shape.d_model, 0.0f);
  const float *up = up_v.data(), *down = down_v.data(), *state = state_v.data(), *x = x_v.data();
  float *h = h_v.data(), *z = z_v.data(), *y = y_v.data();
  // clang-format off
  // example: core/low_rank_math.h
  const LowRankShape s = MathShapeOf(model, std::get<LowRankKind>(model.state_kind));
  LowRankForward(s, up, down, state, x, h, z, y);   // h = silu(u) and y, for one token
  // end example
  // clang-format on
  EXPECT_EQ(s.rank, shape.rank);
  EXPECT_NE(y_v[0], 0.0f);
}

TEST_F(HeaderExample, CoreModelProfile) {
  std::uint64_t state = 0;
  auto example = [&]() -> Status {
    // clang-format off
    // example: core/model_profile.h
    RWTTT_ASSIGN_OR_RETURN(ModelProfile m, LoadModelProfile("tiny"));  // a preset or a JSON file
    m.state_bytes();  // one owner's TttState
    // end example
    // clang-format on
    state = m.state_bytes();
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_GT(state, 0u);
}

TEST_F(HeaderExample, CoreOutputFile) {
  const std::string line = "{\"id\":0}\n";
  auto example = [&]() -> Status {
    // clang-format off
    // example: core/output_file.h
    RWTTT_ASSIGN_OR_RETURN(auto out, OutputFile::Create("trace.jsonl"));
    out->Write(line);
    RWTTT_TRY(out->Commit());
    // end example
    // clang-format on
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_EQ(testing::ReadFile("trace.jsonl"), line);
}

TEST_F(HeaderExample, CorePhilox) {
  const std::uint64_t seed = 7;
  const std::uint32_t owner_lo = 1, token = 2, layer = 3, index = 4;
  // clang-format off
  // example: core/philox.h
  PhiloxBlock bits = PhiloxBits(seed, owner_lo, token, layer, index);  // the counter's 4 words
  float u = UnitFloat(bits[0]);   // in (0, 1)
  // end example
  // clang-format on
  EXPECT_GT(u, 0.0f);
  EXPECT_LT(u, 1.0f);
}

TEST_F(HeaderExample, CoreProfileSource) {
  const std::string_view arg = "tiny";
  const std::vector<std::string> presets = ModelPresetNames();
  const auto PresetJson = ModelPresetJson;
  std::string source;
  auto example = [&]() -> Status {
    // clang-format off
    // example: core/profile_source.h
    RWTTT_ASSIGN_OR_RETURN(ProfileText t, ResolveProfile(arg, presets, PresetJson, "model"));
    // end example
    // clang-format on
    source = t.source;
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_EQ(source, "tiny");
}

TEST_F(HeaderExample, CoreProgram) {
  std::vector<Step> steps;
  const auto Use = [&](const Step& s) { steps.push_back(s); };
  // clang-format off
  // example: core/program.h
  for (ProgramCursor c(OwnerId{0}, /*prompt=*/10, /*output=*/3, /*chunk=*/4); !c.done();
       c.Advance()) Use(c.step());
  // end example
  // clang-format on
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.front().first_token, 0u);
}

TEST_F(HeaderExample, CoreRequest) {
  // clang-format off
  // example: core/request.h
  Request r{.id = OwnerId{0}, .arrival = Nanos{0}, .prompt_tokens = 128, .output_tokens = 64,
            .seed = std::nullopt};  // nullopt: the run's seed keys its inputs
  // end example
  // clang-format on
  EXPECT_EQ(r.total_tokens(), 192u);
}

Status ResultExample(std::string_view path) {
  // clang-format off
  // example: core/result.h
  Result<ModelProfile> m = LoadModelProfile(path);
  if (!m.ok()) return m.error();
  RWTTT_ASSIGN_OR_RETURN(ModelProfile model, LoadModelProfile(path));   // the same, in one line
  // end example
  // clang-format on
  EXPECT_EQ(model.name, m->name);
  return OkStatus();
}

TEST_F(HeaderExample, CoreResult) {
  EXPECT_TRUE(ResultExample("tiny").ok());
  EXPECT_FALSE(ResultExample("no-such-profile").ok());
}

TEST_F(HeaderExample, CoreSerialReference) {
  const ModelProfile model = LoadModelProfile("tiny").value();
  const Request request{.id = OwnerId{0},
                        .arrival = Nanos{0},
                        .prompt_tokens = 8,
                        .output_tokens = 2,
                        .seed = std::nullopt};
  const std::size_t i = 0;
  // clang-format off
  // example: core/serial_reference.h
  OwnerReference ref = RunSerialReference(model, request, Seed{7});
  std::uint64_t d = ref.steps[i].out_digest;  // the i-th step of its program (core/program.h)
  // end example
  // clang-format on
  EXPECT_NE(d, 0u);
  EXPECT_EQ(d, RunSerialReference(model, request, Seed{7}).steps[i].out_digest);
}

TEST_F(HeaderExample, CoreStateKind) {
  // clang-format off
  // example: core/state_kind.h
  const StateKind kind = LactSwigluKind{.heads = 2, .fast_dim = 12};
  StateKindName(kind);  // "lact-swiglu"
  // end example
  // clang-format on
  EXPECT_EQ(StateKindName(kind), "lact-swiglu");
}

TEST_F(HeaderExample, CoreStateShapes) {
  const ModelProfile model = LoadModelProfile("lact-tiny").value();
  // clang-format off
  // example: core/state_shapes.h
  const LactShape s = MathShapeOf(model, std::get<LactSwigluKind>(model.state_kind));
  const float w0 = BaseStateElement(s, RunKey(7), /*layer=*/0, /*e=*/0);
  // end example
  // clang-format on
  EXPECT_NE(w0, 0.0f);
  EXPECT_EQ(w0, BaseStateElement(s, RunKey(7), 0, 0));
}

TEST_F(HeaderExample, CoreStep) {
  // clang-format off
  // example: core/step.h
  Step s{.tag = {OwnerId{1}, Version{0}, Effect::kRead}, .first_token = 0, .end_token = 16};
  s.tokens();  // 16
  // end example
  // clang-format on
  EXPECT_EQ(s.tokens(), 16u);
}

TEST_F(HeaderExample, CoreStepCost) {
  const ModelProfile model = LoadModelProfile("tiny").value();
  // clang-format off
  // example: core/step_cost.h
  LayerWork w = ReadLayerWork(model, /*ttt_layer=*/true, /*tokens=*/1);
  // a batch of k owners moves w.shared_bytes once and w.owner_bytes k times
  // end example
  // clang-format on
  EXPECT_GT(w.shared_bytes, 0);
  EXPECT_GT(w.owner_bytes, 0);
}

TEST_F(HeaderExample, CoreStrongTypes) {
  // clang-format off
  // example: core/strong_types.h
  OwnerId owner{3};  Nanos t{1'500};  t += Nanos{10};
  Version v = Version{0}.Next();
  // end example
  // clang-format on
  EXPECT_EQ(owner.value(), 3u);
  EXPECT_EQ(t, Nanos{1'510});
  EXPECT_EQ(v, Version{1});
}

TEST_F(HeaderExample, CoreTttDigest) {
  std::vector<Bf16> outputs(4, FloatToBf16(0.5f));
  std::uint64_t carry = 0;
  // clang-format off
  // example: core/ttt_digest.h
  std::uint64_t d = OutputDigest(outputs.data(), outputs.size() * sizeof(Bf16));
  carry = NextCarry(carry, d);
  // end example
  // clang-format on
  EXPECT_NE(carry, 0u);
  EXPECT_EQ(carry, NextCarry(0, d));
}

TEST_F(HeaderExample, CoreTttMath) {
  const std::uint64_t seed = 7, carry = 0, owner = 0;
  const std::uint32_t owner_lo = 0, token = 0, layer = 0, k = 0;
  float acc = 0.0f;
  const float h_i = 2.0f, w_ij = 3.0f;
  // clang-format off
  // example: core/ttt_math.h
  float x = InputValue(TokenKey(seed, carry, owner), owner_lo, token, layer, k);
  acc = Mac(acc, h_i, w_ij);   // y_j = sum_i h_i * W_ij, i ascending, acc starting at 0
  // end example
  // clang-format on
  EXPECT_NE(x, 0.0f);
  EXPECT_EQ(acc, 6.0f);
}

TEST_F(HeaderExample, CoreUnits) {
  // clang-format off
  // example: core/units.h
  std::uint64_t b = GibToBytes(33.53);            // REQUIRES 0 <= gib <= kMaxGib
  FormatBytes(24576);                             // "24.000 KiB"
  // end example
  // clang-format on
  EXPECT_EQ(b, static_cast<std::uint64_t>(33.53 * kBytesPerGib));
  EXPECT_EQ(FormatBytes(24576), "24.000 KiB");
}

TEST_F(HeaderExample, CoreXmlEscape) {
  const std::string explanation = "a<b";
  std::string xml;
  // clang-format off
  // example: core/xml_escape.h
  xml += "<failure message=\"" + XmlEscape(explanation) + "\"/>";
  // end example
  // clang-format on
  EXPECT_EQ(xml, "<failure message=\"a&lt;b\"/>");
}

}  // namespace
}  // namespace rwttt
