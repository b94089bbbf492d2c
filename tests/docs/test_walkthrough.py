"""docs/roadmap-walkthrough.md works as written: every file it shows is written, every command
it shows is run (in order, in a fresh folder), and each command's output and exit code must be
what the document says.

The document's conventions: a fenced block whose info string is `LANG file=PATH` is a file to
write; a `console` block holds commands (`$ ...`), each followed by its output, and by
`[exit N]` when it does not exit 0. After a deliberate change to propctl's output, refresh the
document from a real run: `PROPCTL_UPDATE_DOCS=1 pytest tests/docs/test_walkthrough.py`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "roadmap-walkthrough.md"
FENCE = re.compile(r"^```(\S*)(?:\s+file=(\S+))?\s*$")
EXIT = re.compile(r"^\[exit (\d+)\]$")


@dataclass
class Step:
    kind: str  # file | command
    start: int  # the line after the fence (files) or of the `$` line (commands)
    end: int  # the line after the step's last line
    path: str = ""
    text: str = ""
    command: str = ""
    output: list[str] = field(default_factory=list)
    exit: int = 0


def steps(lines: list[str]) -> list[Step]:
    out: list[Step] = []
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if fence is None or not fence.group(1):
            i += 1
            continue
        close = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        body = lines[i + 1 : close]
        if fence.group(2):
            out.append(Step("file", i + 1, close, path=fence.group(2), text="\n".join(body)))
        elif fence.group(1) == "console":
            out += _commands(body, i + 1)
        i = close + 1
    return out


def _commands(body: list[str], offset: int) -> list[Step]:
    found: list[Step] = []
    for n, line in enumerate(body):
        if line.startswith("$ "):
            found.append(Step("command", offset + n, offset + n + 1, command=line[2:]))
        elif found:
            exit_code = EXIT.match(line)
            if exit_code:
                found[-1].exit = int(exit_code.group(1))
            else:
                found[-1].output.append(line)
            found[-1].end = offset + n + 1
    return found


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROPCTL_", "GITHUB_"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
        COLUMNS="100",
        NO_COLOR="1",
        HOME=str(home),
        XDG_CACHE_HOME=str(home / "cache"),
    )
    return env


def run(step: Step, repo: Path, env: dict[str, str]) -> tuple[list[str], int]:
    done = subprocess.run(
        ["bash", "-c", step.command],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # as a terminal shows them: interleaved
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout.rstrip("\n")
    return [line.rstrip() for line in output.split("\n")] if output else [], done.returncode


def test_the_walkthrough_works_as_written(tmp_path: Path) -> None:
    lines = DOC.read_text("utf-8").split("\n")
    repo, home = tmp_path / "shop", tmp_path / "home"
    repo.mkdir()
    home.mkdir()
    env = environment(home)
    updated = list(lines)
    todo = steps(lines)
    assert sum(s.kind == "command" for s in todo) >= 8 and any(s.kind == "file" for s in todo)
    results: dict[int, tuple[list[str], int]] = {}
    for step in todo:
        if step.kind == "file":
            target = repo / step.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(step.text + "\n", "utf-8")
            continue
        results[step.start] = run(step, repo, env)
    if os.environ.get("PROPCTL_UPDATE_DOCS"):
        for step in reversed([s for s in todo if s.kind == "command"]):
            output, code = results[step.start]
            tail = [*output, *([f"[exit {code}]"] if code else [])]
            updated[step.start + 1 : step.end] = tail
        DOC.write_text("\n".join(updated), "utf-8")
        return
    for step in todo:
        if step.kind != "command":
            continue
        output, code = results[step.start]
        where = f"docs/roadmap-walkthrough.md:{step.start + 1}: $ {step.command}"
        assert output == step.output, f"{where}\n" + "\n".join(output)
        assert code == step.exit, f"{where}: exit {code}, the document says {step.exit}"
