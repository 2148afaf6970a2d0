"""One SIP address in front of the inbound processes: Kamailio's dispatcher (Debian package
`kamailio`), configured and started by `dialer inbound serve --proxy-port P`.

Each inbound process takes two calls on its own port; the carrier should not have to know that.
The proxy takes every INVITE on one port, refuses senders that are not the carrier (403), and
hands the call to a process (round-robin, or the first in the list with `Order.FILL`); a process
that answers 486 (full) or 503 (stopping), or does not answer, is skipped for the next one
(serial failover, up to 30 processes). It adds no
Record-Route: once answered, the call's own requests (ACK, BYE) go to the process's Contact;
a carrier that sends them to the proxy anyway (sipp does) has them passed on by request URI.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from dialer.supervisor import ChildSpec

MODULES = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules")

_CONFIG = """#!KAMAILIO
debug=2
log_stderror=yes
children=2
# A call may be offered to every process in turn (Kamailio's default is 12 branches).
max_branches=30
listen=udp:{address}:{port}
mpath="{modules}/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "dispatcher.so"
modparam("dispatcher", "list_file", "{dispatcher_list}")
modparam("dispatcher", "flags", 2)
modparam("tm", "fr_timer", 2000)

request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (!({allowed})) {{
        xlog("L_WARN", "refused $rm from $si (not a carrier address)\\n");
        sl_send_reply("403", "Forbidden");
        exit;
    }}
    if (is_method("CANCEL")) {{ if (t_check_trans()) {{ t_relay(); }} exit; }}
    if (has_totag()) {{
        # A request of an answered call sent here rather than to the process's Contact:
        # pass it on to its request URI (the process). An ACK to a refusal ends here.
        if (is_method("ACK")) {{ if (t_check_trans()) {{ exit; }} forward(); exit; }}
        t_relay();
        exit;
    }}
    if (is_method("ACK")) {{ exit; }}
    if (!is_method("INVITE")) {{ sl_send_reply("405", "Method Not Allowed"); exit; }}
    # Algorithm {algorithm}: 4 spreads calls round-robin, 8 fills the processes in list order.
    if (!ds_select_dst("1", "{algorithm}")) {{ sl_send_reply("503", "No Inbound Process"); exit; }}
    t_on_failure("NEXT_PROCESS");
    t_relay();
}}

failure_route[NEXT_PROCESS] {{
    if (t_is_canceled()) exit;
    if (t_check_status("486|503|408") && ds_next_dst()) {{
        t_on_failure("NEXT_PROCESS");
        t_relay();
    }}
}}
"""


class ProxyUnavailable(RuntimeError):
    """kamailio is not installed (Debian package `kamailio`)."""


class Order(StrEnum):
    SPREAD = "spread"  # round-robin: each process gets its turn, the next one if it is full
    FILL = "fill"  # always the first process that is not full (fewest processes busy)


_ALGORITHM = {Order.SPREAD: 4, Order.FILL: 8}


def write_config(
    directory: Path,
    address: str,
    port: int,
    process_ports: Sequence[int],
    allowed: Sequence[str],
    order: Order = Order.SPREAD,
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    dispatcher_list = directory / "dispatcher.list"
    dispatcher_list.write_text("".join(f"1 sip:{address}:{p}\n" for p in process_ports))
    condition = " || ".join(f'$si == "{a}"' for a in allowed) or "false"
    config = directory / "kamailio.cfg"
    config.write_text(
        _CONFIG.format(
            address=address,
            port=port,
            modules=MODULES,
            dispatcher_list=dispatcher_list,
            allowed=condition,
            algorithm=_ALGORITHM[order],
        )
    )
    return config


def proxy_spec(config: Path, log_path: str | None = None) -> ChildSpec:
    binary = shutil.which("kamailio") or "/usr/sbin/kamailio"
    if not Path(binary).exists():
        raise ProxyUnavailable("kamailio is not installed (apt-get install kamailio)")
    # -DD: stay in the foreground (the supervisor owns it); -E: log to stderr.
    return ChildSpec("inbound-proxy", [binary, "-f", str(config), "-DD", "-E"], log_path=log_path)
