#!/usr/bin/python3
"""One self-contained HTML report of a `govsim compare` folder, in English or Chinese.

    govsim_report.py DIR [--out report.html] [--baseline NAME] [--lang en|zh]

Everything comes from the results folder (comparison.json holds each option's
differences from the baseline and from the file it extends, its resources and
its structure; summary.json and comparison.json hold the metric registry), so
no govsim binary is needed. The page is readable offline (figures embedded as
data URIs, inline style sheet, no JavaScript), on a phone (tables scroll
sideways inside their box) and on A4 paper (figures kept with captions,
headings kept with what follows). It holds:

  * first screen: a verdict per option in plain words: better or worse than
    the baseline on each headline outcome, by how much in natural units, with
    the 95% interval and the resources used; better/worse marked by colour and
    symbol; a warning when there are too few replications
  * a table of the headline outcomes, utilisation per tier, how the options
    differ (settings, resources, structure drawing), the figures, a glossary
    of the reform's terms and of the metrics, and the model's caveats

Errors in the input (missing folder or files) give one line on stderr naming
the path and exit status 2; never a traceback.
"""

import argparse
import base64
import datetime
import html
import math
import os
import sys
import tempfile

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import govsim_plots as gp  # noqa: E402

MIN_REPLICATIONS = 5  # below this, 95% intervals rest on too few values to mean much

# The reform's terms (docs/glossary.md holds the same): (term, pinyin, English, explanation en, explanation zh).
TERMS = [
    ("街道办事处", "jiēdào bànshìchù", "sub-district office",
     "The city district's agency between the district and the residents' committees; before the reform it also "
     "carried economic targets, so service was not its main work. Guiyang abolished 49 of them.",
     "区政府的派出机关，位于区与居委会之间；改革前还承担经济指标，服务不是其主业。贵阳撤销了49个街道办事处。"),
    ("居委会", "jūmín wěiyuánhuì", "residents' committee",
     "Residents' self-governing body for 1,000-3,000 households; before the reform loaded with administrative "
     "work pushed down from above.",
     "居民自治组织，管辖1000至3000户；改革前被上级下派的大量行政事务所占用。"),
    ("一委一会一中心", "yī wěi yī huì yī zhōngxīn", "one committee, one council, one centre",
     "In every new community: a party committee (coordination), a residents' council (deliberation and "
     "oversight) and a community service centre (delivery); execution and oversight separated.",
     "每个新社区设社区党委（统筹协调）、居民议事会（议事监督）和社区服务中心（提供服务），执行与监督分开。"),
    ("一社多居", "yī shè duō jū", "one community, several committees",
     "One community service centre covers several residents' committees.",
     "一个社区服务中心覆盖多个居委会。"),
    ("居政分离", "jū zhèng fēnlí", "separating residents' self-government from administration",
     "Committees no longer do administrative work: they help the centre, organise volunteers, mediate disputes "
     "and govern themselves.",
     "居委会不再承担行政事务，转为协助服务中心、组织志愿者、调解纠纷、居民自治。"),
    ("一居两站", "yī jū liǎng zhàn", "one committee, two stations",
     "Each residents' committee runs a mass-service station and a public-order station.",
     "每个居委会设群众工作站和治安工作站。"),
    ("社会和云", "shèhuì hé yún", "the 'social harmony cloud' data platform",
     "A city-wide data platform: city, district and community data shared across departments, so cases move "
     "with their information.",
     "全市统一的数据平台，市、区、社区数据在各部门间共享，案件连同信息一起流转。"),
    ("一站式", "yī zhàn shì", "one-stop service",
     "Residents ask once, at one window, for what several departments do.",
     "居民在一个窗口一次办理原本涉及多个部门的事项。"),
    ("五力共治", "wǔ lì gòng zhì", "governance by five forces",
     "Party (coordination), government (main capacity), society (NGOs, enterprises), residents (participation, "
     "volunteers) and institutions (rules, deadlines, accountability) govern together.",
     "党（统筹）、政府（主体能力）、社会（社会组织、企业）、居民（参与、志愿者）和制度（规则、时限、问责）共同治理。"),
]

# Words of the page, in English and Chinese.
WORDS = {
    "en": {
        "title": "govsim comparison", "verdict": "Verdict", "baseline": "baseline",
        "vs": "compared with", "better": "better", "worse": "worse", "unclear": "no clear difference",
        "no_interval": "no interval (one replication): no claim", "shorter": "shorter", "longer": "longer",
        "higher": "higher", "lower": "lower", "ci": "95% CI", "resources": "Resources",
        "staff": "paid places", "volunteers": "volunteer places", "platform": "on the data platform", "units": "units", "communities": "communities",
        "fiscal": "fiscal cost", "utilisation": "Utilisation by tier", "util_note":
        "Share of working staff-hours busy, by tier (context for the verdict: a tier near 100% has no slack).",
        "headline": "Headline outcomes", "metric": "outcome", "unit": "unit", "mean_ci": "mean [95% CI]",
        "diff_ci": "difference [95% CI]", "differ": "How the options differ", "settings": "Settings",
        "from_baseline": "differences from the baseline", "from_parent": "differences from the file it extends",
        "none": "none", "setting": "setting", "value": "value", "other": "compared value", "absent": "(absent)",
        "figures": "Figures", "glossary": "Glossary", "terms": "The reform's terms", "metrics_gloss": "The outcomes",
        "caveats": "Caveats", "few_reps": "Only {n} replication(s) per option: 95% intervals from fewer than {m} "
        "replications say little, and none is drawn from one. Run more (--replications 10) before acting on "
        "these figures.", "legend": "Marks: {b} better, {w} worse (the paired 95% interval excludes 0), "
        "{u} no clear difference.", "structure_caption": "Organisational structures, one row per tier, by unit "
        "group (count x staff each); the residents' tier says how many communities its units form.",
        "tier": "tier", "generated": "Report generated", "folder": "Results folder", "uses": "uses",
        "vs_base": "baseline", "about": "About this comparison", "replications": "replications per option",
        "seed": "seed", "hours": "hours", "days": "days", "pp": "percentage points", "extends": "extends",
        "staff_by_group": "staff by unit group", "days_note": "Times are in hours, or in days of 24 hours where "
        "the baseline's value is two days or more; each outcome keeps one unit throughout.",
    },
    "zh": {
        "title": "govsim 方案比较", "verdict": "结论", "baseline": "基线",
        "vs": "与基线相比", "better": "较好", "worse": "较差", "unclear": "无明显差别",
        "no_interval": "无置信区间（仅一次重复），不作判断", "shorter": "缩短", "longer": "延长",
        "higher": "提高", "lower": "降低", "ci": "95%置信区间", "resources": "资源",
        "staff": "带薪岗位", "volunteers": "志愿者岗位", "platform": "接入数据平台", "units": "个单位", "communities": "个社区",
        "fiscal": "财政成本", "utilisation": "各层级工作负荷率", "util_note":
        "各层级工作时间中忙碌的比例（结论的背景：接近100%的层级没有余量）。",
        "headline": "主要结果", "metric": "指标", "unit": "单位", "mean_ci": "均值 [95%置信区间]",
        "diff_ci": "差值 [95%置信区间]", "differ": "各方案的区别", "settings": "设置",
        "from_baseline": "与基线的区别", "from_parent": "与所继承文件的区别",
        "none": "无", "setting": "设置项", "value": "取值", "other": "对比取值", "absent": "（无）",
        "figures": "图表", "glossary": "术语表", "terms": "改革术语", "metrics_gloss": "结果指标",
        "caveats": "注意事项", "few_reps": "每个方案仅有 {n} 次重复：少于 {m} 次重复的95%置信区间意义不大，"
        "一次重复则无法给出区间。据此决策前请增加重复次数（--replications 10）。",
        "legend": "标记：{b} 较好，{w} 较差（配对95%置信区间不含0），{u} 无明显差别。",
        "structure_caption": "各方案的组织结构：每行一个层级，按单位类别显示（数量 x 每单位人员）；居民所在层级标明其单位组成的社区数。",
        "tier": "层级", "generated": "报告生成时间", "folder": "结果文件夹", "uses": "使用",
        "vs_base": "基线", "about": "关于本次比较", "replications": "每个方案的重复次数",
        "seed": "随机种子", "hours": "小时", "days": "天", "pp": "个百分点", "extends": "继承自",
        "staff_by_group": "各类单位人员", "days_note": "时间以小时为单位；基线取值达到两天及以上的指标以天（24小时）为单位；每个指标全文使用同一单位。",
    },
}

CAVEATS = {
    "en": [
        "The model is a simplified picture of how requests travel through the administration. It is a tool to "
        "compare structures under stated assumptions, not a forecast of what any real city will see.",
        "Confidence intervals are across replications with different random numbers. They only reflect the "
        "simulation's own stochastic noise, not uncertainty in the parameters or in the model's structure.",
        "Paired differences use common random numbers (the same residents and needs in each option), which makes "
        "them much narrower than the intervals of the individual options; a difference whose interval excludes 0 "
        "is a robust difference within the model, not proof of a real-world effect.",
        "Response times cover only requests that were resolved, so an option that leaves more needs unmet can "
        "look faster. Read response times together with the service gap.",
    ],
    "zh": [
        "本模型是对诉求在行政体系中流转过程的简化描述，用于在给定假设下比较不同结构，并非对任何真实城市的预测。",
        "置信区间来自使用不同随机数的多次重复，只反映模拟自身的随机波动，不反映参数或模型结构的不确定性。",
        "配对差值使用公共随机数（各方案中居民与需求相同），因此比单个方案的区间窄得多；区间不含0的差值是模型内的稳健差别，而非现实效果的证明。",
        "响应时间只统计已解决的诉求，留下更多未满足需求的方案可能看起来更快；请结合服务缺口一起阅读。",
    ],
}

BETTER_MARK, WORSE_MARK, UNCLEAR_MARK = "\u2714", "\u2718", "\u2248"  # ✔ ✘ ≈: shapes, not colour alone


def png_data_uri(path):
    """A PNG file as a base64 data URI."""
    with open(path, "rb") as f:
        return "data:image/png;base64," + base64.b64encode(f.read()).decode("ascii")


def esc(x):
    return html.escape(str(x))


def num(v, digits=3):
    """A number with a few significant digits; '–' for NaN/missing."""
    try:
        v = float(v)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(v):
        return "–"
    if v == 0:
        return "0"
    if abs(v) >= 10 ** digits:
        return f"{v:,.0f}"
    return f"{v:.{digits}g}"


class Page:
    """What every part of the report needs: the runs, the table, the registry, the language, the units."""

    def __init__(self, folder, baseline, lang):
        self.folder = folder
        self.runs, self.table, self.meta = gp.load_compare(folder, baseline)
        self.registry = self.meta["registry"]
        self.lang = lang
        self.w = WORDS[lang]
        self.b = self.meta["baseline_index"]
        self.names = [r.name for r in self.runs]
        self.options = self.meta.get("options") or [{} for _ in self.runs]
        self.all = self.table[(self.table.scope == "all") & (self.table.key == "all")]
        self.tunits = gp.baseline_time_units(self.table, self.registry, self.names[self.b])
        self.replications = int(self.meta.get("replications") or 0)

    def row(self, metric, i):
        sel = self.all[(self.all.metric == metric) & (self.all.scenario == self.names[i])]
        return None if sel.empty else sel.iloc[0]

    def fmt(self, metric):
        return self.registry.get(metric)["format"]

    def value(self, metric, v):
        return gp.display_value(v, self.fmt(metric), self.tunits.get(metric, "hours"))

    def unit(self, metric, difference=False):
        return gp.unit_text(self.registry, metric, self.lang, self.tunits.get(metric, "hours"), difference)

    def shown(self, metric, v, difference=False):
        """A value with its unit ('5.6 hours', '3.1%', '1.1 percentage points')."""
        x = self.value(metric, v)
        text = num(abs(x) if difference else x)
        unit = self.unit(metric, difference)
        if not unit or text == "–":
            return text
        return f"{text}{unit}" if unit == "%" else f"{text} {unit}"

    def label(self, metric):
        return self.registry.label(metric, self.lang)

    def judge(self, metric, r):
        """('better' | 'worse' | 'unclear' | 'no_interval') of a paired difference row."""
        d, lo, hi = (float(r[c]) for c in ("diff", "diff_ci_low", "diff_ci_high"))
        if self.replications < 2 or math.isnan(lo) or math.isnan(hi):
            return "no_interval"
        if not hi > lo or not (lo > 0 or hi < 0):
            return "unclear"  # a zero-width interval proves nothing; one that holds 0 shows no clear difference
        better = self.registry.better(metric)
        if better == "neutral":
            return "unclear"
        return "better" if (d < 0) == (better == "lower") else "worse"

    def mark(self, verdict):
        sym = {"better": BETTER_MARK, "worse": WORSE_MARK}.get(verdict, UNCLEAR_MARK)
        return f'<span class="mark {verdict}">{sym} {esc(self.w[verdict])}</span>'


def verdict_section(pg):
    """The first screen: one plain-words verdict per option."""
    out = []
    if pg.replications < MIN_REPLICATIONS:
        out.append(f'<p class="warning" id="few-replications">{esc(pg.w["few_reps"].format(n=pg.replications, m=MIN_REPLICATIONS))}</p>')
    metrics = pg.registry.verdict_metrics(set(pg.all.metric))
    base = pg.names[pg.b]
    for i, name in enumerate(pg.names):
        if i == pg.b:
            continue
        items = []
        for m in metrics:
            r, rb = pg.row(m, i), pg.row(m, pg.b)
            if r is None or rb is None:
                continue
            v = pg.judge(m, r)
            d = float(r["diff"])
            if pg.fmt(m) == "time":
                word = pg.w["shorter"] if d < 0 else pg.w["longer"]
            else:
                word = pg.w["lower"] if d < 0 else pg.w["higher"]
            change = f"{pg.shown(m, d, True)} {word}" if d != 0 else "±0"
            lo, hi = pg.value(m, float(r["diff_ci_low"])), pg.value(m, float(r["diff_ci_high"]))
            ci = (f'<span class="ci">{esc(pg.w["ci"])} {num(lo)} … {num(hi)}</span>' if v != "no_interval" else "")
            items.append(f'<li class="{v}">{pg.mark(v)} <b>{esc(pg.label(m))}</b>: {esc(pg.shown(m, float(rb["mean"])))}'
                         f' → {esc(pg.shown(m, float(r["mean"])))}, {esc(change)} {ci}</li>')
        res = resources_sentence(pg, i)
        out.append(f'<section class="verdict-option"><h3>{esc(name)} <small>{esc(pg.w["vs"])} {esc(base)}</small></h3>'
                   f'<ul class="verdict-list">{"".join(items)}</ul>{res}</section>')
    out.append(f'<p class="note">{esc(pg.w["legend"]).format(b=BETTER_MARK, w=WORSE_MARK, u=UNCLEAR_MARK)} '
               f'{esc(pg.w["days_note"])}</p>')
    return "\n".join(out)


def resources_sentence(pg, i):
    """Staff, platform coverage and units of option i against the baseline, in one line."""
    res, base = (pg.options[i] or {}).get("resources"), (pg.options[pg.b] or {}).get("resources")
    if not res or not base:
        return ""
    w = pg.w
    ds = res["staff"] - base["staff"]
    parts = [f'{w["staff"]}: {res["staff"]:,} ({w["vs_base"]} {base["staff"]:,}, {ds:+,})',
             f'{w["platform"]}: {res["connected_units"]}/{res["units"]} {w["units"]} '
             f'({w["vs_base"]} {base["connected_units"]}/{base["units"]})']
    if res.get("volunteers") or base.get("volunteers"):
        parts.insert(1, f'{w["volunteers"]}: {res.get("volunteers", 0):,} ({w["vs_base"]} {base.get("volunteers", 0):,})')
    comm = ((pg.options[i] or {}).get("structure") or {}).get("communities")
    if comm:
        parts.append(f"{comm} {w['communities']}")
    util = tier_utilisation(pg, i)
    if util:
        parts.append(w["utilisation"] + ": " + ", ".join(f"{t} {num(100 * u, 2)}%" for t, u in util.items()))
    return f'<p class="resources"><b>{esc(w["resources"])}</b>: {esc("; ".join(parts))}</p>'


def tier_utilisation(pg, i):
    """{tier: utilisation} of option i: the tier scope when the run has it, else staff-weighted unit utilisation."""
    run = pg.runs[i]
    m = run.metrics
    tier_rows = m[(m.metric == "utilisation") & (m.scope == "tier")]
    if len(tier_rows):
        return {k: float(g["value"].mean()) for k, g in tier_rows.groupby("key", sort=False)}
    units = m[(m.metric == "utilisation") & (m.scope == "unit")]
    if units.empty:
        return {}
    staff = {g["name"]: g["staff"] for g in ((pg.options[i] or {}).get("structure") or {}).get("groups", [])}
    where = run.timeseries.drop_duplicates("unit").set_index("unit")
    tiers = ((pg.options[i] or {}).get("structure") or {}).get("tiers") or list(dict.fromkeys(where["tier"]))
    busy, cap = {}, {}
    for unit, g in units.groupby("key", sort=False):
        if unit not in where.index:
            continue
        tier, group = where.loc[unit, "tier"], where.loc[unit, "group"]
        s = float(staff.get(group, 1))
        busy[tier] = busy.get(tier, 0.0) + s * float(g["value"].mean())
        cap[tier] = cap.get(tier, 0.0) + s
    return {t: busy[t] / cap[t] for t in tiers if cap.get(t)}


def table_html(head, rows, cls=""):
    """A table in a box that scrolls sideways on narrow screens."""
    return (f'<div class="table-wrap"><table class="{cls}"><thead><tr>' + "".join(f"<th>{h}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")


def headline_table(pg):
    w = pg.w
    head = [esc(w["metric"]), esc(w["unit"])]
    head += [f"{esc(n)}{' (' + esc(w['baseline']) + ')' if i == pg.b else ''}<br><small>{esc(w['mean_ci'])}</small>"
             for i, n in enumerate(pg.names)]
    head += [f"{esc(n)} − {esc(pg.names[pg.b])}<br><small>{esc(w['diff_ci'])}</small>"
             for i, n in enumerate(pg.names) if i != pg.b]
    rows = []
    for m in pg.registry.headline_metrics(set(pg.all.metric)):
        cells = [f'<td title="{esc(m)}">{esc(pg.label(m))}</td>', f"<td>{esc(pg.unit(m))}</td>"]
        diffs = []
        for i in range(len(pg.names)):
            r = pg.row(m, i)
            if r is None:
                cells.append("<td>–</td>")
                continue
            lo, hi = pg.value(m, float(r["ci_low"])), pg.value(m, float(r["ci_high"]))
            ci = f" <small>[{num(lo)}, {num(hi)}]</small>" if pg.replications >= 2 else ""
            cells.append(f"<td>{num(pg.value(m, float(r['mean'])))}{ci}</td>")
            if i != pg.b:
                v = pg.judge(m, r)
                d = pg.value(m, float(r["diff"]))
                dlo, dhi = pg.value(m, float(r["diff_ci_low"])), pg.value(m, float(r["diff_ci_high"]))
                ci = f" <small>[{num(dlo)}, {num(dhi)}]</small>" if v != "no_interval" else ""
                diffs.append(f'<td class="{v}">{"+" if d > 0 else ""}{num(d)}{ci} {pg.mark(v) if v in ("better", "worse") else ""}</td>')
        rows.append("<tr>" + "".join(cells + diffs) + "</tr>")
    return table_html(head, rows, "headline")


def utilisation_table(pg):
    per = [tier_utilisation(pg, i) for i in range(len(pg.runs))]
    tiers = list(dict.fromkeys(t for u in per for t in u))
    if not tiers:
        return ""
    head = [esc(pg.w["tier"])] + [esc(n) for n in pg.names]
    rows = ["<tr><td>" + esc(t) + "</td>" + "".join(f"<td>{num(100 * u[t], 3) + '%' if t in u else '–'}</td>"
                                                    for u in per) + "</tr>" for t in tiers]
    return f'<h2 id="utilisation">{esc(pg.w["utilisation"])}</h2><p class="note">{esc(pg.w["util_note"])}</p>' + \
        table_html(head, rows)


def differences_section(pg):
    w = pg.w
    out = []
    for i, name in enumerate(pg.names):
        o = pg.options[i] or {}
        parts = []
        for key, title in (("differences_from_baseline", w["from_baseline"]), ("differences_from_parent", w["from_parent"])):
            diffs = o.get(key)
            if diffs is None or (key == "differences_from_baseline" and i == pg.b):
                continue
            if key == "differences_from_parent":
                title += f" ({esc(w['extends'])} {esc(os.path.basename(o.get('extends') or ''))})"
            rows = [f"<tr><td><code>{esc(d['path'])}</code></td><td>{esc(d['value'] if d['value'] is not None else w['absent'])}</td>"
                    f"<td>{esc(d['other'] if d['other'] is not None else w['absent'])}</td></tr>" for d in diffs]
            parts.append(f"<h4>{esc(title)}</h4>" + (table_html([esc(w["setting"]), esc(w["value"]), esc(w["other"])], rows, "settings")
                                                     if rows else f"<p>{esc(w['none'])}</p>"))
        if parts:
            out.append(f"<h3>{esc(name)}{' (' + esc(w['baseline']) + ')' if i == pg.b else ''}</h3>" + "".join(parts))
    # Resources side by side.
    res = [(o or {}).get("resources") or {} for o in pg.options]
    structs = [(o or {}).get("structure") or {} for o in pg.options]
    if any(res):
        groups = list(dict.fromkeys(g for r in res for g in (r.get("staff_by_group") or {})))
        rows = []

        def line(label, vals):
            differs = len(set(map(str, vals))) > 1
            rows.append(f'<tr class="{"differs" if differs else ""}"><th>{esc(label)}</th>' +
                        "".join(f"<td>{esc(v)}</td>" for v in vals) + "</tr>")
        line(w["staff"], [r.get("staff", "–") for r in res])
        line(w["volunteers"], [r.get("volunteers", 0) for r in res])
        line(w["platform"], [f"{r.get('connected_units', '–')}/{r.get('units', '–')}" for r in res])
        line(w["communities"].strip(), [s.get("communities", "–") for s in structs])
        line("residents" if pg.lang == "en" else "居民", [r.get("residents", "–") for r in res])
        for g in groups:
            line(f"{w['staff']}: {g}", [(r.get("staff_by_group") or {}).get(g, "—") for r in res])
        out.append(f"<h3>{esc(w['resources'])}</h3>" + table_html([""] + [esc(n) for n in pg.names], rows, "facts"))
    return "\n".join(out)


STYLE = """
* { box-sizing: border-box; }
body { font-family: "Noto Sans", "Noto Sans CJK SC", "DejaVu Sans", sans-serif; max-width: 1100px; margin: 0 auto;
       padding: .8em 1em 2em; color: #111; line-height: 1.45; overflow-wrap: anywhere; }
h1 { font-size: 1.45em; margin: .3em 0; } h2 { border-bottom: 1px solid #999; padding-bottom: .2em; margin-top: 1.8em; }
h3 { margin: 1.2em 0 .4em; } h4 { margin: .8em 0 .3em; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: .6em 0; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-size: .88em; }
th, td { border: 1px solid #bbb; padding: .3em .55em; text-align: left; vertical-align: top; overflow-wrap: normal; }
thead th { background: #eee; }
tr.differs th, tr.differs td { background: #f3f3f3; border-left: 3px solid #333; }
small { color: #444; } .note { font-size: .85em; color: #333; }
.warning { border: 2px solid #D55E00; background: #fff3e8; padding: .5em .8em; font-weight: bold; }
.verdict-option { border: 1px solid #bbb; border-radius: 6px; padding: .2em .9em .5em; margin: .6em 0; }
.verdict-list { list-style: none; padding-left: 0; margin: .3em 0; }
.verdict-list li { margin: .25em 0; }
.mark { font-weight: bold; white-space: nowrap; }
.mark.better, td.better { color: #0061a0; } .mark.worse, td.worse { color: #b84700; }
.mark.unclear, .mark.no_interval { color: #555; }
.ci { color: #444; font-size: .9em; white-space: nowrap; }
.resources { font-size: .92em; margin: .3em 0; }
figure { margin: 1.2em 0; break-inside: avoid; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; display: block; }
figcaption { font-size: .9em; color: #333; margin-top: .3em; }
dt { font-weight: bold; margin-top: .5em; } dd { margin-left: 1.2em; }
code { font-size: .9em; }
h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
@media (max-width: 600px) { body { padding: .5em .6em; font-size: 15px; } h1 { font-size: 1.25em; } }
@page { size: A4; margin: 15mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .table-wrap { overflow: visible; }
  table { font-size: 8.5pt; }
  figure img { max-height: 235mm; width: auto; max-width: 100%; object-fit: contain; }
  section.verdict-option, tr, .warning { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def glossary_html(pg):
    zh = pg.lang == "zh"
    rows = [f"<tr><td lang=\"zh\"><b>{esc(t)}</b><br><small>{esc(py)}</small></td><td>{esc(en)}</td>"
            f"<td{' lang=&quot;zh&quot;' if zh else ''}>{esc(xzh if zh else xen)}</td></tr>"
            for t, py, en, xen, xzh in TERMS]
    head = ["术语", "英文", "说明"] if zh else ["term", "English", "meaning"]
    terms = table_html(head, rows, "terms")
    present = set(pg.table["metric"]) | {m for r in pg.runs for m in set(r.metrics["metric"])}
    items = "".join(f"<dt>{esc(pg.label(m))} <small><code>{esc(m)}</code></small></dt><dd>{esc(pg.registry.explain(m, pg.lang))}</dd>"
                    for m in pg.registry.entries if m in present)
    return f'<h3 id="terms">{esc(pg.w["terms"])}</h3>{terms}<h3>{esc(pg.w["metrics_gloss"])}</h3><dl>{items}</dl>'


def figure_html(src, alt, caption):
    return f'<figure><img alt="{esc(alt)}" src="{src}"><figcaption>{esc(caption)}</figcaption></figure>'


CAPTIONS = {
    "en": {"forest": "Paired differences to the baseline with 95% confidence intervals (all requests), grouped by "
           "unit. A filled marker means the interval excludes zero.",
           "response_cdf": "Cumulative distribution of response times of resolved requests (log scale), for all "
           "requests and for each request type.",
           "service_gap": "Service gap: share of needs not met, by reason, per resident group; markers show the "
           "share of deadline breaches.",
           "backlog": "Backlog over time: requests queued at the units of each tier (mean over replications).",
           "trust": "Residents' willingness to report over time (trust), with a 95% band across replications."},
    "zh": {"forest": "相对基线的配对差值及95%置信区间（全部诉求），按单位分组；实心标记表示区间不含0。",
           "response_cdf": "已解决诉求响应时间的累计分布（对数坐标），全部诉求及各类型诉求。",
           "service_gap": "服务缺口：各居民群体未满足需求的比例及原因；标记为超过办理时限的比例。",
           "backlog": "积压随时间变化：各层级单位排队的诉求数（各次重复的均值）。",
           "trust": "居民反映意愿（信任）随时间变化，带为各次重复的95%置信区间。"},
}


def how_sure_section(folder, lang, work):
    """"How sure are we?": when FOLDER/explore holds `govsim explore` results (docs/uncertainty.md)."""
    ex = os.path.join(folder, "explore")
    if not os.path.isfile(os.path.join(ex, "explore.json")):
        return ""
    meta = gp.read_json(os.path.join(ex, "explore.json"))
    df = gp.pd.read_csv(os.path.join(ex, "explore.csv"))
    zh = lang == "zh"
    head = "我们有多确定？" if zh else "How sure are we?"
    n = meta.get("samples_used", 0)
    items = []
    for opt in meta["options"]:
        for metric, r in meta["results"][opt].items():
            if not r.get("headline") or r.get("p_better") is None:
                continue
            share = r.get("share_parameters")
            spread = ("" if share is None else
                      (f"；效果差异的{share:.0%}来自参数不确定性，其余来自随机性" if zh else
                       f"; {share:.0%} of the spread comes from what we do not know, the rest from chance"))
            if zh:
                items.append(f"<li>{esc(opt)}，{esc(metric)}：在{n}组合理参数中，{r['p_better']:.0%}优于基线；"
                             f"中位效果 {num(r['median'])}，90%落在 {num(r['p05'])} 至 {num(r['p95'])}{esc(spread)}。</li>")
            else:
                items.append(f"<li><b>{esc(opt)}</b>, {esc(metric)}: better than {esc(meta['baseline'])} in "
                             f"{r['p_better']:.0%} of {n} plausible parameter sets; median effect {num(r['median'])}, "
                             f"90% of effects between {num(r['p05'])} and {num(r['p95'])}{esc(spread)}.</li>")
    intro = ("下列结果在未知参数的合理范围内重复比较（每个参数的来源与等级见 explore.json）。" if zh else
             "Each comparison was repeated over plausible values of the parameters we do not know "
             "(their ranges, sources and grades are in explore.json). The intervals elsewhere in this report "
             "measure chance only; these ranges also include what we do not know.")
    prim_html = ""
    prim_json = os.path.join(ex, "prim.json")
    figs = [gp.plot_explore_effects(meta, df, os.path.join(work, "explore_effects.png"))]
    if os.path.isfile(prim_json):
        pr = gp.read_json(prim_json)
        prim_html = f"<p>{esc(pr['sentence'])}</p>"
    imgs = "".join(figure_html(png_data_uri(f), os.path.basename(f),
                               "各方案效果在参数样本上的分布" if zh else
                               "Each option's effect across the parameter samples, with the probability of being better")
                   for f in figs)
    return f'<h2 id="how-sure">{esc(head)}</h2><p>{esc(intro)}</p><ul>{"".join(items)}</ul>{prim_html}{imgs}'


def build_report(folder, out, baseline=None, lang="en"):
    """Write the HTML report of a compare folder to `out`; returns `out`."""
    gp.set_language(lang)
    pg = Page(folder, baseline, lang)
    w = pg.w
    cap = CAPTIONS[lang]
    with tempfile.TemporaryDirectory() as work:
        runs, table, b = pg.runs, pg.table, pg.b
        figs = [
            ("forest.png", lambda p: gp.plot_forest(runs, table, p, b, pg.registry), cap["forest"]),
            ("response_cdf.png", lambda p: gp.plot_response_cdf(runs, p), cap["response_cdf"]),
            ("service_gap.png", lambda p: gp.plot_service_gap(runs, p), cap["service_gap"]),
            ("backlog_by_tier.png", lambda p: gp.plot_backlog(runs, p), cap["backlog"]),
            ("trust.png", lambda p: gp.plot_trust(runs, p), cap["trust"]),
        ]
        plots = [figure_html(png_data_uri(fn(os.path.join(work, name))), name, caption) for name, fn, caption in figs]
        structure = ""
        structs = [(o or {}).get("structure") for o in pg.options]
        if all(structs):
            p = gp.plot_structure_summaries(structs, pg.names, os.path.join(work, "structures.png"))
            structure = figure_html(png_data_uri(p), "structures", w["structure_caption"])
        how_sure = how_sure_section(folder, lang, work)
    title = f"{w['title']}: {' / '.join(pg.names)}"
    meta = pg.meta
    page = f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{esc(title)}</h1>
<section id="verdict">
<h2>{esc(w['verdict'])}</h2>
{verdict_section(pg)}
</section>

<h2 id="headline">{esc(w['headline'])}</h2>
{headline_table(pg)}
{utilisation_table(pg)}

<h2 id="differences">{esc(w['differ'])}</h2>
{differences_section(pg)}
{structure}
{how_sure}

<h2 id="figures">{esc(w['figures'])}</h2>
{''.join(plots)}

<h2 id="glossary">{esc(w['glossary'])}</h2>
{glossary_html(pg)}

<h2 id="caveats">{esc(w['caveats'])}</h2>
<ul>{''.join(f'<li>{esc(c)}</li>' for c in CAVEATS[lang])}</ul>

<h2 id="about">{esc(w['about'])}</h2>
<p class="note">govsim {esc(meta.get('govsim_version', '?'))} (commit {esc(meta.get('git_commit', '?'))}),
{esc(w['seed'])} {esc(meta.get('seed', '?'))}, {esc(meta.get('replications', '?'))} {esc(w['replications'])};
{esc(w['baseline'])}: <b>{esc(pg.names[b])}</b>. {esc(w['folder'])}: <code>{esc(os.path.abspath(folder))}</code>.
{esc(w['generated'])} {esc(datetime.datetime.now().strftime('%Y-%m-%d %H:%M'))}.</p>
</body>
</html>
"""
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write(page)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(
        prog="govsim_report.py",
        description="Turn a `govsim compare` folder into one self-contained HTML report (figures embedded).",
    )
    p.add_argument("dir", metavar="DIR", help="folder written by `govsim compare ... --out DIR`")
    p.add_argument("--out", metavar="report.html", help="output HTML file (default: DIR/report.html, "
                   "DIR/report.zh.html with --lang zh)")
    p.add_argument("--baseline", metavar="NAME", help="compare against this option (default: the comparison's baseline)")
    p.add_argument("--lang", choices=["en", "zh"], default="en", help="language of the report (default: en)")
    p.add_argument("--govsim", metavar="BIN", help=argparse.SUPPRESS)  # no longer needed; accepted for old scripts
    args = p.parse_args(argv)
    default = os.path.join(args.dir, "report.zh.html" if args.lang == "zh" else "report.html")
    try:
        out = build_report(args.dir, args.out or default, args.baseline, args.lang)
    except gp.InputError as e:
        print(f"govsim_report.py: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"govsim_report.py: error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - never a traceback; say what failed in one line
        print(f"govsim_report.py: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
