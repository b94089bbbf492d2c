"""Operate the event bus:

python -m shared.events.cli dead-letters GROUP          list a group's dead letters
python -m shared.events.cli requeue-dead-letters GROUP  publish them again (after a fix)
python -m shared.events.cli show EVENT_TYPE [--since ID|ISO-TIME] [--count N]
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from .event_bus import EventBus, stream_id, stream_name


def _since(value: str) -> str:
    try:
        return stream_id(datetime.fromisoformat(value))
    except ValueError:
        return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.events.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("dead-letters", "requeue-dead-letters"):
        commands.add_parser(name).add_argument("group")
    show = commands.add_parser("show")
    show.add_argument("event_type")
    show.add_argument("--since", default="-", type=_since)
    show.add_argument("--count", default=100, type=int)
    args = parser.parse_args(argv)
    bus = EventBus()
    if args.command == "dead-letters":
        for letter in bus.dead_letters(args.group):
            print(json.dumps(letter.__dict__))
    elif args.command == "requeue-dead-letters":
        print(f"requeued {bus.requeue_dead_letters(args.group)} event(s)")
    else:
        for message_id, fields in bus.redis.xrange(
            stream_name(args.event_type), args.since, count=args.count
        ):
            print(json.dumps({"id": message_id, **fields}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
