// sim/engine.hpp: a conservative, windowed parallel discrete-event engine.
//
// The engine knows nothing of governance. A model splits its world into
// partitions (logical processes); each partition owns its event queue, the
// items (entities in flight) it currently holds, and whatever state the model
// keeps for it. A partition may schedule events for itself at any future
// time, and may send an item to another partition no sooner than `lookahead`
// after its own clock (in the governance model: the minimum transfer delay).
//
// Synchronisation (YAWNS-style windows): find the earliest pending event T
// across all partitions; every partition then processes, in parallel, its
// events with time < T + lookahead; no message sent inside the window can land
// inside it. At the window boundary each partition sorts the messages it
// received by (time, origin partition, origin sequence) and only then files
// them, so arrival order between threads never shows in the results: the run
// is byte-identical for any thread count.
//
// Model requirements:
//   using Item = ...;                                   // movable
//   void on_event(Engine<Model>::Partition&, std::uint32_t kind, SlotId slot);
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/spin_mutex.h>
#include <tbb/task_arena.h>

namespace sim {

using Time = double;
using PartitionId = std::uint32_t;
using SlotId = std::uint32_t;
inline constexpr Time kNever = std::numeric_limits<Time>::infinity();

/// Counters of one run, for benchmarks and for the summary's metadata.
struct EngineCounters {
  std::uint64_t events = 0;
  std::uint64_t messages = 0;
  std::uint64_t windows = 0;
};

template <class Model>
class Engine {
 public:
  using Item = typename Model::Item;

  class Partition {
   public:
    /// This partition's clock (hours): the time of the event being handled.
    Time now() const noexcept { return now_; }
    PartitionId id() const noexcept { return id_; }

    /// Keeps an item here and returns its slot. Invalidates references
    /// previously returned by item().
    SlotId hold(Item item) {
      if (!free_.empty()) {
        const SlotId s = free_.back();
        free_.pop_back();
        items_[s] = std::move(item);
        live_[s] = 1;
        return s;
      }
      items_.push_back(std::move(item));
      live_.push_back(1);
      return static_cast<SlotId>(items_.size() - 1);
    }
    Item& item(SlotId slot) noexcept { return items_[slot]; }
    const Item& item(SlotId slot) const noexcept { return items_[slot]; }
    void release(SlotId slot) {
      live_[slot] = 0;
      free_.push_back(slot);
    }
    /// Schedules `kind` for the item in `slot` at time `at` (>= now).
    void schedule(Time at, std::uint32_t kind, SlotId slot) {
      if (!(at >= now_)) throw std::logic_error("sim: event scheduled in the past");
      heap_.push_back(Event{at, next_order(), kind, slot});
      std::push_heap(heap_.begin(), heap_.end(), later);
    }
    /// Sends an item to partition `to`, arriving at `at`. Across partitions,
    /// `at` must be at least now + lookahead (the engine's safety condition).
    void send(PartitionId to, Time at, std::uint32_t kind, Item item) {
      if (to == id_) {
        schedule(at, kind, hold(std::move(item)));
        return;
      }
      if (!(at >= now_ + engine_->lookahead_ - engine_->lookahead_ * 1e-9))
        throw std::logic_error("sim: message violates the lookahead (" + std::to_string(at - now_) + " < " +
                               std::to_string(engine_->lookahead_) + ")");
      // Within rounding of the lookahead: land exactly on it, never inside the current window.
      at = std::max(at, now_ + engine_->lookahead_);
      Partition& target = *engine_->partitions_[to];
      Message m{at, next_order(), kind, std::move(item)};
      {
        tbb::spin_mutex::scoped_lock lock(target.inbox_mutex_);
        target.inbox_.push_back(std::move(m));
      }
      ++messages_;
    }
    /// Calls f(slot, item) for every item held here, in slot order.
    template <class F>
    void for_each_held(F&& f) const {
      for (std::size_t s = 0; s < items_.size(); ++s)
        if (live_[s]) f(static_cast<SlotId>(s), items_[s]);
    }
    std::uint64_t events_processed() const noexcept { return events_; }

   private:
    friend class Engine;
    struct Event {
      Time time;
      std::uint64_t order;  // origin partition (high 24 bits) and its sequence number
      std::uint32_t kind;
      SlotId slot;
    };
    struct Message {
      Time time;
      std::uint64_t order;
      std::uint32_t kind;
      Item item;
    };
    // Min-heap on (time, order); `order` is unique, so the order is total.
    static bool later(const Event& a, const Event& b) noexcept {
      return a.time > b.time || (a.time == b.time && a.order > b.order);
    }
    std::uint64_t next_order() noexcept { return (std::uint64_t{id_} << 40) | seq_++; }

    void absorb_inbox() {
      if (inbox_.empty()) return;
      std::sort(inbox_.begin(), inbox_.end(), [](const Message& a, const Message& b) {
        return a.time < b.time || (a.time == b.time && a.order < b.order);
      });
      for (Message& m : inbox_) {
        heap_.push_back(Event{m.time, m.order, m.kind, hold(std::move(m.item))});
        std::push_heap(heap_.begin(), heap_.end(), later);
      }
      inbox_.clear();
    }
    Time next_time() const noexcept { return heap_.empty() ? kNever : heap_.front().time; }
    void process_until(Time end, Model& model) {
      while (!heap_.empty() && heap_.front().time < end) {
        std::pop_heap(heap_.begin(), heap_.end(), later);
        const Event e = heap_.back();
        heap_.pop_back();
        now_ = e.time;
        ++events_;
        model.on_event(*this, e.kind, e.slot);
      }
    }

    Engine* engine_ = nullptr;
    PartitionId id_ = 0;
    Time now_ = 0.0;
    std::uint64_t seq_ = 0, events_ = 0, messages_ = 0;
    std::vector<Event> heap_;
    std::vector<Item> items_;
    std::vector<std::uint8_t> live_;
    std::vector<SlotId> free_;
    tbb::spin_mutex inbox_mutex_;
    std::vector<Message> inbox_;
  };

  /// `lookahead` (hours, > 0): the smallest delay of any cross-partition message.
  Engine(Model& model, std::size_t partitions, Time lookahead) : model_(model), lookahead_(lookahead) {
    if (!(lookahead > 0.0) || !std::isfinite(lookahead))
      throw std::invalid_argument("sim: the lookahead must be positive and finite");
    if (partitions >= (std::size_t{1} << 24)) throw std::invalid_argument("sim: too many partitions");
    partitions_.reserve(partitions);
    for (std::size_t i = 0; i < partitions; ++i) {
      partitions_.push_back(std::make_unique<Partition>());
      partitions_.back()->engine_ = this;
      partitions_.back()->id_ = static_cast<PartitionId>(i);
    }
  }

  std::size_t size() const noexcept { return partitions_.size(); }
  Partition& partition(PartitionId id) noexcept { return *partitions_[id]; }
  Time lookahead() const noexcept { return lookahead_; }

  /// Processes every event with time < until, on `threads` threads (>= 1).
  /// On return, messages still in flight have been filed into their targets.
  EngineCounters run(Time until, int threads) {
    const int n = static_cast<int>(partitions_.size());
    auto for_all = [&](auto&& body) {
      if (threads <= 1) {
        for (int i = 0; i < n; ++i) body(*partitions_[i]);
      } else {
        tbb::parallel_for(tbb::blocked_range<int>(0, n), [&](const tbb::blocked_range<int>& r) {
          for (int i = r.begin(); i < r.end(); ++i) body(*partitions_[i]);
        });
      }
    };
    EngineCounters counters;
    std::uint64_t events_before = 0, messages_before = 0;
    for (const auto& p : partitions_) events_before += p->events_, messages_before += p->messages_;
    auto loop = [&] {
      while (true) {
        for_all([](Partition& p) { p.absorb_inbox(); });
        Time earliest = kNever;
        for (const auto& p : partitions_) earliest = std::min(earliest, p->next_time());
        if (!(earliest < until)) break;
        const Time end = std::min(earliest + lookahead_, until);
        for_all([&](Partition& p) { p.process_until(end, model_); });
        ++counters.windows;
      }
    };
    if (threads <= 1) {
      loop();
    } else {
      tbb::task_arena arena(threads);
      arena.execute(loop);
    }
    for (const auto& p : partitions_) {
      counters.events += p->events_;
      counters.messages += p->messages_;
    }
    counters.events -= events_before;  // this call only
    counters.messages -= messages_before;
    return counters;
  }

 private:
  Model& model_;
  Time lookahead_;
  std::vector<std::unique_ptr<Partition>> partitions_;
};

}  // namespace sim
