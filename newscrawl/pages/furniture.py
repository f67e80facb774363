"""Lines of a body that are page furniture, in any language: ad labels, read-more and watch
links, share, follow and newsletter lines, affiliate disclosures, copyright and credit lines,
photo captions, date lines, bylines, agency and editor initials, and the labels of page
controls.

Each test takes one cleaned line (white space folded) and is pure. They know the web's
common words in English, German, Indonesian and the other languages of the news the
project reads (French, Spanish, Italian, Dutch, the Nordic languages, Polish, Turkish), never
a site's own words. A line a shared rule names ("Baca juga", video lines) is the pipeline's to
drop and count, not these tests'.
"""

from __future__ import annotations

import re

from newscrawl.dates import MONTH_PATTERN

#: The most words of a line these tests look at (longer lines are article text).
SHORT = 16
CREDIT_WORDS = 14
NEWSLETTER_WORDS = 40
#: How much of a line's end a caption's credit can take (characters).
CAPTION_TAIL_CHARS = 160

_AD = re.compile(
    r"^[-–—•*\s]*(?:advertisement|advertising disclosure|advertising|anzeige|werbung|iklan|"
    r"publicidad|publicité|pubblicità|reklame|reklama|annonse|annons|annonce|mainos|"
    r"advertentie|reklam|sponsored|gesponsert|"
    r"광고|広告|about these ads)\b|\b(?:advertisement|scroll to continue|continues? below|"
    r"article continues|story continues|continue reading|weiterlesen nach der anzeige|"
    r"nach der anzeige|lanjutkan membaca|scroll untuk melanjutkan|gulir untuk melanjutkan)\b",
    re.IGNORECASE,
)
_LINK_LABEL = (
    r"read more|read also|read next|also read|see also|more on this|more about|related|"
    r"related articles?|recommended|watch|watch now|watch video|video|listen|podcast|"
    r"live|liveblog|live blog|lesen sie auch|lesen sie mehr|lesen sie hier|mehr zum thema|"
    r"mehr dazu|mehr lesen|auch interessant|das könnte sie auch interessieren|weiterlesen|"
    r"zum artikel|zum thema|artikel lesen|hören sie|hier hören|lire aussi|à lire aussi|"
    r"a lire aussi|voir aussi|lire la suite|à voir aussi|leer más|lea también|lee también|"
    r"te puede interesar|leggi anche|leggi|guarda|czytaj więcej|czytaj też|czytaj także|"
    r"zobacz też|les også|les mer|se også|läs också|läs mer|se även|læs også|læs mere|"
    r"lees ook|lees meer|lue myös|okuyun|ayrıca okuyun|bunlar da ilginizi çekebilir|"
    r"baca selengkapnya|selengkapnya|tonton|dengarkan|lea más|lea además|"
    r"das (?:thema )?könnte (?:sie|dich) auch interessieren|ähnliche beiträge|ähnliche artikel|"
    r"auch lesen|verwandte themen|verwandte themenbereiche|weiterführende links?|"
    r"weiterführender link|related topics|related content|über den autor|about the author|"
    r"schon gelesen|le puede interesar|les puede interesar|vea también|ver también|"
    r"notas relacionadas|noticias relacionadas|contenido relacionado|artículos relacionados|"
    r"leia também|veja também|leia mais|saiba mais|czytaj również|przeczytaj też|"
    r"читайте также|читайте|смотрите также|также читайте|اقرأ أيضا|اقرأ أيضاً|اقرأ ايضا|"
    r"相关阅读|相关新闻|延伸阅读|推荐阅读|関連記事|関連ニュース|あわせて読みたい|관련기사|"
    r"관련 기사|xem thêm|đọc thêm|อ่านเพิ่มเติม|อ่านข่าวเพิ่มเติม|ilgili haber|ilgili haberler"
)
#: A label of a link to another page, alone on its line or before its title ("READ MORE:
#: ...", "WATCH | ...", "Zum Artikel: ...", "Lesen Sie auch „...“").
_LINK_LINE = re.compile(
    rf"^\W*(?:{_LINK_LABEL})\W*$|^\W*(?:{_LINK_LABEL})(?:\s*(?::|：|\||»|>)|\s+[–—-]|\s+[„“«])\s*\S",
    re.IGNORECASE,
)
_SHARE = re.compile(
    r"^\W*(?:share|share this|share this article|share this story|share on \w+|social share|"
    r"share article|copy link|link copied|link kopieren|link kopiert|teilen|artikel teilen|"
    r"beitrag teilen|partager|partager cet article|partager l'article|compartir|"
    r"compartir esta noticia|regala esta noticia|condividi|condividi l'articolo|bagikan|"
    r"bagikan artikel ini|del|del artikkelen|dela|dela artikeln|del artiklen|jaa|"
    r"udostępnij|paylaş|delen|print|drucken|imprimer|imprimir|stampa|cetak|"
    r"save|saved|story saved|bookmark|merken|gemerkt|follow|folgen|ikuti|"
    r"font size|schriftgröße|yazı boyutu.*|좋아요.*|box aufklappen.*|.*aufklappen.*zuklappen|"
    r"gefällt mir|like this|j'aime|me gusta|mi piace|"
    r"(?:gefällt mir|like)\W+(?:lade|loading|wird geladen)\W*|"
    r"möchten sie (?:den|diesen) (?:artikel|beitrag) teilen|jetzt teilen|share now|"
    r"(?:artikel|beitrag|rezept|seite) drucken|print (?:this )?(?:article|recipe|page)|"
    r"externer inhalt|external content|noch keine bewertungen|no ratings yet|"
    r"ein klick für den datenschutz|datenschutzeinstellungen anpassen|"
    r"zur startseite|back to top|zurück nach oben|nach oben|"
    r"zurück zur (?:übersicht|liste|listenansicht)|back to (?:the )?(?:overview|list)|"
    r"show more|show less|load more|mehr anzeigen|weniger anzeigen|mehr laden|voir plus|"
    r"voir moins|afficher plus|mostrar más|ver más|mostra di più|toon meer|vis mere|"
    r"visa mer|näytä lisää|daha fazla göster|tampilkan lebih banyak|muat lebih banyak)"
    r"\W*$",
    re.IGNORECASE,
)
#: The comments' controls and labels under a text, in any language: "Add a comment",
#: "Comments (12)", "Join the conversation", "Kommentar schreiben", "Laisser un commentaire".
_COMMENTS = re.compile(
    r"^\W*(?:(?:add|leave|post|write|submit|view|show|read|see|hide|load|open)"
    r"(?: all| the)?(?: (?:a|your|\d+))? comments?(?: \(\d+\))?|\d+ comments?|"
    r"comments(?: \(\d+\))?|comment \(\d+\)|no comments(?: yet)?|be the first to comment|"
    r"join the (?:conversation|discussion)|comment on this (?:article|story|post)|"
    r"(?:have something to add to this story\? )?share it in the comments|"
    r"jetzt kommentieren|diskutieren sie mit|"
    r"kommentare? (?:schreiben|verfassen|anzeigen|lesen|einblenden|ausblenden)|"
    r"(?:ajouter|laisser|écrire|rédiger) un commentaire|"
    r"(?:deja|añade|escribe|dejar) (?:un|tu) comentario|lascia un commento|scrivi un commento|"
    r"tulis komentar|yorum yap|skomentuj|"
    # a word for comments is a heading too ("Reacties": reactions), but not with a count
    r"(?:\d+ (?:kommentare?|commentaires?|comentarios?|commenti|komentar|reacties|reactie|"
    r"kommentarer?|yorumlar?|komentarze?|komentarzy))|"
    r"(?:kommentare|commentaires|comentarios|commenti|komentar|reacties|kommentarer|yorumlar|"
    r"komentarze) \(\d+\))"
    r"\W*$",
    re.IGNORECASE,
)
#: A question asking the reader to rate the article, and what its widget shows after it
#: ("War der Artikel nützlich? (95 Stimmen: 4,73 von 5) Loading...").
_FEEDBACK = re.compile(
    r"^\W*(?:(?:war|ist) (?:der|dieser) (?:artikel|beitrag) (?:nützlich|hilfreich)|"
    r"was this (?:article|page|post|story) (?:helpful|useful)|"
    r"did you find this (?:article |page |post )?(?:helpful|useful)|"
    r"wie (?:hat|gefällt) (?:ihnen|dir) (?:der|dieser) (?:artikel|beitrag)(?: gefallen)?)\s*\?",
    re.IGNORECASE,
)
#: A share line with its buttons' names glued after it ("Diesen Artikel teilen
#: FacebookTwitter...", "Share this articleComments").
_SHARE_OPENING = re.compile(
    r"^\W*(?:share this (?:article|story|page)|share article|diesen artikel teilen|"
    r"artikel teilen|beitrag teilen|partager cet article|partager l'article|"
    r"compartir esta noticia|condividi l'articolo|bagikan artikel ini)",
    re.IGNORECASE,
)
#: Three names or more glued together, as a row of buttons reads ("FacebookTwitterXing").
_GLUED_NAMES = re.compile(r"(?:[A-Z][a-z]+){3,}")
_NEWSLETTER = re.compile(r"newsletter|push-nachrichten|push notifications")
#: What makes a line naming a newsletter furniture: a verb of signing up, the reader
#: addressed, the site's own ("our newsletter"), what it costs, or a writer's bio naming the
#: newsletter they write ("author of the Command Line newsletter", "verfasst regelmässig den
#: Newsletter"); a sentence of an article naming someone's newsletter has none ("on a
#: Linux-focussed newsletter no less").
_INVITING = re.compile(
    r"\b(?:sign(?:ing)?[ -]?up|subscri\w*|register|join|inbox\w*|get|receive|click|tap|you|your|"
    r"our|free|here|now|abonn\w*|anmeld\w*|melden|bestell\w*|erhalten|unser\w*|kostenlos|"
    r"jetzt|hier|sie|ihr|dich|dir|inscri\w*|notre|nos|vous|votre|gratuit\w*|suscr\w*|"
    r"nuestr\w*|gratis|iscri\w*|nostr\w*|daftar|langganan|berlangganan|kami|anda|"
    r"author|autor\w*|editor|redakt\w*|verfass\w*|writes|writer|schreibt|penulis)\b",
    re.IGNORECASE,
)
#: A disclosure of affiliate links: "We may earn affiliate commissions from buying links".
_AFFILIATE = re.compile(
    r"\bwe may (?:earn|receive) (?:an? )?(?:affiliate )?commissions? (?:from|when|if|on)\b|"
    r"\bwe may (?:earn|receive) compensation (?:from|when|if|on) (?:\w+ ){0,4}"
    r"(?:links?|products?|purchases?)\b|"
    r"\bwhen you buy (?:something )?through (?:our |the )?links\b|"
    r"\b(?:this|the) (?:article|post|page|story) (?:contains|includes) affiliate links\b|"
    r"\b(?:enthält|enthalten|sind) (?:sogenannte |sog\. )?affiliate-links\b|"
    r"\baffiliate-links (?:enthalten|gekennzeichnet)\b|\bcontient des liens affiliés\b|"
    r"\bcontiene enlaces de afiliados?\b|\bcontiene link di affiliazione\b|"
    r"\bmengandung tautan afiliasi\b",
    re.IGNORECASE,
)
#: Words one of which :data:`_AFFILIATE` holds (lower case): the cheap look first.
_AFFILIATE_WORDS = ("commission", "compensation", "buy", "affili", "afili")
#: An address of a page on a social network ("https://fb.me/prachatai", "twitter.com/x").
_SOCIAL_URL = re.compile(
    r"(?:https?://)?(?:www\.|m\.)?(?:facebook\.com|fb\.me|fb\.com|twitter\.com|x\.com|"
    r"instagram\.com|youtube\.com|youtu\.be|t\.me|tiktok\.com|line\.me|linkedin\.com|"
    r"threads\.net|whatsapp\.com)/\S",
    re.IGNORECASE,
)
#: A copyright notice's opening: its sign, or "Copyright" and a year or the sign.
_RIGHTS_SIGN = re.compile(r"^\W*(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\)|\d{4}))", re.IGNORECASE)
#: What a copyright notice speaks of beyond its opening.
_RIGHTS_TERMS = re.compile(
    r"\bcopyrighted\b|\brights\b|\breserved\b|\bpermission\b|\breprint|\breproduc|\brechte\b|"
    r"\bdroits\b|\bderechos\b|\bdiritti\b|\bhak cipta\b",
    re.IGNORECASE,
)
_RIGHTS = re.compile(
    r"^\W*(?:©|\(c\)|copyright\b)|\ball rights reserved\b|\balle rechte vorbehalten\b|"
    r"\btous droits réservés\b|\btodos los derechos reservados\b|\btutti i diritti riservati\b|"
    r"\bhak cipta\b|\bhak cipta dilindungi\b|\bwszelkie prawa zastrzeżone\b|"
    r"\balle rettigheder forbeholdes\b|\balle rechten voorbehouden\b|\btüm hakları saklıdır\b|"
    r"\bvšechna práva vyhrazena\b|\bkaikki oikeudet pidätetään\b|"
    r"\balla rättigheter förbehållna\b|\btodos os direitos reservados\b|"
    r"\bвсе права защищены\b|جميع الحقوق محفوظة|저작권자\s*[©ⓒ(]|무단\s*전재.{0,12}금지|"
    r"無断(?:転載|複製).{0,6}禁|版权所有|版權所有|不得转载|^\W*(?:©\s*)?bản quyền\b|"
    r"\bbản quyền thuộc về\b|สงวนลิขสิทธิ์",
    re.IGNORECASE,
)
#: A credit label: "Foto: ...", "Quelle: ...", "Source: ...".
_CREDIT = re.compile(
    r"^\W*(?:(?:titel|beitrags|header|vorschau|symbol|aufmacher)(?:bild|foto)|"
    r"foto|fotos|photo|photos|photograph|bild|bilder|image|images|picture|pictures|"
    r"grafik|graphic|infografik|quelle|quellen|source|sources|credit|credits|kamera|camera|"
    r"illustration|karikatur|kuva|zdjęcie|fot|sumber|gambar|"
    r"(?:photo|foto|image|picture|bild)s?\s+(?:credits?|crédits?|créditos?)|"
    r"cr[ée]dits?\s+(?:photos?|fotos?|images?))\s*:",
    re.IGNORECASE,
)
#: A caption's label: "Legende: ...", "Bildunterschrift: ...", "Caption: ...".
_CAPTION_LABEL = re.compile(
    r"^\W*(?:legende|bildlegende|bildunterschrift|caption|photo caption|légende|leyenda|"
    r"didascalia|bijschrift|bildtext|keterangan foto|altyazı)\s*:",
    re.IGNORECASE,
)
#: Lowercase particles of a photographer's name ("ANP/Remko de Waal", "REUTERS/Mohammed
#: al-Sulami").
_PARTICLES = r"de|van|der|den|da|di|du|del|della|la|le|al|el|bin|ibn|von|zu|ter|te|dos|das|do|y"
#: A caption's photo credit at the line's end: "... Foto: Name", "(Photo by Name)",
#: "REUTERS/Name", "[사진 = 기자]", "Getty Images".
_CAPTION_TAIL = re.compile(
    r"(?:\b(?:foto|photo|photograph|bild|image|picture|kuva|zdjęcie|fot|sumber foto|"
    r"credit)\s*(?::|by|von)\s*[^.!?]{2,80}[)\]]?$|\[\s*사진[^\]]*\]\s*$|"
    r"\b(?:getty images|imago images|picture alliance|shutterstock|istock)\b[^.!?]{0,40}$|"
    r"\b(?-i:[A-Z]{2,8})(?:\s+(?:photo|foto|images))?\s*/\s*(?-i:[A-Z])[\w'.-]*"
    r"(?:[ /]+(?:(?-i:[A-Z])[\w'.-]*|(?-i:" + _PARTICLES + r")(?:-[\w'.-]+)?)){0,6}"
    r"(?:,\s*(?:file|archivo|archiv|pool))?(?:\s*/\s*(?-i:[a-z]){1,5}\.?)*$|"
    r"(?-i:[A-Z])[\w'.-]+(?:\s(?-i:[A-Z])[\w'.-]+){0,3}\s*/\s*(?:dpa|afp|ap|reuters|epa|"
    r"imago|getty images|picture alliance|keystone|anp|belga|xinhua|ansa|(?-i:[A-Z]{2,8}))\s*$|"
    r"\(\s*(?:quelle|source|foto|photo|bild)\s*:[^)]{2,80}\)\s*$|"
    r"\((?-i:[A-Z])[\w .'-]{1,40}/(?-i:[A-Z])[\w .'&-]{1,40}\)\s*$|"
    r"\bimage credits?\s*:|"
    r"\s[-–—|]\s*(?:copyright|©)\s*[^.!?]{1,60}(?:\.\s*all rights reserved\.?)?$|"
    r"\b(?-i:[A-Z]{2,8})\s+(?:photos?|fotos?|images?)\s*$|"
    r"\b(?:unsplash|pexels|pixabay|adobe stock)\s*/\s*[^.!?]{2,60}$)",
    re.IGNORECASE,
)
#: Staff credits of a report: "Reporting by ...", "Editing by ...", "Redaktion: ...".
_STAFF = re.compile(
    r"^\W*(?:with |additional |and )?(?:reporting|writing|editing|reporting and writing|"
    r"compiled|translated|translation|produced)\s+(?:by|from)\b|"
    r"\bcontributed (?:to )?this (?:report|story|article)\W*$|"
    r"^\W*(?:übersetzung|redaktion|schlussredaktion|mitarbeit|mit material von|recherche|"
    r"bearbeitung|produktion|audioversion)\b[^.]{0,40}:|"
    r"^\W*(?:com informações d[aeo]s?|con información de|con informazioni d[aei]\w*)\b"
    r"[^.!?]{0,60}\.?$|^\W*avec (?:l'|les )?agences?\W*$|"
    r"^[(（]\s*(?:责任编辑|責任編輯|编辑|編集)\s*[:：][^)）]{1,20}[)）]$",
    re.IGNORECASE,
)
#: A line of agency marks and editor initials: "SDA/sep", "(ara/das)", "amw", "Reuters/kra
#: Frankfurt" (initials in lower case), "(dpa)".
_INITIALS = re.compile(
    r"^\(?(?:[A-Za-z][\w.-]{0,10}\s*/\s*)*[a-z]{2,4}(?:\s*/\s*[A-Za-z]{2,10})*\)?"
    r"(?:\s+[A-Z][a-zäöü]+)?$"
)
_AGENCIES = re.compile(
    r"^[(（]?(?:dpa|afp|ap|apa|sda|kna|epd|reuters|ddp|ansa|efe|antara|anadolu ajansı|"
    r"anadolu agency|xinhua|kyodo|yonhap|bernama|共同|時事|新华社|연합뉴스)"
    r"(?:\s*[/,]\s*\w+)*[)）]?$|"
    r"^[(（](?:aa|pti|ians|tass|upi|pap|ctk|čtk|mti|anp|bta|hina|dha|iha)[)）]$",
    re.IGNORECASE,
)
#: Words that may join the names of a byline (lower case).
_NAME_JOINERS = frozenset(
    {"und", "and", "dan", "et", "y", "e", "og", "och", "i", "ve", "en", "&", "van", "von", "de",
     "der", "den", "da", "di", "du", "del", "la", "le", "bin", "binti", "al", "el", "mit",
     "with", "für", "for", "in", "aus", "from", "dari", "zu", "bei", "at"}
)  # fmt: skip
#: Words that label a date line ("Stand: 26.04.2024, 20:44 Uhr", "Updated 5:07 PM").
_DATE_LABEL = re.compile(
    r"(?:stand|publiziert|veröffentlicht|aktualisiert|zuletzt aktualisiert|erstellt|"
    r"updated|published|posted|last updated|first published|publié|mis à jour|actualizado|"
    r"publicado|aggiornato|pubblicato|uppdaterad|publicerad|oppdatert|publisert|opdateret|"
    r"udgivet|bijgewerkt|gepubliceerd|diperbarui|diterbitkan|dipublikasikan|dimuat|"
    r"lesedauer|lesezeit|reading time|min read|minuten lesezeit|güncelleme|yayınlanma|"
    r"opublikowano|zaktualizowano)\b|"
    # words of ordinary sentences too ("O aplicativo foi atualizado em 2024"): a label only
    # where the line, or a part of it, opens
    r"(?:^|[|·•/(]\s*)\W*(?:aktualizacja|atualizado|atualização|modificato|modifica|"
    r"опубликовано|обновлено|оновлено|cập nhật|입력|수정|发布时间|更新时间)"
    r"\s*(?:em\s+|il\s+|в\s+)?[:：]?\s*\d"
)  # searched in the lower-cased line, without an opening \b: a first letter to skip to
_DATE = re.compile(
    rf"\b\d{{1,4}}[./-]\d{{1,2}}(?:[./-]\d{{2,4}})?\b|\b\d{{1,2}}[:.]\d{{2}}\b|"
    rf"\b(?:{MONTH_PATTERN})\.?\s+\d{{1,4}}\b|"
    rf"\b\d{{1,2}}\.?\s+(?:de\s+)?(?:{MONTH_PATTERN})\b\.?(?:\s+de\s+\d{{4}}\b)?|"
    rf"\b(?:19|20)\d{{2}}\b|\b\d+\s*(?:min|minutes|minuten|hours?|stunden|jam|menit)\b",
    re.IGNORECASE,
)
#: What makes a line's dates a date line's: a year or a time of day.
_YEAR_OR_TIME = re.compile(r"\b(?:19|20)\d{2}\b|\b\d{1,2}[:.]\d{2}\b")
_DIGIT = re.compile(r"\d")
_ALNUM = re.compile(r"[^\W_]")
#: Characters of the scripts that put no spaces between words (Chinese, Japanese; Korean
#: puts spaces between its words).
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
#: A relative time opening a line ("21 mins ago", "vor 2 Stunden"): a live blog's entry.
_RELATIVE_TIME = re.compile(
    r"^\W*(?:\d{1,3}\s*(?:secs?|seconds?|mins?|minutes?|hrs?|hours?|days?)\s+ago(?![^\W\d_])|"
    r"vor\s+\d{1,3}\s+(?:sekunden|minuten|stunden|tagen)\b)",
    re.IGNORECASE,
)
#: A gallery's counter: "1/12", "3 / 24".
_COUNTER = re.compile(r"^\d{1,3}\s*/\s*\d{1,3}$")
#: Labels that open a byline: "By ...", "Von ...", "Oleh ...", "Par ...".
BYLINE_OPENING = re.compile(
    r"^\W*(?:by|von|par|por|door|av|af|oleh|penulis|reporter|pewarta|writer|written by|"
    r"(?:article|story) by|"
    r"geschrieben von|text|texte|autor|autorin|author|auteur|yazar|kirjoittanut)\b\s*:?\s*",
    re.IGNORECASE,
)


#: Words one of which a line must hold for the pattern of a test to be tried on it (lower
#: case; the patterns are costly to search, the words cheap to find).
_AD_WORDS = (
    "advert", "anzeige", "werbung", "iklan", "publicid", "publicit", "pubblicit", "reklam",
    "annons", "annonc", "mainos", "sponsor", "gesponsert", "광고", "広告", "scroll",
    "continue", "lanjutkan", "gulir", "about these ads",
)  # fmt: skip
_RIGHTS_WORDS = (
    "©", "(c)", "copyright", "rights reserved", "rechte vorbehalten", "droits réservés",
    "derechos reservados", "diritti riservati", "hak cipta", "prawa zastrzeżone",
    "rettigheder forbeholdes", "rechten voorbehouden", "hakları saklıdır", "práva vyhrazena",
    "oikeudet pidätetään", "rättigheter förbehållna", "direitos reservados",
    "все права защищены", "جميع الحقوق محفوظة", "저작권자", "무단", "無断", "版权所有",
    "版權所有", "不得转载", "bản quyền", "สงวนลิขสิทธิ์",
)  # fmt: skip
_STAFF_WORDS = (
    "reporting", "writing", "editing", "compiled", "translat", "produced", "contributed",
    "übersetzung", "redaktion", "mitarbeit", "mit material", "recherche", "bearbeitung",
    "com informações", "con información", "con informazioni", "avec ", "编辑", "編輯", "編集",
    "produktion", "audioversion",
)  # fmt: skip
_CAPTION_WORDS = (
    "/", "foto", "photo", "bild", "image", "picture", "kuva", "zdjęcie", "fot", "sumber",
    "credit", "사진", "getty", "imago", "alliance", "shutterstock", "istock", "quelle",
    "source", "copyright", "©", "unsplash", "pexels", "pixabay", "adobe stock",
)  # fmt: skip


def _holds(line: str, words: tuple[str, ...]) -> bool:
    """True when ``line`` (any case) holds one of ``words`` (lower case): the cheap look
    before a pattern's (``in`` a word at a time, in a loop: ~0.6 µs faster than ``any`` of a
    generator, ~0.7 µs than one pattern of them all; it is asked some 50 times a page)."""
    lowered = line.lower()
    if "\u0307" in lowered:  # "İ" lowers to "i" and a combining dot; the patterns' re.I to "i"
        lowered = lowered.replace("i\u0307", "i")
    for word in words:  # noqa: SIM110 - a loop, for speed
        if word in lowered:
            return True
    return False


def words_of(line: str) -> int:
    """The words of ``line``, each CJK character one (those scripts put no spaces)."""
    words = len(line.split())
    if line.isascii() or _CJK_CHAR.search(line) is None:
        return words
    return words + len(_CJK_CHAR.findall(line))


def ad_line(line: str, words: int | None = None) -> bool:
    """An ad slot's label: "Advertisement", "Anzeige", "Story continues below
    advertisement". (``words``: the line's :func:`words_of`, when known.)"""
    words = words_of(line) if words is None else words
    return words <= SHORT and _holds(line, _AD_WORDS) and _AD.search(line) is not None


def link_label_line(line: str, words: int | None = None) -> bool:
    """A link's label, alone or before a title: "Read more:", "READ MORE: ...", "WATCH |
    ...", "Zum Artikel: ...", "Artikel lesen", "Czytaj więcej"."""
    words = words_of(line) if words is None else words
    return words <= SHORT + 8 and _LINK_LINE.search(line) is not None


def share_line(line: str, words: int | None = None) -> bool:
    """A control's label: share, print, save, follow, font size ("Partager cet article"),
    the comments' ("Add a comment", "Kommentare (3)"; a word for comments alone is a
    heading too: "Reacties", reactions);
    a share line with its buttons' names after it ("Diesen Artikel teilen Facebook...")."""
    words = words_of(line) if words is None else words
    if words <= 6 and _SHARE.match(line) is not None:
        return True
    if words <= SHORT and _FEEDBACK.match(line) is not None:
        return True  # a rating widget's question
    if words <= SHORT and _COMMENTS.match(line) is not None:
        return True  # the comments' controls
    if words <= SHORT and _PREFERRED_SOURCE.match(line) is not None:
        return True  # a search engine's follow button
    opening = _SHARE_OPENING.match(line) if words <= SHORT else None
    if opening is None:
        return False
    rest = line[opening.end() :].split()  # buttons' names, not a sentence's words
    if rest and _GLUED_NAMES.match(rest[0]):
        return True  # the buttons' names glued together ("FacebookTwitterFlipboard...")
    return all(not word[:1].islower() for word in rest)


def newsletter_line(line: str, words: int | None = None) -> bool:
    """An invitation to a newsletter or push notifications: a short line naming one (at most
    :data:`SHORT` words, in any language), or a longer one that invites or is a writer's bio
    (:data:`_INVITING`); an article's longer sentence naming a newsletter is none."""
    words = words_of(line) if words is None else words
    if words > NEWSLETTER_WORDS or _NEWSLETTER.search(line.lower()) is None:
        return False
    return words <= SHORT or _INVITING.search(line) is not None


def follow_line(line: str, words: int | None = None) -> bool:
    """An invitation to follow the site, in any language: a short line giving two or more
    of its addresses on social networks ("Follow us on: Facebook https://fb.me/x Twitter
    https://twitter.com/x")."""
    words = words_of(line) if words is None else words
    if words > SHORT + 8 or "/" not in line or line.rstrip().endswith((".", "!", "?")):
        return False  # a sentence mentioning two addresses is no follow line
    return len(_SOCIAL_URL.findall(line)) >= 2


#: An invitation to pick the site as a preferred source of Google's search ("Follow us Add us
#: as a preferred source on Google", techradar.com's).
_PREFERRED_SOURCE = re.compile(
    r"^\W*(?:follow us\W*)?add (?:us|\S+(?: \S+)?) as a preferred source(?: on google)?\W*$",
    re.IGNORECASE,
)
#: What a paywall's prompt asks of the reader: to subscribe, or to sign in as a subscriber.
_PAYWALL_ASK = re.compile(
    r"subscri|log ?in|sign ?in|member|abo(?:nnent|nnement|\b)|abonné|anmelden|einloggen|"
    r"registrier|suscrip|suscript|assinante|abbonat|pelanggan|berlangganan|premium",
    re.IGNORECASE,
)
#: Words one of which :data:`_PAYWALL_ASK` holds (lower case): the cheap look first.
_PAYWALL_ASK_WORDS = (
    "subscri", "log", "sign", "member", "abo", "anmelden", "registrier",
    "suscri", "assinante", "abbonat", "langgan", "premium",
)  # fmt: skip
#: What a paywall's prompt says of the text: that the rest is to be read, or is for
#: subscribers only.
_PAYWALL_SAYS = re.compile(
    r"\bto (?:view|read|continue reading|keep reading|access|unlock) (?:the |this )?"
    r"(?:full |entire |complete |rest of the )?(?:story|article|post|content)|"
    r"\b(?:continue|keep) reading\b|"
    r"^\W*(?:subscribe|sign in|log in)\b[^.!?]{0,60}"
    r"\bfor the (?:full|whole|complete|entire) (?:story|article)\b|"
    r"\balready (?:a |an )?(?:subscriber|member)\b|"
    r"\bfor (?:immediate|full|unlimited) access\b|"
    r"\b(?:is|are) (?:only )?(?:available|reserved|exclusive) (?:to|for) (?:our )?"
    r"(?:subscribers|members|premium)|\bfree articles?\b.{0,40}\b(?:limit|left|remaining)\b|"
    r"\b(?:artikel|beitrag|text|inhalt) (?:vollständig )?(?:zu lesen|weiterzulesen|lesen)\b|"
    r"\bweiterlesen\b|\b(?:bereits|schon) (?:abonnent|ein abo|registriert|kunde)\w*\s*\?|"
    r"\bnur für (?:abonnenten|abonnentinnen|abonnent|plus)|\bexklusiv für (?:abonnenten|plus)|"
    r"\blire la suite\b|\bdéjà abonné|\bréservée? aux abonnés|"
    r"\b(?:seguir|continuar) leyendo\b|\bya (?:eres|soy) suscriptor|"
    r"\bexclusivo para suscriptores|\bcontinuar lendo\b|\bcontinua a leggere\b|"
    r"\bbaca selengkapnya\b|\bkhusus pelanggan\b|\bsudah berlangganan\b",
    re.IGNORECASE,
)


def paywall_line(line: str, words: int | None = None) -> bool:
    """A paywall's prompt in the text: it says the rest of the article is to be read, or is
    for subscribers, and asks the reader to subscribe or sign in ("To view the full story,
    please subscribe to The Haitian Times.", "If you're seeing this message but you're
    already a subscriber, you can log in for immediate access to this story.", "Sie sind
    bereits Abonnent? Hier anmelden")."""
    words = words_of(line) if words is None else words
    if words > NEWSLETTER_WORDS or not _holds(line, _PAYWALL_ASK_WORDS):
        return False
    return _PAYWALL_ASK.search(line) is not None and _PAYWALL_SAYS.search(line) is not None


def disclosure_line(line: str, words: int | None = None) -> bool:
    """A disclosure of the page's affiliate links ("We may earn affiliate commissions from
    buying links, which help support our testing."), up to :data:`LONGEST` words (its terms
    and policy may follow it: thepointsguy.com's)."""
    words = words_of(line) if words is None else words
    if words > LONGEST or not _holds(line, _AFFILIATE_WORDS):
        return False
    return _AFFILIATE.search(line) is not None


def rights_line(line: str, words: int | None = None) -> bool:
    """A copyright line: "© dpa-infocom ...", "Copyright 2024 ...", "All rights reserved";
    a longer notice when it opens with its sign or year ("© 2022, BreakingBelizeNews.com.
    This article is the copyrighted property of ... PUNISHABLE BY LAW.")."""
    words = words_of(line) if words is None else words
    if words <= LONGEST and _RIGHTS_SIGN.match(line) and _RIGHTS_TERMS.search(line):
        return True
    return words <= SHORT + 8 and _holds(line, _RIGHTS_WORDS) and _RIGHTS.search(line) is not None


def credit_line(line: str, words: int | None = None) -> bool:
    """A credit: "Foto: ...", "Quelle: ...", "Reporting by ...", "Redaktion: ...", a photo
    caption ending in its credit or opening with its label ("Legende: ..."), agency marks and
    editor initials ("SDA/sep", "(dpa)")."""
    words = words_of(line) if words is None else words
    if words <= CREDIT_WORDS and _CREDIT.match(line):
        return True
    if words <= LONGEST and _CAPTION_LABEL.match(line):
        return True
    if words <= NEWSLETTER_WORDS and _holds(line, _STAFF_WORDS) and _STAFF.search(line):
        return True
    if words <= 4 and (_INITIALS.match(line) or _AGENCIES.match(line)):
        return True
    tail = line[-CAPTION_TAIL_CHARS:]
    return words <= 60 and _holds(tail, _CAPTION_WORDS) and _CAPTION_TAIL.search(tail) is not None


def gallery_line(line: str, words: int | None = None) -> bool:
    """A gallery's counter: "1/12"."""
    return _COUNTER.match(line) is not None


def date_line(line: str, words: int | None = None) -> bool:
    """A date line: a short line with a date and a date's label ("Stand: 26.04.2024, 20:44
    Uhr", "Publié le 18 juil. 2024 à 08:01"), or mostly dates and times, or a relative time
    and little else ("21 mins ago11:48 Jon King": a live blog's entry)."""
    words = words_of(line) if words is None else words
    if words > SHORT or _DIGIT.search(line) is None:
        return False
    if words <= 6 and _RELATIVE_TIME.match(line):
        return True
    labelled = _DATE_LABEL.search(line.lower()) is not None
    if not labelled and _YEAR_OR_TIME.search(line) is None:
        return False  # the cheap looks first: the dates' own pattern is costly
    dates = _DATE.findall(line)
    if not dates:
        return False
    tokens = sum(1 for token in line.split() if _ALNUM.search(token))
    return labelled or sum(map(words_of, dates)) * 2 > tokens


def byline_line(line: str, words: int | None = None) -> bool:
    """A byline: "By A and B", "Von A, Frankfurt, 09.09.2025", "Oleh A": a label, then names
    (capitalised words and the words joining them) and perhaps a date; not a sentence that
    opens with the word ("Von Montag an gilt ...")."""
    words = words_of(line) if words is None else words
    if words > 14:
        return False
    match = BYLINE_OPENING.match(line)
    if match is None:
        return False
    rest = _DATE.sub(" ", line[match.end() :])
    names = [w for w in re.split(r"[\s,;|·•]+", rest) if any(ch.isalpha() for ch in w)]
    return 0 < len(names) <= 8 and all(
        w[0].isupper() or w.lower() in _NAME_JOINERS or not w[0].isalpha() for w in names
    )


#: What joins the parts of an article's date and byline on one line ("9. September 2025 um
#: 15:46 Uhr / Frank Wunderlich-Pfeiffer").
_PARTS = re.compile(r"\s+[/|•·]\s+")
#: A part of such a line that names people alone ("Frank Wunderlich-Pfeiffer"): two to four
#: capitalised words.
_NAMES_PART = re.compile(r"(?:[^\W\d_][\w'’.-]*\s+){1,3}[^\W\d_][\w'’.-]*")


def dated_byline_line(line: str, words: int | None = None) -> bool:
    """An article's date and byline on one line, in parts joined by " / " or " | ": a date
    line first (:func:`date_line`), then dates, bylines, credits or names alone ("Dec. 20,
    2016, 12:44 PM UTC / Updated Dec. 20, 2016, 1:00 PM UTC By Steve Benen"). Asked of the
    body's first lines only (a table's row of a date and two teams, a timeline's line, read
    alike, are text): not one of :func:`furniture_line`'s tests."""
    words = words_of(line) if words is None else words
    if words > LONG_LINE:
        return False
    parts = _PARTS.split(line)
    if len(parts) < 2 or not date_line(parts[0]):
        return False
    return all(
        date_line(part)
        or byline_line(part)
        or credit_line(part)
        or (_NAMES_PART.fullmatch(part) is not None and part.istitle())
        for part in parts[1:]
    )


#: The most words of a line any of the tests above takes for furniture.
LONGEST = 60
#: A line of this many words or more that ends as a sentence ends is furniture only as an
#: invitation, a copyright line or a staff credit.
SENTENCE_WORDS = 12
SENTENCE_ENDS = frozenset(".!?\"”»'")
#: Lines of more words than this are furniture only as a caption or a staff credit.
LONG_LINE = SHORT + 8


def furniture_line(line: str) -> bool:
    """Any of the tests above: a line that is page furniture, not article text."""
    if len(line) > LONGEST * 12:
        return False  # a paragraph: the cheap look first
    words = words_of(line)
    if words > LONGEST:
        return False
    if words > LONG_LINE:
        return (
            paywall_line(line, words)
            or newsletter_line(line, words)
            or disclosure_line(line, words)
            or credit_line(line, words)
            or rights_line(line, words)
        )
    return (
        ad_line(line, words)
        or link_label_line(line, words)
        or share_line(line, words)
        or newsletter_line(line, words)
        or disclosure_line(line, words)
        or follow_line(line, words)
        or rights_line(line, words)
        or credit_line(line, words)
        or date_line(line, words)
        or byline_line(line, words)
        or gallery_line(line, words)
        or paywall_line(line, words)
    )
