"""Where a login may send the user next: only a path on this site (no open redirect)."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` when it is a local path, else `default`. Rejects absolute URLs, scheme-relative
    `//host`, backslash tricks browsers read as `//`, and control characters."""
    if not target or len(target) > 2000:
        return default
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
