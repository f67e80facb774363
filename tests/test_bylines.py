"""Authors of any page (newscrawl/bylines.py): names of bylines and of JSON-LD, cleaned."""

from __future__ import annotations

import pytest

from newscrawl.bylines import (
    byline_names,
    clean_name,
    full_names,
    json_ld_names,
    lone_names,
    more_people,
    organisation,
    same_people,
    split_names,
    without_place,
)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Ani Lestari dan Budi", ["Ani Lestari", "Budi"]),
        ("Felix Schröder und Jörg Soldwisch", ["Felix Schröder", "Jörg Soldwisch"]),
        ("A. Smith and B. Jones & C. Wu", ["A. Smith", "B. Jones", "C. Wu"]),
        ("John Y. Smith", ["John Y. Smith"]),  # an initial is no "y" (Spanish "and")
    ],
)
def test_split_names(text: str, names: list[str]) -> None:
    assert split_names(text) == names


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Elena Oberholzer (obe)", "Elena Oberholzer"),
        ("Corina Gall (cog.)", "Corina Gall"),
        ("Sophie FosterTravel News Reporter", "Sophie Foster"),
        ("Kevin McCarthy", "Kevin McCarthy"),
        ("Ron DeSantis", "Ron DeSantis"),
        ("Melvina Tionardus,", "Melvina Tionardus"),
        ("d.kuckelkorn@boersen-zeitung.de", None),
        ("https://www.example.com/author/x", None),
        ("of the article", None),
        ("April", None),
        ("Twitter", None),
        ("Twitter Facebook", None),  # a share box's networks, each no name
        ("Mykolo Romerio universiteto Žmogaus ir visuomenės studijų fakulteto profesorius", None),
    ],
)
def test_clean_name(text: str, name: str | None) -> None:
    assert clean_name(text) == name


def test_a_name_given_as_data_keeps_its_case() -> None:
    assert clean_name("dpa", shown=False) == "dpa"
    assert clean_name("dpa") is None  # shown: a name opens with a capital
    # a desk's name in data keeps its role words
    assert clean_name("Guardian staff reporter", shown=False) == "Guardian staff reporter"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Penulis: Ani Lestari dan Budi | Editor: Citra", ["Ani Lestari", "Budi"]),
        # a label of one word and a colon, in any language; not an editor's, a photo's
        ("Автор: Иван Петров", ["Иван Петров"]),
        ("Muhabir: Ali Veli", ["Ali Veli"]),
        ("作者：李明", ["李明"]),
        ("ผู้เขียน: สมชาย ใจดี", ["สมชาย ใจดี"]),
        ("Jane Doe: Senior Reporter", ["Jane Doe"]),  # two words: a name, no label
        ("Editor : Nancy Junita", []),
        ("Foto: Jane Doe", []),
        ("Quelle: Jane Doe", []),
        ("Übersetzung: Jane Doe", []),
        # labels without a colon: Chinese's, Arabic's, Italian's "di" (not "Di" of a name)
        ("记者 李明", ["李明"]),
        ("記者 山田太郎", ["山田太郎"]),
        ("بقلم أحمد محمود", ["أحمد محمود"]),
        ("di Mario Rossi", ["Mario Rossi"]),
        ("Luigi Di Maio", ["Luigi Di Maio"]),
        ("Di Stefano Rossi", ["Di Stefano Rossi"]),
        # a reporter's title after the name; Korean agencies' and papers' "X=" before it
        ("김민수 기자", ["김민수"]),
        ("山田太郎記者", ["山田太郎"]),
        ("李明 特派员", ["李明"]),
        ("(서울=연합뉴스) 김민수 기자 =", ["김민수"]),
        ("스포츠조선=선수민 기자", ["선수민"]),
        # an agency added after the names; a day's short name before the date
        ("Par Marie Dupont avec AFP", ["Marie Dupont"]),
        ("Por Juan Pérez con EFE", ["Juan Pérez"]),
        ("Von Anna Roth mit dpa", ["Anna Roth"]),
        ("Door Jan de Vries di 5 mrt 2024, 10:32", ["Jan de Vries"]),
        ("di Mario Rossi, inviato a Kiev", ["Mario Rossi"]),
        # Drupal's Olivero: the byline, then the day's short name and the date
        ("By Hannah Okafor, Tue, 03/05/2024 - 10:30", ["Hannah Okafor"]),
        ("By Wei Sun, 5 March 2024", ["Wei Sun"]),
        # a translator named after the writer (infoq.com's Japanese pages)
        ("作者： Diogo Carleto 翻訳者 中村 真子", ["Diogo Carleto"]),
        ("By Jane Doe Translated by John Smith", ["Jane Doe"]),
        ("Por Juan Pérez, enviado especial a Kiev", ["Juan Pérez"]),
        ("Jan Novák a Petr Svoboda", ["Jan Novák", "Petr Svoboda"]),
        ("Oleh Andi Pratama - Bisnis.com", ["Andi Pratama"]),
        ("By John Smith and Jane Doe, Reuters", ["John Smith", "Jane Doe", "Reuters"]),
        ("bySauli Giliard", ["Sauli Giliard"]),
        ("Naufal Zuhdi 20/1/2026 18:30", ["Naufal Zuhdi"]),
        ("Kyle Wiggers 7 hours", ["Kyle Wiggers"]),
        ("Greg Iacurci@Greg", ["Greg Iacurci"]),
        ("Von Ines Zöttl, Washington", ["Ines Zöttl"]),
        ("Par Jean Dupont, à Paris", ["Jean Dupont"]),
        ("Von Julian Seiferth, Charlotta Siemer", ["Julian Seiferth", "Charlotta Siemer"]),
        ("Autorin/Autor Roman Goncharenko", ["Roman Goncharenko"]),
        ("Malek Fouda Zuerst veröffentlicht", ["Malek Fouda"]),
        ("Redaktion hessenschau.de", []),
        ("Text: Max Muster", ["Max Muster"]),
        ("Text/Foto: Anna Muster", ["Anna Muster"]),
        # what US bylines print after the names (postlight/parser's pages)
        ("ByTravis Haney", ["Travis Haney"]),
        ("By by JOSH HASKELL and DAVID CAPLAN", ["JOSH HASKELL", "DAVID CAPLAN"]),
        ("Byby JOSH HASKELL and DAVID CAPLAN", ["JOSH HASKELL", "DAVID CAPLAN"]),
        ("BYRON SMITH", ["BYRON SMITH"]),
        ("By Nicole Gallucci on December 13, 2016", ["Nicole Gallucci"]),
        ("Teresa Newsome Dec. 5, 2016", ["Teresa Newsome"]),
        ("Sam Stein Senior Politics Editor", ["Sam Stein"]),
        ("Andrew Husband, Culture Writer", ["Andrew Husband"]),
        ("Staff Writer", []),
        ("Benjamin Romano Seattle Times business reporter", []),
        ("Rebecca Hersher Twitter", ["Rebecca Hersher"]),
        ("More stories by Jeremy Herron", ["Jeremy Herron"]),
        ("Cécile Ducourtieux(Bruxelles, correspondant)", ["Cécile Ducourtieux"]),
        ("Richard (R.J.) Eskow", ["Richard (R.J.) Eskow"]),
        # names added in parentheses are authors too (lemonde.fr)
        (
            "Martin Untersinger (avec Damien Leloup et Morgane Tual)",
            ["Martin Untersinger", "Damien Leloup", "Morgane Tual"],
        ),
        ("By Jane Doe (with John Roe)", ["Jane Doe", "John Roe"]),
        # ... but a credit or an agency in parentheses names nobody
        ("Anna Schmidt (mit Material von Reuters)", ["Anna Schmidt"]),
        ("Jane Doe (with reporting by John Roe and Ann Lee)", ["Jane Doe"]),
        ("Ani Lestari (dengan Antara)", ["Ani Lestari"]),
        # a blog's category and date after the name (phoronix.com); a place stays unread
        ("Written by Michael Larabel in Valve on 1 June 2019", ["Michael Larabel"]),
        ("Uta Staschewski, Projektleiterin der HSS in Tunesien", ["Uta Staschewski"]),
        # a hashtag, a series' name, names nobody (klubjagiellonski.pl's span.autor)
        ("#Krótko o przepisach prawa w Nowej Zelandii i Polsce", []),
        ("Follow us on Twitter", []),
        ("See all", []),
        ("TIMESOFINDIA.COM / Updated", ["TIMESOFINDIA.COM"]),
        # ... and what those rules must leave alone (a reviewer's cases)
        ("By Oleh Pavliuk", ["Oleh Pavliuk"]),
        ("By Rachel May, 12 March 2024", ["Rachel May"]),
        ("By Brian May 3 hours ago", ["Brian May"]),
        ("By Jane Doe View all posts", ["Jane Doe"]),
        ("By Mark van der Berg Contributor", ["Mark van der Berg"]),
        ("By Ahmed al-Sayed Contributor", ["Ahmed al-Sayed"]),
        ("By Sophie in 't Veld", ["Sophie in 't Veld"]),
        ("By Jane Doe, Times Staff Writer", ["Jane Doe"]),
        ("Senior Reporter Jane Doe", ["Jane Doe"]),
        ("By Juan Mar 5", ["Juan Mar"]),
        ("Erin Cunningham March 11 at 10:09 AM", ["Erin Cunningham"]),
        ("Aleš Vávra před 2 hodinami", ["Aleš Vávra"]),
        ("Piše: P. Mucović prije 3 sata", ["P. Mucović"]),
        ("Rob Ewaschuk Edited by Betsy Beyer", ["Rob Ewaschuk"]),
        ("Latest news", []),
        ("Das Magazin für Lesben", []),
        ("Terms of Use", []),
    ],
)
def test_byline_names(text: str, names: list[str]) -> None:
    assert byline_names(text, site_names=["bisnis.com", "hessenschau.de"]) == names


def test_the_sites_own_name_is_no_author() -> None:
    assert byline_names("Lesotho Times", site_names=["lesotho times"]) == []


def test_without_place() -> None:
    assert without_place("Ines Zöttl, Washington") == "Ines Zöttl"
    assert without_place("Ani Lestari, Budi Santoso") == "Ani Lestari, Budi Santoso"
    assert without_place("Ani, Budi") == "Ani, Budi"
    assert without_place("Felix Schröder und Jörg Soldwisch, dpa") == (
        "Felix Schröder und Jörg Soldwisch, dpa"
    )


def test_json_ld_names() -> None:
    graph = {"https://x/#p1": {"@id": "https://x/#p1", "@type": "Person", "name": "Eliaser N"}}
    author = [
        {"@type": "Person", "givenName": "Anna Giulia", "familyName": "Fink"},
        {"@type": "Person", "byline": "Gopal Sharma"},
        {"@type": ["Person", "Organization"], "name": "Kyle Wiggers"},
        {"@id": "https://x/#p1"},
        {"@type": "Organization", "name": "Arusdaerah"},
        {"@type": "Person", "name": "Felix Schröder und Jörg Soldwisch, dpa"},
        {"@id": "https://x/author/admin/", "name": "Ilanga D"},  # a site's account
        {"@type": "Person", "name": "admin"},
    ]
    assert json_ld_names(author, graph) == [
        "Anna Giulia Fink", "Gopal Sharma", "Kyle Wiggers", "Eliaser N", "Felix Schröder",
        "Jörg Soldwisch", "dpa",
    ]  # fmt: skip
    assert json_ld_names("Ani dan Budi", {}) == ["Ani", "Budi"]


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("Mohloai Mpesi", ["Mohloai Mpesi"]),
        ("Mathatisi Sebusi/Mohalenyane Phakela", ["Mathatisi Sebusi", "Mohalenyane Phakela"]),
        ("Jane Doe and John Smith", ["Jane Doe", "John Smith"]),
        ("Anne-Marie O'Brien", ["Anne-Marie O'Brien"]),
        ("MTHOBISI SITHOLE", ["MTHOBISI SITHOLE"]),
        ("F.P. Report", ["F.P. Report"]),
        ("Mohloai", []),  # one word: no full name
        ("Jane doe", []),
        ("Reporting by Jane Doe", []),
        ("The council approved the budget.", []),
        ("Updated May 5 2024", []),
        ("Follow Us On Twitter", []),
        ("A B C D E", []),
        ("Ann Lee, Bo Kim, Cy Yu, Di Ma, Ed Ng", []),  # more names than a byline gives
    ],
)
def test_lone_names(line: str, names: list[str]) -> None:
    assert lone_names(line) == names


def test_same_people_and_full_names() -> None:
    assert same_people(["Ani"], ["Ani Lestari"])
    assert not same_people(["Naufal Zuhdi"], ["Heryadi"])
    assert full_names(["Naufal Zuhdi"])
    assert not full_names(["Artikel"])
    assert not full_names([])


def test_more_people() -> None:
    """A byline naming everyone the data names, and someone more."""
    assert more_people(["Katrin Sommerfeld", "Jonas Albrecht"], ["Katrin Sommerfeld"])
    assert more_people(["Ani Lestari", "Budi"], ["Ani"])
    assert not more_people(["Katrin Sommerfeld"], ["Katrin Sommerfeld"])  # no one more
    assert not more_people(["Katrin Sommerfeld"], ["Katrin Sommerfeld", "Jonas Albrecht"])
    assert not more_people(["Jonas Albrecht", "Eva Roth"], ["Katrin Sommerfeld"])  # others
    assert not more_people(["Jonas Albrecht", "Eva Roth"], ["Jonas Albrecht", "Katrin Roe"])


@pytest.mark.parametrize(
    "label",
    ["Editor", "Redaktion", "Redacción", "Redazione", "Penyunting", "Foto", "Photo", "Bild",
     "Images", "Ilustrasi", "Illustration", "Grafik", "Source", "Sumber", "Quelle", "Fuente",
     "Fonte", "Credit", "Kredit", "Video", "Kamera", "Camera", "Übersetzung", "Translation",
     "Terjemahan"],
)  # fmt: skip
def test_a_label_of_someone_who_did_not_write_names_no_author(label: str) -> None:
    assert byline_names(f"{label}: Jane Doe") == []


@pytest.mark.parametrize(
    ("name", "company"),
    [
        ("Agencia EFE", True), ("Redazione ANSA", True), ("Europa Press", True),
        ("Redação", True), ("РИА Новости", True), ("ТАСС", True), ("TNN", True),
        ("Haber Merkezi", True), ("Jornal Paulistano", True), ("The Associated Press", True),
        ("MND Staff", True), ("Anadolu Ajansı", True), ("Reuters", True),
        ("Saibal Dasgupta", False), ("Иван Петров", False), ("Al Gore", False),
        ("Ana Souza", False), ("Emily Post", False), ("AFPx", False), ("Eyal Press", False),
        ("Matt Haber", False), ("Antara Dev Sen", False), ("Michael R. Bloomberg", False),
        ("Deutsche Presse-Agentur", True), ("Press Trust of India", True),
        ("The Canadian Press", True), ("Press Association", True), ("Bloomberg News", True),
        ("Antara News", True), ("Diario Libre", True),
    ],
)  # fmt: skip
def test_organisation(name: str, company: bool) -> None:
    assert organisation(name) is company


def test_an_equals_sign_cuts_a_korean_byline_only() -> None:
    """Korean bylines join a place, a paper or an agency to the name with "=" ("스포츠조선=선수민
    기자"); another byline's "=" is no such joint, and its names stay."""
    assert byline_names("스포츠조선=선수민 기자") == ["선수민"]
    assert byline_names("By Jane Doe (jane=doe)") != []
