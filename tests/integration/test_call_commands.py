"""Commands for running calls through a real Redis: the dashboard's side sends, one listener per
worker process delivers each to the attempt that registered for it."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis

from dialer import call_commands
from dialer.bootstrap import redis_client
from dialer.call_commands import CallCommand, CallCommandListener, CommandReceived

AT = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
WAIT_S = 10.0  # generous: the machine is shared; a delivery normally takes well under a second


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return redis_client(redis_url)


@pytest.fixture
def listener(client: redis.Redis) -> Iterator[CallCommandListener]:
    running = CallCommandListener(client, wait=timedelta(seconds=0.1)).start()
    yield running
    running.stop()


def test_a_hang_up_reaches_the_attempt_that_listens_for_it(
    client: redis.Redis, listener: CallCommandListener
) -> None:
    received: queue.Queue[CommandReceived] = queue.Queue()
    others: queue.Queue[CommandReceived] = queue.Queue()
    with listener.listening(41, received.put), listener.listening(42, others.put):
        call_commands.request_hangup(client, 41, "agent 7", AT)
        got = received.get(timeout=WAIT_S)
    assert got == CommandReceived(41, CallCommand.HANGUP, "agent 7", AT)
    assert others.empty()


def test_a_command_sent_before_the_worker_listens_waits_for_it(
    client: redis.Redis, listener: CallCommandListener
) -> None:
    call_commands.request_hangup(client, 43, "user 1", AT)
    received: queue.Queue[CommandReceived] = queue.Queue()
    with listener.listening(43, received.put):
        assert received.get(timeout=WAIT_S).requested_by == "user 1"


def test_commands_for_calls_nobody_runs_expire_and_are_dropped_when_a_call_ends(
    client: redis.Redis, listener: CallCommandListener
) -> None:
    call_commands.request_hangup(client, 44, "agent 7", AT)
    ttl = client.ttl(call_commands.command_key(44))
    assert 0 < ttl <= call_commands.COMMAND_TTL.total_seconds()
    with listener.listening(45, lambda _: None):
        pass
    call_commands.request_hangup(client, 45, "agent 7", AT)
    with listener.listening(46, lambda _: None):
        pass  # a later call's registration does not pick up 45's leftovers
    assert client.llen(call_commands.command_key(45)) == 1


def test_a_failing_handler_does_not_stop_commands_for_other_calls(
    client: redis.Redis, listener: CallCommandListener
) -> None:
    def broken(_: CommandReceived) -> None:
        raise RuntimeError("telephony exploded")

    received: queue.Queue[CommandReceived] = queue.Queue()
    with listener.listening(47, broken), listener.listening(48, received.put):
        call_commands.request_hangup(client, 47, "agent 1", AT)
        call_commands.request_hangup(client, 48, "agent 2", AT)
        assert received.get(timeout=WAIT_S).attempt_id == 48


def test_an_unreadable_command_is_skipped(
    client: redis.Redis, listener: CallCommandListener
) -> None:
    received: queue.Queue[CommandReceived] = queue.Queue()
    with listener.listening(49, received.put):
        client.rpush(call_commands.command_key(49), "not json", '{"command": "explode"}')
        call_commands.request_hangup(client, 49, "agent 3", AT)
        assert received.get(timeout=WAIT_S).requested_by == "agent 3"
        assert received.empty()


def test_a_supervisors_command_reaches_the_worker_with_their_phone_and_a_bad_one_is_dropped(
    client: redis.Redis, listener: CallCommandListener
) -> None:
    received: queue.Queue[CommandReceived] = queue.Queue()
    with listener.listening(46, received.put):
        # Straight into the list, as a bug or an intruder with Redis access would: dropped.
        client.rpush(
            call_commands.command_key(46),
            '{"command": "barge", "at": "2026-11-26T15:00:00+00:00", '
            '"phone": "sip:x@y\\r\\nVia: evil"}',
        )
        call_commands.send(client, 46, CallCommand.WHISPER, "user 2", AT, phone="sip:sue@h:5070")
        call_commands.send(client, 46, CallCommand.SUPERVISE_LEAVE, "user 2", AT)
        whisper, leave = received.get(timeout=WAIT_S), received.get(timeout=WAIT_S)
    assert whisper == CommandReceived(46, CallCommand.WHISPER, "user 2", AT, phone="sip:sue@h:5070")
    assert leave == CommandReceived(46, CallCommand.SUPERVISE_LEAVE, "user 2", AT)
    with pytest.raises(call_commands.BadCommand):
        call_commands.send(client, 46, CallCommand.LISTEN, "user 2", AT, phone="+15550100")
