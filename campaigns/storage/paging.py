"""Pages of rows with caller-chosen filters and sort orders, safely.

Sort keys and filters come from request text, so nothing of theirs reaches the SQL text: a sort
key is looked up in an allow-list that maps public names to columns (then quoted with
`sql.Identifier`), and every filter value travels as a bound parameter. Unknown names are a
ValidationError, not an ignored parameter, so a typo shows instead of silently sorting by id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from psycopg import sql

from campaigns.errors import ValidationError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T")

MAX_LIMIT = 500


@dataclass(frozen=True)
class PageRequest:
    limit: int = 50
    offset: int = 0
    sort: str = "id"
    descending: bool = False

    def checked(self, sortable: Sequence[str]) -> PageRequest:
        problems = []
        if not 1 <= self.limit <= MAX_LIMIT:
            problems.append(f"limit: 1-{MAX_LIMIT}")
        if self.offset < 0:
            problems.append("offset: 0 or more")
        if self.sort not in sortable:
            problems.append(f"sort: one of {', '.join(sortable)}")
        if problems:
            raise ValidationError(problems)
        return self


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    # Where the next page starts; None on the last page (no count(*) over millions of rows).
    next_offset: int | None


def order_by(page: PageRequest, columns: Mapping[str, tuple[str, str]]) -> sql.Composed:
    """ORDER BY the allow-listed (table alias, column) for page.sort, then the id as tiebreaker
    so pages never overlap."""
    alias, column = columns[page.sort]
    direction = sql.SQL("DESC" if page.descending else "ASC")
    return sql.SQL("ORDER BY {} {} NULLS LAST, {} {} LIMIT {} OFFSET {}").format(
        sql.Identifier(alias, column),
        direction,
        sql.Identifier(alias, "id"),
        direction,
        sql.Literal(page.limit + 1),
        sql.Literal(page.offset),
    )


def page_of(rows: list[T], page: PageRequest) -> Page[T]:
    """Rows fetched with one extra (limit + 1) tell whether a next page exists."""
    if len(rows) > page.limit:
        return Page(rows[: page.limit], page.offset + page.limit)
    return Page(rows, None)


def filter_clause(
    filters: DataclassInstance, clauses: Mapping[str, str]
) -> tuple[sql.Composable, dict[str, Any]]:
    """WHERE from the fixed SQL clause of each filter field that has a value; the values go as
    bound parameters."""
    params = {key: value for key, value in asdict(filters).items() if value is not None}
    parts = [sql.SQL(clauses[key]) for key in params]
    if not parts:
        return sql.SQL(""), params
    return sql.SQL("WHERE ") + sql.SQL(" AND ").join(parts), params
