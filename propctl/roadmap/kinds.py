"""The check kinds a roadmap may name. `propctl.checks` registers one class per kind; a test
keeps the two lists equal, so the roadmap package need not import the checks."""

CHECK_KINDS: tuple[str, ...] = (
    "all",  # every nested check passes
    "any",  # at least one nested check passes
    "path_exists",
    "text",
    "structured",
    "python",
    "asgi",
    "command",
    "coverage",
    "junit",
    "secrets",
    "k8s",
    "workflow",
    "manual",
    "infra_plan",
    "aws",
    "k8s_live",
)

# Kinds that run code from the roadmap on this machine: only a trusted roadmap may use them.
EXECUTING_KINDS: frozenset[str] = frozenset({"command"})

# Kinds that reach a live account or cluster: they run only with `propctl verify --live`.
LIVE_KINDS: frozenset[str] = frozenset({"aws", "k8s_live"})
