"""``output/report.html``: one self-contained page for operators and analysts (``make report``).

Built from the run manifests (``output/<run>/runs/*.json``) and the dataset (``make dataset``:
``output/newscrawl.duckdb``) only, so it can be made again on any machine with the output
folder. No script, no network at view time: charts are inline SVG, styles inline. A section
per site (a run folder: ``bisnis``, ``kompas``, ``news/<domain>``):

- articles per day (the last 30 days of the dataset) and per hour of day (WIB), and by section;
- runs over time: duration, exported, skipped by reason, exit status (unhealthy runs marked);
- field coverage per run, so a slowly vanishing field shows;
- boilerplate drops per rule;
- the latest run's manifest.

Every number shown carries ``data-*`` attributes naming what it is, for tests and scrapers.

Never written through a symbolic link: ``make report`` refuses (exit 2, one ERROR line naming
it) when ``report.html`` or ``dataset.lock`` is one, before it writes anything.
"""

from __future__ import annotations

import html
import json
import logging
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from newscrawl import safepaths
from newscrawl.safepaths import LinkError

logger = logging.getLogger(__name__)

REPORT = "report.html"
DAYS_SHOWN = 30


@dataclass
class SiteData:
    """What the report shows of one run folder."""

    name: str
    domains: list[str]
    runs: list[dict[str, Any]] = field(default_factory=list)
    per_day: dict[str, int] = field(default_factory=dict)
    per_hour: dict[int, int] = field(default_factory=dict)
    per_section: dict[str, int] = field(default_factory=dict)


def domains_of(run_name: str) -> list[str]:
    """The domains a run folder's items carry: ``news/a.id+b.id`` names them; a site
    module's folder is its slug."""
    if run_name.startswith("news/"):
        return run_name.removeprefix("news/").split("+")
    from newscrawl.sites import registered

    site = registered().get(run_name)
    return [site.domain] if site is not None else []


def collect(output: Path) -> list[SiteData]:
    """The report's figures, from the manifests and the dataset under ``output``."""
    sites: dict[str, SiteData] = {}
    for path in sorted(output.glob("**/runs/*.json")):
        if "dataset" in path.relative_to(output).parts:
            continue
        try:
            manifest = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as error:
            logger.warning("Skipped the manifest %s: %s", path, error)
            continue
        name = str(manifest.get("spider") or path.parent.parent.relative_to(output).as_posix())
        site = sites.setdefault(name, SiteData(name, domains_of(name)))
        site.runs.append(manifest)
    for site in sites.values():
        site.runs.sort(key=lambda run: str(run.get("started_at", "")))
    _articles(output, list(sites.values()))
    return sorted(sites.values(), key=lambda site: site.name)


def _articles(output: Path, sites: list[SiteData]) -> None:
    database = output / "newscrawl.duckdb"
    if not database.is_file():
        return
    import duckdb

    from newscrawl.dataset import dataset_lock

    with dataset_lock(output, shared=True):  # between two dataset builds
        try:
            connection = duckdb.connect(str(database), read_only=True)
        except duckdb.Error as error:
            logger.warning("Cannot read the dataset %s: %s", database, error)
            return
        try:
            _query(connection, sites)
        except duckdb.Error as error:  # e.g. a view over files that were moved
            logger.warning("Cannot read the dataset %s (`make dataset` again): %s", database, error)
        finally:
            connection.close()


def _query(connection: Any, sites: list[SiteData]) -> None:
    """Articles per day, hour and section of each site, from the view ``articles``."""
    connection.execute("SET TimeZone = 'Asia/Jakarta'")
    for site in sites:
        if not site.domains:
            continue
        marks = ", ".join("?" for _ in site.domains)
        last = connection.execute(
            f"SELECT max(date) FROM articles WHERE site IN ({marks})", site.domains
        ).fetchone()
        if not last or last[0] is None:
            continue
        first = last[0] - timedelta(days=DAYS_SHOWN - 1)
        where = f"site IN ({marks}) AND date >= ?"
        arguments = [*site.domains, first]
        rows = connection.execute(
            f"SELECT date, count(*) FROM articles WHERE {where} GROUP BY 1 ORDER BY 1",
            arguments,
        ).fetchall()
        counts = {str(day): int(n) for day, n in rows}
        days = [str(first + timedelta(days=n)) for n in range(DAYS_SHOWN)]
        site.per_day = {day: counts.get(day, 0) for day in days}  # a day without: 0
        rows = connection.execute(
            f"SELECT hour(published_at), count(*) FROM articles WHERE {where} GROUP BY 1",
            arguments,
        ).fetchall()
        site.per_hour = {int(hour): int(n) for hour, n in rows}
        rows = connection.execute(
            f"SELECT coalesce(section, '(none)'), count(*) FROM articles WHERE {where} "
            "GROUP BY 1 ORDER BY 2 DESC, 1",
            arguments,
        ).fetchall()
        site.per_section = {str(section): int(n) for section, n in rows}


# --- drawing ---------------------------------------------------------------------------------


def bar_chart(
    values: list[tuple[str, float]], chart: str, *, width: int = 640, height: int = 140,
    marked: set[str] | None = None,
) -> str:  # fmt: skip
    """An inline SVG bar chart of ``values`` (label, value); each bar carries its label and
    value as data attributes, and a title (hover)."""
    if not values:
        return f'<p class="empty" data-chart="{chart}">No data.</p>'
    top = max(value for _, value in values) or 1.0
    step = width / len(values)
    bars = []
    for n, (label, value) in enumerate(values):
        h = max(1.0, (height - 20) * value / top) if value else 0.0
        x, y = n * step + 1, height - 20 - h
        colour = "#c0392b" if marked and label in marked else "#2e6da4"
        bars.append(
            f'<rect class="bar" data-label="{html.escape(label)}" data-value="{value:g}" '
            f'x="{x:.1f}" y="{y:.1f}" width="{max(1.0, step - 2):.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{html.escape(label)}: {value:g}</title></rect>'
        )
    first, last = html.escape(values[0][0]), html.escape(values[-1][0])
    axis = (
        f'<text x="0" y="{height - 4}" font-size="11">{first}</text>'
        f'<text x="{width}" y="{height - 4}" font-size="11" text-anchor="end">{last}</text>'
        f'<text x="{width}" y="11" font-size="11" text-anchor="end">max {top:g}</text>'
    )
    return (
        f'<svg class="chart" data-chart="{chart}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(bars) + axis + "</svg>"
    )  # fmt: skip


def _table(
    headers: list[str], rows: list[list[str]], name: str, marked: set[int] | None = None
) -> str:
    """A table; the rows whose index is in ``marked`` are marked unhealthy."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        ('<tr class="unhealthy">' if marked and n in marked else "<tr>") + "".join(row) + "</tr>"
        for n, row in enumerate(rows)
    )
    return f'<table data-table="{name}"><tr>{head}</tr>{body}</table>'


def _cell(shown: Any, **data: Any) -> str:
    """A table cell showing ``shown``, with ``data-*`` attributes."""
    attributes = "".join(f' data-{key}="{html.escape(str(v))}"' for key, v in data.items())
    return f"<td{attributes}>{html.escape(str(shown))}</td>"


def _duration(run: dict[str, Any]) -> float:
    try:
        started = datetime.fromisoformat(str(run["started_at"]))
        finished = datetime.fromisoformat(str(run["finished_at"]))
    except (KeyError, ValueError):
        return 0.0
    return max(0.0, (finished - started).total_seconds())


def render(sites: list[SiteData], made_at: datetime | None = None) -> str:
    """The report page."""
    made_at = made_at or datetime.now().astimezone()
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>newscrawl report</title><style>",
        "body{font-family:sans-serif;margin:2em;max-width:70em;color:#222}",
        "h2{border-bottom:2px solid #2e6da4;margin-top:2em}table{border-collapse:collapse;",
        "margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}",
        "th{background:#eef}.unhealthy td{background:#fdd}pre{background:#f6f6f6;",
        "padding:1em;overflow:auto;max-height:30em}.empty{color:#888}</style></head><body>",
        "<h1>newscrawl report</h1>",
        f"<p>Made {html.escape(made_at.isoformat(timespec='seconds'))} from the run manifests "
        "and the dataset.</p>",
    ]
    if not sites:
        parts.append("<p class='empty'>No runs yet.</p>")
    for site in sites:
        parts.append(_site(site))
    parts.append("</body></html>")
    return "\n".join(parts)


def _site(site: SiteData) -> str:
    name = html.escape(site.name)
    out = [f'<section data-site="{name}"><h2>{name}</h2>']
    domains = ", ".join(site.domains) or "?"
    out.append(f"<p>Domains: {html.escape(domains)}. Runs: {len(site.runs)}.</p>")
    out.append(f"<h3>Articles per day (last {DAYS_SHOWN} days in the dataset)</h3>")
    if site.per_day:
        out.append(bar_chart(list(site.per_day.items()), "articles-per-day"))
        out.append("<h3>Articles per hour of day (WIB)</h3>")
        hours = [(f"{h:02d}", float(site.per_hour.get(h, 0))) for h in range(24)]
        out.append(bar_chart(hours, "articles-per-hour"))
        out.append("<h3>By section</h3>")
        out.append(bar_chart([(k, float(v)) for k, v in site.per_section.items()], "sections"))
    else:
        out.append(
            "<p class='empty'>No articles in the dataset: run <code>make dataset</code>.</p>"
        )
    runs = site.runs
    unhealthy = {
        str(run.get("run_id")) for run in runs if not (run.get("health") or {}).get("ok", True)
    }
    out.append("<h3>Runs over time</h3><h4>Exported</h4>")
    out.append(bar_chart([(str(r.get("run_id")), float(r.get("items_exported") or 0))
                          for r in runs], "exported", marked=unhealthy))  # fmt: skip
    out.append("<h4>Duration (s)</h4>")
    out.append(bar_chart([(str(r.get("run_id")), round(_duration(r), 1)) for r in runs],
                         "duration", marked=unhealthy))  # fmt: skip
    reasons = sorted({reason for r in runs for reason in (r.get("pages_skipped") or {})})
    rows = []
    marked = set()
    for n, run in enumerate(runs):
        run_id = str(run.get("run_id"))
        if run_id in unhealthy:
            marked.add(n)
        skipped = run.get("pages_skipped") or {}
        row = [
            _cell(run_id, run=run_id, field="run_id"),
            _cell(run.get("finish_reason"), run=run_id, field="finish_reason"),
            _cell(run.get("items_exported"), run=run_id, field="items_exported"),
            _cell(f"{_duration(run):.1f}", run=run_id, field="duration"),
            _cell(run.get("exit_status"), run=run_id, field="exit_status"),
            *(_cell(skipped.get(reason, 0), run=run_id, field=f"skipped/{reason}")
              for reason in reasons),
        ]  # fmt: skip
        rows.append(row)
    headers = ["run", "finish", "exported", "seconds", "exit"]
    out.append(_table(headers + [f"skipped: {r}" for r in reasons], rows, "runs", marked))
    out.append("<h3>Field coverage per run</h3>")
    fields = sorted({name for r in runs for name in (r.get("field_coverage") or {})})
    rows = []
    for run in runs:
        run_id = str(run.get("run_id"))
        coverage = run.get("field_coverage") or {}
        rows.append([_cell(run_id)] + [
            _cell("" if coverage.get(name) is None else f"{100 * coverage[name]:.0f}%",
                  run=run_id, field=f"coverage/{name}", value=coverage.get(name))
            for name in fields
        ])  # fmt: skip
    out.append(_table(["run", *fields], rows, "coverage"))
    for name in fields:
        trend = [(str(r.get("run_id")), 100 * float((r.get("field_coverage") or {}).get(name) or 0))
                 for r in runs]  # fmt: skip
        out.append(f"<h4>{html.escape(name)} coverage (%)</h4>")
        out.append(bar_chart(trend, html.escape(f"coverage-{name}"), height=70))
    out.append("<h3>Boilerplate drops per rule (all runs)</h3>")
    drops: Counter[str] = Counter()
    for run in runs:
        drops.update({k: int(v) for k, v in (run.get("boilerplate_drops") or {}).items()})
    out.append(bar_chart([(k, float(v)) for k, v in drops.most_common()], "boilerplate"))
    drop_rows = [[_cell(k), _cell(v, rule=k, field="drops")] for k, v in drops.most_common()]
    out.append(_table(["rule", "drops"], drop_rows, "boilerplate"))
    if runs:
        latest = json.dumps(runs[-1], indent=1, ensure_ascii=False)
        out.append("<h3>Latest run</h3>")
        out.append(f'<pre data-manifest="latest">{html.escape(latest)}</pre>')
    out.append("</section>")
    return "\n".join(out)


def write(output: Path) -> Path:
    """Collect, render and write ``output/report.html`` (atomically, never through a link:
    :class:`LinkError` before anything is written when it or ``dataset.lock`` is one)."""
    path = output / REPORT
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    from newscrawl.dataset import LOCK

    safepaths.refuse_links(output, [path, temporary, output / LOCK])
    page = render(collect(output))
    with safepaths.open_nofollow(temporary, "w", output, encoding="utf-8") as handle:
        handle.write(page)
    safepaths.replace(temporary, path, output)
    return path


def main(argv: list[str] | None = None) -> int:
    from newscrawl.dataset import output_from_command_line

    output = output_from_command_line("Write output/report.html.", argv)
    if output is None:
        return 2
    try:
        logger.info("Wrote %s", write(output))
    except LinkError as error:
        logger.error("Not writing the report: %s", error)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
