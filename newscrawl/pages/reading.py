"""Reading article pages in a worker process, so the crawl's own process keeps to the network.

Scrapy runs in one process on one core: every millisecond a callback spends parsing HTML is
a millisecond no response is received. The generic page (:class:`GenericArticlePage`) costs
~3 ms an article, most of a crawl's time, a site's page objects ~1 ms; :class:`PageReaders`
hands them to worker processes (``NEWSCRAWL_READ_WORKERS``; ``auto``: two when the machine
has a second core, for ``crawl news``, started as the spider opens; for a site's spider,
whose cheaper pages gain from a worker only in a long crawl, and an archive run
(:mod:`newscrawl.archive_route`), one once ``NEWSCRAWL_READ_WORKER_AFTER`` pages were read
in the crawl's process: docs/benchmarks.md) and the spider awaits a :class:`Reading`: what
it and the ledger use of the page, made in the worker (:func:`read_generic` for ``crawl
news``, :func:`read_site` for a site's spider: the same page objects, in a worker or not).
A page reads the same in a worker as in the crawl's process (the tests compare both); with
no worker it is read in the crawl's process. Pages read in a worker are counted
(``newscrawl/reading/in_worker``).

Workers are forked from a fork server (:func:`worker_context`: never a fork of a process
running a reactor), run a little
nicer than the crawl's process for ``crawl news`` (it goes first where they contend for a
core), ignore Ctrl-C
(the crawl stops them at its end) and leave when the crawl's process is gone, even killed.
A worker lost mid-run (killed, out of memory) is logged and counted
(``newscrawl/reading/worker_lost``); the run reads the rest of its pages in its own process.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing
import multiprocessing.util
import os
import pickle
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import process as futures_process
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, TypeVar

from scrapy.http import HtmlResponse, TextResponse
from scrapy.settings import BaseSettings

from newscrawl import scratch
from newscrawl.items import ArticleItem
from newscrawl.pages.base import ArticlePage, page_in_layout

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: How often a worker looks whether the crawl's process is still there (seconds).
PARENT_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class Reading:
    """A page as read (see :func:`read_generic`, :func:`read_site`): picklable, so a worker
    can send it."""

    layout: str
    article: bool
    whole_text: str | None = None
    complete: bool = True
    body: bool = False
    item: ArticleItem | None = None
    noted: tuple[str, ...] = ()
    learned: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()
    #: The pager's links to the article's other pages, with their numbers (no whole text).
    pages: tuple[tuple[int, str], ...] = ()
    #: A site's page whose pager links another page of the article (no item read).
    multipage: bool = False

    def is_multipage(self) -> bool:
        return self.multipage

    def is_article(self) -> bool:
        return self.article

    def whole_text_url(self) -> str | None:
        return self.whole_text

    def is_complete(self) -> bool:
        return self.complete

    def has_body(self) -> bool:
        return self.body

    def to_item(self) -> ArticleItem:
        if self.item is None:
            raise ValueError("this page gave no item (not an article, or cut short)")
        return self.item

    def notes(self) -> list[str]:
        return list(self.noted)

    def learned_lines(self) -> list[str]:
        return list(self.learned)

    def promo_candidates(self) -> list[str]:
        return list(self.candidates)

    def other_pages(self) -> list[tuple[int, str]]:
        return list(self.pages)


def read_generic(
    url: str,
    body: bytes,
    encoding: str,
    known_promo: Collection[str],
    as_article: bool = False,
) -> Reading:
    """What the news spider asks of a page, in the order it asks: is it an article, does its
    pager link the whole text, is it complete; then its item, what reading it noticed and
    its promo-shaped lines (``known_promo``: the site's promo lines learned so far). With
    ``as_article`` (a page the user gave as an article), a page with a body of two sentences
    is read as an article even when neither its markup nor its text says it is one
    (:meth:`~newscrawl.pages.generic.GenericArticlePage.has_given_body`), read again for a
    paragraph alone when it gives no body (:func:`~newscrawl.pages.generic.given_article_page`)."""
    response = HtmlResponse(url, body=body, encoding=encoding)
    # imported here: a worker reading a site's pages (an archive run) starts ~0.1 s sooner
    from newscrawl.pages.generic import GenericArticlePage, given_article_page

    if as_article:
        given = given_article_page(response, known_promo)
        if given is None:
            return Reading(GenericArticlePage.layout, article=False)
        page = given
    else:
        page = GenericArticlePage(response, known_promo=known_promo)
        if not page.is_article():
            return Reading(page.layout, article=False)
    whole = page.whole_text_url()
    if whole is not None:
        return Reading(page.layout, article=True, whole_text=whole)
    if not page.is_complete():
        return Reading(page.layout, article=True, complete=False, body=page.has_body())
    item = page.to_item()
    return Reading(
        page.layout,
        article=True,
        body=page.has_body(),
        item=item,
        noted=tuple(page.notes()),
        learned=tuple(page.learned_lines()),
        candidates=tuple(page.promo_candidates()),
        pages=tuple(page.other_pages()),
    )


def read_site(
    response: TextResponse,
    layouts: Sequence[type[ArticlePage]],
    follow_pager: bool,
    whole: bool,
) -> Reading:
    """What a site's spider asks of an article page, in the order it asks: its layout (the
    first of ``layouts`` that claims it, else the last), whether its pager links another page
    of the article (asked when ``follow_pager``: then nothing more is read); whether it is
    complete, has a body, and its item and notes. A page that ends before ``</html>`` gives
    its item only when the spider takes it as ``whole``
    (:meth:`~newscrawl.spiders.common.BaseNewsSpider.taken_as_whole`)."""
    page = page_in_layout(response, layouts)
    if follow_pager and page.is_multipage():
        return Reading(page.layout, article=True, multipage=True)
    complete = page.is_complete()
    if not complete and not whole:
        return Reading(page.layout, article=True, complete=False)
    return Reading(
        page.layout,
        article=True,
        complete=complete,
        body=page.has_body(),
        item=page.to_item(),
        noted=tuple(page.notes()),
    )


def read_site_sent(
    kind: type[TextResponse],
    url: str,
    body: bytes,
    encoding: str,
    layouts: Sequence[type[ArticlePage]],
    follow_pager: bool,
    whole: bool,
) -> Reading:
    """:func:`read_site` in a worker, of the response sent as its class, URL, body and
    encoding (the page objects read no more of a response)."""
    response = kind(url, body=body, encoding=encoding)
    return read_site(response, layouts, follow_pager, whole)


#: A page to read in a batch (:func:`read_site_batch`): the response's URL, status, headers
#: and body, and whether its pager is followed.
SitePage = tuple[str, int, dict[str, Any], bytes, bool]


def read_site_batch(
    kind: type[TextResponse],
    pages: Sequence[SitePage],
    layouts: Sequence[type[ArticlePage]],
    whole: bool,
) -> list[Reading | Exception]:
    """:func:`read_site` of each of ``pages``, a response of class ``kind`` made of its URL,
    status, headers and body (as the crawl's process makes it: the same encoding is found);
    the error a page raised in its place (one bad page spoils no other). Sent to a worker as
    one task: a task a page cost the crawl's process some 0.2 ms of pickling and waking."""
    readings: list[Reading | Exception] = []
    for url, status, headers, body, follow_pager in pages:
        try:
            response = kind(url, status=status, headers=headers, body=body)
            readings.append(read_site(response, layouts, follow_pager, whole))
        except Exception as error:
            readings.append(_sendable(error))
    return readings


#: A page of a batch whose bodies are spooled (:func:`read_spooled_batch`): a :data:`SitePage`
#: with its body's length in place of its body.
SpooledPage = tuple[str, int, dict[str, Any], int, bool]
#: Where a batch's bodies are written for a worker (tmpfs, memory, where there is one; else
#: the temporary folder): a page's body sent through the worker's pipe cost the worker some
#: 0.2 ms a page more than read from a file (pickled, a pipe's 64 KB at a time, unpickled).
SPOOL_DIR = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


#: The kind of a spooled file's name (:mod:`newscrawl.scratch`): ``newscrawl-pages-<pid>-``.
SPOOL_KIND = "pages"


def _spool_folder() -> Path:
    """Where :func:`spool` writes (``mkstemp``'s folder: :data:`SPOOL_DIR`, else the
    temporary folder)."""
    return Path(SPOOL_DIR or tempfile.gettempdir())


def _spool_prefix(pid: int) -> str:
    return f"{scratch.PREFIX}{SPOOL_KIND}-{pid}-"


def spool(bodies: Sequence[bytes]) -> str:
    """``bodies`` written one after the other to a new file (only this user may read it);
    its path."""
    fd, path = tempfile.mkstemp(prefix=_spool_prefix(os.getpid()), dir=SPOOL_DIR)
    try:
        with os.fdopen(fd, "wb") as handle:
            for body in bodies:
                handle.write(body)
    except BaseException:  # no room left there, say: no file half written left behind
        with suppress(OSError):
            os.unlink(path)
        raise
    return path


def unspool(path: str, pieces: Sequence[tuple[str, int]]) -> list[bytes]:
    """The bodies :func:`spool` wrote to the file ``path``, one after the other, of the pages
    ``pieces`` names (URL, length); :class:`OSError` for a file cut short or holding more. The
    file is removed once read."""
    bodies = []
    try:
        with open(path, "rb") as handle:
            for url, length in pieces:
                body = handle.read(length)
                if len(body) != length:
                    raise OSError(f"{path} ends before the body of {url}")
                bodies.append(body)
            if handle.read(1):
                raise OSError(f"{path} holds more than the bodies of {len(pieces)} page(s)")
    finally:
        with suppress(FileNotFoundError):
            os.unlink(path)
    return bodies


def read_spooled_batch(
    kind: type[TextResponse],
    path: str,
    pages: Sequence[SpooledPage],
    layouts: Sequence[type[ArticlePage]],
    whole: bool,
) -> list[Reading | Exception]:
    """:func:`read_site_batch` of ``pages`` whose bodies are in the file ``path``
    (:func:`spool`), one after the other, each of the length its page names; the file is
    removed once read."""
    bodies = unspool(path, [(url, length) for url, _, _, length, _ in pages])
    full: list[SitePage] = [
        (url, status, headers, body, follow_pager)
        for (url, status, headers, _, follow_pager), body in zip(pages, bodies, strict=True)
    ]
    return read_site_batch(kind, full, layouts, whole)


def read_spooled_generic(
    url: str,
    path: str,
    length: int,
    encoding: str,
    known_promo: Collection[str],
    as_article: bool,
) -> Reading:
    """:func:`read_generic` of the page whose body is the file ``path`` (:func:`spool`, of
    ``length`` bytes); the file is removed once read."""
    (body,) = unspool(path, [(url, length)])
    return read_generic(url, body, encoding, known_promo, as_article)


def _sendable(error: Exception) -> Exception:
    """``error``, or when it cannot be pickled (sent back from a worker) a RuntimeError that
    names it."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def remove_spooled(pid: int) -> None:
    """The files of bodies process ``pid`` spooled (:func:`spool`) and no worker read: a
    crawl killed leaves them (in memory, on tmpfs) until its worker leaves."""
    for path in _spool_folder().glob(f"{_spool_prefix(pid)}*"):
        with suppress(OSError):
            path.unlink()


def remove_stale_spools(folder: Path | None = None) -> int:
    """The spooled bodies (:func:`spool`) left by crawls that are gone, with their workers
    (a process group killed at once: neither removed them), in ``folder`` (the spool's):
    this user's files only, whose process is gone (:func:`newscrawl.scratch.left_behind`, as
    :func:`newscrawl.scratch.sweep` finds folders); how many were removed. A crawl sweeps
    them when it first spools."""
    folder = _spool_folder() if folder is None else folder
    removed = 0
    for entry in scratch.left_behind(SPOOL_KIND, folder, folders=False):
        with suppress(OSError):
            os.unlink(entry.path)
            removed += 1
    if removed:
        logger.info("Removed %d file(s) of page bodies left in %s by killed runs", removed, folder)
    return removed


def _import_modules(modules: Sequence[str], hold: float = 0.0) -> None:
    """In a worker: import ``modules`` (:meth:`PageReaders.start_now`), then hold the worker
    ``hold`` seconds (:data:`START_HOLD`)."""
    for name in modules:
        importlib.import_module(name)
    time.sleep(hold)


def _stat(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command's name (state first); none where
    there is no ``/proc``."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def started_at(pid: int, fields: list[str] | None = None) -> str | None:
    """When process ``pid`` started (clock ticks after boot; from its ``/proc`` ``fields``
    when they were read already), None where ``/proc`` says not."""
    fields = _stat(pid) if fields is None else fields
    return fields[19] if len(fields) > 19 else None


def running(pid: int, started: str | None = None) -> bool:
    """Whether process ``pid`` runs: it is there (``kill`` 0), not a zombie (a killed crawl
    not reaped yet) and, given when it ``started`` (:func:`started_at`), the same process,
    not another given its number since. A worker's parent is the fork server, whose life says
    nothing of the crawl's: it lives while its workers do."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # there, another user's: another process, or no /proc to tell
        return started is None or started_at(pid) == started
    fields = _stat(pid)
    if not fields:
        return True  # no /proc: there
    return fields[0] != "Z" and (started is None or started_at(pid, fields) == started)


#: The third-party modules a worker's reading imports (~0.4 s of a core), imported once by the
#: workers' fork server (:func:`worker_context`). Not newscrawl's own (~0.08 s, imported by each
#: worker): on Python 3.11 the server imports from its working folder, not from the crawl's
#: path (CPython gh-117378), where another copy of newscrawl, or none, may be.
SERVER_PRELOAD = ("scrapy.http", "itemloaders", "parsel", "lxml.html", "tldextract", "w3lib.html")
#: How long a worker's first task holds it (seconds): long enough that the next worker's start
#: finds it busy and forks another (:meth:`PageReaders.start_now`).
START_HOLD = 0.2


def worker_context() -> BaseContext:
    """How workers start: forked from multiprocessing's fork server, a fresh process (no
    reactor, no thread) that imported :data:`SERVER_PRELOAD` once, so a second worker costs
    a fork, not another Python's start and imports (~0.45 s of a core each); where the
    platform has no fork server, ``spawn``. The server is the crawl's process's own, started
    with its first workers; it lives until the crawl's process and the workers are gone (the
    workers hold its pipe; each leaves with the crawl: :func:`running`)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(SERVER_PRELOAD))
    own_temp_folder()
    return context


#: What a WARNING says of a worker lost as it read.
LOST = "A page-reading worker was lost (killed, or out of memory)"
#: The kind of the scratch folder (:mod:`newscrawl.scratch`) holding multiprocessing's
#: temporary folder: ``newscrawl-forkserver-<pid>-``.
FORKSERVER_KIND = "forkserver"
#: The longest path of a Unix socket, in bytes (Linux's 108, less the closing NUL; the BSDs'
#: and macOS's 104), and what the fork server's listener adds to its folder's ("/listener-"
#: and 8 random characters).
SOCKET_PATH_BYTES = 107 if sys.platform.startswith("linux") else 103
LISTENER_BYTES = 18
_OWN_TEMP_LOCK = threading.Lock()


def own_temp_folder() -> None:
    """multiprocessing's temporary folder of this process (where the fork server listens) is a
    scratch folder named for the crawl (``newscrawl-forkserver-<pid>-``,
    :func:`newscrawl.scratch.folder`), made before the fork server starts: removed as the
    crawl's process leaves, as multiprocessing removes its own ``pymp-...``; a crawl killed
    with SIGKILL leaves it, and the next run that starts workers removes it (a ``pymp-``
    folder would stay in the temporary folder for good, one each killed run). Once a
    process (once multiprocessing knows a folder, it is kept); left to multiprocessing where
    it keeps it elsewhere, or where the listener's path would be too long for a Unix socket
    (a long ``TMPDIR``: multiprocessing's own is made then)."""
    with _OWN_TEMP_LOCK:
        config = getattr(multiprocessing.current_process(), "_config", None)
        if not isinstance(config, dict) or config.get("tempdir") is not None:
            return
        holder = scratch.folder(FORKSERVER_KIND)
        if len(os.fsencode(holder)) + LISTENER_BYTES > SOCKET_PATH_BYTES:
            shutil.rmtree(holder, ignore_errors=True)
            multiprocessing.util.get_temp_dir()  # multiprocessing's own, known from now on
            return
        config["tempdir"] = str(holder)
        # as multiprocessing.util.get_temp_dir registers the removal of its own
        multiprocessing.util.Finalize(
            None, shutil.rmtree, args=(str(holder),), kwargs={"ignore_errors": True},
            exitpriority=-100,
        )  # fmt: skip


def _worker_started(parent: int, niceness: int) -> None:
    """In a worker: ``niceness`` more than the crawl's process (:data:`WORKER_NICENESS`);
    Ctrl-C is the crawl's to handle; leave when the crawl's process is gone (a killed parent
    closes no pipe the worker would notice), removing the bodies it spooled for no one."""
    if niceness:
        os.nice(niceness)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    born = started_at(parent)

    def watch() -> None:
        while running(parent, born):
            time.sleep(PARENT_CHECK_SECONDS)
        remove_spooled(parent)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


#: How much nicer than the crawl's process the workers of ``crawl news`` run (``nice``): where
#: they contend for a core, the crawl's process, which keeps the network busy, goes first and
#: the workers take the rest (two workers at the crawl's own priority were no faster than
#: one; at +5, 10 % faster). A site's spider and an archive run keep their one worker at the
#: crawl's priority: there it reads most pages, and niced it made the run slower
#: (docs/benchmarks.md).
WORKER_NICENESS = 5

#: The tasks (pages, batches) sent ahead into the workers' queue, besides one a worker:
#: ProcessPoolExecutor's default sends one, so a worker done with a page waited for the crawl's
#: process's threads (which run between its callbacks) to send the next; with 16, `crawl news`
#: took 4 % less time (4 of 4 interleaved rounds: docs/benchmarks.md). Tasks are small: the
#: bodies go in files (:func:`spool`).
QUEUED_AHEAD = 16
_QUEUE_SIZE_LOCK = threading.Lock()

#: The workers ``auto`` gives a spider whose pages pay for them (``crawl news``) on a machine
#: with more than one core: two, so the reading also takes the crawl's process's core while it
#: waits on the network (one worker kept both cores ~75 % busy: docs/benchmarks.md), at a
#: lower priority than the crawl's process (:data:`WORKER_NICENESS`).
PAYING_WORKERS = 2


def worker_count(settings: BaseSettings, auto: int = 1) -> int:
    """``NEWSCRAWL_READ_WORKERS``: a number, or ``auto``: ``auto`` workers when the machine
    has more than one core, else none (``crawl news``: :data:`PAYING_WORKERS`; a site's spider
    and an archive run: one, once its pages pay for it; docs/benchmarks.md)."""
    value = str(settings.get("NEWSCRAWL_READ_WORKERS", "auto")).strip().lower()
    if value == "auto":
        return auto if (os.cpu_count() or 1) > 1 else 0
    try:
        workers = int(value)
    except ValueError:
        raise ValueError(f"NEWSCRAWL_READ_WORKERS={value!r} is not a number or 'auto'") from None
    if workers < 0:
        raise ValueError(f"NEWSCRAWL_READ_WORKERS={workers} is below 0")
    return workers


def readers_for(
    settings: BaseSettings, pays: bool, count: Callable[[str], None] = lambda name: None
) -> PageReaders:
    """A spider's readers: :func:`worker_count` workers (``pays``: its ``auto`` gives
    :data:`PAYING_WORKERS`, run :data:`WORKER_NICENESS` nicer), and where ``auto`` gives none,
    one worker (on a machine with a second core) once ``NEWSCRAWL_READ_WORKER_AFTER`` pages
    were read in the crawl's process."""
    workers = worker_count(settings, auto=PAYING_WORKERS if pays else 0)
    auto = str(settings.get("NEWSCRAWL_READ_WORKERS", "auto")).strip().lower() == "auto"
    return PageReaders(
        workers,
        count,
        later=worker_count(settings) if auto and not workers else 0,
        after=settings.getint("NEWSCRAWL_READ_WORKER_AFTER", 200),
        niceness=WORKER_NICENESS if pays else 0,
    )


class PageReaders:
    """Worker processes reading pages (see the module docstring)."""

    def __init__(
        self,
        workers: int,
        count: Callable[[str], None] = lambda name: None,
        *,
        later: int = 0,
        after: int = 0,
        niceness: int = 0,
    ) -> None:
        """``count``: counts an event (a stat name under ``newscrawl/``). ``later`` workers
        are started once ``after`` site pages were read in the crawl's process (``auto`` for
        a site's spider: a crawl short enough never pays for a worker's start). The workers
        run ``niceness`` nicer than the crawl's process."""
        self.workers = workers
        self.count = count
        self.niceness = niceness
        self._pool: ProcessPoolExecutor | None = None
        self._later = later if workers == 0 else 0
        self._after = after
        self._read_here = 0
        #: What a worker imports as it starts (:meth:`start_now`).
        self._modules: tuple[str, ...] = ()
        #: The files of batches' bodies (:func:`spool`) not read and removed yet.
        self._spooled: set[str] = set()
        #: The tasks sent to the workers and not done (cancelled when the crawl closes).
        self._tasks: set[Future[Any]] = set()
        self._swept = False
        #: The workers' start, in a thread (:meth:`start_now`): done once they are up.
        self._started: Future[None] | None = None
        self._closed = False
        self._lock = threading.Lock()

    def read_here(self) -> None:
        """A site page was read in the crawl's process: the ``later`` workers start after
        ``after`` of them (once: workers lost are not started again)."""
        self._read_here += 1
        if self._later and self._read_here >= self._after:
            self.workers, self._later = self._later, 0
            logger.info(
                "Reading the next article pages in %d worker process(es) (%d read here)",
                self.workers,
                self._read_here,
            )

    def start_now(self, modules: Sequence[str] = ()) -> None:
        """Start the workers now, if there are any, each importing ``modules`` (what its
        reading needs): while the crawl's process starts, not on the first page. They start
        in a thread: a worker's start waits for its fork server's imports (~0.4 s), which the
        reactor's thread never waits for (pages sent meanwhile wait for the workers, as the
        reactor goes on: :meth:`_in_worker`)."""
        self._modules = tuple(modules)
        if self.workers and self._started is None:
            self._started = Future()
            threading.Thread(
                target=self._start, args=(self.workers, self._started), name="reading-start",
                daemon=True,
            ).start()  # fmt: skip

    def _start(self, count: int, started: Future[None]) -> None:
        """In a thread: ``count`` workers started, each with a first task that imports the
        reading's modules and holds it :data:`START_HOLD` (so the next start finds it busy
        and forks another); then pages go to them. A worker lost as it starts, or the crawl
        closing meanwhile, leaves it to the reading (:meth:`_in_worker`)."""
        try:
            pool = self._executor()
            starts = [pool.submit(_import_modules, self._modules, START_HOLD) for _ in range(count)]
            for start in starts:
                start.result()
        except (Exception, CancelledError):
            logger.debug("The page-reading workers' start ended early", exc_info=True)
        finally:
            started.set_result(None)

    def start_later(self) -> None:
        """The ``later`` workers start now (a big archive: they pay whatever it holds)."""
        if self._later:
            self.workers, self._later = self._later, 0
            logger.info("Reading article pages in %d worker process(es)", self.workers)

    async def read(
        self, response: TextResponse, known_promo: Collection[str], as_article: bool = False
    ) -> Reading:
        """The page of ``response`` read, in a worker when there is one (``as_article``: see
        :func:`read_generic`), its body sent in a file (:func:`spool`) as a batch's are: through
        the worker's pipe a 100 KB body also waited on the crawl's process's threads."""
        args = (
            response.url,
            response.body,
            response.encoding,
            frozenset(known_promo),
            as_article,
        )
        if self.workers == 0:
            return read_generic(*args)
        url, body, *rest = args
        return await self._read_spooled(
            [body],
            lambda path: (read_spooled_generic, (url, path, len(body), *rest)),
            read_generic,
            args,
        )

    async def read_site(
        self,
        response: TextResponse,
        layouts: Sequence[type[ArticlePage]],
        follow_pager: bool,
        whole: bool,
    ) -> Reading:
        """A site's article page read by its page objects (:func:`read_site`), in a worker
        when there is one."""
        if self.workers == 0:
            self.read_here()
            return read_site(response, layouts, follow_pager, whole)
        sent = (type(response), response.url, response.body, response.encoding)
        return await self._in_worker(read_site_sent, (*sent, tuple(layouts), follow_pager, whole))

    async def read_site_batch(
        self,
        kind: type[TextResponse],
        pages: Sequence[SitePage],
        layouts: Sequence[type[ArticlePage]],
        whole: bool,
    ) -> list[Reading | Exception]:
        """:func:`read_site_batch`: many pages sent to a worker at once, when there is one,
        their bodies in a file (:func:`spool`, :func:`read_spooled_batch`), not the pipe."""
        args = (kind, list(pages), tuple(layouts), whole)
        if self.workers == 0:
            return read_site_batch(*args)
        spooled = [
            (url, status, headers, len(body), follow)
            for url, status, headers, body, follow in pages
        ]
        return await self._read_spooled(
            [page[3] for page in pages],
            lambda path: (read_spooled_batch, (kind, path, spooled, tuple(layouts), whole)),
            read_site_batch,
            args,
            len(pages),
        )

    async def _read_spooled(
        self,
        bodies: Sequence[bytes],
        spooled: Callable[[str], tuple[Callable[..., T], tuple[Any, ...]]],
        read: Callable[..., T],
        args: tuple[Any, ...],
        pages: int = 1,
    ) -> T:
        """A reading in a worker, ``bodies`` written to a file (:func:`spool`) whose path
        ``spooled`` makes the reading and its arguments of; ``read(*args)`` is the same reading
        with the bodies in its arguments: through the worker's pipe when they cannot be
        written there (no room), in the crawl's process once the workers are lost."""
        if not self._swept:
            self._swept = True
            remove_stale_spools()
        try:
            path = spool(bodies)
        except OSError:  # no room for them there (a container's small /dev/shm): the pipe
            return await self._in_worker(read, args, pages)
        self._spooled.add(path)
        try:
            task, task_args = spooled(path)
            return await self._in_worker(task, task_args, pages, here=lambda: read(*args))
        finally:
            self._spooled.discard(path)
            with suppress(FileNotFoundError):
                os.unlink(path)  # a worker lost before it read it

    async def _in_worker(
        self,
        read: Callable[..., T],
        args: tuple[Any, ...],
        pages: int = 1,
        here: Callable[[], T] | None = None,
    ) -> T:
        """``read(*args)`` in a worker, counted as ``pages`` pages read there; in the crawl's
        process once the workers are lost (``here()`` when given, else ``read(*args)``)."""
        if self._started is None:  # Scrapy's tools start none as the spider opens
            self.start_now(self._modules)
        if self._started is not None:
            await asyncio.wrap_future(self._started)  # the reactor goes on meanwhile
        if self._closed:  # the crawl closed while the page waited for the workers' start
            raise asyncio.CancelledError
        instead = (read, args, here)
        try:
            task = self._executor().submit(read, *args)  # raises once the pool is broken
        except BrokenProcessPool:
            return self._read_instead(LOST, *instead)
        except OSError as error:  # the workers could not start (a socket path too long, say)
            return self._read_instead(
                f"The page-reading workers could not start ({error})", *instead
            )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        try:
            reading = await asyncio.wrap_future(task)
        except BrokenProcessPool:
            return self._read_instead(LOST, *instead)
        for _ in range(pages):
            self.count("reading/in_worker")
        return reading

    def _read_instead(
        self,
        what: str,
        read: Callable[..., T],
        args: tuple[Any, ...],
        here: Callable[[], T] | None,
    ) -> T:
        """The workers are lost (``what``): counted once (``reading/worker_lost``) and said
        with a WARNING; this page and the rest of the run's are read in the crawl's own
        process (``here()`` when given, else ``read(*args)``)."""
        if self.workers:
            self.count("reading/worker_lost")
            logger.warning(
                "%s: the rest of the run reads its pages in the crawl's own process", what
            )
        self.workers = 0
        return here() if here is not None else read(*args)

    def _executor(self) -> ProcessPoolExecutor:
        """The workers' pool, made once (by whichever thread asks first); none once the crawl
        closed (:class:`BrokenProcessPool`, as for workers lost)."""
        with self._lock:
            if self._closed:
                raise BrokenProcessPool("the crawl closed its page-reading workers")
            return self._make_pool()

    def _make_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # The tasks sent ahead to the workers: ProcessPoolExecutor has no argument for it and
            # reads this module constant once, as it is made (its default sends one: see
            # QUEUED_AHEAD). It is set for that moment only, under a lock (an executor made
            # meanwhile in another thread would take it too); the test pins the queue's size.
            with _QUEUE_SIZE_LOCK:
                default = futures_process.EXTRA_QUEUED_CALLS
                setattr(futures_process, "EXTRA_QUEUED_CALLS", QUEUED_AHEAD)  # noqa: B010 - Final
                try:
                    self._pool = ProcessPoolExecutor(
                        self.workers,
                        mp_context=worker_context(),
                        initializer=_worker_started,
                        initargs=(os.getpid(), self.niceness),
                    )
                finally:
                    setattr(futures_process, "EXTRA_QUEUED_CALLS", default)  # noqa: B010
        return self._pool

    def close(self) -> None:
        """Stop the workers (the crawl is over): the pages waiting for one are cancelled, and
        the files of the bodies not read yet removed (a page already sent ahead to a worker
        then fails there: its file is gone)."""
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        for path in self._spooled:
            with suppress(FileNotFoundError):
                os.unlink(path)
        self._spooled.clear()
