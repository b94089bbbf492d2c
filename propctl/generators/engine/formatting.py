"""Generated JS/TS formatted with the target repo's own Prettier, as nx generators' `formatFiles()`
does: what propctl writes then passes the repo's `prettier --check`, and the manifest's hashes (and
so every re-run) see the formatted text.

Only when the repo can format: `node` on PATH, a `prettier` package node resolves from the repo
root (`node_modules/prettier`, here or above), and a Prettier config for the file (`.prettierrc*`,
`prettier.config.*`, or a `"prettier"` key in a `package.json`, from the file's folder up to the
repo root; a `.prettierrc` the plan itself writes counts, with its options). Otherwise nothing
changes and `notes` says why ("not formatted: ..."); no node is spawned, so a repo without
node_modules plans as fast as before. With them, ONE node process per
plan serves every request (JSON lines on its stdin: `{"root", "files": [{"path", "text"}]}`),
and each file is formatted with `prettier.format(text, {...resolveConfig(file), filepath})`;
files `.prettierignore` lists are left alone::

    with Formatter(repo) as formatter:
        texts = formatter.format_many([("apps/web/lib/api/client.ts", text)])
    formatter.notes   # ["not formatted: ..."] when it could not

A generator's own content that Prettier cannot parse is a propctl bug (`TemplateSyntaxBug`); a
user's file that it cannot parse (an adopted page) is kept as it is, with a note.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from types import TracebackType
from typing import Any

JS_SUFFIXES = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts")
CONFIG_FILES = (
    ".prettierrc",
    *(
        f".prettierrc.{ext}"
        for ext in ("json", "yaml", "yml", "json5", "js", "cjs", "mjs", "ts", "cts", "mts", "toml")
    ),
    *(f"prettier.config.{ext}" for ext in ("js", "cjs", "mjs", "ts", "cts", "mts")),
)
TIMEOUT_S = 120

# Reads one JSON request per line, answers one JSON line each: the repo's prettier, loaded once.
NODE_SCRIPT = r"""
import { createRequire } from "node:module";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

let prettier = null;
async function load(root) {
  if (prettier) return prettier;
  const resolved = createRequire(join(root, "noop.js")).resolve("prettier");
  const mod = await import(pathToFileURL(resolved).href);
  prettier = mod.format ? mod : mod.default;
  return prettier;
}

async function one(root, file) {
  const filepath = join(root, file.path);
  const info = await prettier.getFileInfo(filepath, { ignorePath: join(root, ".prettierignore") });
  if (info.ignored) return { path: file.path, ignored: true };
  const config =
    file.options && file.options !== true
      ? file.options
      : await prettier.resolveConfig(filepath, { editorconfig: true });
  if (config === null) return { path: file.path, error: "no prettier config" };
  try {
    const text = await prettier.format(file.text, { ...config, filepath });
    return { path: file.path, text };
  } catch (err) {
    const syntax = Boolean(err && (err.loc || err.name === "SyntaxError"));
    return { path: file.path, error: String((err && err.message) || err), syntax };
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    const request = JSON.parse(line);
    await load(request.root);
    const results = [];
    for (const file of request.files) results.push(await one(request.root, file));
    answer = { version: prettier.version, results };
  } catch (err) {
    answer = { fatal: String((err && err.message) || err) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
"""


class TemplateSyntaxBug(RuntimeError):
    """Prettier cannot parse what a generator renders: a bug in propctl's template."""


def is_js(path: str) -> bool:
    return path.endswith(JS_SUFFIXES)


def find_prettier(root: Path) -> Path | None:
    """`node_modules/prettier` as node resolves it from the repo root (here or a parent)."""
    for folder in (root, *root.parents):
        package = folder / "node_modules" / "prettier" / "package.json"
        if package.is_file():
            return package.parent
    return None


class Formatter:
    """Formats JS/TS texts with the repo's Prettier; one node process, started on first need."""

    def __init__(self, repo: Path) -> None:
        self.root = repo.resolve()
        self.notes: list[str] = []
        self._node = shutil.which("node")
        self._process: subprocess.Popen[str] | None = None
        self._configs: dict[Path, dict[str, Any] | bool] = {}
        self._planned: dict[Path, dict[str, Any]] = {}
        self._unavailable: str | None = None
        self._checked = False

    # -- availability (no process spawned) --------------------------------------------------
    def _why_not(self) -> str | None:
        if not self._checked:
            self._checked = True
            if self._node is None:
                self._unavailable = "node is not on PATH"
            elif find_prettier(self.root) is None:
                self._unavailable = f"no node_modules/prettier in {self.root} (npm install it)"
        return self._unavailable

    def planned(self, path: str, text: str) -> None:
        """A Prettier config the plan itself writes (`scaffold lint`'s `.prettierrc`): files
        under it are formatted with it, as they will be once it is on disk (JSON or YAML)."""
        if Path(path).name not in (".prettierrc", ".prettierrc.json", ".prettierrc.yaml"):
            return
        try:
            import yaml

            options = yaml.safe_load(text)  # JSON is YAML
        except yaml.YAMLError:
            options = None
        if isinstance(options, dict):
            self._planned[(self.root / path).parent] = options

    def _config(self, path: str) -> dict[str, Any] | bool:
        """The planned config's options for `path`, True for one on disk, False for none."""
        folder = (self.root / path).parent
        chain = []
        while True:
            if folder in self._configs:
                found = self._configs[folder]
                break
            chain.append(folder)
            if folder in self._planned:
                found = self._planned[folder]
                break
            if any((folder / name).is_file() for name in CONFIG_FILES) or _package_key(folder):
                found = True
                break
            if folder == self.root or self.root not in folder.parents:
                found = False
                break
            folder = folder.parent
        for seen in chain:
            self._configs[seen] = found
        return found

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # -- formatting ---------------------------------------------------------------------------
    def format_many(self, items: list[tuple[str, str]], *, owned: bool = True) -> dict[str, str]:
        """`{path: formatted text}` for the JS/TS `items` ((repo-relative path, text)) it could
        format; the others are absent. `owned`: the texts are a generator's own render, so one
        Prettier cannot parse raises `TemplateSyntaxBug`."""
        wanted = [(p, t) for p, t in items if is_js(p)]
        if not wanted:
            return {}
        why = self._why_not()
        if why is not None:
            self._note(f"not formatted: {_names(wanted)}: {why}")
            return {}
        configured = [(p, t) for p, t in wanted if self._config(p) is not False]
        if unconfigured := [i for i in wanted if i not in configured]:
            self._note(f"not formatted: {_names(unconfigured)}: no prettier config in the repo")
        if not configured:
            return {}
        answer = self._ask(configured)
        if answer is None:
            return {}
        out: dict[str, str] = {}
        for result in answer:
            path = str(result.get("path"))
            if isinstance(text := result.get("text"), str):
                out[path] = text
            elif result.get("error"):
                if owned and result.get("syntax"):
                    raise TemplateSyntaxBug(
                        f"propctl's render of {path} is not code prettier can parse (a bug in "
                        f"propctl's template): {result['error']}"
                    )
                error = _first_line(str(result["error"]))
                self._note(f"not formatted: {path}: prettier: {error}")
        return out

    def format_one(self, path: str, text: str, *, owned: bool = False) -> str:
        return self.format_many([(path, text)], owned=owned).get(path, text)

    def _ask(self, files: list[tuple[str, str]]) -> list[dict[str, Any]] | None:
        why, results = self._request(files)
        if why is not None:
            self._unavailable = why
            self._note(f"not formatted: {why}")
        return results

    def _request(self, files: list[tuple[str, str]]) -> tuple[str | None, list[Any] | None]:
        listed = []
        for path, text in files:
            options = self._config(path)
            listed.append({"path": path, "text": text, "options": options or None})
        request = {"root": str(self.root), "files": listed}
        try:
            process = self._start()
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
            if not _readable(process, TIMEOUT_S):
                process.kill()
                self._stop()
                return f"prettier gave no answer in {TIMEOUT_S} s", None
            line = process.stdout.readline()
        except OSError as exc:
            return f"node could not run ({exc})", None
        if not line:
            return f"node ended: {_first_line(self._stop()) or 'no answer'}", None
        try:
            answer = json.loads(line)
        except json.JSONDecodeError:
            return f"node answered {line[:200]!r}", None
        if "fatal" in answer:
            return f"prettier could not load: {_first_line(str(answer['fatal']))}", None
        results = answer.get("results")
        return (None, results) if isinstance(results, list) else ("node answered nothing", None)

    def _start(self) -> subprocess.Popen[str]:
        if self._process is None:
            assert self._node is not None
            self._process = subprocess.Popen(
                [self._node, "--input-type=module", "-e", NODE_SCRIPT],
                cwd=self.root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
        return self._process

    def _stop(self) -> str:
        process, self._process = self._process, None
        if process is None:
            return ""
        try:
            _, err = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
        return err or ""

    def close(self) -> None:
        self._stop()

    def __enter__(self) -> Formatter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _readable(process: subprocess.Popen[str], timeout: float) -> bool:
    import selectors

    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        return bool(selector.select(timeout))


def _package_key(folder: Path) -> bool:
    package = folder / "package.json"
    if not package.is_file():
        return False
    try:
        data = json.loads(package.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "prettier" in data


def _names(items: list[tuple[str, str]]) -> str:
    paths = [p for p, _ in items]
    return ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else ""
