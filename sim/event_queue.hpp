// sim/event_queue.hpp: one partition's pending events, in (time, order) order.
//
// A binary min-heap of 32-byte events. (A calendar front-end, keeping only a
// few windows' events in the heap and later ones in buckets, was tried at city
// scale: no faster, a third more memory, more cache misses; see
// docs/performance.md.)
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

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

class EventQueue {
 public:
  bool empty() const noexcept { return heap_.empty(); }
  std::size_t size() const noexcept { return heap_.size(); }

  void push(const Event& e) {
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }
  /// The earliest event's time, or +infinity when nothing is pending.
  Time next_time() const noexcept {
    return heap_.empty() ? std::numeric_limits<Time>::infinity() : heap_.front().time;
  }
  /// Hints the processor to load the top of the heap (the next events).
  void prefetch() const noexcept {
    if (!heap_.empty()) {
      __builtin_prefetch(heap_.data());
      __builtin_prefetch(reinterpret_cast<const char*>(heap_.data()) + 64);
    }
  }
  /// The earliest event, or nullptr when nothing is pending.
  const Event* peek() const noexcept { return heap_.empty() ? nullptr : &heap_.front(); }
  /// Removes and returns the earliest event; the queue must not be empty.
  Event pop() {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    const Event e = heap_.back();
    heap_.pop_back();
    return e;
  }

 private:
  std::vector<Event> heap_;
};

}  // namespace detail
}  // namespace sim
