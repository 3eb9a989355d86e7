// models/app/results/metric_registry.cpp: the metric registry (see metric_registry.hpp).
#include "models/app/results/metric_registry.hpp"

#include <algorithm>
#include <sstream>


namespace govsim {

namespace {

constexpr std::string_view kRequest = "all,type,group,area,tier";
constexpr std::string_view kRun = "all";
constexpr std::string_view kUnit = "unit";
constexpr std::string_view kUtilisationAll = "all,unit,tier,unit_group";
constexpr std::string_view kRunAndUnit = "all,unit";
constexpr Better L = Better::lower, H = Better::higher, N = Better::neutral;

MetricInfo time_metric(std::string_view name, std::string_view en, std::string_view zh, std::string_view xen,
                       std::string_view xzh) {
  return {name, "hours", "time", L, "time", kRequest, en, zh, xen, xzh};
}
MetricInfo share_metric(std::string_view name, Better b, std::string_view en, std::string_view zh,
                        std::string_view xen, std::string_view xzh, std::string_view group = "gap") {
  return {name, "share", "percent", b, group, kRequest, en, zh, xen, xzh};
}
MetricInfo per_request(std::string_view name, std::string_view en, std::string_view zh, std::string_view xen,
                       std::string_view xzh) {
  return {name, "per request", "decimal", L, "process", kRequest, en, zh, xen, xzh};
}

std::vector<MetricInfo> build() {
  return {
      // Response times, from the resident's side.
      time_metric("response_mean_h", "mean response time", "平均响应时间",
                  "Average time from report to resolution, over resolved requests.",
                  "已解决诉求从提出到解决的平均时间。"),
      time_metric("response_median_h", "median response time", "响应时间中位数",
                  "Half of the resolved requests took less than this from report to resolution.",
                  "一半的已解决诉求在此时间内解决。"),
      time_metric("response_p90_h", "90th percentile response time", "响应时间第90百分位",
                  "Nine in ten resolved requests took less than this: the slow tail residents remember.",
                  "九成已解决诉求在此时间内解决；这是居民记得的“慢尾”。"),
      time_metric("response_p99_h", "99th percentile response time", "响应时间第99百分位",
                  "99 in 100 resolved requests took less than this.", "99%的已解决诉求在此时间内解决。"),
      time_metric("since_need_mean_h", "mean time since the need arose", "自需求产生起的平均时间",
                  "Average time from the moment the need arose (not when it was reported) to its resolution.",
                  "从需求产生（而非提出）到解决的平均时间。"),
      time_metric("since_need_p90_h", "90th percentile time since the need arose", "自需求产生起时间第90百分位",
                  "Nine in ten resolved needs were met within this time of arising.",
                  "九成已解决需求在产生后此时间内得到解决。"),
      time_metric("first_contact_mean_h", "mean time to first contact", "平均首次受理时间",
                  "Average time from the report until a member of staff first picks the request up.",
                  "从提出诉求到工作人员首次受理的平均时间。"),
      time_metric("wait_mean_h", "mean time queued", "平均排队时间",
                  "Average time a request spends waiting in queues for staff.", "诉求排队等待工作人员的平均时间。"),
      time_metric("service_mean_h", "mean time in service", "平均办理时间",
                  "Average time staff spend working on a request.", "工作人员实际办理一件诉求的平均时间。"),
      time_metric("closed_mean_h", "mean time waiting outside working hours", "平均非工作时间等待",
                  "Average time a request waits while the unit holding it is closed (nights, weekends).",
                  "诉求在所在单位下班（夜间、周末）期间等待的平均时间。"),
      time_metric("transit_mean_h", "mean time in hand-offs", "平均转交途中时间",
                  "Average time a request spends travelling between units (hand-over delays).",
                  "诉求在单位之间转交途中的平均时间。"),
      time_metric("cosign_wait_mean_h", "mean wait for co-signatures", "平均会签等待时间",
                  "Average time a request waits for the sign-off of other departments.",
                  "诉求等待其他部门会签的平均时间。"),
      // Deadlines.
      share_metric("share_deadline_breached", L, "deadline breached", "超过办理时限",
                   "Reported requests answered after their deadline, or still open past it, per reported request.",
                   "超过时限才办结或超时仍未办结的诉求占已反映诉求的比例。", "deadline"),
      share_metric("share_within_deadline", H, "resolved within the deadline", "在时限内办结",
                   "Reported requests resolved within their deadline, per reported request.",
                   "在时限内办结的诉求占已反映诉求的比例。", "deadline"),
      share_metric("share_within_1wd", H, "resolved within 1 working day", "1个工作日内办结",
                   "Reported requests resolved within one working day of the report.",
                   "提出后1个工作日内办结的诉求比例。", "deadline"),
      share_metric("share_within_3wd", H, "resolved within 3 working days", "3个工作日内办结",
                   "Reported requests resolved within three working days of the report.",
                   "提出后3个工作日内办结的诉求比例。", "deadline"),
      share_metric("share_within_10wd", H, "resolved within 10 working days", "10个工作日内办结",
                   "Reported requests resolved within ten working days of the report.",
                   "提出后10个工作日内办结的诉求比例。", "deadline"),
      // Service gaps.
      share_metric("service_gap", L, "service gap", "服务缺口",
                   "Share of needs not met at all: never reported, abandoned, lost, no responsible unit or "
                   "unresolved.",
                   "完全未得到满足的需求比例：未反映、放弃、遗失、无责任单位或未解决之和。"),
      share_metric("share_unreported", L, "never reported", "未反映的需求",
                   "Share of needs never reported: the gap the city never sees.",
                   "从未被反映的需求比例：政府看不到的缺口。"),
      share_metric("share_abandoned", L, "abandoned (gave up waiting)", "放弃等待",
                   "Share of needs whose residents gave up waiting after reporting.", "居民反映后等不及而放弃的需求比例。"),
      share_metric("share_lost", L, "lost in a hand-off", "转交中遗失",
                   "Share of needs lost in a paper hand-off that never arrived.", "纸质转交中遗失的需求比例。"),
      share_metric("share_no_responsible_unit", L, "no responsible unit", "无责任单位",
                   "Share of needs no unit would take responsibility for.", "没有任何单位愿意负责的需求比例。"),
      share_metric("share_unresolved", L, "unresolved at the end", "期末未解决",
                   "Share of needs still open when the run ended.", "模拟结束时仍未解决的需求比例。"),
      share_metric("share_escalated", N, "escalated by a council review", "经议事会督办",
                   "Share of reported requests raised by a residents' council review of overdue cases.",
                   "因居民议事会督办超期案件而被提级处理的诉求比例。", "process"),
      // Counts.
      {"needs", "count", "count", N, "process", kRequest, "needs", "需求数",
       "Problems residents had after the warm-up, reported or not.", "预热期后居民产生的问题数（无论是否反映）。"},
      {"reported", "count", "count", N, "process", kRequest, "reported requests", "已反映诉求数",
       "Needs residents reported to some unit.", "居民向某个单位反映的需求数。"},
      {"resolved", "count", "count", H, "process", kRequest, "resolved requests", "已解决诉求数",
       "Requests a unit finished before the end of the run.", "模拟结束前办结的诉求数。"},
      // The journey.
      per_request("handoffs_per_request", "hand-offs per request", "每件诉求转交次数",
                  "How often a request was passed from one unit to another.", "诉求在单位之间被转交的平均次数。"),
      per_request("bounces_per_request", "bounces per request", "每件诉求被退回次数",
                  "How often a request was refused as 'not ours' and had to go elsewhere.",
                  "诉求被以“不归我们管”退回的平均次数。"),
      per_request("misroutes_per_request", "misroutes per request", "每件诉求误派次数",
                  "How often a request was sent to the wrong unit.", "诉求被派错单位的平均次数。"),
      per_request("redocumentations_per_request", "re-documentations per request", "每件诉求重复登记次数",
                  "How often the paperwork had to be written again for a new unit.", "诉求因信息不通而重新登记的平均次数。"),
      per_request("reworks_per_request", "reworks per request", "每件诉求返工次数",
                  "How often a resolution did not hold and the work was redone.", "办理结果不合格而返工的平均次数。"),
      // Load and cost.
      {"utilisation", "share", "percent", N, "load", kUtilisationAll, "utilisation", "工作负荷率",
       "Share of working staff-hours busy (residents' requests and diverted work).",
       "工作时间中忙碌的比例（办理诉求及被挪用的工作）。"},
      {"diverted_share", "share", "percent", L, "load", kUnit, "staff time diverted", "被挪用的工作时间比例",
       "Share of a unit's staff time taken by administrative work and economic targets.",
       "单位工作时间被行政事务和经济指标占用的比例。"},
      {"mean_queue", "requests", "decimal", L, "load", kUnit, "mean queue", "平均排队数",
       "Average number of requests waiting at a unit.", "单位平均排队等待的诉求数。"},
      {"backlog_end", "requests", "count", L, "load", kUnit, "backlog at the end", "期末积压",
       "Requests waiting or in service at a unit at the end of the run.", "模拟结束时单位积压的诉求数。"},
      {"throughput_per_day", "requests per day", "decimal", H, "load", kRun, "resolved per day", "日均办结数",
       "Requests resolved per day.", "平均每天办结的诉求数。"},
      {"paid_staff_hours", "staff-hours", "count", N, "cost", kRun, "paid staff-hours", "带薪工时",
       "Working hours of paid staff places in the measured period.", "统计期内带薪岗位的工作时数。"},
      {"volunteer_hours", "staff-hours", "count", N, "cost", kRun, "volunteer hours", "志愿者工时",
       "Hours worked by volunteers in the measured period.", "统计期内志愿者的工作时数。"},
      {"overtime_hours", "staff-hours", "count", L, "cost", kRunAndUnit, "overtime", "加班工时",
       "Staff-hours worked beyond working hours to finish requests.", "为办结诉求在工作时间之外加班的工时。"},
      {"work_hours_for_residents", "staff-hours", "count", N, "cost", kRun, "work hours for residents",
       "用于居民诉求的工时", "Staff-hours spent on residents' requests.", "用于办理居民诉求的工时。"},
      {"work_hours_diverted", "staff-hours", "count", L, "cost", kRun, "work hours diverted", "被挪用的工时",
       "Staff-hours spent on administrative work from above and economic targets instead of residents.",
       "用于上级摊派的行政事务和经济指标、而非居民诉求的工时。"},
      {"fiscal_cost", "yuan", "money", L, "cost", kRun, "fiscal cost", "财政成本",
       "Salaries of paid places plus NGO contracts in the measured period.", "统计期内带薪岗位工资加社会组织购买服务费用。"},
      {"fiscal_cost_per_resolved", "yuan per resolved request", "money", L, "cost", kRun,
       "fiscal cost per resolved request", "每件办结诉求的财政成本", "Fiscal cost divided by resolved requests.",
       "财政成本除以办结诉求数。"},
      {"paid_staff_hours_per_resolved", "staff-hours per resolved request", "decimal", L, "cost", kRun,
       "paid staff-hours per resolved request", "每件办结诉求的带薪工时", "Paid staff-hours divided by resolved requests.",
       "带薪工时除以办结诉求数。"},
      {"work_hours_for_residents_per_resolved", "staff-hours per resolved request", "decimal", N, "cost", kRun,
       "work hours for residents per resolved request", "每件办结诉求用于居民的工时",
       "Staff-hours spent on residents' requests divided by resolved requests.", "用于居民诉求的工时除以办结诉求数。"},
      {"work_hours_diverted_per_resolved", "staff-hours per resolved request", "decimal", L, "cost", kRun,
       "work hours diverted per resolved request", "每件办结诉求被挪用的工时",
       "Diverted staff-hours divided by resolved requests.", "被挪用的工时除以办结诉求数。"},
      // Trust.
      {"mean_willingness_end", "score 0-1", "decimal", H, "trust", kRun, "willingness to report at the end",
       "期末反映意愿", "Residents' average willingness to report a problem at the end (0 never, 1 always): trust.",
       "模拟结束时居民反映问题的平均意愿（0 从不，1 总是）：信任的度量。"},
      // Checks of the simulation itself.
      {"little_L", "requests", "decimal", N, "check", kRun, "mean open requests (Little's L)", "平均在办诉求数（利特尔L）",
       "Time-average of open requests; should match little_lambda_W.", "在办诉求数的时间平均；应与 λW 相符。"},
      {"little_lambda_W", "requests", "decimal", N, "check", kRun, "report rate x mean time open (Little's λW)",
       "反映率×平均在办时间（利特尔λW）", "Report rate times mean time open; should match little_L.",
       "反映率乘以平均在办时间；应与 L 相符。"},
      {"little_relative_gap", "ratio", "decimal", N, "check", kRun, "Little's law relative gap", "利特尔定律相对偏差",
       "(λW − L) / L: near zero when the bookkeeping is consistent.", "(λW − L) / L：接近零说明统计一致。"},
  };
}

}  // namespace

const char* to_string(Better b) noexcept {
  switch (b) {
    case Better::lower: return "lower";
    case Better::higher: return "higher";
    default: return "neutral";
  }
}

const std::vector<MetricInfo>& metric_registry() {
  static const std::vector<MetricInfo> registry = build();
  return registry;
}

const MetricInfo* find_metric(std::string_view name) {
  for (const auto& m : metric_registry())
    if (m.name == name) return &m;
  return nullptr;
}

const std::vector<std::string>& verdict_metrics() {
  static const std::vector<std::string> names = {"response_mean_h",         "response_median_h", "response_p90_h",
                                                 "share_deadline_breached", "share_within_3wd",  "service_gap",
                                                 "fiscal_cost_per_resolved"};
  return names;
}

Json metric_registry_json() {
  const auto text = [](std::string_view v) { return std::string(v); };
  Json registry = Json::object();
  const auto& verdict = verdict_metrics();
  for (const auto& m : metric_registry()) {
    Json entry = {{"unit", text(m.unit)},
                  {"format", text(m.format)},
                  {"better", to_string(m.better)},
                  {"group", text(m.group)},
                  {"scopes", text(m.scopes)},
                  {"label", {{"en", text(m.label_en)}, {"zh", text(m.label_zh)}}},
                  {"explain", {{"en", text(m.explain_en)}, {"zh", text(m.explain_zh)}}}};
    if (m.deprecated) entry["deprecated"] = true, entry["replaced_by"] = text(m.replaced_by);
    if (const auto v = std::find(verdict.begin(), verdict.end(), m.name); v != verdict.end())
      entry["verdict"] = (v - verdict.begin()) + 1;
    registry[text(m.name)] = std::move(entry);
  }
  return registry;
}

std::string metric_registry_markdown() {
  std::ostringstream out;
  out << "| metric | unit | better | scopes | meaning | 中文 |\n|---|---|---|---|---|---|\n";
  for (const auto& m : metric_registry()) {
    out << "| `" << m.name << "` | " << m.unit << " | " << to_string(m.better) << " | " << m.scopes << " | "
        << m.explain_en;
    if (m.deprecated) out << " **Deprecated**, replaced by `" << m.replaced_by << "`.";
    out << " | " << m.label_zh << " |\n";
  }
  return out.str();
}

std::string metric_label(std::string_view name, std::string_view lang) {
  const MetricInfo* m = find_metric(name);
  if (!m) return std::string(name);
  std::string unit(m->unit);
  if (lang == "zh") {
    static const std::pair<std::string_view, std::string_view> zh_units[] = {
        {"hours", "小时"}, {"share", "比例"}, {"count", "个"}, {"per request", "次/件"}, {"staff-hours", "工时"},
        {"yuan", "元"}, {"yuan per resolved request", "元/件"}, {"requests per day", "件/日"}, {"requests", "件"},
        {"score 0-1", "0-1"}, {"staff-hours per resolved request", "工时/件"}, {"cost units per resolved request", "成本单位/件"}};
    for (const auto& [en, zh] : zh_units)
      if (unit == en) unit = zh;
    return std::string(m->label_zh) + "（" + unit + "）";
  }
  return std::string(m->label_en) + " (" + unit + ")";
}

}  // namespace govsim
