"""SimHash: a 64-bit fingerprint of a text's word shingles, equal or a few bits apart for two
texts that tell the same story in (nearly) the same words.

The dataset's ``simhash`` column (``UBIGINT``) is :func:`simhash` of each article's body,
computed at ingest. Two bodies whose fingerprints differ in at most 3 bits
(``bit_count(xor(a.simhash, b.simhash)) <= 3`` in DuckDB) are near-duplicates: the same wire story
on two sites, or one article with a changed line. By the pigeonhole principle two such
fingerprints share at least one of their four 16-bit bands (:func:`bands`), which makes the
search a join on equal bands rather than a comparison of every pair.

How: the body is lower-cased and cut into words (``\\w+``, so punctuation and line breaks do
not matter); each run of :data:`SHINGLE` consecutive words is hashed to 64 bits (BLAKE2b, so the
value is the same in every process and on every machine); bit *i* of the fingerprint is set
when more than half of the shingles have bit *i* set. A text of fewer words than a shingle
hashes its words as one shingle; a text with no word at all is 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial
from hashlib import blake2b
from operator import methodcaller

#: Words per shingle.
SHINGLE = 3
#: Bits of a fingerprint.
BITS = 64
#: Width of one band (four bands of 16 bits).
BAND_BITS = 16
#: Byte translation tables: ``_BIT[b]`` maps a byte to 1 when its bit ``b`` is set, else 0, so
#: counting the shingles with a bit set is one ``translate`` and one ``count`` in C.
_BIT = [bytes(value >> bit & 1 for value in range(256)) for bit in range(8)]
_WORD = re.compile(r"\w+")
#: Each shingle's 64-bit hash: BLAKE2b of its UTF-8 bytes, 8 bytes long.
_HASH = partial(blake2b, digest_size=8)
_DIGEST = methodcaller("digest")


def shingles(text: str, size: int = SHINGLE) -> list[str]:
    """The runs of ``size`` consecutive words of ``text`` (lower-cased), in order; a text of
    fewer words is one shingle of them all; no word, no shingle."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return [" ".join(words)] if words else []
    return [" ".join(words[n : n + size]) for n in range(len(words) - size + 1)]


def simhash(text: str | None) -> int:
    """The 64-bit SimHash of ``text``'s word shingles (0 for no text or no word), an unsigned
    integer below 2**64."""
    if not text:
        return 0
    words = _WORD.findall(text.lower())
    if not words:
        return 0
    if len(words) <= SHINGLE:
        features: Iterable[str] = [" ".join(words)]
    else:  # as shingles() makes them, in C: map and zip rather than a Python loop
        features = map(" ".join, zip(*(words[n:] for n in range(SHINGLE)), strict=False))
    digests = b"".join(map(_DIGEST, map(_HASH, map(str.encode, features))))
    count = len(digests) // 8
    fingerprint = 0
    for position in range(8):  # byte ``position`` of every hash, side by side
        column = digests[position::8]
        for bit in range(8):
            if 2 * column.translate(_BIT[bit]).count(1) > count:
                fingerprint |= 1 << (8 * position + bit)
    return fingerprint


def distance(a: int, b: int) -> int:
    """How many bits two fingerprints differ in (their Hamming distance)."""
    return (a ^ b).bit_count()


def bands(fingerprint: int) -> list[int]:
    """The four 16-bit bands of a fingerprint, lowest first (``simhash >> 16 * n & 65535`` in
    SQL): two fingerprints at most 3 bits apart have at least one band equal."""
    mask = (1 << BAND_BITS) - 1
    return [fingerprint >> (BAND_BITS * n) & mask for n in range(BITS // BAND_BITS)]
