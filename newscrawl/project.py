"""Where a newscrawl process finds its Scrapy settings (the command line and the Python API
alike): as Scrapy finds them, else the project's own."""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping

#: The variable Scrapy reads its settings module from when no scrapy.cfg names one.
SETTINGS_ENV = "SCRAPY_SETTINGS_MODULE"
#: The project's settings module.
SETTINGS_MODULE = "newscrawl.settings"


def settings_module(environ: Mapping[str, str] = os.environ) -> str:
    """The settings module Scrapy is to use, as Scrapy finds it (``SCRAPY_SETTINGS_MODULE``, else
    the ``scrapy.cfg`` of the current folder or one above it, for ``SCRAPY_PROJECT``), else
    the project's own."""
    named = environ.get(SETTINGS_ENV)
    if named:
        return named
    from scrapy.utils.conf import get_config

    config = get_config()
    project = environ.get("SCRAPY_PROJECT", "default")
    if config.has_option("settings", project):
        return config.get("settings", project)
    return SETTINGS_MODULE


def use_project_settings(environ: MutableMapping[str, str] = os.environ) -> str:
    """Name in ``SCRAPY_SETTINGS_MODULE`` the module :func:`settings_module` finds."""
    environ[SETTINGS_ENV] = settings_module(environ)
    return environ[SETTINGS_ENV]
