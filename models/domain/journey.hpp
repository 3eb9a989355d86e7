// models/domain/journey.hpp: the journey of a resident's request, as an engine model.
//
// Read journey.cpp top to bottom to follow one request: a need arises at the
// resident's home unit, is reported or not, reaches its first contact, waits
// in queues, is served, referred, misrouted and bounced, re-documented,
// escalated or arbitrated, co-signed in sequence or in parallel, and ends
// resolved, abandoned, lost or with nobody responsible. Each ending is written
// as an Outcome record and, with trust on, fed back to the resident and
// spread to their neighbours.
//
// Who owns what: each unit is one partition of the engine (partition id ==
// unit id), and the partition owns everything that changes there: the unit's
// queues, integrals and records (UnitState), the willingness of the residents
// homed at the unit, and the sources of needs and of administrative work that
// fire there (UnitPartition). The model object holds parameters only and its
// handlers are const: a handler changes its own partition's state and the
// cases it holds, and reaches any other unit or resident by an engine message.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <variant>
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

// --- The engine's items: cases a unit holds. --------------------------------

/// How the unit holding a case handles it: what its queues and staff need of
/// any case (set on arrival and when queued; nothing here travels between units).
struct Handling {
  enum class Action : std::uint8_t { resolve, refer, bounce, sign, admin };
  Action action = Action::resolve;
  std::uint8_t level = 0;            ///< queue level: 0 diverted work, 1 escalated, 2.. by urgency
  bool by_volunteers = false;        ///< queued for the unit's volunteers (who work apart from its staff)
  bool served_by_volunteer = false;  ///< the service under way is a volunteer's
  bool redocument = false;           ///< its information must be collected again here (handed over on paper)
  std::uint32_t ticket = 0;          ///< current queue ticket (0: not queued; stale queue entries are skipped)
  double enqueued_at = 0;
};

/// A resident's request, from need to end.
struct Request {
  std::uint8_t type = 0;
  bool misrouted = false, arbitrated = false, escalated = false;
  std::uint16_t group_id = 0;
  std::uint16_t handoffs = 0, bounces = 0, misroutes = 0, redocumentations = 0, reworks = 0, visits = 0;
  std::uint16_t stage = 0;           ///< sequential co-signs done
  std::uint16_t cosign_pending = 0;  ///< parallel co-signs outstanding
  std::uint32_t resident = kNoResident;
  std::uint32_t home = kNoUnit;
  std::uint32_t from = kNoUnit;      ///< unit that handed it over
  std::uint32_t resolver = kNoUnit;  ///< unit that resolved it, whose co-signers sign in sequence
  std::uint64_t entity = 0;          ///< its random stream
  double need_at = 0, reported_at = 0, give_up_at = 0, first_contact_at = -1;
  double deadline_at = 0;  ///< the promised answer time
  double review_at = 0;    ///< the council meeting that finds it overdue (infinity: no council)
  double parked_at = 0;    ///< waiting for parallel co-signs since
  double wait_h = 0, service_h = 0, transit_h = 0, closed_h = 0, cosign_wait_h = 0;
};

/// A resolved request's copy, sent to one co-signer when they sign in
/// parallel; its signature goes back to the request parked at `parent_unit`.
struct CosignCopy {
  std::uint64_t entity = 0;          ///< its own random stream
  std::uint32_t home = kNoUnit;      ///< the resident's home (its council)
  std::uint32_t from = kNoUnit;      ///< the unit that sent it (where the request is parked)
  std::uint32_t parent_unit = kNoUnit;
  sim::SlotId parent_slot = 0;       ///< the parked request's slot there
  std::uint16_t visits = 0;
  std::uint16_t reworks = 0;         ///< the request's reworks when copied (they number its draws)
  std::uint8_t type = 0;
  bool escalated = false;
  double give_up_at = 0, review_at = 0;
};

/// Administrative work (or economic targets) imposed from above: takes staff
/// time, serves no resident.
struct AdminTask {
  std::uint64_t entity = 0;  ///< the unit's stream of administrative work
  std::uint64_t number = 0;  ///< which task of that stream (numbers its service draw)
};

/// The engine's item: a case held at a unit, how it is handled there, and what it is.
struct Case {
  Handling handling;
  std::variant<Request, CosignCopy, AdminTask> what;
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

/// The needs of one resident block: a Poisson source at the block's home unit.
struct NeedSource {
  std::uint64_t entity = 0;  ///< its random stream
  std::uint64_t drawn = 0;   ///< needs drawn so far
  std::uint32_t block = 0;   ///< index into Residents::blocks()
};

/// A unit's administrative work (or economic targets): a Poisson source of tasks.
struct AdminSource {
  std::uint64_t entity = 0;  ///< its random stream
  std::uint64_t drawn = 0;   ///< tasks drawn so far
};

/// What one partition owns: its unit's state, its residents' willingness and
/// its sources. Partition u is unit u; residents homed at u are the contiguous
/// ids [first_resident, first_resident + willingness.size()).
struct UnitPartition {
  UnitState unit;
  std::uint32_t first_resident = 0;
  sim::PoolVector<float> willingness;    ///< of the residents homed here, by id - first_resident
  std::vector<NeedSource> need_sources;  ///< one per block homed here with any need
  std::optional<AdminSource> admin_source;

  /// The willingness of resident r, who must be homed here.
  float& willingness_of(std::uint32_t r) noexcept { return willingness[r - first_resident]; }
  const float& willingness_of(std::uint32_t r) const noexcept { return willingness[r - first_resident]; }
};

class JourneyModel {
 public:
  using Item = Case;
  using PartitionState = UnitPartition;
  using Engine = sim::Engine<JourneyModel>;
  using Partition = Engine::Partition;
  /// Event kinds. Those marked "no item" carry a payload instead of an item (below).
  enum Event : std::uint32_t {
    kNeed,            ///< no item: NeedDue
    kArrive, kDone,   ///< the case in the slot arrives; its service ends
    kAdmin,           ///< no item: the unit's administrative work brings a task
    kSample,          ///< no item: the unit's time series is sampled
    kSigned,          ///< no item: Signed (a parallel co-signer's signature is back)
    kReview,          ///< no item: ReviewDue
    kGoodExperience,  ///< no item: Experience
    kBadExperience,   ///< no item: Experience
    kHearsay,         ///< no item: Hearsay
    kOpen             ///< no item: the unit opens and its staff take queued cases
  };

  // Payloads of events without items. Each travels in the engine's two plain
  // values (a 32-bit word and a 64-bit value), packed and unpacked here only.
  struct Payload {
    std::uint32_t word = 0;
    std::uint64_t value = 0;
  };
  /// A need of the block of need source `source` (its index in need_sources) arises.
  struct NeedDue {
    std::uint32_t source = 0;
    std::uint8_t type = 0;
    std::uint32_t resident = 0;
    Payload packed() const noexcept { return {source, (std::uint64_t{type} << 32) | resident}; }
    static NeedDue from(Payload x) noexcept {
      return {x.word, static_cast<std::uint8_t>(x.value >> 32), static_cast<std::uint32_t>(x.value)};
    }
  };
  /// The council meeting that finds the case queued in `slot` (with `ticket`) overdue.
  struct ReviewDue {
    sim::SlotId slot = 0;
    std::uint32_t ticket = 0;
    Payload packed() const noexcept { return {slot, ticket}; }
    static ReviewDue from(Payload x) noexcept { return {x.word, static_cast<std::uint32_t>(x.value)}; }
  };
  /// A parallel co-signer signed: the request parked in `parent_slot` hears it.
  struct Signed {
    sim::SlotId parent_slot = 0;
    Payload packed() const noexcept { return {parent_slot, 0}; }
    static Signed from(Payload x) noexcept { return {x.word}; }
  };
  /// A resident's request ended, well or badly (the request's stream draws the hearsay delays).
  struct Experience {
    std::uint32_t resident = 0;
    std::uint64_t entity = 0;
    Payload packed() const noexcept { return {resident, entity}; }
    static Experience from(Payload x) noexcept { return {x.word, x.value}; }
  };
  /// A neighbour's experience, heard: the resident's willingness changes by `change`.
  struct Hearsay {
    std::uint32_t resident = 0;
    float change = 0;
    Payload packed() const noexcept { return {resident, std::bit_cast<std::uint32_t>(change)}; }
    static Hearsay from(Payload x) noexcept { return {x.word, std::bit_cast<float>(static_cast<std::uint32_t>(x.value))}; }
  };

  JourneyModel(const Scenario& scenario, const Organisation& org, const Residents& residents,
               std::uint64_t stream_key);

  /// Unit u's partition as the run starts: its residents' willingness at
  /// their groups' values, its sources (called by the engine for each partition).
  UnitPartition partition_state(sim::PartitionId u) const;
  /// Schedules every source's first event (needs, diverted work, samples) at time 0.
  void seed_sources(Engine& engine) const;
  void on_event(Partition& p, std::uint32_t kind, sim::SlotId slot, std::uint64_t value) const;
  /// Hints the processor to load what the event due next will touch (its item, a resident's state).
  void prefetch(const Partition& p, std::uint32_t kind, sim::SlotId slot, std::uint64_t value) const noexcept;
  /// After the run: closes the integrals and records requests still open at the horizon.
  void finish(Engine& engine) const;

  /// What a run leaves, gathered from the partitions in unit order (the same whatever the threads did).
  struct Results {
    std::vector<UnitState> units;  ///< by unit
    double willingness_sum = 0;    ///< every resident's, added in resident order
    std::size_t residents = 0;
    double mean_willingness() const noexcept;  ///< NaN without residents
  };
  /// After finish(): moves each unit's state out of its partition.
  static Results gather(Engine& engine);

  /// The smallest delay of any message between two partitions (the lookahead).
  double minimum_cross_unit_delay() const noexcept { return min_delay_; }

 private:
  template <class P>
  static void schedule(Partition& p, double at, Event kind, const P& payload) {
    const Payload x = payload.packed();
    p.schedule(at, kind, x.word, x.value);
  }
  template <class P>
  static void signal(Partition& p, std::uint32_t to, double at, Event kind, const P& payload) {
    const Payload x = payload.packed();
    p.send_event(to, at, kind, x.word, x.value);
  }

  // The journey, in order.
  NeedDue pick_need(std::uint32_t source, const NeedSource& src, std::uint64_t k) const noexcept;
  void need_arises(Partition& p, NeedDue due) const;
  void arrive(Partition& p, sim::SlotId slot) const;
  void enqueue(Partition& p, sim::SlotId slot) const;
  void start_service(Partition& p) const;
  double service_duration(std::uint32_t u, const Case& c) const;
  void service_done(Partition& p, sim::SlotId slot) const;
  void refer(Partition& p, sim::SlotId slot) const;
  void after_resolution(Partition& p, sim::SlotId slot) const;
  void handoff(Partition& p, sim::SlotId slot, std::uint32_t to, double extra_delay = 0.0) const;
  /// How long a handoff from u to `to` takes, and how much of it waits for a document run outside working time.
  struct Transit {
    double delay, closed;
  };
  Transit transit(std::uint32_t u, std::uint32_t to, bool escalated, std::uint64_t entity, std::uint32_t draw,
                  double now) const;
  template <class C>
  void escalate_if_overdue(C& c, double now) const;
  void conclude(Partition& p, sim::SlotId slot, Status status, double at) const;
  Outcome outcome_of(const Request& r, Status status, double end) const;
  void council_review(Partition& p, ReviewDue due) const;
  void cosign_signed(Partition& p, Signed signature) const;
  void experience(Partition& p, Experience e, bool good) const;
  void hearsay(Partition& p, Hearsay h) const;
  void diverted_work_arrives(Partition& p) const;
  void sample(Partition& p) const;
  void unit_opens(Partition& p) const;

  void account(UnitState& st, std::uint32_t unit, double now) const;  ///< integrates busy/queue areas up to now
  sim::Stream stream_of(const Request& r) const noexcept { return sim::Stream(key_, r.entity); }
  bool records(const Request& r) const noexcept { return r.need_at >= warmup_; }
  /// Adds the part of [from, to] inside the measurement window to a unit's open-request integral.
  void count_open(UnitState& st, double from, double to) const noexcept {
    const double a = std::max(from, warmup_), b = std::min(to, horizon_);
    if (b > a) st.open_area += b - a;
  }

  const Scenario& scenario_;
  const Organisation& org_;
  const Residents& residents_;
  std::uint64_t key_;
  double warmup_, horizon_;
  double min_delay_ = 0;
  std::size_t types_ = 0;
  std::vector<double> block_cumulative_rate_;  ///< by (resident block, type): need rate, cumulative over types
  std::vector<double> block_rate_;             ///< by resident block: all needs
  std::vector<std::uint32_t> first_contact_;   ///< by (resident block, type): the unit a need is first reported to
};

}  // namespace govsim
