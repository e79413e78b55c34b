"""An in-process cache of public catalog responses that never serves a page older than the data.

Each entry is stored with the catalog version it was built at, and served only while the version
is unchanged. The version has two parts:

- the database's change counter (`catalog_changes.generation`, kept by triggers on every public
  table), read again once `check_seconds` have passed since the last read, and right after each
  write through this process. This is how a process learns of writes made by another process (a
  second worker or replica, a command-line import, a manual fix).
- the number of writes this process has answered, counted before each write's response is sent
  (see `CountWrites`); a process therefore never serves its own writes stale.

So a response may lag a write made elsewhere by at most `check_seconds`, and a write made through
this process not at all. The version is captured before the page's queries run, so an entry built
while a write commits is stored under the old version and replaced on the next check.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from fastapi import Request, Response
from prometheus_client import Counter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog_api.caching import response_body, response_for
from catalog_api.public_cache.models import CatalogChanges
from catalog_api.settings import ResponseCacheSettings, Settings

CACHE_LOOKUPS = Counter(
    "catalog_response_cache_lookups_total",
    "Public catalog responses looked up in the response cache, by outcome.",
    ["outcome"],
)
HITS = CACHE_LOOKUPS.labels("hit")
MISSES = CACHE_LOOKUPS.labels("miss")
STALE = CACHE_LOOKUPS.labels("stale")
DISABLED = CACHE_LOOKUPS.labels("disabled")
# Requests that waited for another request's build of the same page instead of building it.
COALESCED = CACHE_LOOKUPS.labels("coalesced")

# Estimated memory of one entry beyond its body: key, headers and bookkeeping.
ENTRY_OVERHEAD_BYTES = 512
# An entry may fill at most this share of the cache, so one large download cannot empty it.
LARGEST_ENTRY_SHARE = 4

Version = tuple[int | None, int]


@dataclass(frozen=True)
class CachedBody:
    body: bytes
    etag: str
    media_type: str
    headers: dict[str, str]
    # The matched route, so that request metrics name it for responses served before routing.
    route: BaseRoute | None

    def response(self, request: Request, settings: Settings) -> Response:
        return response_for(
            request,
            settings,
            self.body,
            etag=self.etag,
            media_type=self.media_type,
            headers=self.headers,
        )


class CatalogVersion:
    """Track the catalog version: the database's change counter and this process's own writes."""

    def __init__(self, check_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.check_seconds = check_seconds
        self.clock = clock
        self.generation: int | None = None
        self.local_writes = 0
        self._checked_at: float | None = None
        self._reading = False

    def count_local_write(self) -> None:
        self.local_writes += 1
        # The write's triggers have moved the database counter too. Reading it on the next
        # request stores new entries under the final version at once, instead of rebuilding
        # them again when the next periodic check finds that the counter moved.
        self._checked_at = None

    def _check_due(self) -> bool:
        if self._checked_at is None or self.check_seconds == 0:
            return True
        if self._reading:
            # Another request is reading the counter now, so the stored value is at most one read old.
            return False
        return self.clock() - self._checked_at >= self.check_seconds

    async def current(self, sessionmaker: async_sessionmaker[AsyncSession]) -> Version:
        """Return the version to store new entries under, reading the counter when it is due."""
        if self._check_due():
            self._reading = True
            checked_at = self.clock()
            try:
                async with sessionmaker() as session:
                    self.generation = await session.scalar(
                        select(CatalogChanges.generation).where(CatalogChanges.id == 1)
                    )
            finally:
                self._reading = False
            self._checked_at = checked_at
        return (self.generation, self.local_writes)


class ResponseCache:
    """Public responses by path and query string, in least-recently-used order, bounded in bytes."""

    def __init__(self, settings: ResponseCacheSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.enabled = settings.enabled
        self.max_bytes = settings.max_megabytes * 1024 * 1024
        self.version = CatalogVersion(settings.check_seconds, clock)
        self._entries: LRUCache[str, tuple[Version, CachedBody]] = LRUCache(
            maxsize=max(self.max_bytes, 1), getsizeof=_entry_size
        )
        self._pending: dict[str, PendingBuild] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    @property
    def stored_bytes(self) -> int:
        return int(self._entries.currsize)

    def clear(self) -> None:
        self._entries.clear()

    async def lookup(self, scope: Scope) -> CachedBody | None:
        """Return the stored response for this request if it is current.

        Paths never stored (health checks, private records) return at once, without reading the
        change counter. `respond` counts the miss when a public endpoint builds its response.
        """
        if not self.enabled:
            return None
        found = self._entries.get(cache_key(scope))
        if found is None:
            return None
        version = await self.version.current(scope["app"].state.sessionmaker)
        if found[0] != version:
            STALE.inc()
            return None
        HITS.inc()
        return found[1]

    async def respond(
        self,
        request: Request,
        build: Callable[[], Awaitable[Any]],
        *,
        media_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> Response:
        """Build the response and store it for `ServeCachedResponses`, which serves repeats.

        `build` returns the payload (a model, plain data or bytes). Errors it raises are not stored.
        """
        settings: Settings = request.app.state.settings
        if not self.enabled:
            DISABLED.inc()
            body = response_body(await build())
            return response_for(request, settings, body, media_type=media_type, headers=headers)

        key = cache_key(request.scope)
        # The version is taken before the page's queries, so a write that commits meanwhile
        # leaves this entry stale rather than current.
        version = await self.version.current(request.app.state.sessionmaker)

        # Requests for a page that another request is building wait for that build instead of
        # running the same queries, which matters when a write has just made every entry stale.
        pending = self._pending.get(key)
        if pending is not None and pending.version == version:
            await pending.done.wait()
            if pending.entry is not None:
                COALESCED.inc()
                return pending.entry.response(request, settings)
            # That build failed or was cancelled, so build for this request instead.

        if key not in self._entries:
            MISSES.inc()
        build_in_progress = PendingBuild(version)
        self._pending[key] = build_in_progress
        try:
            body = response_body(await build())
            response = response_for(request, settings, body, media_type=media_type, headers=headers)
            entry = CachedBody(
                body, response.headers["etag"], media_type, dict(headers or {}), request.scope.get("route")
            )
            build_in_progress.entry = entry
        finally:
            build_in_progress.done.set()
            if self._pending.get(key) is build_in_progress:
                del self._pending[key]

        if _entry_size((version, entry)) * LARGEST_ENTRY_SHARE <= self.max_bytes:
            self._entries[key] = (version, entry)
        return response


@dataclass
class PendingBuild:
    """A response being built: requests for the same page and version wait for `done`."""

    version: Version
    done: asyncio.Event = field(default_factory=asyncio.Event)
    # Set when the build succeeded; None after an error or a cancellation.
    entry: CachedBody | None = None


def cache_key(scope: Scope) -> str:
    return f"{scope['path']}?{scope['query_string'].decode('latin-1')}"


def _entry_size(item: tuple[Version, CachedBody]) -> int:
    return len(item[1].body) + ENTRY_OVERHEAD_BYTES


async def get_response_cache(request: Request) -> ResponseCache:
    cache: ResponseCache = request.app.state.response_cache
    return cache


class ServeCachedResponses:
    """Serve a GET from the response cache before routing, validation and dependencies run.

    Only responses that an endpoint built and stored through `ResponseCache.respond` are found
    here, so a request with invalid parameters never matches and reaches the endpoint as usual.
    Installed innermost, inside the CORS and request-id middleware, so those still apply.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            app = scope["app"]
            cache: ResponseCache = app.state.response_cache
            cached = await cache.lookup(scope)
            if cached is not None:
                scope["route"] = cached.route
                response = cached.response(Request(scope, receive), app.state.settings)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CountWrites:
    """Count each write request of this process in the catalog version before its response goes out.

    The request's session has committed by then (the session dependency commits before the
    response), so a client that reads after seeing the response finds the entries stale.
    Failed writes are counted too: that costs a few rebuilt pages and needs no error analysis.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in READ_METHODS:
            await self.app(scope, receive, send)
            return
        cache: ResponseCache = scope["app"].state.response_cache
        counted = False

        async def count_then_send(message: Message) -> None:
            nonlocal counted
            if message["type"] == "http.response.start" and not counted:
                cache.version.count_local_write()
                counted = True
            await send(message)

        try:
            await self.app(scope, receive, count_then_send)
        finally:
            # Count a write that raised before its response too: it may have committed part of its work.
            if not counted:
                cache.version.count_local_write()
