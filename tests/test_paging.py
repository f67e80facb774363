"""Index paging decisions (:func:`newscrawl.paging.plan_paging`), every branch, for an index
with a page count (Bisnis.com) and one without (Kompas.com)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscrawl.paging import Paging, plan_paging


def plan(
    page: int,
    total: int | None,
    *,
    listed: bool = True,
    new: bool = True,
    incremental: bool = False,
    cap: int = 50,
) -> Paging:
    return plan_paging(page, total, listed=listed, new=new, incremental=incremental, cap=cap)


# --- a page count (Bisnis.com) -------------------------------------------------------------


def test_first_pass_gets_every_page_from_page_one() -> None:
    assert plan(1, 4) == Paging(following=(2, 3, 4))
    assert plan(3, 4) == Paging()
    assert plan(4, 4) == Paging(complete=True)
    assert plan(1, 1) == Paging(complete=True)


def test_first_pass_stops_at_the_cap() -> None:
    assert plan(1, 120, cap=50) == Paging(following=tuple(range(2, 51)), capped=True)
    assert plan(50, 120, cap=50) == Paging()
    assert plan(1, 50, cap=50) == Paging(following=tuple(range(2, 51)))


def test_incremental_pass_pages_while_pages_list_something_new() -> None:
    assert plan(1, 4, incremental=True) == Paging(following=(2,))
    assert plan(2, 4, new=False, incremental=True) == Paging(complete=True, early_stop=True)
    assert plan(4, 4, new=False, incremental=True) == Paging(complete=True)
    assert plan(3, 9, incremental=True, cap=3) == Paging(capped=True)


# --- no page count (Kompas.com) ------------------------------------------------------------


def test_without_a_count_pages_until_a_page_lists_no_article() -> None:
    assert plan(1, None) == Paging(following=(2,))
    assert plan(2, None, new=False) == Paging(following=(3,))
    assert plan(3, None, listed=False, new=False) == Paging(complete=True)


def test_without_a_count_stops_at_the_cap() -> None:
    assert plan(1, None, cap=1) == Paging(capped=True)
    assert plan(49, None, cap=50) == Paging(following=(50,))
    assert plan(50, None, cap=50) == Paging(capped=True)


def test_without_a_count_incremental_stops_after_nothing_new() -> None:
    assert plan(1, None, incremental=True) == Paging(following=(2,))
    assert plan(1, None, new=False, incremental=True) == Paging(complete=True, early_stop=True)
    assert plan(2, None, listed=False, new=False, incremental=True) == Paging(complete=True)


@given(
    page=st.integers(1, 200),
    total=st.one_of(st.none(), st.integers(1, 200)),
    listed=st.booleans(),
    new=st.booleans(),
    incremental=st.booleans(),
    cap=st.integers(1, 120),
)
def test_never_pages_past_the_cap_or_backwards(
    page: int, total: int | None, listed: bool, new: bool, incremental: bool, cap: int
) -> None:
    paging = plan_paging(page, total, listed=listed, new=new, incremental=incremental, cap=cap)
    assert all(page < number <= cap for number in paging.following)
    if total is not None:
        assert all(number <= total for number in paging.following)
    assert not (paging.following and paging.complete)
    assert not (paging.capped and paging.complete)


@pytest.mark.parametrize("incremental", [False, True])
def test_a_last_page_is_complete_whatever_it_lists(incremental: bool) -> None:
    assert plan(2, 2, new=False, incremental=incremental).complete
    assert plan(7, None, listed=False, incremental=incremental).complete
