"""One inbound process: a pjsua2 endpoint that takes calls on its own SIP port, two at a time.

`python -m dialer.inbound.process` (started by `dialer inbound serve`). pjsua2 allows four legs
per process and a queued caller bridged to an agent is two, so the process takes an INVITE only
when it can also hold a leg for the agent; otherwise it answers 486 and the carrier (or the proxy
in front) tries another process. INVITEs from addresses other than the carrier's are refused 403
by the adapter before any of this code sees them.

Threads: the adapter's SIP loop owns pjsua2; a dispatcher thread reads the endpoint's incoming
inbox and routes each event to the inbox of its call; one thread per call drives it
(`QueuedCall`). SIGTERM: no new calls (503), waiting callers go to their overflow at once,
talking calls get the grace period, then everything is hung up and pjsua2 shut down in order.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from datetime import UTC, datetime
from types import FrameType

import psycopg

from campaigns.storage import inbound_store
from campaigns.storage.db import open_pool
from dialer.agents.service import AgentService
from dialer.agents.waiting_offers import WaitingOffers
from dialer.bootstrap import redis_client
from dialer.call_commands import CallCommandListener
from dialer.inbound.proxy import CALLS_PER_PROCESS
from dialer.inbound.queue_call import InboundContext, QueuedCall, number_of
from dialer.settings import load_settings
from dialer.telephony import TelephonyError
from dialer.telephony.endpoint_config import EndpointConfig, IncomingCalls
from dialer.telephony.events import IncomingLeg, IncomingRefused, LegId, TelephonyEvent
from dialer.telephony.interface import QueueInbox
from dialer.telephony.pjsua2_adapter import Pjsua2Telephony

log = logging.getLogger(__name__)

RTP_PORTS_PER_PROCESS = 16


class Dispatcher:
    """Routes the endpoint's incoming events to the calls they belong to."""

    def __init__(self, ctx: InboundContext, telephony: Pjsua2Telephony) -> None:
        self.ctx = ctx
        self.telephony = telephony
        self.inboxes: dict[LegId, QueueInbox] = {}
        self.threads: set[threading.Thread] = set()
        self._lock = threading.Lock()

    def run(self) -> None:
        while True:
            event = self.telephony.incoming.get(0.2)
            if event is None:
                if self.ctx.stopping.is_set() and not self.active():
                    return
                continue
            self._route(event)

    def route_pending(self) -> None:
        """Route what has arrived, without waiting (used at shutdown)."""
        event = self.telephony.incoming.get(0)
        while event is not None:
            self._route(event)
            event = self.telephony.incoming.get(0)

    def _route(self, event: TelephonyEvent) -> None:
        if isinstance(event, IncomingLeg):
            self._take(event)
            return
        if isinstance(event, IncomingRefused):  # every slot taken: pjsua2 said 486
            self._store_refused(event)
            return
        leg = getattr(event, "leg", None)
        with self._lock:
            inbox = self.inboxes.get(leg) if leg is not None else None
        if inbox is not None:
            inbox.put(event)

    def active(self) -> int:
        with self._lock:
            return len(self.inboxes)

    def _take(self, incoming: IncomingLeg) -> None:
        if self.ctx.stopping.is_set():
            self._refuse(incoming, 503)
            return
        reservation = self.telephony.reserve(1)  # the agent's leg, held from the start
        if reservation is None:
            self._refuse(incoming, 486)
            return
        inbox = QueueInbox()
        with self._lock:
            self.inboxes[incoming.leg] = inbox
        call = QueuedCall(self.ctx, incoming, inbox, reservation)

        def drive() -> None:
            try:
                call.run()
            except Exception:
                # The call's edge: log it with its ids; the caller is hung up below.
                log.exception("inbound call %s (leg %s) failed", call.call_id, incoming.leg)
                try:
                    call.fail()
                except Exception:
                    log.exception("inbound call %s: not stored after its failure", call.call_id)
                try:
                    self.telephony.hangup(incoming.leg, 500)
                except TelephonyError:
                    log.debug("leg %s already gone", incoming.leg)
            finally:
                reservation.release()
                with self._lock:
                    self.inboxes.pop(incoming.leg, None)

        thread = threading.Thread(target=drive, name=f"call-{incoming.leg}", daemon=True)
        thread.start()

    def _refuse(self, incoming: IncomingLeg, status: int) -> None:
        log.warning("refused an inbound call with %s (process full or stopping)", status)
        try:
            self.telephony.hangup(incoming.leg, status)
        except TelephonyError:
            log.debug("leg %s already gone", incoming.leg)
        self._store_refused(incoming)

    def _store_refused(self, call: IncomingLeg | IncomingRefused) -> None:
        headers = {name.lower(): value for name, value in call.headers}
        try:
            with self.ctx.pool.connection() as conn:
                inbound_store.record_rejected(
                    conn,
                    did=number_of(call.to_uri),
                    caller=number_of(call.from_uri),
                    sip_call_id=headers.get("call-id", ""),
                    worker=self.ctx.worker,
                    at=call.at,
                )
        except psycopg.Error:
            log.exception("a refused inbound call was not stored")


def main() -> None:
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if settings.database_url is None or settings.redis_url is None:
        raise SystemExit("DATABASE_URL and REDIS_URL must be set: use `dialer inbound serve`")
    index = int(os.environ.get("DIALER_INBOUND_INDEX", "0"))
    sip_port = int(os.environ["DIALER_INBOUND_SIP_PORT"])
    rtp_port = int(os.environ["DIALER_INBOUND_RTP_PORT"])
    grace = float(os.environ.get("DIALER_INBOUND_GRACE_S", "30"))
    carriers = tuple(a.split("/")[0] for a in settings.carrier_addresses) or ("127.0.0.1",)
    # Our own workers on this host place transfers to queues (dialer.queue_transfer).
    if settings.sip_address not in carriers:
        carriers = (*carriers, settings.sip_address)
    telephony = Pjsua2Telephony.start(
        EndpointConfig(
            sip_port=sip_port,
            rtp_port=rtp_port,
            rtp_ports=RTP_PORTS_PER_PROCESS,
            bound_address=settings.sip_address,
            incoming=IncomingCalls.NOTIFY,
            allowed_sources=carriers,
        )
    )
    pool = open_pool(
        settings.database_url, min_size=1, max_size=CALLS_PER_PROCESS + 2, name="inbound"
    )
    client = redis_client(settings.redis_url)
    ctx = InboundContext(
        worker=f"inbound-{index}@{socket.gethostname()}:{os.getpid()}",
        pool=pool,
        redis=client,
        telephony=telephony,
        agents=AgentService(client, pool),
        offers=WaitingOffers(client),
        data_dir=settings.data_dir,
        now=lambda: datetime.now(UTC),
        commands=CallCommandListener(client).start(),
    )
    dispatcher = Dispatcher(ctx, telephony)

    def stop(signum: int, _frame: FrameType | None) -> None:
        ctx.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    routing = threading.Thread(target=dispatcher.run, name="dispatcher", daemon=True)
    routing.start()
    log.info("inbound %s ready: SIP on %s:%s", ctx.worker, settings.sip_address, sip_port)
    # Block in a signal-friendly way (Event.wait is interrupted by handlers).
    while not ctx.stopping.wait(0.5):
        pass
    log.info("stopping: waiting callers overflow, talking calls get %.0f s", grace)
    routing.join(timeout=grace)
    telephony.hangup_all()
    # The calls' threads see their legs end and store their outcomes: wait for them (the
    # dispatcher stopped routing, so their LegEnded would not reach them; put it there).
    deadline = time.monotonic() + 5
    while dispatcher.active() and time.monotonic() < deadline:
        dispatcher.route_pending()
        time.sleep(0.05)
    if ctx.commands is not None:
        ctx.commands.stop()
    pool.close()
    telephony.shutdown(exit_process=True)


if __name__ == "__main__":
    main()
