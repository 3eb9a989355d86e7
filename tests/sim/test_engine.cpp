// tests/sim/test_engine.cpp: the windowed conservative parallel engine.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/engine.hpp"
#include "sim/random.hpp"

namespace {

constexpr std::uint32_t kStart = 0, kArrive = 1, kWork = 2;

struct Token {
  std::uint64_t id = 0;
  std::uint32_t hops = 0;
};

struct LogEntry {
  double time;
  std::uint32_t partition;
  std::uint64_t token;
  std::uint32_t hops;
  std::uint32_t kind;
  bool operator==(const LogEntry& o) const {
    return time == o.time && partition == o.partition && token == o.token && hops == o.hops && kind == o.kind;
  }
};

std::ostream& operator<<(std::ostream& out, const LogEntry& e) {
  return out << "{t=" << e.time << " p=" << e.partition << " tok=" << e.token << " hop=" << e.hops << " k=" << e.kind
             << "}";
}

// A token-passing ring: on arrival a token may do some local work (a delay
// shorter than the lookahead), then moves on to the next partition after the
// lookahead plus an exponential delay drawn from the token's own stream.
struct RingModel {
  using Item = Token;
  using PartitionState = std::vector<LogEntry>;  // each partition's own log
  std::uint32_t partitions;
  std::uint32_t tokens_per_partition;
  std::uint32_t max_hops;
  double lookahead;
  std::uint64_t key = sim::stream_key(99, 0);

  RingModel(std::uint32_t n, std::uint32_t tokens, std::uint32_t hops, double la)
      : partitions(n), tokens_per_partition(tokens), max_hops(hops), lookahead(la) {}

  template <class P>
  void on_event(P& p, std::uint32_t kind, sim::SlotId slot) const {
    const Token t = p.item(slot);
    p.state().push_back({p.now(), p.id(), t.id, t.hops, kind});
    const sim::Stream s(key, t.id);
    if (kind == kStart) {
      // Launch this partition's tokens: local events, some at equal times.
      p.release(slot);
      for (std::uint32_t k = 0; k < tokens_per_partition; ++k) {
        const std::uint64_t id = std::uint64_t{p.id()} * 1000 + k;
        p.schedule(p.now() + 0.5 * (k % 3), kArrive, p.hold(Token{id, 0}));
      }
      return;
    }
    if (kind == kArrive && s.uniform(1, t.hops) < 0.5) {
      // Some local work first, shorter than the lookahead.
      p.schedule(p.now() + 0.3 * lookahead * s.uniform(2, t.hops), kWork, slot);
      return;
    }
    p.release(slot);
    if (t.hops >= max_hops) return;
    const double delay = lookahead + sim::Distribution::exponential(1.0).sample(s.block(0, t.hops));
    const sim::PartitionId to = (p.id() + 1) % partitions;
    p.send(to, p.now() + delay, kArrive, Token{t.id, t.hops + 1});
  }

};

/// Each partition's log, in partition order.
template <class Engine>
std::vector<std::vector<LogEntry>> logs_of(Engine& engine) {
  std::vector<std::vector<LogEntry>> logs;
  for (sim::PartitionId i = 0; i < engine.size(); ++i) logs.push_back(engine.partition(i).state());
  return logs;
}
/// Every partition's log, one after another.
template <class Engine>
std::vector<LogEntry> merged(Engine& engine) {
  std::vector<LogEntry> all;
  for (const auto& l : logs_of(engine)) all.insert(all.end(), l.begin(), l.end());
  return all;
}

struct RingRun {
  std::vector<LogEntry> log;
  sim::EngineCounters counters;
};

RingRun run_ring(int threads, std::uint32_t n = 8, double until = sim::kNever) {
  RingModel model(n, 5, 40, 0.25);
  sim::Engine<RingModel> engine(model, n, model.lookahead);
  for (sim::PartitionId i = 0; i < n; ++i) engine.partition(i).schedule(0.0, kStart, engine.partition(i).hold(Token{}));
  RingRun r;
  r.counters = engine.run(until, threads);
  r.log = merged(engine);
  return r;
}

TEST(Engine, RingIsIdenticalForAnyThreadCount) {
  const RingRun one = run_ring(1);
  ASSERT_GT(one.log.size(), 1000u);
  for (int threads : {1, 2, 4}) {
    SCOPED_TRACE(threads);
    const RingRun r = run_ring(threads);
    ASSERT_EQ(r.log.size(), one.log.size());
    for (std::size_t i = 0; i < r.log.size(); ++i) ASSERT_EQ(r.log[i], one.log[i]) << "entry " << i;
    EXPECT_EQ(r.counters.events, one.counters.events);
    EXPECT_EQ(r.counters.messages, one.counters.messages);
    EXPECT_EQ(r.counters.windows, one.counters.windows);
  }
}

TEST(Engine, RingIsIdenticalAcrossRepeatedRuns) {
  const RingRun first = run_ring(4);
  for (int rep = 0; rep < 3; ++rep) {
    const RingRun again = run_ring(4);
    ASSERT_EQ(again.log, first.log) << "repeat " << rep;
  }
}

TEST(Engine, EveryTokenCompletesItsHops) {
  const RingRun r = run_ring(2);
  // 8 partitions x 5 tokens x 41 arrivals (hop 0..40).
  std::vector<int> arrivals(8000, 0);
  for (const auto& e : r.log)
    if (e.kind == kArrive) ++arrivals[e.token];
  for (std::uint32_t p = 0; p < 8; ++p)
    for (std::uint32_t k = 0; k < 5; ++k) EXPECT_EQ(arrivals[p * 1000 + k], 41) << p << "/" << k;
  // A token at hop h is on partition (origin + h) mod 8.
  for (const auto& e : r.log)
    if (e.kind != kStart) ASSERT_EQ(e.partition, (e.token / 1000 + e.hops) % 8) << e;
}

TEST(Engine, EventsAreProcessedInTimeOrderPerPartition) {
  for (int threads : {1, 4}) {
    RingModel model(6, 4, 30, 0.5);
    sim::Engine<RingModel> engine(model, 6, model.lookahead);
    for (sim::PartitionId i = 0; i < 6; ++i) engine.partition(i).schedule(0.0, kStart, engine.partition(i).hold(Token{}));
    engine.run(sim::kNever, threads);
    for (const auto& log : logs_of(engine)) {
      ASSERT_FALSE(log.empty());
      for (std::size_t i = 1; i < log.size(); ++i) ASSERT_LE(log[i - 1].time, log[i].time) << log[i];
    }
  }
}

TEST(Engine, CountersCountEventsAndMessages) {
  const RingRun r = run_ring(1);
  EXPECT_EQ(r.counters.events, r.log.size());
  // Every arrival at hop >= 1 was a cross-partition message.
  std::uint64_t messages = 0;
  for (const auto& e : r.log) messages += e.kind == kArrive && e.hops > 0;
  EXPECT_EQ(r.counters.messages, messages);
  EXPECT_EQ(messages, 8u * 5u * 40u);
  EXPECT_GT(r.counters.windows, 0u);
  EXPECT_LE(r.counters.windows, r.counters.events);
}

TEST(Engine, SendToSelfIsNotAMessage) {
  // With one partition the ring sends to itself: a local schedule, no message.
  RingModel model(1, 3, 10, 0.25);
  sim::Engine<RingModel> engine(model, 1, model.lookahead);
  engine.partition(0).schedule(0.0, kStart, engine.partition(0).hold(Token{}));
  const sim::EngineCounters c = engine.run(sim::kNever, 1);
  EXPECT_EQ(c.messages, 0u);
  EXPECT_EQ(c.events, engine.partition(0).state().size());
  EXPECT_EQ(engine.partition(0).events_processed(), c.events);
}

TEST(Engine, RunUntilStopsBeforeUntilAndContinues) {
  for (int threads : {1, 2}) {
    SCOPED_TRACE(threads);
    const RingRun whole = run_ring(threads);
    RingModel model(8, 5, 40, 0.25);
    sim::Engine<RingModel> engine(model, 8, model.lookahead);
    for (sim::PartitionId i = 0; i < 8; ++i) engine.partition(i).schedule(0.0, kStart, engine.partition(i).hold(Token{}));
    const double until = 10.0;
    const sim::EngineCounters first = engine.run(until, threads);
    std::size_t processed = 0;
    for (const auto& log : logs_of(engine)) {
      for (const auto& e : log) ASSERT_LT(e.time, until) << e;
      processed += log.size();
    }
    EXPECT_EQ(first.events, processed);
    ASSERT_GT(processed, 0u);
    ASSERT_LT(processed, whole.log.size());
    // Everything before `until` was done.
    std::size_t expected_before = 0;
    for (const auto& e : whole.log) expected_before += e.time < until;
    EXPECT_EQ(processed, expected_before);

    engine.run(sim::kNever, threads);
    EXPECT_EQ(merged(engine), whole.log);
  }
}

TEST(Engine, RunUntilCountersArePerRun) {
  // EngineCounters are documented as "counters of one run": a second run()
  // reports its own events and messages, like it reports its own windows.
  const RingRun whole = run_ring(1);
  RingModel model(8, 5, 40, 0.25);
  sim::Engine<RingModel> engine(model, 8, model.lookahead);
  for (sim::PartitionId i = 0; i < 8; ++i) engine.partition(i).schedule(0.0, kStart, engine.partition(i).hold(Token{}));
  const sim::EngineCounters first = engine.run(10.0, 1);
  const sim::EngineCounters second = engine.run(sim::kNever, 1);
  EXPECT_EQ(first.events + second.events, whole.counters.events);
  EXPECT_EQ(first.messages + second.messages, whole.counters.messages);
}

TEST(Engine, EventAtUntilIsLeftForLaterRun) {
  RingModel model(2, 1, 0, 0.25);
  sim::Engine<RingModel> engine(model, 2, 0.25);
  engine.partition(0).schedule(5.0, kStart, engine.partition(0).hold(Token{}));
  engine.run(5.0, 1);
  const auto& log = engine.partition(0).state();
  EXPECT_TRUE(log.empty());
  engine.run(5.0 + 1e-9, 1);
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log[0].time, 5.0);
  EXPECT_EQ(log[0].kind, kStart);
}

// A model whose events do whatever a test function (a generic lambda) says.
template <class F>
struct ScriptModel {
  using Item = int;
  F handler;
  template <class P>
  void on_event(P& p, std::uint32_t kind, sim::SlotId slot) const {
    handler(p, kind, slot);
  }
};
template <class F>
ScriptModel<F> script(F f) {
  return ScriptModel<F>{std::move(f)};
}
template <class M>
using EngineFor = sim::Engine<std::remove_reference_t<M>>;

TEST(Engine, SendViolatingLookaheadThrows) {
  for (int threads : {1, 2}) {
    SCOPED_TRACE(threads);
    auto model = script([](auto& p, std::uint32_t, sim::SlotId) { p.send(1, p.now() + 0.5, 0, 7); });
    EngineFor<decltype(model)> engine(model, 2, 1.0);
    engine.partition(0).schedule(1.0, 0, engine.partition(0).hold(0));
    EXPECT_THROW(engine.run(sim::kNever, threads), std::logic_error);
  }
}

TEST(Engine, SendExactlyAtLookaheadIsAllowed) {
  std::vector<std::pair<sim::PartitionId, double>> seen;
  auto model = script([&](auto& p, std::uint32_t kind, sim::SlotId) {
    seen.emplace_back(p.id(), p.now());
    if (kind == 0) p.send(1, p.now() + 1.0, 1, 7);
  });
  EngineFor<decltype(model)> engine(model, 2, 1.0);
  engine.partition(0).schedule(0.5, 0, engine.partition(0).hold(0));
  const auto c = engine.run(sim::kNever, 1);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1], std::make_pair(sim::PartitionId{1}, 1.5));
  EXPECT_EQ(c.messages, 1u);
}

TEST(Engine, ScheduleInThePastThrows) {
  auto model = script([](auto& p, std::uint32_t, sim::SlotId slot) { p.schedule(p.now() - 0.1, 0, slot); });
  EngineFor<decltype(model)> engine(model, 1, 1.0);
  EXPECT_THROW(engine.partition(0).schedule(-1.0, 0, 0), std::logic_error);
  EXPECT_THROW(engine.partition(0).schedule(NAN, 0, 0), std::logic_error);
  engine.partition(0).schedule(2.0, 0, engine.partition(0).hold(0));
  EXPECT_THROW(engine.run(sim::kNever, 1), std::logic_error);
}

TEST(Engine, ScheduleAtNowIsAllowed) {
  int calls = 0;
  auto model = script([&](auto& p, std::uint32_t kind, sim::SlotId slot) {
    ++calls;
    if (kind == 0) p.schedule(p.now(), 1, slot);
  });
  EngineFor<decltype(model)> engine(model, 1, 1.0);
  engine.partition(0).schedule(2.0, 0, engine.partition(0).hold(0));
  EXPECT_NO_THROW(engine.run(sim::kNever, 1));
  EXPECT_EQ(calls, 2);
}

TEST(Engine, BadConstructionThrows) {
  auto model = script([](auto&, std::uint32_t, sim::SlotId) {});
  using E = EngineFor<decltype(model)>;
  EXPECT_THROW(E(model, 2, 0.0), std::invalid_argument);
  EXPECT_THROW(E(model, 2, -1.0), std::invalid_argument);
  EXPECT_THROW(E(model, 2, sim::kNever), std::invalid_argument);
  EXPECT_THROW(E(model, 2, NAN), std::invalid_argument);
}

// Equal-time events: messages by (time, origin partition, origin sequence),
// then the target's own events, whatever the thread count.
std::vector<std::tuple<double, int>> equal_time_order(int threads) {
  constexpr sim::PartitionId kSink = 4;
  std::vector<std::tuple<double, int>> order;  // (time, payload) as processed at the sink
  auto model = script([&](auto& p, std::uint32_t kind, sim::SlotId slot) {
    const int payload = p.item(slot);
    p.release(slot);
    if (p.id() == kSink) {
      order.emplace_back(p.now(), payload);
      return;
    }
    if (kind == 0) {
      // Each source sends one item arriving at t = 6 first, then three
      // arriving at t = 5 in descending payload order.
      p.send(kSink, 6.0, 1, 100 * static_cast<int>(p.id()) + 9);
      for (int k = 3; k-- > 0;) p.send(kSink, 5.0, 1, 100 * static_cast<int>(p.id()) + k);
    }
  });
  EngineFor<decltype(model)> engine(model, 5, 1.0);
  // The sources start in reverse id order (by time), so that the time at
  // which they send does not decide the order at the sink.
  for (sim::PartitionId i = 0; i < kSink; ++i)
    engine.partition(i).schedule(3.0 - 0.25 * i, 0, engine.partition(i).hold(0));
  // Local sink events at 5.0: partition 4's own order keys come after those
  // of partitions 0..3.
  engine.partition(kSink).schedule(5.0, 0, engine.partition(kSink).hold(-2));
  engine.partition(kSink).schedule(5.0, 0, engine.partition(kSink).hold(-1));
  engine.run(sim::kNever, threads);
  return order;
}

TEST(Engine, EqualTimesHaveDeterministicOrder) {
  const auto one = equal_time_order(1);
  ASSERT_EQ(one.size(), 4u * 4u + 2u);
  std::vector<std::tuple<double, int>> expected;
  for (int src = 0; src < 4; ++src)
    for (int k = 2; k >= 0; --k) expected.emplace_back(5.0, 100 * src + k);  // origin, then send order
  expected.emplace_back(5.0, -2);
  expected.emplace_back(5.0, -1);
  for (int src = 0; src < 4; ++src) expected.emplace_back(6.0, 100 * src + 9);
  EXPECT_EQ(one, expected);
  for (int threads : {2, 4})
    for (int rep = 0; rep < 5; ++rep) ASSERT_EQ(equal_time_order(threads), one) << threads;
}

TEST(Engine, LocalEqualTimeEventsRunInSchedulingOrder) {
  std::vector<int> order;
  auto model = script([&](auto& p, std::uint32_t, sim::SlotId slot) { order.push_back(p.item(slot)); });
  EngineFor<decltype(model)> engine(model, 1, 1.0);
  for (int k = 0; k < 20; ++k) engine.partition(0).schedule(k % 2 ? 1.0 : 2.0, 0, engine.partition(0).hold(k));
  engine.run(sim::kNever, 1);
  std::vector<int> expected;
  for (int k = 1; k < 20; k += 2) expected.push_back(k);
  for (int k = 0; k < 20; k += 2) expected.push_back(k);
  EXPECT_EQ(order, expected);
}

TEST(Engine, HeldItemsAndSlotReuse) {
  auto model = script([](auto&, std::uint32_t, sim::SlotId) {});
  EngineFor<decltype(model)> engine(model, 1, 1.0);
  auto& p = engine.partition(0);
  const sim::SlotId a = p.hold(10), b = p.hold(20), c = p.hold(30);
  EXPECT_EQ(p.item(b), 20);
  p.release(b);
  std::vector<std::pair<sim::SlotId, int>> held;
  p.for_each_held([&](sim::SlotId s, int v) { held.emplace_back(s, v); });
  EXPECT_EQ(held, (std::vector<std::pair<sim::SlotId, int>>{{a, 10}, {c, 30}}));
  const sim::SlotId d = p.hold(40);
  EXPECT_EQ(d, b);  // the freed slot is reused
  EXPECT_EQ(p.item(d), 40);
}

// A message sent just inside the floating-point tolerance of the lookahead
// check must not be handled after later events its target already handled.
TEST(Engine, ClockNeverRunsBackwardsNearTheLookahead) {
  std::vector<std::vector<double>> times(2);
  auto model = script([&](auto& p, std::uint32_t kind, sim::SlotId slot) {
    times[p.id()].push_back(p.now());
    p.release(slot);
    if (kind == 0 && p.id() == 0) p.send(1, p.now() + 1.0 - 5e-10, 1, 0);
  });
  EngineFor<decltype(model)> engine(model, 2, 1.0);
  engine.partition(0).schedule(0.0, 0, engine.partition(0).hold(0));
  engine.partition(1).schedule(1.0 - 1e-10, 2, engine.partition(1).hold(0));
  engine.run(sim::kNever, 1);
  ASSERT_EQ(times[1].size(), 2u);
  EXPECT_LE(times[1][0], times[1][1]) << "partition 1 handled t=" << times[1][0] << " and then t=" << times[1][1];
}

}  // namespace

// Events without items: their values arrive as sent, nothing is held for
// them, and they are ordered with item events by (time, origin, sequence),
// identically for any thread count.
struct ValueModel {
  using Item = int;
  using PartitionState = std::vector<std::tuple<double, std::uint32_t, sim::SlotId, std::uint64_t>>;  // what it saw
  template <class P>
  void on_event(P& p, std::uint32_t kind, sim::SlotId slot, std::uint64_t value) const {
    p.state().emplace_back(p.now(), kind, kind == 0 ? sim::SlotId{0} : slot, value);
    if (kind != 0) return;
    p.release(slot);
    if (p.id() == 2) return;
    for (std::uint32_t k = 0; k < 3; ++k) {
      p.send_event(2, p.now() + 1.0, 1, 10 * p.id() + k, 0xF00D000000000000ull + k);  // equal times
      p.send(2, p.now() + 1.0, 0, 7);
    }
    p.send_event(p.id(), p.now() + 0.25, 2, 42, 43);  // to itself: a plain local event
  }
};

TEST(Engine, EventsWithoutItemsCarryValuesInDeterministicOrder) {
  std::vector<std::tuple<double, std::uint32_t, sim::SlotId, std::uint64_t>> first;
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE(threads);
    ValueModel model;
    sim::Engine<ValueModel> engine(model, 3, 1.0);
    for (sim::PartitionId i = 0; i < 2; ++i) engine.partition(i).schedule(0.0, 0, engine.partition(i).hold(0));
    const auto c = engine.run(sim::kNever, threads);
    EXPECT_EQ(c.messages, 12u);  // 6 events without items and 6 items, from two partitions
    const auto& sink = engine.partition(2).state();
    ASSERT_EQ(sink.size(), 12u);
    // Partition 0's six first (lower origin), each in its sending order.
    for (std::uint32_t k = 0; k < 3; ++k) {
      EXPECT_EQ(sink[2 * k], std::make_tuple(1.0, 1u, sim::SlotId{k}, 0xF00D000000000000ull + k));
      EXPECT_EQ(std::get<1>(sink[2 * k + 1]), 0u);
      EXPECT_EQ(sink[6 + 2 * k], std::make_tuple(1.0, 1u, sim::SlotId{10 + k}, 0xF00D000000000000ull + k));
    }
    EXPECT_EQ(engine.partition(0).state().back(), std::make_tuple(0.25, 2u, sim::SlotId{42}, std::uint64_t{43}));
    std::size_t held = 0;
    engine.partition(2).for_each_held([&](sim::SlotId, int) { ++held; });
    EXPECT_EQ(held, 0u);
    if (threads == 1) first = sink;
    EXPECT_EQ(sink, first);
  }
}

// One partition (a hub, like a district department that receives most
// events) gets half of all work: the engine redraws its chunks by recent work
// every 64 windows; the log stays identical for any thread count.
struct HubModel {
  using Item = Token;
  std::uint32_t partitions;
  using PartitionState = std::vector<LogEntry>;
  std::uint64_t key = sim::stream_key(7, 0);
  explicit HubModel(std::uint32_t n) : partitions(n) {}
  template <class P>
  void on_event(P& p, std::uint32_t kind, sim::SlotId slot) const {
    const Token t = p.item(slot);
    p.release(slot);
    p.state().push_back({p.now(), p.id(), t.id, t.hops, kind});
    if (t.hops >= 200) return;
    const sim::Stream s(key, t.id);
    const double delay = 1.0 + sim::Distribution::exponential(0.5).sample(s.block(0, t.hops));
    const sim::PartitionId to =
        p.id() == 0 ? 1 + static_cast<sim::PartitionId>(s.uniform(1, t.hops) * (partitions - 1)) % (partitions - 1) : 0;
    p.send(to, p.now() + delay, kArrive, Token{t.id, t.hops + 1});
  }
};

TEST(Engine, HeavyPartitionIdenticalForAnyThreadCount) {
  std::vector<LogEntry> first;
  for (int threads : {1, 2, 4}) {
    SCOPED_TRACE(threads);
    HubModel model(40);
    sim::Engine<HubModel> engine(model, 40, 1.0);
    for (sim::PartitionId i = 1; i < 40; ++i)
      for (std::uint64_t k = 0; k < 5; ++k) engine.partition(i).schedule(0.1 * k, kArrive, engine.partition(i).hold(Token{i * 100 + k, 0}));
    const auto c = engine.run(sim::kNever, threads);
    EXPECT_GT(c.windows, 300u);  // several rebalances
    std::vector<LogEntry> all;
    for (sim::PartitionId i = 0; i < 40; ++i) all.insert(all.end(), engine.partition(i).state().begin(), engine.partition(i).state().end());
    EXPECT_EQ(all.size(), 39u * 5u * 201u);
    if (threads == 1) first = all;
    EXPECT_EQ(all, first);
  }
}
