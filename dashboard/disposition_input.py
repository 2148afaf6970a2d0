"""The fields of a disposition request (AttemptDispositionInput), parsed once for outbound
attempts (routes/api/attempt_work) and inbound calls (routes/api/inbound_work)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from campaigns.errors import ValidationError


@dataclass(frozen=True)
class DispositionInput:
    code: str
    notes: str
    callback_at: datetime | None
    callback_for_me: bool
    move_callback_into_window: bool
    pause_reason: str | None


def disposition_input(body: dict[str, Any]) -> DispositionInput:
    return DispositionInput(
        code=_text(body, "code", required=True),
        notes=_text(body, "notes")[:4000],
        callback_at=_callback_at(body),
        callback_for_me=_flag(body, "callback_for_me"),
        move_callback_into_window=_flag(body, "move_callback_into_window"),
        pause_reason=_text(body, "pause_reason") or None,
    )


def _text(body: dict[str, Any], name: str, required: bool = False) -> str:
    value = body.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValidationError([f"{name}: {'required, ' if required else ''}a string"])
    return value.strip() if name != "notes" else value


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise ValidationError([f"{name}: true or false"])
    return value


def _callback_at(body: dict[str, Any]) -> datetime | None:
    raw = body.get("callback_at")
    if raw in (None, ""):
        return None
    if not isinstance(raw, str):
        raise ValidationError(["callback_at: an ISO 8601 date-time with a zone"])
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(["callback_at: an ISO 8601 date-time with a zone"]) from None
    if moment.tzinfo is None:
        raise ValidationError(["callback_at: give a time zone (or UTC, 'Z')"])
    return moment
