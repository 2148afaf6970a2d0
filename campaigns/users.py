"""People who use the dashboard and the API: roles, accounts and integration tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from campaigns.errors import ValidationError


class Role(StrEnum):
    ADMIN = "admin"  # everything, including users, trunks (carrier credentials) and pause codes
    SUPERVISOR = "supervisor"  # campaigns, lists, DNC, dispositions, reports, the wallboard
    AGENT = "agent"  # their own console and their own calls, nothing else


# The same rule as the users.username CHECK, so the message comes from us, not PostgreSQL.
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
# NIST SP 800-63B: length matters, composition rules do not; 10 is our floor for staff accounts.
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    # Bumped on every password change: a session remembers the epoch it was issued under.
    session_epoch: int
    disabled: bool
    created_at: datetime


@dataclass(frozen=True)
class ApiToken:
    id: int
    user_id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def validate_username(username: str) -> str:
    if not _USERNAME.match(username):
        raise ValidationError(["username: 1-64 letters, digits, '.', '_', '@' or '-'"])
    return username


def validate_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError([f"password: at least {MIN_PASSWORD_LENGTH} characters"])
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError([f"password: at most {MAX_PASSWORD_LENGTH} characters"])
    return password


def validate_token_name(name: str) -> str:
    if not 1 <= len(name.strip()) <= 80:
        raise ValidationError(["name: 1-80 characters naming the integration"])
    return name.strip()


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ValidationError(
            [f"role: one of {', '.join(r.value for r in Role)}, got {value!r}"]
        ) from None
