"""Blueprints: every module (or package) in here that defines `blueprint` is registered.

Adding a page or an API area is adding a module: define `blueprint = Blueprint(...)`, decorate
each view with an access rule from dashboard.access, and optionally list menu entries in
`NAV: list[NavItem]`. Nothing central needs editing, so parallel work does not collide here.
"""

from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint, Flask

from dashboard.navigation import NavItem


def register_blueprints(app: Flask) -> list[NavItem]:
    """Register every blueprint under dashboard.routes; return their menu entries."""
    nav: list[NavItem] = []
    for found in sorted(
        pkgutil.walk_packages(__path__, prefix=f"{__name__}."), key=lambda m: m.name
    ):
        module = importlib.import_module(found.name)
        blueprint = getattr(module, "blueprint", None)
        if isinstance(blueprint, Blueprint):
            app.register_blueprint(blueprint)
            nav.extend(getattr(module, "NAV", []))
    return nav
