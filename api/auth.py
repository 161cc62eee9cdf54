"""Bearer-key auth and a per-key rate limit for the /v1 routes (health routes stay open), and a
limit on failed authentications per client address, so guessing keys is not free.

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
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

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


class FailureLimiter:
    """Failed authentications per client address in a moving one-minute window (``limits``).

    Once an address has used up its failures, every further attempt from it gets 429 until the
    window moves on, whether or not the key is right: otherwise guessing would go on, merely
    answered with 429 instead of 401. (The per-key limit above stays a token bucket: ``limits``
    has only windows, whose Retry-After would be a minute instead of one refill interval.)"""

    def __init__(self, per_minute: int) -> None:
        self.item = RateLimitItemPerMinute(max(per_minute, 1))
        self.enabled = per_minute > 0
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def blocked_for(self, address: str) -> float:
        """0 when the address may try, else the seconds until it may."""
        if not self.enabled or self._limiter.test(self.item, address):
            return 0.0
        reset = self._limiter.get_window_stats(self.item, address).reset_time
        return max(1.0, reset - time.time())

    def record_failure(self, address: str) -> None:
        if self.enabled:
            self._limiter.hit(self.item, address)


def _matches(token: str, keys: set[str]) -> bool:
    """Constant-time comparison against every key (no early exit leaks which prefix matched)."""
    found = False
    for key in keys:
        found |= hmac.compare_digest(token.encode(), key.encode())
    return found


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _check_failures(request: Request, settings: Settings) -> None:
    """429 while the caller's address has used up its failed authentications."""
    failures: FailureLimiter = request.app.state.auth_failures
    blocked = failures.blocked_for(_address(request))
    if blocked > 0:
        request.app.state.metrics.rejected.labels(reason="auth_failures").inc()
        raise ApiError(
            429,
            f"too many failed authentications from {_address(request)} (RAG_AUTH_FAILURES_PER_MINUTE="
            f"{settings.auth_failures_per_minute}); retry in {math.ceil(blocked)} s",
            headers={"Retry-After": str(math.ceil(blocked))},
        )


def _record_failure(request: Request) -> None:
    request.app.state.auth_failures.record_failure(_address(request))


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
        _check_failures(request, settings)
        if not _matches(token, keys):
            _record_failure(request)
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
    guarded_here = bool(admin and token and not settings.key_set("api"))  # require_key checked nothing
    if guarded_here:
        _check_failures(request, settings)
    if admin and not (token and _matches(token, admin)):
        if guarded_here:
            _record_failure(request)
        if token and _matches(token, settings.key_set("api")):
            raise ApiError(403, "this route needs an admin key (RAG_ADMIN_KEYS)", type="forbidden")
        raise _unauthorized("this route needs an admin key: send 'Authorization: Bearer <admin key>'")
    return identity
