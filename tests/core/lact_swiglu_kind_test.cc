// The lact-swiglu kind (core/lact_swiglu_kind.h): sizes, its profile fields and their errors, and
// the math shape read off it (core/state_shapes.h).
#include "core/lact_swiglu_kind.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "core/model_profile.h"
#include "core/state_shapes.h"

namespace rwttt {
namespace {

const std::string kBase =
    R"("name":"x","d_model":6,"d_ff":8,"layers":2,"ttt_layers":"all","learning_rate":0.1,)"
    R"("chunk":4,"state_kind":"lact-swiglu")";

std::string ErrorOf(const std::string& fields) {
  Result<ModelProfile> m = ParseModelProfile("{" + kBase + fields + "}", "m.json");
  return m.ok() ? std::string("ok") : m.error().ToString();
}

TEST(LactSwigluKind, ThreeMatricesPerHeadAndABlockIsAHeadRow) {
  const LactSwigluKind kind{.heads = 2, .fast_dim = 12};
  const MlpDims dims{.d_model = 16, .d_ff = 32};
  EXPECT_EQ(kind.head_dim(dims), 8u);
  EXPECT_EQ(kind.layer_state_elems(dims), 3u * 16 * 12);
  EXPECT_EQ(kind.state_block_elems(dims), 8u);
  EXPECT_EQ(LactSwigluKind{}.head_dim(dims), 0u);  // no heads yet: no division by zero
}

TEST(LactSwigluKind, ReadsItsFieldsWithDefaults) {
  const ModelProfile m =
      ParseModelProfile("{" + kBase + R"(,"heads":3,"fast_dim":2})", "m").value();
  EXPECT_EQ(std::get<LactSwigluKind>(m.state_kind),
            (LactSwigluKind{.heads = 3, .fast_dim = 2, .muon = false, .weight_norm = true}));
  // No shared W_up or W_down; the initial fast weights are parameters beyond the MLP.
  EXPECT_EQ(m.shared_up_elems(), 0u);
  EXPECT_EQ(m.shared_down_elems(), 0u);
  EXPECT_EQ(m.params, 2u * 2 * 6 * 8 + 2u * 3 * 6 * 2);
}

TEST(LactSwigluKind, RejectsBadFieldsWithTheirOneLineErrors) {
  EXPECT_EQ(ErrorOf(R"(,"fast_dim":2)"),
            "m.json: heads: missing required field (state_kind lact-swiglu)");
  EXPECT_EQ(ErrorOf(R"(,"heads":3)"),
            "m.json: fast_dim: missing required field (state_kind lact-swiglu)");
  EXPECT_EQ(ErrorOf(R"(,"heads":4,"fast_dim":2)"), "m.json: heads: must divide d_model (6)");
  EXPECT_EQ(ErrorOf(R"(,"heads":3,"fast_dim":0)"),
            "m.json: fast_dim: must be in [1, 1048576], found 0");
  // 1024 heads of 1024 dimensions and a fast dimension of 2^20: 3 * 2^30 draws a layer.
  Result<ModelProfile> huge =
      ParseModelProfile(R"({"name":"x","d_model":1048576,"d_ff":8,"layers":1,"ttt_layers":"all",)"
                        R"("learning_rate":0.1,"chunk":4,"state_kind":"lact-swiglu","heads":1024,)"
                        R"("fast_dim":1048576})",
                        "m.json");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().ToString(),
            "m.json: fast_dim: heads * 3 * max(head_dim, fast_dim) must be below 2^30");
  EXPECT_EQ(ErrorOf(R"(,"heads":3,"fast_dim":2,"muon":"yes")"),
            "m.json: muon: expected true or false, found a string");
}

TEST(LactSwigluKind, WritesItsFieldsAsTheProfileJsonHasThem) {
  std::string json;
  LactSwigluKind{.heads = 4, .fast_dim = 512, .muon = true, .weight_norm = false}.AppendJson(json);
  EXPECT_EQ(json, R"(,"heads":4,"fast_dim":512,"muon":true,"weight_norm":false)");
}

TEST(LactSwigluKind, MathShapeTakesTheKindAndTheProfilesDtypes) {
  const ModelProfile m = LoadModelProfile("lact-tiny").value();
  const LactShape s = MathShapeOf(m, std::get<LactSwigluKind>(m.state_kind));
  EXPECT_EQ(s.heads, 2u);
  EXPECT_EQ(s.head_dim, 8u);
  EXPECT_EQ(s.fast_dim, 12u);
  EXPECT_TRUE(s.muon);
  EXPECT_TRUE(s.weight_norm);
  EXPECT_TRUE(s.act_bf16);
  EXPECT_FALSE(s.state_bf16);
  EXPECT_EQ(s.learning_rate, 0.01f);
  EXPECT_EQ(s.layer_elems(), m.layer_state_elems());
}

}  // namespace
}  // namespace rwttt
