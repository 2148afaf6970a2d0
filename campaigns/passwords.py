"""Password hashes and API token digests.

Passwords: argon2id through argon2-cffi. It is memory-hard (OWASP's first choice for password
storage), its hashes carry their own parameters (so `needs_rehash` can raise the cost later without
a migration), and it keeps the hashing out of werkzeug: the `dialer user` commands hash too, and
`campaigns`/`dialer` import no web framework.

API tokens: 32 random bytes, shown once, stored as their SHA-256. A fast digest is right here,
unlike for passwords: the token has 256 bits of entropy, so there is nothing to guess, and a plain
digest lets the UNIQUE index find a token's row in one lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults are RFC 9106's low-memory profile (t=3, 64 MiB, p=4).
_HASHER = PasswordHasher()
TOKEN_PREFIX = "dlr_"


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


@cache
def _dummy_hash() -> str:
    return _HASHER.hash(secrets.token_urlsafe(16))


def verify_nobody(password: str) -> bool:
    """Spend a verification's time on an unknown username, so timing does not tell which
    usernames exist; always False."""
    verify_password(_dummy_hash(), password)
    return False


def new_api_token() -> str:
    """A token to show once; the prefix makes leaked tokens easy to spot in logs and scanners."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
