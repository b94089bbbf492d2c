"""`propctl scaffold frontend` (Task 8): the web app's data layer on React Query and Zustand.

Writes into `<paths.web>` (apps/web): `app/providers.tsx` (QueryClient, error boundary,
devtools), `lib/api/client.ts` (fetch wrapper parsing the API's structured errors into
`ApiError`), `lib/api/hooks/useProjects.ts` (useProjectFeed, useProjectById, useCreateLead with
an optimistic update) and `useAgents.ts` (useAgentLeads, useMarkContacted),
`lib/store/authStore.ts` (Zustand, persisted in localStorage), `components/ErrorBoundary.tsx`,
a Vitest test of the hooks; and it switches `app/layout.tsx`, `app/consumer/page.tsx` and
`app/agent/page.tsx` to them. Those three are the user's files: the first run over hand-written
pages adopts them (`ADOPTIONS`: imports, the `useEffect` + `fetch` blocks and the handlers that
fetch become the hooks; the JSX and the rest stay), and a page with no anchor is exit 1 with the
diff to make by hand.
`package.json` gets the dependencies and the `test`/`typecheck` scripts by anchored patches.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from propctl.errors import UserError
from propctl.generators.engine.adopt import (
    Adoption,
    Fetch,
    add_imports,
    drop_unused_react_imports,
    fetch_block,
    loading_states,
    replace_fetch_call,
    replace_function,
    wrap_children,
)
from propctl.generators.engine.render import render_dir
from propctl.generators.engine.specs import FileSpec, Generation, PatchSpec

if TYPE_CHECKING:
    from propctl.roadmap.models import Roadmap

DEPENDENCIES = {
    "@tanstack/react-query": "^5.59.0",
    "@tanstack/react-query-devtools": "^5.59.0",
    "zustand": "^5.0.0",
}
DEV_DEPENDENCIES = {
    "@testing-library/dom": "^10.4.0",
    "@testing-library/react": "^16.3.0",
    "jsdom": "^26.1.0",
    "vitest": "^3.2.4",
}
SCRIPTS = {"test": "vitest run", "typecheck": "tsc --noEmit"}


# The user's own pages, adopted on the first run: their imports and data-fetching blocks are
# patched to the generated hooks, the rest (the JSX, the handlers) stays theirs.
ADOPTIONS: dict[str, Adoption] = {
    "app/layout.tsx": Adoption(
        [wrap_children("Providers"), add_imports(["import { Providers } from './providers'"])]
    ),
    "app/consumer/page.tsx": Adoption(
        [
            replace_fetch_call(
                "enquire",
                r"/crm/leads\b",
                "createLead.mutate({body}{options})",
                "{indent}const createLead = useCreateLead()",
                done=r"\buseCreateLead\(",
                name="the fetch in enquire",
            ),
            fetch_block(
                Fetch(
                    url=r"/projects/feed\b[\s\S]*?\b(?P<city>city)\b|/projects/feed\b",
                    hook="useProjectFeed",
                    args=lambda g: f"{{ city: {g['city']} || undefined }}" if "city" in g else "",
                    data="data?.items ?? []",
                    var="feed",
                )
            ),
            loading_states("feed", "Loading projects…"),
            add_imports(
                [
                    "import { ErrorMessage } from '../../components/ErrorBoundary'",
                    "import { useCreateLead, useProjectFeed } "
                    "from '../../lib/api/hooks/useProjects'",
                ]
            ),
            drop_unused_react_imports(),
        ]
    ),
    "app/agent/page.tsx": Adoption(
        [
            replace_function(
                "markContacted",
                r"/agent/\$\{(?P<agent>\w+)\}/leads/\$\{(?P<lead>\w+)\}/contacted",
                "{indent}const markContacted = ({params}) => contacted.mutate({lead})",
                "{indent}const contacted = useMarkContacted({agent})",
                done=r"\buseMarkContacted\(",
                name="the fetch in markContacted",
            ),
            fetch_block(
                Fetch(
                    url=r"/agent/\$\{(?P<agent>\w+)\}/leads\b",
                    hook="useAgentLeads",
                    args=lambda g: g["agent"],
                    data="data ?? []",
                    var="leadsQuery",
                )
            ),
            loading_states("leadsQuery", "Loading leads…"),
            add_imports(
                [
                    "import { ErrorMessage } from '../../components/ErrorBoundary'",
                    "import { useAgentLeads, useMarkContacted } "
                    "from '../../lib/api/hooks/useAgents'",
                ]
            ),
            drop_unused_react_imports(),
        ]
    ),
}


def _entries(values: dict[str, str]) -> str:
    return "\n".join(f'    "{name}": "{version}",' for name, version in values.items())


def package_patches(web: str) -> list[PatchSpec]:
    package = f"{web}/package.json"

    def how(section: str, values: dict[str, str]) -> str:
        return f'add {", ".join(f"{k}@{v}" for k, v in values.items())} to "{section}" in {package}'

    return [
        PatchSpec(
            package,
            _entries(DEPENDENCIES),
            anchor=r'^\s*"dependencies": \{\s*$',
            manual=how("dependencies", DEPENDENCIES),
        ),
        PatchSpec(
            package,
            _entries(DEV_DEPENDENCIES),
            anchor=r'^\s*"devDependencies": \{\s*$',
            manual=how("devDependencies", DEV_DEPENDENCIES),
        ),
        PatchSpec(
            package,
            _entries(SCRIPTS),
            anchor=r'^\s*"scripts": \{\s*$',
            manual=how("scripts", SCRIPTS),
        ),
    ]


def frontend_generation(repo: Path, web: str = "apps/web") -> Generation:
    web = web.rstrip("/")
    if not (repo / web / "package.json").is_file():
        raise UserError(
            f"{web}/package.json not found in {repo}",
            hint="run in the monorepo whose web app is at paths.web of the roadmap",
        )
    files: list[FileSpec | PatchSpec] = list(render_dir("frontend/files", {}, dest=web))
    for spec in files:
        if isinstance(spec, FileSpec):
            spec.adopt = ADOPTIONS.get(spec.path.removeprefix(f"{web}/"))
    files += package_patches(web)
    return Generation("frontend", {"web": web}, files)


def generation_for(roadmap: Roadmap, repo: Path) -> Generation:
    return frontend_generation(repo, roadmap.paths.get("web", "apps/web"))
