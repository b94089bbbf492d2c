"""`scaffold workflow --verify`: `.github/workflows/propctl-verify.yml`, the workflow that runs
`propctl verify` on every pull request, with the propctl it installs (`--propctl-spec`, else this
propctl's own source at its commit) and the actions pinned as `scaffold workflow` pins them."""

from __future__ import annotations

from propctl.errors import UserError
from propctl.generators.engine.render import render_dir
from propctl.generators.engine.specs import FileSpec, Generation, PatchSpec
from propctl.generators.workflow import PYTHON_VERSION, pins


def verify_generation(propctl_spec: str | None = None) -> Generation:
    spec = propctl_spec or default_propctl_spec()
    if any(c in spec for c in "\"'\n\r`$\\"):
        raise UserError(
            f"--propctl-spec {spec!r}: quotes, '$', '`' and backslashes are not allowed",
            hint="give a pip requirement such as 'propctl==0.1.0' or "
            "'propctl @ git+https://github.com/ORG/propctl@TAG'",
        )
    variables = {"pins": pins(), "python_version": PYTHON_VERSION, "propctl_spec": spec}
    files: list[FileSpec | PatchSpec] = [*render_dir("workflow/verify", variables)]
    return Generation("workflow-verify", {"propctl_spec": spec}, files)


def default_propctl_spec() -> str:
    """This propctl, from its source at the commit it was built from: the package index has no
    propctl to install. Unknown (a build outside git, no repository URL): ask, never guess."""
    from propctl.provenance import provenance

    found = provenance()
    if found.pip_spec is None:
        missing = " and ".join(
            what
            for what, value in (
                ("the repository it comes from", found.repository),
                ("the commit it was built from", found.commit),
            )
            if not value
        )
        raise UserError(
            f"cannot tell what CI should install: this propctl does not know {missing}",
            hint="pass --propctl-spec, e.g. --propctl-spec "
            "'propctl @ git+https://github.com/ORG/propctl@COMMIT' (or a wheel's URL)",
        )
    return found.pip_spec
