// A vector that grows in fixed chunks: appending never moves what is stored, so a history of n
// steps is written once into memory instead of about three times (a std::vector's doublings copy
// everything and touch twice the memory), and indexing stays O(1). Private to checker/.
//
//   ChunkedVector<StepRecord> records;  records.emplace_back();  records[i].owner_index;
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

#include "core/host_memory.h"

namespace rwttt::internal {

template <typename T>
class ChunkedVector {
 public:
  static constexpr std::size_t kShift = 16;  // 65,536 elements a chunk
  static constexpr std::size_t kChunk = std::size_t{1} << kShift;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return chunks_[i >> kShift][i & (kChunk - 1)]; }
  const T& operator[](std::size_t i) const { return chunks_[i >> kShift][i & (kChunk - 1)]; }
  T& back() { return (*this)[size_ - 1]; }

  T& emplace_back() {
    if ((size_ & (kChunk - 1)) == 0) chunks_.emplace_back(AllocateChunk());
    T* slot = &(*this)[size_++];
    return *new (slot) T{};
  }
  void clear() {
    chunks_.clear();
    size_ = 0;
  }

  class const_iterator {
   public:
    const_iterator(const ChunkedVector* v, std::size_t i) : v_(v), i_(i) {}
    const T& operator*() const { return (*v_)[i_]; }
    const T* operator->() const { return &(*v_)[i_]; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }

   private:
    const ChunkedVector* v_;
    std::size_t i_;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

 private:
  static_assert(std::is_trivially_destructible_v<T> && std::is_trivially_copyable_v<T>);
  static constexpr std::size_t kChunkBytes = kChunk * sizeof(T);
  struct Free {
    void operator()(T* p) const { FreeHostPages(p, kChunkBytes); }
  };
  // Raw memory for kChunk elements, in huge pages where the kernel offers them
  // (AllocateHostPages): a 5 MB chunk then costs 3 page faults, not 1,280.
  static T* AllocateChunk() { return static_cast<T*>(AllocateHostPages(kChunkBytes)); }

  std::vector<std::unique_ptr<T[], Free>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace rwttt::internal
