// sim/event_queue.hpp: one partition's pending events, in (time, order) order.
//
// A binary min-heap of 32-byte events. (A calendar front-end, keeping only a
// few windows' events in the heap and later ones in buckets, was tried at city
// scale: no faster, a third more memory, more cache misses; see
// docs/performance.md.)
#pragma once

#include <algorithm>
#include <new>
#include <utility>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/memory.hpp"

namespace sim {

using Time = double;
using SlotId = std::uint32_t;

namespace detail {

/// One scheduled event.
struct Event {
  Time time;
  std::uint64_t order;  ///< origin partition (high 24 bits) and its sequence number: unique
  std::uint32_t kind;
  SlotId slot;          ///< the item's, or a plain value for an event without an item
  std::uint64_t value;  ///< a plain value (events without items)
};

/// Min-heap order on (time, order); `order` is unique, so the order is total.
/// (A function object, not a function: the heap algorithms inline it.)
struct Later {
  bool operator()(const Event& a, const Event& b) const noexcept {
    return a.time > b.time || (a.time == b.time && a.order > b.order);
  }
};

/// A 4-ary min-heap laid out so that the four children of a node share one
/// 128-byte block (two cache lines): a pop touches one block per level, and
/// the heap is half as deep as a binary one. The root sits at index 3, after
/// three unused slots, so that the children of node i (4i - 8 .. 4i - 5) start
/// on a 128-byte boundary of the (128-byte aligned) storage.
class EventQueue {
 public:
  EventQueue() = default;
  EventQueue(EventQueue&& o) noexcept : data_(o.data_), size_(o.size_), capacity_(o.capacity_) {
    o.data_ = nullptr, o.size_ = o.capacity_ = 0;
  }
  EventQueue& operator=(EventQueue&& o) noexcept {
    std::swap(data_, o.data_), std::swap(size_, o.size_), std::swap(capacity_, o.capacity_);
    return *this;
  }
  ~EventQueue() { release(); }

  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }

  void push(const Event& e) {
    if (kRoot + size_ >= capacity_) grow();
    std::size_t j = kRoot + size_++;
    while (j > kRoot) {
      const std::size_t parent = j / 4 + 2;
      if (!Later{}(data_[parent], e)) break;
      data_[j] = data_[parent];
      j = parent;
    }
    data_[j] = e;
  }
  /// The earliest event's time, or +infinity when nothing is pending.
  Time next_time() const noexcept { return size_ ? data_[kRoot].time : std::numeric_limits<Time>::infinity(); }
  /// The earliest event, or nullptr when nothing is pending.
  const Event* peek() const noexcept { return size_ ? &data_[kRoot] : nullptr; }
  /// Hints the processor to load the top three levels of the heap (root,
  /// 4 children, 16 grandchildren: 12 cache lines), which the next pops walk.
  void prefetch() const noexcept {
    const std::size_t bytes = std::min<std::size_t>(kRoot + size_, kRoot + 21) * sizeof(Event);
    const char* at = reinterpret_cast<const char*>(data_);
    for (std::size_t line = 64; line < bytes; line += 64) __builtin_prefetch(at + line);
  }
  /// Removes and returns the earliest event; the queue must not be empty.
  Event pop() {
    const Event top = data_[kRoot];
    const Event last = data_[kRoot + --size_];
    const std::size_t end = kRoot + size_;
    std::size_t i = kRoot;
    while (true) {
      const std::size_t first = 4 * i - 8;
      if (first >= end) break;
      std::size_t best = first;
      if (first + 4 <= end) {
        // All four children: a small tournament (independent comparisons).
        const Event* c = data_ + first;
        const std::size_t a = Later{}(c[0], c[1]) ? 1 : 0, b = Later{}(c[2], c[3]) ? 3 : 2;
        best = first + (Later{}(c[a], c[b]) ? b : a);
      } else {
        for (std::size_t c = first + 1; c < end; ++c)
          if (Later{}(data_[best], data_[c])) best = c;
      }
      if (!Later{}(last, data_[best])) break;
      data_[i] = data_[best];
      i = best;
    }
    data_[i] = last;
    return top;
  }

 private:
  static constexpr std::size_t kRoot = 3;
  static constexpr std::size_t kAlign = 128;

  void grow() {
    const std::size_t capacity = capacity_ ? capacity_ * 2 : 64;
    auto* data = static_cast<Event*>(allocate_pooled(capacity * sizeof(Event), kAlign));
    if (data_) std::copy(data_ + kRoot, data_ + kRoot + size_, data + kRoot);
    release();
    data_ = data;
    capacity_ = capacity;
  }
  void release() noexcept {
    if (data_) deallocate_pooled(data_, capacity_ * sizeof(Event), kAlign);
  }

  Event* data_ = nullptr;  ///< [kRoot, kRoot + size_) used
  std::size_t size_ = 0, capacity_ = 0;
};

}  // namespace detail
}  // namespace sim
