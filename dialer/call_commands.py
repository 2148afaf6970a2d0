"""Commands for a call in progress, from the dashboard to the worker that holds it: hang up,
hold/resume, mute/unmute, DTMF, record start/stop, transfer to a number, an agent or an
inbound queue, three-way call, and
a supervisor's listen/whisper/barge/leave.

The dashboard does not know which worker process runs an attempt, and need not: each attempt has
a Redis list, `dialer:call:<attempt_id>:commands`; the dashboard appends to it and the process
running the attempt pops from it. A list rather than pub/sub, because a command sent in the
moment before the worker starts listening, or while its Redis connection is re-established,
waits in the list instead of being lost. Lists expire (COMMAND_TTL), so a command for a call
that nobody runs any more disappears on its own.

One listener thread per worker process serves every attempt it runs with a single BLPOP (which
takes many keys): idle lines cost nothing and a process holds one extra Redis connection. A
newly registered attempt is included from the listener's next round, at most WAIT later; a
command sent meanwhile waits in its list.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import redis

log = logging.getLogger(__name__)

_PREFIX = "dialer:call:"
COMMAND_TTL = timedelta(minutes=2)
# How long one BLPOP blocks: the delay before a newly registered attempt is listened to, and
# before `stop` is noticed. Well under the clients' socket timeout (dialer.bootstrap: 10 s).
WAIT = timedelta(seconds=0.5)
# After a Redis error, wait this long before trying again (no busy loop while Redis is away).
RETRY_AFTER = timedelta(seconds=1)


class CallCommand(StrEnum):
    HANGUP = "hangup"
    HOLD = "hold"
    RESUME = "resume"
    MUTE = "mute"
    UNMUTE = "unmute"
    DTMF = "dtmf"
    RECORD_START = "record_start"
    RECORD_STOP = "record_stop"
    TRANSFER = "transfer"  # blind
    CONSULT = "consult"  # warm transfer: talk with the third party first
    TRANSFER_COMPLETE = "transfer_complete"
    TRANSFER_CANCEL = "transfer_cancel"
    CONFERENCE = "conference"  # three-way: add a third party, all three hear each other
    CONFERENCE_LEAVE = "conference_leave"  # the agent leaves: the other two stay connected
    CONFERENCE_DROP = "conference_drop"  # the third party is hung up: back to the customer
    CONFERENCE_MERGE = "conference_merge"  # the consulted third party joins the customer too
    # To another agent (``agent_id``): blind, or warm (the agents talk first; then
    # transfer_complete or transfer_cancel as for a number).
    TRANSFER_AGENT = "transfer_agent"
    CONSULT_AGENT = "consult_agent"
    # To an inbound queue (``queue_id``), blind: the customer waits there for its agents.
    TRANSFER_QUEUE = "transfer_queue"
    # Three-way with another agent (``agent_id``): they join the customer and the agent; then
    # conference_leave (the call becomes theirs) or conference_drop, as for a number.
    CONFERENCE_AGENT = "conference_agent"
    # A supervisor (dialer.supervision): their softphone is called into the call, or leaves it.
    LISTEN = "listen"
    WHISPER = "whisper"
    BARGE = "barge"
    SUPERVISE_LEAVE = "supervise_leave"


NEEDS_DESTINATION = frozenset({CallCommand.TRANSFER, CallCommand.CONSULT, CallCommand.CONFERENCE})
NEEDS_AGENT = frozenset(
    {CallCommand.TRANSFER_AGENT, CallCommand.CONSULT_AGENT, CallCommand.CONFERENCE_AGENT}
)
NEEDS_QUEUE = frozenset({CallCommand.TRANSFER_QUEUE})
# What an inbound call refuses: a third party's leg does not fit an inbound process.
TRANSFERS = frozenset(
    {
        CallCommand.TRANSFER,
        CallCommand.CONSULT,
        CallCommand.TRANSFER_COMPLETE,
        CallCommand.TRANSFER_CANCEL,
        CallCommand.CONFERENCE,
        CallCommand.CONFERENCE_LEAVE,
        CallCommand.CONFERENCE_DROP,
        CallCommand.CONFERENCE_MERGE,
        CallCommand.TRANSFER_AGENT,
        CallCommand.CONSULT_AGENT,
        CallCommand.TRANSFER_QUEUE,
        CallCommand.CONFERENCE_AGENT,
    }
)
# The supervisor's commands; the first three carry the SIP URI of the supervisor's softphone.
SUPERVISING = frozenset(
    {CallCommand.LISTEN, CallCommand.WHISPER, CallCommand.BARGE, CallCommand.SUPERVISE_LEAVE}
)
NEEDS_PHONE = SUPERVISING - {CallCommand.SUPERVISE_LEAVE}

# RFC 2833 events a phone keypad (and an IVR) knows; at most a card number and a PIN at once.
DTMF_DIGITS = frozenset("0123456789*#ABCD")
MAX_DTMF_DIGITS = 32


class BadCommand(ValueError):
    pass


def check_digits(digits: str) -> str:
    """The digits of a DTMF command, or BadCommand saying what is wrong with them."""
    if not digits:
        raise BadCommand("no DTMF digits")
    if len(digits) > MAX_DTMF_DIGITS:
        raise BadCommand(f"at most {MAX_DTMF_DIGITS} DTMF digits at once")
    wrong = sorted(set(digits) - DTMF_DIGITS)
    if wrong:
        raise BadCommand(f"not DTMF digits: {''.join(wrong)}")
    return digits


def check_destination(destination: str) -> str:
    """A transfer's destination as typed: an E.164 number (the allow list is the worker's and
    the dashboard's business), or BadCommand."""
    number = destination.strip()
    if not _DESTINATION.fullmatch(number):
        raise BadCommand(f"not an E.164 number (+ and 7-15 digits): {destination!r}")
    return number


_DESTINATION = re.compile(r"\+[1-9][0-9]{6,14}")


def check_agent_id(agent_id: object) -> int:
    """The id of the agent to transfer to (a positive integer), or BadCommand."""
    if isinstance(agent_id, bool) or not isinstance(agent_id, int) or agent_id < 1:
        raise BadCommand(f"not an agent id: {agent_id!r}")
    return agent_id


def check_queue_id(queue_id: object) -> int:
    """The id of the inbound queue to transfer to (a positive integer), or BadCommand."""
    if isinstance(queue_id, bool) or not isinstance(queue_id, int) or queue_id < 1:
        raise BadCommand(f"not a queue id: {queue_id!r}")
    return queue_id


def check_phone(phone: str) -> str:
    """A supervisor's softphone: a sip: or sips: URI on one line, or BadCommand."""
    uri = phone.strip()
    if not _PHONE.fullmatch(uri):
        raise BadCommand(f"not a SIP URI of a softphone: {phone!r}")
    return uri


_PHONE = re.compile(r"sips?:[^\s<>\"]{3,250}")


@dataclass(frozen=True)
class CommandReceived:
    attempt_id: int
    command: CallCommand
    # Who asked, for the log and the attempt record: "agent 7", "user 2".
    requested_by: str
    at: datetime
    # DTMF only: the digits to send to the customer.
    digits: str = ""
    # Transfer only: the E.164 number to pass the customer to.
    destination: str = ""
    # Listen, whisper, barge: the supervisor's softphone to call into the call.
    phone: str = ""
    # Transfer to an agent: that agent's id.
    agent_id: int | None = None
    # Transfer to an inbound queue: its id.
    queue_id: int | None = None


Handler = Callable[[CommandReceived], None]


def command_key(attempt_id: int) -> str:
    return f"{_PREFIX}{attempt_id}:commands"


def request_hangup(
    client: redis.Redis, attempt_id: int, requested_by: str, at: datetime | None = None
) -> None:
    """Ask the worker running `attempt_id` to hang up the customer (and so the whole call)."""
    send(client, attempt_id, CallCommand.HANGUP, requested_by, at or datetime.now(UTC))


def send(
    client: redis.Redis,
    attempt_id: int,
    command: CallCommand,
    requested_by: str,
    at: datetime,
    digits: str = "",
    destination: str = "",
    phone: str = "",
    agent_id: int | None = None,
    queue_id: int | None = None,
) -> None:
    fields: dict[str, object] = {
        "command": command.value,
        "requested_by": requested_by,
        "at": at.isoformat(),
    }
    if command is CallCommand.DTMF:
        fields["digits"] = check_digits(digits)
    if command in NEEDS_DESTINATION:
        fields["destination"] = check_destination(destination)
    if command in NEEDS_PHONE:
        fields["phone"] = check_phone(phone)
    if command in NEEDS_AGENT:
        fields["agent_id"] = check_agent_id(agent_id)
    if command in NEEDS_QUEUE:
        fields["queue_id"] = check_queue_id(queue_id)
    payload = json.dumps(fields)
    key = command_key(attempt_id)
    with client.pipeline() as pipe:
        pipe.rpush(key, payload)
        pipe.expire(key, int(COMMAND_TTL.total_seconds()))
        pipe.execute()


def _decode(attempt_id: int, raw: str | bytes) -> CommandReceived | None:
    text = raw.decode() if isinstance(raw, bytes) else raw
    try:
        fields = json.loads(text)
        command = CallCommand(fields["command"])
        digits = check_digits(str(fields["digits"])) if command is CallCommand.DTMF else ""
        destination = (
            check_destination(str(fields["destination"])) if command in NEEDS_DESTINATION else ""
        )
        phone = check_phone(str(fields["phone"])) if command in NEEDS_PHONE else ""
        agent_id = check_agent_id(fields["agent_id"]) if command in NEEDS_AGENT else None
        queue_id = check_queue_id(fields["queue_id"]) if command in NEEDS_QUEUE else None
        return CommandReceived(
            attempt_id,
            command,
            str(fields.get("requested_by", "")),
            datetime.fromisoformat(fields["at"]),
            digits,
            destination,
            phone,
            agent_id,
            queue_id,
        )
    except (ValueError, KeyError, TypeError) as bad:  # BadCommand is a ValueError
        log.warning("attempt %s: unreadable call command %r ignored: %s", attempt_id, text, bad)
        return None


class CallCommandListener:
    """Delivers each attempt's commands to the handler its worker registered (`listening`)."""

    def __init__(self, client: redis.Redis, wait: timedelta = WAIT) -> None:
        self._redis = client
        self._wait_s = wait.total_seconds()
        self._handlers: dict[int, Handler] = {}
        self._lock = threading.Lock()
        self._registered = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> CallCommandListener:
        self._thread = threading.Thread(target=self._run, name="call-commands", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._registered.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @contextmanager
    def listening(self, attempt_id: int, handler: Handler) -> Iterator[None]:
        """Deliver `attempt_id`'s commands to `handler` (on the listener's thread) until the
        block ends; commands left over afterwards are dropped with the list."""
        with self._lock:
            self._handlers[attempt_id] = handler
        self._registered.set()
        try:
            yield
        finally:
            with self._lock:
                self._handlers.pop(attempt_id, None)
            try:
                self._redis.delete(command_key(attempt_id))
            except redis.RedisError as error:  # it expires anyway
                log.info("attempt %s: command list not deleted: %s", attempt_id, error)

    def _run(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                attempts = list(self._handlers)
            if not attempts:
                self._registered.wait(self._wait_s)
                self._registered.clear()
                continue
            try:
                reply = self._redis.blpop([command_key(a) for a in attempts], self._wait_s)
            except redis.RedisError as error:
                log.warning("call commands: Redis error, retrying: %s", error)
                self._stopping.wait(RETRY_AFTER.total_seconds())
                continue
            if reply:
                key, raw = reply
                self._deliver(key, raw)

    def _deliver(self, key: str | bytes, raw: str | bytes) -> None:
        name = key.decode() if isinstance(key, bytes) else key
        attempt_id = int(name.removeprefix(_PREFIX).split(":", 1)[0])
        received = _decode(attempt_id, raw)
        with self._lock:
            handler = self._handlers.get(attempt_id)
        if received is None or handler is None:
            return
        try:
            handler(received)
        except Exception:
            # The listener's edge: one handler's failure must not stop commands for other calls.
            log.exception("attempt %s: command %s failed", attempt_id, received.command)
