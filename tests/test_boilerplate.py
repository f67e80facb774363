"""Every boilerplate rule, and the pipeline that applies them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scrapy.utils.test import get_crawler

from newscrawl.boilerplate import SHARED_RULES, filter_paragraphs, invitation
from newscrawl.items import ArticleItem
from newscrawl.pipelines import BoilerplatePipeline
from newscrawl.processors import clean_text
from newscrawl.sites import bisnis, kompas

RULES = bisnis.SITE.rules()
BISNIS_RULES = bisnis.PROMO_RULES
KOMPAS_RULES = kompas.PROMO_RULES

CASES = [
    ("bisnispro_promo", "Nyaman tanpa iklan. Langganan BisnisPro"),
    ("bisnispro_promo", "NYAMAN  TANPA IKLAN.\u00a0Langganan Bisnis Pro"),
    ("google_news_cta", "Cek Berita dan Artikel yang lain di Google News dan WA Channel"),
    ("google_news_cta", "cek berita dan artikel lainnya di google news"),
    ("investment_disclaimer", "Disclaimer: berita ini tidak bertujuan mengajak membeli saham."),
    ("investment_disclaimer", "DISCLAIMER : Berita ini tidak bertujuan mengajak"),
    (
        "premium_cta",
        "Dapatkan informasi komprehensif di Bisnis.com yang diolah secara mendalam untuk "
        "menavigasi bisnis Anda. Silakan login untuk menikmati artikel Konten Premium.",
    ),
    ("read_also", "Baca Juga: Proyeksi Neraca Perdagangan Kuartal IV/2025"),
    ("read_also", "Baca juga : Rupiah menguat"),
    ("read_also", "BACA PULA: Rupiah menguat"),
    ("read_also", "Baca Juga Proyeksi Neraca Perdagangan"),
    ("read_also", "Simak Juga: Rupiah menguat"),
    ("watch_video", "Simak Video Pilihan di Bawah Ini:"),
    ("watch_video", 'Saksikan video "Rupiah menguat"'),
    ("watch_video", "Tonton Video: Rupiah menguat"),
    ("watch_video", "[Gambas:Video Warta]"),
    ("read_also", "Lihat juga: Rupiah menguat"),
    ("read_also", "BACA: Rupiah menguat"),
    ("disclaimer", "DISCLAIMER: Berita ini bukan ajakan membeli saham."),
    ("embed_caption", "A post shared by Bisnis.com (@bisniscom)"),
]


@pytest.mark.parametrize(("name", "paragraph"), CASES)
def test_rule_drops_its_line(name: str, paragraph: str) -> None:
    cleaned = filter_paragraphs(["Isi berita.", paragraph], RULES)
    assert cleaned.kept == ["Isi berita."]
    assert cleaned.dropped == [name]


def test_every_rule_has_a_case() -> None:
    assert {r.name for r in BISNIS_RULES + SHARED_RULES} == {name for name, _ in CASES}


@pytest.mark.parametrize(
    "paragraph",
    [
        "Menurut analis, pembaca perlu membaca juga laporan keuangan.",
        "Investor diminta cek berita resmi dari BEI.",
        "Disclaimer itu muncul di laman resmi perusahaan.",
        "Langganan BisnisPro kini naik 10 persen, kata direksi.",
    ],
)
def test_rules_keep_news_sentences(paragraph: str) -> None:
    assert filter_paragraphs([paragraph], RULES).kept == [paragraph]


@given(
    st.lists(
        st.one_of(
            st.sampled_from([paragraph for _, paragraph in CASES]),
            st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
        )
    )
)
def test_filter_keeps_or_names_every_paragraph(paragraphs: list[str]) -> None:
    """Each paragraph is kept (in order) when no rule matches it, else dropped under the name
    of the first rule that does: the one alternation of every rule reads as the rules, tried
    one after the other."""
    cleaned = filter_paragraphs(paragraphs, RULES)

    def first_rule(paragraph: str) -> str | None:
        text = clean_text(paragraph)
        return next((r.name for r in RULES if r.pattern.match(text)), None)

    names = [first_rule(paragraph) for paragraph in paragraphs]
    assert cleaned.kept == [p for p, name in zip(paragraphs, names, strict=True) if name is None]
    assert cleaned.dropped == [name for name in names if name is not None]


def test_pipeline_counts_each_rule_and_recounts_words() -> None:
    crawler = get_crawler()
    pipeline = BoilerplatePipeline(crawler)
    item = ArticleItem(
        site="bisnis.com",
        body="Satu dua.\n\nBaca Juga: X\n\nNyaman tanpa iklan. Langganan BisnisPro\n\nTiga.",
        word_count=99,
    )
    pipeline.process_item(item)
    assert item.body == "Satu dua.\n\nTiga."
    assert item.word_count == 3
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/boilerplate/bisnis.com/read_also") == 1
    assert crawler.stats.get_value("newscrawl/boilerplate/bisnis.com/bisnispro_promo") == 1


def test_pipeline_empties_an_all_promo_body() -> None:
    item = ArticleItem(site="bisnis.com", body="Baca Juga: X")
    BoilerplatePipeline(get_crawler()).process_item(item)
    assert item.body is None and item.word_count == 0


def test_pipeline_leaves_items_without_body() -> None:
    item = ArticleItem(site="bisnis.com")
    assert BoilerplatePipeline(get_crawler()).process_item(item).body is None


def test_unknown_site_gets_shared_rules_only() -> None:
    body = "Isi.\n\nNyaman tanpa iklan. Langganan BisnisPro\n\nBaca juga: Lain"
    crawler = get_crawler()
    item = BoilerplatePipeline(crawler).process_item(ArticleItem(site="example.com", body=body))
    assert item.body == "Isi.\n\nNyaman tanpa iklan. Langganan BisnisPro"
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/boilerplate/example.com/read_also") == 1


# --- Kompas.com ----------------------------------------------------------------------------

KOMPAS_CASES = [
    ("kompas_plus_promo", "Baca berita tanpa iklan. Gabung Kompas.com+"),
    ("kompas_plus_promo", "BACA BERITA TANPA IKLAN.\u00a0Gabung Kompas.com +"),
    (
        "whatsapp_channel_cta",
        "Simak breaking news dan berita pilihan kami langsung di ponselmu. Pilih saluran "
        "andalanmu akses berita Kompas.com WhatsApp Channel : https://www.whatsapp.com/channel/"
        "0029VaFPbedBPzjZrk13HO3D. Pastikan kamu sudah install aplikasi WhatsApp ya.",
    ),
    (
        "telegram_cta",
        "Dapatkan update berita pilihan dan breaking news setiap hari dari Kompas.com. Mari "
        'bergabung di Grup Telegram "Kompas.com News Update", caranya klik link '
        "https://t.me/kompascomupdate, kemudian join.",
    ),
    ("comment_cta", "Kirimkan komentar anda"),
    (
        "copyright",
        "Copyright 2008 - 2025 PT. Kompas Cyber Media (Kompas Gramedia Digital Group). "
        "All rights reserved.",
    ),
    (
        "read_also",
        "Baca juga: Proyeksi Harga Minyak Mentah Kuartal IV/2025: Analis Beberkan Risiko",
    ),
]


@pytest.mark.parametrize(("name", "paragraph"), KOMPAS_CASES)
def test_kompas_rule_drops_its_line(name: str, paragraph: str) -> None:
    cleaned = filter_paragraphs(["Isi berita.", paragraph], kompas.SITE.rules())
    assert cleaned.kept == ["Isi berita."]
    assert cleaned.dropped == [name]


def test_every_kompas_rule_has_a_case() -> None:
    assert {r.name for r in KOMPAS_RULES} <= {name for name, _ in KOMPAS_CASES}


@pytest.mark.parametrize(
    "paragraph",
    [
        "Pembaca dapat membaca berita tanpa iklan di aplikasi, kata manajemen Kompas.com.",
        "Warga diminta menyimak breaking news dari BMKG, kata kepala daerah.",
        "Kompas Cyber Media mencatat copyright atas konten ini.",
        "Nyaman tanpa iklan. Langganan BisnisPro",
    ],
)
def test_kompas_rules_keep_news_sentences(paragraph: str) -> None:
    assert filter_paragraphs([paragraph], kompas.SITE.rules()).kept == [paragraph]


def test_each_site_gets_its_own_rules_then_the_shared() -> None:
    assert kompas.SITE.rules() == KOMPAS_RULES + SHARED_RULES
    promo = "Baca berita tanpa iklan. Gabung Kompas.com+"
    assert filter_paragraphs([promo], RULES).kept == [promo]


def test_pipeline_counts_drops_by_site_and_rule() -> None:
    crawler = get_crawler()
    item = ArticleItem(
        site="kompas.com",
        body="Satu.\n\nBaca juga: X\n\nBaca berita tanpa iklan. Gabung Kompas.com+\n\nDua.",
    )
    BoilerplatePipeline(crawler).process_item(item)
    assert item.body == "Satu.\n\nDua."
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/boilerplate/kompas.com/read_also") == 1
    assert crawler.stats.get_value("newscrawl/boilerplate/kompas.com/kompas_plus_promo") == 1
    assert crawler.stats.get_value("newscrawl/boilerplate/bisnis.com/read_also") is None


@pytest.mark.parametrize(
    ("line", "promo"),
    [
        ("Ikuti berita terkini dari Warta di Google News", True),
        ("Unduh aplikasi Warta di Play Store dan App Store, gratis!", True),
        ("Gabung kanal WhatsApp Warta untuk update tercepat", True),
        ("Kirim tulisan opini Anda ke redaksi@warta.example", True),
        ("Pemerintah mengajak warga mengunduh aplikasi layanan pajak.", False),
        ("Ikuti perkembangan harga emas hari ini.", False),
        ("Simak berita di aplikasi " + "kata " * 30, False),
    ],
)
def test_invitation(line: str, promo: bool) -> None:
    assert invitation(line) is promo


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Gabung kanal WA kami", True),
        ("di APP STORE", True),
        ("unduh apps-nya", True),
        ("surel: redaksi@warta.example", True),
        ("Tonton di TV", True),
        ("Warga dewan kota", False),  # "wa" inside words
        ("Tayang di KompasTV", False),  # "tv" ends a word, does not stand alone
        ("Pengiklan dan penggabungan usaha", False),
        ("a happy ending", False),
    ],
)
def test_channel_words_whole_where_they_must_be(text: str, named: bool) -> None:
    from newscrawl.boilerplate import channel

    assert channel(text) is named


def test_drop_lines() -> None:
    from newscrawl.boilerplate import drop_lines

    body = "Isi.\n\nDapatkan  kabar pilihan.\n\nPenutup."
    assert drop_lines(body, {"dapatkan kabar pilihan."}) == (
        "Isi.\n\nPenutup.",
        ["Dapatkan kabar pilihan."],
    )
    assert drop_lines("Dapatkan kabar pilihan.", {"dapatkan kabar pilihan."}) == (
        None,
        ["Dapatkan kabar pilihan."],
    )
    assert drop_lines(body, set()) == (body, [])
