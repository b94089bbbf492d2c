"""The Propmubi infrastructure (roadmap Task 13) for one stack: staging or production."""

import pulumi
from propmubi_infra import access, alarms
from propmubi_infra import settings as config
from propmubi_infra.alerts import Alerts
from propmubi_infra.cache import Cache
from propmubi_infra.cluster import Cluster
from propmubi_infra.database import Database
from propmubi_infra.network import Network
from propmubi_infra.registry import Registry
from propmubi_infra.security import SecurityGroups

settings = config.load()
network = Network("network", settings)
private_ids = [subnet.id for subnet in network.private_subnets]
groups = SecurityGroups("security", settings, network.vpc)
cluster = Cluster("cluster", settings, private_ids, groups.nodes)
database = Database("database", settings, private_ids, groups.database, groups.rotation)
cache = Cache("cache", settings, private_ids, groups.cache, network.azs)
registry = Registry("registry", settings)
deploy_role = access.grant(
    "access", settings, cluster.cluster, registry.repositories, pulumi.ResourceOptions()
)
alerts = Alerts("alerts", settings)
alarms.database(
    "alarm-db-primary", settings, database.primary, False, alerts.topic, pulumi.ResourceOptions()
)
alarms.database(
    "alarm-db-replica", settings, database.replica, True, alerts.topic, pulumi.ResourceOptions()
)
alarms.cache("alarm-cache", settings, cache.group, alerts.topic, pulumi.ResourceOptions())

# Endpoints and names only: the secrets stay in Secrets Manager (their ARNs are safe to show).
pulumi.export("clusterName", cluster.cluster.name)
pulumi.export("clusterEndpoint", cluster.cluster.endpoint)
pulumi.export("clusterVersion", cluster.cluster.version)
pulumi.export("databaseEndpoint", database.primary.endpoint)
pulumi.export("databaseReplicaEndpoint", database.replica.endpoint)
pulumi.export("databaseSecretArn", database.secret.arn)
pulumi.export("cacheEndpoint", cache.group.primary_endpoint_address)
pulumi.export("cacheAuthSecretArn", cache.secret.arn)
pulumi.export("ecrRepositories", registry.urls)
pulumi.export("deployRoleArn", deploy_role.arn if deploy_role else None)
pulumi.export("ebsCsiRoleArn", cluster.irsa_roles["ebs-csi"].arn)
pulumi.export("loadBalancerControllerRoleArn", cluster.irsa_roles["lb-controller"].arn)
pulumi.export("alertTopicArn", alerts.topic.arn)
