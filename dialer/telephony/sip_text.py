"""Small pure helpers for the adapter: header parsing and pjsua error classification."""

from __future__ import annotations

# pj status codes that no retry can fix (pjlib/pjsip error numbering).
_PERMANENT_STATUSES = {
    171039,  # PJSIP_EINVALIDURI
    171040,  # PJSIP_EINVALIDSCHEME
    171041,  # PJSIP_EINVALIDREQURI (missing / malformed request URI)
    171060,  # PJSIP_EUNSUPTRANSPORT
    70018,  # PJ_ERESOLVE: the host name does not resolve
}


def is_permanent_status(status: int) -> bool:
    return status in _PERMANENT_STATUSES


def parse_headers(whole_message: str) -> tuple[tuple[str, str], ...]:
    """The header fields of a SIP message (folded lines joined), in order."""
    head = whole_message.replace("\r\n", "\n").split("\n\n", 1)[0]
    lines = head.split("\n")[1:]  # the first line is the request or status line
    fields: list[tuple[str, str]] = []
    for line in lines:
        if line[:1] in {" ", "\t"} and fields:
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip()}")
        elif ":" in line:
            name, _, value = line.partition(":")
            fields.append((name.strip(), value.strip()))
    return tuple(fields)


def source_ip(src_address: str) -> str:
    """'1.2.3.4:5060' or '[::1]:5060' -> the IP part."""
    if src_address.startswith("["):
        return src_address[1:].partition("]")[0]
    return src_address.rpartition(":")[0] or src_address
