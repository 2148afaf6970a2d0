"""Who may call which view: every view declares it, one hook enforces it, undeclared means no.

Views carry an `Access` set by `@public`, `@login_required` or `@roles_required(...)`. The
app's before-request hook (dashboard.auth) reads it for the matched endpoint and refuses a view
that declares nothing, so a new route cannot be left open by forgetting a decorator; a test walks
the URL map to keep it that way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from campaigns.users import Role

View = TypeVar("View", bound=Callable[..., Any])

ATTRIBUTE = "dialer_access"


@dataclass(frozen=True)
class Access:
    # None: anyone, signed in or not (the login page, static files, the OpenAPI document).
    roles: frozenset[Role] | None

    @property
    def is_public(self) -> bool:
        return self.roles is None

    def allows(self, role: Role) -> bool:
        return self.roles is None or role in self.roles


def _declare(access: Access) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        setattr(view, ATTRIBUTE, access)
        return view

    return decorate


def public(view: View) -> View:
    return _declare(Access(None))(view)


def login_required(view: View) -> View:
    """Any signed-in user, whatever their role."""
    return _declare(Access(frozenset(Role)))(view)


def roles_required(*roles: Role) -> Callable[[View], View]:
    if not roles:
        raise ValueError("name at least one role")
    return _declare(Access(frozenset(roles)))


# The usual groups, so views read as policy.
managers = roles_required(Role.ADMIN, Role.SUPERVISOR)
admins = roles_required(Role.ADMIN)
agents = roles_required(Role.AGENT)


def access_of(view: Callable[..., Any] | None) -> Access | None:
    return getattr(view, ATTRIBUTE, None)
