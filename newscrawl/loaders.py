"""Item loaders: which processors turn a page object's raw values into item fields.

:class:`ArticleLoader` knows no site: it cuts no dateline and strips no site name from
bylines. A site module declares its loader with :func:`datelines` and :func:`bylines` (its
dateline form, promo rules and byline suffix).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, MutableMapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from itemloaders.common import wrap_loader_context
from itemloaders.processors import Compose, Identity, Join, MapCompose, TakeFirst
from itemloaders.utils import arg_to_iter, get_func_args
from scrapy.loader import ItemLoader

from newscrawl import processors as p
from newscrawl.boilerplate import SHARED_RULES, Rule
from newscrawl.items import FIELD_NAMES, FUTURE_DATE_SLACK, ArticleItem


def clean_paragraphs(values: Iterable[str]) -> list[str]:
    """Paragraph texts cleaned; empty ones and ones without a letter or digit dropped."""
    return [text for text in (p.nonempty(value) for value in values) if text]


def no_promo(text: str) -> bool:
    return False


def _opening(paragraphs: list[str], promo: Callable[[str], bool]) -> int | None:
    """Where the article opens: the first paragraph that is not a promo line."""
    return next((i for i, text in enumerate(paragraphs) if not promo(text)), None)


def first_paragraph(values: Iterable[str], promo: Callable[[str], bool] = no_promo) -> list[str]:
    """The opening paragraph, cleaned (the only one a dateline is in)."""
    for value in values:
        text = p.nonempty(value)
        if text and not promo(text):
            return [text]
    return []


def body_paragraphs(
    paragraphs: list[str], pattern: re.Pattern[str], promo: Callable[[str], bool] = no_promo
) -> list[str]:
    """The body paragraphs with the opening dateline cut from the opening paragraph."""
    opening = _opening(paragraphs, promo)
    if opening is None:
        return paragraphs
    _, rest = p.split_dateline(paragraphs[opening], pattern)
    kept = [rest] if p.has_word_char(rest) else []
    return paragraphs[:opening] + kept + paragraphs[opening + 1 :]


def dateline_of(
    paragraphs: list[str], pattern: re.Pattern[str], promo: Callable[[str], bool] = no_promo
) -> list[str]:
    """The dateline city of the opening paragraph, as a list of zero or one value."""
    opening = _opening(paragraphs, promo)
    if opening is None:
        return []
    city, _ = p.split_dateline(paragraphs[opening], pattern)
    return [city] if city else []


def no_dateline(values: Iterable[str]) -> list[str]:
    """A site without a known dateline form: no dateline."""
    return []


def datelines(pattern: re.Pattern[str], promo_rules: Iterable[Rule] = ()) -> tuple[Any, Any]:
    """Input processors of ``body`` and ``dateline`` for a site's dateline ``pattern``; the
    dateline is looked for past any promo line (the site's ``promo_rules``, then the shared
    ones)."""
    rules = (*promo_rules, *SHARED_RULES)

    def promo(text: str) -> bool:
        return any(rule.matches(text) for rule in rules)

    def body(paragraphs: list[str]) -> list[str]:
        return body_paragraphs(paragraphs, pattern, promo)

    def city(paragraphs: list[str]) -> list[str]:
        return dateline_of(paragraphs, pattern, promo)

    def opening(values: list[str]) -> list[str]:
        return first_paragraph(values, promo)

    return Compose(clean_paragraphs, body), Compose(opening, city)


#: Date readers in order of trust: ISO (metas, JSON-LD), publishdate meta, visible dates.
DATE_PARSERS: tuple[Callable[[str], datetime | None], ...] = (
    p.parse_iso_date,
    p.parse_numeric_date,
    p.parse_dmy_date,
    p.parse_visible_date,
)


def parse_date(value: str | datetime) -> str | None:
    """Any of the page's date forms (ISO meta, publishdate meta, visible) to ISO WIB."""
    try:
        if isinstance(value, datetime):
            return p.to_wib_iso(value)
        for parser in DATE_PARSERS:
            parsed = parser(value)
            if parsed:
                return p.to_wib_iso(parsed)
    except (OverflowError, ValueError):  # a date at the edge of the calendar: no date
        return None
    return None


def bylines(suffix: re.Pattern[str]) -> Any:
    """The input processor of ``authors`` for a site whose bylines may end in its name
    (``suffix``, see :func:`newscrawl.processors.site_suffix`)."""

    def strip(value: str) -> str:
        return p.strip_suffix(value, suffix)

    return MapCompose(strip, p.trim_name, p.nonempty)


def labelled(label: str) -> Any:
    """An input processor keeping the value of ``"LABEL : value"`` texts."""

    def take(value: str) -> str | None:
        return p.labelled_value(value, label)

    return MapCompose(take)


class ArticleLoader(ItemLoader):
    """Loads :class:`ArticleItem`; fields take the first usable value unless listed below.

    The processors of each field are looked up once per loader class (itemloaders looks
    them up on every value; this loader runs for every article).
    """

    default_item_class = ArticleItem
    default_input_processor = MapCompose(p.nonempty)
    default_output_processor = TakeFirst()

    authors_in = MapCompose(p.trim_name, p.nonempty)
    authors_out = Compose(p.unique)
    tags_in = MapCompose(p.nonempty)
    tags_out = Compose(p.unique)
    editor_in = labelled("editor")
    published_at_in = MapCompose(parse_date)
    updated_at_in = MapCompose(parse_date)
    body_in = Compose(clean_paragraphs)
    dateline_in = Compose(no_dateline)
    body_out = Join("\n\n")
    is_premium_in = Identity()
    word_count_in = Identity()

    _processors: dict[tuple[type, str, str], Any] = {}  # noqa: RUF012 - a cache, on purpose

    def get_input_processor(self, field_name: str) -> Any:
        key = (type(self), field_name, "in")
        if key not in ArticleLoader._processors:
            ArticleLoader._processors[key] = super().get_input_processor(field_name)
        return ArticleLoader._processors[key]

    def get_output_processor(self, field_name: str) -> Any:
        key = (type(self), field_name, "out")
        if key not in ArticleLoader._processors:
            ArticleLoader._processors[key] = super().get_output_processor(field_name)
        return ArticleLoader._processors[key]

    def load_item(self) -> ArticleItem:
        item: ArticleItem = super().load_item()
        return finish_item(item, self.get_collected_values("updated_at"))

    @classmethod
    def load(cls, values: Iterable[tuple[str, Any]], **context: Any) -> ArticleItem:
        """The item of ``values`` (field name, raw value; None values left out): what
        ``add_value`` of each and then :meth:`load_item` give, the same processors applied
        directly, without itemloaders' machinery on every value (:func:`direct_processor`).
        A processor that raises is run again through the machinery, whose error (a
        ``ValueError`` naming the field) is raised."""
        given = [(name, value) for name, value in values if value is not None]
        steps = cls._direct_steps()
        if steps is not None:
            item = ArticleItem()
            loader_context = {**context, "response": None, "selector": None, "item": item}
            try:
                collected: dict[str, list[Any]] = {}
                for name, value in given:
                    step_in = steps[name][0]
                    processed = step_in(arg_to_iter(value), loader_context)
                    if processed:
                        collected.setdefault(name, []).extend(arg_to_iter(processed))
                for name, kept in collected.items():
                    output = steps[name][1](kept, loader_context)
                    if output is not None:
                        setattr(item, name, output)
                return finish_item(item, collected.get("updated_at", []))
            except Exception:  # raised again below, as itemloaders raises it
                pass
        loader = cls(**context)
        for name, value in given:
            loader.add_value(name, value)
        loaded: ArticleItem = loader.load_item()
        return loaded

    _steps: dict[type, dict[str, tuple[Step, Step]] | None] = {}  # noqa: RUF012 - a cache

    @classmethod
    def _direct_steps(cls) -> dict[str, tuple[Step, Step]] | None:
        """Each field's input and output processor as a :data:`Step`, once per loader class;
        None for a class that changes how the loader collects or loads values (its own
        ``add_value`` or ``load_item``, say): it loads through the machinery."""
        if cls not in ArticleLoader._steps:
            own = any(getattr(cls, name) is not getattr(ArticleLoader, name) for name in _MACHINERY)
            loader = cls()
            ArticleLoader._steps[cls] = (
                None
                if own
                else {
                    name: (
                        direct_processor(loader.get_input_processor(name)),
                        direct_processor(loader.get_output_processor(name)),
                    )
                    for name in FIELD_NAMES
                }
            )
        return ArticleLoader._steps[cls]


#: How :class:`~itemloaders.ItemLoader` collects and loads values: a loader class with its
#: own of any of them loads through the machinery (:meth:`ArticleLoader.load`).
_MACHINERY = (
    "add_value", "_add_value", "get_value", "_process_input_value", "get_output_value",
    "load_item", "get_collected_values",
)  # fmt: skip


def finish_item(item: ArticleItem, updated: list[Any]) -> ArticleItem:
    """What every loaded item gets last: its crawl time, the first of its collected update
    times (``updated``, most trusted first) later than the publication and not in the
    future, no empty body, its word count."""
    if not item.crawled_at:
        item.crawled_at = p.utc_now_iso()
    crawled = p.iso_datetime(item.crawled_at)
    latest = crawled + FUTURE_DATE_SLACK if crawled is not None else None
    item.updated_at = p.first_later(updated, item.published_at, latest)
    if not item.body:
        item.body = None
    item.word_count = p.count_words(item.body or "")
    return item


#: A processor applied directly: of the value (as itemloaders passes it) and the loader
#: context.
Step = Callable[[Any, MutableMapping[str, Any]], Any]


def _takes_context(function: Callable[..., Any]) -> bool:
    return "loader_context" in get_func_args(function)


def _keep(values: Any, loader_context: MutableMapping[str, Any]) -> Any:
    return values


def direct_processor(processor: Callable[..., Any]) -> Step:
    """``processor`` as a :data:`Step` giving what itemloaders' call of it gives (the
    loader context bound when it takes one): :class:`Identity`, :class:`TakeFirst`,
    :class:`Join`, and a :class:`MapCompose` or :class:`Compose` of functions that take no
    loader context, run here without their per-call wrapping; any other processor called as
    itemloaders calls it."""
    if isinstance(processor, Identity):
        return _keep
    if isinstance(processor, TakeFirst):
        return _take_first
    if isinstance(processor, Join):
        separator = processor.separator
        return lambda values, loader_context: separator.join(values)
    if isinstance(processor, MapCompose | Compose) and not any(
        _takes_context(function) for function in processor.functions
    ):
        functions = processor.functions
        if isinstance(processor, MapCompose):
            return lambda value, loader_context: _map_compose(functions, value)
        stop = processor.stop_on_none
        return lambda value, loader_context: _compose(functions, value, stop)
    return lambda value, loader_context: wrap_loader_context(processor, loader_context)(value)


def _take_first(values: Iterable[Any], loader_context: MutableMapping[str, Any]) -> Any:
    for value in values:
        if value is not None and value != "":
            return value
    return None


def _map_compose(functions: tuple[Callable[..., Any], ...], value: Any) -> Any:
    """:class:`MapCompose`'s call: each function applied to each value, results flattened."""
    values = arg_to_iter(value)
    for function in functions:
        next_values: list[Any] = []
        for one in values:
            next_values += arg_to_iter(function(one))
        values = next_values
    return values


def _compose(functions: tuple[Callable[..., Any], ...], value: Any, stop_on_none: bool) -> Any:
    """:class:`Compose`'s call: the functions applied in turn (stopping at None)."""
    for function in functions:
        if value is None and stop_on_none:
            break
        value = function(value)
    return value


# --- any site: the generic page's text forms -----------------------------------------------

#: Opening datelines of any site, the brand as printed (``{brand}``: the site's name, any case,
#: "." or "," before its suffix): "JAKARTA, Brand.co.id - ", "Brand.co.id, JAKARTA — ",
#: "Jakarta (BRAND) - " (any agency in the parentheses), a brand alone "BRAND.com - ".
_CITY = r"(?P<city>[^\W\d_][^\W\d_ .'-]*(?:[ .'-][^\W\d_]+){{0,3}})"
_BRANDED = r"{brand}(?:\s*[.,]\s*[A-Za-z]{{2,4}}){{0,2}}"  # "Brand", "Brand.co.id", "Brand,com"
_DASH_REST = r"\s*[—–-]+\s*(?P<rest>.*)$"
GENERIC_DATELINES = (
    r"^\s*" + _CITY + r"\s*,\s*" + _BRANDED + _DASH_REST,
    r"^\s*" + _BRANDED + r"\s*,\s*" + _CITY + _DASH_REST,
    r"^\s*(?P<city>[^\W\d_]+(?: [^\W\d_]+){{0,3}})\s*\(\s*[A-Z][A-Za-z.]+\s*\)" + _DASH_REST,
    r"^\s*" + _BRANDED + _DASH_REST,
)
#: An editor-initials tail: " (ara/das)".
INITIALS_TAIL = re.compile(r"\s*\((?:[a-z]{2,5}/)+[a-z]{2,5}\)\s*$")


@lru_cache(maxsize=256)
def _datelines_of(brand: str) -> tuple[re.Pattern[str], ...]:
    """:data:`GENERIC_DATELINES` of the site ``brand``, compiled (once a site: a crawl of
    many sites would have ``re``'s own cache compile them again and again)."""
    name = r"(?i:" + re.escape(brand) + r")"
    return tuple(re.compile(form.format(brand=name), re.DOTALL) for form in GENERIC_DATELINES)


def _generic_split(paragraph: str, brand: str) -> tuple[str | None, str] | None:
    for form in _datelines_of(brand):
        match = form.match(paragraph)
        if match:
            groups = match.groupdict()
            city = clean_city(groups.get("city") or "")
            return city, p.clean_text(groups["rest"])
    return None


def clean_city(text: str) -> str | None:
    """A dateline's city, upper-cased ("Jakarta" → "JAKARTA")."""
    city = p.clean_text(text).strip(" ,")
    return city.upper() or None


def generic_body(paragraphs: list[str], loader_context: Any) -> list[str]:
    """The opening dateline cut from the first block and an editor-initials tail from the
    last (a block left empty is dropped)."""
    brand = str(loader_context.get("brand") or "")
    blocks = list(paragraphs)
    if blocks and brand:
        cut = _generic_split(blocks[0], brand)
        if cut is not None:
            blocks[0] = cut[1]
    if blocks:
        blocks[-1] = INITIALS_TAIL.sub("", blocks[-1])
    return [block for block in blocks if p.has_word_char(block)]


def generic_city(paragraphs: list[str], loader_context: Any) -> list[str]:
    brand = str(loader_context.get("brand") or "")
    if not paragraphs or not brand:
        return []
    cut = _generic_split(paragraphs[0], brand)
    return [cut[0]] if cut is not None and cut[0] else []


class GenericLoader(ArticleLoader):
    """Any site: the dateline forms most sites use, with the site's name (``brand`` in the
    loader context) as printed; editor-initials tails; names without a trailing site tail."""

    body_in = Compose(clean_paragraphs, generic_body)
    dateline_in = Compose(clean_paragraphs, generic_city)
    authors_in = MapCompose(p.trim_name, p.nonempty)
