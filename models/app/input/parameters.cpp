// models/app/input/parameters.cpp: the parameter tables (see parameters.hpp).
//
// Defaults are YAML text, read by the same Reader code as a value in a file.
// Sources: "C" marks an assumption of the model (docs/ODD.md §6 grades A
// measured here, B comparable places or literature, C assumption); the values
// a shipped scenario gives are graded in its own header and in docs/ODD.md.
#include "models/app/input/parameters.hpp"

#include "models/domain/scenario.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace govsim {

const char* to_string(ParameterType t) noexcept {
  switch (t) {
    case ParameterType::number: return "number";
    case ParameterType::integer: return "integer";
    case ParameterType::boolean: return "boolean";
    case ParameterType::text: return "text";
    case ParameterType::choice: return "choice";
    case ParameterType::distribution: return "distribution";
    case ParameterType::list: return "list";
    case ParameterType::mapping: return "mapping";
  }
  return "?";
}

namespace {

std::string bound_text(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

using T = ParameterType;
constexpr double kInf = std::numeric_limits<double>::infinity();

/// A fluent way to write one row of a table.
struct P {
  Parameter p;
  P(const char* key, T type) { p.key = key, p.type = type; }
  P& def(const char* yaml) { return p.default_value = yaml, *this; }
  P& note(const char* text) { return p.default_note = text, *this; }
  P& required() { return p.default_note = "required", *this; }
  P& range(double low, double high) { return p.low = low, p.high = high, *this; }
  P& above(double low, double high) { return p.low = low, p.low_open = true, p.high = high, *this; }  // (low, high]
  P& below(double low, double high) { return p.low = low, p.high = high, p.high_open = true, *this; }  // [low, high)
  P& unit(const char* u) { return p.unit = u, *this; }
  P& means(const char* m) { return p.meaning = m, *this; }
  P& source(const char* s) { return p.source = s, *this; }
  P& choices(std::vector<std::string> c) { return p.choices = std::move(c), *this; }
  P& schema(const char* json) { return p.schema = json, *this; }
  P& documentation() { return p.documentation_only = true, *this; }
  P& merged() { return p.merged_away = true, *this; }
  operator Parameter() const { return p; }  // NOLINT(google-explicit-constructor): rows of a table
};

P description() { return P("description", T::text).note("none").means("free text for readers; not used by the model").documentation(); }

const char* kDate = R"({"pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"})";
const char* kDates = R"({"items": {"$ref": "#/$defs/date"}})";
const char* kNames = R"({"items": {"type": "string"}})";

std::vector<Section> scenario_tables() {
  std::vector<Section> s;
  s.push_back({"scenario", "the top level of a scenario file",
               {P("extends", T::text).note("none").merged()
                    .means("a scenario file (relative to this one) whose content this one overrides"),
                P("name", T::text).note("the file's name without .yaml").means("shown in tables, plots and the report"),
                description(),
                P("simulation", T::mapping).note("all defaults").means("horizon, warm-up, replications, seed, sampling, start date"),
                P("calendars", T::mapping).note("none: always open").means("name -> working time (hours, working days, holidays)"),
                P("request_types", T::mapping).required().means("name -> deadline, urgency, co-signers"),
                P("units", T::mapping).required().means("group name -> a group of identical organisational units"),
                P("populations", T::mapping).required().means("name -> residents attached to a unit group"),
                P("behaviour", T::mapping).note("all defaults").means("reporting, abandonment, trust and word of mouth"),
                P("platform", T::mapping).note("all defaults").means("the data platform: coverage and effects"),
                P("handoffs", T::mapping).note("all defaults").means("transfer delays, re-documentation, loss, arbitration"),
                P("uncertain", T::mapping).note("none")
                    .means("parameter path -> plausible range, source and grade (docs/uncertainty.md)")}});
  s.push_back({"simulation", "horizon, warm-up, replications, seed, sampling, start date",
               {P("horizon_h", T::number).def("8760").above(0, 876000).unit("h").means("end of the run (or `horizon_days`, not both)"),
                P("horizon_days", T::number).note("`horizon_h`").above(0, 36500).unit("days").means("the horizon in days (24 h each)"),
                P("warmup_h", T::number).def("0").range(0, 876000).unit("h")
                    .means("needs arising before this are not measured (or `warmup_days`); must end before the horizon"),
                P("warmup_days", T::number).note("`warmup_h`").range(0, 36500).unit("days").means("the warm-up in days"),
                P("replications", T::integer).def("1").range(1, 10000).means("independent replications (CIs across them)"),
                P("seed", T::integer).def("1").range(0, 18446744073709551615.0)
                    .means("64-bit master seed; `--seed` overrides"),
                P("sample_interval_h", T::number).def("24").above(0, 876000).unit("h")
                    .means("time-series sampling interval (at most 100,000 samples per unit)"),
                P("start_date", T::text).def("2012-01-02").unit("date").schema(kDate)
                    .means("the date of t = 0 (midnight starting that day), `YYYY-MM-DD`: places the run on the calendars")}});
  s.push_back({"calendars.*", "working time: when units on this calendar serve, triage and hand off",
               {P("hours", T::list).required().unit("hours of the day")
                    .means("openings of each working day, `[open, close)`, in order, not overlapping")
                    .schema(R"({"minItems": 1, "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": [{"type": "number", "minimum": 0, "exclusiveMaximum": 24}, {"type": "number", "exclusiveMinimum": 0, "maximum": 24}]}})"),
                P("working_days", T::list).def("[mon, tue, wed, thu, fri]").unit("weekdays")
                    .means("days that work `hours`; every other day is closed")
                    .schema(R"({"items": {"enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}})"),
                P("holidays", T::list).note("none").unit("dates").means("closed all day, whatever the weekday").schema(kDates),
                P("makeup_days", T::list).note("none").unit("dates")
                    .means("worked whatever the weekday (调休), with Monday's hours; none may be a holiday").schema(kDates),
                P("overrun", T::choice).def("finish").choices({"finish", "pause"}).source("C")
                    .means("a service running at closing: finished in overtime (up to `overtime_limit_h`) or paused"),
                P("overtime_limit_h", T::number).def("0.5").range(0, 24).unit("h").source("C")
                    .means("longest overtime `finish` allows; a longer overrun pauses"),
                P("dispatch_h", T::list).note("none: paper leaves when ready").unit("hours of the day")
                    .means("document runs that carry paper handoffs, on working days, increasing")
                    .schema(R"({"items": {"type": "number", "minimum": 0, "exclusiveMaximum": 24}})"),
                description()}});
  s.push_back({"request_types.*", "a kind of need residents report",
               {P("deadline_h", T::number).def("720").above(0, 1e7).unit("h")
                    .means("the resident-facing deadline, counted from the report (or `deadline_working_days`, not both)"),
                P("deadline_working_days", T::integer).def("0").note("0: use `deadline_h`").range(1, 3650).unit("working days")
                    .means("a promised time limit (承诺时限) in working days of the `default` calendar"),
                P("urgency", T::integer).def("0").range(0, 3).means("0 (routine) .. 3 (urgent): served first within a unit"),
                P("cosign", T::list).note("none").schema(kNames)
                    .means("unit groups that must sign off after the resolving unit"),
                description()},
               R"({"if": {"required": ["deadline_h"], "properties": {"deadline_h": {"type": "number"}}}, "then": {"properties": {"deadline_working_days": {"type": "null"}}}})"});
  s.push_back({"units.*", "a group of identical organisational units, `count` members named group/0, group/1, ...",
               {P("kind", T::choice).def("station")
                    .choices(unit_kind_names())
                    .means("what the units are (a `station` is a plain queueing station)"),
                P("tier", T::text).def("\"\"").means("a label (city, district, community, committee) used for tables"),
                P("count", T::integer).def("1").range(1, 1000000).means("members in the group"),
                P("parent", T::text).note("none").means("a group; member i of N reports to parent member floor(i P / N)"),
                P("staff", T::integer).def("1").range(0, 100000).unit("places")
                    .means("paid places per member (servers, pooled); 0 allowed with `volunteers` >= 1"),
                P("volunteers", T::integer).def("0").range(0, 100000).unit("places")
                    .means("unpaid places per member: they serve like staff and cost nothing"),
                P("volunteers_serve", T::list).note("none: extra places for any work").schema(R"({"minItems": 1, "items": {"type": "string"}})")
                    .means("request types (in `resolves`) the volunteers take apart from the staff; needs `volunteers`"),
                P("calendar", T::text).note("`default` if defined, else always open").means("the calendar this group works by"),
                P("admin_hours_per_year", T::number).def("0").range(0, kInf).unit("h per member per year")
                    .means("administrative work from above; at most 8760 x (staff + volunteers)"),
                P("economic_hours_per_year", T::number).def("0").range(0, kInf).unit("h per member per year")
                    .means("work for economic targets; at most 8760 x (staff + volunteers)"),
                P("admin_task_h", T::distribution).def("{dist: exponential, mean: 2}").unit("h").source("C")
                    .means("duration of one diverted task (mean >= 0.01)"),
                P("resolves", T::mapping).note("none").unit("h")
                    .means("request type -> service-time distribution (positive mean)")
                    .schema(R"({"additionalProperties": {"$ref": "#/$defs/duration"}})"),
                P("resolves_share", T::mapping).note("1 per type").unit("share")
                    .means("request type (in `resolves`) -> share of its cases resolved here; the rest are referred on")
                    .schema(R"({"additionalProperties": {"type": ["number", "null"], "minimum": 0, "maximum": 1}})"),
                P("refers", T::mapping).note("none: to the parent")
                    .means("request type or `default` -> unit group or `parent`")
                    .schema(R"({"additionalProperties": {"type": ["string", "null"]}})"),
                P("routing", T::list).note("none")
                    .means("after service, on to `{to, probability}` (at most 100, summing to <= 1; requests must leave)"),
                P("misroute_probability", T::number).def("0").range(0, 0.99).unit("probability")
                    .means("a referral to a department lands at a sibling department instead"),
                P("refusal_probability", T::number).def("0").range(0, 0.99).unit("probability")
                    .means("a correctly routed case is returned \"not ours\""),
                P("quality", T::number).def("1").range(0.01, 1).unit("probability")
                    .means("a resolution holds (else it is reworked)"),
                P("triage_h", T::distribution).def("0.25").unit("h").source("C")
                    .means("staff time to look at a case it refers or bounces"),
                P("transfer_delay_h", T::distribution).note("`handoffs.transfer_delay_h`").unit("h")
                    .means("carrying time of paper handoffs sent from here (positive minimum)"),
                P("travel_h", T::number).def("0.5").range(0, 1000).unit("h").source("C")
                    .means("residents' travel to report here in person"),
                P("connected", T::boolean).note("by `platform.coverage`").means("on the data platform"),
                P("cost_per_staff_hour", T::number).def("30").range(0, 1e9).unit("yuan per paid staff-hour").source("C")
                    .means("pay and on-costs, or an NGO's contract price"),
                P("contract", T::mapping).note("none").means("NGOs: places bought from a department's budget"),
                P("oversight", T::mapping).note("none").means("councils: review of overdue cases"),
                P("joint_handling", T::boolean).def("false").means("party committees: co-signs run jointly, in parallel"),
                P("coordination_delay_h", T::distribution).def("24").unit("h").source("C")
                    .means("party committees: delay before joint handling"),
                description()},
               R"({"if": {"required": ["staff"], "properties": {"staff": {"const": 0}}}, "then": {"required": ["volunteers"], "properties": {"volunteers": {"type": "integer", "minimum": 1}}}})"});
  s.push_back({"units.*.contract", "purchase of services (转让、购买): an NGO's places paid from a department's budget",
               {P("from", T::text).required().means("the `department` group that pays (it loses as many paid places)"),
                P("oversight_share", T::number).def("0.1").range(0, 10).unit("h per contract hour").source("C")
                    .means("department hours spent overseeing, added to its administrative hours")}});
  s.push_back({"units.*.oversight", "a residents' council's review of its residents' requests",
               {P("review_interval_h", T::number).def("168").above(0, 1e6).unit("h").source("C").means("the council meets this often"),
                P("overdue_share", T::number).def("1").range(0, 100).unit("share of the deadline")
                    .means("a case is overdue once older than share x deadline"),
                P("arbitrate_bounced", T::boolean).def("true").means("overdue cases that bounced go straight to the right unit")}});
  s.push_back({"units.*.routing[]", "one onward route after service (queueing networks)",
               {P("to", T::text).required().means("a unit group"),
                P("probability", T::number).required().range(0, 1).unit("probability").means("of going on there")}});
  s.push_back({"populations.*", "residents attached to a unit group (their home units)",
               {P("at", T::text).required().means("the unit group residents are attached to"),
                P("residents_per_unit", T::integer).def("1").range(1, 10000000).unit("residents").means("per member of `at`"),
                P("groups", T::mapping).required().means("resident groups by name; shares sum to 1"),
                P("first_contact", T::mapping).note("home")
                    .means("request type or `default` -> `home`, `parent` or a unit group")
                    .schema(R"({"additionalProperties": {"type": ["string", "null"]}})"),
                P("neighbours", T::integer).def("0").range(0, 200).schema(R"({"multipleOf": 2})")
                    .means("social-graph degree (even: ties both ways)"),
                P("long_link_share", T::number).def("0").range(0, 1).unit("share").means("ties to residents of other units")}});
  s.push_back({"populations.*.groups.*", "a group of residents alike in access, willingness, patience and needs",
               {P("share", T::number).def("1").range(0, 1).unit("share").means("of the population"),
                P("digital_access", T::number).def("0").range(0, 1).unit("share").means("who can use the online channel"),
                P("willingness", T::number).def("1").range(0, 1).unit("probability").means("initial probability of reporting a need"),
                P("patience_h", T::distribution).note("none: never abandons").unit("h").means("time before a resident gives up"),
                P("reporting_delay_h", T::distribution).def("0").unit("h").means("from a need to its report"),
                P("need_rates_per_year", T::mapping).note("one of the two is required").unit("per resident per year")
                    .means("request type -> needs")
                    .schema(R"({"additionalProperties": {"type": ["number", "null"], "minimum": 0, "maximum": 10000000.0}})"),
                P("need_rates_per_hour", T::mapping).note("one of the two is required").unit("per resident per hour")
                    .means("request type -> needs")
                    .schema(R"({"additionalProperties": {"type": ["number", "null"], "minimum": 0, "maximum": 10000000.0}})")}});
  s.push_back({"behaviour", "reporting, abandonment, trust and word of mouth",
               {P("reporting", T::boolean).def("false").means("willingness thins reported needs"),
                P("abandonment", T::boolean).def("false").means("residents give up after their `patience_h`"),
                P("trust", T::boolean).def("false").means("experiences change willingness and spread on the social graph"),
                P("bad_experience_drop", T::number).def("0.15").range(0, 1).unit("share").source("C")
                    .means("a bad experience: w <- w - d w"),
                P("good_experience_gain", T::number).def("0.05").range(0, 1).unit("share").source("C")
                    .means("a good experience: w <- w + g (1 - w)"),
                P("spread_weight", T::number).def("0.3").range(0, 1).unit("share").source("C")
                    .means("neighbours receive this share of a change (halved, as hearsay)"),
                P("slow_share", T::number).def("1").above(0, 100).unit("share of the deadline")
                    .means("resolved later than share x deadline counts as a bad experience"),
                P("word_of_mouth_delay_h", T::distribution).def("{dist: exponential, mean: 48, offset: 1}").unit("h").source("C")
                    .means("from an experience to its hearsay reaching the neighbours"),
                P("feedback_delay_h", T::distribution).def("1").unit("h").source("C")
                    .means("from a conclusion to the resident's experience of it")}});
  s.push_back({"platform", "the data platform: coverage and effects",
               {P("coverage", T::number).def("0").range(0, 1).unit("share")
                    .means("share of units connected (a per-unit draw: raising it only adds units)"),
                P("misroute_reduction", T::number).def("0").range(0, 1).unit("share")
                    .means("connected senders misroute this much less"),
                P("parallel_signoffs", T::boolean).def("true").means("co-signs between connected units run in parallel"),
                P("online_delay_h", T::number).def("0.1").range(0, 1000).unit("h")
                    .means("first contact online (digital residents, connected unit)"),
                P("handoff_h", T::number).def("1").above(0, 1000).unit("h").source("C: a platform worklist checked hourly")
                    .means("a handoff between two connected units is picked up this long after it is sent")}});
  s.push_back({"handoffs", "transfer delays, re-documentation, loss, arbitration",
               {P("transfer_delay_h", T::distribution).def("4").unit("h").source("C")
                    .means("carrying a paper handoff once it leaves; positive minimum: the engine's lookahead"),
                P("redocumentation_h", T::distribution).def("0").unit("h").means("added to service when the case data did not travel"),
                P("loss_probability", T::number).def("0").range(0, 1).unit("probability").means("a paper handoff that never arrives"),
                P("arbitration_after_bounces", T::integer).def("3").range(1, 1000).means("bounces before a case is assigned"),
                P("arbitration_delay_h", T::distribution).def("48").unit("h").source("C").means("from the last bounce to the assignment"),
                P("max_reworks", T::integer).def("2").range(0, 100).means("reworks of a resolution that does not hold, at most")}});
  s.push_back({"distribution", "a duration in hours: a number (fixed), or a mapping with `dist:`",
               {P("dist", T::choice).required()
                    .choices({"deterministic", "exponential", "lognormal", "weibull", "uniform", "empirical", "mixture"})
                    .means("the family"),
                P("value", T::number).def("0").range(0, 1e9).unit("h").means("deterministic: the value"),
                P("mean", T::number).note("required by exponential; lognormal with `cv`").above(0, 1e9).unit("h").means("exponential, lognormal: the mean"),
                P("median", T::number).note("lognormal: `median` and `sigma`, or `mean` and `cv`").above(0, 1e9).unit("h").means("lognormal: the median"),
                P("sigma", T::number).note("required with `median`").range(0, 10).means("lognormal: sigma of the logarithm"),
                P("cv", T::number).note("required with `mean`").range(0, 100).means("lognormal: coefficient of variation"),
                P("shape", T::number).note("required by weibull").range(0.05, 100).means("weibull: the shape"),
                P("scale", T::number).note("required by weibull").above(0, 1e9).unit("h").means("weibull: the scale"),
                P("low", T::number).note("required by uniform").range(0, 1e9).unit("h").means("uniform: the lower end"),
                P("high", T::number).note("required by uniform").range(0, 1e9).unit("h").means("uniform: the upper end (>= low)"),
                P("points", T::list).note("required by empirical").unit("[probability, hours]")
                    .means("empirical: a piecewise-linear inverse CDF")
                    .schema(R"({"items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}}})"),
                P("components", T::list).note("required by mixture").means("mixture: components, each a distribution with a `weight`")
                    .schema(R"({"minItems": 1, "items": {"$ref": "#/$defs/component"}})"),
                P("weight", T::number).note("required in a mixture component").range(0, 1e9).means("a mixture component's weight"),
                P("offset", T::number).def("0").range(0, 1e9).unit("h").means("a constant added to every sample")}});
  s.push_back({"uncertain.*", "a parameter's plausible range, source and grade (read by models/app/input/uncertain.cpp)",
               {P("dist", T::choice).required().choices({"uniform", "loguniform", "triangular", "choice", "integer"})
                    .means("how explore samples it"),
                P("low", T::number).note("required but for choice").means("the lower end"),
                P("high", T::number).note("required but for choice").means("the upper end"),
                P("mode", T::number).note("required by triangular").means("the most likely value"),
                P("values", T::list).note("required by choice").means("the values (at least 2)").schema(R"({"minItems": 2})"),
                P("source", T::text).note("none").means("where the range comes from"),
                P("grade", T::choice).required().choices({"A", "B", "C"})
                    .means("A measured here, B comparable places or literature, C assumption")}});
  return s;
}

std::vector<Section> sweep_tables() {
  std::vector<Section> s;
  s.push_back({"sweep", "a sweep file: a base scenario, what to vary, how (docs/sweeps.md)",
               {P("name", T::text).note("the file's name without .yaml").means("the sweep's name"),
                description(),
                P("base", T::text).required().means("the scenario file it varies (relative to the sweep file)"),
                P("set", T::mapping).note("none").means("scenario path -> value fixed for every run"),
                P("parameters", T::mapping).required().means("name -> what to vary"),
                P("design", T::mapping).note("a grid").means("how the points are chosen"),
                P("replications", T::integer).def("1").range(1, 10000).means("replications per point"),
                P("seed", T::integer).def("1").range(0, 18446744073709551615.0).means("the base seed (or `seeds`)"),
                P("seeds", T::list).note("none").means("one seed per replication (or `seed`)"),
                P("scopes", T::list).def("[all, type, group, tier]").means("scopes of the metrics kept"),
                P("metrics", T::list).note("the headline metrics").means("metrics kept (docs/results.md)")}});
  s.push_back({"design", "how a sweep chooses its points",
               {P("kind", T::choice).def("grid").choices({"grid", "points", "lhs", "morris", "sobol"}).means("the design"),
                P("samples", T::integer).note("required by lhs and sobol").range(2, 100000).means("sample size"),
                P("trajectories", T::integer).note("required by morris").range(2, 10000).means("Morris trajectories"),
                P("levels", T::integer).def("4").range(2, 100).means("morris: levels of the grid (even)"),
                P("seed", T::integer).def("1").range(0, 18446744073709551615.0).means("drives the sampling of lhs, morris and sobol designs, and the bootstrap (not the simulation seeds)"),
                P("points", T::list).note("required by points").means("points: {parameter: value} maps")}});
  s.push_back({"parameters.*", "one varied parameter of a sweep",
               {P("path", T::text).required().means("scenario path(s) it sets (a list sets several to one value)"),
                P("values", T::list).note("required by grid").means("grid: the values"),
                P("low", T::number).note("required by lhs, morris, sobol").range(-1e15, 1e15).means("the lower end"),
                P("high", T::number).note("required by lhs, morris, sobol").range(-1e15, 1e15).means("the upper end (> low)"),
                P("integer", T::boolean).def("false").means("round to whole numbers"),
                P("log", T::boolean).def("false").means("sampled uniformly in the logarithm (low > 0)")}});
  return s;
}

std::vector<Section> targets_tables() {
  std::vector<Section> s;
  s.push_back({"targets file", "what real places show that the model should reproduce (docs/calibration.md)",
               {description(),
                P("parameters", T::list).note("every declared uncertain parameter").means("the priors fitted"),
                P("targets", T::list).required().means("the targets")}});
  s.push_back({"target", "one observed statistic",
               {P("name", T::text).required().means("one word, unique in the file"),
                P("metric", T::text).required().means("a metric govsim reports (docs/results.md)"),
                P("scope", T::text).def("all").means("the metric's scope"),
                P("key", T::text).def("all").means("which member of the scope"),
                P("over", T::mapping).note("none").means("the denominator of a ratio: {metric, scope, key}"),
                P("per", T::text).note("none").means("`resident_year` or {unit_year: GROUP}"),
                P("observed", T::number).required().means("the value seen in the real place"),
                P("sd", T::number).note("`sd` or `tolerance`").above(0, kInf).means("a standard deviation"),
                P("tolerance", T::number).note("`sd` or `tolerance`").above(0, kInf).means("a half-width"),
                P("source", T::text).required().means("where the observed value comes from"),
                P("grade", T::choice).required().choices({"A", "B", "C"}).means("A measured here, B comparable places, C assumption"),
                P("applies_to", T::list).required().means("the scenario name(s) it holds for")}});
  s.push_back({"over", "the denominator of a ratio target",
               {P("metric", T::text).required().means("a metric govsim reports"),
                P("scope", T::text).def("all").means("the metric's scope"),
                P("key", T::text).def("all").means("which member of the scope")}});
  return s;
}

}  // namespace

std::string Parameter::range_text() const {
  const bool has_low = low > -kInf, has_high = high < kInf;
  if (!has_low && !has_high) return "";
  if (type == ParameterType::integer && has_low && has_high && high >= 1e18) return ">= " + bound_text(low);
  if (!has_high) return (low_open ? "> " : ">= ") + bound_text(low);
  if (!has_low) return (high_open ? "< " : "<= ") + bound_text(high);
  return (low_open ? "(" : "[") + bound_text(low) + ", " + bound_text(high) + (high_open ? ")" : "]");
}

std::string Parameter::default_text() const { return default_value.empty() ? default_note : default_value; }

const Parameter* Section::find(const std::string& key) const {
  for (const auto& p : parameters)
    if (p.key == key) return &p;
  return nullptr;
}

std::vector<std::string> Section::keys() const {
  std::vector<std::string> k;
  for (const auto& p : parameters)
    if (!p.merged_away) k.push_back(p.key);
  return k;
}

const std::vector<Section>& sections(InputKind kind) {
  // Built once, on first use; never changed after (read from any thread).
  static const std::vector<Section> scenario = scenario_tables(), sweep = sweep_tables(), targets = targets_tables();
  switch (kind) {
    case InputKind::sweep: return sweep;
    case InputKind::targets: return targets;
    case InputKind::scenario: break;
  }
  return scenario;
}

const Section& section(InputKind kind, const std::string& path) {
  for (const auto& s : sections(kind))
    if (s.path == path) return s;
  throw std::logic_error("no parameter table for `" + path + "`");
}

}  // namespace govsim
