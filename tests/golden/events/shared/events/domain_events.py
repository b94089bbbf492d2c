"""The Propmubi domain events (Task 12.2). Each is a typed, immutable pydantic model; the bus
stores it as JSON in the Redis stream `events.<EventType>` (see event_bus.py).

Add an event: subclass `DomainEvent` here; `EVENT_TYPES` picks it up by its `event_type`."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import ClassVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field


class DomainEvent(BaseModel):
    """What every event carries: an id (the idempotency key), when, who produced it, and the
    correlation id of the request that caused it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    event_type: ClassVar[str] = "DomainEvent"
    schema_version: ClassVar[int] = 1

    event_id: UUID = Field(default_factory=uuid4)
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    producer: str = "unknown"
    correlation_id: str | None = None

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.event_type = cls.__name__.removesuffix("Event")


class UserRegisteredEvent(DomainEvent):
    user_id: str
    role: str = Field(pattern="^(consumer|agent|builder|admin)$")


class ProjectCreatedEvent(DomainEvent):
    project_id: str
    builder_id: str
    name: str
    city: str


class ProjectUpdatedEvent(DomainEvent):
    project_id: str
    changed_fields: list[str]


class TrustScoreUpdatedEvent(DomainEvent):
    subject_id: str
    subject_type: str = Field(pattern="^(builder|agent|project)$")
    previous_score: float | None = Field(default=None, ge=0, le=100)
    score: float = Field(ge=0, le=100)


class LeadCreatedEvent(DomainEvent):
    lead_id: str
    project_id: str
    source: str = "web"


class LeadAssignedEvent(DomainEvent):
    lead_id: str
    agent_id: str
    project_id: str | None = None


class SiteVisitScheduledEvent(DomainEvent):
    visit_id: str
    lead_id: str
    agent_id: str
    scheduled_for: datetime


class DocumentVerifiedEvent(DomainEvent):
    document_id: str
    project_id: str
    document_type: str
    verified: bool
    verifier: str


class PaymentReceivedEvent(DomainEvent):
    payment_id: str
    lead_id: str
    project_id: str
    amount: Decimal = Field(gt=0)
    currency: str = Field(default="INR", pattern="^[A-Z]{3}$")


class BuilderOnboardedEvent(DomainEvent):
    builder_id: str
    name: str
    rera_number: str


class ReviewPostedEvent(DomainEvent):
    review_id: str
    subject_id: str
    subject_type: str = Field(pattern="^(builder|agent|project)$")
    rating: int = Field(ge=1, le=5)


class CampaignLaunchedEvent(DomainEvent):
    campaign_id: str
    project_id: str
    channel: str


def _all_events() -> dict[str, type[DomainEvent]]:
    found: dict[str, type[DomainEvent]] = {}
    pending = list(DomainEvent.__subclasses__())
    while pending:
        cls = pending.pop()
        found[cls.event_type] = cls
        pending += cls.__subclasses__()
    return dict(sorted(found.items()))


EVENT_TYPES: dict[str, type[DomainEvent]] = _all_events()


def event_class(event_type: str) -> type[DomainEvent]:
    try:
        return EVENT_TYPES[event_type]
    except KeyError:
        known = ", ".join(EVENT_TYPES)
        raise KeyError(f"unknown event type {event_type!r}; known: {known}") from None
