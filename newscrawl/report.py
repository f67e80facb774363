"""``output/report.html``: one self-contained page to read at a glance (``make report``).

Built from the run manifests (``output/<run>/runs/*.json``) and the dataset (``make dataset``:
``output/newscrawl.duckdb``) only, so it can be made again on any machine with the output
folder. Every time is WIB (Asia/Jakarta, UTC+7), and the page says so.

- **Summary first**: a row per site (a run folder: ``bisnis``, ``kompas``, ``news/<domain>``)
  with its last run (when, health, exit status), the new articles of that run and of the last
  24 hours, and the articles in the dataset; then **what needs attention**, a line each: an
  unhealthy or failed last run, a site not run for :data:`STALE_AFTER`, no new article in a day,
  pages blocked, a field whose coverage fell, feeds not in the dataset yet.
- **A section per site**: charts of articles per day (the last :data:`DAYS_SHOWN` days of the
  dataset) and per hour of day, by section (generic sites have none: the page says so), new
  articles and runs per day (unhealthy runs in red), the longest run of each day, field
  coverage per day as a heat map, boilerplate drops per rule; then the last
  :data:`RUNS_LISTED` runs as a table, and the latest manifest (folded).

Charts are Vega-Lite specifications rendered to static SVG by ``vl-convert-python`` (Vega's own
renderer, bundled: nothing is fetched), inlined with their axes, titles and a label on each mark
(``aria-label``, also what a screen reader reads). No script, no request at view time; styles
inline. The layout is a grid of charts that becomes one column on a phone, with no sideways
scroll at 420 px.

Every number of the summary and the runs table carries ``data-*`` attributes (``data-site``,
``data-run``, ``data-field``), so it can be checked or scraped.

Never written through a symbolic link: ``make report`` refuses (exit 2, one ERROR line naming
it) when ``report.html`` or ``dataset.lock`` is one, before it writes anything.
"""

from __future__ import annotations

import html
import json
import logging
import os
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from newscrawl import safepaths
from newscrawl.processors import WIB
from newscrawl.safepaths import LinkError

logger = logging.getLogger(__name__)

REPORT = "report.html"
#: Days of the dataset and of runs the charts show.
DAYS_SHOWN = 30
#: Runs listed in each site's table (the newest).
RUNS_LISTED = 10
#: A site whose last run started longer ago than this needs attention.
STALE_AFTER = timedelta(days=2)
#: A field whose coverage in the last run is this much below its median before needs attention.
COVERAGE_DROP = 0.2
#: Runs with articles needed before the last one's coverage is compared with theirs.
COVERAGE_RUNS = 3
#: Sections shown in the chart (the rest are summed as "other").
SECTIONS_SHOWN = 12
#: Chart width in CSS pixels: a phone's column (420 px less the margins) holds it whole.
CHART_WIDTH = 360
HEALTHY, UNHEALTHY = "#2e6da4", "#c0392b"


@dataclass
class SiteData:
    """What the report shows of one run folder."""

    name: str
    domains: list[str]
    runs: list[dict[str, Any]] = field(default_factory=list)
    per_day: dict[str, int] = field(default_factory=dict)
    per_hour: dict[int, int] = field(default_factory=dict)
    per_section: dict[str, int] = field(default_factory=dict)
    #: Articles of the site in the dataset (None: no dataset, or it cannot be read).
    articles: int | None = None
    #: The newest publication time in the dataset (WIB, to the minute).
    latest: str | None = None
    #: Published feeds of the site not in the dataset yet (None: not known).
    behind: int | None = None


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
        if not isinstance(manifest, dict):
            continue
        name = str(manifest.get("spider") or path.parent.parent.relative_to(output).as_posix())
        site = sites.setdefault(name, SiteData(name, domains_of(name)))
        site.runs.append(manifest)
    for site in sites.values():
        site.runs.sort(key=lambda run: str(run.get("started_at", "")))
    _articles(output, list(sites.values()))
    return sorted(sites.values(), key=lambda site: site.name)


def _articles(output: Path, sites: list[SiteData]) -> None:
    from newscrawl.dataset import DATABASE, published_feeds

    database = output / DATABASE
    published = list(dict.fromkeys(published_feeds(output)))
    if not database.is_file():
        for site in sites:
            site.behind = sum(feed.startswith(site.name + "/") for feed in published)
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
            ingested = {str(row[0]) for row in connection.execute(
                "SELECT feed FROM dataset_feeds").fetchall()}  # fmt: skip
            for site in sites:
                site.behind = sum(
                    feed.startswith(site.name + "/") and feed not in ingested for feed in published
                )
            _query(connection, sites)
        except duckdb.Error as error:  # e.g. a view over files that were moved
            logger.warning("Cannot read the dataset %s (`make dataset` again): %s", database, error)
        finally:
            connection.close()


def _query(connection: Any, sites: list[SiteData]) -> None:
    """Articles per day, hour and section of each site, from the view ``articles``: days and
    hours are WIB's (``published_local``), whatever the session's time zone."""
    for site in sites:
        if not site.domains:
            continue
        marks = ", ".join("?" for _ in site.domains)
        [(total, last, latest)] = connection.execute(
            f"SELECT count(*), max(date), strftime(max(published_local), '%Y-%m-%d %H:%M') "
            f"FROM articles WHERE site IN ({marks})",
            site.domains,
        ).fetchall()
        site.articles = int(total)
        site.latest = latest
        if last is None:
            continue
        first = last - timedelta(days=DAYS_SHOWN - 1)
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
            f"SELECT hour(published_local), count(*) FROM articles WHERE {where} GROUP BY 1",
            arguments,
        ).fetchall()
        site.per_hour = {int(hour): int(n) for hour, n in rows}
        rows = connection.execute(
            f"SELECT section, count(*) FROM articles WHERE {where} AND section IS NOT NULL "
            "GROUP BY 1 ORDER BY 2 DESC, 1",
            arguments,
        ).fetchall()
        site.per_section = {str(section): int(n) for section, n in rows}


# --- figures -----------------------------------------------------------------------------------


def _when(run: dict[str, Any]) -> datetime | None:
    """When a run started, in WIB."""
    try:
        started = datetime.fromisoformat(str(run["started_at"]))
    except (KeyError, ValueError):
        return None
    return (started if started.tzinfo else started.replace(tzinfo=WIB)).astimezone(WIB)


def _duration(run: dict[str, Any]) -> float:
    """A run's seconds: its measured ``duration_seconds``, else its whole-second timestamps'
    difference (manifests written before the field)."""
    measured = run.get("duration_seconds")
    if isinstance(measured, int | float) and not isinstance(measured, bool):
        return max(0.0, float(measured))
    try:
        started = datetime.fromisoformat(str(run["started_at"]))
        finished = datetime.fromisoformat(str(run["finished_at"]))
    except (KeyError, ValueError):
        return 0.0
    return max(0.0, (finished - started).total_seconds())


def _healthy(run: dict[str, Any]) -> bool:
    return bool((run.get("health") or {}).get("ok", True))


def _exported(run: dict[str, Any]) -> int:
    try:
        return int(run.get("items_exported") or 0)
    except (TypeError, ValueError):
        return 0


def new_in(site: SiteData, since: datetime) -> int:
    """New articles exported by the runs that started at ``since`` or later."""
    return sum(_exported(run) for run in site.runs if (_when(run) or since) >= since)


def runs_per_day(site: SiteData, last: date) -> list[dict[str, Any]]:
    """Per WIB day of the :data:`DAYS_SHOWN` days up to ``last`` (a day without runs: zeros):
    runs (healthy and not), new articles and the longest run's seconds."""
    first = last - timedelta(days=DAYS_SHOWN - 1)
    days = {
        first + timedelta(days=n): {"healthy": 0, "unhealthy": 0, "exported": 0, "longest": 0.0}
        for n in range(DAYS_SHOWN)
    }
    for run in site.runs:
        when = _when(run)
        if when is None or when.date() not in days:
            continue
        day = days[when.date()]
        day["healthy" if _healthy(run) else "unhealthy"] += 1
        day["exported"] += _exported(run)
        day["longest"] = max(day["longest"], round(_duration(run), 2))
    return [{"day": str(day), **figures} for day, figures in sorted(days.items())]


def coverage_per_day(site: SiteData, last: date) -> list[dict[str, Any]]:
    """Each field's mean coverage (%) per WIB day, over the runs that exported something."""
    first = last - timedelta(days=DAYS_SHOWN - 1)
    shares: dict[tuple[str, str], list[float]] = {}
    for run in site.runs:
        when = _when(run)
        if when is None or not first <= when.date() <= last:
            continue
        for name, share in (run.get("field_coverage") or {}).items():
            if share is not None:
                shares.setdefault((str(when.date()), name), []).append(100 * float(share))
    return [
        {"day": day, "field": name, "coverage": round(statistics.fmean(values), 1)}
        for (day, name), values in sorted(shares.items())
    ]


def attention(site: SiteData, now: datetime) -> list[tuple[str, str]]:
    """What needs attention on a site: (kind, sentence) pairs; none when all is well."""
    if not site.runs:
        return [("no-runs", "no run yet")]
    found: list[tuple[str, str]] = []
    last = site.runs[-1]
    when = _when(last)
    if not _healthy(last):
        failures = "; ".join(str(f) for f in (last.get("health") or {}).get("failures") or [])
        found.append(("unhealthy", f"last run unhealthy: {failures or 'see its manifest'}"))
    elif last.get("exit_status") not in (0, None):
        found.append(("exit", f"last run exited with status {last.get('exit_status')}"))
    if when is not None and now - when > STALE_AFTER:
        found.append(("stale", f"no run since {_format(when)} ({_ago(when, now)})"))
    day_ago = now - timedelta(days=1)
    recent = [run for run in site.runs if (_when(run) or now) >= day_ago]
    if recent and not any(_exported(run) for run in recent) and any(map(_exported, site.runs)):
        found.append(("quiet", "no new article in the last 24 hours"))
    blocked = int((last.get("pages_skipped") or {}).get("blocked") or 0)
    if blocked:
        found.append(("blocked", f"{blocked} page(s) blocked in the last run"))
    found += [("coverage", sentence) for sentence in _coverage_drops(site)]
    if site.behind:
        found.append(("dataset", f"{site.behind} feed(s) not in the dataset: run `make dataset`"))
    return found


def _coverage_drops(site: SiteData) -> list[str]:
    """Fields whose coverage in the last run fell :data:`COVERAGE_DROP` or more below their
    median over the runs before it (at least :data:`COVERAGE_RUNS` of them)."""
    coverage = [run.get("field_coverage") or {} for run in site.runs if _exported(run)]
    if len(coverage) <= COVERAGE_RUNS:
        return []
    drops = []
    for name, share in sorted(coverage[-1].items()):
        before = [float(c[name]) for c in coverage[:-1] if c.get(name) is not None]
        if share is None or not before:
            continue
        usual = statistics.median(before)
        if usual - float(share) >= COVERAGE_DROP:
            drops.append(
                f"{name} in {100 * float(share):.0f}% of articles (usually {100 * usual:.0f}%)"
            )
    return drops


# --- drawing -----------------------------------------------------------------------------------


def _format(when: datetime) -> str:
    return when.astimezone(WIB).strftime("%Y-%m-%d %H:%M")


def _ago(when: datetime, now: datetime) -> str:
    seconds = max(0.0, (now - when).total_seconds())
    if seconds < 3600:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"


class Charts:
    """Vega-Lite specifications rendered to inline SVG (vl-convert: no network, no script)."""

    def __init__(self) -> None:
        try:
            import vl_convert
        except ImportError:  # the report still has its tables
            logger.warning(
                "No charts: vl-convert-python is missing (pip install -r requirements.txt)"
            )
            self.render: Any = None
        else:
            self.render = vl_convert.vegalite_to_svg

    def figure(self, name: str, title: str, spec: dict[str, Any], empty: str = "") -> str:
        """A titled figure of a chart; ``empty`` (a sentence) instead when there is no data."""
        head = (
            f'<figure class="chart" data-chart="{html.escape(name)}">'
            f"<figcaption>{html.escape(title)}</figcaption>"
        )
        values = spec.get("data", {}).get("values")
        if not values:
            return f'{head}<p class="empty">{html.escape(empty or "No data.")}</p></figure>'
        if self.render is None:
            return f'{head}<p class="empty">Charts need vl-convert-python.</p></figure>'
        spec = {
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "width": CHART_WIDTH, "autosize": {"type": "fit-x", "contains": "padding"},
            # the browser's sans-serif may be wider than the renderer's: room on the left
            "padding": {"left": 16, "right": 6, "top": 4, "bottom": 4},
            "config": {"font": "sans-serif", "axis": {"labelFontSize": 11, "titleFontSize": 11,
                                                      "labelLimit": 140},
                       "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "top"},
                       "view": {"stroke": None}},
            **spec,
        }  # fmt: skip
        svg = str(self.render(spec))
        return f"{head}{svg}</figure>"


def _day_axis(title: str = "day (WIB)") -> dict[str, Any]:
    return {
        "field": "day", "type": "temporal", "timeUnit": "utcyearmonthdate", "title": title,
        "axis": {"format": "%d %b", "labelAngle": 0, "tickCount": 6},
    }  # fmt: skip


def _site_charts(site: SiteData, charts: Charts) -> list[str]:
    out = []
    no_data = "No articles in the dataset yet: run make dataset."
    out.append(charts.figure(
        "articles-per-day", f"Articles per day, last {DAYS_SHOWN} days of the dataset (WIB)",
        {"height": 130, "data": {"values": [{"day": d, "articles": n}
                                            for d, n in site.per_day.items()]},
         "mark": {"type": "bar", "color": HEALTHY},
         "encoding": {"x": _day_axis("publication day (WIB)"),
                      "y": {"field": "articles", "type": "quantitative", "title": "articles"}}},
        no_data,
    ))  # fmt: skip
    hours = [{"hour": h, "articles": site.per_hour.get(h, 0)} for h in range(24)]
    out.append(charts.figure(
        "articles-per-hour", "Articles per hour of day (WIB)",
        {"height": 130, "data": {"values": hours if site.per_hour else []},
         "mark": {"type": "bar", "color": HEALTHY},
         "encoding": {"x": {"field": "hour", "type": "ordinal",
                            "title": "hour of publication (WIB)",
                            "axis": {"labelAngle": 0, "values": list(range(0, 24, 3))}},
                      "y": {"field": "articles", "type": "quantitative", "title": "articles"}}},
        no_data,
    ))  # fmt: skip
    sections = list(site.per_section.items())
    if len(sections) > SECTIONS_SHOWN:
        rest = sum(n for _, n in sections[SECTIONS_SHOWN - 1 :])
        sections = [*sections[: SECTIONS_SHOWN - 1], ("other", rest)]
    none_sentence = (
        "No sections: a generic site's pages do not name one." if site.name.startswith("news/")
        else no_data if not site.per_day else "No article names a section."
    )  # fmt: skip
    out.append(charts.figure(
        "sections", f"Articles by section, last {DAYS_SHOWN} days",
        {"height": {"step": 18},
         "data": {"values": [{"section": s, "articles": n} for s, n in sections]},
         "mark": {"type": "bar", "color": HEALTHY},
         "encoding": {"y": {"field": "section", "type": "nominal", "sort": None, "title": None},
                      "x": {"field": "articles", "type": "quantitative", "title": "articles"}}},
        none_sentence,
    ))  # fmt: skip
    last_day = max(((_when(run) or datetime.now(WIB)).date() for run in site.runs), default=None)
    days = runs_per_day(site, last_day) if last_day else []
    out.append(charts.figure(
        "exported-per-day", f"New articles exported per day, last {DAYS_SHOWN} days of runs (WIB)",
        {"height": 130, "data": {"values": days}, "mark": {"type": "bar", "color": HEALTHY},
         "encoding": {"x": _day_axis("run day (WIB)"),
                      "y": {"field": "exported", "type": "quantitative", "title": "new articles"}}},
        "No run yet.",
    ))  # fmt: skip
    health = [
        {"day": d["day"], "health": kind, "runs": d[kind]}
        for d in days for kind in ("healthy", "unhealthy") if d[kind] or kind == "healthy"
    ] if any(d["healthy"] or d["unhealthy"] for d in days) else []  # fmt: skip
    out.append(charts.figure(
        "runs-per-day", "Runs per day: healthy and unhealthy (WIB)",
        {"height": 130, "data": {"values": health}, "mark": "bar",
         "encoding": {"x": _day_axis("run day (WIB)"),
                      "y": {"field": "runs", "type": "quantitative", "title": "runs"},
                      "color": {"field": "health", "type": "nominal", "title": None,
                                "scale": {"domain": ["healthy", "unhealthy"],
                                          "range": [HEALTHY, UNHEALTHY]}}}},
        "No run yet.",
    ))  # fmt: skip
    out.append(charts.figure(
        "duration", "Longest run of each day (seconds)",
        {"height": 130, "data": {"values": days}, "mark": {"type": "bar", "color": "#7f8c8d"},
         "encoding": {"x": _day_axis("run day (WIB)"),
                      "y": {"field": "longest", "type": "quantitative", "title": "seconds"}}},
        "No run yet.",
    ))  # fmt: skip
    coverage = coverage_per_day(site, last_day) if last_day else []
    out.append(charts.figure(
        "coverage", "Field coverage per day (% of new articles with the field)",
        {"height": {"step": 16}, "data": {"values": coverage}, "mark": "rect",
         "encoding": {"x": {"field": "day", "type": "ordinal", "timeUnit": "utcyearmonthdate",
                            "title": "run day (WIB)", "axis": {"format": "%d %b", "labelAngle": 0}},
                      "y": {"field": "field", "type": "nominal", "title": None},
                      "color": {"field": "coverage", "type": "quantitative", "title": "%",
                                "scale": {"domain": [0, 100], "scheme": "redyellowgreen"}}}},
        "No run has exported an article yet.",
    ))  # fmt: skip
    drops: Counter[str] = Counter()
    for run in site.runs:
        drops.update({k: int(v) for k, v in (run.get("boilerplate_drops") or {}).items()})
    top = [{"rule": rule, "drops": n} for rule, n in drops.most_common(SECTIONS_SHOWN)]
    out.append(charts.figure(
        "boilerplate", "Boilerplate lines dropped per rule (all runs)",
        {"height": {"step": 18}, "data": {"values": top},
         "mark": {"type": "bar", "color": "#7f8c8d"},
         "encoding": {"y": {"field": "rule", "type": "nominal", "sort": None, "title": None},
                      "x": {"field": "drops", "type": "quantitative", "title": "lines dropped"}}},
        "No boilerplate line dropped.",
    ))  # fmt: skip
    return out


def _cell(shown: Any, label: str = "", css: str = "", **data: Any) -> str:
    """A table cell showing ``shown``, with ``data-*`` attributes (``data-label``: its column,
    shown before the value when the table is laid out as cards on a phone)."""
    attributes = "".join(f' data-{key}="{html.escape(str(v))}"' for key, v in data.items())
    label_attribute = f' data-label="{html.escape(label)}"' if label else ""
    klass = f' class="{css}"' if css else ""
    return f"<td{label_attribute}{klass}{attributes}>{html.escape(str(shown))}</td>"


STYLE = """
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
 padding:12px;max-width:1240px;color:#1d1d1f;overflow-wrap:anywhere}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.25em;border-bottom:2px solid #2e6da4;
 margin:1.6em 0 .5em;padding-bottom:.2em}h3{font-size:1.05em;margin:1.2em 0 .4em}
.meta{color:#555;margin:.2em 0 1em}
table{border-collapse:collapse;width:100%;margin:.4em 0}
th,td{padding:5px 8px;border-bottom:1px solid #e3e3e3;text-align:left;vertical-align:top}
th{background:#f3f5f9;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1e7d32;font-weight:600}.bad{color:#c0392b;font-weight:600}
tr.unhealthy td{background:#fdecea}
ul.attention{padding-left:1.2em}ul.attention li{margin:.2em 0}
.allgood{color:#1e7d32}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:12px}
figure.chart{margin:0;border:1px solid #e3e3e3;border-radius:6px;padding:8px;min-width:0}
figure.chart figcaption{font-weight:600;font-size:.92em;margin-bottom:4px}
figure.chart svg{display:block;max-width:100%;height:auto}
.empty{color:#777;font-style:italic}
details{margin:.6em 0}summary{cursor:pointer;color:#2e6da4}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:8px;
 max-height:30em;overflow:auto;font-size:.85em}
@media (max-width:700px){
 .grid{grid-template-columns:minmax(0,1fr)}
 table.cards thead{display:none}
 table.cards tr{display:block;border:1px solid #e3e3e3;border-radius:6px;margin:0 0 8px}
 table.cards td{display:flex;justify-content:space-between;gap:1em;border:0;
  text-align:right;padding:3px 8px}
 table.cards td::before{content:attr(data-label);font-weight:600;text-align:left}
}
"""


def render(sites: list[SiteData], made_at: datetime | None = None) -> str:
    """The report page."""
    now = (made_at or datetime.now(WIB)).astimezone(WIB)
    charts = Charts()
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>newscrawl report</title><style>{STYLE}</style></head><body>",
        "<h1>newscrawl report</h1>",
        f'<p class="meta" data-made-at="{now.isoformat(timespec="seconds")}">Made '
        f"{_format(now)} WIB from the run manifests and the dataset. "
        "<strong>All times are WIB (Asia/Jakarta, UTC+7).</strong></p>",
    ]
    if not sites:
        parts.append("<p class='empty'>No runs yet.</p></body></html>")
        return "\n".join(parts)
    parts.append(_summary(sites, now))
    for site in sites:
        parts.append(_site(site, charts, now))
    parts.append("</body></html>")
    return "\n".join(parts)


def _summary(sites: list[SiteData], now: datetime) -> str:
    issues = {site.name: attention(site, now) for site in sites}
    needing = [name for name, found in issues.items() if found]
    verdict = (
        f"<p class='allgood'>All {len(sites)} site(s) are healthy; nothing needs attention.</p>"
        if not needing
        else f"<p class='bad'>{len(needing)} of {len(sites)} site(s) need attention.</p>"
    )
    headers = ["site", "last run (WIB)", "health", "exit", "new, last run", "new, 24 h",
               "in the dataset", "latest article (WIB)"]  # fmt: skip
    rows = []
    for site in sites:
        name = site.name
        last = site.runs[-1] if site.runs else {}
        when = _when(last)
        healthy = _healthy(last)
        cells = [
            f'<td data-label="site"><a href="#site-{html.escape(name)}">'
            f"{html.escape(name)}</a></td>",
            _cell(f"{_format(when)} ({_ago(when, now)})" if when else "never", "last run (WIB)",
                  site=name, field="last_run", value=when.isoformat() if when else ""),
            _cell("healthy" if healthy else "unhealthy", "health", "ok" if healthy else "bad",
                  site=name, field="health"),
            _cell(last.get("exit_status", ""), "exit", "n", site=name, field="exit_status"),
            _cell(_exported(last), "new, last run", "n", site=name, field="items_exported"),
            _cell(new_in(site, now - timedelta(days=1)), "new, 24 h", "n", site=name,
                  field="new_24h"),
            _cell("?" if site.articles is None else site.articles, "in the dataset", "n",
                  site=name, field="articles"),
            _cell(site.latest or "", "latest article (WIB)", site=name, field="latest"),
        ]  # fmt: skip
        css = "" if healthy else ' class="unhealthy"'
        rows.append(f"<tr{css}>{''.join(cells)}</tr>")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    table = (
        f'<table class="cards" data-table="summary"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    items = [
        f'<li data-attention="{html.escape(name)}:{kind}"><strong>{html.escape(name)}</strong>: '
        f"{html.escape(sentence)}</li>"
        for name, found in issues.items()
        for kind, sentence in found
    ]
    needs = f'<ul class="attention">{"".join(items)}</ul>' if items else ""
    return f'<section data-summary="1"><h2>Summary</h2>{verdict}{needs}{table}</section>'


def _site(site: SiteData, charts: Charts, now: datetime) -> str:
    name = html.escape(site.name)
    out = [f'<section id="site-{name}" data-site="{name}"><h2>{name}</h2>']
    domains = ", ".join(site.domains) or "?"
    first = _when(site.runs[0]) if site.runs else None
    since = f" since {_format(first)}" if first else ""
    out.append(
        f"<p class='meta'>Domains: {html.escape(domains)}. {len(site.runs)} run(s){since}.</p>"
    )
    out.append('<div class="grid">' + "".join(_site_charts(site, charts)) + "</div>")
    out.append(_runs_table(site))
    if site.runs:
        latest = json.dumps(site.runs[-1], indent=1, ensure_ascii=False)
        out.append("<details><summary>The latest run's manifest</summary>")
        out.append(f'<pre data-manifest="latest">{html.escape(latest)}</pre></details>')
    out.append("</section>")
    return "\n".join(out)


def _runs_table(site: SiteData) -> str:
    runs = site.runs[-RUNS_LISTED:][::-1]
    if not runs:
        return "<p class='empty'>No run yet.</p>"
    rows = []
    for run in runs:
        run_id = str(run.get("run_id"))
        when = _when(run)
        skipped = run.get("pages_skipped") or {}
        spans = ", ".join(
            f'{html.escape(reason)} <span data-run="{html.escape(run_id)}" '
            f'data-field="skipped/{html.escape(reason)}">{int(count)}</span>'
            for reason, count in sorted(skipped.items())
        )
        healthy = _healthy(run)
        failures = "; ".join(str(f) for f in (run.get("health") or {}).get("failures") or [])
        cells = [
            _cell(_format(when) if when else "?", "started (WIB)", run=run_id, field="started"),
            _cell(run.get("finish_reason"), "finish", run=run_id, field="finish_reason"),
            _cell("healthy" if healthy else f"unhealthy: {failures}", "health",
                  "ok" if healthy else "bad", run=run_id, field="health"),
            _cell(run.get("items_exported"), "new", "n", run=run_id, field="items_exported"),
            _cell(f"{_duration(run):.1f}", "seconds", "n", run=run_id, field="duration"),
            _cell(run.get("exit_status"), "exit", "n", run=run_id, field="exit_status"),
            f'<td data-label="skipped pages"><span>{spans or "none"}</span></td>',
        ]  # fmt: skip
        rows.append(("<tr>" if healthy else '<tr class="unhealthy">') + "".join(cells) + "</tr>")
    headers = ["started (WIB)", "finish", "health", "new", "seconds", "exit", "skipped pages"]
    head = "".join(f"<th>{h}</th>" for h in headers)
    more = len(site.runs) - len(runs)
    note = f" (the newest {len(runs)} of {len(site.runs)})" if more else ""
    return (
        f"<h3>Runs{note}</h3>"
        f'<table class="cards" data-table="runs"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


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
