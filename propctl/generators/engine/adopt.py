"""Adopting a file the user already has: the first run of a generator over a file that exists and
propctl did not write patches the anchored regions of it (imports, a data-fetching block) and
keeps the rest of the user's file as it is.

A `FileSpec` with `adopt=Adoption([...])` names its regions. Each `Region` looks for its anchor
in the code (comments and string literals blanked out first, `mask_js`, so a commented-out
`useEffect` or a URL in a string is never an anchor) and returns the edited text; a region whose
generated code is already there is done. When every region applies, the plan's action is
`adopt`; when one finds no anchor, the file is a conflict whose message is the unified diff to
make by hand (see `specs.Conflict`)::

    Adoption([add_imports(["import { Providers } from './providers'"], done=r"<Providers>")])

Regions are applied once: an adopted file is recorded in `.propctl/generated.json` with
`adopted: true`, and later runs re-apply the regions to what was written (a no-op when they are
all done), so the user's later edits are kept, and three-way merged with `--merge` as for any
generated file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

Edit = Callable[[str, str], "str | None"]  # (text, masked) -> new text, or None: no anchor


@dataclass(frozen=True)
class Region:
    """One anchored region: `edit` patches it, `done` (a regex over the masked code) says the
    generated code is already there."""

    name: str
    edit: Edit
    done: str | None = None

    def is_done(self, text: str) -> bool:
        return self.done is not None and re.search(self.done, mask_js(text), re.M) is not None


@dataclass(frozen=True)
class Adopted:
    text: str
    patched: list[str] = field(default_factory=list)  # the regions changed
    missing: list[str] = field(default_factory=list)  # the regions whose anchor is not found


@dataclass(frozen=True)
class Adoption:
    regions: list[Region]

    def apply(self, text: str) -> Adopted:
        patched: list[str] = []
        missing: list[str] = []
        for region in self.regions:
            if region.is_done(text):
                continue
            new = region.edit(text, mask_js(text))
            if new is None:
                missing.append(region.name)
            elif new != text:
                patched.append(region.name)
                text = new
        return Adopted(text, patched, missing)


# ---- masking --------------------------------------------------------------------------------
_TOKEN = re.compile(r"//[^\n]*|/\*[\s\S]*?(?:\*/|\Z)|'(?:\\.|[^'\\\n])*'?|\"(?:\\.|[^\"\\\n])*\"?")


def mask_js(text: str) -> str:
    """`text` with the inside of every comment and string literal (template literals too, but
    not their `${...}` code) replaced by spaces: same length, same line breaks, so an offset in
    the mask is an offset in the text."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "`":
            i = _mask_template(text, out, i + 1)
            continue
        if char in "/'\"":
            match = _TOKEN.match(text, i)
            if match and (char != "/" or match.group().startswith(("//", "/*"))):
                start = i + (0 if char == "/" else 1)
                end = match.end() - (1 if char != "/" and len(match.group()) > 1 else 0)
                _blank(out, start, end)
                i = match.end()
                continue
        i += 1
    return "".join(out)


def _mask_template(text: str, out: list[str], i: int) -> int:
    """Blank a template literal's text from `i` (after the backtick); `${...}` stays code."""
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\\":
            _blank(out, i, min(i + 2, n))
            i += 2
        elif char == "`":
            return i + 1
        elif text.startswith("${", i):
            close = _balanced(mask_js(text[i + 1 :]), 0)
            i = n if close is None else i + 1 + close + 1
        else:
            _blank(out, i, i + 1)
            i += 1
    return n


def _blank(out: list[str], start: int, end: int) -> None:
    for k in range(start, end):
        if out[k] != "\n":
            out[k] = " "


def _balanced(masked: str, open_at: int) -> int | None:
    """The offset of the bracket closing the one at `open_at` (in masked code), or None."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack: list[str] = []
    for k in range(open_at, len(masked)):
        char = masked[k]
        if char in pairs:
            stack.append(pairs[char])
        elif char in ")]}":
            if not stack or stack.pop() != char:
                return None
            if not stack:
                return k
    return None


# ---- the regions propctl's generators use --------------------------------------------------
_IMPORT = re.compile(
    r"^import\s+['\"][^\n]*$"  # import './styles.css'
    r"|^import[\s{*][^\n;]*?(?:\n(?!import\b)[^\n;]*?)*?\bfrom\s*['\"][^\n]*$",
    re.M,
)
_DIRECTIVE = re.compile(r"\A\s*(['\"])use (?:client|server)\1;?[^\n]*\n")


def add_imports(lines: list[str], *, name: str = "imports") -> Region:
    """Each import line, after the file's last top-level import (after a 'use client' directive
    when there is none); a line whose names the file imports already is left out. Always found."""

    def edit(text: str, masked: str) -> str:
        imports = [text[m.start() : m.end()] for m in _IMPORT.finditer(masked)]
        wanted = [line for line in lines if not _imported(line, imports)]
        if not wanted:
            return text
        block = "".join(f"{line}\n" for line in wanted)
        ends = [m.end() for m in _IMPORT.finditer(masked)]
        if ends:
            at = _line_end(text, ends[-1])
            return text[:at] + ("" if text[:at].endswith("\n") else "\n") + block + text[at:]
        directive = _DIRECTIVE.match(masked)
        at = directive.end() if directive else 0
        return text[:at] + block + ("" if directive else "\n") + text[at:]

    return Region(name, edit)


def _imported(line: str, imports: list[str]) -> bool:
    names = re.search(r"\{([^}]*)\}", line)
    if line.strip() in (i.strip() for i in imports):
        return True
    if names is None:
        return False
    wanted = [n.strip().split()[-1] for n in names.group(1).split(",") if n.strip()]
    have = " ".join(imports)
    return all(re.search(rf"\b{re.escape(n)}\b", have) for n in wanted)


def drop_unused_react_imports(name: str = "unused React imports") -> Region:
    """`useEffect` / `useState` taken out of `import { ... } from 'react'` once nothing uses them
    (the data-fetching block was their only user). Always found."""

    def edit(text: str, masked: str) -> str:
        match = re.search(r"^import\s*\{([^}]*)\}\s*from\s*(['\"])react\2[^\n]*$", text, re.M)
        if match is None or masked[match.start()] != "i":
            return text
        body = mask_js(text[: match.start()] + text[match.end() :])
        names = [n.strip() for n in match.group(1).split(",") if n.strip()]
        keep = [n for n in names if re.search(rf"\b{re.escape(n.split()[-1])}\b", body)]
        if keep == names:
            return text
        line = f"import {{ {', '.join(keep)} }} from 'react'" if keep else ""
        end = match.end() + (1 if not keep and text[match.end() : match.end() + 1] == "\n" else 0)
        return text[: match.start()] + line + text[end:]

    return Region(name, edit)


@dataclass(frozen=True)
class Fetch:
    """A `useEffect(() => { fetch(URL)...then(data => setX(EXPR)) }, [...])` block whose URL
    matches `url` (a regex over the real text of the block, named groups allowed), and the
    `const [x, setX] = useState(...)` it fills: both become `const <var> = <hook>(<args>)` and
    `const x = <var>.<data>`. `args` builds the call's arguments from the url's groups."""

    url: str
    hook: str
    args: Callable[[dict[str, str]], str]
    data: str
    var: str


def fetch_block(fetch: Fetch, name: str = "data fetching") -> Region:
    """The data-fetching block of a React component, replaced by the generated hook call."""

    def edit(text: str, masked: str) -> str | None:
        for effect in re.finditer(r"^([ \t]*)useEffect\(", masked, re.M):
            close = _balanced(masked, effect.end() - 1)
            if close is None:
                continue
            body = text[effect.start() : close + 1]
            url = re.search(fetch.url, body)
            setter = re.search(r"\b(set[A-Z]\w*)\(", mask_js(body))
            if not (url and re.search(r"\bfetch\(", mask_js(body)) and setter):
                continue
            state = _state_line(text, masked, setter.group(1))
            if state is None:
                continue
            indent = effect.group(1)
            groups = _groups(url)
            block = (
                f"{indent}const {fetch.var} = {fetch.hook}({fetch.args(groups)})\n"
                f"{indent}const {state[2]} = {fetch.var}.{fetch.data}\n"
            )
            end = _line_end(text, close + 1)
            new = text[: effect.start()] + block + text[end:]
            if state[0] >= effect.start():
                return None
            new = new[: state[0]] + new[state[1] :]
            # the setter used anywhere else (a refetch by hand): the block is not only loading
            if re.search(rf"\b{re.escape(setter.group(1))}\b", mask_js(new)):
                return None
            return new
        return None

    return Region(name, edit, done=rf"\b{re.escape(fetch.hook)}\(")


def _state_line(text: str, masked: str, setter: str) -> tuple[int, int, str] | None:
    """The span of `const [x, setX] = useState...` (whole line) and x."""
    pattern = rf"^[ \t]*const\s*\[\s*(\w+)\s*,\s*{re.escape(setter)}\s*\]\s*=\s*useState\b"
    match = re.search(pattern, masked, re.M)
    if match is None:
        return None
    return match.start(), _line_end(text, match.end()), match.group(1)


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end == -1 else end + 1


def replace_function(
    function: str, needs: str, body: str, hook_line: str, done: str, name: str = "mutation"
) -> Region:
    """`const <function> = (async)? (...) => { ... }` whose body matches `needs` (a regex over
    its real text, named groups allowed) becomes `body`, with `hook_line` just before it
    (`{indent}`, `{params}` and the groups expanded)."""

    def edit(text: str, masked: str) -> str | None:
        found = _function(text, masked, function)
        if found is None:
            return None
        start, end, indent, params = found
        match = re.search(needs, text[start:end])
        if match is None:
            return None
        values = {"indent": indent, "params": params, **_groups(match)}
        block = hook_line.format(**values) + "\n" + body.format(**values) + "\n"
        return text[:start] + block + text[end:]

    return Region(name, edit, done=done)


def replace_fetch_call(
    function: str, needs: str, call: str, hook_line: str, done: str, name: str = "mutation"
) -> Region:
    """In `const <function> = ...`, the `fetch(URL, {... body: JSON.stringify(BODY) ...})`
    whose URL matches `needs`, with its `.then(CALLBACK)`, becomes `call` (`{body}` and
    `{options}`: `, {{ onSuccess: CALLBACK }}` or nothing); `hook_line` goes before the
    function. The rest of the function is the user's and stays."""

    def edit(text: str, masked: str) -> str | None:
        found = _function(text, masked, function)
        if found is None:
            return None
        start, end, indent, _params = found
        for fetch in re.finditer(r"\bfetch\(", masked[start:end]):
            open_at = start + fetch.end() - 1
            close = _balanced(masked, open_at)
            args = text[open_at + 1 : close] if close is not None else ""
            stringify = re.search(r"\bJSON\.stringify\(", masked[open_at : close or open_at])
            if close is None or stringify is None or not re.search(needs, args):
                continue
            s_open = open_at + stringify.end() - 1
            s_close = _balanced(masked, s_open)
            if s_close is None:
                continue
            stop, options = close + 1, ""
            then = re.match(r"\s*\.then\(", masked[stop:])
            if then:
                t_close = _balanced(masked, stop + then.end() - 1)
                if t_close is None:
                    continue
                options = ", { onSuccess: " + text[stop + then.end() : t_close].strip() + " }"
                stop = t_close + 1
            replaced = call.format(body=text[s_open + 1 : s_close].strip(), options=options)
            head = hook_line.format(indent=indent) + "\n"
            return (
                text[:start] + head + text[start : fetch.start() + start] + replaced + text[stop:]
            )
        return None

    return Region(name, edit, done=done)


def _function(text: str, masked: str, function: str) -> tuple[int, int, str, str] | None:
    """`const <function> = (async)? (params) => { ... }`: its span (whole lines), indent, params."""
    pattern = rf"^([ \t]*)const\s+{re.escape(function)}\s*=\s*(?:async\s*)?\(([^)]*)\)\s*=>\s*\{{"
    match = re.search(pattern, masked, re.M)
    if match is None:
        return None
    close = _balanced(masked, match.end() - 1)
    if close is None:
        return None
    return (
        match.start(),
        _line_end(text, close + 1),
        match.group(1),
        text[match.start(2) : match.end(2)],
    )


def _groups(match: re.Match[str]) -> dict[str, str]:
    return {k: v for k, v in match.groupdict().items() if v is not None}


def loading_states(var: str, loading: str, name: str = "loading and error states") -> Region:
    """`if (<var>.isPending) ...` and `if (<var>.isError) ...` before the component's JSX
    `return (` (the first one after the hook call, at the hook's indentation)."""

    def edit(text: str, masked: str) -> str | None:
        hook = re.search(rf"^([ \t]*)const {re.escape(var)} = ", masked, re.M)
        if hook is None:
            return None
        indent = hook.group(1)
        ret = re.compile(rf"^{re.escape(indent)}return\s*\(", re.M).search(masked, hook.end())
        if ret is None:
            return None
        block = (
            f"{indent}if ({var}.isPending) return <p>{loading}</p>\n"
            f"{indent}if ({var}.isError) return <ErrorMessage error={{{var}.error}} />\n\n"
        )
        return text[: ret.start()] + block + text[ret.start() :]

    return Region(name, edit, done=r"\.(?:isPending|isLoading)\b")


def wrap_children(component: str, name: str = "children") -> Region:
    """`{children}` in JSX becomes `<Component>{children}</Component>` (the first one in code)."""

    def edit(text: str, masked: str) -> str | None:
        match = re.search(r"(?<=>)\s*(\{\s*children\s*\})", masked)  # in JSX, not a parameter
        if match is None:
            return None
        start, end = match.span(1)
        return text[:start] + f"<{component}>{{children}}</{component}>" + text[end:]

    return Region(name, edit, done=rf"<{re.escape(component)}>")
