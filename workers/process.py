"""One worker process: its SIP endpoint, database pool and heartbeat, made after the fork.

Celery's threads pool runs tasks inside the main worker process, so `worker_init` is the moment to
start pjsua2 (an Endpoint created before a fork never hears 180/200 in the child). Shutdown:
`worker_shutting_down` tells every call to wind down (ringing calls are cancelled and their
contacts released; connected calls may finish until the grace period ends), Celery waits for the
tasks, then `worker_shutdown` hangs up what is left, shuts pjsua2 down in the right order and
leaves with os._exit so no interpreter teardown touches pjsua2 objects.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import UTC, datetime
from typing import Any

from celery import signals

from campaigns.storage.db import open_pool
from dialer import worker_registry
from dialer.agents.service import AgentService
from dialer.amd import AnalysisRunner
from dialer.bootstrap import redis_client
from dialer.call_commands import CallCommandListener
from dialer.call_flow import SystemClock
from dialer.call_flow.detection import RunnerDetector
from dialer.connection_budget import WORKER_POOL_MAX, WORKER_POOL_MIN
from dialer.dialing import DialContext
from dialer.settings import Settings, load_settings
from dialer.telephony.endpoint_config import EndpointConfig, IncomingCalls
from dialer.telephony.pjsua2_adapter import Pjsua2Telephony

log = logging.getLogger(__name__)

ATTEMPTS_PER_PROCESS = 2  # a bridged conversation is 2 of the wheel's 4 legs
SHUTDOWN_GRACE_S = float(os.environ.get("DIALER_WORKER_GRACE_S", "60"))
_HEARTBEAT_S = 1.0

_context: DialContext | None = None
_telephony: Pjsua2Telephony | None = None
_sip_address = ""
_stop = threading.Event()


def context() -> DialContext:
    if _context is None:
        raise RuntimeError("the worker process is not initialised (worker_init did not run)")
    return _context


def worker_name(index: int) -> str:
    """Index, host and pid: a restarted worker is a new incarnation, so the reaper can tell that
    the attempts of the one that died are lost even though its replacement has the same index."""
    return f"dialer-{index}@{socket.gethostname()}:{os.getpid()}"


def endpoint_config(settings: Settings, index: int) -> EndpointConfig:
    carriers = tuple(a.split("/")[0] for a in settings.carrier_addresses) or ("127.0.0.1",)
    return EndpointConfig(
        sip_port=settings.sip_port_base + index,
        rtp_port=settings.rtp_port_base + index * settings.rtp_ports_per_process,
        rtp_ports=settings.rtp_ports_per_process,
        bound_address=settings.sip_address,
        incoming=IncomingCalls.REJECT,
        allowed_sources=carriers,
    )


@signals.worker_init.connect
def _start(**_: Any) -> None:
    global _context, _telephony, _sip_address  # noqa: PLW0603 - one per process, after the fork
    settings = load_settings()
    if settings.database_url is None or settings.redis_url is None:
        raise RuntimeError(
            "DATABASE_URL and REDIS_URL must be set: start workers with `dialer workers`"
        )
    index = int(os.environ.get("DIALER_WORKER_INDEX", "0"))
    _telephony = Pjsua2Telephony.start(endpoint_config(settings, index))
    pool = open_pool(
        settings.database_url, min_size=WORKER_POOL_MIN, max_size=WORKER_POOL_MAX, name="worker"
    )
    client = redis_client(settings.redis_url)
    _context = DialContext(
        worker=worker_name(index),
        pool=pool,
        redis=client,
        telephony=_telephony,
        agents=AgentService(client, pool),
        data_dir=settings.data_dir,
        now=lambda: datetime.now(UTC),
        commands=CallCommandListener(client).start(),
        # One analysis thread per process: about 50 us of work per 20 ms frame, 4 legs at most.
        detector=RunnerDetector(_telephony, AnalysisRunner(threads=1).start(), SystemClock()),
        inbound_address=settings.inbound_address,
    )
    _sip_address = f"{settings.sip_address}:{_telephony.sip_port}"
    threading.Thread(target=_heartbeat, name="heartbeat", daemon=True).start()
    log.info(
        "worker %s ready: SIP on %s:%s", _context.worker, settings.sip_address, _telephony.sip_port
    )


def _heartbeat() -> None:
    ctx = context()
    while not _stop.wait(_HEARTBEAT_S):
        free = 0 if _stop.is_set() else max(0, ATTEMPTS_PER_PROCESS - ctx.running)
        try:
            worker_registry.publish(
                ctx.redis,
                worker_registry.WorkerStatus(
                    ctx.worker, ATTEMPTS_PER_PROCESS, free, _sip_address, os.getpid()
                ),
            )
        except Exception:
            log.warning("heartbeat not published (Redis away?)", exc_info=True)


@signals.worker_shutting_down.connect
def _wind_down(**_: Any) -> None:
    _stop.set()
    if _context is not None:
        worker_registry.withdraw(_context.redis, _context.worker)
    if _telephony is not None:
        log.info(
            "stopping: ringing calls are cancelled, connected calls get %.0f s", SHUTDOWN_GRACE_S
        )
        _telephony.request_stop(SHUTDOWN_GRACE_S)


@signals.worker_shutdown.connect
def _shut_down(**_: Any) -> None:
    if _context is not None:
        if _context.commands is not None:
            _context.commands.stop()
        _context.pool.close()
    if _telephony is not None:
        _telephony.hangup_all()
        _telephony.shutdown(exit_process=True)
