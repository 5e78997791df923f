"""cloudops.fargate.stack_info against moto in this process, with the emulator's Client VPN extension (moto 5.2.5 has
no Client VPN API at all).

Stacks are built with boto3 the way the roles name and tag them; every AWS operation the module calls is recorded, so
that ``layers`` is shown to limit the calls and no run to call anything that changes anything.
"""

from __future__ import annotations

import datetime
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.cloudops.fargate.plugins.module_utils._efs import default_creation_token
from ansible_collections.cloudops.fargate.plugins.module_utils._stack_info import EMPTY_OUTPUTS
from ansible_collections.cloudops.fargate.plugins.module_utils._stack_info import LAYERS
from ansible_collections.cloudops.fargate.plugins.modules import stack_info
from emulator.extensions import ec2_client_vpn
from tests.unit.helpers import wait_until
from tests.unit.plugins.modules.test_documentation import documentation


REGION = "us-east-1"
ZONES = ("a", "b")
NOW = datetime.datetime.now(datetime.UTC)
IDENTIFIER = re.compile(r"^(vpc|subnet|sg|nat|rtb|fs|fsap|cvpn-endpoint)-|^arn:|amazonaws\.com")
ALL_EMPTY = {key: value for layer in LAYERS for key, value in EMPTY_OUTPUTS[layer].items()}

# What each layer may call, by (service, operation): nothing else, and nothing that changes anything.
LAYER_CALLS = {
    "network": {
        ("ec2", "DescribeVpcs"),
        ("ec2", "DescribeSubnets"),
        ("ec2", "DescribeSecurityGroups"),
        ("ec2", "DescribeNatGateways"),
        ("ec2", "DescribeRouteTables"),
    },
    "registry": {("ecr", "DescribeRepositories"), ("ecr", "ListTagsForResource")},
    "storage": {
        ("efs", "DescribeFileSystems"),
        ("efs", "DescribeAccessPoints"),
        ("efs", "DescribeMountTargets"),
        ("ec2", "DescribeClientVpnEndpoints"),
    },
    "loadbalancer": {
        ("elbv2", "DescribeLoadBalancers"),
        ("elbv2", "DescribeTargetGroups"),
        ("elbv2", "DescribeTags"),
        ("elbv2", "DescribeListeners"),
    },
    "fargate": {("ecs", "DescribeClusters"), ("ecs", "ListServices"), ("ecs", "DescribeServices")},
}


# --- certificates for the Client VPN endpoint ---------------------------------------------------------------


def _certificate(common_name, issuer=None, ca=False):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer_name, signing_key = (issuer[0].subject, issuer[1]) if issuer else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False)
    return builder.sign(signing_key, hashes.SHA256()), key


def _pem(certificate):
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


# --- fixtures ----------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def client_vpn_emulated(monkeypatch):
    """The emulator's Client VPN in this process (process-wide, idempotent)."""
    ec2_client_vpn.install()
    monkeypatch.setenv(ec2_client_vpn.DELAY_VARIABLE, "0")


def own_client(aws, service):
    """A boto3 client of the test itself: its calls are not recorded as the module's."""
    client = aws(service)
    client._unit_test_client = True
    return client


@pytest.fixture
def run(aws, run_module, calls):
    """Runs the module against moto; afterwards ``calls`` holds the operations of that run only."""

    def run_stack_info(args, check_mode=False):
        calls.clear()
        result = run_module(stack_info, args, check_mode=check_mode)
        assert not result["failed"], result
        assert result["changed"] is False, result
        return result

    return run_stack_info


@pytest.fixture
def builder(aws):
    return StackBuilder(aws)


class StackBuilder:
    """Builds stacks with boto3 as the roles name and tag them; ``build`` returns what each output should be."""

    def __init__(self, aws):
        self.ec2 = own_client(aws, "ec2")
        self.ecr = own_client(aws, "ecr")
        self.efs = own_client(aws, "efs")
        self.elbv2 = own_client(aws, "elbv2")
        self.ecs = own_client(aws, "ecs")
        self.acm = own_client(aws, "acm")
        self._octet = 0
        self._certificates = None

    @staticmethod
    def identity(stack, environment):
        return {"Stack": stack, "Environment": environment, "ManagedBy": "cloudops.fargate"}

    @staticmethod
    def tag_list(tags, key="Key", value="Value"):
        return [{key: k, value: v} for k, v in tags.items()]

    def spec(self, resource_type, tags):
        return [{"ResourceType": resource_type, "Tags": self.tag_list(tags)}]

    def certificates(self):
        if self._certificates is None:
            ca, ca_key = _certificate("ca.vpn.internal", ca=True)
            server, server_key = _certificate("server.vpn.internal", issuer=(ca, ca_key))
            self._certificates = (
                self.acm.import_certificate(Certificate=_pem(server), PrivateKey=_key_pem(server_key), CertificateChain=_pem(ca))[
                    "CertificateArn"
                ],
                self.acm.import_certificate(Certificate=_pem(ca), PrivateKey=_key_pem(ca_key))["CertificateArn"],
            )
        return self._certificates

    def network(self, stack, environment, tags=None):
        """VPC, a public and a private subnet per zone (created in reverse zone order), security groups, one NAT
        gateway, the route tables."""
        self._octet += 1
        octet = 10 + self._octet
        prefix = f"{stack}-{environment}"
        tags = tags if tags is not None else self.identity(stack, environment)
        vpc = self.ec2.create_vpc(CidrBlock=f"10.{octet}.0.0/16", TagSpecifications=self.spec("vpc", dict(tags, Name=f"{prefix}-vpc")))["Vpc"]
        vpc_id = vpc["VpcId"]
        subnets = {}
        for tier, base in (("private", 128), ("public", 0)):
            for index, zone in reversed(list(enumerate(ZONES))):
                subnets[(tier, zone)] = self.ec2.create_subnet(
                    VpcId=vpc_id,
                    CidrBlock=f"10.{octet}.{base + index * 16}.0/20",
                    AvailabilityZone=f"{REGION}{zone}",
                    TagSpecifications=self.spec("subnet", dict(tags, Name=f"{prefix}-{tier}-{zone}", Tier=tier)),
                )["Subnet"]["SubnetId"]
        groups = {}
        for purpose in ("vpn", "efs", "service", "alb"):
            groups[purpose] = self.ec2.create_security_group(
                GroupName=f"{prefix}-{purpose}",
                Description=purpose,
                VpcId=vpc_id,
                TagSpecifications=self.spec("security-group", dict(tags, Name=f"{prefix}-{purpose}", Purpose=purpose)),
            )["GroupId"]
        allocation = self.ec2.allocate_address(Domain="vpc", TagSpecifications=self.spec("elastic-ip", dict(tags, Name=f"{prefix}-nat-a")))
        nat = self.ec2.create_nat_gateway(
            SubnetId=subnets[("public", "a")],
            AllocationId=allocation["AllocationId"],
            TagSpecifications=self.spec("natgateway", dict(tags, Name=f"{prefix}-nat-a")),
        )["NatGateway"]
        public_ip = self.ec2.describe_nat_gateways(NatGatewayIds=[nat["NatGatewayId"]])["NatGateways"][0]["NatGatewayAddresses"][0]["PublicIp"]
        tables = {}
        for name in ("private-b", "public", "private-a"):
            tables[name] = self.ec2.create_route_table(
                VpcId=vpc_id, TagSpecifications=self.spec("route-table", dict(tags, Name=f"{prefix}-{name}"))
            )["RouteTable"]["RouteTableId"]
        return {
            "vpc_id": vpc_id,
            "subnets": subnets,
            "groups": groups,
            "expected": {
                "network_vpc_id": vpc_id,
                "network_vpc_cidr_block": f"10.{octet}.0.0/16",
                "network_availability_zones": [f"{REGION}{zone}" for zone in ZONES],
                "network_public_subnet_ids": [subnets[("public", zone)] for zone in ZONES],
                "network_private_subnet_ids": [subnets[("private", zone)] for zone in ZONES],
                "network_nat_gateway_ids": [nat["NatGatewayId"]],
                "network_nat_public_ips": [public_ip],
                "network_route_table_ids": {"public": tables["public"], "private": [tables["private-a"], tables["private-b"]]},
                "network_security_group_ids": groups,
            },
        }

    def registry(self, stack, environment, names=("app", "nginx"), tags=None):
        tags = tags if tags is not None else self.identity(stack, environment)
        uris, arns = {}, {}
        for name in names:
            repository = self.ecr.create_repository(repositoryName=f"{stack}-{environment}/{name}", tags=self.tag_list(tags))["repository"]
            uris[name], arns[name] = repository["repositoryUri"], repository["repositoryArn"]
        return {"registry_repository_uris": uris, "registry_repository_arns": arns}

    def storage(self, stack, environment, network, tags=None, release="0123456789abcdef", copied=True):
        """The file system tagged with its release, its mount targets in the private subnets, the config and ui access
        points of an older release and (once ``copied``) of that one, and the Client VPN endpoint."""
        prefix = f"{stack}-{environment}"
        tags = tags if tags is not None else self.identity(stack, environment)
        name = f"{prefix}-static"
        file_system = self.efs.create_file_system(
            CreationToken=default_creation_token(name), Encrypted=True, Tags=self.tag_list(dict(tags, Name=name, Release=release))
        )
        file_system_id = file_system["FileSystemId"]
        mount_targets = []
        for zone in ZONES:
            target = self.efs.create_mount_target(
                FileSystemId=file_system_id, SubnetId=network["subnets"][("private", zone)], SecurityGroups=[network["groups"]["efs"]]
            )
            mount_targets.append(target)
        ids, arns, paths, mountable = {}, {}, {}, []
        for digest in ["fedcba9876543210"] + ([release] if copied else []):
            for purpose in ("config", "ui"):
                path = f"/releases/{digest}/{purpose}"
                point = self.efs.create_access_point(
                    FileSystemId=file_system_id,
                    PosixUser={"Uid": 101, "Gid": 101},
                    RootDirectory={"Path": path, "CreationInfo": {"OwnerUid": 101, "OwnerGid": 101, "Permissions": "0755"}},
                    Tags=self.tag_list(dict(tags, Name=f"{prefix}-{purpose}-{digest}", Purpose=purpose, Release=digest)),
                )
                mountable.append(point["AccessPointArn"])
                if digest == release:
                    ids[purpose], arns[purpose], paths[purpose] = point["AccessPointId"], point["AccessPointArn"], path
        server_arn, client_root_arn = self.certificates()
        endpoint_id = self.ec2.create_client_vpn_endpoint(
            ClientCidrBlock="172.16.0.0/22",
            ServerCertificateArn=server_arn,
            AuthenticationOptions=[
                {"Type": "certificate-authentication", "MutualAuthentication": {"ClientRootCertificateChainArn": client_root_arn}}
            ],
            ConnectionLogOptions={"Enabled": False},
            VpcId=network["vpc_id"],
            SecurityGroupIds=[network["groups"]["vpn"]],
            TagSpecifications=self.spec("client-vpn-endpoint", dict(tags, Name=f"{prefix}-vpn")),
        )["ClientVpnEndpointId"]
        return {
            "storage_file_system_id": file_system_id,
            "storage_file_system_arn": file_system["FileSystemArn"],
            "storage_access_point_ids": ids,
            "storage_access_point_arns": arns,
            "storage_access_point_paths": paths,
            "storage_mountable_access_point_arns": sorted(mountable),
            "storage_release_digest": release,
            "storage_nginx_config_digest": release,
            "storage_mount_instructions": [
                {
                    "availability_zone": target["AvailabilityZoneName"],
                    "mount_target_ip": target["IpAddress"],
                    "command": f"sudo mount -t efs -o tls,mounttargetip={target['IpAddress']} {file_system_id} /mnt/efs",
                }
                for target in sorted(mount_targets, key=lambda t: t["AvailabilityZoneName"])
            ],
            "storage_vpn_endpoint_id": endpoint_id,
        }

    def loadbalancer(self, stack, environment, network, target_groups=("web",), tags=None):
        """The target groups, the ALB in the public subnets and its HTTP listener forwarding to the first group."""
        prefix = f"{stack}-{environment}"
        tags = tags if tags is not None else self.identity(stack, environment)
        arns = {}
        for name in target_groups:
            arns[name] = self.elbv2.create_target_group(
                Name=f"{prefix}-{name}",
                Protocol="HTTP",
                Port=8080,
                VpcId=network["vpc_id"],
                TargetType="ip",
                Tags=self.tag_list(dict(tags, Name=f"{prefix}-{name}")),
            )["TargetGroups"][0]["TargetGroupArn"]
        load_balancer = self.elbv2.create_load_balancer(
            Name=f"{prefix}-alb",
            Subnets=[network["subnets"][("public", zone)] for zone in ZONES],
            SecurityGroups=[network["groups"]["alb"]],
            Scheme="internet-facing",
            Type="application",
            Tags=self.tag_list(dict(tags, Name=f"{prefix}-alb")),
        )["LoadBalancers"][0]
        listener = self.elbv2.create_listener(
            LoadBalancerArn=load_balancer["LoadBalancerArn"],
            Protocol="HTTP",
            Port=80,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": arns[target_groups[0]]}],
        )["Listeners"][0]
        return {
            "loadbalancer_arn": load_balancer["LoadBalancerArn"],
            "loadbalancer_dns_name": load_balancer["DNSName"],
            "loadbalancer_target_group_arns": arns,
            "loadbalancer_listener_arns": {"80": listener["ListenerArn"]},
            "loadbalancer_production_rule_arns": {},
        }

    def fargate(self, stack, environment, network, tags=None):
        """The cluster named after the stack and its web service."""
        prefix = f"{stack}-{environment}"
        tags = tags if tags is not None else self.identity(stack, environment)
        ecs_tags = self.tag_list(tags, "key", "value")
        cluster = self.ecs.create_cluster(clusterName=prefix, tags=ecs_tags)["cluster"]
        definition = self.ecs.register_task_definition(
            family=f"{prefix}-web",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": "nginx", "image": "nginx:1.27", "portMappings": [{"containerPort": 8080}]}],
        )["taskDefinition"]["taskDefinitionArn"]
        service = self.ecs.create_service(
            cluster=prefix,
            serviceName=f"{prefix}-web",
            taskDefinition=definition,
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": [network["subnets"][("private", zone)] for zone in ZONES],
                    "securityGroups": [network["groups"]["service"]],
                }
            },
            tags=ecs_tags,
        )["service"]
        return {
            "fargate_cluster_arn": cluster["clusterArn"],
            "fargate_service_arns": {"web": service["serviceArn"]},
            "fargate_task_definition_arns": {"web": definition},
        }

    def build(self, stack, environment):
        """A whole stack; returns every output as the module should return it."""
        network = self.network(stack, environment)
        expected = dict(network["expected"])
        expected.update(self.registry(stack, environment))
        expected.update(self.storage(stack, environment, network))
        expected.update(self.loadbalancer(stack, environment, network))
        expected.update(self.fargate(stack, environment, network))
        return expected


def args(**extra):
    return dict({"stack": "demo", "environment": "local"}, **extra)


def operations(calls):
    return set(calls)


def assert_read_only(calls):
    allowed = set().union(*LAYER_CALLS.values())
    assert operations(calls) <= allowed, operations(calls) - allowed


def identifiers(outputs):
    """Every resource ID, ARN, URI and DNS name anywhere in the outputs (not the paths, zones or digests that stacks
    share)."""
    if isinstance(outputs, dict):
        return {v for value in outputs.values() for v in identifiers(value)}
    if isinstance(outputs, list):
        return {v for value in outputs for v in identifiers(value)}
    return {outputs} if IDENTIFIER.search(str(outputs)) else set()


# --- an empty account ---------------------------------------------------------------------------------------


def test_empty_account_returns_empty_outputs_and_nothing_found(run, calls):
    result = run(args())
    assert result["outputs"] == ALL_EMPTY
    assert result["found"] == {layer: False for layer in LAYERS}
    assert_read_only(calls)


def test_every_output_the_roles_publish_is_documented_and_returned():
    returned = documentation(stack_info, "RETURN")
    assert set(returned["outputs"]["contains"]) == set(ALL_EMPTY)
    assert set(returned["found"]["contains"]) == set(LAYERS)


# --- a whole stack ------------------------------------------------------------------------------------------


def test_whole_stack_returns_each_output(run, builder, calls):
    expected = builder.build("demo", "local")
    result = run(args())
    assert result["found"] == {layer: True for layer in LAYERS}
    for key, value in expected.items():
        assert result["outputs"][key] == value, key
    assert set(result["outputs"]) == set(ALL_EMPTY)
    assert_read_only(calls)


def test_a_release_without_access_points_yet_gives_none_rather_than_an_older_one(run, builder):
    """The file system names a release whose copy never finished: deploying the older release's access points would
    roll the service back to files the storage layer replaced, so the layer has no access points."""
    network = builder.network("demo", "local")
    expected = builder.storage("demo", "local", network, release="00000000000000aa", copied=False)
    result = run(args(layers=["storage"]))
    assert result["outputs"]["storage_release_digest"] == "00000000000000aa"
    assert result["outputs"]["storage_access_point_ids"] == {} == expected["storage_access_point_ids"]
    assert result["outputs"]["storage_file_system_id"] == expected["storage_file_system_id"]


def test_check_mode_returns_the_same_and_calls_the_same(run, builder, calls):
    builder.build("demo", "local")
    real = run(args())
    real_calls = list(calls)
    checked = run(args(), check_mode=True)
    assert checked["outputs"] == real["outputs"]
    assert checked["found"] == real["found"]
    assert sorted(calls) == sorted(real_calls)
    assert_read_only(calls)


def test_another_stacks_resources_are_never_returned(run, builder):
    theirs = builder.build("demo", "prod")  # same stack, another environment
    other = builder.build("shop", "local")  # another stack, same environment
    result = run(args())
    assert result["outputs"] == ALL_EMPTY
    assert result["found"] == {layer: False for layer in LAYERS}

    ours = builder.build("demo", "local")
    result = run(args())
    assert {key: result["outputs"][key] for key in ours} == ours
    foreign = identifiers(theirs) | identifiers(other)
    assert len(foreign) > 20
    assert not identifiers(result["outputs"]) & foreign


def test_resources_with_the_stacks_names_but_not_its_tags_are_not_its_own(run, builder):
    """Named like demo-local's resources, but not ManagedBy cloudops.fargate: lookups go by tags, never by name alone."""
    tags = {"Stack": "demo", "Environment": "local"}
    network = builder.network("demo", "local", tags=tags)
    builder.registry("demo", "local", tags=tags)
    builder.storage("demo", "local", network, tags=tags)
    builder.loadbalancer("demo", "local", network, tags=tags)
    builder.fargate("demo", "local", network, tags=tags)
    result = run(args())
    assert result["outputs"] == ALL_EMPTY
    assert result["found"] == {layer: False for layer in LAYERS}


def test_a_nat_gateway_of_another_stack_in_the_vpc_is_not_the_stacks(run, builder):
    """NAT gateways are filtered by VPC and state on the server and by tags here."""
    network = builder.network("demo", "local")
    allocation = builder.ec2.allocate_address(Domain="vpc")["AllocationId"]
    builder.ec2.create_nat_gateway(
        SubnetId=network["subnets"][("public", "b")],
        AllocationId=allocation,
        TagSpecifications=builder.spec("natgateway", builder.identity("shop", "local")),
    )
    result = run(args(layers=["network"]))
    assert result["outputs"] == network["expected"]


def test_a_partial_stack_has_empty_outputs_for_what_is_missing(run, builder):
    network = builder.network("demo", "local")
    registry = builder.registry("demo", "local", names=("app",))
    result = run(args())
    assert result["found"] == {"network": True, "registry": True, "storage": False, "loadbalancer": False, "fargate": False}
    assert {key: result["outputs"][key] for key in network["expected"]} == network["expected"]
    assert result["outputs"]["registry_repository_uris"] == registry["registry_repository_uris"]
    for layer in ("storage", "loadbalancer", "fargate"):
        assert {key: result["outputs"][key] for key in EMPTY_OUTPUTS[layer]} == EMPTY_OUTPUTS[layer]


def test_deleted_cluster_and_services_do_not_count(run, builder):
    network = builder.network("demo", "local")
    builder.fargate("demo", "local", network)
    builder.ecs.delete_service(cluster="demo-local", service="demo-local-web", force=True)
    result = run(args(layers=["fargate"]))
    assert result["found"] == {"fargate": True}
    assert result["outputs"]["fargate_service_arns"] == {}
    # With the emulator's ECS lifecycle installed (by an earlier test in this process) the deleted service drains
    # for a moment first, and AWS refuses to delete a cluster that still holds it.

    def deleted() -> bool:
        try:
            builder.ecs.delete_cluster(cluster="demo-local")
        except builder.ecs.exceptions.ClusterContainsServicesException:
            return False
        return True

    wait_until(deleted, "the deleted service finished draining and the cluster was deleted", timeout=30)
    result = run(args(layers=["fargate"]))
    assert result == dict(result, found={"fargate": False}, outputs=EMPTY_OUTPUTS["fargate"])


# --- options ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("layers", [["network"], ["registry"], ["storage"], ["loadbalancer"], ["fargate"], ["fargate", "network"], []])
def test_layers_limit_the_calls_and_the_outputs(run, builder, calls, layers):
    expected = builder.build("demo", "local")
    result = run(args(layers=layers))
    wanted = [layer for layer in LAYERS if layer in layers]
    assert list(result["found"]) == wanted
    assert all(result["found"].values())
    keys = {key for layer in wanted for key in EMPTY_OUTPUTS[layer]}
    assert result["outputs"] == {key: expected[key] for key in keys}
    allowed = set().union(*(LAYER_CALLS[layer] for layer in wanted))
    assert operations(calls) <= allowed, operations(calls) - allowed
    # every layer asked for was read (its first call at least)
    assert {service for service, _operation in calls} == {service for layer in wanted for service, _op in LAYER_CALLS[layer]}


def test_layers_on_an_empty_account_call_only_what_they_need(run, calls):
    result = run(args(layers=["registry"]))
    assert result["found"] == {"registry": False}
    assert result["outputs"] == EMPTY_OUTPUTS["registry"]
    assert operations(calls) == {("ecr", "DescribeRepositories")}


def test_repository_and_target_group_names(run, builder):
    network = builder.network("demo", "local")
    registry = builder.registry("demo", "local", names=("app", "worker"))
    loadbalancer = builder.loadbalancer("demo", "local", network, target_groups=("web", "api"))
    result = run(args(layers=["registry", "loadbalancer"], repository_names=["worker", "missing"], target_group_names=["api", "gone"]))
    assert result["outputs"]["registry_repository_uris"] == {"worker": registry["registry_repository_uris"]["worker"]}
    assert result["outputs"]["registry_repository_arns"] == {"worker": registry["registry_repository_arns"]["worker"]}
    assert result["outputs"]["loadbalancer_target_group_arns"] == {"api": loadbalancer["loadbalancer_target_group_arns"]["api"]}
    assert result["outputs"]["loadbalancer_arn"] == loadbalancer["loadbalancer_arn"]

    result = run(args(layers=["registry", "loadbalancer"], repository_names=[], target_group_names=[]))
    assert result["outputs"]["registry_repository_uris"] == {}
    assert result["outputs"]["loadbalancer_target_group_arns"] == {}
    assert result["found"] == {"registry": False, "loadbalancer": True}


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"stack": "Demo"}, "stack (Demo) must be"),
        ({"stack": "a-very-long-stack"}, "stack (a-very-long-stack) must be"),
        ({"environment": "local-1"}, "environment (local-1) must be"),
        ({"repository_names": ["App"]}, "repository_names: 'App'"),
        ({"target_group_names": ["web_1"]}, "target_group_names: 'web_1'"),
        ({"target_group_names": ["x" * 30]}, "target_group_names: '" + "x" * 30 + "'"),
        ({"layers": ["network", "dns"]}, "dns"),
    ],
)
def test_bad_input_fails_before_any_call(aws, run_module, calls, bad, message):
    result = run_module(stack_info, args(**bad))
    assert result["failed"], result
    assert message in result["msg"]
    assert calls == []


def test_two_vpcs_tagged_as_the_stacks_fail_naming_them(run_module, builder):
    first = builder.network("demo", "local")
    second = builder.network("demo", "local")
    result = run_module(stack_info, args(layers=["network"]))
    assert result["failed"]
    assert first["vpc_id"] in result["msg"] and second["vpc_id"] in result["msg"]
