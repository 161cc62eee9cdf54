"""Bearer-key auth and a per-key rate limit for the /v1 routes (health routes stay open).

No keys configured (``RAG_API_KEYS`` empty) means no auth: fine on 127.0.0.1, and ``rag serve``
warns when binding elsewhere. The rate limit then applies per client address instead.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
from rag.config import Settings

_bearer = HTTPBearer(auto_error=False, description="One of RAG_API_KEYS (when set)")


class RateLimiter:
    """Token bucket per key: ``per_minute`` tokens of burst, refilled continuously.

    A bucket refills evenly rather than resetting each minute, so a client cannot double its
    rate by bursting across a window edge; Retry-After says when the next token arrives.
    """

    def __init__(self, per_minute: int, max_keys: int = 10_000) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill time)
        self._lock = threading.Lock()

    def acquire(self, key: str, now: float | None = None) -> float:
        """Take one token; return 0 when allowed, else the seconds to wait."""
        if self.capacity <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > self.max_keys:  # forget full buckets (idle clients)
                full = [k for k, (t, _) in self._buckets.items() if t >= self.capacity]
                for k in full:
                    del self._buckets[k]
            return (1.0 - tokens) / self.rate


def _matches(token: str, keys: set[str]) -> bool:
    """Constant-time comparison against every key (no early exit leaks which prefix matched)."""
    found = False
    for key in keys:
        found |= hmac.compare_digest(token.encode(), key.encode())
    return found


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, message, type="unauthorized", headers={"WWW-Authenticate": 'Bearer realm="rag"'})


async def require_key(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> str:
    """The caller's identity (its key, or its address when auth is off), after the rate limit."""
    settings: Settings = request.app.state.settings
    keys = settings.key_set("api") | settings.key_set("admin")
    token = credentials.credentials if credentials is not None else ""
    if settings.key_set("api"):
        if not token:
            raise _unauthorized("missing API key: send 'Authorization: Bearer <key>'")
        if not _matches(token, keys):
            raise _unauthorized("invalid API key")
        identity = "key:" + hashlib.sha256(token.encode()).hexdigest()[:16]
    else:
        identity = "addr:" + (request.client.host if request.client else "unknown")
    limiter: RateLimiter = request.app.state.rate_limiter
    wait = limiter.acquire(identity)
    if wait > 0:
        raise ApiError(
            429,
            f"rate limit of {settings.rate_limit_per_minute} requests per minute exceeded; "
            f"retry in {math.ceil(wait)} s",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    return identity


async def require_admin(
    request: Request,
    identity: str = Depends(require_key),
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> str:
    """Upload and delete: limited to RAG_ADMIN_KEYS when that set is configured (401 without a
    valid key, 403 for a valid non-admin key)."""
    settings: Settings = request.app.state.settings
    admin = settings.key_set("admin")
    token = credentials.credentials if credentials is not None else ""
    if admin and not (token and _matches(token, admin)):
        if token and _matches(token, settings.key_set("api")):
            raise ApiError(403, "this route needs an admin key (RAG_ADMIN_KEYS)", type="forbidden")
        raise _unauthorized("this route needs an admin key: send 'Authorization: Bearer <admin key>'")
    return identity
