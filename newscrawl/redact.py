"""Credentials never reach a log line, a message or a manifest.

A Redis URL (``redis://:secret@host:6379/0``, ``rediss://user:secret@host``, or
``?password=secret``) carries its password; so may a proxy URL. :func:`redact` masks the
password of every URL in a text, and :func:`install` makes every log record of the process
pass through it (Scrapy logs its overridden settings, ``NEWSCRAWL_REDIS_URL`` among them, before
any component of ours runs), whichever logger made it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

MASK = "***"

#: ``scheme://user:password@`` (the password is what follows the first colon of the userinfo).
_USERINFO = re.compile(
    r"(?P<head>\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]*:)(?P<secret>[^@\s/'\"]+)@", re.I
)
#: A password or token in a query string (``?password=...``, ``&auth=...``).
_QUERY = re.compile(
    r"(?P<head>[?&](?:password|passwd|pass|auth|token)=)(?P<secret>[^&\s'\"]+)", re.I
)


def redact(text: str) -> str:
    """``text`` with the password of every URL in it masked."""
    if "@" not in text and "=" not in text:
        return text
    text = _USERINFO.sub(lambda m: f"{m['head']}{MASK}@", text)
    return _QUERY.sub(lambda m: f"{m['head']}{MASK}", text)


_installed = False
_FORMATTER = logging.Formatter()


def install() -> None:
    """Every log record made from now on is redacted (its message, arguments included, and
    the text of an exception it carries). Idempotent."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        message = record.getMessage
        record.getMessage = lambda: redact(message())  # type: ignore[method-assign]
        if record.exc_info and record.exc_info[1] is not None:
            # formatted once here; handlers print exc_text as it is
            record.exc_text = redact(_FORMATTER.formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
