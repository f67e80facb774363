"""newscrawl.boilerplate unit by unit: the shared rules and the invitation and channel words
named entry by entry, the bounds (MAX_PROMO_WORDS, the shares, the page and context counts,
the memory caps) at their edges, and RecurringLines, leave_out and drop_lines branch by
branch, so that a slip in a refactor fails a test."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl import boilerplate as b
from newscrawl.boilerplate import (
    PageLines,
    RecurringLines,
    Rule,
    filter_paragraphs,
    leave_out,
    page_lines,
    rule,
    rule_for,
)

# -- rules ----------------------------------------------------------------------------------


def test_rule_reads_spaces_as_white_space() -> None:
    r = rule("x", r"baca ?: juga")
    assert r == Rule("x", r.pattern) and r.name == "x"
    assert r.pattern.pattern == r"baca\s*:\s+juga"
    assert r.matches("BACA:\u00a0\tJuga") and r.matches("baca :  juga")
    assert not r.matches("baca:juga") and not r.matches("> baca: juga")


def test_the_shared_rules_are_these_in_this_order() -> None:
    assert [r.name for r in b.SHARED_RULES] == [
        "read_also",
        "watch_video",
        "embed_caption",
        "disclaimer",
    ]


@pytest.mark.parametrize(
    ("paragraph", "name"),
    [
        *[
            (f"{verb} {word}: x", "read_also")
            for verb in ("Baca", "Simak", "Lihat")
            for word in ("juga", "pula")
        ],
        ("baca   juga x", "read_also"),
        ("Baca:x", "read_also"),
        ("Baca : x", "read_also"),
        ("Baca jugalah x", None),
        ("Bacalah juga x", None),
        ("Lihat video: x", None),
        *[(f"{verb} video x", "watch_video") for verb in ("Simak", "Saksikan", "Tonton")],
        ("Tonton videonya", None),
        ("Tonton\tvideo", "watch_video"),
        ("[Gambas:Video CNBC]", "watch_video"),
        ("[gambas : Instagram]", "watch_video"),
        ("A post shared by Warta (@warta_id)", "embed_caption"),
        ("a post shared by Warta (@warta_id) kemarin", None),
        ("A post shared by Warta (warta)", None),
        ("Disclaimer: x", "disclaimer"),
        ("DISCLAIMER :x", "disclaimer"),
        ("Disclaimer x", None),
        ("Kata dia, baca juga x", None),
    ],
)
def test_each_shared_rule(paragraph: str, name: str | None) -> None:
    assert rule_for(paragraph, b.SHARED_RULES) == name


def test_the_first_matching_rule_names_the_drop() -> None:
    first, second = rule("first", "satu"), rule("second", "satu dua")
    assert rule_for("Satu dua", [first, second]) == "first"
    assert rule_for("Satu dua", [second, first]) == "second"
    assert rule_for("satu", []) is None
    assert rule_for("\x1b[1mBaca\x1b[0m  juga: x", b.SHARED_RULES) == "read_also"


def test_filter_keeps_order_and_names_each_drop() -> None:
    rules = [rule("one", "satu"), rule("two", "dua")]
    cleaned = filter_paragraphs(["a", "Dua x", "b", "satu", "c"], rules)
    assert cleaned.kept == ["a", "b", "c"]
    assert cleaned.dropped == ["two", "one"]
    assert filter_paragraphs([], rules) == b.Cleaned([], [])


# -- invitations and channels ---------------------------------------------------------------

INVITING = [
    "simak",
    "unduh",
    "download",
    "ikuti",
    "follow",
    "gabung",
    "bergabung",
    "dapatkan",
    "kirim",
    "klik",
    "cek",
    "baca berita",
    "langganan",
    "berlangganan",
    "tonton",
    "saksikan",
    "install",
    "pasang",
    "subscribe",
    "join",
    "jangan lewatkan",
    "yuk",
]


@pytest.mark.parametrize("verb", INVITING)
def test_each_invitation_word(verb: str) -> None:
    assert b.INVITATION.search(f"{verb.capitalize()} kanal kami")
    assert b.INVITATION.search(f"» {verb.upper()} kanal kami")
    assert b.invitation(f"{verb} kami di Google News")
    assert not b.INVITATION.search(f"{verb}x kanal kami")
    assert not b.INVITATION.search(f"Kami {verb} kanal")


CHANNELS = [
    "aplikasi",
    "app",
    "apps",
    "play store",
    "playstore",
    "app store",
    "appstore",
    "google news",
    "whatsapp",
    "wa",
    "telegram",
    "newsletter",
    "buletin",
    "youtube",
    "instagram",
    "tiktok",
    "twitter",
    "facebook",
    "kanal",
    "channel",
    "email",
    "e-mail",
    "surel",
    "@",
    "langganan",
    "tv",
    "siaran",
    "notifikasi",
    "iklan",
    "gabung",
]
WHOLE_WORDS = ["app", "apps", "wa", "kanal", "tv", "iklan", "gabung"]


@pytest.mark.parametrize("word", CHANNELS)
def test_each_channel_word(word: str) -> None:
    assert b.channel(f"Ikuti kami di {word.upper()} ya")


@pytest.mark.parametrize("word", WHOLE_WORDS)
def test_short_channel_words_are_whole_words(word: str) -> None:
    assert b.channel(f"di {word}")
    assert not b.channel(f"di x{word}") and not b.channel(f"di {word}x")


def test_max_promo_words_is_thirty() -> None:
    assert b.MAX_PROMO_WORDS == 30
    line = "Ikuti kami di Google News"  # 5 words
    assert b.invitation(line + " ya" * 25)  # 30
    assert not b.invitation(line + " ya" * 26)  # 31


def test_an_invitation_needs_both_the_verb_and_the_channel() -> None:
    assert not b.invitation("Ikuti perkembangan harga emas.")
    assert not b.invitation("Warga bisa mengunduh aplikasi itu.")
    assert b.invitation("Yuk, gabung kanal WhatsApp kami!")


def test_promo_shape() -> None:
    assert b.promo_shape("Ikuti kami di Instagram")  # an invitation
    assert b.promo_shape("Promo akhir pekan: diskon 50 persen")  # names no channel: bold
    assert not b.promo_shape("Dalam siaran pers, direksi menyatakan")  # a channel in a sentence


# -- the learner's bounds -------------------------------------------------------------------


def test_the_bounds_are_these() -> None:
    assert b.MAX_LINE_SHARE == 0.25
    assert b.MAX_REMOVED_SHARE == 1 / 3
    assert (b.MIN_PAGES, b.MIN_CONTEXTS, b.MAX_TAUGHT_PER_PAGE) == (3, 2, 4)
    assert (b.MAX_LINE_WORDS, b.MAX_CONTEXTS, b.SKETCH_LINES) == (50, 8, 4)
    assert (b.MAX_TEXT_LINES, b.MAX_PENDING_LINES) == (200_000, 20_000)


def test_words() -> None:
    assert b.words(" satu\n\ndua\ttiga ") == 3 and b.words("") == 0


def test_page_lines() -> None:
    body = "Satu  dua.\n\nIkuti kami di WA\n\n\n\nTiga."
    page = page_lines(body, ["ikuti kami di wa"], ["Unduh aplikasi", "Promo"], "sitemap")
    assert page.context == "sitemap"
    assert page.candidates == frozenset({"ikuti kami di wa"})
    assert page.text == ("satu dua.", "tiga.")
    assert page.left_out == ("Unduh aplikasi", "Promo")
    assert page.words == 7 + 3
    assert page_lines("", [], [], "x") == PageLines("x", 0, frozenset(), (), ())


def test_a_sketch_is_the_smallest_hashes_of_the_text() -> None:
    text = tuple(f"baris {n}" for n in range(9))
    sketch = PageLines("c", 90, frozenset(), (*text, text[0]), ()).sketch
    assert sketch == tuple(sorted({hash(line) for line in text})[:4])
    assert PageLines("c", 1, frozenset(), ("a",), ()).sketch == (hash("a"),)


def test_same_page() -> None:
    assert b.same_page((1, 2, 3, 4), (1, 2, 7, 8))
    assert not b.same_page((1, 2, 3, 4), (1, 6, 7, 8))
    assert b.same_page((1,), (1, 5, 6, 7))
    assert b.same_page((1, 5, 6, 7), (1,))
    assert not b.same_page((1, 5, 6, 7), (2,))
    assert not b.same_page((1,), (5, 6))
    assert b.same_page((), ()) is False
    assert b.same_page((1, 2), (2, 1))


def page(
    context: str,
    own: str,
    candidates: tuple[str, ...] = (),
    left_out: tuple[str, ...] = (),
    words: int = 100,
    text: tuple[str, ...] = (),
) -> PageLines:
    """An article page whose text is its own (``own`` names it), ``words`` long."""
    lines = (f"{own} satu", f"{own} dua", f"{own} tiga", f"{own} empat", *text)
    return PageLines(context, words, frozenset(candidates), lines, left_out)


PROMO = "ikuti kami di google news"


def test_a_line_is_learned_on_three_pages_in_two_places() -> None:
    lines = RecurringLines()
    assert not lines and PROMO not in lines
    assert lines.observe(page("a", "p1", (PROMO,))).learned == []
    assert lines.observe(page("a", "p2", (PROMO,))).learned == []
    assert lines.pending[PROMO].pages == 2
    seen = lines.observe(page("b", "p3", (PROMO,)))
    assert seen.learned == [PROMO] and PROMO in lines and lines
    assert PROMO not in lines.pending
    # learned: not counted again
    assert lines.observe(page("c", "p4", (PROMO,))).learned == []


def test_one_place_is_not_enough_however_many_pages() -> None:
    lines = RecurringLines()
    for n in range(5):
        assert lines.observe(page("a", f"p{n}", (PROMO,))).learned == []
    assert PROMO not in lines
    assert lines.observe(page("b", "p9", (PROMO,))).learned == [PROMO]


def test_one_page_under_many_urls_is_one_page() -> None:
    lines = RecurringLines()
    for context in "abcdef":
        lines.observe(page(context, "same", (PROMO,)))
    assert PROMO not in lines and lines.pending[PROMO].pages == 1
    lines.observe(page("a", "other", (PROMO,)))
    assert lines.observe(page("b", "third", (PROMO,))).learned == [PROMO]


def test_the_counts_can_be_set() -> None:
    lines = RecurringLines(min_pages=1, min_contexts=1)
    assert lines.observe(page("a", "p1", (PROMO,))).learned == [PROMO]
    lines = RecurringLines(min_pages=2, min_contexts=2)
    lines.observe(page("a", "p1", (PROMO,)))
    assert lines.observe(page("a", "p2", (PROMO,))).learned == []
    assert lines.observe(page("b", "p2", (PROMO,))).learned == []  # the same page
    assert lines.observe(page("b", "p3", (PROMO,))).learned == [PROMO]


def test_remembered_lines_are_in_whatever_their_case() -> None:
    lines = RecurringLines(["Ikuti Kami Di Google News"])
    assert PROMO in lines and bool(lines)
    seen = lines.observe(page("a", "p1", (PROMO,)))
    assert seen.learned == [] and PROMO not in lines.pending and not seen.refused


def test_a_line_not_shaped_as_a_promo_is_refused_once() -> None:
    lines = RecurringLines(min_pages=1, min_contexts=1)
    sentence = "dalam siaran pers direksi menyatakan"
    assert lines.observe(page("a", "p1", (sentence,))).refused == {"shape": 1}
    assert lines.observe(page("b", "p2", (sentence,))).refused == {}
    assert sentence not in lines and sentence in lines.never


def test_a_line_that_is_text_elsewhere_is_never_learned() -> None:
    lines = RecurringLines(min_pages=1, min_contexts=1)
    lines.observe(page("a", "p0", text=(PROMO,)))
    seen = lines.observe(page("a", "p1", (PROMO,)))
    assert seen.refused == {"copied": 1} and PROMO not in lines
    assert PROMO in lines.never
    assert lines.observe(page("b", "p2", (PROMO,))).refused == {}  # counted once


def test_a_pending_line_found_as_text_is_no_longer_pending() -> None:
    lines = RecurringLines()
    lines.observe(page("a", "p1", (PROMO,)))
    assert PROMO in lines.pending
    lines.observe(page("a", "p2", text=(PROMO,)))
    assert lines.observe(page("b", "p3", (PROMO,))).refused == {"copied": 1}
    assert PROMO not in lines.pending


def test_each_refusal_is_counted() -> None:
    lines = RecurringLines()
    sentences = ("dalam siaran pers direksi", "lewat akun instagram miliknya")
    assert lines.observe(page("a", "p1", sentences)).refused == {"shape": 2}


def test_a_line_over_a_quarter_of_its_page_is_refused() -> None:
    lines = RecurringLines(min_pages=1, min_contexts=1)
    five = "ikuti satu dua tiga empat"
    assert lines.observe(page("a", "p1", (five,), words=20)).learned == [five]  # 5/20: a quarter
    six = "ikuti satu dua tiga empat lima"
    assert lines.observe(page("a", "p2", (six,), words=23)).refused == {"share": 1}  # 6/23
    assert six in lines.never
    assert lines.observe(page("a", "p3", (six,), words=23)).refused == {}  # counted once


def test_a_page_mostly_promo_teaches_nothing() -> None:
    lines = RecurringLines(min_pages=1, min_contexts=1)
    four, other = "ikuti satu dua tiga", "unduh satu dua tiga"
    # 8 of 24 words: a third, allowed
    assert sorted(lines.observe(page("a", "p1", (four, other), words=24)).learned) == sorted(
        [four, other]
    )
    lines = RecurringLines(min_pages=1, min_contexts=1)
    seen = lines.observe(page("a", "p1", (four, other + " x"), words=24))  # 9 of 24
    assert seen.refused == {"page": 1} and seen.learned == [] and not lines.pending


def test_a_learned_line_found_as_text_is_unlearned_for_good() -> None:
    lines = RecurringLines(min_pages=1, min_contexts=1)
    lines.observe(page("a", "p1", (PROMO,)))
    assert PROMO in lines
    seen = lines.observe(page("a", "p2", text=(PROMO,)))
    assert seen.unlearned == [PROMO] and seen.refused == {"copied": 1}
    assert PROMO not in lines
    assert lines.observe(page("b", "p3", (PROMO,))).learned == []


def test_a_page_teaches_the_lines_it_left_out() -> None:
    lines = RecurringLines()
    seen = lines.observe(page("a", "p1", left_out=("Unduh Aplikasi Warta",)))
    assert seen.taught == ["Unduh Aplikasi Warta"] and seen.new_taught == ["Unduh Aplikasi Warta"]
    assert lines.taught == {"unduh aplikasi warta"}
    assert "unduh aplikasi warta" not in lines  # taught to later runs, not left out now
    again = lines.observe(page("b", "p2", left_out=("unduh aplikasi warta",)))
    assert again.taught == ["unduh aplikasi warta"] and again.new_taught == []


def test_a_taught_line_found_as_text_is_untaught() -> None:
    lines = RecurringLines()
    lines.observe(page("a", "p1", left_out=("Unduh Aplikasi Warta",)))
    seen = lines.observe(page("a", "p2", text=("unduh aplikasi warta",)))
    assert seen.unlearned == ["unduh aplikasi warta"] and not lines.taught
    assert lines.observe(page("a", "p3", left_out=("Unduh Aplikasi Warta",))).refused == {}
    assert not lines.taught


def test_what_a_page_may_teach() -> None:
    four = tuple(f"Promo {n}" for n in range(4))
    assert RecurringLines().observe(page("a", "p", left_out=four)).taught == list(four)
    five = (*four, "Promo 4")
    assert RecurringLines().observe(page("a", "p", left_out=five)).refused == {"page": 1}
    # the same line twice is one line
    twice = (*four, "PROMO 0")
    assert RecurringLines().observe(page("a", "p", left_out=twice)).refused == {}
    # a third of the body at most
    long = ("satu dua tiga empat lima", "enam tujuh delapan sembilan sepuluh")
    assert RecurringLines().observe(page("a", "p", left_out=long, words=30)).refused == {}
    assert RecurringLines().observe(page("a", "p", left_out=long, words=29)).refused == {"page": 1}


def test_a_taught_line_is_short_and_a_small_share() -> None:
    line = " ".join(["kata"] * 25)  # a quarter of 100 words
    assert RecurringLines().observe(page("a", "p", left_out=(line,), words=100)).taught == [line]
    lines = RecurringLines()
    seen = lines.observe(page("a", "p", left_out=(line,), words=99))
    assert seen.refused == {"share": 1} and seen.taught == [] and line in lines.never
    assert lines.observe(page("a", "q", left_out=(line,), words=99)).refused == {}
    fifty, fifty_one = " ".join(["k"] * 50), " ".join(["k"] * 51)
    assert RecurringLines().observe(page("a", "p", left_out=(fifty,), words=900)).taught
    seen = RecurringLines().observe(page("a", "p", left_out=(fifty_one,), words=900))
    assert seen.refused == {"share": 1}


def test_a_line_of_text_is_never_taught() -> None:
    lines = RecurringLines()
    lines.observe(page("a", "p1", text=("unduh aplikasi warta",)))
    seen = lines.observe(page("a", "p2", left_out=("Unduh Aplikasi Warta",)))
    assert seen.refused == {"copied": 1} and not lines.taught


def test_long_text_lines_are_not_kept_to_know_a_copy() -> None:
    fifty = "ikuti " + " ".join(["k"] * 49)
    fifty_one = fifty + " k"
    lines = RecurringLines(min_pages=1, min_contexts=1)
    lines.observe(page("a", "p0", text=(fifty, fifty_one), words=1000))
    assert hash(fifty) in lines.text and hash(fifty_one) not in lines.text


def test_the_text_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(b, "MAX_TEXT_LINES", 5)
    lines = RecurringLines(min_pages=1, min_contexts=1)
    lines.observe(page("a", "p0", text=(PROMO,)))  # its 4 lines, then PROMO: 5
    lines.observe(page("a", "p1", text=("unduh aplikasi",)))
    assert len(lines.text) == 5 and hash("unduh aplikasi") not in lines.text


def test_the_pending_lines_are_bounded_oldest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(b, "MAX_PENDING_LINES", 2)
    lines = RecurringLines()
    lines.observe(page("a", "p1", ("ikuti a",)))
    lines.observe(page("a", "p2", ("ikuti b",)))
    lines.observe(page("a", "p3", ("ikuti c",)))
    assert list(lines.pending) == ["ikuti b", "ikuti c"]
    for n in range(3):
        lines.observe(page("a", f"s{n}", (f"dalam siaran {n}",)))
    assert lines.never == {"dalam siaran 0", "dalam siaran 1"}


def test_witnesses_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    witnesses = b.Witnesses()
    for n in range(14):
        assert witnesses.add(page(f"c{n}", f"p{n}"))
    assert witnesses.pages == 14
    assert len(witnesses.sketches) == 4 * b.MIN_PAGES
    assert len(witnesses.contexts) == b.MAX_CONTEXTS
    assert witnesses.contexts == {f"c{n}" for n in range(8)}
    assert not witnesses.add(page("z", "p11"))  # kept
    assert witnesses.add(page("z", "p13"))  # past the sketches kept: counted again


# -- leaving lines out ----------------------------------------------------------------------

BODY = "\n\n".join(["Satu dua tiga empat lima enam tujuh delapan.", "Ikuti kami.", "Penutup ini."])


def test_leave_out_takes_a_learned_line() -> None:
    left = leave_out(BODY, {"ikuti kami."})
    assert left.body == "Satu dua tiga empat lima enam tujuh delapan.\n\nPenutup ini."
    assert left.removed == ["Ikuti kami."] and left.kept == [] and not left.would_empty


def test_leave_out_reads_past_an_empty_paragraph() -> None:
    body = "Satu dua tiga empat lima enam tujuh delapan.\n\n \n\nIkuti kami.\n\nPenutup."
    assert leave_out(body, {"ikuti kami."}).removed == ["Ikuti kami."]


def test_leave_out_reads_lines_cleaned_and_folded() -> None:
    body = "Satu dua tiga empat lima enam tujuh delapan.\n\n IKUTI\u00a0 Kami. \n\nAkhir."
    assert leave_out(body, {"ikuti kami."}).removed == ["IKUTI Kami."]


def test_leave_out_without_a_learned_line() -> None:
    assert leave_out(BODY, set()) == b.LeftOut(BODY, [], [])
    assert leave_out(BODY, {"lain"}) == b.LeftOut(BODY, [], [])


def test_leave_out_never_takes_a_line_over_a_quarter() -> None:
    body = "Satu dua tiga.\n\nIkuti kami di sini."  # 7 words: 4 is over a quarter
    left = leave_out(body, {"ikuti kami di sini."})
    assert left.body == body and left.kept == ["Ikuti kami di sini."] and left.removed == []
    body = "a b c d e f g h i j k l.\n\nIkuti kami di sini."  # 16 words: 4 is a quarter
    assert leave_out(body, {"ikuti kami di sini."}).removed == ["Ikuti kami di sini."]


def test_leave_out_never_takes_more_than_a_third() -> None:
    lines = {"ikuti kami.", "unduh aplikasi."}
    body = "\n\n".join(["a b c d e f g", "Ikuti kami.", "Unduh aplikasi."])  # 4 of 11
    left = leave_out(body, lines)
    assert left.body == body and left.removed == []
    assert left.kept == ["Ikuti kami.", "Unduh aplikasi."] and not left.would_empty
    body = "\n\n".join(["a b c d e f g h", "Ikuti kami.", "Unduh aplikasi."])  # 4 of 12
    assert leave_out(body, lines).removed == ["Ikuti kami.", "Unduh aplikasi."]


def test_leave_out_never_empties_a_body() -> None:
    body = "Ikuti kami.\n\n\n\nIkuti kami."
    left = leave_out(body, {"ikuti kami."})
    assert left == b.LeftOut(body, [], ["Ikuti kami."], True)


def test_leave_out_keeps_the_lines_too_large_while_it_takes_the_others() -> None:
    body = "\n\n".join(["a b c d e f g h i j k l m n o p", "Ikuti kami.", "x y z w v u"])
    left = leave_out(body, {"ikuti kami.", "x y z w v u"})  # 6 of 24 words: a quarter
    assert left.removed == ["Ikuti kami.", "x y z w v u"]
    left = leave_out(body.replace("x y z w v u", "x y z w v u t"), {"ikuti kami.", "x y z w v u t"})
    assert left.removed == ["Ikuti kami."] and left.kept == ["x y z w v u t"]


def test_drop_lines_keeps_paragraphs_as_read() -> None:
    body = " Satu  dua \n\nIKUTI kami\n\nTiga"
    assert b.drop_lines(body, {"ikuti kami"}) == (" Satu  dua \n\nTiga", ["IKUTI kami"])
    assert b.drop_lines("Ikuti kami", {"ikuti kami"}) == (None, ["Ikuti kami"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Ikuti kami.",
                "Unduh aplikasi.",
                "Isi berita satu dua tiga.",
                "Kalimat lain yang cukup panjang di sini.",
                "",
            ]
        ),
        max_size=8,
    ),
)
def test_leave_out_bounds_hold_for_any_body(paragraphs: list[str]) -> None:
    body = "\n\n".join(paragraphs)
    left = leave_out(body, {"ikuti kami.", "unduh aplikasi."})
    removed_words = sum(b.words(line) for line in left.removed)
    assert removed_words <= b.MAX_REMOVED_SHARE * b.words(body)
    assert all(b.words(line) <= b.MAX_LINE_SHARE * b.words(body) for line in left.removed)
    assert left.body.strip() or not body.strip()
    assert b.words(left.body) + removed_words == b.words(body)
