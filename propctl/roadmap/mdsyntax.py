"""What the Markdown importer and renderer share: text repair, ids, and the facts both derive
from a checklist's text (services and their ports, CORS origins, a file line's default action)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from propctl import clock

_SERVICE_PORT = (
    re.compile(r"\b([a-z][a-z0-9-]*?)-service\b[^()]*\(port (\d{4,5})\)"),
    re.compile(r"\bport (\d{4,5}) for ([a-z][a-z0-9-]*?)-service\b"),
)
_URL = re.compile(r"https?://[^\s,`'\")]+")
# a subtask item's text: its id, then the text
SUBTASK_LINE = re.compile(r"^(\d+\.\d+(?:-\d+)?):?\s+(.+)$")
_FILE = re.compile(
    r"^(?:(Create|Update|Modify)\s*:\s*)?(?:`([^`]+)`|([^(`]+?))\s*(?:\((.+)\))?\s*$"
)


def read_file_line(text: str, heading: str | None) -> tuple[str, str, str | None] | None:
    r"""`Create: \`path\` (note)` under a files heading -> (path, action, note); None when
    the line is not one."""
    match = _FILE.match(text)
    if not match:
        return None
    prefix, quoted, bare, note = match.groups()
    action = prefix.lower() if prefix else default_action(heading) or "modify"
    return (quoted or bare or "").strip(), action, note.strip() if note else None


# A heading whose icon is one of the layout's own symbols (✅ 📊 ☐ 🔴 🟡 🚀 📈) as UTF-8 read as
# Mac Roman: the document's encoding went wrong. Only there is text repaired: a repair elsewhere
# would turn a real "Õ®" into "ͨ", and a text that merely contains "üü°" proves nothing (a
# rendered checklist's icons are always the real symbols, its texts never start a heading).
_MOJIBAKE_HEADING = re.compile("^#{1,4} (?:‚úÖ|üìä|‚òê|üî¥|üü°|üöÄ|üìà)", re.MULTILINE)


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as Mac Roman, line by line, where that round-trips, in a
    document whose headings show it."""
    if not _MOJIBAKE_HEADING.search(text):
        return text
    out = []
    # split on newlines only: str.splitlines() also splits on U+2028, form feeds ..., which
    # Markdown keeps inside a line, and the line numbers would drift
    for line in text.split("\n"):
        try:
            fixed = line.encode("mac_roman").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            fixed = line
        out.append(fixed)
    return "\n".join(out)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "dimension"


def default_action(heading: str | None) -> str | None:
    """The action of an unprefixed file line under this heading, if the heading implies one."""
    if not heading:
        return None
    words = heading.lower()
    created, modified = "created" in words, "modified" in words
    if created and not modified:
        return "create"
    if modified and not created:
        return "modify"
    return None


def derive_services(texts: list[str]) -> list[dict[str, Any]]:
    found: dict[str, int] = {}
    for text in texts:
        for match in _SERVICE_PORT[0].finditer(text):
            found.setdefault(match.group(1), int(match.group(2)))
        for match in _SERVICE_PORT[1].finditer(text):
            found.setdefault(match.group(2), int(match.group(1)))
    return [{"name": name, "port": port} for name, port in found.items()]


def derive_cors_origins(texts: list[str]) -> list[str]:
    origins: list[str] = []
    for text in texts:
        if "cors" in text.lower():
            origins += [u.rstrip("/") for u in _URL.findall(text) if u.rstrip("/") not in origins]
    return origins


def monday_after(day: date | None) -> date:
    day = day or clock.today()
    return day + timedelta(days=(7 - day.weekday()) % 7 or 7)
