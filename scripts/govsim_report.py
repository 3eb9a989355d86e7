#!/usr/bin/python3
"""One self-contained HTML report of a `govsim compare` folder.

    govsim_report.py DIR [--out report.html] [--govsim BIN]

The page is readable offline: all figures are PNGs embedded as base64 data
URIs and the style sheet is inline (no external CSS or JavaScript). It holds:

  * a headline table: each scenario's value with its 95% CI and the paired
    difference to the baseline (first scenario) with its 95% CI; times in days
  * the key differences of the scenarios: from comparison.json, summary.json
    and timeseries.csv (tiers, unit groups, units), and, when a govsim binary
    is given with --govsim, from `govsim describe` (staff, platform coverage,
    kinds) together with a drawing of the organisational structures
  * the figures of govsim_plots.py (forest plot, response-time CDFs, service
    gap, backlog per tier, trust)
  * a plain-words glossary of the metrics and the caveats of the model

Errors in the input (missing folder or files) give one line on stderr naming
the path and exit status 2; never a traceback.
"""

import argparse
import base64
import datetime
import html
import math
import os
import re
import sys
import tempfile

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import govsim_plots as gp  # noqa: E402

# Plain-words meaning of each metric (shown in the glossary).
GLOSSARY = {
    "needs": "Problems residents had during the measured period (whether or not they reported them).",
    "reported": "Needs that residents actually reported to some unit.",
    "resolved": "Requests that a unit finished before the end of the run.",
    "share_unreported": "Share of needs never reported, e.g. because residents did not trust the system or found it too hard.",
    "share_abandoned": "Share of needs whose residents gave up waiting after reporting.",
    "share_lost": "Share of needs lost on the way between units (a hand-off that never arrived).",
    "share_no_responsible_unit": "Share of needs for which no unit could be found that would take responsibility.",
    "share_unresolved": "Share of needs still open when the run ended.",
    "service_gap": "Share of needs that were not met at all: the sum of the five shares above.",
    "share_deadline_breached": "Share of needs resolved (or still open) after their deadline; reported separately, not part of the gap.",
    "response_mean_h": "Average time from reporting to resolution, for requests that were resolved.",
    "response_median_h": "Half of the resolved requests took less than this from report to resolution.",
    "response_p90_h": "Nine in ten resolved requests took less than this; the slow tail residents remember.",
    "response_p99_h": "99 in 100 resolved requests took less than this.",
    "since_need_mean_h": "Average time from the moment the need arose (not when it was reported) to its resolution.",
    "since_need_p90_h": "Nine in ten resolved needs were met within this time of arising.",
    "wait_mean_h": "Average time a request spent waiting in queues for staff.",
    "transit_mean_h": "Average time a request spent travelling between units (hand-over delays).",
    "first_contact_mean_h": "Average time from reporting until a member of staff first picked the request up.",
    "handoffs_per_request": "How often, on average, a request was passed from one unit to another.",
    "bounces_per_request": "How often a request was sent back or refused ('not our job') and had to go elsewhere.",
    "misroutes_per_request": "How often a request was sent to the wrong unit.",
    "redocumentations_per_request": "How often the paperwork had to be written again for a new unit.",
    "reworks_per_request": "How often a resolution was not good enough and the work had to be redone.",
    "share_escalated": "Share of requests passed up to a higher tier.",
    "throughput_per_day": "Requests resolved per day.",
    "little_L": "Average number of requests in the system (a check on the simulation: should match little_lambda_W).",
    "little_lambda_W": "Arrival rate times mean time in the system (Little's law; should match little_L).",
    "little_relative_gap": "Relative gap between the two sides of Little's law; near zero means the bookkeeping is consistent.",
    "staff_hours": "Staff hours available in the measured period.",
    "staff_hours_on_residents": "Staff hours spent on residents' requests.",
    "staff_hours_diverted": "Staff hours spent on administrative tasks and economic targets instead of residents.",
    "cost_per_resolved": "Staff cost (in the scenario's cost units) per resolved request.",
    "mean_willingness_end": "Average willingness of residents to report a problem at the end (0 = never, 1 = always): a measure of trust.",
    "utilisation": "Share of a unit's staff time that was busy.",
    "diverted_share": "Share of a unit's staff time diverted from residents.",
    "mean_queue": "Average number of requests waiting at a unit.",
    "backlog_end": "Requests waiting at a unit at the end of the run.",
}

CAVEATS = [
    "The model is a simplified picture of how requests travel through the administration. It is a tool to "
    "compare structures under stated assumptions, not a forecast of what any real city will see.",
    "Confidence intervals are across replications with different random numbers. They only reflect the "
    "simulation's own stochastic noise, not uncertainty in the parameters or in the model's structure.",
    "Paired differences use common random numbers (the same residents and needs in each scenario), which makes "
    "them much narrower than the intervals of the individual scenarios; a difference whose interval excludes 0 "
    "is a robust difference within the model, not proof of a real-world effect.",
    "Parameters (staff, service times, need rates, behaviour) are set from public figures and stated "
    "assumptions; where these are rough, so are the results. Sweeps and sensitivity analyses show which "
    "parameters matter most.",
    "Times are model hours shown in days; response times cover only requests that were resolved, so a scenario "
    "that leaves more needs unmet can look faster. Read response times together with the service gap.",
    "Results after a short horizon or few replications are noisy; check the number of replications below.",
]


def png_data_uri(path):
    """A PNG file as a base64 data URI."""
    with open(path, "rb") as f:
        return "data:image/png;base64," + base64.b64encode(f.read()).decode("ascii")


def esc(x):
    return html.escape(str(x))


def fmt(v, digits=3):
    """A number with a few significant digits; '–' for NaN/missing."""
    try:
        v = float(v)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(v):
        return "–"
    if v != 0 and (abs(v) >= 1e5 or abs(v) < 1e-3):
        return f"{v:.{digits}g}"
    return f"{v:.{digits}g}" if abs(v) >= 1 else f"{v:.{digits}f}".rstrip("0").rstrip(".") or "0"


def headline_table(runs, table):
    """HTML of the headline table: values with CIs and paired differences with CIs, scope all."""
    t = table[(table.scope == "all") & (table.key == "all")]
    names = [r.name for r in runs]
    base = names[0]
    head = ["Metric", "Unit"] + [f"{esc(n)}{' (baseline)' if i == 0 else ''}<br><small>mean [95% CI]</small>"
                                 for i, n in enumerate(names)]
    head += [f"{esc(n)} − {esc(base)}<br><small>paired diff [95% CI]</small>" for n in names[1:]]
    rows = []
    for metric, label, kind in gp.HEADLINE_METRICS:
        if not (t.metric == metric).any():
            continue
        unit = {"time": "days", "share": "%", "count": "per request"}.get(kind, "")
        cells = [f'<td title="{esc(metric)}">{esc(label)}</td>', f"<td>{esc(unit)}</td>"]
        diffs = []
        for i, n in enumerate(names):
            sel = t[(t.metric == metric) & (t.scenario == n)]
            if sel.empty:
                cells.append("<td>–</td>")
                if i:
                    diffs.append("<td>–</td>")
                continue
            r = sel.iloc[0]
            m, lo, hi = (gp.display_value(float(r[c]), kind) for c in ("mean", "ci_low", "ci_high"))
            cells.append(f"<td>{fmt(m)} <small>[{fmt(lo)}, {fmt(hi)}]</small></td>")
            if i:
                d, dlo, dhi = (gp.display_value(float(r[c]), kind) for c in ("diff", "diff_ci_low", "diff_ci_high"))
                sig = not (math.isnan(dlo) or math.isnan(dhi)) and (dlo > 0 or dhi < 0)
                sign = "+" if d > 0 else ""
                diffs.append(f'<td class="{"sig" if sig else ""}">{sign}{fmt(d)} <small>[{fmt(dlo)}, {fmt(dhi)}]</small>'
                             f'{" *" if sig else ""}</td>')
        rows.append("<tr>" + "".join(cells + diffs) + "</tr>")
    return ('<table id="headline" class="headline">\n<thead><tr>' + "".join(f"<th>{h}</th>" for h in head)
            + "</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"
            '<p class="note">Shares in percent of all needs (differences in percentage points); '
            "* and bold: the paired 95% interval excludes 0.</p>")


# --- key differences -------------------------------------------------------

_UNIT_ROW = re.compile(r"^(?P<name>\S+)\s+(?P<kind>\S+)\s+(?:(?P<tier>\S+)\s+)?(?P<count>\d+)\s+(?P<staff>\d+)\s+"
                       r"(?P<div>[\d.]+%)\s*(?P<res>.*)$")


def parse_describe(text):
    """Facts from `govsim describe` output: description, tiers, unit groups, staff and platform lines."""
    lines = text.splitlines()
    facts = {"description": lines[1].strip() if len(lines) > 1 else "", "groups": {}}
    in_table = False
    for line in lines:
        s = line.strip()
        if s.startswith("tiers:"):
            facts["tiers"] = s[len("tiers:"):].strip()
        elif s.startswith("unit group"):
            in_table = True
        elif in_table and not s:
            in_table = False
        elif in_table:
            m = _UNIT_ROW.match(s)
            if m:
                facts["groups"][m["name"]] = {k: (m[k] or "") for k in ("kind", "tier", "count", "staff", "div", "res")}
        elif s.startswith("organisational graph:"):
            facts["graph"] = s.split(":", 1)[1].strip()
        elif s.startswith("staff:"):
            parts = [p.strip() for p in s.split(";")]
            for p in parts:
                if p.startswith("staff:"):
                    facts["staff"] = p.split(":", 1)[1].strip()
                elif p.startswith("on the data platform:"):
                    facts["platform"] = p.split(":", 1)[1].strip()
                elif p.startswith("residents:"):
                    facts["residents_line"] = p.split(":", 1)[1].strip()
    return facts


def scenario_file(folder, run, entry):
    """Best guess of the scenario file of a run: summary's absolute files[0], else its path."""
    scen = run.summary.get("scenario", {}) or {}
    candidates = list(scen.get("files") or [])[:1] + [scen.get("path") or entry.get("path") or ""]
    for c in candidates:
        for p in (c, os.path.join(os.path.dirname(os.path.abspath(folder)), c)):
            if p and os.path.isfile(p):
                return p
    return None


def key_differences(folder, runs, meta, govsim, work):
    """HTML of the scenarios' key differences, and the structure figure path (or None)."""
    names = [r.name for r in runs]
    facts = []  # per scenario: dict of row label -> value
    unit_groups = []  # per scenario: {group: description}
    described = []
    notes = []
    for i, r in enumerate(runs):
        entry = meta["scenarios"][i] if i < len(meta["scenarios"]) else {}
        s = r.summary
        ts = r.timeseries.drop_duplicates("unit")
        tiers_count = ts.groupby("tier", sort=False)["unit"].count().sort_values(kind="stable")
        f = {
            "scenario file": entry.get("path") or s.get("scenario", {}).get("path", ""),
            "content hash": entry.get("content_hash") or s.get("scenario", {}).get("content_hash", ""),
            "residents": s.get("residents", "–"),
            "units": s.get("units", len(ts)),
            "tiers (units)": ", ".join(f"{t or '(none)'} ({c})" for t, c in tiers_count.items()),
            "horizon / warm-up (days)": f"{fmt(gp.display_value(s.get('horizon_h', float('nan')), 'time'))} / "
                                        f"{fmt(gp.display_value(s.get('warmup_h', float('nan')), 'time'))}",
            "replications": s.get("replications", "–"),
        }
        groups = {g: f"{len(d)} × {d['kind'].iloc[0]} (tier {d['tier'].iloc[0] or '–'})"
                  for g, d in ts.groupby("group", sort=False)}
        path = scenario_file(folder, r, entry) if govsim else None
        if govsim and path:
            text, _ = gp.describe_scenario(govsim, path)
            d = parse_describe(text)
            described.append(path)
            f["description"] = d.get("description", "")
            f["tier order"] = d.get("tiers", "–")
            f["staff (total)"] = d.get("staff", "–")
            f["data platform"] = d.get("platform", "–")
            f["organisational graph"] = d.get("graph", "–")
            groups = {g: f"{v['count']} × {v['kind']}, staff {v['staff']} each, diverted {v['div']}"
                         f"{', resolves ' + v['res'] if v['res'] else ''}" for g, v in d["groups"].items()} or groups
        elif govsim:
            notes.append(f"scenario file of {esc(r.name)} not found; described from the result files only")
        facts.append(f)
        unit_groups.append(groups)
    labels = list(dict.fromkeys(k for f in facts for k in f))
    out = ['<table class="facts"><thead><tr><th></th>' + "".join(f"<th>{esc(n)}</th>" for n in names)
           + "</tr></thead><tbody>"]
    for lab in labels:
        vals = [str(f.get(lab, "–")) for f in facts]
        differ = len(set(vals)) > 1 and lab not in ("scenario file", "content hash")
        out.append(f'<tr class="{"differs" if differ else ""}"><th>{esc(lab)}</th>'
                   + "".join(f"<td>{esc(v)}</td>" for v in vals) + "</tr>")
    out.append("</tbody></table>")
    all_groups = list(dict.fromkeys(g for gr in unit_groups for g in gr))
    out.append("<h3>Unit groups</h3>")
    out.append('<table class="facts"><thead><tr><th>unit group</th>' + "".join(f"<th>{esc(n)}</th>" for n in names)
               + "</tr></thead><tbody>")
    for g in all_groups:
        vals = [gr.get(g, "— (absent)") for gr in unit_groups]
        out.append(f'<tr class="{"differs" if len(set(vals)) > 1 else ""}"><th>{esc(g)}</th>'
                   + "".join(f"<td>{esc(v)}</td>" for v in vals) + "</tr>")
    out.append("</tbody></table>")
    out.append('<p class="note">Highlighted rows differ between the scenarios. '
               + ("Structure facts from <code>govsim describe</code> of the scenario files (command-line "
                  "<code>--set</code> overrides of the runs are not recorded and not shown)."
                  if described else "Facts from comparison.json, summary.json and timeseries.csv; pass "
                  "<code>--govsim BIN</code> for staff, platform coverage and a structure drawing.") + "</p>")
    for n in notes:
        out.append(f'<p class="note">{n}</p>')
    structure = None
    if govsim and len(described) == len(runs):
        structure = gp.plot_structures(govsim, described, os.path.join(work, "structure.png"), names=names)
    return "\n".join(out), structure


STYLE = """
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #111; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #999; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .8em 0; font-size: .9em; }
th, td { border: 1px solid #bbb; padding: .3em .6em; text-align: left; vertical-align: top; }
thead th { background: #eee; }
td.sig { font-weight: bold; }
tr.differs th, tr.differs td { background: #f3f3f3; border-left: 3px solid #333; }
small { color: #444; } .note { font-size: .85em; color: #333; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: .9em; color: #333; }
dt { font-weight: bold; font-family: monospace; margin-top: .5em; } dd { margin-left: 1.5em; }
"""


def build_report(folder, out, govsim=None):
    """Write the HTML report of a compare folder to `out`; returns `out`."""
    runs, table, meta = gp.load_compare(folder)
    with tempfile.TemporaryDirectory() as work:
        figs = [
            ("forest.png", gp.plot_forest, (runs, table), "Paired differences to the baseline with 95% confidence "
             "intervals (scope: all requests). A filled marker means the interval excludes zero."),
            ("response_cdf.png", gp.plot_response_cdf, (runs,), "Cumulative distribution of response times of "
             "resolved requests (days, log scale), for all requests and for each request type."),
            ("service_gap.png", gp.plot_service_gap, (runs,), "Service gap: share of needs not met, by reason, per "
             "resident group; markers show the share of deadline breaches."),
            ("backlog_by_tier.png", gp.plot_backlog, (runs,), "Backlog over time: requests queued at the units of "
             "each tier (mean over replications)."),
            ("trust.png", gp.plot_trust, (runs,), "Residents' willingness to report over time (trust), mean over "
             "units where residents live, with a 95% band across replications."),
        ]
        differences, structure = key_differences(folder, runs, meta, govsim, work)
        fig_html = []
        if structure:
            fig_html.append(f'<figure><img alt="organisational structures" src="{png_data_uri(structure)}">'
                            "<figcaption>Organisational structures, one row per tier (solid: hierarchy, dashed: "
                            "referral, dotted: routing).</figcaption></figure>")
        plots = []
        for name, fn, fargs, caption in figs:
            p = fn(*fargs, os.path.join(work, name))
            plots.append(f'<figure><img alt="{esc(name)}" src="{png_data_uri(p)}"><figcaption>{esc(caption)}'
                         "</figcaption></figure>")
        names = [r.name for r in runs]
        present = list(dict.fromkeys(table["metric"]))
        for r in runs:
            present += [m for m in dict.fromkeys(r.metrics["metric"]) if m not in present]
        glossary = "".join(f"<dt>{esc(m)}</dt><dd>{esc(GLOSSARY[m])}"
                           f"{' (shown in days)' if m.endswith('_h') else ''}</dd>"
                           for m in present if m in GLOSSARY)
        page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>govsim comparison: {esc(' vs '.join(names))}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>govsim comparison: {esc(' vs '.join(names))}</h1>
<p class="note">govsim {esc(meta.get('govsim_version', '?'))} (commit {esc(meta.get('git_commit', '?'))}),
seed {esc(meta.get('seed', '?'))}, {esc(meta.get('replications', '?'))} replications per scenario on common random
numbers; baseline: <b>{esc(names[0])}</b>. Results folder: <code>{esc(os.path.abspath(folder))}</code>.
Report generated {esc(datetime.datetime.now().strftime('%Y-%m-%d %H:%M'))}.</p>

<h2>Headline results</h2>
{headline_table(runs, table)}

<h2>How the scenarios differ</h2>
{differences}
{''.join(fig_html)}

<h2>Figures</h2>
{''.join(plots)}

<h2>Glossary</h2>
<dl>{glossary}</dl>

<h2>Caveats</h2>
<ul>{''.join(f'<li>{esc(c)}</li>' for c in CAVEATS)}</ul>
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
    p.add_argument("--out", metavar="report.html", help="output HTML file (default: DIR/report.html)")
    p.add_argument("--govsim", metavar="BIN", help="govsim binary: describe the scenarios (staff, platform, structure)")
    args = p.parse_args(argv)
    try:
        out = build_report(args.dir, args.out or os.path.join(args.dir, "report.html"), args.govsim)
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
