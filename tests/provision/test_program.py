"""The Pulumi program in infra/, run under propctl's mocks: every policy holds on both stacks
(production-only ones skip on staging), broken configurations fail exactly the matching
policies, and the mocks answer what the program asks (availability zones, computed fields)."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from propctl.provision.plan import Plan
from propctl.provision.policies import POLICIES, evaluate
from tests.provision.planning import STACKS, planned, write_program

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
