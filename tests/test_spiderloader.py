"""The spider loader: Scrapy's walk of ``SPIDER_MODULES``, the deferred ``news`` spider and one
spider per site; a site's crawl never imports the news spider's module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newscrawl.spiderloader import DEFERRED, SiteSpiderLoader, walk_modules
from tests.support import ROOT


def loader(**settings: object) -> SiteSpiderLoader:
    values = Settings()
    values.setmodule("newscrawl.settings", priority="project")
    for name, value in settings.items():
        values.set(name, value)
    return SiteSpiderLoader.from_settings(values)


def test_every_site_and_the_news_spider_are_listed_and_load() -> None:
    spiders = loader()
    assert sorted(spiders.list()) == ["bisnis", "kompas", "news"]
    from newscrawl.spiders.news import GenericNewsSpider

    assert spiders.load("news") is GenericNewsSpider
    assert spiders.load("bisnis").name == "bisnis"
    assert sorted(spiders.list()) == ["bisnis", "kompas", "news"]  # listed once, loaded
    with pytest.raises(KeyError):
        spiders.load("nosuch")


def test_a_site_crawl_does_not_import_the_news_spider() -> None:
    """A fresh interpreter: the loader names ``news`` without importing its module, and
    loading a site's spider does not import it either (nor the generic page)."""
    code = (
        "import sys\n"
        "from scrapy.settings import Settings\n"
        "from newscrawl.spiderloader import SiteSpiderLoader\n"
        "settings = Settings()\n"
        "settings.setmodule('newscrawl.settings', priority='project')\n"
        "spiders = SiteSpiderLoader.from_settings(settings)\n"
        "assert 'news' in spiders.list()\n"
        "spiders.load('bisnis')\n"
        "print(sorted(m for m in sys.modules if m.startswith('newscrawl')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    imported = done.stdout
    assert "'newscrawl.spiders.base'" in imported  # the listing is there
    assert "newscrawl.spiders.news" not in imported
    assert "newscrawl.pages.generic" not in imported


def test_the_requests_of_a_site_find_its_spider() -> None:
    """``scrapy fetch``/``shell`` pick a spider by the request's domain: the deferred spider
    is loaded to be asked too."""
    from scrapy.http import Request

    spiders = loader()
    assert spiders.find_by_request(Request("https://www.bisnis.com/read/1")) == ["bisnis"]
    assert spiders._deferred == {}


@pytest.fixture
def handmade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A package of hand-written spiders named ``bisnis`` and ``news``."""
    package = tmp_path / "handmade"
    (package / "more").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "more" / "__init__.py").write_text("")
    (package / "spiders.py").write_text(
        "import scrapy\n"
        "class Bisnis(scrapy.Spider):\n    name = 'bisnis'\n"
        "class News(scrapy.Spider):\n    name = 'news'\n"
    )
    (package / "more" / "other.py").write_text(
        "import scrapy\nclass Other(scrapy.Spider):\n    name = 'other'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return "handmade"


def test_a_hand_written_spider_of_the_same_name_wins(handmade: str) -> None:
    spiders = loader(SPIDER_MODULES=[handmade])
    assert spiders.load("bisnis").__module__ == "handmade.spiders"
    assert spiders.load("news").__module__ == "handmade.spiders"
    assert spiders.load("other").__module__ == "handmade.more.other"  # subpackages walked
    assert spiders.load("kompas").name == "kompas"


def test_the_walk_passes_over_the_deferred_modules_only() -> None:
    walked = {module.__name__ for module in walk_modules("newscrawl.spiders", {"x"})}
    assert {"newscrawl.spiders.base", "newscrawl.spiders.news"} <= walked
    skipped = {path.rpartition(".")[0] for path in DEFERRED.values()}
    walked = {module.__name__ for module in walk_modules("newscrawl.spiders", skipped)}
    assert walked == {"newscrawl.spiders", "newscrawl.spiders.base", "newscrawl.spiders.common"}


def test_a_module_that_cannot_be_imported_fails_unless_warn_only(handmade: str) -> None:
    with pytest.raises(ImportError):
        loader(SPIDER_MODULES=["handmade.nosuch"])
    with pytest.warns(RuntimeWarning, match="Could not load spiders from module"):
        spiders = loader(
            SPIDER_MODULES=["handmade.nosuch", "newscrawl.spiders"], SPIDER_LOADER_WARN_ONLY=True
        )
    assert "news" in spiders.list()


def test_the_news_spider_is_there_only_when_spider_modules_name_its_package() -> None:
    """As Scrapy's loader would: ``SPIDER_MODULES`` without ``newscrawl.spiders`` has no
    ``news`` spider (the site spiders come from the site modules)."""
    assert sorted(loader(SPIDER_MODULES=[]).list()) == ["bisnis", "kompas"]
    assert "news" in loader(SPIDER_MODULES=["newscrawl.spiders.news"]).list()
    assert "news" not in loader(SPIDER_MODULES=["newscrawl.sites"]).list()


def test_a_deferred_spider_that_fails_to_import_stays_listed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(DEFERRED, "broken", "newscrawl.spiders.nosuch.Spider")
    spiders = loader()
    assert "broken" in spiders.list()
    for _ in range(2):  # the same error each time, not "Spider not found" the second
        with pytest.raises(ModuleNotFoundError):
            spiders.load("broken")
    assert "broken" in spiders.list()
