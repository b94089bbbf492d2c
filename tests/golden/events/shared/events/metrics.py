"""Prometheus metrics of the event bus. Prometheus adds the `service` label at scrape time."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

EVENTS_PUBLISHED = Counter("events_published", "Events published to the bus.", ["event_type"])
EVENTS_CONSUMED = Counter(
    "events_consumed",
    "Events handled by a consumer group, by outcome (ok, error, duplicate).",
    ["event_type", "group", "outcome"],
)
EVENTS_DEAD_LETTERED = Counter(
    "events_dead_lettered",
    "Events moved to the dead-letter stream after failing every retry.",
    ["event_type", "group"],
)
CONSUMER_PENDING = Gauge(
    "events_consumer_pending",
    "Events delivered to a consumer group and not yet acknowledged.",
    ["group"],
)
