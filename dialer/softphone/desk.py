"""The agent's side of the dashboard's JSON API, as a robot uses it: a bearer token, no session.

`GET /api/v1/agent/status`, `POST /api/v1/agent/login|ready|pause|logout` and
`POST /api/v1/attempts/<id>/disposition` (`/api/v1/inbound-calls/<id>/disposition` for an inbound
call). Standard library only (urllib): `dialer` stays free
of web frameworks, and a robot needs a handful of small requests.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)

# The worker may still be writing the call's end when the robot hangs up: the API answers
# 409 {"retry": true, "retry_after_s": ...} and the robot asks again, this long at most.
DISPOSITION_PATIENCE_S = 15.0


class DeskError(Exception):
    """The API refused or could not be reached; ``retry`` says whether asking again may work."""

    def __init__(self, message: str, status: int = 0, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s

    @property
    def retry(self) -> bool:
        return self.retry_after_s is not None


@dataclass(frozen=True)
class AgentStatus:
    agent_id: int
    username: str
    sip_uri: str
    state: str
    reason: str | None
    attempt_id: int | None
    campaigns: tuple[int, ...]
    allowed_campaigns: tuple[int, ...]

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> AgentStatus:
        agent = body.get("agent") or {}
        allowed = body.get("allowed_campaigns") or []
        return cls(
            agent_id=int(agent.get("id", 0)),
            username=str(agent.get("username", "")),
            sip_uri=str(agent.get("sip_uri", "")),
            state=str(body.get("state", "")),
            reason=body.get("reason"),
            attempt_id=body.get("attempt_id"),
            campaigns=tuple(int(c) for c in body.get("campaigns") or ()),
            allowed_campaigns=tuple(int(c["id"]) for c in allowed),
        )


class AgentDesk:
    """One agent's API session; thread-safe (no state beyond the token)."""

    def __init__(self, api_url: str, token: str, timeout_s: float = 10.0) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = token
        self._timeout_s = timeout_s

    def status(self) -> AgentStatus:
        return AgentStatus.from_json(self._call("GET", "/api/v1/agent/status"))

    def login(self, campaign_ids: tuple[int, ...] = ()) -> AgentStatus:
        """Log in to these campaigns (default: every campaign the agent may work)."""
        body: dict[str, Any] = {"campaign_ids": list(campaign_ids)} if campaign_ids else {}
        return AgentStatus.from_json(self._call("POST", "/api/v1/agent/login", body))

    def ready(self) -> AgentStatus:
        return AgentStatus.from_json(self._call("POST", "/api/v1/agent/ready", {}))

    def pause(self, reason: str) -> AgentStatus:
        return AgentStatus.from_json(self._call("POST", "/api/v1/agent/pause", {"reason": reason}))

    def logout(self) -> AgentStatus:
        return AgentStatus.from_json(self._call("POST", "/api/v1/agent/logout", {}))

    def speed_dial(self, slot: int) -> dict[str, Any]:
        """Dial a speed-dial entry: the worker rings this agent's phone, then the number."""
        return self._call("POST", f"/api/v1/agent/speed-dial/{slot}/call", {})

    def disposition(
        self,
        attempt_id: int,
        code: str,
        *,
        notes: str = "",
        callback_at: datetime | None = None,
        patience_s: float = DISPOSITION_PATIENCE_S,
    ) -> dict[str, Any]:
        """Record the disposition; asks again while the worker is still closing the call."""
        body: dict[str, Any] = {"code": code, "notes": notes}
        if callback_at is not None:
            # A robot's callback goes to the campaign's next calling hours if it falls outside.
            body["callback_at"] = callback_at.isoformat()
            body["move_callback_into_window"] = True
        deadline = time.monotonic() + patience_s
        # A negative reference is an inbound call's id negated (the agent's live state).
        path = (
            f"/api/v1/attempts/{attempt_id}/disposition"
            if attempt_id > 0
            else f"/api/v1/inbound-calls/{-attempt_id}/disposition"
        )
        while True:
            try:
                return self._call("POST", path, body)
            except DeskError as refused:
                wait = refused.retry_after_s
                if wait is None or time.monotonic() + wait > deadline:
                    raise
                log.debug("attempt %s: %s; asking again", attempt_id, refused)
                time.sleep(wait)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.api_url + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self._token}",
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if data is not None else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s) as answer:
                loaded = json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as refused:
            raise _refusal(method, path, refused) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as away:
            unreachable = f"{method} {path}: API unreachable: {away}"
            raise DeskError(unreachable, retry_after_s=1.0) from None
        if not isinstance(loaded, dict):
            raise DeskError(f"{method} {path}: expected a JSON object")
        return loaded


def _refusal(method: str, path: str, refused: urllib.error.HTTPError) -> DeskError:
    try:
        body = json.loads(refused.read() or b"{}")
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    message = body.get("message") or refused.reason
    retry_after = None
    if body.get("retry"):
        retry_after = float(body.get("retry_after_s") or refused.headers.get("Retry-After") or 1)
    elif refused.code in (502, 503, 504):
        retry_after = 1.0
    return DeskError(f"{method} {path}: {refused.code} {message}", refused.code, retry_after)
