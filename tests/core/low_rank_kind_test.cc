// The low-rank kind (core/low_rank_kind.h): sizes, its profile fields and their errors, and the
// math shape read off it (core/state_shapes.h).
#include "core/low_rank_kind.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "core/model_profile.h"
#include "core/state_shapes.h"

namespace rwttt {
namespace {

const std::string kBase =
    R"("name":"x","d_model":6,"d_ff":8,"layers":2,"ttt_layers":"all","learning_rate":0.1,)"
    R"("chunk":4,"state_kind":"low-rank")";

std::string ErrorOf(const std::string& fields) {
  Result<ModelProfile> m = ParseModelProfile("{" + kBase + fields + "}", "m.json");
  return m.ok() ? std::string("ok") : m.error().ToString();
}

TEST(LowRankKind, ADeltaPerChosenProjectionAndABlockIsTheRank) {
  const MlpDims dims{.d_model = 16, .d_ff = 32};
  EXPECT_EQ((LowRankKind{.rank = 4, .up = true, .down = true}).layer_state_elems(dims),
            2u * 4 * (16 + 32));
  EXPECT_EQ((LowRankKind{.rank = 4, .up = false, .down = true}).layer_state_elems(dims),
            4u * (16 + 32));
  EXPECT_EQ((LowRankKind{.rank = 4, .up = true, .down = true}).state_block_elems(dims), 4u);
}

TEST(LowRankKind, ProjectionsDefaultToWDownAndTheBaseWeightsStayShared) {
  const ModelProfile m = ParseModelProfile("{" + kBase + R"(,"rank":2})", "m").value();
  EXPECT_EQ(std::get<LowRankKind>(m.state_kind),
            (LowRankKind{.rank = 2, .up = false, .down = true}));
  EXPECT_EQ(m.shared_up_elems(), 6u * 8);
  EXPECT_EQ(m.shared_down_elems(), 6u * 8);
  EXPECT_FALSE(m.state_replaces_params());
  EXPECT_EQ(m.params, 2u * 2 * 6 * 8);
  EXPECT_EQ(m.shared_weight_bytes(), m.params * 2);
}

TEST(LowRankKind, RejectsBadFieldsWithTheirOneLineErrors) {
  EXPECT_EQ(ErrorOf(""), "m.json: rank: missing required field (state_kind low-rank)");
  EXPECT_EQ(ErrorOf(R"(,"rank":0)"), "m.json: rank: must be in [1, 1048576], found 0");
  EXPECT_EQ(ErrorOf(R"(,"rank":2,"projections":"up")"),
            R"(m.json: projections: expected an array of "up" and "down")");
  EXPECT_EQ(ErrorOf(R"(,"rank":2,"projections":["down","down"])"),
            "m.json: projections: a projection is listed twice");
  EXPECT_EQ(ErrorOf(R"(,"rank":2,"projections":[])"),
            "m.json: projections: at least one projection is needed");
}

TEST(LowRankKind, WritesItsFieldsAsTheProfileJsonHasThem) {
  const auto json_of = [](const LowRankKind& k) {
    std::string json;
    k.AppendJson(json);
    return json;
  };
  EXPECT_EQ(json_of({.rank = 16, .up = true, .down = true}),
            R"(,"rank":16,"projections":["up","down"])");
  EXPECT_EQ(json_of({.rank = 1, .up = true, .down = false}), R"(,"rank":1,"projections":["up"])");
  EXPECT_EQ(json_of({.rank = 1, .up = false, .down = true}), R"(,"rank":1,"projections":["down"])");
}

TEST(LowRankKind, MathShapeTakesTheKindAndTheProfilesDims) {
  const ModelProfile m = LoadModelProfile("low-rank-tiny").value();
  const LowRankShape s = MathShapeOf(m, std::get<LowRankKind>(m.state_kind));
  EXPECT_EQ(s.d_model, 16u);
  EXPECT_EQ(s.d_ff, 32u);
  EXPECT_EQ(s.rank, 4u);
  EXPECT_TRUE(s.up);
  EXPECT_TRUE(s.down);
  EXPECT_EQ(s.layer_elems(), m.layer_state_elems());
}

}  // namespace
}  // namespace rwttt
