"""The Terraform plan JSON export: Terraform type and attribute names, blocks as lists,
redacted secrets flagged sensitive, references between resources."""

from __future__ import annotations

import json

import pytest

from propctl.provision.plan import Plan, PlannedResource, plan
from propctl.provision.tfplan import attribute, export, terraform_type
from tests.provision.planning import DATE, bundled


@pytest.fixture(scope="module")
def production() -> Plan:
    return plan(bundled(), "production", isolated=True, date=DATE)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("aws:rds/instance:Instance", "aws_db_instance"),
        ("aws:rds/parameterGroup:ParameterGroup", "aws_db_parameter_group"),
        ("aws:eks/cluster:Cluster", "aws_eks_cluster"),
        ("aws:eks/nodeGroup:NodeGroup", "aws_eks_node_group"),
        ("aws:elasticache/replicationGroup:ReplicationGroup", "aws_elasticache_replication_group"),
        ("aws:ec2/securityGroup:SecurityGroup", "aws_security_group"),
        ("aws:ec2/vpc:Vpc", "aws_vpc"),
        ("aws:ec2/flowLog:FlowLog", "aws_flow_log"),
        ("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws_iam_openid_connect_provider"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws_iam_role_policy_attachment"),
        ("aws:cloudwatch/logGroup:LogGroup", "aws_cloudwatch_log_group"),
        ("aws:kms/key:Key", "aws_kms_key"),
        ("aws:secretsmanager/secretVersion:SecretVersion", "aws_secretsmanager_secret_version"),
        (
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "aws_vpc_security_group_ingress_rule",
        ),
        ("random:index/randomPassword:RandomPassword", "random_password"),
    ],
)
def test_terraform_type_names(token: str, expected: str) -> None:
    assert terraform_type(token) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("backupRetentionPeriod", "backup_retention_period"),
        ("multiAz", "multi_az"),
        ("parameters", "parameter"),
        ("clientIdLists", "client_id_list"),
        ("tags", "tags"),
        ("vpcSecurityGroupIds", "vpc_security_group_ids"),
    ],
)
def test_attribute_names(name: str, expected: str) -> None:
    assert attribute(name) == expected


def _resource(doc: dict, kind: str) -> dict:
    return next(r for r in doc["planned_values"]["root_module"]["resources"] if r["type"] == kind)


def test_the_shape_terraform_writes(production: Plan) -> None:
    doc = export(production)
    resources = doc["planned_values"]["root_module"]["resources"]
    assert len(resources) == len(production.resources) == len(doc["resource_changes"])
    db = _resource(doc, "aws_db_instance")
    assert db["address"] == "aws_db_instance.database_primary" and db["mode"] == "managed"
    assert db["values"]["instance_class"] == "db.r6g.xlarge"
    assert db["values"]["backup_retention_period"] == 30
    cluster = _resource(doc, "aws_eks_cluster")["values"]
    assert cluster["vpc_config"][0]["endpoint_private_access"] is True  # a block: a list
    assert cluster["encryption_config"][0]["provider"][0]["key_arn"].startswith("arn:aws:kms")
    assert cluster["tags"]["environment"] == "production"  # a map stays a map
    params = _resource(doc, "aws_db_parameter_group")["values"]["parameter"]
    assert {"name": "rds.force_ssl", "value": "1", "apply_method": "pending-reboot"} in params
    assert len({r["address"] for r in resources}) == len(resources)


def test_secrets_stay_redacted_and_are_flagged_sensitive(production: Plan) -> None:
    doc = export(production)
    assert "mock-" not in json.dumps(doc)
    db = _resource(doc, "aws_db_instance")
    assert db["values"]["password"] == "[secret]"
    assert db["sensitive_values"] == {"password": True}
    redis = _resource(doc, "aws_elasticache_replication_group")
    assert redis["sensitive_values"] == {"auth_token": True}


def test_references_connect_resources(production: Plan) -> None:
    config = {
        r["address"]: r for r in export(production)["configuration"]["root_module"]["resources"]
    }
    db = config["aws_db_instance.database_primary"]["expressions"]
    assert "aws_db_parameter_group.database_params" in db["parameter_group_name"]["references"]
    assert any(
        ref.startswith("aws_security_group.security_database")
        for ref in db["vpc_security_group_ids"]["references"]
    )
    nodes = config["aws_eks_node_group.cluster_nodes"]["expressions"]
    assert (
        nodes["launch_template"][0]["id"]["references"][1] == "aws_launch_template.cluster_nodes_lt"
    )


def test_a_hand_made_plan_exports() -> None:
    tiny = Plan(
        "dev",
        "p",
        "/x",
        [
            PlannedResource(
                "urn:1",
                "aws:ec2/securityGroup:SecurityGroup",
                "web sg",
                "sg-1",
                {"ingress": [{"cidrBlocks": ["0.0.0.0/0"], "fromPort": 443}]},
            )
        ],
    )
    sg = _resource(export(tiny), "aws_security_group")
    assert sg["name"] == "web_sg"
    assert sg["values"]["ingress"] == [{"cidr_blocks": ["0.0.0.0/0"], "from_port": 443}]


def test_ecr_encryption_and_budget_notifications_are_terraform_blocks(production: Plan) -> None:
    """checkov reads `encryption_configuration[0].encryption_type` (CKV_AWS_136) and a budget's
    `notification` blocks: Pulumi's plural list names must come back as Terraform's."""
    doc = export(production)
    values = {r["address"]: r["values"] for r in doc["planned_values"]["root_module"]["resources"]}
    repo = values["aws_ecr_repository.registry_auth"]
    assert repo["encryption_configuration"][0]["encryption_type"] == "KMS"
    assert repo["image_scanning_configuration"] == [{"scan_on_push": True}]
    (budget,) = [v for a, v in values.items() if a.startswith("aws_budgets_budget.")]
    assert {n["notification_type"] for n in budget["notification"]} == {"FORECASTED", "ACTUAL"}
