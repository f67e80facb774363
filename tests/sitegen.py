"""Sites for tests, built from the reference fixtures: variations of it and larger generated ones.

:class:`SiteBuilder` copies a fixture site (bodies are symlinked, not copied) so a test can
add or rewrite pages; :func:`generate_site` makes a Bisnis-like site of N articles from the
reference templates (same markup, a unique title per article) for kill tests and benchmarks.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.support import FIXTURES

BISNIS = FIXTURES / "bisnis"
HTML = "text/html; charset=UTF-8"
#: The reference article and index page the generated pages are made from.
TEMPLATE_ARTICLE_URL = (
    "https://kabar24.bisnis.com/read/20251120/16/1931001/"
    "bank-indonesia-bakal-menambah-kapasitas-produksi-pada-2026"
)
TEMPLATE_TITLE = "Bank Indonesia Bakal Menambah kapasitas produksi pada 2026"
TEMPLATE_INDEX_URL = "https://www.bisnis.com/index?categoryId=0&type=indeks&date=2025-11-20&page=1"
SECTIONS = (("ekonomi", 47), ("market", 7), ("finansial", 90), ("kabar24", 16), ("teknologi", 84))


class SiteBuilder:
    """A writable copy of a fixture site under ``dst``."""

    def __init__(self, src: Path, dst: Path) -> None:
        self.src = src
        self.dst = dst
        (dst / "site").mkdir(parents=True, exist_ok=True)
        for name in ("js_gate.html", "notes.json", "expected.jsonl"):
            if (src / name).exists():
                shutil.copy(src / name, dst / name)
        self.entries: dict[str, dict[str, Any]] = {}
        for entry in json.loads((src / "manifest.json").read_text("utf-8")):
            link = dst / "site" / entry["file"]
            if not link.exists():
                link.symlink_to((src / "site" / entry["file"]).resolve())
            self.entries[entry["url"]] = dict(entry)
        self._counter = 0
        self._names = {entry["file"] for entry in self.entries.values()}

    def body(self, url: str) -> str:
        return (self.dst / "site" / self.entries[url]["file"]).read_text("utf-8")

    def put(self, url: str, body: str | bytes, status: int = 200, **extra: Any) -> None:
        """Serve ``body`` at ``url`` (a new page, or a replacement of the fixture's)."""
        self._counter += 1
        name = f"gen_{self._counter:06d}.html"
        while name in self._names:  # a body copied from the source site: never write through it
            self._counter += 1
            name = f"gen_{self._counter:06d}.html"
        self._names.add(name)
        data = body.encode("utf-8") if isinstance(body, str) else body
        (self.dst / "site" / name).write_bytes(data)
        entry = {"url": url, "file": name, "status": status, "content_type": HTML}
        entry.update(self.entries.get(url, {}), file=name, status=status)
        entry.update(extra)
        self.entries[url] = entry

    def rewrite(self, select: Callable[[str], bool], change: Callable[[str], str]) -> int:
        """Rewrite the bodies of the pages whose URL ``select`` accepts; how many changed."""
        changed = 0
        for url, entry in list(self.entries.items()):
            if select(url) and entry["content_type"].startswith("text/html"):
                self.put(url, change(self.body(url)), status=entry["status"])
                changed += 1
        return changed

    def save(self) -> Path:
        manifest = list(self.entries.values())
        (self.dst / "manifest.json").write_text(json.dumps(manifest, indent=1), "utf-8")
        return self.dst


@dataclass(frozen=True)
class Generated:
    root: Path
    articles: dict[str, str]  # article id -> URL
    days: tuple[date, ...]


def index_url(day: date, page: int) -> str:
    return (
        f"https://www.bisnis.com/index?categoryId=0&type=indeks&date={day.isoformat()}&page={page}"
    )


def _row(url: str, title: str) -> str:
    return (
        '<div class="artItem"><div class="art--row"><div class="artContent">'
        f'<a href="{url}" class="artLink"><h4 class="artTitle">{title}</h4></a>'
        "</div></div></div>\n"
    )


def _index_page(template: str, rows: list[str], total: int) -> str:
    start = template.index('<div class="list-news indeks-new">')
    start = template.index("\n", start) + 1
    end = template.index('<ol class="pagingList')
    page = template[:start] + "".join(rows) + "</div>\n" + template[end:]
    page = re.sub(r'id="total_page" value="\d+"', f'id="total_page" value="{total}"', page)
    return re.sub(r"dari \d+ halaman", f"dari {total} halaman", page)


def generate_site(
    dst: Path,
    n_articles: int,
    *,
    per_day: int = 100,
    per_page: int = 20,
    first_day: date = date(2025, 1, 1),
    first_id: int = 3_000_000,
    slow: dict[int, float] | None = None,
    latency: float = 0.0,
) -> Generated:
    """A Bisnis-like site of ``n_articles`` (``per_day`` a day, newest first on the index).

    Article pages are the reference article with another URL and title; ``slow`` maps an
    article's position to a delay in seconds before the replay proxy answers it; ``latency``
    delays every answer (robots.txt, index and article pages) that long.
    """
    site = SiteBuilder(BISNIS, dst)
    article_template = site.body(TEMPLATE_ARTICLE_URL)
    index_template = site.body(TEMPLATE_INDEX_URL)
    articles: dict[str, str] = {}
    by_day: dict[date, list[str]] = {}
    for n in range(n_articles):
        article_id = str(first_id + n)
        day = first_day + timedelta(days=n // per_day)
        section, rubric = SECTIONS[n % len(SECTIONS)]
        url = f"https://{section}.bisnis.com/read/{day:%Y%m%d}/{rubric}/{article_id}/berita-uji-{article_id}"
        title = f"Berita Uji Nomor {article_id} Tentang Pasar"
        body = article_template.replace(TEMPLATE_ARTICLE_URL, url).replace(TEMPLATE_TITLE, title)
        extra = {"delay": slow[n]} if slow and n in slow else {}
        site.put(url, body, **extra)
        articles[article_id] = url
        by_day.setdefault(day, []).append(_row(url, title))
    for day, rows in by_day.items():
        rows.reverse()  # newest first
        pages = [rows[i : i + per_page] for i in range(0, len(rows), per_page)]
        for number, page_rows in enumerate(pages, start=1):
            site.put(index_url(day, number), _index_page(index_template, page_rows, len(pages)))
    if latency:
        for entry in site.entries.values():
            entry["delay"] = max(float(entry.get("delay", 0.0)), latency)
    site.save()
    return Generated(dst, articles, tuple(sorted(by_day)))
