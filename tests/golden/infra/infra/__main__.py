"""The Propmubi infrastructure (roadmap Task 13) for one stack: staging or production."""

import pulumi
from propmubi_infra import settings as config
from propmubi_infra.cache import Cache
from propmubi_infra.cluster import Cluster
from propmubi_infra.database import Database
from propmubi_infra.network import Network
from propmubi_infra.security import SecurityGroups

settings = config.load()
network = Network("network", settings)
private_ids = [subnet.id for subnet in network.private_subnets]
groups = SecurityGroups("security", settings, network.vpc)
cluster = Cluster("cluster", settings, private_ids, groups.nodes)
database = Database("database", settings, private_ids, groups.database)
cache = Cache("cache", settings, private_ids, groups.cache, network.azs)

# Endpoints only: the secrets stay in Secrets Manager (their ARNs are safe to show).
pulumi.export("clusterName", cluster.cluster.name)
pulumi.export("clusterEndpoint", cluster.cluster.endpoint)
pulumi.export("databaseEndpoint", database.primary.endpoint)
pulumi.export("databaseReplicaEndpoint", database.replica.endpoint)
pulumi.export("databaseSecretArn", database.secret.arn)
pulumi.export("cacheEndpoint", cache.group.primary_endpoint_address)
pulumi.export("cacheAuthSecretArn", cache.secret.arn)
