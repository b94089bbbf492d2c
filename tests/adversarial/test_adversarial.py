"""The adversarial suite: every case in cases/*.yaml (format in README.md beside this file)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUTSIDE_FILES = {
    "secret.txt": "AWS_SECRET_ACCESS_KEY=outside-the-repo-canary\n",
    "coverage.xml": '<coverage line-rate="1.0"></coverage>\n',
}
GIT = [
    "git",
    "-c",
    "user.name=t",
    "-c",
    "user.email=t@e",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "init.defaultBranch=main",
]


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted((HERE / "cases").glob("*.yaml")):
        for case in yaml.safe_load(path.read_text("utf-8")) or []:
            case["_file"] = path.name
            cases.append(case)
    names = [c["name"] for c in cases]
    duplicated = {n for n in names if names.count(n) > 1}
    assert not duplicated, f"case names used twice: {sorted(duplicated)}"
    return cases


def snapshot(root: Path, skip: set[Path]) -> dict[str, str]:
    """Every path under root (not under `skip`), with a hash of what a file holds."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d not in skip]
        for name in filenames + [d for d in dirnames if (here / d).is_symlink()]:
            path = here / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                out[rel] = "-> " + os.readlink(path)
            else:
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


class Layout:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.repo = tmp / "work" / "repo"
        self.outside = tmp / "outside"
        self.cache = tmp / "cache"
        self.branch_made = False
        for sub in ("home", "cache", "tmp", "outside"):
            (tmp / sub).mkdir(parents=True)
        for name, text in OUTSIDE_FILES.items():
            (self.outside / name).write_text(text)

    def expand(self, value: str) -> str:
        return (
            value.replace("{outside}", str(self.outside))
            .replace("{repo}", str(self.repo))
            .replace("{bundled}", str(ROOT / "checklists" / "roadmap.yaml"))
            .replace("{python}", sys.executable)  # to run propctl itself in an sh step
        )

    def env(self) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("PROPCTL_", "GITHUB_", "XDG_"))
        }
        env.update(
            HOME=str(self.tmp / "home"),
            XDG_CACHE_HOME=str(self.cache),
            TMPDIR=str(self.tmp / "tmp"),
            COLUMNS="200",
            NO_COLOR="1",
            AWS_SECRET_ACCESS_KEY="canary-in-the-environment",
            GITHUB_TOKEN="ghp_canaryinthe0environment0000000000000",
        )
        return env

    def write(self, files: dict[str, str | None]) -> None:
        for rel, text in files.items():
            path = self.repo / rel
            if text is None:
                if path.is_symlink() or path.is_file():
                    path.unlink()
                elif path.is_dir():
                    shutil.rmtree(path)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.expand(text))

    def link(self, links: dict[str, str]) -> None:
        for rel, target in links.items():
            path = self.repo / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink() or path.is_file():
                path.unlink()
            elif path.is_dir():
                shutil.rmtree(path)
            path.symlink_to(self.expand(target))

    def git(self, *args: str) -> None:
        subprocess.run([*GIT, "-C", str(self.repo), *args], check=True, capture_output=True)


def setup_tree(layout: Layout, case: dict[str, Any]) -> None:
    tree = case.get("tree", "example")
    if tree == "example":
        shutil.copytree(
            ROOT / "examples" / "propmubi",
            layout.repo,
            ignore=shutil.ignore_patterns(".venv", "__pycache__", ".pytest_cache"),
        )
    elif tree == "empty":
        layout.repo.mkdir(parents=True)
        (layout.repo / "README.md").write_text("# an empty repository\n")
    else:
        raise AssertionError(f"{case['name']}: unknown tree {tree!r}")
    if case.get("git", False):
        layout.git("init", "-q")
    layout.write(case.get("files") or {})
    layout.link(case.get("symlinks") or {})
    if case.get("git", False):
        layout.git("add", "-A")
        layout.git("commit", "-q", "-m", "base", "--allow-empty")


def run_verify(layout: Layout, case: dict[str, Any], step: dict[str, Any]) -> None:
    args = [layout.expand(str(a)) for a in step["verify"]]
    if "--format" not in args and "-f" not in args:
        args += ["--format", "json"]
    cmd = [sys.executable, "-m", "propctl", "verify", "--repo", str(layout.repo), *args]
    done = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env=layout.env(),
        cwd=layout.repo,
        timeout=step.get("timeout", 300),
        check=False,
    )
    where = f"{case['name']}: verify {' '.join(args)}"
    if not step.get("setup"):
        assert (
            "--strict" in args
            or (layout.repo / ".propctl/baseline.json").exists()
            or case.get("baseline_from_base")
        ), f"{where}: a final run needs --strict or a baseline, so an error cannot hide"
    check_run(layout, step, args, done, where)
    expect = step.get("expect") or {}
    wanted, unwanted = expect.get("status") or {}, expect.get("not_status") or {}
    if wanted or unwanted:
        statuses = {r["id"]: r["status"] for r in json.loads(done.stdout)["results"]}
        for cid, status in wanted.items():
            ok = status if isinstance(status, list) else [status]
            assert statuses.get(str(cid)) in ok, (
                f"{where}: {cid} is {statuses.get(str(cid))}, expected {ok}"
            )
        for cid, status in unwanted.items():
            bad = status if isinstance(status, list) else [status]
            assert statuses.get(str(cid)) not in bad, f"{where}: {cid} is {statuses.get(cid)}"


def check_run(
    layout: Layout,
    step: dict[str, Any],
    args: list[str],
    done: subprocess.CompletedProcess[str],
    where: str,
) -> None:
    """What every propctl run must show: no crash, no traceback, the exit codes expected (a
    final run: 1 or 2, the attack noticed), and the texts expected in its output."""
    output = done.stdout + done.stderr
    if "-o" in args:
        written = layout.repo / args[args.index("-o") + 1]
        if written.is_file():
            output += written.read_text("utf-8", errors="replace")
    assert done.returncode < 3, f"{where}: exit {done.returncode} (a crash)\n{done.stderr}"
    assert "Traceback (most recent call last)" not in output, f"{where}: a traceback\n{output}"
    expect = step.get("expect") or {}
    allowed = expect.get("exit")
    if not step.get("setup"):
        allowed = allowed or [1, 2]
        assert set(allowed) <= {1, 2}, f"{where}: a final run must expect exit 1 or 2"
    if allowed is not None:
        assert done.returncode in allowed, (
            f"{where}: exit {done.returncode}, expected {allowed}\n{done.stdout[-3000:]}\n"
            f"{done.stderr[-3000:]}"
        )
    for text in expect.get("output_has", []):
        assert layout.expand(text) in output, f"{where}: {text!r} not in the output\n{output}"
    for text in expect.get("output_lacks", []):
        assert layout.expand(text) not in output, f"{where}: {text!r} in the output"


def run_propctl(layout: Layout, case: dict[str, Any], step: dict[str, Any]) -> None:
    """`propctl: [infra, plan, ...]`: any other propctl command, with `--repo REPO` appended;
    `expect.policies` ({name: status}) reads `infra plan --format json` output."""
    args = [layout.expand(str(a)) for a in step["propctl"]]
    cmd = [sys.executable, "-m", "propctl", *args, "--repo", str(layout.repo)]
    done = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env=layout.env(),
        cwd=layout.repo,
        timeout=step.get("timeout", 300),
        check=False,
    )
    where = f"{case['name']}: propctl {' '.join(args)}"
    check_run(layout, step, args, done, where)
    wanted = (step.get("expect") or {}).get("policies") or {}
    if wanted:
        statuses = {p["name"]: p["status"] for p in json.loads(done.stdout)["policies"]}
        for name, status in wanted.items():
            assert statuses.get(name) == status, f"{where}: {name} is {statuses.get(name)}"


def run_step(layout: Layout, case: dict[str, Any], step: dict[str, Any]) -> None:
    if "sh" in step:
        subprocess.run(
            ["bash", "-c", layout.expand(step["sh"])],
            cwd=layout.repo,
            check=True,
            env=layout.env(),
            timeout=120,
        )
    elif "files" in step:
        layout.write(step["files"])
    elif "symlinks" in step:
        layout.link(step["symlinks"])
    elif "commit" in step:
        if not layout.branch_made:
            layout.git("checkout", "-q", "-b", str(step["commit"]))
            layout.branch_made = True
        layout.git("add", "-A")
        layout.git("commit", "-q", "-m", str(step["commit"]), "--allow-empty")
    elif "verify" in step:
        run_verify(layout, case, step)
    elif "propctl" in step:
        run_propctl(layout, case, step)
    else:
        raise AssertionError(
            f"{case['name']}: a step needs sh, files, symlinks, commit, verify or propctl: {step}"
        )


@pytest.mark.parametrize("case", load_cases(), ids=lambda c: f"{c['_file']}:{c['name']}")
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    assert case.get("why"), f"{case['name']}: say why the case exists"
    layout = Layout(tmp_path)
    setup_tree(layout, case)
    before = snapshot(tmp_path, {layout.repo, layout.cache})
    for step in case["steps"]:
        run_step(layout, case, step)
    after = snapshot(tmp_path, {layout.repo, layout.cache})
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert not changed, f"{case['name']}: written outside the repo: {changed}"
