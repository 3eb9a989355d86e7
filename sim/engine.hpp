// sim/engine.hpp: a conservative, windowed parallel discrete-event engine.
//
// The engine knows nothing of governance. A model splits its world into
// partitions (logical processes); each partition owns its event queue, the
// items (entities in flight) it currently holds, and whatever state the model
// keeps for it. A partition may schedule events for itself at any future
// time, and may send an item to another partition no sooner than `lookahead`
// after its own clock (in the governance model: the minimum transfer delay).
//
// Synchronisation (YAWNS-style windows): with T the earliest pending event
// across all partitions, every partition processes, in parallel, its events
// with time < T + lookahead; no message sent inside the window can land inside
// it. Messages sent in window k wait in the target's inbox for window k (one
// of two inboxes, alternating), and at the start of window k+1 the target
// sorts them by (time, origin partition, origin sequence) and only then files
// them, so arrival order between threads never shows in the results: the run
// is byte-identical for any thread count.
//
// One pass per window: each partition, when processed, files its inbox,
// handles its events and reports the earliest time it may next act (its next
// event, or the earliest message it sent). The chunks of partitions are
// dealt into one range per worker; each worker claims the chunks of its own
// range first, so that a partition stays on one core from window to window
// (its heap, items and state stay in that core's cache), then helps with the
// others'. Each publishes what it found (the earliest time, the chunks it
// did) once per window, and whoever completes a window's count opens the
// next. A worker that TBB never starts costs nothing: the others claim its
// chunks, so progress never waits on a particular thread.
// Workers wait for a window spinning briefly, then asleep (futex).
//
// Each partition's queue keeps the events due within 16 lookaheads in a heap
// and later ones in an unsorted far list, sorted out into the heap as windows
// reach them (sim/event_queue.hpp): at city scale most pending events are
// days ahead, and the heap stays shallow.
//
// Partitions with no event due in a window and no mail are passed over from
// two compact arrays, and the partitions about to be handled are prefetched
// (their objects, the top of their heaps, and, through the model, what their
// first event will touch).
//
// Events without items: an event may carry, instead of an item's slot, two
// plain values (a 32-bit one in the slot's place and a 64-bit one), for
// things too small to be worth an item (a timer that names an item held
// elsewhere, a signal to a resident). They cost no item storage and no copy of
// an item; they are ordered exactly like every other event.
//
// State belongs to partitions: a model may declare the state each partition
// owns (PartitionState), and a handler receives only its own partition, whose
// state() is that partition's alone; the model object itself is const while
// the engine runs (its parameters are read, never written), so a handler can
// change nothing but its own partition, and reaches another partition only by
// a message. (Cadmium's `internalTransition(S&) const` is the pattern.)
//
// Model requirements:
//   using Item = ...;                                   // movable
//   void on_event(Engine<Model>::Partition&, std::uint32_t kind, SlotId slot) const;
//     or, to receive the 64-bit value too:
//   void on_event(Engine<Model>::Partition&, std::uint32_t kind, SlotId slot, std::uint64_t value) const;
// Optionally:
//   using PartitionState = ...;                         // each partition's own state (default: none)
//   PartitionState partition_state(PartitionId) const;  // its initial value (default: value-initialised)
//   void prefetch(const Engine<Model>::Partition&, std::uint32_t kind, SlotId slot, std::uint64_t value) const;
//     to hide memory latency at scale: called with the next event due, just
//     before the current one is handled; may only hint the processor to load
//     what that event will touch.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <tbb/spin_mutex.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include "sim/event_queue.hpp"
#include "sim/memory.hpp"

namespace sim {

using PartitionId = std::uint32_t;
inline constexpr Time kNever = std::numeric_limits<Time>::infinity();

namespace detail {
/// The state of a partition of a model that declares none.
struct NoPartitionState {};
template <class Model>
struct PartitionStateOf {
  using type = NoPartitionState;
};
template <class Model>
requires requires { typename Model::PartitionState; }
struct PartitionStateOf<Model> {
  using type = typename Model::PartitionState;
};
}  // namespace detail

/// Counters of one run, for benchmarks and for the summary's metadata.
struct EngineCounters {
  std::uint64_t events = 0;
  std::uint64_t messages = 0;
  std::uint64_t windows = 0;
  bool interrupted = false;  ///< stopped early because the cancel flag was raised
};

template <class Model>
class Engine {
 public:
  using Item = typename Model::Item;
  using State = typename detail::PartitionStateOf<Model>::type;

  class Partition {
   public:
    /// This partition's clock (hours): the time of the event being handled.
    Time now() const noexcept { return now_; }
    PartitionId id() const noexcept { return id_; }
    /// The state this partition owns (the model's PartitionState): no other
    /// partition's handlers can reach it.
    State& state() noexcept { return state_; }
    const State& state() const noexcept { return state_; }

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
    /// Hints the processor to load the item in `slot` (for a model's prefetch()).
    void prefetch_item(SlotId slot) const noexcept {
      if (slot < items_.size()) {
        const char* at = reinterpret_cast<const char*>(&items_[slot]);
        for (std::size_t line = 0; line < sizeof(Item); line += 64) __builtin_prefetch(at + line);
      }
    }
    const Item& item(SlotId slot) const noexcept { return items_[slot]; }
    void release(SlotId slot) {
      live_[slot] = 0;
      free_.push_back(slot);
    }
    /// Schedules `kind` for the item in `slot` at time `at` (>= now). The
    /// engine never reads `slot` itself: an event without an item may carry
    /// any 32-bit value there, and `value` besides (both handed to on_event).
    void schedule(Time at, std::uint32_t kind, SlotId slot, std::uint64_t value = 0) {
      if (!(at >= now_)) throw std::logic_error("sim: event scheduled in the past");
      queue_.push(Event{at, next_order(), kind, slot, value});
    }
    /// Sends an item to partition `to`, arriving at `at`. Across partitions,
    /// `at` must be at least now + lookahead (the engine's safety condition).
    void send(PartitionId to, Time at, std::uint32_t kind, Item item) {
      if (to == id_) {
        schedule(at, kind, hold(std::move(item)));
        return;
      }
      at = arrival(at);
      post(to, at, [&](Partition& target) {
        target.inbox_[engine_->parity_].push_back(Message{at, next_order(), kind, std::move(item)});
      });
    }
    /// Sends an event without an item to partition `to`, arriving at `at`
    /// (same rule as send): on_event there receives `slot` and `value` as given.
    void send_event(PartitionId to, Time at, std::uint32_t kind, SlotId slot, std::uint64_t value) {
      if (to == id_) {
        schedule(at, kind, slot, value);
        return;
      }
      at = arrival(at);
      post(to, at, [&](Partition& target) {
        target.event_inbox_[engine_->parity_].push_back(Event{at, next_order(), kind, slot, value});
      });
    }
    /// Calls f(slot, item) for every item held here, in slot order.
    template <class F>
    void for_each_held(F&& f) const {
      for (std::size_t s = 0; s < items_.size(); ++s)
        if (live_[s]) f(static_cast<SlotId>(s), items_[s]);
    }
    std::uint64_t events_processed() const noexcept { return events_; }
    /// Events scheduled here and not yet handled.
    std::size_t events_pending() const noexcept { return queue_.size(); }

   private:
    friend class Engine;
    using Event = detail::Event;
    struct Message {
      Time time;
      std::uint64_t order;
      std::uint32_t kind;
      Item item;
    };
    std::uint64_t next_order() noexcept { return (std::uint64_t{id_} << 40) | seq_++; }
    /// Files what `file_into` puts in partition `to`'s inbox (under its lock),
    /// to be absorbed when `to` next opens a window; counts the message.
    template <class FileInto>
    void post(PartitionId to, Time at, FileInto&& file_into) {
      Partition& target = *engine_->partitions_[to];
      {
        tbb::spin_mutex::scoped_lock lock(target.inbox_mutex_);
        file_into(target);
        engine_->mail_[engine_->parity_][to] = 1;
      }
      min_sent_ = std::min(min_sent_, at);
      ++messages_;
    }
    /// The arrival time of a message sent now for `at`, checked against the lookahead.
    Time arrival(Time at) const {
      if (!(at >= now_ + engine_->lookahead_ - engine_->lookahead_ * 1e-9))
        throw std::logic_error("sim: message violates the lookahead (" + std::to_string(at - now_) + " < " +
                               std::to_string(engine_->lookahead_) + ")");
      // Within rounding of the lookahead: land exactly on it, never inside the current window.
      return std::max(at, now_ + engine_->lookahead_);
    }

    void absorb_inbox(int parity) {
      engine_->mail_[parity][id_] = 0;
      // Events without items go straight into the queue: its order, (time,
      // order), is total, so the order they are pushed in never shows.
      PoolVector<Event>& events = event_inbox_[parity];
      for (const Event& e : events) queue_.push(e);
      events.clear();
      // Items are sorted first, so the slots they get do not depend on threads.
      PoolVector<Message>& inbox = inbox_[parity];
      if (inbox.empty()) return;
      std::sort(inbox.begin(), inbox.end(), [](const Message& a, const Message& b) {
        return a.time < b.time || (a.time == b.time && a.order < b.order);
      });
      for (Message& m : inbox) queue_.push(Event{m.time, m.order, m.kind, hold(std::move(m.item)), 0});
      inbox.clear();
    }
    /// One window's work: files what was sent here last window, handles the
    /// events before `end`, and returns the earliest time this partition may
    /// act next (its next event, or the earliest message it sent).
    Time window(int last_parity, Time end, const Model& model) {
      absorb_inbox(last_parity);
      min_sent_ = kNever;
      process_until(end, model);
      return std::min(next_time(), min_sent_);
    }
    Time next_time() const noexcept { return queue_.next_time(); }
    void process_until(Time end, const Model& model) {
      queue_.prepare(end);
      while (queue_.next_time() < end) {
        const Event e = queue_.pop();
        // While this event is handled, what the next one needs can be on its way.
        if constexpr (requires { model.prefetch(*this, e.kind, e.slot, e.value); })
          if (const Event* next = queue_.peek()) model.prefetch(*this, next->kind, next->slot, next->value);
        now_ = e.time;
        ++events_;
        if constexpr (requires { model.on_event(*this, e.kind, e.slot, e.value); })
          model.on_event(*this, e.kind, e.slot, e.value);
        else model.on_event(*this, e.kind, e.slot);
      }
    }

    /// Hints the processor to load what this partition's next window starts
    /// with (its first events, its inbox), while another partition is handled.
    void prefetch_window(int last_parity) const noexcept {
      queue_.prefetch();
      if (!inbox_[last_parity].empty()) __builtin_prefetch(inbox_[last_parity].data());
      if (!event_inbox_[last_parity].empty()) __builtin_prefetch(event_inbox_[last_parity].data());
    }

    // What the owner touches for every event comes first; the inboxes, which
    // other threads write while the owner works, sit on cache lines of their own.
    Engine* engine_ = nullptr;
    PartitionId id_ = 0;
    Time now_ = 0.0;
    Time min_sent_ = kNever;
    std::uint64_t seq_ = 0, events_ = 0, messages_ = 0;
    detail::EventQueue queue_;
    // (Buffers from the huge-page pool: thousands of partitions' buffers on a few large pages.)
    PoolVector<Item> items_;
    PoolVector<std::uint8_t> live_;
    PoolVector<SlotId> free_;
    State state_{};
    alignas(64) tbb::spin_mutex inbox_mutex_;
    PoolVector<Message> inbox_[2];      // by the parity of the window the messages were sent in
    PoolVector<Event> event_inbox_[2];  // events without items, likewise
  };

  /// `lookahead` (hours, > 0): the smallest delay of any cross-partition message.
  /// Each partition's state starts as `model.partition_state(id)` where the model says.
  Engine(const Model& model, std::size_t partitions, Time lookahead) : model_(model), lookahead_(lookahead) {
    if (!(lookahead > 0.0) || !std::isfinite(lookahead))
      throw std::invalid_argument("sim: the lookahead must be positive and finite");
    if (partitions >= (std::size_t{1} << 24)) throw std::invalid_argument("sim: too many partitions");
    partitions_.reserve(partitions);
    next_time_.assign(partitions, kNever);
    mail_[0].assign(partitions, 0);
    mail_[1].assign(partitions, 0);
    for (std::size_t i = 0; i < partitions; ++i) {
      partitions_.push_back(std::make_unique<Partition>());
      partitions_.back()->engine_ = this;
      partitions_.back()->id_ = static_cast<PartitionId>(i);
      partitions_.back()->queue_.set_span(kFarSpan * lookahead);
      if constexpr (requires { model.partition_state(PartitionId{}); })
        partitions_.back()->state_ = model.partition_state(static_cast<PartitionId>(i));
    }
  }

  std::size_t size() const noexcept { return partitions_.size(); }
  Partition& partition(PartitionId id) noexcept { return *partitions_[id]; }
  Time lookahead() const noexcept { return lookahead_; }

  /// Processes every event with time < until, on `threads` threads (>= 1).
  /// On return, messages still in flight have been filed into their targets.
  /// If `cancel` is given and becomes true, the run stops at the next window
  /// boundary (counters.interrupted); the state is then consistent, and a
  /// later run() continues from it.
  EngineCounters run(Time until, int threads, const std::atomic<bool>* cancel = nullptr) {
    const std::size_t n = partitions_.size();
    EngineCounters counters;
    std::uint64_t events_before = 0, messages_before = 0;
    for (const auto& p : partitions_) events_before += p->events_, messages_before += p->messages_;

    // File whatever was sent before this call, and find the first window.
    Time earliest = kNever;
    for (auto& p : partitions_) {
      p->absorb_inbox(parity_);
      p->absorb_inbox(parity_ ^ 1);
      next_time_[p->id_] = p->next_time();
      earliest = std::min(earliest, p->next_time());
    }
    if (earliest < until && n > 0) {
      threads = std::max(1, threads);
      const std::size_t workers = std::min<std::size_t>(n, std::size_t(threads));
      Windows w(*this, until, threads <= 1 ? 1 : std::min<std::size_t>(n, std::size_t(threads) * 8), workers);
      w.end = std::min(earliest + lookahead_, until);
      w.cancel = cancel;
      parity_ = 0;
      if (threads <= 1) {
        w.work();
      } else {
        tbb::task_arena arena(threads);
        arena.execute([&] {
          tbb::task_group helpers;
          for (int t = 1; t < threads; ++t) helpers.run([&] { w.work(); });
          w.work();
          helpers.wait();
        });
        // TBB's own join is invisible to ThreadSanitizer (Debian's libtbb is
        // not instrumented); this acquire makes every worker's accesses
        // visibly happen before what follows.
        (void)w.left.load(std::memory_order_acquire);
      }
      if (w.error) std::rethrow_exception(w.error);
      counters.windows = w.windows;
      counters.interrupted = w.interrupted;
      for (auto& p : partitions_) p->absorb_inbox(parity_);  // sent in the last window
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
  static constexpr double kFarSpan = 16;         // in lookaheads: how far ahead each event heap holds events
  static constexpr int kSpinsBeforeWait = 2048;  // pause instructions: some tens of microseconds
  static void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

  /// The shared state of one run()'s workers.
  struct Windows {
    Windows(Engine& e, Time u, std::size_t c, std::size_t workers)
        : engine(e), until(u), chunks(c), ranges(std::max<std::size_t>(1, std::min(workers, c))), bounds(c + 1),
          order(c), cursors(ranges) {
      const std::size_t n = engine.partitions_.size();
      for (std::size_t k = 0; k <= chunks; ++k) bounds[k] = n * k / chunks;
      for (std::size_t k = 0; k < chunks; ++k) order[k] = k;
      if (chunks > 1) counted.assign(n, 0);
      deal(0);
    }
    Engine& engine;
    const Time until;
    const std::size_t chunks;
    const std::size_t ranges;  // one per worker: positions [range_begin(r), range_begin(r + 1)) of `order`
    // Load balance: chunk k is partitions [bounds[k], bounds[k + 1]), drawn
    // in `order`. Every kRebalance windows the opener redraws the bounds so
    // that chunks hold about equal numbers of recent events, and orders each
    // worker's range heaviest first, so that a window does not end waiting on
    // one heavy chunk drawn last (a district department that receives most
    // events is then a chunk of its own, started first). A range always holds
    // the same chunks, so its partitions change only at its edges. Which
    // thread handles what never changes results.
    static constexpr std::uint64_t kRebalance = 64;
    std::vector<std::size_t> bounds, order;
    // Each range's next position to claim, tagged with its window (window
    // << 32 | position), each on a cache line of its own: a claim for a
    // window that has closed fails on the tag.
    struct alignas(64) Cursor {
      std::atomic<std::uint64_t> at{0};
    };
    std::vector<Cursor> cursors;
    std::size_t range_begin(std::size_t r) const noexcept { return chunks * r / ranges; }
    /// Opens every range's claims for `window` (before the window opens).
    void deal(std::uint64_t window) {
      for (std::size_t r = 0; r < ranges; ++r)
        cursors[r].at.store(window << 32 | range_begin(r), std::memory_order_relaxed);
    }
    /// Claims the next position of range r in `window`, if any is left.
    bool claim(std::size_t r, std::uint64_t window, std::size_t& position) {
      std::atomic<std::uint64_t>& cursor = cursors[r].at;
      const std::size_t last = range_begin(r + 1);
      for (std::uint64_t at = cursor.load(std::memory_order_relaxed);;) {
        if ((at >> 32) != window || (at & 0xFFFFFFFFu) >= last) return false;
        if (cursor.compare_exchange_weak(at, at + 1, std::memory_order_relaxed)) {
          position = at & 0xFFFFFFFFu;
          return true;
        }
      }
    }
    std::vector<std::uint64_t> counted;  // each partition's events at the last rebalance
    const std::atomic<bool>* cancel = nullptr;
    Time end = 0;  // of the open window; written only by whoever opens it
    // Each counter on a cache line of its own: every chunk updates them from both threads.
    alignas(64) std::atomic<std::size_t> joined{0};  // hands each worker its range
    alignas(64) std::atomic<std::uint64_t> done{0};
    alignas(64) std::atomic<std::uint64_t> open{0};
    alignas(64) std::atomic<Time> earliest{kNever};
    alignas(64) std::atomic<int> left{0};  // workers that have returned (released as they leave)
    std::atomic<bool> stop{false};
    std::uint64_t windows = 0;
    bool interrupted = false;
    std::exception_ptr error;
    tbb::spin_mutex error_mutex;

    void work() {
      struct Leave {
        std::atomic<int>& left;
        ~Leave() { left.fetch_add(1, std::memory_order_release); }
      } leave{left};
      try {
        const std::size_t mine_first = joined.fetch_add(1, std::memory_order_relaxed) % ranges;
        for (std::uint64_t window = 0;; ++window) {
          // Waiting for the next window: a window's work is tens of
          // microseconds to a millisecond, so spin (politely) for a while,
          // then sleep until the window opens. Yielding in a loop instead
          // hands the core to other processes for a time slice at every
          // window; spinning on sleeps never lets a preempted peer back on a
          // busy machine.
          for (int spins = 0;; ++spins) {
            if (stop.load(std::memory_order_acquire)) return;
            const std::uint64_t opened = open.load(std::memory_order_acquire);
            if (opened >= window) {
              window = opened;  // (a worker that fell behind joins the open window)
              break;
            }
            if (spins < kSpinsBeforeWait) pause();
            else open.wait(opened, std::memory_order_acquire);
          }
          if (stop.load(std::memory_order_acquire)) return;
          // This window's chunks: this worker's range, then the others';
          // what it found (earliest time, chunks done) is published once per
          // window, not once per chunk.
          Time soonest = kNever;
          std::uint64_t mine = 0;
          for (std::size_t k = 0; k < ranges; ++k) {
            const std::size_t r = (mine_first + k) % ranges;
            for (std::size_t position; claim(r, window, position); ++mine)
              soonest = std::min(soonest, chunk(order[position]));
          }
          if (mine == 0) continue;  // (the others did them all)
          for (Time seen = earliest.load(std::memory_order_relaxed);
               soonest < seen && !earliest.compare_exchange_weak(seen, soonest, std::memory_order_relaxed);) {
          }
          if (done.fetch_add(mine, std::memory_order_acq_rel) + mine == (window + 1) * chunks) open_next(window);
        }
      } catch (...) {
        {
          tbb::spin_mutex::scoped_lock lock(error_mutex);
          if (!error) error = std::current_exception();
        }
        halt();
      }
    }
    /// Handles the partitions of chunk `c` of the open window; returns the
    /// earliest time any of them may act next.
    Time chunk(std::size_t c) {
      const std::size_t first = bounds[c], last = bounds[c + 1];
      Time soonest = kNever;
      const auto& parts = engine.partitions_;
      const int parity = engine.parity_ ^ 1;
      const std::uint8_t* mail = engine.mail_[parity].data();
      Time* next_time = engine.next_time_.data();
      for (std::size_t i = first; i < last; ++i) {
        // Nothing due in this window and no mail: nothing to do (and its
        // object stays untouched: the two compact arrays tell).
        if (next_time[i] >= end && !mail[i]) {
          soonest = std::min(soonest, next_time[i]);
          continue;
        }
        // Three partitions ahead: its object; two ahead: the top of its
        // heap and its inbox; one ahead: what its first event will touch.
        if (i + 3 < last) {
          const char* next = reinterpret_cast<const char*>(parts[i + 3].get());
          for (std::size_t line = 0; line < sizeof(Partition); line += 64) __builtin_prefetch(next + line);
        }
        if (i + 2 < last) parts[i + 2]->prefetch_window(parity);
        if constexpr (requires(const detail::Event& e) { engine.model_.prefetch(*parts[i], e.kind, e.slot, e.value); })
          if (i + 1 < last && next_time[i + 1] < end)
            if (const detail::Event* first_event = parts[i + 1]->queue_.peek())
              engine.model_.prefetch(*parts[i + 1], first_event->kind, first_event->slot, first_event->value);
        soonest = std::min(soonest, parts[i]->window(parity, end, engine.model_));
        next_time[i] = parts[i]->next_time();
      }
      return soonest;
    }
    // Stops every worker, waking those asleep.
    void halt() {
      stop.store(true, std::memory_order_release);
      open.store(std::numeric_limits<std::uint64_t>::max(), std::memory_order_release);
      open.notify_all();
    }
    // Called by whoever finished the last chunk of `window`: every partition
    // has reported, so the earliest pending time is known.
    void open_next(std::uint64_t window) {
      ++windows;
      const Time next = earliest.exchange(kNever, std::memory_order_relaxed);
      if (cancel && cancel->load(std::memory_order_relaxed) && next < until) interrupted = true;
      if (!(next < until) || interrupted) {
        halt();
        return;
      }
      end = std::min(next + engine.lookahead_, until);
      engine.parity_ ^= 1;
      if (chunks > 1 && windows % kRebalance == 0) rebalance();
      deal(window + 1);
      open.store(window + 1, std::memory_order_release);
      open.notify_all();
    }
    // Equal recent work per chunk (a partition's weight: its events since
    // the last rebalance, plus one for the visit), heaviest chunks first.
    void rebalance() {
      const auto& parts = engine.partitions_;
      const std::size_t n = parts.size();
      std::vector<std::uint64_t> weight(n);
      std::uint64_t total = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t events = parts[i]->events_;
        weight[i] = events - counted[i] + 1;
        counted[i] = events;
        total += weight[i];
      }
      std::vector<std::uint64_t> load(chunks, 0);
      std::uint64_t seen = 0;
      std::size_t k = 0;
      bounds[0] = 0;
      for (std::size_t i = 0; i < n; ++i) {
        // Close chunk k once its share is reached, keeping one partition for each chunk left.
        while (k + 1 < chunks && seen * chunks >= total * (k + 1) && i > bounds[k] && n - i >= chunks - k - 1)
          bounds[++k] = i;
        seen += weight[i];
        load[k] += weight[i];
      }
      while (k + 1 < chunks) bounds[++k] = n;  // (only when fewer partitions remain than chunks)
      bounds[chunks] = n;
      for (std::size_t r = 0; r < ranges; ++r)
        std::stable_sort(order.begin() + range_begin(r), order.begin() + range_begin(r + 1),
                         [&](std::size_t a, std::size_t b) { return load[a] > load[b]; });
    }
  };

  const Model& model_;  // read-only while running: what changes lives in the partitions
  Time lookahead_;
  int parity_ = 0;  // messages sent now go to inbox_[parity_]; flips as each window opens
  std::vector<std::unique_ptr<Partition>> partitions_;
  // Compact per-partition state read when a window opens, so that partitions
  // with nothing to do are passed over without touching them: the time of
  // each one's next event (written by whoever handled it last window), and
  // whether mail was sent to it (by parity; set by senders under the target's
  // inbox lock, cleared by the target as it files its inbox).
  std::vector<Time> next_time_;
  std::vector<std::uint8_t> mail_[2];
};

}  // namespace sim
