"""``pip install .`` (issue 23, "Install and use from Python"): the wheel holds the package
``newscrawl`` with its data and nothing else, declares what it imports, and once installed into
a fresh virtualenv it works from any folder: ``newscrawl --help``, ``newscrawl crawl`` (Scrapy
finds the project's settings with no scrapy.cfg around), ``python -m newscrawl extract`` of a
Bisnis.com page and of a generic page, and ``newscrawl.crawl()`` twice from a script without a
main guard, through the replay proxy.

How the virtualenv is made, and why. The wheel is built from a copy of the checkout as a clone
has it (bench/, output/ and tests/ included: only ``newscrawl`` may be packaged) with ``pip wheel
--no-build-isolation --no-index``, so nothing is downloaded and the checkout gets no build/ or
egg-info. The virtualenv is a real
``python -m venv`` (no ``--system-site-packages``) and the wheel is installed with ``pip install
--no-index --find-links WHEELS newscrawl``, dependencies resolved. Tests reach no network but
loopback, so the dependencies cannot come from the package index: a ``.pth`` file appended to the
new virtualenv's site-packages puts the development virtualenv's site-packages on its path (after
its own, so ``newscrawl`` is the installed copy). pip then resolves every requirement the wheel
declares against what that path holds, and fails when one is missing or at a version outside its
range; ``test_declared_dependencies_*`` check the declarations against requirements.txt and the
imports. Only the copy of the dependencies is skipped, not their resolution.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
import zipfile
from dataclasses import dataclass
from importlib.metadata import packages_distributions, version
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.replay import ReplayProxy
from tests.support import FIXTURES, ROOT, assert_expected_item, expected, manifest, notes

#: The oldest setuptools that builds a wheel alone (bdist_wheel built in).
SETUPTOOLS = Version("70.1")
GENERIC_FIELDS = ("url", "site", "title", "authors", "published_at", "dateline", "body", "tags",
                  "image_url")  # fmt: skip


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return [Requirement(line) for line in project["dependencies"]]


def pinned() -> dict[str, Version]:
    """requirements.txt: each package's pinned version, by canonical name."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, _, pin = line.partition("==")
            pins[canonicalize_name(name)] = Version(pin.strip())
    return pins


def test_declared_dependencies_are_the_pinned_ones_in_range() -> None:
    """Each dependency pyproject.toml declares is pinned in requirements.txt (the set `make`
    installs), at a version its range admits."""
    pins = pinned()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not pinned in requirements.txt"
        assert requirement.specifier.contains(pins[name]), f"{requirement} excludes {pins[name]}"


def imported_distributions() -> dict[str, set[str]]:
    """The distributions whose modules newscrawl/ imports (any import, anywhere in a module),
    with the files that import them."""
    owners = packages_distributions()
    found: dict[str, set[str]] = {}
    for path in (ROOT / "newscrawl").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "newscrawl":
                    continue
                for dist in owners.get(top, [f"<no distribution has {top}>"]):
                    found.setdefault(canonicalize_name(dist), set()).add(path.name)
    return found


def test_declared_dependencies_cover_every_import() -> None:
    """A module newscrawl imports comes from a distribution pyproject.toml declares (a helper
    adding an import to the code adds its package to both requirements files)."""
    names = {canonicalize_name(requirement.name) for requirement in declared()}
    missing = {dist: sorted(files) for dist, files in imported_distributions().items()}
    missing = {dist: files for dist, files in missing.items() if dist not in names}
    assert missing == {}, "imported but not declared in pyproject.toml dependencies"


@dataclass
class Installed:
    venv: Path
    wheel: Path
    #: A folder outside the checkout to run commands from.
    cwd: Path

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    @property
    def command(self) -> str:
        return str(self.venv / "bin" / "newscrawl")

    def env(self, **extra: str) -> dict[str, str]:
        """No PYTHONPATH, no settings module named: only what the install gives."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env.pop("SCRAPY_SETTINGS_MODULE", None)
        return {**env, **extra}

    def run(self, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args),
            cwd=self.cwd,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def copy_checkout(dst: Path) -> None:
    """The checkout as a clone has it (its files git does not ignore: no .venv, no output),
    so that ``pip install .`` sees what it sees in a fresh clone."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:  # not a git checkout: all but what .gitignore names
        ignore = shutil.ignore_patterns(
            ".git", ".venv", "output", "__pycache__", "*.pyc", ".*cache"
        )
        shutil.copytree(ROOT, dst, ignore=ignore)
        return
    for name in filter(None, listed.stdout.decode().split("\0")):
        path = ROOT / name
        if path.is_file():  # not a file deleted in the work tree
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dst / name)


def pip(python: str, *args: str, cwd: Path) -> None:
    """pip in isolated mode: no configuration or index of this machine's is read."""
    done = subprocess.run(
        [python, "-m", "pip", "--isolated", "--disable-pip-version-check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, (
        f"pip {' '.join(args)}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    if Version(version("setuptools")) < SETUPTOOLS:
        message = (
            f"building the wheel offline needs setuptools>={SETUPTOOLS} (requirements-dev.txt)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    base = tmp_path_factory.mktemp("install")
    source = base / "src"
    copy_checkout(source)
    wheels = base / "wheels"
    pip(sys.executable, "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "--wheel-dir", str(wheels), str(source), cwd=base)  # fmt: skip
    [wheel] = wheels.glob("newscrawl-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # the development virtualenv's packages, after the new one's own (see the module docstring)
    code = "import sysconfig; print(sysconfig.get_path('purelib'))"
    where = [str(venv / "bin" / "python"), "-c", code]
    target = subprocess.run(where, capture_output=True, text=True, check=True).stdout.strip()
    Path(target, "zz_development_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", "utf-8"
    )
    pip(str(venv / "bin" / "python"), "install", "--no-index", "--find-links", str(wheels),
        "newscrawl", cwd=base)  # fmt: skip
    cwd = base / "elsewhere"
    cwd.mkdir()
    return Installed(venv, wheel, cwd)


def git_files(folder: str) -> list[str]:
    done = subprocess.run(
        ["git", "ls-files", folder], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.skip("not a git checkout")
    return [line for line in done.stdout.splitlines() if (ROOT / line).exists()]


def test_the_wheel_holds_the_package_and_its_data_only(installed: Installed) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"newscrawl", f"newscrawl-{version_of(installed)}.dist-info"}
    missing = set(git_files("newscrawl")) - set(names)
    assert missing == set(), "files of the package left out of the wheel"
    assert "newscrawl/schema/article.schema.json" in names
    entry_points = zipfile.ZipFile(installed.wheel).read(
        f"newscrawl-{version_of(installed)}.dist-info/entry_points.txt"
    )
    assert b"newscrawl = newscrawl.cli:main" in entry_points


def version_of(installed: Installed) -> str:
    return installed.wheel.name.split("-")[1]


def test_the_installed_package_is_the_one_imported(installed: Installed) -> None:
    done = installed.run(installed.python, "-c", "import newscrawl; print(newscrawl.__file__)")
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_relative_to(installed.venv)


def test_help(installed: Installed) -> None:
    for command in ([installed.command], [installed.python, "-m", "newscrawl"]):
        done = installed.run(*command, "--help")
        assert done.returncode == 0, done.stderr
        assert all(command in done.stdout for command in ("crawl", "extract", "search"))
    for command in ("crawl", "search"):  # Scrapy's and newscrawl.search's own help
        done = installed.run(installed.command, command, "--help")
        assert done.returncode == 0, done.stderr
        assert f"{command} [" in done.stdout


def test_crawl_finds_the_project_settings_outside_the_checkout(installed: Installed) -> None:
    """No scrapy.cfg here: the command names newscrawl.settings, so the project's crawl command
    checks the arguments (exit 2, one ERROR line, nothing written)."""
    output = installed.cwd / "output-bad-args"
    done = installed.run(
        installed.command, "crawl", "bisnis", "-a", "since=2025-02-30",
        "-s", f"NEWSCRAWL_OUTPUT_DIR={output}",
    )  # fmt: skip
    assert done.returncode == 2, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "since='2025-02-30' is not a date" in errors[0]
    assert not output.exists()


def test_extract_of_a_bisnis_page(installed: Installed) -> None:
    item = expected()[notes()["seed_article"]]
    page = FIXTURES / "bisnis" / "site" / manifest("bisnis")[item["url"]]["file"]
    done = installed.run(
        installed.python, "-m", "newscrawl", "extract", str(page), "--url", item["url"]
    )
    assert done.returncode == 0, done.stderr
    assert_expected_item(json.loads(done.stdout), item)
    assert list(installed.cwd.glob("output*")) in ([], [installed.cwd / "output-bad-args"])


def anysite_item(url: str) -> dict[str, Any]:
    lines = (FIXTURES / "anysite" / "expected.jsonl").read_text("utf-8").splitlines()
    items = {item["url"]: item for item in map(json.loads, filter(str.strip, lines))}
    return items[url]


GENERIC_URL = (
    "https://bisnis.sorotrakyat.id/20251120/"
    "bursa-efek-indonesia-bakal-menambah-kapasitas-produksi-pada-2026-7660126"
)


def test_extract_of_a_generic_page(installed: Installed) -> None:
    page = FIXTURES / "anysite" / "site" / manifest("anysite")[GENERIC_URL]["file"]
    done = installed.run(installed.command, "extract", str(page), "--url", GENERIC_URL)
    assert done.returncode == 0, done.stderr
    item, want = json.loads(done.stdout), anysite_item(GENERIC_URL)
    assert {name: item[name] for name in GENERIC_FIELDS} == {n: want[n] for n in GENERIC_FIELDS}


def test_crawl_twice_from_a_script_without_a_main_guard(installed: Installed) -> None:
    """The API in a plain script, as a notebook cell would run it: two crawls in one process
    (each a subprocess), the crawl's page-reading worker spawned, the script run once."""
    marks = installed.cwd / "marks.txt"
    script = installed.cwd / "two_crawls.py"
    script.write_text(
        textwrap.dedent(f"""\
            import json
            import newscrawl

            with open({str(marks)!r}, "a") as marks:
                marks.write("ran\\n")
            settings = {{"NEWSCRAWL_READ_WORKERS": 1, "AUTOTHROTTLE_ENABLED": False}}
            runs = [
                [item["url"] for item in newscrawl.crawl(
                    "news", start_urls=[{GENERIC_URL!r}], browser="never", settings=settings
                )]
                for _ in range(2)
            ]
            print(json.dumps(runs))
            """),
        "utf-8",
    )
    with ReplayProxy(FIXTURES / "anysite", lifetime=300) as proxy:
        done = installed.run(installed.python, str(script), timeout=300, **proxy.env())
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout) == [[GENERIC_URL], [GENERIC_URL]]
    assert marks.read_text() == "ran\n"
