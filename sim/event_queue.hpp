// sim/event_queue.hpp: one partition's pending events, in (time, order) order.
//
// A 4-ary min-heap of 32-byte events for what is due soon, and an unsorted
// far list for the rest. At city scale a partition holds over a hundred
// pending events, most of them days ahead (word of mouth, council reviews);
// kept out of the heap until they come near, they no longer deepen every pop
// and push (the city's simulation ran 12-15% faster; see docs/performance.md).
// A calendar front-end, keeping a few windows' events in the heap and later
// ones in buckets by window, was tried before: no faster, a third more memory.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <new>
#include <utility>
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

/// The heap: a 4-ary min-heap laid out so that the four children of a node
/// share one 128-byte block (two cache lines): a pop touches one block per
/// level, and the heap is half as deep as a binary one. The root sits at index 3, after
/// three unused slots, so that the children of node i (4i - 8 .. 4i - 5) start
/// on a 128-byte boundary of the (128-byte aligned) storage.
class EventQueue {
 public:
  EventQueue() = default;
  EventQueue(const EventQueue&) = delete;  // (each partition keeps its own, in place)
  EventQueue& operator=(const EventQueue&) = delete;
  ~EventQueue() { release(); }

  bool empty() const noexcept { return size_ == 0 && far_.empty(); }
  std::size_t size() const noexcept { return size_ + far_.size(); }
  /// Of size(), the events in the heap (the rest wait in the far list).
  std::size_t heap_size() const noexcept { return size_; }

  /// Events due at or after the heap's horizon wait, unsorted, in a far
  /// list; `span` (> 0) is how far past a window's end prepare() sets the
  /// horizon when it sorts the list out.
  void set_span(Time span) noexcept { span_ = span; }
  /// Before the events due before `end` are popped: makes sure that they,
  /// and any pushed for before `end` meanwhile, go through the heap, by
  /// moving the far list's events due before end + span into it.
  void prepare(Time end) {
    if (end <= horizon_) return;
    horizon_ = end + span_;
    far_min_ = std::numeric_limits<Time>::infinity();
    std::size_t kept = 0;
    for (std::size_t k = 0; k < far_.size(); ++k) {
      if (far_[k].time < horizon_) {
        push_heap(far_[k]);
      } else {
        far_min_ = std::min(far_min_, far_[k].time);
        far_[kept++] = far_[k];
      }
    }
    far_.resize(kept);
  }
  void push(const Event& e) {
    if (e.time >= horizon_) {
      far_.push_back(e);
      far_min_ = std::min(far_min_, e.time);
    } else {
      push_heap(e);
    }
  }
  /// The earliest event's time, or +infinity when nothing is pending.
  Time next_time() const noexcept {
    return std::min(size_ ? data_[kRoot].time : std::numeric_limits<Time>::infinity(), far_min_);
  }
  /// The heap's earliest event, or nullptr when the heap is empty (after
  /// prepare(end): the earliest event, if it is due before end).
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
  void push_heap(const Event& e) {
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
  void release() noexcept {
    if (data_) deallocate_pooled(data_, capacity_ * sizeof(Event), kAlign);
  }

  Event* data_ = nullptr;  ///< [kRoot, kRoot + size_) used
  std::size_t size_ = 0, capacity_ = 0;
  Time horizon_ = 0, span_ = 1;  ///< events due at or after horizon_ are in far_
  Time far_min_ = std::numeric_limits<Time>::infinity();
  PoolVector<Event> far_;
};

}  // namespace detail
}  // namespace sim
