"""Builds ``tests/fixtures/realworld/`` (the real-web corpus) from its public sources, once.

Not run by the bench or the tests (they read only the copy in the project). Run it again only
to rebuild the copy::

    python bench/realworld_corpus.py --shared ../shared/realworld-dev \
        --trafilatura /path/to/adbar/trafilatura.git --htmldate /path/to/adbar/htmldate.git

- ``fundus/`` and ``readability/``: copied file by file from the development corpus (pages
  stay gzipped as they are; licences beside them). Fundus test pages not in that corpus are
  held out and never copied.
- ``htmldate/``: ``HTMLDATE_SAMPLE`` of the 200 news pages of htmldate's
  ``tests/eval_mediacloud_2020.json`` (MediaCloud, worldwide news, evenly spaced by URL, each
  with its expected publication day), gzipped, and its licence.
- ``trafilatura/``: an evenly spaced sample of ``TRAFILATURA_SAMPLE`` pages of trafilatura's
  ``tests/evaldata.json`` (snippets the text must and must not hold), gzipped, and its licence.
  Pages named by a 32-hex-digit hash are never taken (their origin is not documented; the
  held-out ScrapingHub/Zyte benchmark names its pages that way).
- ``fundus-languages.json``: the language of each fundus page's expected text (py3langid on
  the expected body, needed at build time only), for the language field.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "realworld"
TRAFILATURA_SAMPLE = 150
HTMLDATE_SAMPLE = 150
HEX_NAME = re.compile(r"[0-9a-f]{32}\.html")


def git_show(repo: Path, path: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"HEAD:{path}"], check=True, capture_output=True
    ).stdout


def git_files(repo: Path, folder: str) -> set[str]:
    out = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "-z", "--name-only", "HEAD", folder],
        check=True,
        capture_output=True,
    ).stdout
    return {name.decode("utf-8") for name in out.split(b"\0") if name}


def git_head(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


def copy_shared(shared: Path) -> None:
    for name in ("fundus", "readability"):
        target = OUT / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(shared / name, target)


def copy_htmldate(repo: Path) -> None:
    target = OUT / "htmldate"
    if target.exists():
        shutil.rmtree(target)
    (target / "pages").mkdir(parents=True)
    (target / "LICENSE").write_bytes(git_show(repo, "LICENSE"))
    wanted = json.loads(git_show(repo, "tests/eval_mediacloud_2020.json"))
    urls = sorted(wanted)
    step = len(urls) / HTMLDATE_SAMPLE
    dates: dict[str, dict[str, str]] = {}
    for url in (urls[int(i * step)] for i in range(HTMLDATE_SAMPLE)):
        entry = wanted[url]
        name = f"{entry['file']}.gz"
        data = git_show(repo, f"tests/test_set/{entry['file']}")
        (target / "pages" / name).write_bytes(gzip.compress(data, 9, mtime=0))
        dates[url] = {"file": name, "date": entry["date"]}
    (target / "dates.json").write_text(json.dumps(dates, indent=1, ensure_ascii=False) + "\n")
    (target / "SOURCE").write_text(
        f"adbar/htmldate {git_head(repo)}: {len(dates)} of the {len(urls)} pages of "
        "tests/eval_mediacloud_2020.json, evenly spaced by URL, from tests/test_set/ "
        "(gzipped; Apache-2.0, see LICENSE)\n"
    )


def copy_trafilatura(repo: Path) -> None:
    target = OUT / "trafilatura"
    if target.exists():
        shutil.rmtree(target)
    (target / "pages").mkdir(parents=True)
    (target / "LICENSE").write_bytes(git_show(repo, "LICENSE"))
    files = git_files(repo, "tests/cache") | git_files(repo, "tests/eval")
    evaldata: dict[str, dict[str, Any]] = json.loads(git_show(repo, "tests/evaldata.json"))
    usable = []
    for url in sorted(evaldata):
        name = evaldata[url]["file"]
        if HEX_NAME.fullmatch(name):
            continue
        for folder in ("tests/cache", "tests/eval"):  # trafilatura's own lookup order
            if f"{folder}/{name}" in files:
                usable.append((url, f"{folder}/{name}"))
                break
    step = len(usable) / TRAFILATURA_SAMPLE
    sample = [usable[int(i * step)] for i in range(TRAFILATURA_SAMPLE)]
    kept: dict[str, dict[str, Any]] = {}
    for number, (url, path) in enumerate(sample):
        name = f"{number:03d}.html.gz"
        data = git_show(repo, path)
        (target / "pages" / name).write_bytes(gzip.compress(data, 9, mtime=0))
        entry = evaldata[url]
        kept[url] = {"file": name, "source": path, "with": entry["with"],
                     "without": entry["without"]}  # fmt: skip
    (target / "evaldata.json").write_text(json.dumps(kept, indent=1, ensure_ascii=False) + "\n")
    (target / "SOURCE").write_text(
        f"adbar/trafilatura {git_head(repo)}: {len(kept)} of the {len(usable)} pages of "
        "tests/evaldata.json whose file is not named by a hash, evenly spaced by URL, from "
        "tests/cache and tests/eval (gzipped; Apache-2.0, see LICENSE)\n"
    )


def fundus_languages() -> None:
    import py3langid  # build time only

    sys.path.insert(0, str(ROOT))
    from tests.realworld import load

    languages = {}
    for page in load(sets=("fundus",)):
        assert page.body is not None
        lang, _ = py3langid.classify(page.body)
        languages[page.id] = lang
    (OUT / "fundus-languages.json").write_text(json.dumps(languages, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, required=True)
    parser.add_argument("--trafilatura", type=Path, required=True, help="git dir of the repo")
    parser.add_argument("--htmldate", type=Path, required=True, help="git dir of the repo")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    copy_shared(args.shared)
    copy_htmldate(args.htmldate)
    copy_trafilatura(args.trafilatura)
    fundus_languages()


if __name__ == "__main__":
    main()
