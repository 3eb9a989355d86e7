// sim/memory.hpp: memory for simulation state, on huge pages where possible.
//
// At city scale the engine visits every one of some two thousand partitions
// in every window, and each visit touches a handful of small, separately
// allocated buffers (its event heap, its items, its unit's queues and
// records), while events read millions of residents' state at random. With
// 4 KiB pages nearly every one of those touches misses the TLB. On Linux,
// where transparent huge pages are usually enabled only for memory that asks
// for them (madvise mode), this file asks:
//
// - LargeVector: arrays of 2 MiB or more (per-resident state, the social
//   graph) are 2 MiB-aligned and advised MADV_HUGEPAGE before first touch;
// - PoolAllocator: small buffers come from a process-wide pool carved out of
//   2 MiB huge-page chunks, by power-of-two size class (free lists reused,
//   chunks kept until exit), so the buffers of all partitions share a few
//   large pages.
//
// Hints only: results never depend on them. Under AddressSanitizer or
// ThreadSanitizer the pool is bypassed (plain new/delete), so the sanitizers
// see every allocation as it is.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GOVSIM_SIM_PLAIN_ALLOCATION 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GOVSIM_SIM_PLAIN_ALLOCATION 1
#endif
#endif

namespace sim {

inline constexpr std::size_t kHugePage = std::size_t{2} << 20;

/// `bytes` (rounded up to whole huge pages), 2 MiB-aligned, advised huge.
inline void* allocate_huge(std::size_t bytes) {
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (!p) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  (void)::madvise(p, rounded, MADV_HUGEPAGE);  // a hint: failure only means small pages
#endif
  return p;
}

template <class T>
struct HugePageAllocator {
  using value_type = T;

  HugePageAllocator() noexcept = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    if (n * sizeof(T) < kHugePage) return std::allocator<T>().allocate(n);
    return static_cast<T*>(allocate_huge(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < kHugePage) std::allocator<T>().deallocate(p, n);
    else std::free(p);
  }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }
};

/// A vector whose storage, when large, is backed by huge pages where possible.
template <class T>
using LargeVector = std::vector<T, HugePageAllocator<T>>;

namespace detail {

/// Power-of-two size classes from 64 B to 1 MiB, carved from 2 MiB huge-page
/// chunks; a block of size s is aligned to min(s, 64 KiB). Thread-safe (one
/// mutex: buffers are allocated only when they grow).
class HugePagePool {
 public:
  static constexpr std::size_t kMinBlock = 64, kMaxBlock = std::size_t{1} << 20, kSlab = std::size_t{64} << 10;

  /// The process-wide pool. Never destroyed (buffers may be freed during
  /// static destruction); its chunks go back to the system at exit.
  static HugePagePool& instance() {
    static HugePagePool* pool = new HugePagePool;
    return *pool;
  }
  static std::size_t block_size(std::size_t bytes) noexcept {
    std::size_t s = kMinBlock;
    while (s < bytes) s <<= 1;
    return s;
  }
  void* allocate(std::size_t block) {
    const std::size_t c = size_class(block);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!free_[c]) {
      if (block < kSlab) {
        // A slab of equal blocks: all but one onto the free list.
        char* slab = static_cast<char*>(carve(kSlab, kSlab));
        for (std::size_t off = kSlab - block; off > 0; off -= block) push(c, slab + off);
        return slab;
      }
      return carve(block, kSlab);
    }
    FreeBlock* b = free_[c];
    free_[c] = b->next;
    return b;
  }
  void deallocate(void* p, std::size_t block) noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    push(size_class(block), p);
  }

 private:
  struct FreeBlock {
    FreeBlock* next;
  };
  static constexpr int kClasses = 15;  // 64 B .. 1 MiB

  HugePagePool() = default;
  static int size_class(std::size_t block) noexcept {
    int c = 0;
    for (std::size_t s = kMinBlock; s < block; s <<= 1) ++c;
    return c;
  }
  void push(int c, void* p) noexcept {
    auto* b = static_cast<FreeBlock*>(p);
    b->next = free_[c];
    free_[c] = b;
  }
  void* carve(std::size_t bytes, std::size_t align) {
    std::size_t at = (used_ + align - 1) / align * align;
    if (!chunk_ || at + bytes > kHugePage) {
      chunk_ = static_cast<char*>(allocate_huge(kHugePage));
      at = 0;
    }
    used_ = at + bytes;
    return chunk_ + at;
  }

  std::mutex mutex_;
  FreeBlock* free_[kClasses] = {};
  char* chunk_ = nullptr;
  std::size_t used_ = 0;
};

}  // namespace detail

/// Allocates small and medium buffers from the huge-page pool (larger ones
/// as LargeVector does). For the many small growing buffers of partitions.
template <class T>
struct PoolAllocator {
  using value_type = T;

  PoolAllocator() noexcept = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
#if GOVSIM_SIM_PLAIN_ALLOCATION
    return std::allocator<T>().allocate(n);
#else
    static_assert(alignof(T) <= detail::HugePagePool::kMinBlock, "over-aligned type");
    const std::size_t bytes = n * sizeof(T);
    if (bytes > detail::HugePagePool::kMaxBlock) return static_cast<T*>(allocate_huge(bytes));
    return static_cast<T*>(detail::HugePagePool::instance().allocate(detail::HugePagePool::block_size(bytes)));
#endif
  }
  void deallocate(T* p, std::size_t n) noexcept {
#if GOVSIM_SIM_PLAIN_ALLOCATION
    std::allocator<T>().deallocate(p, n);
#else
    const std::size_t bytes = n * sizeof(T);
    if (bytes > detail::HugePagePool::kMaxBlock) std::free(p);
    else detail::HugePagePool::instance().deallocate(p, detail::HugePagePool::block_size(bytes));
#endif
  }
  template <class U>
  bool operator==(const PoolAllocator<U>&) const noexcept {
    return true;
  }
};

/// `bytes` aligned to `align` (a power of two, at most 64 KiB) from the pool,
/// or plain aligned new under sanitizers. Pair with deallocate_pooled.
inline void* allocate_pooled(std::size_t bytes, std::size_t align) {
#if GOVSIM_SIM_PLAIN_ALLOCATION
  // (clang-format 14 would write `::operator new (`, as if this were a placement new)
  // clang-format off
  return ::operator new(bytes, std::align_val_t{align});
  // clang-format on
#else
  const std::size_t block = detail::HugePagePool::block_size(std::max(bytes, align));
  if (block > detail::HugePagePool::kMaxBlock) return allocate_huge(bytes);
  return detail::HugePagePool::instance().allocate(block);
#endif
}
inline void deallocate_pooled(void* p, std::size_t bytes, std::size_t align) noexcept {
#if GOVSIM_SIM_PLAIN_ALLOCATION
  (void)bytes;  // (the pool's size class; plain delete needs only the alignment)
  // clang-format off
  ::operator delete(p, std::align_val_t{align});
  // clang-format on
#else
  const std::size_t block = detail::HugePagePool::block_size(std::max(bytes, align));
  if (block > detail::HugePagePool::kMaxBlock) std::free(p);
  else detail::HugePagePool::instance().deallocate(p, block);
#endif
}

/// A vector of small, growing buffers from the huge-page pool.
template <class T>
using PoolVector = std::vector<T, PoolAllocator<T>>;

}  // namespace sim
