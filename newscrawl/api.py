"""newscrawl from Python (a notebook, a script): :func:`crawl`, :func:`extract` and
:func:`dataset`, re-exported by the package (``newscrawl.crawl(...)``). See docs/python.md.

- :func:`crawl` runs ``scrapy crawl`` in a subprocess and yields the items it exported. Scrapy's
  reactor cannot be started twice in a process, so a crawl in the caller's own process could run
  once per kernel; a subprocess also keeps the caller's script from being run again by the
  crawl's page-reading worker (multiprocessing re-imports the main module in it) and gives
  each call exactly the run a cron job has: arguments checked, lock, dedup, health, exit status.
- :func:`extract` reads one page as a crawl reads an article: the site module when the URL is an
  article of a known site, the generic reader otherwise, then the same pipelines (promo lines,
  validation). It touches no state and writes nothing. :func:`extract_url` fetches the page
  first (and the whole text of a split article), as ``newscrawl extract URL`` does.
- :func:`dataset` opens the analysts' DuckDB database read-only, its session in WIB.

Scrapy's settings are found as the ``newscrawl`` command finds them: the module
``SCRAPY_SETTINGS_MODULE`` names, else the one the closest ``scrapy.cfg`` names, else
``newscrawl.settings`` (:func:`newscrawl.project.settings_module`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import site
import subprocess
import sys
import urllib.error
import urllib.request
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from newscrawl import scratch
from newscrawl.project import SETTINGS_ENV, settings_module

if TYPE_CHECKING:
    import duckdb
    from scrapy.crawler import Crawler
    from scrapy.http import HtmlResponse
    from scrapy.settings import Settings

    from newscrawl.items import ArticleItem
    from newscrawl.pages.base import ReadPage
    from newscrawl.sites import Site

__all__ = ["CrawlError", "NotAnArticle", "crawl", "dataset", "extract", "extract_url"]

#: The time zone of a :func:`dataset` session: the sites' own (WIB).
TIME_ZONE = "Asia/Jakarta"
#: A failed crawl's exception carries this many of its last ERROR lines.
ERROR_LINES = 5
#: How long an interrupted crawl may take to stop (it publishes what it finished) before it is
#: killed.
STOP_SECONDS = 60.0


class CrawlError(RuntimeError):
    """``scrapy crawl`` exited with a status other than 0 (see README "exit status": 1 could not
    start, 2 bad arguments or output folder, 3 unhealthy, 75 another run in progress)."""

    def __init__(self, spider: str, status: int, errors: list[str], log: str | None) -> None:
        self.spider = spider
        self.status = status
        #: The crawl's last ERROR lines (its last log lines when it logged no ERROR).
        self.errors = errors
        #: The crawl's log file, when it was kept (``crawl(..., log=PATH)``).
        self.log = log
        why = errors[-1] if errors else "no log line"
        super().__init__(f"scrapy crawl {spider} exited with status {status}: {why}")


class NotAnArticle(Exception):
    """No article can be read from the page; the message says why (one line)."""


class _PageGone(NotAnArticle):
    """The page is gone (HTTP 404 or 410): a split article goes out without it."""


# -- settings -----------------------------------------------------------------------------------


def project_settings() -> Settings:
    """The project's Scrapy settings, from :func:`~newscrawl.project.settings_module`
    (``ValueError`` when that module cannot be imported)."""
    from scrapy.settings import Settings

    settings = Settings()
    name = settings_module()
    try:
        settings.setmodule(name, priority="project")
    except ImportError as error:
        raise ValueError(f"the settings module {name} cannot be imported: {error}") from None
    return settings


def _output_dir(output_dir: str | os.PathLike[str] | None) -> Path:
    """``output_dir``, else the configured ``NEWSCRAWL_OUTPUT_DIR``, resolved."""
    from newscrawl.state import output_dir as configured

    return Path(output_dir).resolve() if output_dir is not None else configured(project_settings())


# -- crawl --------------------------------------------------------------------------------------


def crawl(
    spider: str,
    *,
    state: bool = False,
    output_dir: str | os.PathLike[str] | None = None,
    settings: Mapping[str, object] | None = None,
    log: str | os.PathLike[str] | None = None,
    **args: object,
) -> Iterator[dict[str, Any]]:
    """Run ``scrapy crawl SPIDER -a NAME=VALUE ...`` in a subprocess and yield the items it
    exported, as dicts (the feed's JSON lines), once it has finished.

    ``args`` are the spider arguments (``since="2025-11-20"``, ``channels=[194, 43]``,
    ``start_urls=[...]``): a date is written ISO, a list or tuple comma-separated, a bool as 1/0.
    ``settings`` are Scrapy settings (``-s NAME=VALUE``; a dict as JSON).

    ``state=False`` (the default): the run gets a throwaway output folder, so it remembers
    nothing and is told nothing: every call yields every article its arguments select, the
    project's state, feeds and run lock are untouched (a cron job of the same spider is not
    disturbed), and the folder is removed when the generator is done. That is what a notebook
    expects of a repeated call. ``state=True``: the run is a cron run on the output folder
    (``output_dir``, else the configured ``NEWSCRAWL_OUTPUT_DIR``): it takes the spider's run lock,
    yields only the articles no earlier run exported, and publishes its feed and manifest there.

    The crawl starts when iteration starts (``items = list(newscrawl.crawl(...))``); its log goes
    to ``log`` when given. A status other than 0 raises :class:`CrawlError` with the status and
    the last ERROR lines; Ctrl-C (KeyboardInterrupt) stops the crawl as a SIGINT does.
    """
    if output_dir is not None and not state:
        raise ValueError("output_dir is the output folder of a run with state=True")
    output = Path(output_dir).resolve() if output_dir is not None else None
    return _crawl(spider, args, state, output, settings, Path(log) if log is not None else None)


def _crawl(
    spider: str,
    args: Mapping[str, object],
    state: bool,
    output: Path | None,
    settings: Mapping[str, object] | None,
    log: Path | None,
) -> Iterator[dict[str, Any]]:
    work = scratch.folder("crawl")
    try:
        feed = work / "items.jsonl"
        if not state:
            output = work / "output"
        command = crawl_command(spider, args, feed, output, settings)
        log_path = log if log is not None else work / "crawl.log"
        status = _run(command, log_path)
        if status != 0:
            raise CrawlError(spider, status, _error_lines(log_path), str(log) if log else None)
        if feed.exists():
            with feed.open(encoding="utf-8") as lines:
                for line in lines:
                    if line.strip():
                        yield json.loads(line)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def crawl_command(
    spider: str,
    args: Mapping[str, object],
    feed: Path,
    output: Path | None,
    settings: Mapping[str, object] | None,
) -> list[str]:
    """``python -m newscrawl crawl SPIDER -O FEED -a ... -s ...`` (the output folder as a
    setting when given)."""
    command = [sys.executable, "-m", "newscrawl", "crawl", spider, "-O", str(feed)]
    for name, value in args.items():
        command += ["-a", f"{name}={_argument(value)}"]
    chosen = dict(settings or {})
    if output is not None:
        chosen["NEWSCRAWL_OUTPUT_DIR"] = str(output)
    for name, value in chosen.items():
        command += ["-s", f"{name}={_argument(value)}"]
    return command


def _argument(value: object) -> str:
    """A spider argument or setting as the command line takes it."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(_argument(part) for part in value)
    if isinstance(value, Mapping):  # a dict setting: Scrapy reads JSON
        return json.dumps(dict(value))
    return str(value)


def crawl_environment(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The crawl's environment: the caller's, with the project's settings module when none is
    named, and this newscrawl importable (a checkout that is not installed)."""
    env = dict(environ)
    env[SETTINGS_ENV] = settings_module(environ)
    package_root = str(Path(__file__).resolve().parent.parent)
    if package_root not in _site_packages():
        path = env.get("PYTHONPATH", "")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, path) if p)
    return env


def _site_packages() -> set[str]:
    folders = [*site.getsitepackages(), site.getusersitepackages()]
    return {str(Path(folder).resolve()) for folder in folders}


def _run(command: list[str], log: Path) -> int:
    """Run the crawl, its output to ``log``; an interrupt stops it (one SIGINT, as Ctrl-C
    gives a crawl in a terminal: it stops cleanly; SIGKILL when it has not after
    :data:`STOP_SECONDS`). The crawl has a process group of its own, so a Ctrl-C in the
    terminal reaches it once, from here."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            env=crawl_environment(),
            process_group=0,
        )
        try:
            return process.wait()
        except BaseException:
            process.send_signal(signal.SIGINT)  # a graceful stop: what it finished is published
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            raise


def _error_lines(log: Path) -> list[str]:
    """The log's last ERROR lines, else its last lines."""
    errors: deque[str] = deque(maxlen=ERROR_LINES)
    last: deque[str] = deque(maxlen=ERROR_LINES)
    with log.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            line = line.rstrip()
            if not line:
                continue
            last.append(line)
            if " ERROR: " in line or line.startswith("ERROR"):
                errors.append(line)
    return list(errors or last)


# -- extract ------------------------------------------------------------------------------------


def extract(html: str | bytes, url: str) -> dict[str, Any]:
    """The article item of one page, as a crawl would export it, as a dict (field order of
    the item). ``html`` is the page (text, or bytes whose encoding the page declares); ``url``
    is where it was found: it picks the site module (an article URL of a known site) or the
    generic reader, and is the item's URL.

    Nothing is fetched: a page split over several gives the text of this page only (use
    :func:`extract_url` for the whole text). Promo lines a crawl learned on the site are not
    left out (that knowledge is the crawl's state). Raises :class:`NotAnArticle` when the page
    gives no article a crawl would export (the reason says why: not an article, a required
    field missing, ...), ``ValueError`` for a URL that is not http(s).
    """
    from scrapy.http import HtmlResponse

    _check_url(url)
    if isinstance(html, str):
        response = HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8")
    else:
        response = HtmlResponse(url, body=html)
    return _Reader(project_settings()).item(response)


def extract_url(url: str) -> dict[str, Any]:
    """:func:`extract` of the page at ``url``, fetched as ``newscrawl extract URL`` does: through
    the proxy ``http_proxy``/``https_proxy`` name (as Scrapy), with the project's User-Agent,
    ``DOWNLOAD_TIMEOUT`` and ``DOWNLOAD_MAXSIZE``; a split article's whole text (or its other
    pages) is fetched as a crawl would. robots.txt is not read: this is one page a person asked
    for, as with ``curl`` or ``trafilatura -u``. Network failures and HTTP errors raise
    :class:`NotAnArticle`."""
    _check_url(url)
    reader = _Reader(project_settings())
    site = reader.site_of(url)
    if site is not None and site.urls.is_article(url):
        url = site.urls.canonical(url)  # as a crawl asks for it: no tracking query, no fragment
    return reader.item(reader.fetch(url), fetch=reader.fetch)


def _check_url(url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL")


class _Reader:
    """One page read as a crawl reads an article, outside a crawl: the project's settings, the
    charset repair and the pipelines that work on the item alone, with stats nobody reads."""

    def __init__(self, settings: Settings) -> None:
        from scrapy.statscollectors import StatsCollector

        from newscrawl.sites import DEFAULT_SITE_MODULES, registered

        self.settings = settings
        modules = settings.getlist("NEWSCRAWL_SITE_MODULES") or list(DEFAULT_SITE_MODULES)
        self.sites = registered(modules)
        # what the pipelines and the middleware ask of a crawler: its settings and stats
        crawler = SimpleNamespace(settings=settings, stats=None)
        crawler.stats = StatsCollector(cast("Crawler", crawler))
        self.crawler = cast("Crawler", crawler)

    def site_of(self, url: str) -> Site | None:
        """The known site ``url`` is on (by its domain), if any."""
        from newscrawl.urls import on_domain

        return next((s for s in self.sites.values() if on_domain(url, s.domain)), None)

    def item(
        self, response: HtmlResponse, fetch: Callable[[str], HtmlResponse] | None = None
    ) -> dict[str, Any]:
        from scrapy.exceptions import DropItem

        from newscrawl.items import item_record
        from newscrawl.middlewares import CharsetRepairMiddleware
        from newscrawl.pipelines import BoilerplatePipeline, ValidationPipeline

        repair = CharsetRepairMiddleware(self.crawler)
        fixed = repair.process_response(cast(Any, None), response)
        response = cast("HtmlResponse", fixed)
        site = self.site_of(response.url)
        # what the pipelines ask of the crawl's spider: the generic reader (``news``) writes
        # times as pages give them and may export an undated article; a site module may not
        generic = site is None
        spider = SimpleNamespace(page_times=generic, allows_undated=generic)
        cast(Any, self.crawler).spider = spider
        if site is not None:
            item = self.site_item(site, response, fetch)
        else:
            item = self.generic_item(response, fetch)
        item = BoilerplatePipeline(self.crawler).process_item(item)
        try:
            item = ValidationPipeline(self.crawler).process_item(item)
        except DropItem as error:
            raise NotAnArticle(
                f"no article a crawl would export at {response.url}: {error}"
            ) from None
        return item_record(item)

    def site_item(
        self, site: Site, response: HtmlResponse, fetch: Callable[[str], HtmlResponse] | None
    ) -> ArticleItem:
        """As the site's spider reads an article page (``NewsSpider.parse_article``)."""
        from newscrawl.pages.base import page_in_layout

        urls = site.urls
        if not urls.is_article(response.url):
            raise NotAnArticle(
                f"{response.url} is not an article URL of {site.domain} (site module {site.module})"
            )
        layouts = site.article_layouts
        page = page_in_layout(response, layouts)
        if fetch is not None and page.is_multipage() and urls.page(response.url) != "all":
            response = fetch(urls.whole_text(response.url))
            page = page_in_layout(response, layouts)
        return _checked(response, page)

    def generic_item(
        self, response: HtmlResponse, fetch: Callable[[str], HtmlResponse] | None
    ) -> ArticleItem:
        """As the ``news`` spider reads a page (``parse``, ``parse_article``): an article by its
        markup, or, at a URL shaped like an article's (a start URL the spider reads as given),
        by a body of two sentences (``has_given_body``); its whole text, or its other pages
        joined, when they can be fetched."""
        from newscrawl.discovery import looks_like_article
        from newscrawl.pages.generic import GenericArticlePage, given_article_page

        found: GenericArticlePage | None
        if looks_like_article(response.url):
            found = given_article_page(response)
        else:
            found = GenericArticlePage(response, known_promo=frozenset())
            found = found if found.is_article() else None
        if found is None:
            raise NotAnArticle(f"{response.url} is not an article page (by its markup)")
        page = found
        if fetch is None:
            return _checked(response, page)
        whole = page.whole_text_url()
        if whole is not None:
            response = fetch(whole)
            page = GenericArticlePage(response, known_promo=frozenset())
            if not page.is_article() or page.whole_text_url() is not None:
                raise NotAnArticle(f"the whole text of the article, {whole}, is not readable")
            return _checked(response, page)
        if page.other_pages() and page.is_complete():
            return self.joined(response, fetch)
        return _checked(response, page)

    def joined(self, first: HtmlResponse, fetch: Callable[[str], HtmlResponse]) -> ArticleItem:
        """A split article's pages read in turn and joined (``SplitArticle``), at most
        ``NEWSCRAWL_MAX_ARTICLE_PAGES`` of them; a page that is gone (404, 410) left out, as
        a crawl leaves it out."""
        from newscrawl.pages.reading import read_generic
        from newscrawl.spiders.news import SplitArticle

        def reading(response: HtmlResponse) -> Any:
            return read_generic(response.url, response.body, response.encoding, frozenset())

        split = SplitArticle(first, reading(first))
        cap = self.settings.getint("NEWSCRAWL_MAX_ARTICLE_PAGES", 50)
        while split.pending:
            if split.last_page > cap:
                raise NotAnArticle(
                    f"its pager names page {split.last_page}, "
                    f"past NEWSCRAWL_MAX_ARTICLE_PAGES={cap}"
                )
            number, url = split.pending[0]
            try:
                page = reading(fetch(url))
            except _PageGone:
                split.leave_out(number)
                continue
            if not page.is_complete() or page.item is None or not page.item.body:
                raise NotAnArticle(f"page {number} of the article ({url}) gave no body")
            split.add(number, page)
        return _checked(first, split.joined())

    def fetch(self, url: str) -> HtmlResponse:
        """GET ``url`` (see :func:`extract_url`)."""
        from scrapy.http import HtmlResponse

        from newscrawl.ledger import GONE

        _check_url(url)
        settings = self.settings
        limit = settings.getint("DOWNLOAD_MAXSIZE") or 2**62
        headers = {
            "User-Agent": str(settings.get("USER_AGENT") or "newscrawl"),
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate",
        }
        request = urllib.request.Request(url, headers=headers)
        timeout = settings.getfloat("DOWNLOAD_TIMEOUT", 30)
        # an opener of its own each time: the proxy variables are read now, not at a first fetch
        opener = urllib.request.build_opener(_HttpRedirects)
        try:
            with opener.open(request, timeout=timeout) as answer:
                status, final, received = answer.status, answer.url, answer.headers
                body = answer.read(limit + 1)
        except urllib.error.HTTPError as error:
            detail = _http_error_detail(error)
            gone = error.code in GONE
            refusal = _PageGone if gone else NotAnArticle
            raise refusal(f"{url} answered HTTP {error.code} {error.reason}{detail}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise NotAnArticle(f"{url} could not be fetched: {reason}") from None
        if len(body) > limit:
            raise NotAnArticle(f"{url} is larger than DOWNLOAD_MAXSIZE ({limit} bytes)")
        body = _decoded(body, received.get("Content-Encoding", ""), limit, url)
        headers_out = {"Content-Type": received.get("Content-Type", "text/html")}
        return HtmlResponse(final, status=status, body=body, headers=headers_out)


class _HttpRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects followed to http(s) URLs only (urllib's own also follow ``ftp:``)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        try:
            _check_url(newurl)
        except ValueError:
            raise urllib.error.HTTPError(
                req.full_url, code, f"a redirect to {newurl!r} (not http(s)) refused", headers, fp
            ) from None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _http_error_detail(error: urllib.error.HTTPError) -> str:
    """``: a JavaScript check`` for a bot check (a crawl would use Chromium for it)."""
    from scrapy.http import HtmlResponse

    from newscrawl.browser import is_js_check

    try:
        body = error.read(64_000)
    except OSError:
        return ""
    page = HtmlResponse(error.url or "http://unknown/", status=error.code, body=body)
    if is_js_check(page):
        return ": a JavaScript check (a crawl reads such pages with Chromium, -a browser=)"
    return ""


def _decoded(body: bytes, encoding: str, limit: int, url: str) -> bytes:
    """The body without its Content-Encoding (gzip, deflate), never past ``limit`` bytes."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise NotAnArticle(f"{url} came in an encoding this reader does not know: {encoding}")
    if encoding == "deflate" and not body.startswith(b"\x1f\x8b"):
        wbits = zlib.MAX_WBITS if body[:1] == b"\x78" else -zlib.MAX_WBITS
    else:
        wbits = zlib.MAX_WBITS | 16
    try:
        decompressor = zlib.decompressobj(wbits)
        out = decompressor.decompress(body, limit + 1)
    except zlib.error as error:
        raise NotAnArticle(f"{url} came with a corrupt {encoding} body: {error}") from None
    if len(out) > limit:
        raise NotAnArticle(f"{url} is larger than DOWNLOAD_MAXSIZE ({limit} bytes) unpacked")
    return out


def _checked(response: HtmlResponse, page: ReadPage) -> ArticleItem:
    """The page's item, refused as the spider refuses it (``BaseNewsSpider.article_item``)."""
    from newscrawl.browser import is_challenge, is_js_check

    if not page.is_complete():
        raise NotAnArticle(f"{response.url} is cut short: the document ends before </html>")
    if is_js_check(response) and not page.has_body():
        raise NotAnArticle(f"{response.url} is a JavaScript check, not the article")
    item = page.to_item()
    if not item.body:
        why = "a bot check" if is_challenge(response) else "no article body found"
        raise NotAnArticle(f"{response.url}: {why}")
    return item


# -- dataset ------------------------------------------------------------------------------------


def dataset(output_dir: str | os.PathLike[str] | None = None) -> duckdb.DuckDBPyConnection:
    """The analysts' DuckDB database (``<output>/newscrawl.duckdb``, the view ``articles``),
    opened read-only, its session time zone set to WIB (``SET TimeZone='Asia/Jakarta'``), so
    TIMESTAMPTZ columns show, group and cast to dates as the sites' own clocks do. With pandas,
    ``.df()`` gives ``published_local`` as a naive ``datetime64`` of WIB's wall-clock time (in
    any session), ``published_at`` zone-aware in WIB.

    ``output_dir`` defaults to the configured ``NEWSCRAWL_OUTPUT_DIR``. ``FileNotFoundError``
    when there is no database yet (``make dataset`` builds it). A connection holds a lock that
    keeps ``make dataset`` from writing: close it (``db.close()``, or ``with
    newscrawl.dataset() as db:``) when done.
    """
    import duckdb

    from newscrawl.dataset import DATABASE

    path = _output_dir(output_dir) / DATABASE
    if not path.is_file():
        raise FileNotFoundError(
            f"No dataset at {path}: run `make dataset` (python -m newscrawl.dataset) first"
        )
    database = duckdb.connect(str(path), read_only=True)
    try:
        database.execute(f"SET TimeZone = '{TIME_ZONE}'")
    except BaseException:
        database.close()
        raise
    return database
