"""Repo globs as regexes over '/'-separated paths: one reading of `*`, `**/`, `?`, `[...]` and
`{a,b}`, shared by the checks' file index and the roadmap's contradiction finder. Stdlib only."""

from __future__ import annotations

import re
from functools import cache


@cache
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as a regex over '/'-separated paths: `**/` is zero or more folders."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape("["))
                i += 1
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = end + 1
        elif pattern[i] == "{":
            end = pattern.find("}", i + 1)
            if end == -1:
                out.append(re.escape("{"))
                i += 1
            else:
                out.append(
                    "(?:" + "|".join(re.escape(x) for x in pattern[i + 1 : end].split(",")) + ")"
                )
                i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")
