// models/domain/journey.cpp: what happens to a resident's request, from need to end.
//
// Every random number is drawn from the stream of the request (or of the
// source or unit that makes it), by purpose and visit number, so a request
// meets the same luck in two scenarios that treat it alike (common random
// numbers), and the run does not depend on threads.
#include "models/domain/journey.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <type_traits>

namespace govsim {

const char* to_string(Status s) noexcept {
  switch (s) {
    case Status::resolved: return "resolved";
    case Status::abandoned: return "abandoned";
    case Status::lost: return "lost";
    case Status::orphaned: return "no_responsible_unit";
    case Status::unresolved: return "unresolved";
    case Status::unreported: return "unreported";
  }
  return "resolved";
}

namespace {
// Purposes of random draws: each has its own counter space.
enum Purpose : std::uint32_t {
  kNeedGap = 1, kNeedPick, kReport, kReportDelay, kPatience, kChannel, kService, kMisroute, kMisrouteTarget,
  kRefusal, kQuality, kRoute, kLoss, kTransfer, kAdminGap, kAdminService, kRedocumentation, kTrustDelay,
  kFeedbackDelay, kArbitration, kCoordination, kSignService, kLocalShare
};
constexpr std::uint8_t kLevels = 6;  // 0 diverted work, 1 escalated, 2..5 urgency 3..0
constexpr double kInf = std::numeric_limits<double>::infinity();

std::uint8_t level_for(int urgency, bool escalated) {
  return escalated ? 1 : static_cast<std::uint8_t>(2 + (3 - urgency));
}
std::uint8_t clamp8(std::uint16_t v) { return static_cast<std::uint8_t>(std::min<std::uint16_t>(v, 255)); }
Request& request(Case& c) { return std::get<Request>(c.what); }
}  // namespace

JourneyModel::JourneyModel(const Scenario& scenario, const Organisation& org, const Residents& residents,
                           std::uint64_t stream_key)
    : scenario_(scenario), org_(org), residents_(residents), key_(stream_key),
      warmup_(scenario.simulation.warmup_h), horizon_(scenario.simulation.horizon_h) {
  // Need rates of each block (residents x rate), cumulative over types, and
  // where each type is first reported: flat tables, looked up by every need.
  types_ = scenario.request_types.size();
  block_cumulative_rate_.reserve(residents.blocks().size() * types_);
  first_contact_.reserve(residents.blocks().size() * types_);
  for (const auto& b : residents.blocks()) {
    const auto& pop = scenario.populations[b.population];
    const auto& g = pop.groups[b.group];
    double total = 0.0;
    for (std::size_t t = 0; t < types_; ++t) {
      const auto it = g.need_rates.find(scenario.request_types[t].name);
      total += it == g.need_rates.end() ? 0.0 : it->second * b.size;
      block_cumulative_rate_.push_back(total);
      // First contact: home, its parent (e.g. a one-stop centre), or a named unit.
      auto fc = pop.first_contact.find(scenario.request_types[t].name);
      if (fc == pop.first_contact.end()) fc = pop.first_contact.find("default");
      const std::string target = fc == pop.first_contact.end() ? "home" : fc->second;
      std::uint32_t first = b.home;
      if (target == "parent") first = org.unit(b.home).parent;
      else if (target != "home") first = org.resolve_target(b.home, target);
      first_contact_.push_back(first == kNoUnit ? b.home : first);
    }
    block_rate_.push_back(total);
  }
  // The lookahead: handoffs, plus first contact away from home, plus word of mouth.
  min_delay_ = org.minimum_handoff_delay();
  for (const auto& pop : scenario.populations) {
    for (const auto& [type, target] : pop.first_contact) {
      if (target == "home") continue;
      double channel = kInf;
      for (const auto& g : scenario.units) channel = std::min(channel, g.travel_h);
      if (scenario.platform.coverage > 0) channel = std::min(channel, scenario.platform.online_delay_h);
      for (const auto& g : pop.groups) min_delay_ = std::min(min_delay_, g.reporting_delay_h.minimum() + channel);
    }
  }
  if (scenario.behaviour.trust) {
    min_delay_ = std::min(min_delay_, scenario.behaviour.word_of_mouth_delay_h.minimum());
    min_delay_ = std::min(min_delay_, scenario.behaviour.feedback_delay_h.minimum());
  }
  min_delay_ = std::min(min_delay_, scenario.handoffs.arbitration_delay_h.minimum() + org.minimum_handoff_delay());
}

UnitPartition JourneyModel::partition_state(sim::PartitionId u) const {
  UnitPartition own;
  own.unit.queues.resize(kLevels);
  // Willingness starts at each group's value.
  const auto [first, last] = residents_.residents_at(u);
  own.first_resident = first;
  own.willingness.resize(last - first);
  const auto& blocks = residents_.blocks();
  const auto [b0, b1] = residents_.blocks_at(u);
  for (std::uint32_t b = b0; b < b1; ++b) {
    const auto& g = scenario_.populations[blocks[b].population].groups[blocks[b].group];
    std::fill_n(own.willingness.begin() + (blocks[b].first - first), blocks[b].size, static_cast<float>(g.willingness));
    if (block_rate_[b] <= 0) continue;
    NeedSource src;
    src.block = b;
    src.entity = sim::mix64(sim::stable_id(org_.unit(u).name) ^
                            sim::mix64(0xB10C000000ull + (std::uint64_t{blocks[b].population} << 16) + blocks[b].group));
    own.need_sources.push_back(src);
  }
  const UnitGroup& g = org_.group_of(u);
  if (g.admin_hours_per_year + g.economic_hours_per_year > 0)
    own.admin_source = AdminSource{sim::mix64(sim::stable_id(org_.unit(u).name) ^ 0xAD317ull), 0};
  return own;
}

void JourneyModel::seed_sources(Engine& engine) const {
  for (std::uint32_t u = 0; u < org_.size(); ++u) {
    auto& p = engine.partition(u);
    const UnitPartition& own = p.state();
    for (std::uint32_t i = 0; i < own.need_sources.size(); ++i) {
      const NeedSource& src = own.need_sources[i];
      const double gap = -std::log(sim::Stream(key_, src.entity).uniform(kNeedGap, 0)) / block_rate_[src.block];
      schedule(p, gap, kNeed, pick_need(i, src, 0));
    }
    if (own.admin_source) p.schedule(0.0, kAdmin, 0);
    p.schedule(std::min(scenario_.simulation.sample_interval_h, horizon_), kSample, 0);
  }
}

void JourneyModel::on_event(Partition& p, std::uint32_t kind, sim::SlotId slot, std::uint64_t value) const {
  switch (kind) {
    case kNeed: need_arises(p, NeedDue::from({slot, value})); break;
    case kArrive: arrive(p, slot); break;
    case kDone: service_done(p, slot); break;
    case kAdmin: diverted_work_arrives(p); break;
    case kReview: council_review(p, ReviewDue::from({slot, value})); break;
    case kSample: sample(p); break;
    case kGoodExperience: experience(p, Experience::from({slot, value}), true); break;
    case kBadExperience: experience(p, Experience::from({slot, value}), false); break;
    case kHearsay: hearsay(p, Hearsay::from({slot, value})); break;
    case kSigned: cosign_signed(p, Signed::from({slot, value})); break;
    case kOpen: unit_opens(p); break;
    default: break;
  }
}

void JourneyModel::prefetch(const Partition& p, std::uint32_t kind, sim::SlotId slot, std::uint64_t value) const noexcept {
  const UnitPartition& own = p.state();
  switch (kind) {
    case kHearsay: __builtin_prefetch(&own.willingness_of(Hearsay::from({slot, value}).resident), 1); break;
    case kGoodExperience:
    case kBadExperience: {
      const std::uint32_t resident = Experience::from({slot, value}).resident;
      __builtin_prefetch(&own.willingness_of(resident), 1);
      residents_.prefetch_ties(resident);
      break;
    }
    case kNeed: {
      const NeedDue due = NeedDue::from({slot, value});
      __builtin_prefetch(&own.need_sources[due.source]);
      __builtin_prefetch(&own.willingness_of(due.resident));  // the resident picked
      break;
    }
    case kSigned: p.prefetch_item(Signed::from({slot, value}).parent_slot); break;
    case kReview: p.prefetch_item(ReviewDue::from({slot, value}).slot); break;
    case kArrive:
    case kDone: p.prefetch_item(slot); break;
    default: break;  // the unit's own state: the engine loads the partition
  }
}

// --- 1. A need arises at the resident's home; reported or not. -------------
// Which need, and whose: draw k of a block's source picks a type by rate and
// a resident uniformly. Made when the need is scheduled and carried by the
// event (NeedDue), so the resident can be prefetched.
JourneyModel::NeedDue JourneyModel::pick_need(std::uint32_t source, const NeedSource& src, std::uint64_t k) const noexcept {
  const std::uint32_t b = src.block;
  const ResidentBlock& block = residents_.blocks()[b];
  const sim::Uniforms pick = sim::Stream(key_, src.entity).uniforms(kNeedPick, static_cast<std::uint32_t>(k));
  const double* cumulative = block_cumulative_rate_.data() + std::size_t{b} * types_;
  const auto type = std::min<std::size_t>(
      std::upper_bound(cumulative, cumulative + types_, pick.first * block_rate_[b]) - cumulative, types_ - 1);
  const std::uint32_t resident = block.first + std::min(block.size - 1, static_cast<std::uint32_t>(pick.second * block.size));
  return {source, static_cast<std::uint8_t>(type), resident};
}

void JourneyModel::need_arises(Partition& p, NeedDue due) const {
  UnitPartition& own = p.state();
  NeedSource& src = own.need_sources[due.source];
  const sim::Stream s(key_, src.entity);
  const std::uint64_t k = src.drawn++;
  const std::uint32_t b = src.block;
  const ResidentBlock& block = residents_.blocks()[b];
  const std::uint8_t type = due.type;
  const std::uint32_t resident = due.resident;
  // The next need of this block.
  const double gap = -std::log(s.uniform(kNeedGap, static_cast<std::uint32_t>(k + 1))) / block_rate_[b];
  schedule(p, p.now() + gap, kNeed, pick_need(due.source, src, k + 1));

  const auto& group = scenario_.populations[block.population].groups[block.group];
  Request r;
  r.entity = sim::mix64(src.entity ^ sim::mix64(k + 1));
  r.type = type;
  r.resident = resident;
  r.home = block.home;
  r.group_id = block.group_id;
  r.need_at = p.now();
  const sim::Stream rs(key_, r.entity);
  if (scenario_.behaviour.reporting && rs.uniform(kReport, 0) >= own.willingness_of(resident)) {
    // Never reported: the gap the city never sees.
    if (records(r)) own.unit.outcomes.push_back(outcome_of(r, Status::unreported, r.need_at));
    return;
  }
  r.reported_at = r.need_at + group.reporting_delay_h.sample(rs.block(kReportDelay, 0));
  r.give_up_at = (scenario_.behaviour.abandonment && group.patience_h)
                     ? r.reported_at + group.patience_h->sample(rs.block(kPatience, 0))
                     : kInf;
  // The promised answer time (in working days where the type says so), and
  // the council meeting that will find the case overdue, wherever it is then.
  const RequestType& rt = scenario_.request_types[type];
  r.deadline_at = rt.deadline_working_days > 0
                      ? org_.deadline_calendar().end_of_working_days(r.reported_at, rt.deadline_working_days)
                      : r.reported_at + rt.deadline_h;
  r.review_at = kInf;
  if (const std::uint32_t council = org_.unit(r.home).council; council != kNoUnit) {
    const Oversight& ov = *org_.group_of(council).oversight;
    const double overdue_at = r.reported_at + ov.overdue_share * (r.deadline_at - r.reported_at);
    r.review_at = std::ceil(overdue_at / ov.review_interval_h) * ov.review_interval_h;
  }
  // First contact: home, its parent (e.g. a one-stop centre), or a named unit.
  const std::uint32_t first = first_contact_[std::size_t{b} * types_ + type];
  double arrival = r.reported_at;
  if (first != r.home) {
    const bool online = org_.unit(first).connected && rs.uniform(kChannel, 0) < group.digital_access;
    arrival += online ? scenario_.platform.online_delay_h : org_.group_of(first).travel_h;
  }
  r.transit_h = arrival - r.reported_at;
  r.from = kNoUnit;
  p.send(first, arrival, kArrive, Case{Handling{}, std::move(r)});
}

// --- 2. Arrival at a unit: decide what this unit will do with it. ----------
void JourneyModel::arrive(Partition& p, sim::SlotId slot) const {
  Case& c = p.item(slot);
  Handling& h = c.handling;
  const std::uint32_t u = p.id();
  // Information that did not travel with the case must be collected again.
  auto redocument = [&](std::uint32_t from) {
    return from != kNoUnit && !(org_.unit(from).connected && org_.unit(u).connected) &&
           scenario_.handoffs.redocumentation_h.mean() > 0;
  };
  if (CosignCopy* copy = std::get_if<CosignCopy>(&c.what)) {  // to be signed here
    ++copy->visits;
    escalate_if_overdue(*copy, p.now());
    h.action = Handling::Action::sign;
    h.redocument = redocument(copy->from);
    h.level = level_for(scenario_.request_types[copy->type].urgency, copy->escalated);
    enqueue(p, slot);
    return;
  }
  Request& r = request(c);
  if (p.now() >= r.give_up_at) {
    conclude(p, slot, Status::abandoned, r.give_up_at);
    return;
  }
  const sim::Stream s = stream_of(r);
  const std::uint32_t visit = r.visits++;
  const UnitGroup& g = org_.group_of(u);
  escalate_if_overdue(r, p.now());
  if (r.misrouted) {
    h.action = Handling::Action::bounce;  // "not ours": triage, then back to the sender
  } else if (org_.service(u, r.type) && r.stage == 0 &&
             (org_.resolve_share(u, r.type) >= 1.0 || s.uniform(kLocalShare, visit) < org_.resolve_share(u, r.type))) {
    const bool refuse = !r.arbitrated && !r.escalated && g.refusal_probability > 0 &&
                        s.uniform(kRefusal, visit) < g.refusal_probability;
    h.action = refuse ? Handling::Action::bounce : Handling::Action::resolve;
  } else if (r.stage > 0) {
    h.action = Handling::Action::sign;  // a sequential co-sign at this department
  } else {
    h.action = Handling::Action::refer;
  }
  h.redocument = redocument(r.from);
  if (h.redocument) ++r.redocumentations;
  h.level = level_for(scenario_.request_types[r.type].urgency, r.escalated);
  enqueue(p, slot);
}

void JourneyModel::enqueue(Partition& p, sim::SlotId slot) const {
  UnitState& st = p.state().unit;
  account(st, p.id(), p.now());
  Case& c = p.item(slot);
  Handling& h = c.handling;
  h.ticket = st.next_ticket++;
  h.enqueued_at = p.now();
  // Volunteers working apart (patrols) take the requests of their types; staff the rest.
  const Request* r = std::get_if<Request>(&c.what);
  h.by_volunteers = r && org_.volunteers_apart(p.id()) && h.action == Handling::Action::resolve && !r->escalated &&
                    org_.volunteers_serve(p.id(), r->type);
  if (h.by_volunteers) {
    st.volunteer_queue.push_back({slot, h.ticket});
    ++st.volunteer_queued;
  } else {
    st.queues[h.level].push_back({slot, h.ticket});
    ++st.queued;
  }
  // Council oversight: the meeting that finds the case overdue, if it is still queued then.
  std::visit(
      [&](const auto& x) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(x)>, AdminTask>)
          if (!x.escalated && x.review_at > p.now() && x.review_at < horizon_ && x.review_at < x.give_up_at)
            schedule(p, x.review_at, kReview, ReviewDue{slot, h.ticket});
      },
      c.what);
  start_service(p);
}

// --- 3. A free staff member takes the next case (highest level first), ----
// in working time only: out of hours, cases wait for the next opening.
void JourneyModel::start_service(Partition& p) const {
  const std::uint32_t u = p.id();
  UnitState& st = p.state().unit;
  const UnitGroup& g = org_.group_of(u);
  const sim::WorkCalendar& cal = org_.calendar(u);
  // Two pools of places: the staff (with the volunteers, unless they work
  // apart) serve the queues by level; volunteers apart serve their own queue.
  const bool apart = org_.volunteers_apart(u);
  const auto staff_places = static_cast<std::uint32_t>(apart ? g.staff : g.staff + g.volunteers);
  const auto volunteer_places = static_cast<std::uint32_t>(apart ? g.volunteers : 0);
  auto staff_free = [&] { return st.queued > 0 && st.busy - st.volunteer_busy < staff_places; };
  auto volunteer_free = [&] { return st.volunteer_queued > 0 && st.volunteer_busy < volunteer_places; };
  if (!staff_free() && !volunteer_free()) return;
  if (!cal.is_open(p.now())) {
    const double opens = cal.next_open(p.now());
    if (st.wake_at != opens && opens < horizon_) {
      st.wake_at = opens;
      p.schedule(opens, kOpen, 0);  // (no item)
    }
    return;
  }
  // The first live entry of these queues (stale entries, re-queued or gone, are skipped).
  auto take = [&](RingQueue<UnitState::Entry>* queues, std::size_t n, std::uint32_t& queued, sim::SlotId& slot) {
    for (std::size_t i = 0; i < n; ++i) {
      auto& q = queues[i];
      while (!q.empty()) {
        const auto e = q.front();
        q.pop_front();
        if (p.item(e.slot).handling.ticket == e.ticket) {
          slot = e.slot;
          --queued;
          return true;
        }
      }
    }
    queued = 0;
    return false;
  };
  for (;;) {
    sim::SlotId slot = 0;
    bool by_volunteer = false;
    if (staff_free() && take(st.queues.data(), st.queues.size(), st.queued, slot)) {
      by_volunteer = false;
    } else if (volunteer_free() && take(&st.volunteer_queue, 1, st.volunteer_queued, slot)) {
      by_volunteer = true;
    } else {
      break;
    }
    Case& c = p.item(slot);
    Handling& h = c.handling;
    h.ticket = 0;  // no longer queued
    Request* r = std::get_if<Request>(&c.what);
    if (r && p.now() >= r->give_up_at) {
      // The resident gave up while waiting: nobody's time is spent on it.
      const double open = cal.working_hours_between(h.enqueued_at, r->give_up_at);
      r->wait_h += open;
      r->closed_h += r->give_up_at - h.enqueued_at - open;
      conclude(p, slot, Status::abandoned, r->give_up_at);
      continue;
    }
    if (r) {
      const double open = cal.working_hours_between(h.enqueued_at, p.now());
      r->wait_h += open;
      r->closed_h += p.now() - h.enqueued_at - open;
      if (r->first_contact_at < 0) r->first_contact_at = p.now();
    }
    const double duration = service_duration(u, c);
    account(st, u, p.now());
    ++st.busy;
    if (h.action == Handling::Action::admin) ++st.busy_diverted;
    h.served_by_volunteer = by_volunteer;
    if (by_volunteer) ++st.volunteer_busy;
    // A service running past closing: finished in overtime, or paused until the next opening.
    double done = p.now() + duration;
    if (!cal.is_always_open()) {
      const CalendarSpec* spec = org_.calendar_spec(u);
      const double overtime = std::max(0.0, done - cal.closes_at(p.now()));
      if (overtime > 0 && spec->overrun == CalendarSpec::Overrun::finish && overtime <= spec->overtime_limit_h) {
        if (p.now() >= warmup_ && p.now() < horizon_) st.overtime_h += overtime;
      } else if (overtime > 0) {
        done = cal.add_working_hours(p.now(), duration);
      }
    }
    if (r) {
      r->service_h += duration;
      r->closed_h += done - p.now() - duration;
    }
    p.schedule(done, kDone, slot);
  }
}

// How long serving this case takes here (working time), drawn from the case's
// own stream: by task number for diverted work, by visit and rework otherwise.
double JourneyModel::service_duration(std::uint32_t u, const Case& c) const {
  const UnitGroup& g = org_.group_of(u);
  if (const AdminTask* task = std::get_if<AdminTask>(&c.what))
    return g.admin_task_h.sample(sim::Stream(key_, task->entity).block(kAdminService, static_cast<std::uint32_t>(task->number)));
  const auto [entity, type, index] = std::visit(
      [](const auto& x) -> std::tuple<std::uint64_t, std::uint8_t, std::uint32_t> {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, AdminTask>) return {0, 0, 0};
        else return {x.entity, x.type, static_cast<std::uint32_t>(x.visits) + 1000u * x.reworks};
      },
      c.what);
  const sim::Stream s(key_, entity);
  double duration = 0;
  switch (c.handling.action) {
    case Handling::Action::resolve: duration = org_.service(u, type)->sample(s.block(kService, index)); break;
    case Handling::Action::sign: {
      const auto* d = org_.service(u, type);
      duration = (d ? *d : g.triage_h).sample(s.block(kSignService, index));
      break;
    }
    case Handling::Action::refer:
    case Handling::Action::bounce: duration = g.triage_h.sample(s.block(kService, index)); break;
    case Handling::Action::admin: break;  // (an AdminTask, above)
  }
  if (c.handling.redocument) duration += scenario_.handoffs.redocumentation_h.sample(s.block(kRedocumentation, index));
  return duration;
}

// --- 4. Service ends: resolve, refer, bounce, or sign. ---------------------
void JourneyModel::service_done(Partition& p, sim::SlotId slot) const {
  const std::uint32_t u = p.id();
  UnitState& st = p.state().unit;
  account(st, u, p.now());
  --st.busy;
  Case& c = p.item(slot);
  Handling& h = c.handling;
  if (h.served_by_volunteer) --st.volunteer_busy;
  h.served_by_volunteer = false;
  switch (h.action) {
    case Handling::Action::admin:
      --st.busy_diverted;
      p.release(slot);
      break;
    case Handling::Action::refer: refer(p, slot); break;
    case Handling::Action::bounce: {
      Request& r = request(c);
      r.misrouted = false;
      ++r.bounces;
      if (r.bounces >= scenario_.handoffs.arbitration_after_bounces) r.arbitrated = true;
      const std::uint32_t back = r.from;
      if (back == kNoUnit) {
        conclude(p, slot, Status::orphaned, p.now());  // refused at first contact: nobody takes it
      } else {
        handoff(p, slot, back);
      }
      break;
    }
    case Handling::Action::resolve: {
      // A poor resolution comes back for rework.
      Request& r = request(c);
      const UnitGroup& g = org_.group_of(u);
      const sim::Stream s = stream_of(r);
      if (g.quality < 1.0 && r.reworks < scenario_.handoffs.max_reworks &&
          s.uniform(kQuality, static_cast<std::uint32_t>(r.visits) + 1000u * r.reworks) >= g.quality) {
        ++r.reworks;
        enqueue(p, slot);
        break;
      }
      after_resolution(p, slot);
      break;
    }
    case Handling::Action::sign: {
      if (const CosignCopy* copy = std::get_if<CosignCopy>(&c.what)) {  // the signature goes back
        const std::uint32_t to = copy->parent_unit;
        const double delay = transit(u, to, copy->escalated, copy->entity, copy->visits, p.now()).delay;
        const Signed signature{copy->parent_slot};
        p.release(slot);
        signal(p, to, p.now() + delay, kSigned, signature);
        break;
      }
      // Sequential co-sign done here: next co-signer, or resolved.
      Request& r = request(c);
      const auto next = org_.cosigners(r.resolver, r.type);
      if (r.stage < next.size()) {
        const std::uint32_t to = next[r.stage++];
        handoff(p, slot, to);
      } else {
        conclude(p, slot, Status::resolved, p.now());
      }
      break;
    }
  }
  start_service(p);
}

// Referral: to the responsible unit, or misrouted to a wrong department.
void JourneyModel::refer(Partition& p, sim::SlotId slot) const {
  const std::uint32_t u = p.id();
  Request& r = request(p.item(slot));
  std::uint32_t to = org_.referral(u, r.type);
  if (to == kNoUnit) {
    conclude(p, slot, Status::orphaned, p.now());
    return;
  }
  const sim::Stream s = stream_of(r);
  const UnitGroup& g = org_.group_of(u);
  double extra = 0;
  if (r.arbitrated) {
    // Arbitration: after repeated bounces, the case is assigned and cannot be refused.
    extra = scenario_.handoffs.arbitration_delay_h.sample(s.block(kArbitration, r.visits));
  } else if (g.misroute_probability > 0 && !org_.misroute_alternatives(to).empty()) {
    double pm = g.misroute_probability;
    if (org_.unit(u).connected) pm *= 1.0 - scenario_.platform.misroute_reduction;
    if (s.uniform(kMisroute, r.visits) < pm) {
      const auto& alt = org_.misroute_alternatives(to);
      to = alt[std::min(alt.size() - 1, static_cast<std::size_t>(s.uniform(kMisrouteTarget, r.visits) * alt.size()))];
      r.misrouted = true;
      ++r.misroutes;
    }
  }
  handoff(p, slot, to, extra);
}

// After the resolving service: onward routing, co-signs, or done.
void JourneyModel::after_resolution(Partition& p, sim::SlotId slot) const {
  const std::uint32_t u = p.id();
  Request& r = request(p.item(slot));
  const sim::Stream s = stream_of(r);
  const auto& routes = org_.routing(u);
  if (!routes.empty()) {
    const double x = s.uniform(kRoute, r.visits);
    for (const auto& [to, cumulative] : routes)
      if (x < cumulative) {
        handoff(p, slot, to);
        return;
      }
  }
  const auto cosigners = org_.cosigners(u, r.type);
  if (cosigners.empty()) {
    conclude(p, slot, Status::resolved, p.now());
    return;
  }
  r.resolver = u;
  const std::uint32_t party = r.home == kNoUnit ? kNoUnit : org_.unit(r.home).party_committee;
  bool parallel = party != kNoUnit;  // joint handling under the party committee
  bool connected = scenario_.platform.parallel_signoffs && org_.unit(u).connected;
  for (auto c : cosigners) connected = connected && org_.unit(c).connected;
  parallel = parallel || connected;
  if (!parallel) {
    r.stage = 1;
    handoff(p, slot, cosigners[0]);  // one department after another
    return;
  }
  // In parallel: copies go out together, the case waits here for every signature.
  const double coordination =
      party != kNoUnit && !connected ? org_.group_of(party).coordination_delay_h.sample(s.block(kCoordination, 0)) : 0.0;
  r.cosign_pending = static_cast<std::uint16_t>(cosigners.size());
  r.parked_at = p.now();
  const Request parked = r;  // (a copy sent to this unit itself is held here, and moves the items)
  for (std::size_t i = 0; i < cosigners.size(); ++i) {
    CosignCopy copy;
    copy.entity = sim::mix64(parked.entity ^ (0xC0516Full + i));
    copy.home = parked.home;
    copy.from = u;
    copy.parent_unit = u;
    copy.parent_slot = slot;
    copy.reworks = parked.reworks;
    copy.type = parked.type;
    copy.escalated = parked.escalated;
    copy.give_up_at = parked.give_up_at;
    copy.review_at = parked.review_at;
    const double delay = coordination + transit(u, cosigners[i], parked.escalated, parked.entity,
                                                100 + static_cast<std::uint32_t>(i), p.now()).delay;
    p.send(cosigners[i], p.now() + delay, kArrive, Case{Handling{}, copy});
  }
}

void JourneyModel::cosign_signed(Partition& p, Signed signature) const {
  const sim::SlotId parked = signature.parent_slot;
  Request& r = request(p.item(parked));
  if (--r.cosign_pending == 0) {
    r.cosign_wait_h += p.now() - r.parked_at;
    conclude(p, parked, Status::resolved, p.now());
  }
}

// --- 5. A handoff: transfer delay, maybe lost on paper. ---------------------
// A handoff between two units on the platform is electronic: picked up at
// the receiver's next check of its worklist. On paper it waits for the
// sender's next document run (on working days), then is carried over; a case
// the council has escalated is carried at once.
JourneyModel::Transit JourneyModel::transit(std::uint32_t u, std::uint32_t to, bool escalated, std::uint64_t entity,
                                            std::uint32_t draw, double now) const {
  if (org_.unit(u).connected && org_.unit(to).connected) return {scenario_.platform.handoff_h, 0.0};
  const UnitGroup& g = org_.group_of(u);
  const auto& dist = g.transfer_delay_h ? *g.transfer_delay_h : scenario_.handoffs.transfer_delay_h;
  const double carry = dist.sample(sim::Stream(key_, entity).block(kTransfer, draw));
  const CalendarSpec* spec = org_.calendar_spec(u);
  if (!spec || spec->dispatch_h.empty() || escalated) return {carry, 0.0};
  const sim::WorkCalendar& cal = org_.calendar(u);
  const double leaves = cal.next_slot(now, spec->dispatch_h);
  if (!(leaves < kInf)) return {carry, 0.0};
  const double closed = (leaves - now) - cal.working_hours_between(now, leaves);
  return {leaves - now + carry, closed};
}

// A case the council's meeting found overdue is escalated wherever it is next
// handled: served first, not refused, arbitrated if it has bounced, carried at once.
// (A co-sign copy is escalated too; only a request can be arbitrated.)
template <class C>
void JourneyModel::escalate_if_overdue(C& c, double now) const {
  if (c.escalated || now < c.review_at) return;
  c.escalated = true;
  if constexpr (std::is_same_v<C, Request>)
    if (org_.group_of(org_.unit(c.home).council).oversight->arbitrate_bounced && c.bounces > 0) c.arbitrated = true;
}

void JourneyModel::handoff(Partition& p, sim::SlotId slot, std::uint32_t to, double extra_delay) const {
  const std::uint32_t u = p.id();
  Request& r = request(p.item(slot));
  const sim::Stream s = stream_of(r);
  escalate_if_overdue(r, p.now());
  const Transit t = transit(u, to, r.escalated, r.entity, r.visits + 1000u * r.handoffs, p.now());
  const double delay = extra_delay + t.delay;
  ++r.handoffs;
  const bool on_platform = org_.unit(u).connected && org_.unit(to).connected;
  if (!on_platform && !r.escalated && scenario_.handoffs.loss_probability > 0 &&
      s.uniform(kLoss, r.handoffs) < scenario_.handoffs.loss_probability) {
    conclude(p, slot, Status::lost, p.now());
    return;
  }
  r.transit_h += delay - t.closed;
  r.closed_h += t.closed;
  r.from = u;
  Request moving = std::move(r);
  p.release(slot);
  p.send(to, p.now() + delay, kArrive, Case{Handling{}, std::move(moving)});
}

// --- 6. The end of a journey: record it, tell the resident. ----------------
void JourneyModel::conclude(Partition& p, sim::SlotId slot, Status status, double at) const {
  const Request& r = request(p.item(slot));
  UnitState& st = p.state().unit;
  count_open(st, r.reported_at, at);  // every request, measured or not: Little's L
  if (records(r)) {
    Outcome o = outcome_of(r, status, at);
    o.resolver = status == Status::resolved ? p.id() : kNoUnit;
    st.outcomes.push_back(o);
  }
  if (scenario_.behaviour.trust && r.resident != kNoResident) {
    const bool good = status == Status::resolved && r.bounces == 0 &&
                      at - r.reported_at <= scenario_.behaviour.slow_share * (r.deadline_at - r.reported_at);
    const double delay = scenario_.behaviour.feedback_delay_h.sample(stream_of(r).block(kFeedbackDelay, 0));
    const std::uint32_t home = r.home, resident = r.resident;
    const std::uint64_t entity = r.entity;
    p.release(slot);
    signal(p, home, std::max(p.now(), at) + delay, good ? kGoodExperience : kBadExperience, Experience{resident, entity});
    return;
  }
  p.release(slot);
}

// The record of how a journey ended (at `end`): the only place outcomes are built.
Outcome JourneyModel::outcome_of(const Request& r, Status status, double end) const {
  Outcome o;
  o.home = r.home;
  o.group_id = r.group_id;
  o.type = r.type;
  o.status = status;
  if (status == Status::unreported) {
    o.reported_at = static_cast<float>(r.need_at);
    return o;
  }
  o.response_h = static_cast<float>(end - r.reported_at);
  o.since_need_h = static_cast<float>(end - r.need_at);
  o.wait_h = static_cast<float>(r.wait_h);
  o.service_h = static_cast<float>(r.service_h);
  o.transit_h = static_cast<float>(r.transit_h);
  o.closed_h = static_cast<float>(r.closed_h);
  o.cosign_wait_h = static_cast<float>(r.cosign_wait_h);
  o.first_contact_h = r.first_contact_at < 0 ? -1.0f : static_cast<float>(r.first_contact_at - r.reported_at);
  o.reported_at = static_cast<float>(r.reported_at);
  o.handoffs = clamp8(r.handoffs);
  o.bounces = clamp8(r.bounces);
  o.misroutes = clamp8(r.misroutes);
  o.redocumentations = clamp8(r.redocumentations);
  o.reworks = clamp8(r.reworks);
  o.deadline_breached = end > r.deadline_at;
  o.escalated = r.escalated;
  if (status == Status::resolved) {
    // The fewest working days (of the deadline calendar) it was answered within: a binary search.
    const sim::WorkCalendar& cal = org_.deadline_calendar();
    std::uint32_t lo = 1, hi = 255;  // answer in [lo, hi]; 255: more than 254
    while (lo < hi) {
      const std::uint32_t mid = (lo + hi) / 2;
      if (cal.end_of_working_days(r.reported_at, static_cast<int>(mid)) >= end) hi = mid;
      else lo = mid + 1;
    }
    o.working_days = static_cast<std::uint8_t>(lo);
  }
  return o;
}

// Experiences change willingness to report, and spread to neighbours.
// (Handled at the resident's home unit: p is that unit's partition, which
// owns the resident's willingness; the neighbours hear by message at theirs.)
void JourneyModel::experience(Partition& p, Experience e, bool good) const {
  const Behaviour& b = scenario_.behaviour;
  float& w = p.state().willingness_of(e.resident);
  const float before = w;
  w = good ? w + static_cast<float>(b.good_experience_gain) * (1.0f - w) : w - static_cast<float>(b.bad_experience_drop) * w;
  const float change = (w - before) * static_cast<float>(b.spread_weight);
  if (change == 0.0f) return;
  const float heard = change * 0.5f;  // hearsay: never exactly +-1
  const sim::Stream s(key_, e.entity);
  std::uint32_t i = 0;
  for (const std::uint32_t n : residents_.neighbours(e.resident)) {
    const double delay = b.word_of_mouth_delay_h.sample(s.block(kTrustDelay, i++));
    signal(p, residents_.home(n, p.id()), p.now() + delay, kHearsay, Hearsay{n, heard});
  }
}

void JourneyModel::hearsay(Partition& p, Hearsay h) const {
  float& w = p.state().willingness_of(h.resident);
  w = std::clamp(w + h.change, 0.0f, 1.0f);
}

// Council oversight: an overdue case still waiting is escalated (and arbitrated if bounced).
void JourneyModel::council_review(Partition& p, ReviewDue due) const {
  // The slot may since hold another case: the ticket tells (tickets are unique per unit, 0 when not queued).
  Case& c = p.item(due.slot);
  Handling& h = c.handling;
  if (h.ticket != due.ticket || std::holds_alternative<AdminTask>(c.what)) return;  // served or gone since
  if (Request* r = std::get_if<Request>(&c.what)) {
    if (p.now() >= r->give_up_at) return;
    r->escalated = true;
    const Oversight& ov = *org_.group_of(org_.unit(r->home).council).oversight;
    if (ov.arbitrate_bounced && r->bounces > 0) r->arbitrated = true;
  } else {
    CosignCopy& copy = std::get<CosignCopy>(c.what);
    if (p.now() >= copy.give_up_at) return;
    copy.escalated = true;
  }
  UnitState& st = p.state().unit;
  h.level = 1;
  h.ticket = st.next_ticket++;  // the old queue entry becomes stale
  if (h.by_volunteers) {  // escalated: the staff take it
    h.by_volunteers = false;
    --st.volunteer_queued;
    ++st.queued;
  }
  st.queues[1].push_back({due.slot, h.ticket});
  start_service(p);
}

// Work imposed from above (or economic targets) takes staff time first.
void JourneyModel::diverted_work_arrives(Partition& p) const {
  const std::uint32_t u = p.id();
  const UnitGroup& g = org_.group_of(u);
  AdminSource& src = *p.state().admin_source;
  const sim::Stream s(key_, src.entity);
  // Tasks arrive at any hour (and wait for working time): hours per year / task length.
  const double rate = (g.admin_hours_per_year + g.economic_hours_per_year) / 8760.0 / g.admin_task_h.mean();
  const std::uint64_t k = src.drawn++;
  const double next = p.now() - std::log(s.uniform(kAdminGap, static_cast<std::uint32_t>(k))) / rate;
  if (p.now() > 0 || k > 0) {
    Handling task;
    task.action = Handling::Action::admin;
    task.level = 0;
    const sim::SlotId js = p.hold(Case{task, AdminTask{src.entity, k}});
    enqueue(p, js);
  }
  if (next < horizon_) p.schedule(next, kAdmin, 0);
}

void JourneyModel::sample(Partition& p) const {
  const std::uint32_t u = p.id();
  UnitPartition& own = p.state();
  UnitState& st = own.unit;
  account(st, u, p.now());
  const double interval = scenario_.simulation.sample_interval_h;
  double willing = std::numeric_limits<double>::quiet_NaN();
  if (!own.willingness.empty()) {  // residents homed here, in id order
    double sum = 0;
    for (const float w : own.willingness) sum += w;
    willing = sum / static_cast<double>(own.willingness.size());
  }
  const UnitGroup& g = org_.group_of(u);
  const double working = org_.calendar(u).working_hours_between(std::max(0.0, p.now() - interval), p.now());
  const double capacity = (g.staff + g.volunteers) * working;
  st.samples.push_back({p.now(), st.queued + st.volunteer_queued, st.busy, capacity > 0 ? st.window_busy_area / capacity : 0.0, willing});
  st.window_busy_area = 0;
  const double next = p.now() + interval;
  if (next <= horizon_ + 1e-9) p.schedule(next, kSample, 0);
}

// Busy places are counted in working time only (overtime is counted apart);
// the queue in all time.
void JourneyModel::account(UnitState& st, std::uint32_t unit, double now) const {
  if (now == st.last_change) return;
  const sim::WorkCalendar& cal = org_.calendar(unit);
  const double from = std::max(st.last_change, warmup_), to = std::min(now, horizon_);
  if (to > from) {
    const double open = cal.working_hours_between(from, to);
    st.busy_area += (st.busy - st.busy_diverted) * open;
    st.diverted_area += st.busy_diverted * open;
    st.queue_area += (st.queued + st.volunteer_queued) * (to - from);
  }
  st.window_busy_area +=
      st.busy * cal.working_hours_between(std::min(st.last_change, horizon_), std::min(now, horizon_));
  st.last_change = now;
}

void JourneyModel::unit_opens(Partition& p) const {
  p.state().unit.wake_at = -1;
  start_service(p);
}

void JourneyModel::finish(Engine& engine) const {
  for (std::uint32_t u = 0; u < org_.size(); ++u) {
    auto& p = engine.partition(u);
    UnitState& st = p.state().unit;
    account(st, u, horizon_);
    std::vector<const Request*> open;  // queued, in service, parked or arrived late
    p.for_each_held([&](sim::SlotId, const Case& c) {
      if (const Request* r = std::get_if<Request>(&c.what)) open.push_back(r);
    });
    std::sort(open.begin(), open.end(), [](const Request* x, const Request* y) {
      return x->need_at < y->need_at || (x->need_at == y->need_at && x->entity < y->entity);
    });
    for (const Request* r : open) {
      count_open(st, r->reported_at, std::min(r->give_up_at, horizon_));
      if (!records(*r)) continue;
      if (r->reported_at >= horizon_) {
        // Arisen in the window but reported only after the horizon: the city never saw it.
        st.outcomes.push_back(outcome_of(*r, Status::unreported, r->need_at));
        continue;
      }
      const bool gave_up = r->give_up_at < horizon_;
      st.outcomes.push_back(
          outcome_of(*r, gave_up ? Status::abandoned : Status::unresolved, gave_up ? r->give_up_at : horizon_));
    }
  }
}

JourneyModel::Results JourneyModel::gather(Engine& engine) {
  Results out;
  out.units.reserve(engine.size());
  for (sim::PartitionId u = 0; u < engine.size(); ++u) {
    UnitPartition& own = engine.partition(u).state();
    out.units.push_back(std::move(own.unit));
    for (const float w : own.willingness) out.willingness_sum += w;
    out.residents += own.willingness.size();
  }
  return out;
}

double JourneyModel::Results::mean_willingness() const noexcept {
  return residents == 0 ? std::numeric_limits<double>::quiet_NaN() : willingness_sum / static_cast<double>(residents);
}

}  // namespace govsim
