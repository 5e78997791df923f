"""The pure helpers of cloudops.fargate.stack_info: the lookup its options describe, tags, and each layer's outputs
from AWS's descriptions (the manager is run against moto in tests/unit/plugins/modules/test_stack_info.py)."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import default_creation_token
from ansible_collections.cloudops.fargate.plugins.module_utils import _stack_info as si

PREFIX = "demo-local"
IDENTITY = {"Stack": "demo", "Environment": "local", "ManagedBy": "cloudops.fargate"}


def tags(**values):
    return [{"Key": key, "Value": value} for key, value in values.items()]


def params(**extra):
    base = {
        "stack": "demo",
        "environment": "local",
        "layers": list(si.LAYERS),
        "repository_names": ["app", "nginx"],
        "target_group_names": ["web"],
    }
    return dict(base, **extra)


# --- the lookup ----------------------------------------------------------------------------------------------


def test_lookup_of_the_defaults():
    assert si.wanted_lookup(params()) == {
        "stack": "demo",
        "environment": "local",
        "prefix": PREFIX,
        "identity": IDENTITY,
        "layers": list(si.LAYERS),
        "repository_names": ["app", "nginx"],
        "target_group_names": ["web"],
    }


@pytest.mark.parametrize(
    "layers, expected",
    [
        (["fargate", "network"], ["network", "fargate"]),  # dependency order
        (["storage", "storage"], ["storage"]),  # once each
        ([], []),
        (None, list(si.LAYERS)),  # not given: all
    ],
)
def test_lookup_layers(layers, expected):
    assert si.wanted_lookup(params(layers=layers))["layers"] == expected


def test_lookup_names_once_each_in_order():
    lookup = si.wanted_lookup(params(repository_names=["nginx", "app", "nginx"], target_group_names=["api", "web", "api"]))
    assert lookup["repository_names"] == ["nginx", "app"]
    assert lookup["target_group_names"] == ["api", "web"]


@pytest.mark.parametrize(
    "extra, messages",
    [
        ({"stack": ""}, ["stack () must be"]),
        ({"stack": "Demo"}, ["stack (Demo) must be"]),
        ({"stack": "demo-"}, ["stack (demo-) must be"]),
        ({"stack": "abcdefghijklm"}, ["stack (abcdefghijklm) must be"]),  # 13 characters
        ({"stack": None}, ["stack (None) must be"]),
        ({"environment": "prod-1"}, ["environment (prod-1) must be"]),
        ({"environment": "1prod"}, ["environment (1prod) must be"]),
        ({"stack": "Demo", "environment": "Local"}, ["stack (Demo)", "environment (Local)"]),  # every problem at once
        ({"layers": ["network", "dns", "cdn"]}, ["unknown layer(s) cdn, dns"]),
        ({"repository_names": ["App"]}, ["repository_names: 'App'"]),
        ({"repository_names": ["app/"]}, ["repository_names: 'app/'"]),
        ({"target_group_names": ["web_1"]}, ["target_group_names: 'web_1'"]),
        ({"target_group_names": ["web-"]}, ["target_group_names: 'web-'"]),
        # demo-local- is 11 characters: a target group name is 32 at most
        ({"target_group_names": ["x" * 22]}, ["target_group_names: '" + "x" * 22 + "'"]),
    ],
)
def test_lookup_refuses_what_cannot_name_a_stack(extra, messages):
    with pytest.raises(InputError) as raised:
        si.wanted_lookup(params(**extra))
    for message in messages:
        assert message in str(raised.value)


def test_longest_target_group_name_is_accepted():
    assert si.wanted_lookup(params(target_group_names=["x" * 21]))["target_group_names"] == ["x" * 21]


# --- tags ----------------------------------------------------------------------------------------------------


def test_ec2_filters_are_the_roles_tag_filters_plus_extras():
    assert si.ec2_filters(IDENTITY, vpc_id="vpc-1", state=["pending", "available"]) == [
        {"Name": "tag:Stack", "Values": ["demo"]},
        {"Name": "tag:Environment", "Values": ["local"]},
        {"Name": "tag:ManagedBy", "Values": ["cloudops.fargate"]},
        {"Name": "vpc-id", "Values": ["vpc-1"]},
        {"Name": "state", "Values": ["pending", "available"]},
    ]


@pytest.mark.parametrize(
    "given, key, value, expected",
    [
        (tags(Stack="demo"), "Key", "Value", {"Stack": "demo"}),
        ([{"key": "Stack", "value": "demo"}], "key", "value", {"Stack": "demo"}),  # ECS
        ({"Stack": "demo"}, "Key", "Value", {"Stack": "demo"}),
        (None, "Key", "Value", {}),
        ([{"Key": "Empty"}], "Key", "Value", {"Empty": ""}),
    ],
)
def test_tag_dict(given, key, value, expected):
    assert si.tag_dict(given, key, value) == expected


@pytest.mark.parametrize(
    "resource_tags, expected",
    [
        (dict(IDENTITY), True),
        (dict(IDENTITY, Name="x", Purpose="alb"), True),
        ({"Stack": "demo", "Environment": "local"}, False),  # not ManagedBy the collection
        (dict(IDENTITY, Environment="prod"), False),
        ({}, False),
    ],
)
def test_carries(resource_tags, expected):
    assert si.carries(resource_tags, IDENTITY) is expected


@pytest.mark.parametrize(
    "name, separator, expected",
    [
        ("demo-local-web", "-", "web"),
        ("demo-local/app", "/", "app"),
        ("demo-local-", "-", "demo-local-"),  # nothing after the prefix: as it is
        ("shop-local-web", "-", "shop-local-web"),
        ("demo-local-api-v2", "-", "api-v2"),
    ],
)
def test_short_name(name, separator, expected):
    assert si.short_name(name, PREFIX, separator) == expected


# --- network -------------------------------------------------------------------------------------------------


def subnet(subnet_id, zone, tier):
    return {"SubnetId": subnet_id, "AvailabilityZone": zone, "Tags": tags(Tier=tier) if tier else []}


def test_network_outputs_sort_by_zone_and_key_by_tags():
    subnets = [
        subnet("subnet-pub-b", "us-east-1b", "public"),
        subnet("subnet-prv-b", "us-east-1b", "private"),
        subnet("subnet-pub-a", "us-east-1a", "public"),
        subnet("subnet-prv-a", "us-east-1a", "private"),
        subnet("subnet-untiered", "us-east-1c", None),  # no Tier tag: neither list, nor its zone
    ]
    groups = [
        {"GroupId": "sg-2", "Tags": tags(Purpose="service")},
        {"GroupId": "sg-1", "Tags": tags(Purpose="alb")},
        {"GroupId": "sg-3", "Tags": tags(Name="no-purpose")},
    ]
    nats = [
        {"NatGatewayId": "nat-b", "SubnetId": "subnet-pub-b", "NatGatewayAddresses": [{"PublicIp": "203.0.113.2"}]},
        {"NatGatewayId": "nat-a", "SubnetId": "subnet-pub-a", "NatGatewayAddresses": [{"PublicIp": "203.0.113.1"}]},
        {"NatGatewayId": "nat-pending", "SubnetId": "subnet-pub-b", "NatGatewayAddresses": [{}]},  # no IP yet
    ]
    tables = [
        {"RouteTableId": "rtb-b", "Tags": tags(Name=f"{PREFIX}-private-b")},
        {"RouteTableId": "rtb-main", "Tags": []},
        {"RouteTableId": "rtb-pub", "Tags": tags(Name=f"{PREFIX}-public")},
        {"RouteTableId": "rtb-a", "Tags": tags(Name=f"{PREFIX}-private-a")},
    ]
    vpc = {"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}
    assert si.network_outputs(vpc, subnets, groups, nats, tables, PREFIX) == {
        "network_vpc_id": "vpc-1",
        "network_vpc_cidr_block": "10.0.0.0/16",
        "network_availability_zones": ["us-east-1a", "us-east-1b"],
        "network_public_subnet_ids": ["subnet-pub-a", "subnet-pub-b"],
        "network_private_subnet_ids": ["subnet-prv-a", "subnet-prv-b"],
        "network_nat_gateway_ids": ["nat-a", "nat-b", "nat-pending"],
        "network_nat_public_ips": ["203.0.113.1", "203.0.113.2"],
        "network_route_table_ids": {"public": "rtb-pub", "private": ["rtb-a", "rtb-b"]},
        "network_security_group_ids": {"alb": "sg-1", "service": "sg-2"},
    }


def test_network_outputs_of_an_empty_vpc():
    outputs = si.network_outputs({"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24"}, [], [], [], [], PREFIX)
    assert outputs == dict(
        si.empty_outputs("network"),
        network_vpc_id="vpc-1",
        network_vpc_cidr_block="10.0.0.0/24",
        network_route_table_ids={"public": "", "private": []},
    )


# --- registry ------------------------------------------------------------------------------------------------


def test_registry_outputs_by_short_name():
    repositories = [
        {"repositoryName": f"{PREFIX}/app", "repositoryUri": "uri/app", "repositoryArn": "arn:app"},
        {"repositoryName": f"{PREFIX}/tools/lint", "repositoryUri": "uri/lint", "repositoryArn": "arn:lint"},
    ]
    assert si.registry_outputs(repositories, PREFIX) == {
        "registry_repository_uris": {"app": "uri/app", "tools/lint": "uri/lint"},
        "registry_repository_arns": {"app": "arn:app", "tools/lint": "arn:lint"},
    }
    assert si.registry_outputs([], PREFIX) == si.empty_outputs("registry")


# --- storage -------------------------------------------------------------------------------------------------

FS_NAME = f"{PREFIX}-static"
TOKEN = default_creation_token(FS_NAME)


def file_system(file_system_id, token="other", state="available", created="2024-01-02", **tag_values):
    return {
        "FileSystemId": file_system_id,
        "FileSystemArn": f"arn:fs/{file_system_id}",
        "CreationToken": token,
        "LifeCycleState": state,
        "CreationTime": created,
        "Tags": tags(**tag_values),
    }


@pytest.mark.parametrize(
    "descriptions, expected",
    [
        ([], None),
        ([file_system("fs-token", TOKEN, **IDENTITY)], "fs-token"),
        ([file_system("fs-name", Name=FS_NAME, **IDENTITY)], "fs-name"),
        # the derived creation token wins over the Name tag, then the oldest
        ([file_system("fs-name", Name=FS_NAME, created="2020-01-01", **IDENTITY), file_system("fs-token", TOKEN, **IDENTITY)], "fs-token"),
        (
            [
                file_system("fs-new", Name=FS_NAME, created="2024-05-01", **IDENTITY),
                file_system("fs-old", Name=FS_NAME, created="2023-05-01", **IDENTITY),
            ],
            "fs-old",
        ),
        # not the stack's tags, being deleted, another name: none is the stack's
        ([file_system("fs-untagged", TOKEN, Name=FS_NAME)], None),
        ([file_system("fs-prod", TOKEN, **{**IDENTITY, "Name": FS_NAME, "Environment": "prod"})], None),
        ([file_system("fs-going", TOKEN, state="deleting", **IDENTITY)], None),
        ([file_system("fs-other", Name="demo-local-other", **IDENTITY)], None),
    ],
)
def test_choose_file_system(descriptions, expected):
    chosen = si.choose_file_system(descriptions, FS_NAME, IDENTITY)
    assert (chosen or {}).get("FileSystemId") == expected


def access_point(access_point_id, path="/", **tag_values):
    return {
        "AccessPointId": access_point_id,
        "AccessPointArn": f"arn:ap/{access_point_id}",
        "RootDirectory": {"Path": path},
        "Tags": tags(**tag_values),
    }


def test_storage_outputs_are_the_access_points_of_the_file_systems_release():
    points = [
        access_point("fsap-2", "/releases/r2/ui", Purpose="ui", Name=f"{PREFIX}-ui-r2", Release="r2"),
        access_point("fsap-1", "/releases/r2/config", Purpose="config", Name=f"{PREFIX}-config-r2", Release="r2"),
        access_point("fsap-3", "/releases/r2/data", Name=f"{PREFIX}-data", Release="r2"),  # no Purpose: its Name without the prefix
        access_point("fsap-4", "/x", Release="r2"),  # neither: left out
        access_point("fsap-5", "/dup", Purpose="ui", Release="r2"),  # a second ui: the first by ID stays
        access_point("fsap-0", "/releases/r1/config", Purpose="config", Release="r1"),  # an older release
        access_point("fsap-6", "/releases", Purpose="publisher"),  # DataSync's, of no release
    ]
    targets = [
        {"MountTargetId": "fsmt-b", "AvailabilityZoneName": "us-east-1b", "IpAddress": "10.0.144.4"},
        {"MountTargetId": "fsmt-a", "AvailabilityZoneName": "us-east-1a", "IpAddress": "10.0.128.4"},
    ]
    outputs = si.storage_outputs(
        file_system("fs-1", Release="r2"), points, targets, {"ClientVpnEndpointId": "cvpn-endpoint-1"}, PREFIX
    )
    assert outputs == {
        "storage_file_system_id": "fs-1",
        "storage_file_system_arn": "arn:fs/fs-1",
        "storage_access_point_ids": {"config": "fsap-1", "ui": "fsap-2", "data": "fsap-3"},
        "storage_access_point_arns": {"config": "arn:ap/fsap-1", "ui": "arn:ap/fsap-2", "data": "arn:ap/fsap-3"},
        "storage_access_point_paths": {"config": "/releases/r2/config", "ui": "/releases/r2/ui", "data": "/releases/r2/data"},
        # Every release's, the older one's too (a rollback mounts them); never the publisher's.
        "storage_mountable_access_point_arns": [f"arn:ap/fsap-{n}" for n in (0, 1, 2, 3, 5)],
        "storage_release_digest": "r2",
        "storage_nginx_config_digest": "r2",
        "storage_mount_instructions": [
            {
                "availability_zone": "us-east-1a",
                "mount_target_ip": "10.0.128.4",
                "command": "sudo mount -t efs -o tls,mounttargetip=10.0.128.4 fs-1 /mnt/efs",
            },
            {
                "availability_zone": "us-east-1b",
                "mount_target_ip": "10.0.144.4",
                "command": "sudo mount -t efs -o tls,mounttargetip=10.0.144.4 fs-1 /mnt/efs",
            },
        ],
        "storage_vpn_endpoint_id": "cvpn-endpoint-1",
    }


def test_storage_outputs_without_a_file_system_keep_the_vpn_endpoint():
    assert si.storage_outputs(None, [], [], None, PREFIX) == si.empty_outputs("storage")
    outputs = si.storage_outputs(None, [], [], {"ClientVpnEndpointId": "cvpn-endpoint-1"}, PREFIX)
    assert outputs == dict(si.empty_outputs("storage"), storage_vpn_endpoint_id="cvpn-endpoint-1")


def test_storage_outputs_of_a_file_system_with_no_release_have_no_access_points():
    """A file system the storage role has not published to (or a 0.3 stack's): none of its access points is a
    release's, so the fargate layer asks for site.yml rather than mounting anything."""
    points = [access_point("fsap-1", "/nginx/conf.d", Purpose="config")]
    outputs = si.storage_outputs(file_system("fs-1"), points, [], None, PREFIX)
    assert outputs["storage_nginx_config_digest"] == "" and outputs["storage_access_point_ids"] == {}


# --- loadbalancer and fargate --------------------------------------------------------------------------------


def test_loadbalancer_outputs():
    load_balancer = {"LoadBalancerArn": "arn:lb", "DNSName": "lb.example"}
    listeners = [{"Port": 443, "ListenerArn": "arn:l443"}, {"Port": 80, "ListenerArn": "arn:l80"}]
    groups = [{"TargetGroupName": f"{PREFIX}-web", "TargetGroupArn": "arn:web"}, {"TargetGroupName": f"{PREFIX}-api", "TargetGroupArn": "arn:api"}]
    outputs = si.loadbalancer_outputs(load_balancer, listeners, groups, PREFIX)
    assert outputs == {
        "loadbalancer_arn": "arn:lb",
        "loadbalancer_dns_name": "lb.example",
        "loadbalancer_target_group_arns": {"web": "arn:web", "api": "arn:api"},
        "loadbalancer_listener_arns": {"80": "arn:l80", "443": "arn:l443"},
        "loadbalancer_production_rule_arns": {},
    }
    # with an alternate group, the rule forwarding to exactly the pair is the group's production rule
    groups.append({"TargetGroupName": f"{PREFIX}-web-alt", "TargetGroupArn": "arn:web-alt"})

    def rule(arn, *groups):
        forward = {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": g, "Weight": 1} for g in groups]}}
        return {"RuleArn": arn, "Actions": [forward]}

    rules = [rule("arn:r-api", "arn:api"), rule("arn:r-mixed", "arn:web", "arn:api"), rule("arn:r-prod", "arn:web-alt", "arn:web")]
    outputs = si.loadbalancer_outputs(load_balancer, listeners, groups, PREFIX, rules)
    assert outputs["loadbalancer_production_rule_arns"] == {"web": "arn:r-prod"}
    # target groups without the load balancer (deleted first, or not created yet)
    assert si.loadbalancer_outputs(None, [], groups[:1], PREFIX) == dict(
        si.empty_outputs("loadbalancer"), loadbalancer_target_group_arns={"web": "arn:web"}
    )


def test_fargate_outputs():
    cluster = {"clusterArn": "arn:cluster"}
    services = [
        {"serviceName": f"{PREFIX}-web", "serviceArn": "arn:web", "taskDefinition": "arn:td/web:3"},
        {"serviceName": f"{PREFIX}-worker", "serviceArn": "arn:worker"},
    ]
    assert si.fargate_outputs(cluster, services, PREFIX) == {
        "fargate_cluster_arn": "arn:cluster",
        "fargate_service_arns": {"web": "arn:web", "worker": "arn:worker"},
        "fargate_task_definition_arns": {"web": "arn:td/web:3"},
    }
    assert si.fargate_outputs(None, services, PREFIX) == si.empty_outputs("fargate")


# --- empty outputs -------------------------------------------------------------------------------------------


def test_empty_outputs_are_fresh_copies_named_after_their_layer():
    for layer in si.LAYERS:
        outputs = si.empty_outputs(layer)
        assert outputs == si.EMPTY_OUTPUTS[layer]
        assert all(key.startswith(f"{layer}_") for key in outputs)
        assert all(value in ("", [], {}) for value in outputs.values())
    outputs = si.empty_outputs("registry")
    outputs["registry_repository_uris"]["app"] = "changed"
    assert si.empty_outputs("registry")["registry_repository_uris"] == {}
