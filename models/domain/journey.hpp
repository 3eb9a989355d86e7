// models/domain/journey.hpp: the journey of a resident's request, as an engine model.
//
// Read journey.cpp top to bottom to follow one request: a need arises at the
// resident's home unit, is reported or not, reaches its first contact, waits
// in queues, is served, referred, misrouted and bounced, re-documented,
// escalated or arbitrated, co-signed in sequence or in parallel, and ends
// resolved, abandoned, lost or with nobody responsible. Each ending is written
// as an Outcome record and, with trust on, fed back to the resident and
// spread to their neighbours.
#pragma once

#include <cstdint>
#include <vector>

#include "models/domain/organisation.hpp"
#include "models/domain/population.hpp"
#include "sim/engine.hpp"
#include "sim/memory.hpp"
#include "sim/random.hpp"

namespace govsim {

inline constexpr std::uint32_t kNoResident = 0xFFFFFFFFu;

enum class Status : std::uint8_t { resolved, abandoned, lost, orphaned, unresolved, unreported };
inline constexpr int kStatusCount = 6;
const char* to_string(Status s) noexcept;

/// What one need came to. Written where the journey ended; merged in partition order.
struct Outcome {
  float response_h = 0;        ///< report -> end (resolved: answer; others: when it ended)
  float since_need_h = 0;      ///< need -> end
  // Where the time went (report -> end): they add up to response_h.
  float wait_h = 0;            ///< queued while the unit was open
  float service_h = 0;         ///< being served (working time)
  float transit_h = 0;         ///< travelling to first contact, handoffs under way
  float closed_h = 0;          ///< waiting for working time (queued, paused or held for a document run)
  float cosign_wait_h = 0;     ///< parked while co-signers signed in parallel
  float first_contact_h = -1;  ///< report -> first service start (-1: never served)
  float reported_at = 0;       ///< hours since start
  std::uint32_t home = 0;
  std::uint32_t resolver = kNoUnit;
  std::uint16_t group_id = 0;
  std::uint8_t type = 0;
  Status status = Status::resolved;
  std::uint8_t handoffs = 0, bounces = 0, misroutes = 0, redocumentations = 0, reworks = 0;
  std::uint8_t working_days = 255;  ///< resolved: within this many working days of the report (255: more)
  bool deadline_breached = false;
  bool escalated = false;
};

/// The engine's item: a request, or one of the sources and samplers that drive
/// it. (Council review timers and trust signals are events without items:
/// see JourneyModel::Event.)
struct Request {
  enum class Item : std::uint8_t { request, cosign, admin, need_source, admin_source, sampler };
  enum class Action : std::uint8_t { resolve, refer, bounce, sign, admin };
  Item item = Item::request;
  Action action = Action::resolve;
  std::uint8_t type = 0;
  std::uint8_t level = 0;  ///< queue level: 0 diverted work, 1 escalated, 2.. by urgency
  bool misrouted = false, arbitrated = false, escalated = false, redocument = false, refused = false;
  bool by_volunteers = false;        ///< queued for the unit's volunteers (who work apart from its staff)
  bool served_by_volunteer = false;  ///< the service under way is a volunteer's
  std::uint16_t group_id = 0;
  std::uint16_t handoffs = 0, bounces = 0, misroutes = 0, redocumentations = 0, reworks = 0, visits = 0;
  std::uint16_t stage = 0;           ///< co-signs done (sequential)
  std::uint16_t cosign_pending = 0;  ///< co-signs outstanding (parallel)
  std::uint32_t resident = kNoResident;
  std::uint32_t home = kNoUnit;
  std::uint32_t from = kNoUnit;      ///< unit that handed it over
  std::uint32_t join_unit = kNoUnit; ///< where a co-sign copy reports back
  sim::SlotId join_slot = 0;         ///< also: a timer's target slot
  std::uint32_t ticket = 0;          ///< current queue ticket (stale entries are skipped)
  std::uint64_t entity = 0;          ///< the random stream of this request or source
  std::uint64_t tick = 0;            ///< sources: draws made so far
  double need_at = 0, reported_at = 0, give_up_at = 0, enqueued_at = 0, first_contact_at = -1;
  double deadline_at = 0;  ///< the promised answer time
  double review_at = 0;    ///< the council meeting that finds it overdue (infinity: no council)
  double parked_at = 0;    ///< waiting for parallel co-signs since
  double wait_h = 0, service_h = 0, transit_h = 0, closed_h = 0, cosign_wait_h = 0;
};

/// A first-in first-out queue in one growing ring buffer (a std::deque
/// allocates a 512-byte block and a map per queue, and six queues per unit).
template <class T>
class RingQueue {
 public:
  bool empty() const noexcept { return head_ == tail_; }
  std::size_t size() const noexcept { return tail_ - head_; }
  const T& front() const noexcept { return data_[head_ & mask_]; }
  void pop_front() noexcept { ++head_; }
  void push_back(const T& x) {
    if (tail_ - head_ == data_.size()) grow();
    data_[tail_++ & mask_] = x;
  }

 private:
  void grow() {
    sim::PoolVector<T> bigger(data_.empty() ? 8 : data_.size() * 2);
    for (std::size_t i = head_; i != tail_; ++i) bigger[i - head_] = data_[i & mask_];
    tail_ -= head_;
    head_ = 0;
    data_.swap(bigger);
    mask_ = data_.size() - 1;
  }
  sim::PoolVector<T> data_;  ///< capacity a power of two
  std::size_t head_ = 0, tail_ = 0, mask_ = 0;
};

/// One unit's changing state (owned by its partition; no other thread touches it).
struct UnitState {
  struct Entry {
    sim::SlotId slot;
    std::uint32_t ticket;
  };
  std::vector<RingQueue<Entry>> queues;  ///< by level
  std::uint32_t queued = 0;               ///< live entries (stale ones excluded)
  std::uint32_t busy = 0, busy_diverted = 0;  ///< busy places (volunteers included), of them on diverted work
  /// Volunteers working apart from the staff: their own queue (first come, first served).
  RingQueue<Entry> volunteer_queue;
  std::uint32_t volunteer_queued = 0, volunteer_busy = 0;
  double last_change = 0;
  double wake_at = -1;  ///< when a pending opening event will restart service (-1: none)
  /// Integrals over [warm-up, horizon]: busy places in working time (for
  /// residents, diverted), queue length in all time; overtime hours worked.
  double busy_area = 0, diverted_area = 0, queue_area = 0, overtime_h = 0;
  double window_busy_area = 0;                              ///< since the last sample
  double open_area = 0;  ///< time-integral of open requests over [warm-up, horizon], every request (Little's L)
  std::uint32_t next_ticket = 1;
  std::vector<Outcome> outcomes;
  struct Sample {
    double time_h;
    std::uint32_t queue, busy;
    double utilisation;
    double mean_willingness;  ///< NaN where no residents live
  };
  std::vector<Sample> samples;
};

class JourneyModel {
 public:
  using Item = Request;
  using Engine = sim::Engine<JourneyModel>;
  using Partition = Engine::Partition;
  /// Event kinds. Those marked "no item" carry two plain values instead of an item's slot.
  enum Event : std::uint32_t {
    kNeed, kArrive, kDone, kAdmin, kSample, kSigned,
    kReview,          ///< no item: (slot of the queued request, its queue ticket)
    kGoodExperience,  ///< no item: (resident, stream of the request that went well)
    kBadExperience,   ///< no item: (resident, stream of the request that went badly)
    kHearsay,         ///< no item: (resident, the change of willingness heard, as float bits)
    kOpen             ///< no item: the unit opens and its staff take queued cases
  };

  JourneyModel(const Scenario& scenario, const Organisation& org, const Residents& residents,
               std::uint64_t stream_key);

  /// Puts the sources (needs, diverted work, samplers) into the engine at time 0.
  void seed_sources(Engine& engine);
  void on_event(Partition& p, std::uint32_t kind, sim::SlotId slot, std::uint64_t value);
  /// Hints the processor to load what the event due next will touch (its item, a resident's state).
  void prefetch(const Partition& p, std::uint32_t kind, sim::SlotId slot, std::uint64_t value) const noexcept;
  /// After the run: closes the integrals and records requests still open at the horizon.
  void finish(Engine& engine);

  const std::vector<UnitState>& unit_states() const noexcept { return units_; }
  const sim::LargeVector<float>& willingness() const noexcept { return willingness_; }
  /// The smallest delay of any message between two partitions (the lookahead).
  double minimum_cross_unit_delay() const noexcept { return min_delay_; }

 private:
  // The journey, in order.
  std::uint64_t pick_need(std::uint64_t source_entity, std::uint32_t block, std::uint64_t k) const noexcept;
  void need_arises(Partition& p, sim::SlotId source, std::uint64_t picked);
  void arrive(Partition& p, sim::SlotId slot);
  void enqueue(Partition& p, sim::SlotId slot);
  void start_service(Partition& p);
  void service_done(Partition& p, sim::SlotId slot);
  void refer(Partition& p, sim::SlotId slot);
  void after_resolution(Partition& p, sim::SlotId slot);
  void handoff(Partition& p, sim::SlotId slot, std::uint32_t to, double extra_delay = 0.0);
  /// How long a handoff from u to `to` takes, and how much of it waits for a document run outside working time.
  struct Transit {
    double delay, closed;
  };
  Transit transit(std::uint32_t u, std::uint32_t to, const Request& r, std::uint32_t draw, double now) const;
  void escalate_if_overdue(Request& r, double now) const;
  void conclude(Partition& p, sim::SlotId slot, Status status, double at);
  Outcome outcome_of(const Request& r, Status status, double end) const;
  void council_review(Partition& p, sim::SlotId slot, std::uint32_t ticket);
  void cosign_signed(Partition& p, sim::SlotId copy);
  void experience(Partition& p, std::uint32_t resident, bool good, std::uint64_t entity);
  void hearsay(std::uint32_t resident, float change);
  void diverted_work_arrives(Partition& p, sim::SlotId source);
  void sample(Partition& p, sim::SlotId sampler);
  void unit_opens(Partition& p);

  void account(std::uint32_t unit, double now);  ///< integrates busy/queue areas up to now
  sim::Stream stream_of(const Request& r) const noexcept { return sim::Stream(key_, r.entity); }
  bool records(const Request& r) const noexcept { return r.need_at >= warmup_; }
  /// Adds the part of [from, to] inside the measurement window to a unit's open-request integral.
  void count_open(std::uint32_t unit, double from, double to) noexcept {
    const double a = std::max(from, warmup_), b = std::min(to, horizon_);
    if (b > a) units_[unit].open_area += b - a;
  }

  const Scenario& scenario_;
  const Organisation& org_;
  const Residents& residents_;
  std::uint64_t key_;
  double warmup_, horizon_;
  double min_delay_ = 0;
  std::vector<UnitState> units_;
  sim::LargeVector<float> willingness_;  ///< by resident (huge pages where possible: read at random)
  std::size_t types_ = 0;
  std::vector<double> block_cumulative_rate_;  ///< by (resident block, type): need rate, cumulative over types
  std::vector<double> block_rate_;             ///< by resident block: all needs
  std::vector<std::uint32_t> first_contact_;   ///< by (resident block, type): the unit a need is first reported to
};

}  // namespace govsim
