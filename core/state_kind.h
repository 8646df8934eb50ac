// State kinds as types: what an owner's TTT state is (docs/kernels.md#state-kinds). Each kind is
// a type that owns its parameters, sizes and profile fields (core/inplace_ttt_kind.h,
// lact_swiglu_kind.h, low_rank_kind.h); a StateKind holds one of them. Code that differs by kind
// visits it once per profile, batch or launch (never per element or token), with one overload per
// kind, so the compiler names every place a new kind must fill in.
//
//   const StateKind kind = LactSwigluKind{.heads = 2, .fast_dim = 12};
//   StateKindName(kind);  // "lact-swiglu"
//
// A new kind: its type in core/<name>_kind.h, listed once in StateKind below; then the overloads
// the compiler asks for (its math in core/cpu_backend.cc and gpu/internal/batched_backend.cuh, its
// WRITE cost in core/step_cost.cc).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <variant>

#include "core/inplace_ttt_kind.h"
#include "core/lact_swiglu_kind.h"
#include "core/low_rank_kind.h"
#include "core/result.h"
#include "core/state_kind_base.h"

namespace rwttt {

// The registration: every kind, in the order error messages list them. The first is the default.
using StateKind = std::variant<InplaceTttKind, LactSwigluKind, LowRankKind>;

// The kind's name in a profile: "inplace-ttt", "lact-swiglu" or "low-rank".
std::string_view StateKindName(const StateKind& kind);

// The kinds' own fields of one profile. A profile may give them before its state_kind, so each is
// read into its kind's value as it comes, and the chosen kind's is taken at the end.
//
//   if (fields.IsKindField(key)) RWTTT_TRY(fields.Read(field));
//   ...
//   RWTTT_ASSIGN_OR_RETURN(m.state_kind, fields.Take(chosen, dims, seen, source));
class StateKindFields {
 public:
  StateKindFields();

  // Whether `key` is one of some kind's kFields.
  bool IsKindField(std::string_view key) const;
  // Reads the field into the value of the kind it belongs to; its errors name the field.
  // REQUIRES: IsKindField(field's key).
  Status Read(const json::Field& field);
  // The kind `chosen` (read by ParseStateKindName) with the fields read for it, checked by its
  // Finish. Errors: a field of another kind ("only for state_kind K", kinds in registration order
  // and each kind's fields in kFields order), then the kind's own.
  Result<StateKind> Take(const StateKind& chosen, MlpDims dims, const ProfileFieldSet& seen,
                         const std::string& source);

 private:
  std::array<StateKind, std::variant_size_v<StateKind>> values_;  // [kind index]
};

// The kind named `name`, its fields at their defaults; else an error at `at` listing the names.
Result<StateKind> ParseStateKindName(std::string_view name, const SourceLoc& at);

}  // namespace rwttt
