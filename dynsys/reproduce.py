"""``dynsys reproduce``: every registered figure and the whole verify, in one directory.

``reproduce(out_dir, quick)`` makes each figure of ``dynsys.figures.FIGURES``
(PNG and PDF), runs every registered claim (``dynsys.claims``), and writes,
each atomically:

- ``verify.json``, ``verify.md``: as ``dynsys verify`` writes them;
- ``report.md``: per paper its figures with captions, then its claims table;
  the total time and the time per figure;
- ``index.html``: one self-contained page (the PNGs embedded as base64 data
  URIs, inline CSS and JS, nothing fetched) with, per paper, the figures side
  by side with their captions and the claims table, filterable by status,
  refuted claims counted at the top, listed first and highlighted.

A figure module names its paper in ``PAPER`` and says what it computed in
``caption(quick)`` (or a ``CAPTION`` string).
"""

import base64
import html
import os
import sys
import time
from dataclasses import dataclass, field

from dynsys.io import atomic_open, prepare_directory

_UMASK = os.umask(0)
os.umask(_UMASK)

REPORTS = ("verify.json", "verify.md", "report.md", "index.html")
STATUS_ORDER = ("refuted", "error", "unverified", "confirmed")  # how each table lists its rows


@dataclass
class FigureRun:
    """One figure made: its name, paper, caption, files written and the seconds it took."""

    name: str
    paper: str
    caption: str
    files: list
    seconds: float

    def as_json(self):
        return {"name": self.name, "files": [str(f) for f in self.files], "seconds": round(self.seconds, 3)}


@dataclass
class Reproduction:
    """Everything ``reproduce`` made: figures, claim outcomes, report paths, total seconds."""

    out: str
    quick: bool
    figures: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)
    reports: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def summary(self):
        from dynsys.claims.report import summary

        return summary(self.outcomes)

    @property
    def index(self):
        return os.path.join(self.out, "index.html")

    @property
    def errored(self):
        return any(o.status == "error" for o in self.outcomes)

    def as_json(self):
        return {"out": self.out, "figures": [f.as_json() for f in self.figures], "summary": self.summary,
                "seconds": round(self.seconds, 3), "reports": list(self.reports)}


def figure_paper(module):
    """The paper a figure module reproduces (its ``PAPER``)."""
    return getattr(module, "PAPER", "minnorm")


def figure_caption(module, quick=False):
    """What a figure module computed, with which parameters: ``caption(quick)``, ``CAPTION`` or its docstring."""
    if callable(getattr(module, "caption", None)):
        return module.caption(quick)
    if getattr(module, "CAPTION", None):
        return module.CAPTION
    return " ".join((module.__doc__ or "").split("\n\n")[0].split())


def reproduce(out_dir, quick=False, progress=True, figure_names=None):
    """Make every figure and run every claim into ``out_dir``; write the reports; return a ``Reproduction``."""
    from tqdm.auto import tqdm

    from dynsys.claims.registry import load, select
    from dynsys.claims.report import run, write_reports
    from dynsys.figures import FIGURES, make

    start = time.perf_counter()
    out_dir = prepare_directory(out_dir, REPORTS)
    result = Reproduction(out=out_dir, quick=quick)
    names = list(FIGURES) if figure_names is None else list(figure_names)
    with tqdm(names, unit="figure", disable=not progress, file=sys.stderr) as bar:
        for name in bar:
            bar.set_description(name)
            module = FIGURES[name]
            t0 = time.perf_counter()
            files = make(name, out_dir, quick=quick)
            result.figures.append(FigureRun(name, figure_paper(module), figure_caption(module, quick),
                                            [str(f) for f in files], time.perf_counter() - t0))
    load()
    result.outcomes = run(select(), quick=quick, progress=progress)
    result.reports = list(write_reports(result.outcomes, out_dir))
    result.seconds = time.perf_counter() - start  # the time to compute; the reports below take milliseconds
    for name, text in (("report.md", markdown(result)), ("index.html", page(result))):
        path = os.path.join(out_dir, name)
        with atomic_open(path) as handle:
            handle.write(text.encode())
        result.reports.append(path)
    for path in result.reports:
        os.chmod(path, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual permissions
    return result


# ------------------------------------------------------------------ report.md


def _papers(result):
    from dynsys.claims.core import PAPERS

    used = {f.paper for f in result.figures} | {o.claim.paper for o in result.outcomes}
    return [p for p in PAPERS if p in used] + sorted(used - set(PAPERS))


def _rows(result, paper):
    """The paper's claims as JSON rows, refuted and errored first, then in registry order."""
    rows = [o.as_json() for o in result.outcomes if o.claim.paper == paper]
    return sorted(rows, key=lambda r: STATUS_ORDER.index(r["status"]) if r["status"] in STATUS_ORDER else 0)


def _md_cell(text):
    return " ".join(str(text).split()).replace("|", "\\|") or "-"


def summary_line(summary):
    """``16 confirmed, 4 refuted, 0 unverified, 0 error``."""
    return ", ".join(f"{n} {status}" for status, n in summary.items())


def markdown(result):
    """``report.md``: per paper its figures with captions, then its claims table; the timings."""
    mode = "--quick" if result.quick else "full"
    lines = ["# dynsys reproduce", "",
             f"Settings: {mode}. Total time {result.seconds:.1f} s. Claims: {summary_line(result.summary)}.", ""]
    for paper in _papers(result):
        lines += [f"## {paper}", ""]
        for f in (f for f in result.figures if f.paper == paper):
            png = next((os.path.basename(p) for p in f.files if p.endswith(".png")), "")
            others = ", ".join(f"[{os.path.basename(p)}]({os.path.basename(p)})" for p in f.files)
            lines += [f"### {f.name}", "", f"![{f.name}]({png})", "", f.caption, "",
                      f"Files: {others}; {f.seconds:.1f} s.", ""]
        rows = _rows(result, paper)
        if rows:
            lines += ["### Claims", "", "| id | where | statement | status | evidence | correction |",
                      "|---|---|---|---|---|---|"]
            for row in rows:
                status = f"**{row['status'].upper()}**" if row["status"] in ("refuted", "error") else row["status"]
                lines.append("| " + " | ".join([f"`{row['id']}`", _md_cell(row["where"]), _md_cell(row["statement"]),
                                                 status, _md_cell(row["evidence"]),
                                                 _md_cell(row["correction"])]) + " |")
            lines.append("")
    lines += ["## Timings", "", "| figure | seconds |", "|---|---|"]
    lines += [f"| {f.name} | {f.seconds:.2f} |" for f in result.figures]
    lines += [f"| **total** (figures and claims) | {result.seconds:.2f} |", ""]
    return "\n".join(lines)


# ----------------------------------------------------------------- index.html

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1500px;
       padding: 1em 2em 3em; color: #222; line-height: 1.4; }
h1 { margin-bottom: 0.2em; }
.meta { color: #555; margin-top: 0; }
.counts span { display: inline-block; margin-right: 1em; padding: 0.15em 0.6em; border-radius: 4px; }
.counts .refuted { background: #fdd; color: #900; font-weight: bold; }
.counts .error { background: #f9c; color: #600; font-weight: bold; }
.figures { display: flex; flex-wrap: wrap; gap: 1.2em; align-items: flex-start; }
figure { margin: 0; flex: 1 1 420px; max-width: 100%; border: 1px solid #ddd; border-radius: 6px;
         padding: 0.6em; background: #fafafa; }
figure img { width: 100%; height: auto; display: block; background: white; }
figcaption { font-size: 0.88em; margin-top: 0.5em; }
figcaption b { font-family: monospace; }
.filter { margin: 1em 0 0.5em; }
.filter button { margin-right: 0.3em; padding: 0.25em 0.8em; border: 1px solid #999; border-radius: 4px;
                 background: white; cursor: pointer; }
.filter button.active { background: #333; color: white; }
table.claims { border-collapse: collapse; width: 100%; font-size: 0.86em; margin-bottom: 1.5em; }
table.claims th, table.claims td { border: 1px solid #ccc; padding: 0.3em 0.5em; vertical-align: top;
                                   text-align: left; }
table.claims th { background: #eee; }
table.claims td.id { font-family: monospace; white-space: nowrap; }
tr.refuted td { background: #fff0f0; }
tr.refuted td.status { color: #b00; font-weight: bold; }
tr.error td { background: #ffe6f3; }
tr.error td.status { color: #800; font-weight: bold; }
td.status { white-space: nowrap; }
td.correction { color: #064; }
"""

SCRIPT = """
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.claim'));
  var buttons = Array.prototype.slice.call(document.querySelectorAll('.filter button'));
  buttons.forEach(function (b) {
    b.addEventListener('click', function () {
      buttons.forEach(function (o) { o.classList.toggle('active', o === b); });
      rows.forEach(function (r) {
        r.style.display = (b.dataset.status === 'all' || r.dataset.status === b.dataset.status) ? '' : 'none';
      });
    });
  });
  // self-check, read by the tests: every image decoded, one row per claim
  var images = Array.prototype.slice.call(document.images);
  Promise.all(images.map(function (img) {
    return img.complete ? Promise.resolve() : new Promise(function (done) { img.onload = img.onerror = done; });
  })).then(function () {
    var b = document.body.dataset;
    b.images = images.length;
    b.imagesLoaded = images.filter(function (img) { return img.naturalWidth > 0; }).length;
    b.claimRows = rows.length;
    b.checked = 'yes';
  });
})();
"""


def _e(text):
    return html.escape(str(text), quote=True)


def _data_uri(path):
    with open(path, "rb") as handle:
        return "data:image/png;base64," + base64.b64encode(handle.read()).decode("ascii")


def page(result):
    """``index.html``: one self-contained page (images inline as data URIs, no network)."""
    counts = result.summary
    mode = "--quick" if result.quick else "full"
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>dynsys reproduce</title>", f"<style>{CSS}</style></head>",
             f'<body data-claims="{len(result.outcomes)}" data-figures="{len(result.figures)}">',
             "<h1>dynsys reproduce</h1>",
             f'<p class="meta">Settings: {_e(mode)}; {len(result.figures)} figures and {len(result.outcomes)} '
             f"claims computed in {result.seconds:.1f} s "
             f"({', '.join(f'{_e(f.name)} {f.seconds:.1f} s' for f in result.figures)}).</p>",
             '<p class="counts">' + "".join(f'<span class="{_e(s) if n else ""}">{n} {_e(s)}</span>'
                                            for s, n in counts.items())
             + "</p>"]
    if result.outcomes:
        parts.append('<div class="filter">Show claims: '
                     + f'<button class="active" data-status="all">all ({len(result.outcomes)})</button>'
                     + "".join(f'<button data-status="{_e(s)}">{_e(s)} ({n})</button>' for s, n in counts.items()
                               if n)
                     + "</div>")
    for paper in _papers(result):
        parts.append(f'<section class="paper" id="{_e(paper)}"><h2>{_e(paper)}</h2>')
        figures = [f for f in result.figures if f.paper == paper]
        if figures:
            parts.append('<div class="figures">')
            for f in figures:
                png = next(p for p in f.files if p.endswith(".png"))
                names = ", ".join(os.path.basename(p) for p in f.files)
                parts.append(f'<figure id="fig-{_e(f.name)}"><img src="{_data_uri(png)}" alt="{_e(f.name)}">'
                             f"<figcaption><b>{_e(f.name)}</b>: {_e(f.caption)} "
                             f"<i>({f.seconds:.1f} s; files {_e(names)})</i></figcaption></figure>")
            parts.append("</div>")
        rows = _rows(result, paper)
        if rows:
            parts += [f"<h3>Claims ({len(rows)})</h3>", '<table class="claims"><thead><tr><th>id</th><th>where</th>'
                      "<th>statement</th><th>status</th><th>evidence</th><th>correction</th></tr></thead><tbody>"]
            for row in rows:
                status = row["status"]
                shown = status.upper() if status in ("refuted", "error") else status
                parts.append(f'<tr class="claim {_e(status)}" data-status="{_e(status)}">'
                             f'<td class="id">{_e(row["id"])}</td><td>{_e(row["where"])}</td>'
                             f'<td>{_e(row["statement"])}</td><td class="status">{_e(shown)}</td>'
                             f'<td>{_e(row["evidence"])}</td><td class="correction">{_e(row["correction"])}</td></tr>')
            parts.append("</tbody></table>")
        parts.append("</section>")
    parts += [f"<script>{SCRIPT}</script>", "</body></html>", ""]
    return "\n".join(parts)


def print_human(result, stream=None):
    """The human output: one line per figure, the claims summary, the reports; last the index.html path."""
    stream = stream or sys.stdout
    for f in result.figures:
        print(f"{f.name}: {f.seconds:.1f} s, " + ", ".join(f.files), file=stream)
    for o in result.outcomes:
        if o.status in ("refuted", "error"):
            print(f"{o.status.upper():10s} {o.claim.id}  ({o.claim.paper}, {o.claim.where})", file=stream)
            if o.status == "error":
                print(f"{'':10s} {o.error}", file=stream)
    print(f"claims: {summary_line(result.summary)}; {result.seconds:.1f} s in all", file=stream)
    print("wrote " + ", ".join(result.reports[:-1]), file=stream)
    print(result.index, file=stream)


def document(result):
    """The ``--json`` document."""
    return result.as_json()
