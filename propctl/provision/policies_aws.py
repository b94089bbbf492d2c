"""Policies for what AWS itself would reject (issue 15, item 2): two resources with one physical
name, a version out of standard support on the day of the run, and argument combinations the
APIs refuse. Registered into `policies.POLICIES` when that module loads."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from propctl.provision.plan import Plan, PlannedResource
from propctl.provision.policies import EKS, RDS, REDIS, Verdict, policy

if TYPE_CHECKING:
    from propctl.provision.support import SupportTable

ADDON = "aws:eks/addon:Addon"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
ACCESS_POLICY = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
# Where a type's physical name lives, and what it is unique within (an empty scope: the
# account and region). Types not listed use `name`; an unset name is Pulumi's autoname.
NAME_FIELDS: dict[str, tuple[str, ...]] = {
    RDS: ("identifier",),
    REDIS: ("replicationGroupId",),
    ADDON: ("clusterName", "addonName"),
    ACCESS_ENTRY: ("clusterName", "principalArn"),
    ACCESS_POLICY: ("clusterName", "principalArn", "policyArn"),
    ROLE_POLICY: ("role", "name"),
}


def _physical(r: PlannedResource) -> tuple[str, ...] | None:
    fields = NAME_FIELDS.get(r.type, ("name",))
    values = tuple(str(r.get(f, default="")) for f in fields)
    return values if all(values) else None


@policy("names-unique", "physical names unique per resource type (AWS refuses the second)")
def _names_unique(plan: Plan) -> Verdict:
    seen: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for r in plan.resources:
        physical = _physical(r)
        if physical is not None:
            seen[(r.type, physical)].append(r.name)
    clashes = [
        f"{kind.split(':')[-1]} {' / '.join(name)}: {', '.join(names)}"
        for (kind, name), names in sorted(seen.items())
        if len(names) > 1
    ]
    if not plan.resources:
        return False, "no resources in the plan"
    if clashes:
        return False, "one physical name, several resources: " + "; ".join(clashes)
    return True, f"{len(seen)} physical names, each used once"


# ---- versions in support --------------------------------------------------------------------


def _major_only(version: str) -> bool:
    return re.fullmatch(r"\d+", version) is not None


@policy(
    "versions-in-support",
    "EKS, PostgreSQL and Redis versions in standard support on the run's date (versions.yaml)",
)
def _versions(plan: Plan) -> Verdict:
    from propctl.provision.support import bundled_table

    table = bundled_table()
    day = dt.date.fromisoformat(plan.date)
    if table.stale_on(day):
        return False, (
            f"the support table {table.path.name} was checked on {table.checked}, more than "
            f"{table.valid_for_days} days before {day}: its dates prove nothing now; compare it "
            "with the release calendars it links and update it"
        )
    subjects = _versioned(plan)
    if not subjects:
        return False, "no EKS cluster, RDS primary or Redis group in the plan"
    problems = [
        p for r, engine, version in subjects if (p := _judge(table, engine, r, version, day))
    ]
    if problems:
        return False, "; ".join(problems)
    shown = ", ".join(f"{r.name} {engine} {version}" for r, engine, version in subjects)
    return True, f"in standard support on {day}: {shown}"


def _versioned(plan: Plan) -> list[tuple[PlannedResource, str, str]]:
    found = [(r, "eks", str(r.get("version", default=""))) for r in plan.of_type(EKS)]
    found += [
        (r, "postgres", str(r.get("engineVersion", default="")))
        for r in plan.of_type(RDS)
        if not r.get("replicateSourceDb")
    ]
    found += [(r, "redis", str(r.get("engineVersion", default=""))) for r in plan.of_type(REDIS)]
    return found


def _judge(table: SupportTable, engine: str, r: PlannedResource, version: str, day: dt.date) -> str:
    if not version:
        return f"{r.name}: no {engine} version set (AWS would pick one the table cannot vouch for)"
    if engine == "postgres":
        if r.get("engine") != "postgres":
            return f"{r.name}: engine {r.get('engine')!r} is not in the support table"
        if not _major_only(version):
            return (
                f"{r.name}: engineVersion {version!r} pins a minor version; pin only the major "
                f"({version.split('.')[0]!r}): RDS upgrades minors itself and the pin drifts"
            )
    window = table.window(engine, version)
    if window is None:
        known = ", ".join(table.engines[engine]) or "none"
        return f"{r.name}: {engine} {version} is not in the support table (known: {known})"
    if not window.in_standard_support(day):
        when = (
            f"released {window.released}"
            if day < window.released
            else f"standard support ended {window.standard_support_end}"
        )
        return f"{r.name}: {engine} {version} is not in standard support on {day} ({when})"
    return ""


# ---- argument combinations --------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """An argument combination an AWS API refuses, judged on every resource of `type`."""

    type: str
    applies: Callable[[PlannedResource, Plan], bool]
    broken: Callable[[PlannedResource, Plan], bool]
    why: str


def _replica(r: PlannedResource, plan: Plan) -> bool:
    return bool(r.get("replicateSourceDb"))


def _primary(r: PlannedResource, plan: Plan) -> bool:
    return not r.get("replicateSourceDb")


def _has_replica(r: PlannedResource, plan: Plan) -> bool:
    names = {r.id, r.get("identifier")} - {None}
    return any(x.get("replicateSourceDb") in names for x in plan.of_type(RDS))


def _cluster_mode(r: PlannedResource) -> bool:
    return (r.get("numNodeGroups") or 1) > 1 or r.get("clusterMode") == "enabled"


def _minutes(text: str) -> tuple[int, int] | None:
    """`hh:mm-hh:mm` or `ddd:hh:mm-ddd:hh:mm` -> (start, end) minutes of the day."""
    found = re.fullmatch(r"(?:\w{3}:)?(\d\d):(\d\d)-(?:\w{3}:)?(\d\d):(\d\d)", text or "")
    if not found:
        return None
    h1, m1, h2, m2 = (int(x) for x in found.groups())
    return h1 * 60 + m1, h2 * 60 + m2


def _windows_overlap(r: PlannedResource, plan: Plan) -> bool:
    # The backup window is daily, so it meets the weekly maintenance window on that day
    # whenever their times of day intersect.
    backup = _minutes(str(r.get("backupWindow", default="")))
    maint = _minutes(str(r.get("maintenanceWindow", default="")))
    if not backup or not maint:
        return False

    def spans(a: tuple[int, int]) -> list[tuple[int, int]]:
        return [a] if a[0] < a[1] else [(a[0], 1440), (0, a[1])]

    return any(s1 < e2 and s2 < e1 for s1, e1 in spans(backup) for s2, e2 in spans(maint))


PI_RETENTION = {7, 731} | {31 * n for n in range(1, 24)}
MONITORING_INTERVALS = {0, 1, 5, 10, 15, 30, 60}
RULES = [
    Rule(
        RDS,
        _replica,
        lambda r, p: (r.get("backupRetentionPeriod") or 0) > 0,
        "backupRetentionPeriod is set on a read replica: RDS for PostgreSQL read replicas do "
        "not support automated backups; leave it unset",
    ),
    Rule(
        RDS,
        _replica,
        lambda r, p: any(
            r.get(k) is not None
            for k in ("username", "password", "dbName", "manageMasterUserPassword")
        ),
        "a read replica takes its user, password and database from the source "
        "(CreateDBInstanceReadReplica has no such parameters)",
    ),
    Rule(
        RDS,
        _has_replica,
        lambda r, p: (r.get("backupRetentionPeriod") or 0) < 1,
        "the source of a read replica needs automated backups (backupRetentionPeriod >= 1)",
    ),
    Rule(
        RDS,
        _primary,
        lambda r, p: not 0 <= (r.get("backupRetentionPeriod") or 0) <= 35,
        "backupRetentionPeriod must be 0-35 days",
    ),
    Rule(
        RDS,
        lambda r, p: bool(r.get("performanceInsightsEnabled")),
        lambda r, p: (r.get("performanceInsightsRetentionPeriod") or 7) not in PI_RETENTION,
        "performanceInsightsRetentionPeriod must be 7, 31 x 1-23 months, or 731 days",
    ),
    Rule(
        RDS,
        lambda r, p: True,
        lambda r, p: (
            (r.get("monitoringInterval") or 0) not in MONITORING_INTERVALS
            or ((r.get("monitoringInterval") or 0) > 0 and not r.get("monitoringRoleArn"))
        ),
        "monitoringInterval must be 0, 1, 5, 10, 15, 30 or 60, and above 0 needs a "
        "monitoringRoleArn",
    ),
    Rule(
        RDS,
        _primary,
        lambda r, p: (
            r.get("maxAllocatedStorage") is not None
            and r.get("maxAllocatedStorage") <= (r.get("allocatedStorage") or 0)
        ),
        "maxAllocatedStorage must exceed allocatedStorage (storage autoscaling)",
    ),
    Rule(
        RDS,
        _primary,
        lambda r, p: not r.get("skipFinalSnapshot") and not r.get("finalSnapshotIdentifier"),
        "without skipFinalSnapshot a finalSnapshotIdentifier is required to delete it",
    ),
    Rule(
        RDS,
        _primary,
        _windows_overlap,
        "backupWindow and maintenanceWindow overlap (AWS refuses overlapping windows)",
    ),
    Rule(
        REDIS,
        lambda r, p: bool(r.get("multiAzEnabled")),
        lambda r, p: (
            not r.get("automaticFailoverEnabled")
            or (not _cluster_mode(r) and (r.get("numCacheClusters") or 1) < 2)
        ),
        "multiAzEnabled needs automaticFailoverEnabled and at least one replica",
    ),
    Rule(
        REDIS,
        lambda r, p: bool(r.get("automaticFailoverEnabled")),
        lambda r, p: not _cluster_mode(r) and (r.get("numCacheClusters") or 1) < 2,
        "automaticFailoverEnabled needs at least 2 cache clusters (a primary and a replica)",
    ),
    Rule(
        REDIS,
        lambda r, p: _cluster_mode(r),
        lambda r, p: (
            not r.get("automaticFailoverEnabled")
            or r.get("numCacheClusters") is not None
            or r.get("preferredCacheClusterAzs") is not None
        ),
        "cluster mode (numNodeGroups > 1) needs automaticFailoverEnabled and takes neither "
        "numCacheClusters nor preferredCacheClusterAzs",
    ),
    Rule(
        REDIS,
        lambda r, p: r.get("authToken") is not None,
        lambda r, p: not r.get("transitEncryptionEnabled"),
        "authToken needs transitEncryptionEnabled",
    ),
    Rule(
        REDIS,
        lambda r, p: r.get("preferredCacheClusterAzs") is not None,
        lambda r, p: len(r.get("preferredCacheClusterAzs")) != (r.get("numCacheClusters") or 1),
        "preferredCacheClusterAzs must name one zone per cache cluster (numCacheClusters)",
    ),
    Rule(
        REDIS,
        lambda r, p: bool(r.get("kmsKeyId")),
        lambda r, p: r.get("atRestEncryptionEnabled") not in (True, "true"),
        "kmsKeyId needs atRestEncryptionEnabled",
    ),
    Rule(
        EKS,
        lambda r, p: bool(p.of_type(ACCESS_ENTRY)),
        lambda r, p: r.get("accessConfig", "bootstrapClusterCreatorAdminPermissions") is not False,
        "explicit access entries beside the creator's implicit one: an entry for the role that "
        "creates the cluster fails (ResourceInUseException); set "
        "bootstrapClusterCreatorAdminPermissions false and grant every role explicitly",
    ),
    Rule(
        ACCESS_POLICY,
        lambda r, p: r.get("accessScope", "type") == "namespace",
        lambda r, p: not r.get("accessScope", "namespaces"),
        "a namespace access scope needs at least one namespace",
    ),
]


@policy("arguments-accepted", "argument combinations the AWS APIs accept (replica, Redis, RDS)")
def _arguments(plan: Plan) -> Verdict:
    judged, problems = 0, []
    for rule in RULES:
        for r in plan.of_type(rule.type):
            if rule.applies(r, plan):
                judged += 1
                if rule.broken(r, plan):
                    problems.append(f"{r.name}: {rule.why}")
    if not plan.of_type(RDS) and not plan.of_type(REDIS):
        return False, "no RDS instance or Redis group in the plan"
    if problems:
        return False, "; ".join(problems)
    return True, f"{judged} argument rules judged, none broken"
