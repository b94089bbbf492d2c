"""The network: a VPC across three availability zones, public and private subnets, NAT gateways
(one per zone in production), and VPC flow logs to CloudWatch."""

from __future__ import annotations

import ipaddress
import json

import pulumi
import pulumi_aws as aws

from propmubi_infra import kms
from propmubi_infra.settings import Settings


class Network(pulumi.ComponentResource):
    def __init__(
        self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("propmubi:infra:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        s = settings
        zones = aws.get_availability_zones(state="available").names[: s.az_count]
        if len(zones) < s.az_count:
            raise ValueError(
                f"the region offers {len(zones)} availability zones; {s.az_count} are needed"
            )
        self.azs = zones
        blocks = list(ipaddress.ip_network(s.vpc_cidr).subnets(new_prefix=20))
        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=s.vpc_cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=s.tags("vpc"),
            opts=child,
        )
        # Take over the VPC's default security group with no rules: it admits nothing.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg", vpc_id=self.vpc.id, tags=s.tags("default-sg-closed"), opts=child
        )
        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=self.vpc.id, tags=s.tags("igw"), opts=child
        )
        self.public_subnets = [
            aws.ec2.Subnet(
                f"{name}-public-{i}",
                vpc_id=self.vpc.id,
                cidr_block=str(blocks[i]),
                availability_zone=az,
                map_public_ip_on_launch=False,
                tags={**s.tags(f"public-{az}"), "kubernetes.io/role/elb": "1", "tier": "public"},
                opts=child,
            )
            for i, az in enumerate(zones)
        ]
        self.private_subnets = [
            aws.ec2.Subnet(
                f"{name}-private-{i}",
                vpc_id=self.vpc.id,
                cidr_block=str(blocks[8 + i]),
                availability_zone=az,
                map_public_ip_on_launch=False,
                tags={
                    **s.tags(f"private-{az}"),
                    "kubernetes.io/role/internal-elb": "1",
                    "tier": "private",
                },
                opts=child,
            )
            for i, az in enumerate(zones)
        ]
        public_rt = aws.ec2.RouteTable(
            f"{name}-public-rt",
            vpc_id=self.vpc.id,
            tags=s.tags("public-rt"),
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
            opts=child,
        )
        for i, subnet in enumerate(self.public_subnets):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-rta-{i}",
                subnet_id=subnet.id,
                route_table_id=public_rt.id,
                opts=child,
            )
        self.nat_gateways = self._nat_gateways(name, s, child)
        for i, subnet in enumerate(self.private_subnets):
            nat = self.nat_gateways[i % len(self.nat_gateways)]
            rt = aws.ec2.RouteTable(
                f"{name}-private-rt-{i}",
                vpc_id=self.vpc.id,
                tags=s.tags(f"private-rt-{i}"),
                routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)],
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-rta-{i}", subnet_id=subnet.id, route_table_id=rt.id, opts=child
            )
        self._flow_logs(name, s, child)
        self.register_outputs({"vpcId": self.vpc.id})

    def _nat_gateways(
        self, name: str, s: Settings, child: pulumi.ResourceOptions
    ) -> list[aws.ec2.NatGateway]:
        count = len(self.public_subnets) if s.nat_gateway_per_az else 1
        gateways = []
        for i in range(count):
            eip = aws.ec2.Eip(
                f"{name}-nat-eip-{i}", domain="vpc", tags=s.tags(f"nat-eip-{i}"), opts=child
            )
            gateways.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{i}",
                    allocation_id=eip.id,
                    subnet_id=self.public_subnets[i].id,
                    tags=s.tags(f"nat-{i}"),
                    opts=child,
                )
            )
        return gateways

    def _flow_logs(self, name: str, s: Settings, child: pulumi.ResourceOptions) -> None:
        region = aws.get_region().region
        logs_key = kms.key(
            f"{name}-logs-key", s, "VPC flow logs", child, service=f"logs.{region}.amazonaws.com"
        )
        group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            retention_in_days=365,
            kms_key_id=logs_key.arn,
            tags=s.tags("flow-logs"),
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            description="VPC flow logs delivery to CloudWatch Logs",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "sts:AssumeRole",
                            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                        }
                    ],
                }
            ),
            tags=s.tags("flow-logs-role"),
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs-policy",
            role=role.id,
            policy=group.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Resource": [arn, f"{arn}:*"],
                                "Action": [
                                    "logs:CreateLogStream",
                                    "logs:PutLogEvents",
                                    "logs:DescribeLogGroups",
                                    "logs:DescribeLogStreams",
                                ],
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags=s.tags("flow-log"),
            opts=child,
        )
