// The registry of state kinds (core/state_kind.h): names, defaults, and how a profile's kind
// fields are read before the kind is known and checked against it.
#include "core/state_kind.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "core/model_profile.h"

namespace rwttt {
namespace {

const std::string kBase =
    R"("name":"x","d_model":6,"d_ff":8,"layers":2,"ttt_layers":"all","learning_rate":0.1,)"
    R"("chunk":4)";

std::string ErrorOf(const std::string& fields) {
  Result<ModelProfile> m = ParseModelProfile("{" + kBase + fields + "}", "m.json");
  return m.ok() ? std::string("ok") : m.error().ToString();
}

TEST(StateKind, DefaultIsInplaceTtt) {
  EXPECT_TRUE(std::holds_alternative<InplaceTttKind>(StateKind{}));
  EXPECT_EQ(StateKindName(StateKind{}), "inplace-ttt");
  const ModelProfile m = ParseModelProfile("{" + kBase + "}", "m.json").value();
  EXPECT_TRUE(std::holds_alternative<InplaceTttKind>(m.state_kind));
}

TEST(StateKind, EveryNameParsesToItsKindAndBack) {
  for (const char* name : {"inplace-ttt", "lact-swiglu", "low-rank"}) {
    SCOPED_TRACE(name);
    Result<StateKind> kind = ParseStateKindName(name, {"m.json", 0, "state_kind"});
    ASSERT_TRUE(kind.ok()) << kind.error().ToString();
    EXPECT_EQ(StateKindName(*kind), name);
  }
  EXPECT_TRUE(std::holds_alternative<LactSwigluKind>(
      ParseStateKindName("lact-swiglu", {"m.json", 0, "state_kind"}).value()));
  EXPECT_TRUE(std::holds_alternative<LowRankKind>(
      ParseStateKindName("low-rank", {"m.json", 0, "state_kind"}).value()));
}

TEST(StateKind, UnknownNameListsEveryKindInRegistrationOrder) {
  Result<StateKind> kind = ParseStateKindName("lact", {"m.json", 0, "state_kind"});
  ASSERT_FALSE(kind.ok());
  EXPECT_EQ(kind.error().ToString(),
            "m.json: state_kind: unknown state_kind 'lact' (expected inplace-ttt, lact-swiglu or "
            "low-rank)");
}

TEST(StateKind, KindFieldsBeforeTheStateKindAreReadIntoIt) {
  const ModelProfile m =
      ParseModelProfile(
          R"({"heads":2,"fast_dim":3,"muon":true,"state_kind":"lact-swiglu",)" + kBase + "}",
          "m.json")
          .value();
  const LactSwigluKind& lact = std::get<LactSwigluKind>(m.state_kind);
  EXPECT_EQ(lact.heads, 2u);
  EXPECT_EQ(lact.fast_dim, 3u);
  EXPECT_TRUE(lact.muon);
  EXPECT_TRUE(lact.weight_norm);  // its default
}

TEST(StateKind, AnotherKindsFieldIsNamedKindsInRegistrationOrder) {
  // "rank" comes first in the text, but lact-swiglu's fields are checked before low-rank's.
  EXPECT_EQ(ErrorOf(R"(,"rank":2,"weight_norm":false)"),
            "m.json: weight_norm: only for state_kind lact-swiglu");
  EXPECT_EQ(ErrorOf(R"(,"projections":["up"])"),
            "m.json: projections: only for state_kind low-rank");
}

TEST(StateKind, AKindFieldsValueIsCheckedAsItIsRead) {
  // Before the kind is known: the value's error wins over "only for state_kind".
  EXPECT_EQ(ErrorOf(R"(,"heads":0)"), "m.json: heads: must be in [1, 1048576], found 0");
  EXPECT_EQ(ErrorOf(R"(,"heads":2,"heads":2)"), "m.json: heads: duplicate field");
}

}  // namespace
}  // namespace rwttt
