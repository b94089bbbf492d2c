"""The event bus on Redis Streams (Task 12.1): at-least-once delivery to consumer groups.

- `publish_event(event)` appends the event to the stream `events.<EventType>` (trimmed to about
  MAXLEN entries) and returns its stream id.
- `subscribe_to_events(group, {LeadAssignedEvent: handler})` joins the consumer group `group`
  (one per service) on those streams. A message is acknowledged only after its handler returned;
  a handler that raises leaves it pending, and it is delivered again once it has been idle for
  `retry_idle_ms` (to this or any consumer of the group, so a crashed worker's messages are
  picked up by the next one). After `max_attempts` failed deliveries it moves to the
  dead-letter stream `events.dead.<group>` with the last error, and is acknowledged.
- Handlers must be idempotent (delivery is at-least-once); the bus also records each handled
  event id per group for `dedupe_ttl_s` and skips a second delivery of the same event.
- `EventBus.replay(handlers, since=...)` runs handlers again over the stream from an id or a
  time, outside the group, for debugging; `requeue_dead_letters(group)` publishes dead letters
  again once the handler is fixed.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

from .domain_events import DomainEvent, event_class
from .metrics import CONSUMER_PENDING, EVENTS_CONSUMED, EVENTS_DEAD_LETTERED, EVENTS_PUBLISHED

log = logging.getLogger("events")

STREAM_PREFIX = "events."
DEAD_PREFIX = "events.dead."
MAXLEN = 100_000
Handler = Callable[[Any], None]


def stream_name(event_type: str) -> str:
    return f"{STREAM_PREFIX}{event_type}"


def dead_letter_stream(group: str) -> str:
    return f"{DEAD_PREFIX}{group}"


def stream_id(since: str | datetime) -> str:
    """A stream id from an id ("1700000000000-0") or a time (milliseconds since the epoch)."""
    if isinstance(since, datetime):
        moment = since if since.tzinfo else since.replace(tzinfo=UTC)
        return f"{int(moment.timestamp() * 1000)}-0"
    return since


@dataclass(frozen=True)
class DeadLetter:
    id: str
    event_type: str
    event_id: str
    data: str
    error: str
    attempts: int
    stream: str
    message_id: str


class EventBus:
    def __init__(
        self,
        url: str | None = None,
        *,
        client: redis.Redis | None = None,
        producer: str | None = None,
        maxlen: int = MAXLEN,
    ) -> None:
        self.redis = client or redis.Redis.from_url(
            url or os.environ.get("REDIS_URL", "redis://localhost:6379/0"), decode_responses=True
        )
        self.producer = producer or os.environ.get("SERVICE_NAME", "unknown")
        self.maxlen = maxlen

    def publish(self, event: DomainEvent) -> str:
        if event.producer == "unknown" and self.producer != "unknown":
            event = event.model_copy(update={"producer": self.producer})
        fields = {
            "event_type": event.event_type,
            "event_id": str(event.event_id),
            "data": event.model_dump_json(),
        }
        message_id = self.redis.xadd(
            stream_name(event.event_type), fields, maxlen=self.maxlen, approximate=True
        )
        EVENTS_PUBLISHED.labels(event.event_type).inc()
        return str(message_id)

    def subscribe(
        self, group: str, handlers: Mapping[type[DomainEvent] | str, Handler], **options: Any
    ) -> Subscription:
        return Subscription(self, group, handlers, **options)

    def replay(
        self,
        handlers: Mapping[type[DomainEvent] | str, Handler],
        *,
        since: str | datetime = "-",
        until: str | datetime = "+",
    ) -> int:
        """Run `handlers` over every stored event from `since` to `until`; returns how many."""
        count = 0
        for event_type, handler in _by_type(handlers).items():
            entries = self.redis.xrange(stream_name(event_type), stream_id(since), stream_id(until))
            for _, fields in entries:
                handler(event_class(event_type).model_validate_json(fields["data"]))
                count += 1
        return count

    def dead_letters(self, group: str, count: int = 1000) -> list[DeadLetter]:
        entries = self.redis.xrange(dead_letter_stream(group), count=count)
        return [
            DeadLetter(
                id=i,
                event_type=f["event_type"],
                event_id=f["event_id"],
                data=f["data"],
                error=f["error"],
                attempts=int(f["attempts"]),
                stream=f["stream"],
                message_id=f["message_id"],
            )
            for i, f in entries
        ]

    def requeue_dead_letters(self, group: str) -> int:
        """Publish every dead letter of `group` again (other groups skip it as a duplicate)."""
        letters = self.dead_letters(group)
        for letter in letters:
            self.redis.delete(_processed_key(group, letter.event_id))
            self.redis.xadd(
                letter.stream,
                {"event_type": letter.event_type, "event_id": letter.event_id, "data": letter.data},
                maxlen=self.maxlen,
                approximate=True,
            )
            self.redis.xdel(dead_letter_stream(group), letter.id)
        return len(letters)


def _by_type(handlers: Mapping[type[DomainEvent] | str, Handler]) -> dict[str, Handler]:
    out = {}
    for key, handler in handlers.items():
        name = key if isinstance(key, str) else key.event_type
        event_class(name)  # fails early on a typo
        out[name] = handler
    return out


def _processed_key(group: str, event_id: str) -> str:
    return f"events.processed:{group}:{event_id}"


class Subscription:
    """One consumer of a consumer group. `poll()` does one round; `run()` loops until stopped."""

    def __init__(
        self,
        bus: EventBus,
        group: str,
        handlers: Mapping[type[DomainEvent] | str, Handler],
        *,
        consumer: str | None = None,
        max_attempts: int = 5,
        retry_idle_ms: int = 30_000,
        block_ms: int = 1_000,
        batch: int = 50,
        dedupe_ttl_s: int = 7 * 24 * 3600,
        start_id: str = "0",
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.bus, self.redis, self.group = bus, bus.redis, group
        self.handlers = _by_type(handlers)
        self.consumer = consumer or f"{group}-{socket.gethostname()}-{os.getpid()}"
        self.max_attempts, self.retry_idle_ms = max_attempts, retry_idle_ms
        self.block_ms, self.batch, self.dedupe_ttl_s = block_ms, batch, dedupe_ttl_s
        self.streams = [stream_name(t) for t in self.handlers]
        for stream in self.streams:
            try:
                self.redis.xgroup_create(stream, group, id=start_id, mkstream=True)
            except redis.ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    def poll(self, block_ms: int | None = None) -> int:
        """Retry what is due, then read new messages; returns how many were handled. Blocks at
        most `block_ms` (keep it under the client's 5 s socket timeout)."""
        handled = self._retry_due()
        block = self.block_ms if block_ms is None else block_ms
        response = self.redis.xreadgroup(
            self.group,
            self.consumer,
            {s: ">" for s in self.streams},
            count=self.batch,
            block=None if block <= 0 else block,
        )
        for stream, messages in response or []:
            for message_id, fields in messages:
                self._handle(stream, message_id, fields, attempt=1)
                handled += 1
        self._report_pending()
        return handled

    def run(self, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        log.info("consuming %s as %s/%s", ", ".join(self.streams), self.group, self.consumer)
        while not stop.is_set():
            self.poll()

    def _retry_due(self) -> int:
        handled = 0
        for stream in self.streams:
            _, messages, *_ = self.redis.xautoclaim(
                stream, self.group, self.consumer, self.retry_idle_ms, "0-0", count=self.batch
            )
            for message_id, fields in messages:
                if fields is None:  # trimmed away while pending
                    self.redis.xack(stream, self.group, message_id)
                    continue
                self._handle(
                    stream, message_id, fields, attempt=self._deliveries(stream, message_id)
                )
                handled += 1
        return handled

    def _deliveries(self, stream: str, message_id: str) -> int:
        entry = self.redis.xpending_range(stream, self.group, message_id, message_id, 1)
        return int(entry[0]["times_delivered"]) if entry else 1

    def _handle(self, stream: str, message_id: str, fields: dict[str, str], attempt: int) -> None:
        event_type, event_id = fields["event_type"], fields["event_id"]
        key = _processed_key(self.group, event_id)
        if self.redis.exists(key):
            self.redis.xack(stream, self.group, message_id)
            EVENTS_CONSUMED.labels(event_type, self.group, "duplicate").inc()
            return
        try:
            event = event_class(event_type).model_validate_json(fields["data"])
            self.handlers[event_type](event)
        except Exception as exc:  # noqa: BLE001 - any handler failure is retried, then parked
            EVENTS_CONSUMED.labels(event_type, self.group, "error").inc()
            error = f"{type(exc).__name__}: {exc}"
            log.warning(
                "%s %s attempt %d/%d failed: %s",
                event_type,
                event_id,
                attempt,
                self.max_attempts,
                error,
            )
            if attempt >= self.max_attempts:
                self._dead_letter(stream, message_id, fields, error, attempt)
            return
        pipe = self.redis.pipeline()
        pipe.set(key, "1", ex=self.dedupe_ttl_s)
        pipe.xack(stream, self.group, message_id)
        pipe.execute()
        EVENTS_CONSUMED.labels(event_type, self.group, "ok").inc()

    def _dead_letter(
        self, stream: str, message_id: str, fields: dict[str, str], error: str, attempts: int
    ) -> None:
        pipe = self.redis.pipeline()
        pipe.xadd(
            dead_letter_stream(self.group),
            {
                **fields,
                "error": error[:2000],
                "attempts": str(attempts),
                "stream": stream,
                "message_id": message_id,
                "failed_at": datetime.now(UTC).isoformat(),
            },
        )
        pipe.xack(stream, self.group, message_id)
        pipe.execute()
        EVENTS_DEAD_LETTERED.labels(fields["event_type"], self.group).inc()
        log.error(
            "%s %s dead-lettered after %d attempts: %s",
            fields["event_type"],
            fields["event_id"],
            attempts,
            error,
        )

    def _report_pending(self) -> None:
        pending = sum(int(self.redis.xpending(s, self.group)["pending"]) for s in self.streams)
        CONSUMER_PENDING.labels(self.group).set(pending)


_default_bus: EventBus | None = None


def get_bus() -> EventBus:
    """The process-wide bus, on REDIS_URL."""
    global _default_bus
    if _default_bus is None:
        _default_bus = EventBus()
    return _default_bus


def publish_event(event: DomainEvent, *, bus: EventBus | None = None) -> str:
    """Publish a domain event; returns its stream id."""
    return (bus or get_bus()).publish(event)


def subscribe_to_events(
    group: str,
    handlers: Mapping[type[DomainEvent] | str, Handler],
    *,
    bus: EventBus | None = None,
    **options: Any,
) -> Subscription:
    """Join consumer group `group` for the handlers' event types; call `.run()` to consume."""
    return (bus or get_bus()).subscribe(group, handlers, **options)


def run_worker(
    group: str,
    handlers: Mapping[type[DomainEvent] | str, Handler],
    *,
    bus: EventBus | None = None,
    metrics_port: int | None = None,
    **options: Any,
) -> None:
    """A consumer worker process: consumes until SIGTERM/SIGINT, exports metrics if asked."""
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format='{"level": "%(levelname)s", "logger": "%(name)s", "message": "%(message)s"}',
    )
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    subscribe_to_events(group, handlers, bus=bus, **options).run(stop)


def event_types(handlers: Iterable[type[DomainEvent] | str]) -> list[str]:
    return [h if isinstance(h, str) else h.event_type for h in handlers]
