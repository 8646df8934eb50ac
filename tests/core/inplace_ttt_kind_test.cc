// The inplace-ttt kind (core/inplace_ttt_kind.h): its sizes and what a profile of it holds.
#include "core/inplace_ttt_kind.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "core/model_profile.h"

namespace rwttt {
namespace {

TEST(InplaceTttKind, StateIsWDownAndABlockIsOneOfItsRows) {
  const InplaceTttKind kind;
  const MlpDims dims{.d_model = 16, .d_ff = 32};
  EXPECT_EQ(kind.layer_state_elems(dims), 16u * 32u);
  EXPECT_EQ(kind.state_block_elems(dims), 16u);
  EXPECT_EQ(kind.layer_state_elems(dims) % kind.state_block_elems(dims), 0u);
}

TEST(InplaceTttKind, ProfileHoldsSharedWUpOnlyAndItsStateReplacesWDown) {
  const ModelProfile m = LoadModelProfile("tiny").value();  // d_model 16, d_ff 32, 2 layers
  ASSERT_TRUE(std::holds_alternative<InplaceTttKind>(m.state_kind));
  EXPECT_EQ(m.shared_up_elems(), 16u * 32u);
  EXPECT_EQ(m.shared_down_elems(), 0u);
  EXPECT_TRUE(m.state_replaces_params());
  // params default to W_up and W_down of every layer; W_down is the owners' state.
  EXPECT_EQ(m.params, 2u * 2 * 16 * 32);
  EXPECT_EQ(m.shared_weight_bytes(), (m.params - 2u * 16 * 32) * 2);
}

TEST(InplaceTttKind, HasNoFieldsOfItsOwn) {
  EXPECT_TRUE(InplaceTttKind::kFields.empty());
  std::string json;
  InplaceTttKind{}.AppendJson(json);
  EXPECT_EQ(json, "");
  const ModelProfile m = LoadModelProfile("tiny").value();
  EXPECT_EQ(ModelProfileToJson(m),
            R"({"name":"tiny","state_kind":"inplace-ttt","d_model":16,"d_ff":32,"layers":2,)"
            R"("ttt_layers":[0,1],"chunk":8,"dtype":"bf16","state_dtype":"fp32",)"
            R"("learning_rate":0.01,"params":2048})");
}

}  // namespace
}  // namespace rwttt
