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
the path and exit status 2; never a traceback (cli.report_main).
"""

from __future__ import annotations

import base64
import datetime
import html
import math
import os
import tempfile
from typing import Any, Optional

import pandas as pd

from ..language import set_language
from ..plots.compare import plot_backlog, plot_forest, plot_response_cdf, plot_service_gap, plot_trust
from ..plots.explore import plot_explore_effects
from ..plots.structure import plot_structure_summaries
from ..registry import display_value, unit_text
from ..results import baseline_time_units, load_compare, load_explore, load_prim
from ..stats import excludes_zero
from .style import STYLE
from .text import BETTER_MARK, CAPTIONS, CAVEATS, TERMS, UNCLEAR_MARK, WORDS, WORSE_MARK

MIN_REPLICATIONS = 5  # below this, 95% intervals rest on too few values to mean much


def png_data_uri(path: str) -> str:
    """A PNG file as a base64 data URI."""
    with open(path, "rb") as f:
        return "data:image/png;base64," + base64.b64encode(f.read()).decode("ascii")


def esc(x: Any) -> str:
    """Any value as HTML text."""
    return html.escape(str(x))


def num(v: Any, digits: int = 3) -> str:
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

    def __init__(self, folder: str, baseline: Optional[str], lang: str) -> None:
        self.folder = folder
        self.runs, self.table, self.meta = load_compare(folder, baseline)
        self.registry = self.meta["registry"]
        self.lang = lang
        self.w = WORDS[lang]
        self.b = self.meta["baseline_index"]
        self.names = [r.name for r in self.runs]
        self.options = self.meta.get("options") or [{} for _ in self.runs]
        self.all = self.table[(self.table.scope == "all") & (self.table.key == "all")]
        self.tunits = baseline_time_units(self.table, self.registry, self.names[self.b])
        self.replications = int(self.meta.get("replications") or 0)

    def row(self, metric: str, i: int) -> Optional[pd.Series]:
        """The comparison row (scope all) of a metric for option i, or None."""
        sel = self.all[(self.all.metric == metric) & (self.all.scenario == self.names[i])]
        return None if sel.empty else sel.iloc[0]

    def fmt(self, metric: str) -> str:
        """The registry's display format of a metric ('time', 'percent', ...)."""
        return self.registry.get(metric)["format"]

    def value(self, metric: str, v: Any) -> float:
        """A raw value in the metric's display unit (hours or days as the baseline chose, percent)."""
        return display_value(v, self.fmt(metric), self.tunits.get(metric, "hours"))

    def unit(self, metric: str, difference: bool = False) -> str:
        """The metric's display unit in the page's language."""
        return unit_text(self.registry, metric, self.lang, self.tunits.get(metric, "hours"), difference)

    def shown(self, metric: str, v: Any, difference: bool = False) -> str:
        """A value with its unit ('5.6 hours', '3.1%', '1.1 percentage points')."""
        x = self.value(metric, v)
        text = num(abs(x) if difference else x)
        unit = self.unit(metric, difference)
        if not unit or text == "–":
            return text
        return f"{text}{unit}" if unit == "%" else f"{text} {unit}"

    def label(self, metric: str) -> str:
        """The metric's label in the page's language."""
        return self.registry.label(metric, self.lang)

    def judge(self, metric: str, r: pd.Series) -> str:
        """('better' | 'worse' | 'unclear' | 'no_interval') of a paired difference row."""
        d, lo, hi = (float(r[c]) for c in ("diff", "diff_ci_low", "diff_ci_high"))
        if self.replications < 2 or math.isnan(lo) or math.isnan(hi):
            return "no_interval"
        if not excludes_zero(lo, hi):
            return "unclear"  # a zero-width interval proves nothing; one that holds 0 shows no clear difference
        better = self.registry.better(metric)
        if better == "neutral":
            return "unclear"
        return "better" if (d < 0) == (better == "lower") else "worse"

    def mark(self, verdict: str) -> str:
        """A verdict as symbol and word: told apart by shape, not by colour alone."""
        sym = {"better": BETTER_MARK, "worse": WORSE_MARK}.get(verdict, UNCLEAR_MARK)
        return f'<span class="mark {verdict}">{sym} {esc(self.w[verdict])}</span>'


def verdict_section(pg: Page) -> str:
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


def resources_sentence(pg: Page, i: int) -> str:
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


def tier_utilisation(pg: Page, i: int) -> dict[str, float]:
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
    busy: dict[str, float] = {}
    cap: dict[str, float] = {}
    for unit, g in units.groupby("key", sort=False):
        if unit not in where.index:
            continue
        tier, group = where.loc[unit, "tier"], where.loc[unit, "group"]
        s = float(staff.get(group, 1))
        busy[tier] = busy.get(tier, 0.0) + s * float(g["value"].mean())
        cap[tier] = cap.get(tier, 0.0) + s
    return {t: busy[t] / cap[t] for t in tiers if cap.get(t)}


def table_html(head: list[str], rows: list[str], cls: str = "") -> str:
    """A table in a box that scrolls sideways on narrow screens."""
    return (f'<div class="table-wrap"><table class="{cls}"><thead><tr>' + "".join(f"<th>{h}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")


def headline_table(pg: Page) -> str:
    """Headline outcomes: each option's mean [95% CI] and its paired difference from the baseline."""
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


def utilisation_table(pg: Page) -> str:
    """Utilisation by tier, one column per option ('' when no run has any)."""
    per = [tier_utilisation(pg, i) for i in range(len(pg.runs))]
    tiers = list(dict.fromkeys(t for u in per for t in u))
    if not tiers:
        return ""
    head = [esc(pg.w["tier"])] + [esc(n) for n in pg.names]
    rows = ["<tr><td>" + esc(t) + "</td>" + "".join(f"<td>{num(100 * u[t], 3) + '%' if t in u else '–'}</td>"
                                                    for u in per) + "</tr>" for t in tiers]
    return f'<h2 id="utilisation">{esc(pg.w["utilisation"])}</h2><p class="note">{esc(pg.w["util_note"])}</p>' + \
        table_html(head, rows)


def differences_section(pg: Page) -> str:
    """How the options differ: settings against the baseline and the file each extends, then resources."""
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

        def line(label: str, vals: list[Any]) -> None:
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




def glossary_html(pg: Page) -> str:
    """The reform's terms and the outcomes the page shows, in the page's language."""
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


def figure_html(src: str, alt: str, caption: str) -> str:
    """A figure with its caption (kept together when printed)."""
    return f'<figure><img alt="{esc(alt)}" src="{src}"><figcaption>{esc(caption)}</figcaption></figure>'



def how_sure_section(folder: str, lang: str, work: str) -> str:
    """"How sure are we?": when FOLDER/explore holds `govsim explore` results (docs/uncertainty.md)."""
    ex = os.path.join(folder, "explore")
    if not os.path.isfile(os.path.join(ex, "explore.json")):
        return ""
    meta, df = load_explore(ex)
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
    figs = [plot_explore_effects(meta, df, os.path.join(work, "explore_effects.png"))]
    pr = load_prim(ex)
    if pr is not None:
        prim_html = f"<p>{esc(pr['sentence'])}</p>"
    imgs = "".join(figure_html(png_data_uri(f), os.path.basename(f),
                               "各方案效果在参数样本上的分布" if zh else
                               "Each option's effect across the parameter samples, with the probability of being better")
                   for f in figs)
    return f'<h2 id="how-sure">{esc(head)}</h2><p>{esc(intro)}</p><ul>{"".join(items)}</ul>{prim_html}{imgs}'


def build_report(folder: str, out: str, baseline: Optional[str] = None, lang: str = "en") -> str:
    """Write the HTML report of a compare folder to `out`; returns `out`."""
    set_language(lang)
    pg = Page(folder, baseline, lang)
    w = pg.w
    cap = CAPTIONS[lang]
    with tempfile.TemporaryDirectory() as work:
        runs, table, b = pg.runs, pg.table, pg.b
        figs = [
            ("forest.png", lambda p: plot_forest(runs, table, p, b, pg.registry), cap["forest"]),
            ("response_cdf.png", lambda p: plot_response_cdf(runs, p), cap["response_cdf"]),
            ("service_gap.png", lambda p: plot_service_gap(runs, p), cap["service_gap"]),
            ("backlog_by_tier.png", lambda p: plot_backlog(runs, p), cap["backlog"]),
            ("trust.png", lambda p: plot_trust(runs, p), cap["trust"]),
        ]
        plots = [figure_html(png_data_uri(fn(os.path.join(work, name))), name, caption) for name, fn, caption in figs]
        structure = ""
        structs = [(o or {}).get("structure") for o in pg.options]
        if all(structs):
            p = plot_structure_summaries([s or {} for s in structs], pg.names, os.path.join(work, "structures.png"))
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
