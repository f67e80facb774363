"""Page furniture in bodies, in any language (newscrawl/pages/furniture.py)."""

from __future__ import annotations

import pytest

from newscrawl.pages.furniture import (
    ad_line,
    byline_line,
    credit_line,
    date_line,
    dated_byline_line,
    disclosure_line,
    follow_line,
    furniture_line,
    gallery_line,
    link_label_line,
    newsletter_line,
    paywall_line,
    rights_line,
    share_line,
    words_of,
)

ARTICLE_LINES = [
    "Die Regierung hat am Montag beschlossen, dass die neuen Regeln ab 2025 gelten sollen.",
    "Von Montag an gilt das neue Gesetz.",
    "By the time we arrived, the rain had stopped.",
    "Hamburg-Marathon 2024 gestartet",
    "Seit Mai 2022 Chefkontrolleur",
    "£79.99, Lakeland",
    "Read more about the plan in the minister's statement, published on Tuesday.",
    "Dia menambahkan, pemerintah tengah menyiapkan insentif baru untuk mendorong investasi.",
    "The fire started at 14:30 and was put out two hours later, the police said.",
    "Die Stadt hat 1,5 Millionen Einwohner.",
    "2/3 of the voters said no.",
    "Die Legende lebt: Der Verein feiert sein 100-jähriges Bestehen mit einem großen Fest.",
    "Share this article with your friends, the mayor told the crowd, because it matters.",
    "The agency said it would publish the AP photos later.",
    "12 hours ago the vote was still open, and the mayor had not yet spoken.",
    "Avec les agences de notation, le gouvernement négocie depuis des mois une nouvelle note.",
    "La PAP a annoncé mardi que le dossier serait rouvert en mai.",
    "Con información de la policía, se supo que el conductor había bebido. Fue detenido.",
    # the words of the labels and notices of other languages in ordinary sentences
    "Il regolamento è stato modificato nel 2023 dopo le proteste dei cittadini.",
    "O aplicativo foi atualizado em 2024 e agora permite pagamentos por aproximação.",
    "Aktualizacja systemu z 2024 roku przyniosła wiele zmian.",
    "Приложение обновлено в 2023 году и работает быстрее.",
    "Исследование опубликовано 5 марта в журнале Nature.",
    "Đội tuyển Việt Nam cập nhật danh sách 23 cầu thủ cho AFF Cup 2024.",
    "Tranh chấp bản quyền giữa hai công ty kéo dài nhiều năm.",
    "该公司未经授权使用了他人的商标长达三年。",
    "저작권자 단체는 2024년 새 법안에 반대했다.",
    # a photo story's caption is its text (xinhuanet.com's, trafilatura's evaluation keeps it)
    "2月17日，在武汉血液中心，康复病人在献血浆时拍照留念。新华社记者 才扬 摄",
    "Artikel teilen heißt Wissen teilen, sagt die Redaktion der Zeitung am Montag.",
    "The council's lawyer - Copyright Office veteran Jane Doe - said the rules stand.",
    "Lea el informe completo antes del lunes, dijo la ministra a los periodistas en Madrid.",
    "Lea: Ich habe damals gar nicht gewusst, wie schwer das wird.",
    "Lea – die jüngste Tochter der Familie – lebt heute in Berlin.",
    "Symbolbild einer Stadt, gemalt von Kindern der dritten Klasse, hängt nun im Rathaus.",
    "The minister posted the letter on https://twitter.com/minister on Monday.",
    "I like this plan, the mayor said.",
    "Was this article helpful to the council? The mayor thought so and said it on Monday.",
    "Über den Autor des Buches wissen wir wenig, sagte die Verlegerin am Montag in Berlin.",
    "Nach oben ging es für die Aktie erst am Nachmittag, als die Zahlen kamen.",
    "Analysts said the affiliate of the bank had earned less than a year before.",
    "Fox said its affiliate partners would carry the game in 40 markets.",
    "Amazon cut the commission rates it pays for affiliate links last year, the company said.",
    "Die Verbraucherzentrale warnt vor Affiliate-Links in Preisvergleichen, sagte die Sprecherin.",
    "We may receive commission payments, the broker told investors.",
    "Workers may receive compensation from the fund when the plant closes, the union said.",
    "Credits for the film rolled as the audience left: the director stayed seated.",
    "Le puede interesar saber que el alcalde firmó el presupuesto el lunes por la noche.",
    "Schon gelesen hatte er das Buch, bevor es erschien, sagte die Verlegerin.",
    "“Advertising revenue fell by half this year,” the chief executive said.",
    "„Werbung wirkt bei jungen Leuten kaum noch“, sagte die Forscherin.",
    "She posted the clips on youtube.com/@mayor and tiktok.com/@mayor, her aide said.",
    # ma.ttias.be's newsletter issue: a sentence naming a newsletter invites nobody to it
    "There’s quite a bit of news from Github this week, together with Windows 10 (I know, on "
    "a Linux-focussed newsletter no less!) and ARM servers.",
    "In a newsletter to investors on Monday, the fund's manager wrote that it would keep buying "
    "the company's shares through the end of the year.",
    "(c) 2019 amendments to the act require platforms to remove illegal content within 24 "
    "hours, the ministry said, and fines for those that fail to do so will double next year.",
    # readability's blogger page: "LUT/FF" is no agency and photographer
    "This runs a generic RTL synthesis pass, and finally maps the remaining logic to LUT/FF "
    "cells and outputs a JSON-formatted netlist.",
    "Debian GNU/Linux 9 and 8",
    # what a site says of its registration, and of subscriptions, that is no paywall
    "Falls Sie schon registriert sind können Sie die Einstellung ganz einfach in Ihrem Profil "
    "anpassen.",
    "First-time subscribers also receive a special welcome gift handmade in Haiti by expert "
    "artisans!",
    "He stopped to read the full story on his phone before the council meeting began.",
    "Subscribers said they waited for the full story before the council met on Monday.",
    "Subscribe today, the mayor said. Reporters waited for the full story from the council.",
    "Report by the committee found the budget short by a tenth, the mayor said.",
    "Social sharing of the clips grew after the mayor posted them on Monday.",
    "Analysts add us as a preferred source of data, the agency said on Monday.",
    "Add us as a preferred source of data, the agency asked the ministry on Monday.",
    # the review's: a battery's size, a payment system, a report's source, a budget line, a
    # quote about compensation (2026-12-08)
    "AA",
    "UPI",
    "Report by Amnesty International",
    "Créditos: 3.000 millones",
    "“We may receive compensation if the court rules in our favour,” the spokesman said.",
    "We may receive compensation from the state, farmers said after talks on the rail links.",
    "Anadolu Ajansı muhabirine konuşan yetkili, yangının kontrol altına alındığını söyledi.",
    # an analysis' section "Comment" (osw.waw.pl), a sentence about comments
    "Komentarz",
    "Kommentar",
    "Kommentare",
    "Reacties",  # Dutch news' "Reactions"
    "Yorumlar",
    "Comments are closed for this story, the editor said on Monday.",
    # a date, then a line of text or a place after " / ": no date and byline line
    "2020 / 2021 was the club's best season in a decade, the chairman said.",
    "12.03.2024 | Berlin",
    "Mai 2024 / Die Stadt plant ein neues Stadion",
    "Copyright law in the EU changed in 2019, and publishers now ask platforms to pay for the "
    "snippets they show, the commission said on Monday.",
]


@pytest.mark.parametrize("line", ARTICLE_LINES)
def test_article_lines_are_no_furniture(line: str) -> None:
    assert not furniture_line(line)


@pytest.mark.parametrize(
    ("test", "line"),
    [
        (ad_line, "Advertisement"),
        (ad_line, "ANZEIGE"),
        (ad_line, "Story continues below advertisement"),
        (ad_line, "Advertisement · Scroll to continue"),
        (link_label_line, "READ MORE: Genius dragged into Epstein file dump"),
        (link_label_line, "Lesen Sie auch"),
        (link_label_line, "Zum Artikel: Tarifrunde im ÖPNV"),
        (link_label_line, "WATCH | Palestinians react to Sinwar being named leader:"),
        (link_label_line, "Czytaj więcej"),
        (link_label_line, "Lesen Sie auch „Markt zieht Investitionen an“ Habecks Täuschung"),
        (link_label_line, "Lea más: El Gobierno aprueba el presupuesto"),
        (link_label_line, "Lea además: Las claves de la reforma"),
        (link_label_line, "Das könnte dich auch interessieren"),
        (link_label_line, "Das Thema könnte Sie auch interessieren"),
        (share_line, "Partager cet article"),
        (share_line, "Regala esta noticia"),
        (share_line, "Box aufklappen Box zuklappen"),
        (share_line, "Diesen Artikel teilenKommentare"),
        (share_line, "Diesen Artikel teilen FacebookTwitterFlipboardSendXingMessengerTelegram"),
        (
            share_line,
            "Diesen Artikel teilen FacebookTwitterFlipboardSendXingMessengerTelegram Den Link"
            " zum Einbetten des Videos kopierenCopied",
        ),
        (newsletter_line, "Der BR24 Newsletter informiert Sie immer montags bis freitags."),
        (newsletter_line, "Sign up for our newsletter"),
        (newsletter_line, "Der Morgen-Newsletter"),
        (  # a writer's bio naming the newsletter they write (theverge.com)
            newsletter_line,
            "By Alex Heath, a deputy editor and author of the Command Line newsletter.",
        ),
        (  # tagesanzeiger.ch
            newsletter_line,
            "Edgar Schuler ist Redaktor am Newsdesk und verfasst regelmässig den Newsletter "
            "«Der Morgen».",
        ),
        (  # prachatai.com: "Follow Prachatai's updates at: Facebook ... Twitter ... LINE ..."
            follow_line,
            "ติดตามประชาไทอัพเดท ได้ที่: เฟซบุ๊ก https://fb.me/prachatai ทวิตเตอร์ "
            "https://twitter.com/prachatai LINE ไอดี = @prachatai",
        ),
        (follow_line, "Follow us: facebook.com/example and instagram.com/example"),
        (ad_line, "About these ads"),  # WordPress.com
        (share_line, "Gefällt mir:"),
        (share_line, "Like this:"),
        (share_line, "Möchten Sie den Artikel teilen?"),
        (share_line, "War der Artikel nützlich?"),
        (share_line, "Was this article helpful?"),
        (share_line, "Zurück nach oben"),
        (share_line, "mehr anzeigen"),  # a box's buttons (heise.de's)
        (share_line, "Show more"),
        (share_line, "Ver más"),
        (link_label_line, "Ähnliche Beiträge"),
        (link_label_line, "Auch lesen: Diese 3 Sternzeichen verschenken ihr Herz"),
        (link_label_line, "Verwandte Themenbereiche"),
        (link_label_line, "About the Author"),
        (link_label_line, "LE PUEDE INTERESAR: La ficha de Juan Orlando Hernández"),
        (link_label_line, "VEA TAMBIÉN: Entre heces y guaricha"),
        (link_label_line, "NOTAS RELACIONADAS"),
        (link_label_line, "Contenido Relacionado"),
        (link_label_line, "Schon gelesen?"),
        (link_label_line, "Leia também: O governo aprova o orçamento"),
        (share_line, "Gefällt mir Lade..."),  # WordPress's like button, loading
        (share_line, "Like Loading..."),
        (share_line, "Jetzt teilen!"),
        (share_line, "Rezept drucken"),
        (share_line, "Externer Inhalt"),
        (share_line, "(Noch keine Bewertungen)"),
        (share_line, "zurück zur Listenansicht"),
        (share_line, "War der Artikel nützlich? (95 Stimmen: 4,73 von 5) Loading..."),
        (ad_line, "- Anzeige-"),
        (ad_line, "Advertising Disclosure"),
        (
            disclosure_line,
            "PCMag editors select and review products independently. We may earn affiliate "
            "commissions from buying links, which help support our testing.",
        ),
        (
            disclosure_line,
            "In diesem Artikel sind Affiliate-Links enthalten. Durch einen Klick darauf "
            "gelangen Sie direkt zum Anbieter.",
        ),
        # each word of the disclosure's cheap look (_AFFILIATE_WORDS) has its line
        (disclosure_line, "We may receive a commission when you shop through our links."),
        (disclosure_line, "When you buy through our links, we may earn a fee."),
        (disclosure_line, "Cet article contient des liens affiliés."),
        (disclosure_line, "Este artículo contiene enlaces de afiliados."),
        (disclosure_line, "Artikel ini mengandung tautan afiliasi."),
        (
            disclosure_line,  # thepointsguy.com's: its terms and policy follow it
            "This post contains references to products from one or more of our advertisers. We "
            "may receive compensation when you click on links to those products. Terms apply to "
            "the offers listed on this page. For an explanation of our Advertising Policy, visit "
            "this page.",
        ),
        (credit_line, "Crédits photos : Bestimage"),  # gala.fr
        (credit_line, "Photo credits: Reuters"),
        (rights_line, "© dpa-infocom, dpa:240516-99-53606/3 (dpa)"),
        (rights_line, "Copyright 2024 Example Media. All rights reserved."),
        (rights_line, "Materiał chroniony prawem autorskim - wszelkie prawa zastrzeżone."),
        (rights_line, "Alle rechten voorbehouden"),
        (rights_line, "Todos os direitos reservados."),
        (rights_line, "Tüm hakları saklıdır."),
        (  # a long notice opening with its sign (breakingbelizenews.com)
            furniture_line,
            "© 2022, BreakingBelizeNews.com. This article is the copyrighted property of "
            "Breaking Belize News. Written permission must be obtained before reprint in online "
            "or print media. REPRINTING CONTENT WITHOUT PERMISSION AND/OR PAYMENT IS THEFT AND "
            "PUNISHABLE BY LAW.",
        ),
        (credit_line, "Warga antre di Jakarta. ANTARA FOTO/Muhammad Adimaja/foc."),
        (credit_line, "Protesters in Seoul on Friday. REUTERS/Kim Hong-Ji"),
        (credit_line, "Supporters wave flags in The Hague. ANP/Remko de Waal"),
        (credit_line, "REUTERS/Mohammed al-Sulami"),
        (credit_line, "AP Photo/Mark Schiefelbein, File"),
        (credit_line, "ANTARA FOTO/Sigid Kurniawan/wsj/aa."),
        (newsletter_line, "Recibe cada mañana la newsletter en tu correo electrónico."),
        (newsletter_line, "Schrijf je in voor de wekelijkse newsletter van de krant."),
        (credit_line, "Foto: Rescue Photo"),
        (credit_line, "Symbolbild: Picture Alliance"),
        (credit_line, "Titelfoto: Stadt Köln"),
        (credit_line, "Quelle: ntv.de, ino/dpa"),
        (credit_line, "Reporting by Gopal Sharma; Editing by Alex Richardson"),
        (credit_line, "—Associated Press writer John Leicester contributed to this report."),
        (credit_line, "Übersetzung: Tristan Oetker-Kast, Redaktion: Theresa Bäuerlein"),
        (credit_line, "SDA/sep"),
        (credit_line, "(ara/das)"),
        (credit_line, "Polisen och hemvärnet deltar i sökandet. Foto: Rescue Photo"),
        (credit_line, "Eingefrorenes Sperma in einer Klinik. Friso Gentsch/DPA"),
        (credit_line, "Sinwar greets supporters in Gaza City. (Adel Hana/The Associated Press)"),
        (credit_line, "Image Credits: Strava"),
        (
            credit_line,
            "Legende: Drusenführer Laith al-Balaous vor einem Porträt seines Vaters. SRF",
        ),
        (
            credit_line,
            "The El Palito refinery rises above Puerto Cabello, Venezuela, Sunday, Dec. 21, 2025."
            " (AP Photo/Matias Delacroix) - Copyright AP Photo",
        ),
        (credit_line, "A woman takes a picture of the dock of El Palito refinery. AP Photo"),
        (
            credit_line,
            "Tausende haben am Montag in Tiflis an einer Kundgebung teilgenommen. - Copyright"
            " Shakh Aivazov/Copyright 2024 The AP. All rights reserved.",
        ),
        (credit_line, "Viel Ruhe, Schlaf und Erholung helfen.Unsplash/Kelly Sikkema"),
        (date_line, "Stand: 26.04.2024, 20:44 Uhr"),
        (date_line, "Publié le 18 juil. 2024 à 08:01Mis à jour le 18 juil. 2024 à 09:06"),
        (date_line, "Uppdaterad 15.59 | Publicerad 14.14"),
        (date_line, "28.04.2023 | 17:52 Uhr"),
        (date_line, "21 mins ago11:48 Jon King"),  # a live blog's entry header
        (date_line, "vor 2 Stunden"),
        # a date in Spanish's and Portuguese's words, months of more languages, their labels
        (date_line, "5 de marzo de 2024 · 3 min · Lucía Herrero Galán"),
        (date_line, "4 de maio de 2022, 05:34 h Atualizado em 4 de maio de 2022, 05:35"),
        (date_line, "5 марта 2024, 10:32"),
        (date_line, "Опубликовано 5 марта 2024"),
        (date_line, "입력 2024.03.05. 오후 3:12"),
        (date_line, "Atualizado em 06/03/2024 às 08h05"),
        (date_line, "5 marzo 2024 (modifica il 6 marzo 2024 | 08:47)"),
        (gallery_line, "1/12"),
        (gallery_line, "3 / 24"),
        (
            credit_line,
            "1978년 야구 글러브 공장인 ‘대양실업’ 소년공 시절의 이재명 대통령 당선인 모습. "
            "[사진 출처 = 이재명 더불어민주당 캠프]",
        ),
        (byline_line, "Von Oliver Kring"),
        (byline_line, "Von Hannah Ritzmann, Redakteurin für Finanzen 09.09.2025, 15:15 Uhr"),
        (byline_line, "Oleh: Teguh Wibowo"),
        # a paywall's prompt in the text (haitiantimes.com), in other languages too
        (paywall_line, "To view the full story, please subscribe to The Haitian Times."),
        (
            paywall_line,
            "To view the full story, please subscribe to The Haitian Times. You can choose a $60 "
            "Annual Subscription or a $6 Monthly Subscription, and cancel at any time you like.",
        ),
        (
            paywall_line,
            "If you’re seeing this message but you’re already a subscriber, you can log in for "
            "immediate access to this story.",
        ),
        (paywall_line, "Sie sind bereits Abonnent? Hier anmelden"),
        (paywall_line, "Déjà abonné ? Se connecter pour lire la suite"),
        (paywall_line, "Este contenido es exclusivo para suscriptores."),
        (
            paywall_line,
            "Subscribe now to our eNATION edition for the full story.",
        ),  # nationnews.com
        (paywall_line, "SİGN İN to continue reading"),  # a Turkish capital İ, as re.I reads it
        (share_line, "Social Share"),
        (share_line, "Follow us Add us as a preferred source on Google"),  # techradar.com
        (share_line, "Ein Klick für den Datenschutz"),  # zdf.de's embed placeholder
        (share_line, "Datenschutzeinstellungen anpassen"),
        (share_line, "Add Tom's Guide as a preferred source"),
        (credit_line, "Anadolu Ajansı"),  # haberturk.com, ntv.com.tr
        (credit_line, "(AA)"),
        (credit_line, "(PTI)"),
        (byline_line, "Article by Barry Alleyne"),
        (byline_line, "Story by Jane Doe and John Roe"),
        # each word of the paywall's cheap look (_PAYWALL_ASK_WORDS) has its line
        (paywall_line, "Sign in to keep reading."),
        (paywall_line, "This story is available to members only."),
        (paywall_line, "Continue reading: log in with your account"),
        (paywall_line, "Premium: continue reading for free"),
        (paywall_line, "Jetzt registrieren und weiterlesen"),
        (paywall_line, "Bereits registriert? Jetzt weiterlesen"),
        (paywall_line, "Hier anmelden und weiterlesen"),
        (paywall_line, "Continuar lendo: conteúdo para assinantes"),
        (paywall_line, "Continua a leggere: riservato agli abbonati"),
        (paywall_line, "Baca selengkapnya, khusus pelanggan"),
        (paywall_line, "Sudah berlangganan? Masuk untuk membaca"),
        # the comments' controls under a text (ok.co.uk, mashable.com)
        (share_line, "Add a comment"),
        (share_line, "Show comments (12)"),
        (share_line, "Have something to add to this story? Share it in the comments."),
        (share_line, "Kommentare (3)"),
        (share_line, "12 reacties"),
        (share_line, "Laisser un commentaire"),
        # related links, copyright notices, agencies' marks and credits in more scripts
        (link_label_line, "Читайте также: Власти Москвы запустят беспилотные трамваи"),
        (link_label_line, "اقرأ أيضا: الحكومة تعلن خطة جديدة"),
        (link_label_line, "関連記事：政府が新たな対策"),
        (link_label_line, "相关阅读：北京发布新规"),
        (link_label_line, "▶ 관련기사: 정부 대책 발표"),
        (link_label_line, "Xem thêm: Hà Nội thu phí"),
        (link_label_line, "อ่านเพิ่มเติม: กทม. เตรียมรถเมล์ไฟฟ้า"),
        (link_label_line, "İLGİLİ HABER: İBB yeni hat açıyor"),
        (link_label_line, "Czytaj również: Rząd przyjął projekt"),
        (rights_line, "‹저작권자 © 한빛일보, 무단 전재 및 재배포 금지›"),
        (rights_line, "무단 전재 및 재배포 금지"),
        (rights_line, "本記事の無断転載を禁じます"),
        (rights_line, "未经授权不得转载"),
        (rights_line, "版权所有 北京日报"),
        (rights_line, "Все права защищены"),
        (rights_line, "جميع الحقوق محفوظة لموقع الأخبار"),
        (rights_line, "Bản quyền thuộc về Báo Hà Nội"),
        (rights_line, "สงวนลิขสิทธิ์ 2567"),
        (credit_line, "(PAP)"),
        (credit_line, "（共同）"),
        (credit_line, "(DHA)"),
        (credit_line, "（责任编辑：王芳）"),
        (credit_line, "*Com informações da Agência Brasil"),
        (credit_line, "Con información de EFE"),
        (credit_line, "Avec agences"),
    ],
)
def test_furniture(test: object, line: str) -> None:
    assert test(line)  # type: ignore[operator]
    assert furniture_line(line)


@pytest.mark.parametrize(
    "line",
    [
        # an article's date and byline on one line (golem.de, today.com, msnbc.com)
        "9. September 2025 um 15:46 Uhr / Frank Wunderlich-Pfeiffer",
        "Dec. 22, 2016, 3:36 PM UTC / Source: Zillow By Melissa Allison",
        "Dec. 20, 2016, 12:44 PM UTC / Updated Dec. 20, 2016, 1:00 PM UTC By Steve Benen",
    ],
)
def test_a_date_line_and_byline_is_asked_of_the_body_s_opening_only(line: str) -> None:
    """A date and names, joined by " / " or " | ", read alike in a table's row or a
    timeline (a date and two teams): it is no furniture anywhere, only in the body's first
    lines (tests/test_generic.py)."""
    assert dated_byline_line(line)
    assert not furniture_line(line)
    assert not furniture_line("12.03.2024 | Bayern München | Borussia Dortmund")


def test_words_of_counts_cjk_characters() -> None:
    assert words_of("two words") == 2
    assert words_of("気象庁は") == 5  # one "word" and four characters
    assert words_of("이재명 대통령 당선인 모습") == 4  # Korean puts spaces between words
