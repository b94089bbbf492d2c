"""The Pulumi program in infra/, run under propctl's mocks: every policy holds on both stacks
(production-only ones skip on staging), broken configurations fail exactly the matching
policies, and the mocks answer what the program asks (availability zones, computed fields)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pulumi
import pytest

from propctl.errors import UserError
from propctl.provision.plan import Plan, plan
from propctl.provision.policies import POLICIES, evaluate
from tests.provision.planning import STACKS, bundled, planned, write_program

PRODUCTION_ONLY = {"database-instance-class", "database-deletion-protection"}


def _statuses(plan: Plan) -> dict[str, str]:
    return {o.name: o.status for o in evaluate(plan)}


@pytest.mark.parametrize("stack", STACKS)
@pulumi.runtime.test
def test_every_policy_holds_on_both_stacks(stack: str) -> pulumi.Output[None]:
    def check(plan: Plan) -> None:
        outcomes = evaluate(plan)
        assert [o.name for o in outcomes] == list(POLICIES)
        failed = {o.name: o.message for o in outcomes if o.status == "fail"}
        assert failed == {}
        skipped = {o.name for o in outcomes if o.status == "skip"}
        assert skipped == (set() if stack == "production" else PRODUCTION_ONLY)

    return planned(stack, check)


BROKEN = [  # (stack, config overrides, the policies that must fail - and only those)
    ("production", {"dbPubliclyAccessible": True}, {"database-not-public"}),
    ("staging", {"dbPubliclyAccessible": True}, {"database-not-public"}),
    ("production", {"dbBackupRetentionDays": 7}, {"database-backups-30d"}),
    (
        "production",
        {"dbPubliclyAccessible": True, "dbBackupRetentionDays": 7},
        {"database-not-public", "database-backups-30d"},
    ),
    ("production", {"dbInstanceClass": "db.t4g.large"}, {"database-instance-class"}),
    ("production", {"deletionProtection": False}, {"database-deletion-protection"}),
    ("staging", {"publicAccessCidrs": ["0.0.0.0/0"]}, {"cluster-private-endpoint"}),
    ("production", {"nodeMaxSize": 6}, {"cluster-node-scaling"}),
    ("production", {"cacheNodes": 2}, {"cache-three-nodes"}),
    # 0 is a value, not "unset": it must not become the default (and pass the policy)
    ("staging", {"nodeMinSize": 0}, {"cluster-node-scaling"}),
    ("production", {"nodeMaxSize": 0}, {"cluster-node-scaling"}),
    ("production", {"cacheSnapshotRetentionDays": 0}, {"cache-backups"}),
    # what AWS would refuse, and what leaves the platform unusable
    ("production", {"clusterVersion": "1.31"}, {"versions-in-support"}),
    ("staging", {"clusterVersion": "1.34"}, {"versions-in-support"}),  # ends on DATE
    ("production", {"adminRoleName": ""}, {"cluster-access-entries"}),
    ("staging", {"githubRepository": ""}, {"cluster-access-entries", "iam-github-trust-scoped"}),
    ("production", {"githubRepository": "*"}, {"iam-github-trust-scoped"}),
    ("production", {"monthlyBudgetUsd": 0}, {"monitoring-budget"}),
    ("production", {"cacheNodes": 1}, {"cache-three-nodes", "arguments-accepted"}),
]


@pytest.mark.parametrize(
    ("stack", "overrides", "expected"), BROKEN, ids=[f"{s}-{'-'.join(o)}" for s, o, _ in BROKEN]
)
@pulumi.runtime.test
def test_a_broken_config_fails_the_matching_policy(
    stack: str, overrides: dict, expected: set[str]
) -> pulumi.Output[None]:
    def check(plan: Plan) -> None:
        failed = {name for name, status in _statuses(plan).items() if status == "fail"}
        assert failed == expected

    return planned(stack, check, overrides=overrides)


@pulumi.runtime.test
def test_the_message_names_what_is_wrong() -> pulumi.Output[None]:
    def check(plan: Plan) -> None:
        outcome = next(o for o in evaluate(plan, ["database-backups-30d"]))
        assert outcome.status == "fail"
        assert (
            "database-primary" in outcome.message and "backupRetentionPeriod=7" in outcome.message
        )

    return planned("production", check, overrides={"dbBackupRetentionDays": 7})


@pulumi.runtime.test
def test_three_zones_from_the_mocked_data_source() -> pulumi.Output[None]:
    def check(plan: Plan) -> None:
        zones = sorted(
            {s.inputs["availabilityZone"] for s in plan.of_type("aws:ec2/subnet:Subnet")}
        )
        assert zones == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
        redis = plan.of_type("aws:elasticache/replicationGroup:ReplicationGroup")[0]
        assert redis.inputs["preferredCacheClusterAzs"] == zones

    return planned("production", check)


@pulumi.runtime.test
def test_computed_fields_reach_dependent_resources() -> pulumi.Output[None]:
    def check(plan: Plan) -> None:
        oidc = plan.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")[0]
        assert oidc.inputs["url"].startswith("https://oidc.eks.eu-west-1.amazonaws.com/id/")
        replica = next(
            r
            for r in plan.of_type("aws:rds/instance:Instance")
            if r.inputs.get("replicateSourceDb")
        )
        assert replica.inputs["replicateSourceDb"] == "propmubi-production-db"
        template = plan.of_type("aws:ec2/launchTemplate:LaunchTemplate")[0]
        assert template.inputs["vpcSecurityGroupIds"][0].startswith("sg-eks-")

    return planned("production", check)


@pulumi.runtime.test
def test_secrets_never_appear_in_the_plan_or_the_outputs() -> pulumi.Output[None]:
    def check(plan: Plan) -> None:
        text = str(plan.as_json())
        assert "mock-" not in text  # the mocked RandomPassword results
        primary = next(
            r
            for r in plan.of_type("aws:rds/instance:Instance")
            if not r.inputs.get("replicateSourceDb")
        )
        assert primary.inputs["password"] == "[secret]"
        assert "manageMasterUserPassword" not in primary.inputs
        assert set(plan.outputs) >= {
            "clusterName",
            "clusterEndpoint",
            "databaseEndpoint",
            "databaseReplicaEndpoint",
            "cacheEndpoint",
        }
        assert plan.leaked_outputs == []

    return planned("production", check)


def test_an_assertion_inside_a_planned_check_fails_the_test() -> None:
    """The helper is not a test that passes silently: a failing check propagates."""

    def check(plan: Plan) -> None:
        raise AssertionError("seen")

    @pulumi.runtime.test
    def failing() -> pulumi.Output[None]:
        return planned("staging", check)

    with pytest.raises(AssertionError, match="seen"):
        failing()


@pulumi.runtime.test
def test_an_output_holding_a_secret_fails_outputs_no_secrets(tmp_path: Path) -> pulumi.Output[None]:
    program = write_program(
        tmp_path / "leaky",
        (
            "import pulumi, pulumi_random as random\n"
            "pw = random.RandomPassword('pw', length=20)\n"
            "pulumi.export('password', pw.result)\n"
            "pulumi.export('name', 'ok')\n"
        ),
    )

    def check(plan: Plan) -> None:
        assert plan.leaked_outputs == ["password"]
        assert plan.outputs["password"] == "[secret]"
        outcome = evaluate(plan, ["outputs-no-secrets"])[0]
        assert outcome.status == "fail" and "password" in outcome.message

    return planned("dev", check, program=program)


@pulumi.runtime.test
def test_an_empty_program_fails_every_resource_policy(tmp_path: Path) -> pulumi.Output[None]:
    program = write_program(tmp_path / "empty", "import pulumi\n")

    def check(plan: Plan) -> None:
        statuses = _statuses(plan)
        assert statuses.pop("outputs-no-secrets") == "pass"
        assert {n for n, s in statuses.items() if s == "skip"} == PRODUCTION_ONLY  # stack dev
        assert {s for n, s in statuses.items() if n not in PRODUCTION_ONLY} == {"fail"}

    return planned("dev", check, program=program)


@pytest.mark.parametrize(
    ("day", "version"),
    [(dt.date(2026, 1, 26), "1.34"), (dt.date(2026, 12, 2), "1.35")],
)
@pulumi.runtime.test
def test_the_cluster_version_is_the_newest_in_standard_support_that_day(
    day: dt.date, version: str
) -> pulumi.Output[None]:
    def check(plan: Plan) -> None:
        (cluster,) = plan.of_type("aws:eks/cluster:Cluster")
        assert cluster.inputs["version"] == version
        assert plan.date == day.isoformat()
        assert {o.name: o.status for o in evaluate(plan)}["versions-in-support"] == "pass"

    return planned("production", check, date=day)


def test_a_run_when_no_version_is_in_support_stops_with_what_to_do() -> None:
    with pytest.raises(UserError, match="no EKS version in versions.yaml is in standard support"):
        plan(bundled(), "production", isolated=True, date=dt.date(2027, 3, 27))


def test_a_pinned_version_is_judged_on_the_plans_date_not_the_stack_files() -> None:
    """`propctl:date` in a stack file cannot move the day the plan is judged on."""
    judged = plan(
        bundled(),
        "staging",
        {"propctl:date": "2026-01-01", "clusterVersion": "1.34"},
        isolated=True,
        date=dt.date(2026, 12, 2),
    )
    assert judged.date == "2026-12-02"
    outcome = evaluate(judged, ["versions-in-support"])[0]
    assert outcome.status == "fail" and "eks 1.34" in outcome.message


@pulumi.runtime.test
def test_postgres_pins_the_major_only_and_the_replica_sets_no_backups() -> None:
    def check(plan: Plan) -> None:
        primary, replica = sorted(
            plan.of_type("aws:rds/instance:Instance"), key=lambda r: r.name
        )  # database-primary, database-replica
        assert primary.inputs["engineVersion"] == "16"
        assert primary.inputs["autoMinorVersionUpgrade"] is True
        assert "backupRetentionPeriod" not in replica.inputs
        (params,) = plan.of_type("aws:rds/parameterGroup:ParameterGroup")
        assert params.inputs["family"] == "postgres16"

    return planned("production", check)


@pulumi.runtime.test
def test_every_kms_alias_has_its_own_name() -> None:
    def check(plan: Plan) -> None:
        names = [a.inputs["name"] for a in plan.of_type("aws:kms/alias:Alias")]
        assert len(names) == len(set(names)) == len(plan.of_type("aws:kms/key:Key"))
        assert "alias/propmubi-production-database-key" in names
        assert "alias/propmubi-production-cache-key" in names

    return planned("production", check)


@pulumi.runtime.test
def test_an_ecr_repository_for_every_roadmap_service_and_its_worker() -> None:
    from propctl.resources import bundled_roadmap
    from propctl.roadmap.loader import load_roadmap

    services = [s.name for s in load_roadmap(bundled_roadmap()).services]

    def check(plan: Plan) -> None:
        names = {r.inputs["name"] for r in plan.of_type("aws:ecr/repository:Repository")}
        assert names == {
            f"propmubi-staging-{s}{suffix}" for s in services for suffix in ("", "-events-worker")
        }

    return planned("staging", check)


@pulumi.runtime.test
def test_stack_config_tags_reach_every_tagged_resource() -> None:
    def check(plan: Plan) -> None:
        tagged = [r for r in plan.resources if "tags" in r.inputs]
        assert len(tagged) > 50
        for r in tagged:
            assert r.inputs["tags"]["cost-center"] == "platform", r.name
            assert r.inputs["tags"]["environment"] == "production", r.name

    return planned("production", check)


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ({"environment": "dev"}, "sets environment: the program sets those itself"),
        ({"aws:created": "x"}, "invalid tag key"),
        (["not", "a", "mapping"], "must be a mapping"),
    ],
)
def test_bad_stack_tags_stop_the_plan_naming_the_key(tags: object, message: str) -> None:
    with pytest.raises(UserError, match=message):
        plan(bundled(), "production", {"tags": tags}, isolated=True)
