"""Passwords in URLs never reach a log line: :func:`newscrawl.redact.redact` and the log record
factory every newscrawl process installs."""

from __future__ import annotations

import logging

import pytest

import newscrawl  # noqa: F401  # installs the redacting record factory
from newscrawl.redact import redact


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("redis://:pw@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("rediss://user:p%40ss@host/1", "rediss://user:***@host/1"),
        ("at redis://user:pw@h and http://u:x@proxy:8080", "at redis://user:***@h and http://u:***@proxy:8080"),
        ("{'NEWSCRAWL_REDIS_URL': 'redis://:pw@h:1/0'}", "{'NEWSCRAWL_REDIS_URL': 'redis://:***@h:1/0'}"),
        ("redis://h:6379/0?password=pw&db=1", "redis://h:6379/0?password=***&db=1"),
        ("redis://h/0?db=1&Auth=pw", "redis://h/0?db=1&Auth=***"),
        ("redis://h:6379/0", "redis://h:6379/0"),  # no credentials: unchanged
        ("redis://user@h:6379/0", "redis://user@h:6379/0"),  # a user without a password
        ("mail me: a@b.c", "mail me: a@b.c"),
        ("https://bisnis.com/read/20251120/1/1?utm=x", "https://bisnis.com/read/20251120/1/1?utm=x"),
    ],
)  # fmt: skip
def test_redact(text: str, want: str) -> None:
    assert redact(text) == want
    assert redact(want) == want  # idempotent


def test_every_log_record_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    secret = "x" * 3 + "Z9"  # never written whole in this source (tracebacks show lines)
    with caplog.at_level(logging.INFO):
        logging.getLogger("scrapy.crawler").info("settings: %(s)s", {"s": f"redis://:{secret}@h"})
        try:
            raise ConnectionError(f"cannot reach redis://:{secret}@h:1/0")
        except ConnectionError:
            logging.getLogger("elsewhere").exception("failed at %s", f"redis://u:{secret}@h")
    assert secret not in caplog.text
    assert "redis://:***@h:1/0" in caplog.text and "redis://u:***@h" in caplog.text
