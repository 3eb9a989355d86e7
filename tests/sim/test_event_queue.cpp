// The event queue against a plain sorted reference: events leave in (time,
// order) order whatever the far list holds back, as the engine uses it
// (prepare(end), then pops before end, with pushes in between).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <tuple>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/random.hpp"

namespace {

using sim::detail::Event;
using sim::detail::EventQueue;

struct ByTimeOrder {
  bool operator()(const Event& a, const Event& b) const {
    return std::tie(a.time, a.order) < std::tie(b.time, b.order);
  }
};

// Windows of length 1 over [0, 200): each pops what is due, and each popped
// event may schedule new ones (now, soon, or far ahead), like a model.
std::vector<Event> run_windows(double span, std::uint64_t seed, std::size_t* most_in_heap = nullptr) {
  // The project's own counter-based stream: draw k of it, in [0, 1).
  const sim::Stream stream(seed, 0);
  std::uint32_t draws = 0;
  auto uniform = [&] { return stream.uniform(1, draws++); };
  auto near = [&] { return 3.0 * uniform(); };
  auto far = [&] { return 150.0 * uniform(); };
  EventQueue q;
  q.set_span(span);
  std::set<Event, ByTimeOrder> reference;
  std::uint64_t order = 0;
  auto push = [&](double t) {
    const Event e{t, order++, static_cast<std::uint32_t>(order % 7), static_cast<sim::SlotId>(order), order * 3};
    q.push(e);
    reference.insert(e);
  };
  for (int k = 0; k < 400; ++k) push(far());
  std::vector<Event> popped;
  for (double end = 1.0; end <= 200.0; end += 1.0) {
    q.prepare(end);
    while (q.next_time() < end) {
      EXPECT_FALSE(reference.empty());
      const Event expected = *reference.begin();
      reference.erase(reference.begin());
      const Event* head = q.peek();
      if (head == nullptr) {
        ADD_FAILURE() << "an event is due before " << end << " but the heap is empty";
        return popped;
      }
      EXPECT_EQ(head->order, expected.order);
      const Event e = q.pop();
      EXPECT_EQ(e.time, expected.time);
      EXPECT_EQ(e.order, expected.order);
      EXPECT_EQ(e.kind, expected.kind);
      EXPECT_EQ(e.slot, expected.slot);
      EXPECT_EQ(e.value, expected.value);
      popped.push_back(e);
      // Sometimes at the same time (ties broken by order), mostly soon, sometimes far.
      const double r = uniform();
      if (r < 0.1) push(e.time);
      else if (r < 0.6) push(e.time + near());
      else if (r < 0.8) push(e.time + far());
    }
    // Nothing due before end is left behind in the far list.
    if (!reference.empty()) EXPECT_GE(reference.begin()->time, end);
    EXPECT_EQ(q.next_time(), reference.empty() ? std::numeric_limits<double>::infinity() : reference.begin()->time);
    EXPECT_EQ(q.size(), reference.size());
    if (most_in_heap) *most_in_heap = std::max(*most_in_heap, q.heap_size());
  }
  return popped;
}

TEST(EventQueue, PopsInTimeOrderForAnySpan) {
  for (const double span : {0.25, 1.0, 16.0, 1e9}) {
    const auto popped = run_windows(span, 7);
    EXPECT_GT(popped.size(), 1000u) << span;
    EXPECT_TRUE(std::is_sorted(popped.begin(), popped.end(), ByTimeOrder{})) << span;
  }
}

TEST(EventQueue, SameEventsWhateverTheSpan) {
  const auto all_in_heap = run_windows(1e9, 11), far_list = run_windows(2.0, 11);
  ASSERT_EQ(all_in_heap.size(), far_list.size());
  for (std::size_t k = 0; k < all_in_heap.size(); ++k) EXPECT_EQ(all_in_heap[k].order, far_list[k].order);
}

TEST(EventQueue, FarListKeepsTheHeapSmall) {
  std::size_t short_span = 0, whole = 0;
  run_windows(2.0, 5, &short_span);
  run_windows(1e9, 5, &whole);
  EXPECT_LT(short_span * 3, whole);  // events due 100 windows ahead wait outside the heap
}

}  // namespace
