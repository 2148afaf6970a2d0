"""One SIP address in front of the inbound processes: Kamailio's dispatcher (Debian package
`kamailio`), configured and started by `dialer inbound serve --proxy-port P`.

Each inbound process takes two calls on its own port; the carrier should not have to know that.
The proxy takes every INVITE on one port, refuses senders that are not the carrier (403), and
hands the call to a process: by default (`Order.LOAD`) the least loaded one with room, counting
each process's calls itself (Record-Route, so the BYE that ends a call passes through it) and
answering 486 when all are full; or round-robin (`Order.SPREAD`) or the first in the list
(`Order.FILL`), where the proxy adds no Record-Route (the call's own requests go to the
process's Contact; a carrier that sends them to the proxy anyway, as sipp does, has them passed
on by request URI). A process that answers 486 (full) or 503 (stopping), or does not answer, is
skipped for the next one (serial failover, up to 30 processes). Under load round-robin with
failover collapsed (docs/inbound.md): each refused offer held one of a full process's slots.
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
loadmodule "rr.so"
modparam("dispatcher", "list_file", "{dispatcher_list}")
modparam("dispatcher", "flags", 2)
# Call load (algorithm 10): calls per process counted by Call-ID; a call never confirmed (2xx)
# is forgotten after a minute, any call after two hours (a lost BYE must not hold a slot).
modparam("dispatcher", "ds_hash_size", 9)
modparam("dispatcher", "ds_hash_initexpire", 60)
modparam("dispatcher", "ds_hash_expire", 7200)
modparam("dispatcher", "ds_hash_check_interval", 10)
modparam("tm", "fr_timer", 2000)

request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (!({allowed})) {{
        xlog("L_WARN", "refused $rm from $si (not a carrier address)\\n");
        sl_send_reply("403", "Forbidden");
        exit;
    }}
    if (is_method("CANCEL")) {{ if (t_check_trans()) {{ {count_end}t_relay(); }} exit; }}
    if (has_totag()) {{
        # Routed through us (Record-Route), or a request of an answered call sent here rather
        # than to the process's Contact: pass it on (its Route, else its request URI). An ACK
        # to a refusal ends here.
        {count_bye}if (loose_route() && is_method("ACK")) {{ forward(); exit; }}
        if (is_method("ACK")) {{ if (t_check_trans()) {{ exit; }} forward(); exit; }}
        t_relay();
        exit;
    }}
    if (is_method("ACK")) {{ exit; }}
    if (!is_method("INVITE")) {{ sl_send_reply("405", "Method Not Allowed"); exit; }}
    # Algorithm {algorithm}: 4 spreads calls round-robin, 8 fills the processes in list order,
    # 10 sends each call to the least loaded process with room (maxload), none when all are full.
    {record_route}if (!ds_select_dst("1", "{algorithm}")) {{ sl_send_reply({none}); exit; }}
    t_on_failure("NEXT_PROCESS");
    {on_reply}t_relay();
}}
{reply_route}
failure_route[NEXT_PROCESS] {{
    if (t_is_canceled()) exit;
    if (t_check_status("486|503|408") && ds_next_dst()) {{
        t_on_failure("NEXT_PROCESS");
        t_relay();
        exit;
    }}
    {count_failed}
}}
"""


class ProxyUnavailable(RuntimeError):
    """kamailio is not installed (Debian package `kamailio`)."""


class Order(StrEnum):
    SPREAD = "spread"  # round-robin: each process gets its turn, the next one if it is full
    FILL = "fill"  # always the first process that is not full (fewest processes busy)
    # the least loaded process with room, counted by the proxy (calls per process at most
    # CALLS_PER_PROCESS): a full process is not offered the call at all
    LOAD = "load"


_ALGORITHM = {Order.SPREAD: 4, Order.FILL: 8, Order.LOAD: 10}
# The call is answered: its load on the process is confirmed (kept until its BYE).
_ANSWERED_ROUTE = """
onreply_route[ANSWERED] {
    if (is_method("INVITE") && status =~ "^2") { ds_load_update(); }
}
"""
_ALL_FULL = '"486", "All Inbound Processes Busy"'
_NO_PROCESS = '"503", "No Inbound Process"'
# How many calls one inbound process takes: caller + agent = 2 of pjsua2's 4 legs each.
CALLS_PER_PROCESS = 2


def write_config(
    directory: Path,
    address: str,
    port: int,
    process_ports: Sequence[int],
    allowed: Sequence[str],
    order: Order = Order.LOAD,
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    dispatcher_list = directory / "dispatcher.list"
    load = order is Order.LOAD
    attributes = " 0 0 duid=p{port};maxload=" + str(CALLS_PER_PROCESS) if load else ""
    dispatcher_list.write_text(
        "".join(f"1 sip:{address}:{p}{attributes.format(port=p)}\n" for p in process_ports)
    )
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
            # With the call load: in-dialog requests come through us (the BYE ends a call's
            # load), and all processes full is said at once, without offering it to any.
            record_route="record_route();\n    " if load else "",
            none=_ALL_FULL if load else _NO_PROCESS,
            count_bye='if (is_method("BYE")) { ds_load_update(); }\n        ' if load else "",
            on_reply='t_on_reply("ANSWERED");\n    ' if load else "",
            reply_route=_ANSWERED_ROUTE if load else "",
            count_end="ds_load_update(); " if load else "",
            count_failed="ds_load_unset();" if load else "",
        )
    )
    return config


def proxy_spec(config: Path, log_path: str | None = None) -> ChildSpec:
    binary = shutil.which("kamailio") or "/usr/sbin/kamailio"
    if not Path(binary).exists():
        raise ProxyUnavailable("kamailio is not installed (apt-get install kamailio)")
    # -DD: stay in the foreground (the supervisor owns it); -E: log to stderr.
    return ChildSpec("inbound-proxy", [binary, "-f", str(config), "-DD", "-E"], log_path=log_path)
