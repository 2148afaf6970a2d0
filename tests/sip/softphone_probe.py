"""A second process with its own endpoint in auto-answer mode (one Endpoint per process).

Run as ``python -m tests.sip.softphone_probe``: prints ``READY <port>``, then one JSON line
per incoming-call event, and exits through the adapter's clean shutdown after the first call.
"""

from __future__ import annotations

import json
import sys

from dialer.telephony import IncomingLeg, LegAnswered, LegEnded
from dialer.telephony.endpoint_config import EndpointConfig, IncomingCalls
from dialer.telephony.pjsua2_adapter import Pjsua2Telephony
from dialer.telephony.ports import TEST_RTP_RANGE, free_udp_port


def main() -> None:
    config = EndpointConfig(
        sip_port=free_udp_port(),
        rtp_port=free_udp_port(*TEST_RTP_RANGE, block=8),
        user="softphone",
        incoming=IncomingCalls.AUTO_ANSWER,
        log_level=1,
    )
    phone = Pjsua2Telephony.start(config)
    print(f"READY {phone.sip_port}", flush=True)
    for _ in range(600):
        event = phone.incoming.get(timeout=0.1)
        if isinstance(event, IncomingLeg):
            print(json.dumps({"event": "incoming", "headers": event.headers}), flush=True)
        elif isinstance(event, LegAnswered):
            print(json.dumps({"event": "answered"}), flush=True)
        elif isinstance(event, LegEnded):
            print(json.dumps({"event": "ended", "status": event.sip_status}), flush=True)
            break
    sys.stdout.flush()
    phone.shutdown(exit_process=True)


if __name__ == "__main__":
    main()
