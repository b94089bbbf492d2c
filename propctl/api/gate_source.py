"""Where the gate comes from: the roadmap, and the folder of state (baseline, waivers,
attestations, history, target declaration) that decide a verify run.

Without `--base` both come from the working tree. With `--base REF` both come from REF: the
repo's roadmap is `git show REF:checklists/roadmap.yaml` (the bundled one when REF has none),
and it is trusted, since it landed through review like any code; the pull request's own roadmap
and state are only compared with it (`propctl.checks.gate.changes`), never applied."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from propctl.state import RepoState, show_at

if TYPE_CHECKING:
    from propctl.roadmap.models import Roadmap
    from propctl.roadmap.yamlsrc import LocatedDoc

DEFAULT_ROADMAP = "checklists/roadmap.yaml"


@dataclass
class GateSource:
    roadmap: Roadmap
    doc: LocatedDoc  # the roadmap's parsed YAML, for located errors
    label: str  # how messages name the roadmap: a path, or REF:path
    path: Path | None  # the file in the tree (replay fingerprints it); None at a ref
    trusted: bool  # may its command checks run
    bundled: bool  # byte for byte the bundled roadmap
    state: RepoState  # where the baseline, waivers, attestations and history are read


def from_tree(repo: Path, explicit: Path | None, trust: bool) -> GateSource:
    from propctl.roadmap.locate import find_roadmap
    from propctl.roadmap.yamlsrc import read_yaml

    path, bundled = find_roadmap(repo, explicit)
    doc = read_yaml(path)
    return GateSource(
        _validate(doc), doc, str(path), path, bundled or trust, bundled, RepoState(repo)
    )


def from_ref(repo: Path, ref: str, explicit: Path | None, trust: bool) -> GateSource:
    """The gate as REF defines it. An explicit --roadmap outside the repo is not the pull
    request's to change, and is read as given (trusted if bundled, or with --trust)."""
    from propctl.resources import bundled_roadmap
    from propctl.roadmap.yamlsrc import parse_yaml

    state = RepoState(repo, ref=ref)
    rel = in_repo(repo, explicit)
    if explicit is not None and rel is None:
        source = from_tree(repo, explicit, trust)
        source.state, source.path = state, None
        return source
    rel = rel or DEFAULT_ROADMAP
    raw = show_at(repo, state.commit, rel)
    own = bundled_roadmap().read_bytes()
    label = f"{ref}:{rel}" if raw is not None else f"the bundled roadmap ({ref} has no {rel})"
    doc = parse_yaml(raw if raw is not None else own, label)
    bundled = (raw if raw is not None else own) == own
    return GateSource(_validate(doc), doc, label, None, True, bundled, state)


def in_repo(repo: Path, path: Path | None) -> str | None:
    """`path` relative to the repo when it lies inside it (as git names it), else None."""
    if path is None:
        return None
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return None


def _validate(doc: LocatedDoc) -> Roadmap:
    """The roadmap, its check parameters validated too: the model's problems and the
    parameters' are reported together, located."""
    from propctl.checks.engine.validate import validated
    from propctl.roadmap.loader import validate_document

    return validated(doc, validate_document)
