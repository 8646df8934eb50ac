#include <gtest/gtest.h>

#include <variant>

#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/step_cost.h"
#include "tests/support/test_files.h"

namespace rwttt {
namespace {

TEST(ModelProfile, EveryPresetLoadsAndRoundTripsThroughJson) {
  for (const std::string& name : ModelPresetNames()) {
    SCOPED_TRACE(name);
    Result<ModelProfile> m = LoadModelProfile(name);
    ASSERT_TRUE(m.ok()) << m.error().ToString();
    Result<ModelProfile> again = ParseModelProfile(ModelProfileToJson(*m), "copy");
    ASSERT_TRUE(again.ok()) << again.error().ToString();
    EXPECT_EQ(again->d_model, m->d_model);
    EXPECT_EQ(again->ttt_layers, m->ttt_layers);
    EXPECT_EQ(again->params, m->params);
    EXPECT_EQ(again->learning_rate, m->learning_rate);
  }
}

TEST(ModelProfile, InplaceTtt4bHasThePapersShapes) {
  const ModelProfile m = LoadModelProfile("inplace-ttt-4b").value();
  EXPECT_EQ(m.d_model, 2560u);
  EXPECT_EQ(m.d_ff, 9728u);
  EXPECT_EQ(m.layers, 36u);
  EXPECT_EQ(m.ttt_layers.size(), 36u);
  // fp32 fast weights: 36 * 9728 * 2560 * 4 bytes.
  EXPECT_EQ(m.state_bytes(), 36ull * 9728 * 2560 * 4);
}

TEST(ModelProfile, RejectsBadFieldsNamingThem) {
  const auto error_of = [](const std::string& json) {
    Result<ModelProfile> m = ParseModelProfile(json, "m.json");
    return m.ok() ? std::string("ok") : m.error().ToString();
  };
  const std::string base =
      R"("name":"x","d_model":4,"d_ff":8,"layers":2,"ttt_layers":"all","learning_rate":0.1)";
  EXPECT_EQ(error_of("{" + base + R"(,"chunk":0})"),
            "m.json: chunk: must be in [1, 1073741824], found 0");
  EXPECT_EQ(error_of("{" + base + "}"), "m.json: chunk: missing required field");
  EXPECT_EQ(error_of("{" + base + R"(,"chunk":-3})"),
            "m.json: chunk: must not be negative, found -3");
  EXPECT_EQ(error_of("{" + base + R"(,"chunk":4,"colour":1})"),
            "m.json: colour: unknown field (see docs/formats.md#model-profile)");
  EXPECT_EQ(error_of(R"({"name":"x","d_model":4,"d_ff":8,"layers":2,"ttt_layers":[2],)"
                     R"("learning_rate":0.1,"chunk":4})"),
            "m.json: ttt_layers: layer 2 does not exist: the model has 2 layers");
  EXPECT_EQ(error_of("{" + base + R"(,"chunk":"4"})"),
            "m.json: chunk: expected a non-negative integer, found a string");
  EXPECT_NE(error_of("{not json"), "ok");
}

TEST(ModelProfile, StateKindsRoundTripWithTheirFields) {
  for (const char* name : {"lact-tiny", "lact-1b-muon", "low-rank-tiny", "low-rank-4b"}) {
    SCOPED_TRACE(name);
    const ModelProfile m = LoadModelProfile(name).value();
    const ModelProfile again = ParseModelProfile(ModelProfileToJson(m), "copy").value();
    EXPECT_EQ(again.state_kind, m.state_kind);  // the kind and every field of it
    EXPECT_EQ(StateKindName(again.state_kind), StateKindName(m.state_kind));
    EXPECT_EQ(again.state_bytes(), m.state_bytes());
    EXPECT_EQ(again.shared_weight_bytes(), m.shared_weight_bytes());
  }
}

TEST(ModelProfile, StateKindSizes) {
  const ModelProfile lact = LoadModelProfile("lact-1b").value();
  ASSERT_TRUE(std::holds_alternative<LactSwigluKind>(lact.state_kind));
  EXPECT_EQ(std::get<LactSwigluKind>(lact.state_kind).head_dim(lact.dims()), 512u);
  // Per layer and head W0, W2 [512][512] and W1 [512][512], fp32, 24 layers: 288 MiB.
  EXPECT_EQ(lact.state_bytes(), 24ull * 4 * 3 * 512 * 512 * 4);
  EXPECT_EQ(lact.state_block_elems(), 512u);
  // The initial fast weights are parameters the owners' copies replace.
  EXPECT_EQ(lact.shared_weight_bytes(), (1440284672ull - 24ull * 4 * 3 * 512 * 512) * 2);
  const ModelProfile lr = LoadModelProfile("low-rank-4b").value();
  // Rank 16 on W_up [2560][9728] and W_down [9728][2560]: 2 * 16 * (2560 + 9728) per layer.
  EXPECT_EQ(lr.layer_state_elems(), 2ull * 16 * (2560 + 9728));
  EXPECT_EQ(lr.state_bytes(), 36ull * 2 * 16 * (2560 + 9728) * 4);
  // Deltas add to the model: every parameter stays shared.
  EXPECT_EQ(lr.shared_weight_bytes(), 4022468096ull * 2);
}

TEST(ModelProfile, RejectsStateKindFieldsNamingThem) {
  const auto error_of = [](const std::string& json) {
    Result<ModelProfile> m = ParseModelProfile(json, "m.json");
    return m.ok() ? std::string("ok") : m.error().ToString();
  };
  const std::string base =
      R"("name":"x","d_model":6,"d_ff":8,"layers":2,"ttt_layers":"all","learning_rate":0.1,)"
      R"("chunk":4)";
  EXPECT_EQ(error_of("{" + base + R"(,"state_kind":"lact"})"),
            "m.json: state_kind: unknown state_kind 'lact' (expected inplace-ttt, lact-swiglu or "
            "low-rank)");
  EXPECT_EQ(error_of("{" + base + R"(,"rank":4})"), "m.json: rank: only for state_kind low-rank");
  EXPECT_EQ(error_of("{" + base + R"(,"state_kind":"low-rank","muon":true,"rank":2})"),
            "m.json: muon: only for state_kind lact-swiglu");
  EXPECT_EQ(error_of("{" + base + R"(,"state_kind":"lact-swiglu","heads":4,"fast_dim":2})"),
            "m.json: heads: must divide d_model (6)");
  EXPECT_EQ(error_of("{" + base + R"(,"state_kind":"lact-swiglu","heads":3})"),
            "m.json: fast_dim: missing required field (state_kind lact-swiglu)");
  EXPECT_EQ(error_of("{" + base + R"(,"state_kind":"low-rank"})"),
            "m.json: rank: missing required field (state_kind low-rank)");
  EXPECT_EQ(error_of("{" + base + R"(,"state_kind":"low-rank","rank":2,"projections":["gate"]})"),
            R"(m.json: projections: expected an array of "up" and "down")");
  EXPECT_EQ(
      error_of("{" + base + R"(,"state_kind":"low-rank","rank":2,"projections":["up","up"]})"),
      "m.json: projections: a projection is listed twice");
  EXPECT_EQ(error_of("{" + base + R"(,"state_kind":"low-rank","rank":2,"projections":[]})"),
            "m.json: projections: at least one projection is needed");
  EXPECT_EQ(error_of("{" + base + R"(,"state_kind":"lact-swiglu","heads":3,"fast_dim":2,)" +
                     R"("weight_norm":1})"),
            "m.json: weight_norm: expected true or false, found a number");
  // Without "projections" a low-rank delta sits on W_down only.
  const ModelProfile m =
      ParseModelProfile("{" + base + R"(,"state_kind":"low-rank","rank":2})", "m").value();
  ASSERT_TRUE(std::holds_alternative<LowRankKind>(m.state_kind));
  EXPECT_FALSE(std::get<LowRankKind>(m.state_kind).up);
  EXPECT_TRUE(std::get<LowRankKind>(m.state_kind).down);
}

TEST(ModelProfile, UnknownNameThatIsNotAFileListsThePresets) {
  Result<ModelProfile> m = LoadModelProfile("huge");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("tiny, small, medium, inplace-ttt-4b"), std::string::npos);
}

TEST(ModelProfile, LoadsAFile) {
  testing::TempDir dir;
  const std::string path =
      dir.Write("m.json", R"({"name":"mine","d_model":4,"d_ff":8,"layers":3,"ttt_layers":[0,2],)"
                          R"("chunk":4,"learning_rate":0.5,"state_dtype":"bf16"})");
  Result<ModelProfile> m = LoadModelProfile(path);
  ASSERT_TRUE(m.ok()) << m.error().ToString();
  EXPECT_EQ(m->ttt_layers, (std::vector<std::uint32_t>{0, 2}));
  EXPECT_EQ(m->state_bytes(), 2u * 8 * 4 * 2);
  EXPECT_TRUE(m->is_ttt_layer(2));
  EXPECT_FALSE(m->is_ttt_layer(1));
}

TEST(HardwareProfile, EveryPresetLoadsAndRoundTrips) {
  for (const std::string& name : HardwarePresetNames()) {
    SCOPED_TRACE(name);
    Result<HardwareProfile> hw = LoadHardwareProfile(name);
    ASSERT_TRUE(hw.ok()) << hw.error().ToString();
    Result<HardwareProfile> again = ParseHardwareProfile(HardwareProfileToJson(*hw), "copy");
    ASSERT_TRUE(again.ok()) << again.error().ToString();
    EXPECT_EQ(again->memory_bytes(), hw->memory_bytes());
    EXPECT_EQ(again->layer_overhead_ns, hw->layer_overhead_ns);
  }
}

TEST(HardwareProfile, RejectsValuesOutsideThePhysicalRanges) {
  auto parse = [](const std::string& field, const std::string& value) {
    std::string json =
        R"({"name":"x","memory_bandwidth_gbs":100,"peak_tflops_bf16":1,"peak_tflops_fp32":1,)"
        R"("memory_gib":1,"launch_overhead_ns":0,"layer_overhead_ns":0})";
    const std::size_t at = json.find("\"" + field + "\":") + field.size() + 3;
    json.replace(at, json.find_first_of(",}", at) - at, value);
    const Result<HardwareProfile> hw = ParseHardwareProfile(json, "hw.json");
    return hw.ok() ? std::string() : hw.error().ToString();
  };
  EXPECT_EQ(parse("memory_bandwidth_gbs", "0"),
            "hw.json: memory_bandwidth_gbs: must be from 0.1 to 1000000 GB/s, found 0");
  EXPECT_EQ(parse("memory_bandwidth_gbs", "1e-300"),
            "hw.json: memory_bandwidth_gbs: must be from 0.1 to 1000000 GB/s, found 1e-300");
  EXPECT_EQ(parse("peak_tflops_bf16", "1e-15"),
            "hw.json: peak_tflops_bf16: must be from 0.001 to 1000000 TFLOP/s, found 1e-15");
  EXPECT_EQ(parse("memory_gib", "1e300"),
            "hw.json: memory_gib: must be from 0.0009765625 to 1000000 GiB, found 1e+300");
  EXPECT_EQ(parse("launch_overhead_ns", "2000000000"),
            "hw.json: launch_overhead_ns: must be from 0 to 1000000000 ns (one second), found "
            "2000000000");
  EXPECT_EQ(parse("memory_gib", "0.5"), "");
}

TEST(HardwareProfile, CacheFieldsComeTogetherAndRoundTrip) {
  const std::string base =
      R"({"name":"x","memory_bandwidth_gbs":100,"peak_tflops_bf16":1,"peak_tflops_fp32":1,)"
      R"("memory_gib":1,"launch_overhead_ns":0,"layer_overhead_ns":0)";
  const Result<HardwareProfile> hw =
      ParseHardwareProfile(base + R"(,"cache_mib":32,"cache_bandwidth_gbs":250})", "hw.json");
  ASSERT_TRUE(hw.ok()) << hw.error().ToString();
  EXPECT_TRUE(hw->has_cache());
  EXPECT_EQ(hw->cache_bytes(), std::uint64_t{32} << 20);
  const Result<HardwareProfile> again = ParseHardwareProfile(HardwareProfileToJson(*hw), "copy");
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->cache_mib, 32);
  EXPECT_EQ(again->cache_bandwidth_gbs, 250);
  EXPECT_EQ(ParseHardwareProfile(base + R"(,"cache_mib":32})", "hw.json").error().ToString(),
            "hw.json: cache_bandwidth_gbs: a cache needs both cache_mib and cache_bandwidth_gbs");
  EXPECT_EQ(ParseHardwareProfile(base + R"(,"cache_mib":0,"cache_bandwidth_gbs":9})", "hw.json")
                .error()
                .ToString(),
            "hw.json: cache_mib: must be from 0.0009765625 to 1000000 MiB, found 0");
  EXPECT_FALSE(LoadHardwareProfile("h100-sxm")->has_cache());
}

TEST(StepCost, ImpossibleProfileDoesNotFitMemory) {
  const ModelProfile m = LoadModelProfile("inplace-ttt-4b").value();
  EXPECT_TRUE(CheckOneOwnerFits(m, LoadHardwareProfile("h100-sxm")->memory_bytes(), "h100").ok());
  const Status s = CheckOneOwnerFits(m, std::uint64_t{8} << 30, "8 GiB");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("cannot run"), std::string::npos);
}

TEST(StepCost, ReadAndWriteWorkFollowTheFormulas) {
  const ModelProfile m = LoadModelProfile("tiny").value();  // params = 2 * 2 * 16 * 32 = 2048
  const LayerWork r = ReadLayerWork(m, true, 3);
  EXPECT_DOUBLE_EQ(r.shared_bytes, (1024.0 - 512.0) * 2);  // W_up in bf16
  EXPECT_DOUBLE_EQ(r.owner_bytes, 512.0 * 4);              // W_down fast weight in fp32
  EXPECT_DOUBLE_EQ(r.token_bytes, 3 * 2 * 16 * 2.0);
  EXPECT_DOUBLE_EQ(r.flops, 2.0 * 1024 * 3);
  const LayerWork w = WriteLayerWork(m);
  EXPECT_DOUBLE_EQ(w.owner_bytes, 2 * 512.0 * 4);
  EXPECT_DOUBLE_EQ(w.token_bytes, 8.0 * (32 + 16) * 2);
  EXPECT_DOUBLE_EQ(w.flops, 2.0 * 8 * 512 + 512);
}

TEST(HardwareProfile, PaperH100IsTheH100DatasheetWithOneFittedOverhead) {
  const HardwareProfile paper = LoadHardwareProfile("paper-h100").value();
  const HardwareProfile h100 = LoadHardwareProfile("h100-sxm").value();
  EXPECT_EQ(paper.memory_bandwidth_gbs, h100.memory_bandwidth_gbs);
  EXPECT_EQ(paper.peak_tflops_bf16, h100.peak_tflops_bf16);
  EXPECT_EQ(paper.peak_tflops_fp32, h100.peak_tflops_fp32);
  EXPECT_EQ(paper.memory_gib, h100.memory_gib);
  EXPECT_EQ(paper.launch_overhead_ns, h100.launch_overhead_ns);
  EXPECT_EQ(paper.layer_overhead_ns, 632000);  // fitted: docs/paper-reproduction.md
}

}  // namespace
}  // namespace rwttt
