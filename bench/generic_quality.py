"""Generic mode's quality against the trafilatura route, on fixture folders (prints figures).

For every expected article of a folder (its whole-text view when the pager links one), it
compares the fields of the generic contract (``tests/fixtures/anysite/README.md``) as read by

- ``newscrawl``: :class:`newscrawl.pages.generic.GenericArticlePage`, then the shared rules;
- ``trafilatura``: ``trafilatura.extract`` for the body (paragraphs split on new lines), and
  JSON-LD / ``og:*`` / ``article:*`` metadata for the other fields (no rule for any site).

and prints fields right (url, site, title, authors, published_at, dateline, tags, image_url),
bodies exactly right, the mean body token F1, and the share of bodies keeping a promo line
(``notes.json`` ``promo_lines``, where the folder lists them).

Usage: python bench/generic_quality.py [tests/fixtures/anysite tests/fixtures/bisnis ...]
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scrapy.http import HtmlResponse  # noqa: E402

from newscrawl.boilerplate import SHARED_RULES, filter_paragraphs  # noqa: E402
from newscrawl.pages.generic import GenericArticlePage, registered_domain  # noqa: E402
from newscrawl.processors import parse_iso_date, to_wib_iso  # noqa: E402

FIELDS = ("url", "site", "title", "authors", "published_at", "dateline", "tags", "image_url")
logger = logging.getLogger("generic_quality")


def ours(folder: Path, manifest: dict[str, Any], url: str) -> dict[str, Any]:
    page = GenericArticlePage(
        HtmlResponse(url, body=_body(folder, manifest, url), encoding="utf-8")
    )
    whole = page.whole_text_url()
    if whole is not None and whole in manifest:
        body = _body(folder, manifest, whole)
        page = GenericArticlePage(HtmlResponse(whole, body=body, encoding="utf-8"))
    item = page.to_item()
    body_text = item.body or ""
    kept = filter_paragraphs(body_text.split("\n\n"), SHARED_RULES).kept if body_text else []
    return {**{name: getattr(item, name) for name in FIELDS}, "body": "\n\n".join(kept)}


def trafilatura_route(folder: Path, manifest: dict[str, Any], url: str) -> dict[str, Any]:
    import trafilatura
    from parsel import Selector

    html = _body(folder, manifest, url).decode("utf-8", "replace")
    selector = Selector(text=html)
    page = GenericArticlePage(HtmlResponse(url, body=html.encode(), encoding="utf-8"))
    whole = page.whole_text_url()
    if whole is not None and whole in manifest:
        html = _body(folder, manifest, whole).decode("utf-8", "replace")
    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=True) or ""
    data = page.json_ld_article or {}
    authors = data.get("author")
    people = authors if isinstance(authors, list) else [authors] if authors else []
    names = [str(p.get("name")) for p in people if isinstance(p, dict) and p.get("name")]
    published = (
        data.get("datePublished")
        or selector.css("meta[property='article:published_time']::attr(content)").get()
    )
    parsed = parse_iso_date(str(published)) if published else None
    canonical = selector.css("link[rel=canonical]::attr(href)").get() or url
    return {
        "url": canonical,
        "site": registered_domain(canonical),
        "title": data.get("headline")
        or selector.css("meta[property='og:title']::attr(content)").get(),
        "authors": names,
        "published_at": to_wib_iso(parsed) if parsed else None,
        "dateline": None,
        "tags": [],
        "image_url": selector.css("meta[property='og:image']::attr(content)").get(),
        "body": "\n\n".join(line for line in text.split("\n") if line.strip()),
    }


def _body(folder: Path, manifest: dict[str, Any], url: str) -> bytes:
    return (folder / "site" / manifest[url]["file"]).read_bytes()


def f1(got: str, want: str) -> float:
    a, b = Counter(got.split()), Counter(want.split())
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def score(folder: Path) -> dict[str, dict[str, float]]:
    manifest = {e["url"]: e for e in json.loads((folder / "manifest.json").read_text("utf-8"))}
    lines = (folder / "expected.jsonl").read_text("utf-8").splitlines()
    expected = [json.loads(line) for line in lines if line.strip()]
    notes = json.loads((folder / "notes.json").read_text("utf-8"))
    promos = [line for lines in notes.get("promo_lines", {}).values() for line in lines]
    results = {}
    for name, read in (("newscrawl", ours), ("trafilatura route", trafilatura_route)):
        right = exact = promo = 0
        scores = []
        for want in expected:
            got = read(folder, manifest, want["url"])
            right += sum(got[field] == want[field] for field in FIELDS)
            body = got["body"] or ""
            exact += body == (want["body"] or "")
            scores.append(f1(body, want["body"] or ""))
            promo += any(line in body for line in promos)
        n = len(expected)
        results[name] = {
            "fields right %": 100 * right / (n * len(FIELDS)),
            "bodies exact %": 100 * exact / n,
            "body token F1": sum(scores) / n,
            "promo left %": 100 * promo / n,
            "articles": n,
        }
    return results


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    folders = [Path(arg) for arg in sys.argv[1:]] or [
        ROOT / "tests" / "fixtures" / name for name in ("anysite", "bisnis", "kompas")
    ]
    rows = ["| folder | reader | articles | fields right % | bodies exact % | body token F1 | "
            "promo left % |", "|---|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for folder in folders:
        for reader, figures in score(folder).items():
            rows.append(
                f"| {folder.name} | {reader} | {figures['articles']:.0f} | "
                f"{figures['fields right %']:.1f} | {figures['bodies exact %']:.1f} | "
                f"{figures['body token F1']:.3f} | {figures['promo left %']:.1f} |"
            )
    sys.stdout.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
