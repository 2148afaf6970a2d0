"""The menu: each blueprint module lists its entries in `NAV`; the page shows those the signed-in
user's role may open, so the menu never offers a page that would answer 403."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, url_for

from campaigns.users import Role
from dashboard.auth import current_user


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: frozenset[Role]
    # Lower first; gaps of 10 leave room for other modules' entries.
    order: int = 100
    # Other blueprints whose pages are under this entry (it is shown as the current one there).
    also: tuple[str, ...] = ()

    @property
    def blueprints(self) -> frozenset[str]:
        return frozenset({self.endpoint.split(".", 1)[0], *self.also})


def init_navigation(app: Flask, items: list[NavItem]) -> None:
    ordered = sorted(items, key=lambda item: (item.order, item.label))

    @app.context_processor
    def _menu() -> dict[str, object]:
        user = current_user()
        if user is None:
            return {"menu": []}
        return {
            "menu": [
                (item.label, url_for(item.endpoint), item.blueprints)
                for item in ordered
                if user.role in item.roles
            ]
        }
