"""The generated event bus against a real redis-server: delivery, retries, dead letters, replay,
restarts; and the wiring `scaffold events` adds to scaffolded services."""

from __future__ import annotations

import importlib
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from propctl.generators.engine.apply import apply
from propctl.generators.engine.plan import plan
from propctl.generators.events import CONSUMES, PUBLISHES, events_generation, package_files

pytestmark = pytest.mark.redis
DB = 11  # a database of its own on the shared test redis-server


class Crash(BaseException):
    """Stands for the worker process dying mid-batch (not an exception a handler reports)."""


@pytest.fixture(scope="module")
def ev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("bus")
    for spec in package_files("shared/events"):
        (root / spec.path).parent.mkdir(parents=True, exist_ok=True)
        (root / spec.path).write_text(spec.content)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("shared.events")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == "shared" or m.startswith("shared.")]:
            del sys.modules[name]


@pytest.fixture
def url(redis_url: str) -> str:
    return redis_url.rsplit("/", 1)[0] + f"/{DB}"


@pytest.fixture
def bus(ev: ModuleType, url: str):
    bus = ev.EventBus(url, producer="tests")
    bus.redis.flushdb()
    yield bus
    bus.redis.flushdb()


def lead(ev: ModuleType, n: int):
    return ev.LeadAssignedEvent(lead_id=f"lead-{n}", agent_id="agent-7")


def drain(sub, until: Callable[[], bool], rounds: int = 200) -> None:
    for _ in range(rounds):
        if until():
            return
        sub.poll(block_ms=10)
    raise AssertionError("condition not reached")


def test_at_least_ten_typed_events_including_the_roadmaps(ev: ModuleType) -> None:
    assert len(ev.EVENT_TYPES) >= 10
    for name in (
        "LeadAssigned",
        "TrustScoreUpdated",
        "ProjectCreated",
        "DocumentVerified",
        "PaymentReceived",
    ):
        assert issubclass(ev.EVENT_TYPES[name], ev.DomainEvent)
    with pytest.raises(ValueError):
        ev.TrustScoreUpdatedEvent(subject_id="b-1", subject_type="builder", score=150)
    with pytest.raises(ValueError):
        ev.PaymentReceivedEvent(payment_id="p", lead_id="l", project_id="x", amount=-5)
    with pytest.raises(KeyError, match="unknown event type"):
        ev.event_class("LeadAsigned")


def test_publish_then_consume_acknowledges_everything(ev: ModuleType, bus) -> None:
    seen = []
    sub = ev.subscribe_to_events("agent", {ev.LeadAssignedEvent: seen.append}, bus=bus, block_ms=10)
    ids = [ev.publish_event(lead(ev, n), bus=bus) for n in range(3)]
    assert all("-" in i for i in ids)
    drain(sub, lambda: len(seen) == 3)
    assert [e.lead_id for e in seen] == ["lead-0", "lead-1", "lead-2"]
    assert all(isinstance(e, ev.LeadAssignedEvent) and e.producer == "tests" for e in seen)
    assert bus.redis.xpending("events.LeadAssigned", "agent")["pending"] == 0


def test_every_consumer_group_gets_every_event(ev: ModuleType, bus) -> None:
    got: dict[str, list] = {"agent": [], "reputation": []}
    subs = [ev.subscribe_to_events(g, {"LeadAssigned": got[g].append}, bus=bus) for g in got]
    bus.publish(lead(ev, 1))
    for sub, group in zip(subs, got, strict=True):
        drain(sub, lambda g=group: len(got[g]) == 1)


def test_a_crashing_handler_ends_in_the_dead_letter_stream_after_n_attempts(
    ev: ModuleType, bus
) -> None:
    calls: list[str] = []

    def handler(event) -> None:
        calls.append(event.lead_id)
        if event.lead_id == "lead-bad":
            raise RuntimeError("agent-7 does not exist")

    sub = bus.subscribe(
        "agent", {ev.LeadAssignedEvent: handler}, max_attempts=3, retry_idle_ms=0, block_ms=10
    )
    bad = ev.LeadAssignedEvent(lead_id="lead-bad", agent_id="agent-7")
    bus.publish(bad)
    bus.publish(lead(ev, 2))
    drain(sub, lambda: len(bus.dead_letters("agent")) == 1)
    assert calls.count("lead-bad") == 3 and calls.count("lead-2") == 1
    [letter] = bus.dead_letters("agent")
    assert letter.event_id == str(bad.event_id) and letter.attempts == 3
    assert "RuntimeError: agent-7 does not exist" in letter.error
    assert bus.redis.xpending("events.LeadAssigned", "agent")["pending"] == 0
    for _ in range(3):
        sub.poll(block_ms=10)
    assert calls.count("lead-bad") == 3  # parked, not retried forever

    # Once the handler is fixed, requeueing delivers it again, to this group only.
    other = []
    bystander = bus.subscribe("reputation", {ev.LeadAssignedEvent: other.append}, block_ms=10)
    drain(bystander, lambda: len(other) == 2)
    calls.clear()
    sub.handlers["LeadAssigned"] = lambda e: calls.append(e.lead_id)
    assert bus.requeue_dead_letters("agent") == 1
    drain(sub, lambda: calls == ["lead-bad"])
    assert bus.dead_letters("agent") == []
    for _ in range(3):
        bystander.poll(block_ms=10)
    assert len(other) == 2  # the reputation group had handled it: skipped as a duplicate


def test_replay_from_an_id_or_a_time_redelivers(ev: ModuleType, bus) -> None:
    first = []
    sub = bus.subscribe("agent", {ev.LeadAssignedEvent: first.append}, block_ms=10)
    ids = []
    for n in range(5):
        ids.append(bus.publish(lead(ev, n)))
        time.sleep(0.003)
    drain(sub, lambda: len(first) == 5)

    replayed = []
    assert bus.replay({ev.LeadAssignedEvent: replayed.append}, since=ids[2]) == 3
    assert [e.lead_id for e in replayed] == ["lead-2", "lead-3", "lead-4"]

    replayed.clear()
    millis = int(ids[3].split("-")[0])
    moment = datetime.fromtimestamp(millis / 1000, tz=UTC)
    bus.replay({"LeadAssigned": replayed.append}, since=moment)
    assert [e.lead_id for e in replayed] == ["lead-3", "lead-4"]

    replayed.clear()
    bus.replay({"LeadAssigned": replayed.append}, since=datetime.now(UTC) + timedelta(minutes=1))
    assert replayed == []


def test_a_consumer_restarted_mid_stream_loses_nothing(ev: ModuleType, bus) -> None:
    handled: list[str] = []

    def crashing(event) -> None:
        if len(handled) == 4:
            raise Crash
        handled.append(event.lead_id)

    first = bus.subscribe(
        "agent", {ev.LeadAssignedEvent: crashing}, consumer="agent-a", batch=10, block_ms=10
    )
    published = [lead(ev, n) for n in range(20)]
    for event in published:
        bus.publish(event)
    with pytest.raises(Crash):
        first.poll()
    assert len(handled) == 4
    assert bus.redis.xpending("events.LeadAssigned", "agent")["pending"] == 6  # read, not acked

    # A new process of the same service: picks up what agent-a held, then the rest.
    second = bus.subscribe(
        "agent",
        {ev.LeadAssignedEvent: lambda e: handled.append(e.lead_id)},
        consumer="agent-b",
        batch=10,
        retry_idle_ms=50,
        block_ms=10,
    )
    deadline = time.monotonic() + 10
    while len(set(handled)) < 20 and time.monotonic() < deadline:
        second.poll(block_ms=20)
    assert sorted(handled) == sorted(e.lead_id for e in published)
    assert len(handled) == 20  # nothing handled twice: acknowledged messages stay acknowledged
    assert bus.redis.xpending("events.LeadAssigned", "agent")["pending"] == 0


def test_a_redelivered_event_is_handled_once(ev: ModuleType, bus) -> None:
    calls = []
    sub = bus.subscribe("agent", {ev.LeadAssignedEvent: calls.append}, block_ms=10)
    event = lead(ev, 1)
    bus.publish(event)
    bus.publish(event)  # the same event id twice: a producer retry
    for _ in range(5):
        sub.poll(block_ms=10)
    assert len(calls) == 1
    assert bus.redis.xpending("events.LeadAssigned", "agent")["pending"] == 0


def test_metrics_follow_the_bus(ev: ModuleType, bus) -> None:
    from prometheus_client import REGISTRY

    def value(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    before = value("events_published_total", event_type="ProjectCreated")
    sub = bus.subscribe("legal", {"ProjectCreated": lambda e: None}, block_ms=10)
    bus.publish(
        ev.ProjectCreatedEvent(project_id="p1", builder_id="b1", name="Skyline", city="Pune")
    )
    drain(
        sub,
        lambda: (
            value("events_consumed_total", event_type="ProjectCreated", group="legal", outcome="ok")
            >= 1
        ),
    )
    assert value("events_published_total", event_type="ProjectCreated") == before + 1
    assert value("events_consumer_pending", group="legal") == 0


def test_bad_subscription_inputs_fail_early(ev: ModuleType, bus) -> None:
    with pytest.raises(KeyError):
        bus.subscribe("agent", {"NoSuchEvent": print})
    with pytest.raises(ValueError):
        bus.subscribe("agent", {"LeadAssigned": print}, max_attempts=0)


# ---- wiring into scaffolded services ---------------------------------------------------------
@pytest.fixture(scope="module")
def wired(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from propctl.generators.service import service_generation
    from propctl.resources import bundled_roadmap
    from propctl.roadmap.loader import load_roadmap

    roadmap = load_roadmap(bundled_roadmap())
    repo = tmp_path_factory.mktemp("wired")
    for name, port in (("agent", 3015), ("crm", 3016)):
        apply(repo, plan(repo, service_generation(repo, roadmap, name, port)))
    apply(repo, plan(repo, events_generation(repo, ["agent", "crm", "trust"])))
    return repo


def test_scaffold_events_wires_the_services_that_exist(wired: Path) -> None:
    assert (wired / "shared/events/event_bus.py").is_file()
    for name in ("agent", "crm"):
        base = wired / f"apps/{name}-service"
        assert (base / "app/eventbus/event_bus.py").read_text() == (
            wired / "shared/events/event_bus.py"
        ).read_text()
        events = (base / "app/events.py").read_text()
        for event in PUBLISHES[name] + CONSUMES[name]:
            assert f"{event}Event" in events
        assert "- events-worker.yaml" in (base / "k8s/base/kustomization.yaml").read_text()
    assert not (wired / "apps/trust-service").exists()  # not scaffolded: nothing written
    again = plan(wired, events_generation(wired, ["agent", "crm", "trust"]))
    assert set(again.counts()) == {"identical"}, again.counts()


def test_wired_code_passes_ruff_and_the_worker_manifest_validates(wired: Path) -> None:
    import kubernetes_validate
    import yaml

    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=wired / "apps/crm-service",
        capture_output=True,
        text=True,
    )
    assert ruff.returncode == 0, ruff.stdout
    manifest = wired / "apps/agent-service/k8s/base/events-worker.yaml"
    for doc in yaml.safe_load_all(manifest.read_text()):
        kubernetes_validate.validate(doc, "1.30", strict=True)


@pytest.mark.slow
def test_the_agent_worker_consumes_what_crm_publishes(
    wired: Path, url: str, ev: ModuleType, bus
) -> None:
    """Two real processes: crm publishes LeadAssigned, agent's worker (python -m app.events)
    consumes it into its projection."""
    env = {"REDIS_URL": url, "EVENTS_METRICS_PORT": "0", "PATH": "/usr/bin:/bin"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "app.events"],
        cwd=wired / "apps/agent-service",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        publish = (
            "from app.events import publish\n"
            "from app.eventbus import LeadAssignedEvent\n"
            "print(publish(LeadAssignedEvent(lead_id='lead-42', agent_id='agent-7')))\n"
        )
        subprocess.run(
            [sys.executable, "-c", publish],
            cwd=wired / "apps/crm-service",
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        deadline = time.monotonic() + 30
        stored = None
        while stored is None and time.monotonic() < deadline and worker.poll() is None:
            stored = bus.redis.hget("agent:events:LeadAssigned", "lead-42")
            time.sleep(0.05)
        assert stored is not None, worker.stdout.read() if worker.poll() is not None else ""
        assert '"producer":"crm-service"' in stored.replace(" ", "")
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
