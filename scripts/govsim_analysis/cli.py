"""The command lines: scripts/govsim_plots.py, govsim_report.py, govsim_prim.py, findings_table.py and
uncertain_table.py are thin entry points into the functions here.

Every command reports bad input (InputError, a file it cannot read or write) as
one line `PROG: error: ...` on stderr and exit status 2, and anything else as
one line `PROG: internal error: ...` and exit status 1: never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable, Optional, Sequence

from .errors import InputError

Argv = Optional[Sequence[str]]


def guarded(prog: str, action: Callable[[], int], input_errors: tuple[type[Exception], ...] = ()) -> int:
    """Run `action` and turn its failures into one line on stderr and an exit status (2: input, 1: ours)."""
    bad_input: tuple[type[Exception], ...] = (InputError, *input_errors)
    try:
        return action()
    except bad_input as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"{prog}: error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - never a traceback; say what failed in one line
        print(f"{prog}: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


# ---------------------------------------------------------------------------
# govsim_plots.py
# ---------------------------------------------------------------------------


def plots_parser() -> argparse.ArgumentParser:
    """The parser of govsim_plots.py: one subcommand per kind of results folder, and `structure`."""
    p = argparse.ArgumentParser(
        prog="govsim_plots.py",
        description="Plots (PNG, 150 dpi) of govsim run, compare and sweep results, and of organisational structures.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    folder_commands: list[argparse.ArgumentParser] = []

    def folder_command(name: str, help: str, dir_help: str, metavar: str = "DIR") -> argparse.ArgumentParser:
        """A command that plots one results folder, into --out (default: the folder's plots/)."""
        command = sub.add_parser(name, help=help)
        command.add_argument("dir", metavar=metavar, help=dir_help)
        command.add_argument("--out", metavar="PLOTDIR", help=f"output folder (default: {metavar}/plots)")
        folder_commands.append(command)
        return command

    folder_command("run", "plots of a `govsim run` folder", "folder written by `govsim run --out DIR`")
    c = folder_command("compare", "plots of a `govsim compare` folder", "folder written by `govsim compare ... --out DIR`")
    c.add_argument("--baseline", metavar="NAME", help="differences against this scenario (default: the comparison's)")
    folder_command("sweep", "plots of a sweep folder (sweep.csv, sensitivity.csv)",
                   "folder holding sweep.csv and/or sensitivity.csv", metavar="SWEEPDIR")
    folder_command("explore", "plots of a `govsim explore` folder (effects, tornado, PRIM)",
                   "folder written by `govsim explore --out DIR`")
    a = folder_command("attribute", "plots of a `govsim attribute` folder (waterfall, interactions)",
                       "folder written by `govsim attribute --out DIR`")
    a.add_argument("--metric", default="response_mean_h", help="outcome shown (default response_mean_h)")
    folder_command("calibrate", "plots of a `govsim calibrate` folder (marginal and pairwise posteriors)",
                   "folder written by `govsim calibrate --out DIR`")
    t = sub.add_parser("structure", help="organisational structures of scenarios side by side")
    t.add_argument("scenarios", metavar="SCENARIO.yaml", nargs="+", help="scenario files")
    t.add_argument("--govsim", metavar="BIN", required=True, help="path of the govsim binary")
    t.add_argument("--out", metavar="FILE.png", required=True, help="output PNG file")
    t.add_argument("--set", metavar="path=value", action="append", default=[],
                   help="scenario override passed to `govsim describe` (repeatable)")
    for sp in (*folder_commands, t):
        sp.add_argument("--lang", choices=["en", "zh"], default="en", help="language of labels and titles")
    return p


def plots_main(argv: Argv = None) -> int:
    """govsim_plots.py COMMAND ...: draw the figures, print the paths written."""
    args = plots_parser().parse_args(argv)

    def draw() -> int:
        # Imported here so that --help and argument errors need no matplotlib.
        from .language import set_language
        from .plots.attribute import plot_attribute_folder
        from .plots.calibrate import plot_calibrate_folder
        from .plots.compare import plot_compare_folder, plot_run_folder
        from .plots.explore import plot_explore_folder
        from .plots.structure import plot_structures
        from .plots.sweep import plot_sweep_folder

        set_language(args.lang)
        if args.command == "run":
            written = plot_run_folder(args.dir, args.out)
        elif args.command == "compare":
            written = plot_compare_folder(args.dir, args.out, args.baseline)
        elif args.command == "sweep":
            written = plot_sweep_folder(args.dir, args.out)
        elif args.command == "explore":
            written = plot_explore_folder(args.dir, args.out)
        elif args.command == "attribute":
            written = plot_attribute_folder(args.dir, args.out, args.metric)
        elif args.command == "calibrate":
            written = plot_calibrate_folder(args.dir, args.out)
        else:
            extra = [a for s in args.set for a in ("--set", s)]
            written = [plot_structures(args.govsim, args.scenarios, args.out, extra_args=extra)]
        for w in written:
            print(w)
        return 0

    return guarded("govsim_plots.py", draw)


# ---------------------------------------------------------------------------
# govsim_report.py
# ---------------------------------------------------------------------------


def report_main(argv: Argv = None) -> int:
    """govsim_report.py DIR [--out report.html] [--baseline NAME] [--lang en|zh]: write the HTML report."""
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

    def write() -> int:
        from .report.page import build_report
        print(build_report(args.dir, args.out or default, args.baseline, args.lang))
        return 0

    return guarded("govsim_report.py", write)


# ---------------------------------------------------------------------------
# govsim_prim.py
# ---------------------------------------------------------------------------


def prim_main(argv: Argv = None) -> int:
    """govsim_prim.py DIR [...]: PRIM over an explore folder; prints the sentence and writes prim.json."""
    from . import prim

    p = argparse.ArgumentParser(prog="govsim_prim.py", description=(prim.__doc__ or "").split("\n\n")[0])
    p.add_argument("dir", metavar="DIR", help="folder written by `govsim explore --out DIR`")
    p.add_argument("--option", help="which option (default: the first)")
    p.add_argument("--metric", default="response_mean_h", help="outcome (default response_mean_h)")
    p.add_argument("--target", help='a target the option must meet, e.g. "response_p90_h<120" (hours)')
    p.add_argument("--alpha", type=float, default=0.05, help="share peeled per step (default 0.05)")
    p.add_argument("--min-support", type=float, default=0.05, help="smallest box, as a share of samples (0.05)")
    p.add_argument("--threshold", type=float, default=0.8, help="density a reported box must reach (0.8)")
    a = p.parse_args(argv)

    def discover() -> int:
        r = prim.discover(a.dir, a.option, a.metric, prim.parse_target(a.target) if a.target else None, a.alpha,
                          a.min_support, a.threshold)
        print(r["sentence"])
        print(f"written: {os.path.join(a.dir, 'prim.json')}")
        return 0

    # A malformed explore.json (a missing key, a value of the wrong kind) is bad input too.
    return guarded("govsim_prim.py", discover, (KeyError, ValueError))


# ---------------------------------------------------------------------------
# findings_table.py and uncertain_table.py
# ---------------------------------------------------------------------------


def findings_main(argv: Argv = None) -> int:
    """findings_table.py DIR: print the Markdown table of docs/findings.md."""
    from . import findings

    parser = argparse.ArgumentParser(prog="findings_table.py", description=(findings.__doc__ or "").splitlines()[0])
    parser.add_argument("dir", help="a folder written by govsim compare")
    args = parser.parse_args(argv)

    def show() -> int:
        print(findings.table(findings.read_comparison(args.dir)))
        return 0

    return guarded("findings_table.py", show)


def uncertain_main(argv: Argv = None) -> int:
    """uncertain_table.py [--check | --write]: the ODD's table of uncertain parameters (exit 1: it differs)."""
    from . import uncertain

    ap = argparse.ArgumentParser(prog="uncertain_table.py", description=(uncertain.__doc__ or "").splitlines()[0])
    ap.add_argument("--scenario", default="scenarios/district-base.yaml")
    ap.add_argument("--doc", default="docs/ODD.md")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 when the document's table differs")
    mode.add_argument("--write", action="store_true", help="rewrite the document's table")
    args = ap.parse_args(argv)

    def run() -> int:
        govsim = os.environ.get("GOVSIM_BINARY", os.path.join(uncertain.ROOT, "build", "release", "govsim"))
        table = uncertain.generate(args.scenario, govsim)
        if not args.check and not args.write:
            sys.stdout.write(table)
            return 0
        doc_path = os.path.join(uncertain.ROOT, args.doc)
        with open(doc_path, encoding="utf-8") as f:
            doc = f.read()
        head, current, tail = uncertain.split(doc, args.doc)
        if args.check:
            if current != table:
                sys.stderr.write(f"{args.doc}: the uncertain-parameter table differs from the declarations of "
                                 f"{args.scenario}; run scripts/uncertain_table.py --write\n")
                return 1
            return 0
        with open(doc_path, "w", encoding="utf-8") as f:
            f.write(head + table + tail)
        return 0

    return guarded("uncertain_table.py", run)
