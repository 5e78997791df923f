"""cloudops.fargate.vpc against moto in this process; every outcome is read back with boto3 and every AWS operation
the module calls is recorded (the ``calls`` fixture, which wraps botocore's ``_make_api_call``), so that a no-op run is
shown to make exactly 5 calls and a refused run to change nothing."""

from __future__ import annotations

import copy

import pytest
from botocore.exceptions import ClientError

from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.cloudops.fargate.plugins.modules import vpc
from tests.unit.helpers import assert_ok, four_steps, intercept

IDENTITY = {"Stack": "unit", "Environment": "test"}
NOOP = ["DescribeVpcs", "DescribeVpcAttribute", "DescribeVpcAttribute", "DescribeSubnets", "DescribeInternetGateways"]
# What check mode may call: nothing else.
READ_ONLY = {"DescribeVpcs", "DescribeVpcAttribute", "DescribeSubnets", "DescribeInternetGateways"}


@pytest.fixture
def ec2(aws):
    """A boto3 client of the test itself: its calls are not recorded as the module's."""
    client = aws("ec2")
    client._unit_test_client = True
    return client


@pytest.fixture
def run(recorded_runner):
    return recorded_runner(vpc, READ_ONLY)


@pytest.fixture
def args():
    return {
        "name": "unit-vpc",
        "cidr_block": "10.30.0.0/16",
        "identifying_tags": dict(IDENTITY),
        "tags": {"CostCenter": "web"},
        "subnets": [
            {"name": "unit-public-a", "cidr": "10.30.0.0/24", "az": "us-east-1a", "tags": {"Tier": "public"},
             "map_public_ip_on_launch": True},
            {"name": "unit-private-a", "cidr": "10.30.10.0/24", "az": "us-east-1a", "tags": {"Tier": "private"}},
            {"name": "unit-private-b", "cidr": "10.30.11.0/24", "az": "us-east-1b", "tags": {"Tier": "private"}},
        ],
        "internet_gateway": {"name": "unit-igw"},
    }


def operations(calls):
    return [operation for _service, operation in calls]


def tags_of(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags") or []}


def the_vpc_id(ec2):
    filters = [{"Name": f"tag:{k}", "Values": [v]} for k, v in IDENTITY.items()]
    vpcs = ec2.describe_vpcs(Filters=filters)["Vpcs"]
    return vpcs[0]["VpcId"] if len(vpcs) == 1 else None


def network(ec2):
    """The stack's VPC as AWS lists it: its block, DNS and tags, its subnets by Name, its attached gateways' tags."""
    vpc_id = the_vpc_id(ec2)
    if vpc_id is None:
        return {}
    aws_vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    dns = {
        option: ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)[key]["Value"]
        for option, attribute, key in (
            ("dns_support", "enableDnsSupport", "EnableDnsSupport"),
            ("dns_hostnames", "enableDnsHostnames", "EnableDnsHostnames"),
        )
    }
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    gateways = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
    )["InternetGateways"]
    return {
        "vpc": {"cidr_block": aws_vpc["CidrBlock"], **dns, "tags": tags_of(aws_vpc)},
        "subnets": {
            tags_of(s).get("Name", s["SubnetId"]): {
                "cidr_block": s["CidrBlock"],
                "availability_zone": s["AvailabilityZone"],
                "map_public_ip_on_launch": s["MapPublicIpOnLaunch"],
                "tags": tags_of(s),
            }
            for s in subnets
        },
        "internet_gateways": [tags_of(g) for g in gateways],
    }


def everything(ec2):
    """``network`` and how many VPCs, subnets and gateways the region has: what check mode must leave as it is."""
    return (
        network(ec2),
        len(ec2.describe_vpcs()["Vpcs"]),
        len(ec2.describe_subnets()["Subnets"]),
        len(ec2.describe_internet_gateways()["InternetGateways"]),
    )


def wanted_tags(name, **extra):
    return dict(sorted({"CostCenter": "web", **extra, **IDENTITY, "Name": name}.items()))


def subnet_document(cidr, az, tier, public=False):
    return {
        "cidr_block": cidr,
        "availability_zone": az,
        "map_public_ip_on_launch": public,
        "tags": wanted_tags(f"unit-{'public' if public else 'private'}-{az[-1]}", Tier=tier),
    }


EXPECTED_VPC = {"cidr_block": "10.30.0.0/16", "dns_support": True, "dns_hostnames": True, "tags": wanted_tags("unit-vpc")}
EXPECTED_SUBNETS = {
    "unit-public-a": subnet_document("10.30.0.0/24", "us-east-1a", "public", public=True),
    "unit-private-a": subnet_document("10.30.10.0/24", "us-east-1a", "private"),
    "unit-private-b": subnet_document("10.30.11.0/24", "us-east-1b", "private"),
}
EXPECTED_GATEWAY = {"attached": True, "tags": wanted_tags("unit-igw")}


def without_ids(result):
    """The resources of a result without what only AWS assigns: what check mode predicts."""
    return {
        "vpc": {k: v for k, v in result["vpc"].items() if k != "id"},
        "subnets": [{k: v for k, v in s.items() if k != "id"} for s in result["subnets"]],
        "internet_gateway": {k: v for k, v in result["internet_gateway"].items() if k != "id"},
    }


# --- the four steps ------------------------------------------------------------------------------------------------


def test_a_new_network_four_steps_and_a_no_op_run_makes_5_calls(run, args, ec2, calls):
    four_steps(
        run,
        args,
        ec2,
        network,
        {"vpc": EXPECTED_VPC, "subnets": EXPECTED_SUBNETS, "internet_gateways": [EXPECTED_GATEWAY["tags"]]},
        {},
        {"vpc": EXPECTED_VPC, "subnets": EXPECTED_SUBNETS, "internet_gateway": EXPECTED_GATEWAY},
        normalise=without_ids,
    )
    assert operations(calls) == NOOP  # the real no-op run, the last of the four


def test_the_no_op_calls_and_their_filters(run, args, ec2, monkeypatch):
    assert_ok(run(args), changed=True)
    seen = []

    def recording(operation, params, proceed):
        seen.append((operation, copy.deepcopy(params)))
        return proceed()

    intercept(monkeypatch, recording)
    assert_ok(run(args), changed=False)
    vpc_id = the_vpc_id(ec2)
    assert seen == [
        ("DescribeVpcs", {"Filters": [{"Name": "tag:Environment", "Values": ["test"]},
                                      {"Name": "tag:Stack", "Values": ["unit"]}]}),
        ("DescribeVpcAttribute", {"VpcId": vpc_id, "Attribute": "enableDnsSupport"}),
        ("DescribeVpcAttribute", {"VpcId": vpc_id, "Attribute": "enableDnsHostnames"}),
        ("DescribeSubnets", {"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]}),
        ("DescribeInternetGateways", {"Filters": [{"Name": "attachment.vpc-id", "Values": [vpc_id]}]}),
    ]


def test_check_mode_predicts_empty_ids_and_creates_nothing(run, args, ec2, calls):
    before = everything(ec2)
    result = run(args, check_mode=True)
    assert_ok(result, changed=True)
    assert result["vpc"]["id"] == "" and result["internet_gateway"]["id"] == ""
    assert [s["id"] for s in result["subnets"]] == ["", "", ""]
    assert result["subnets"][0] == {
        "id": "", "name": "unit-public-a", "cidr_block": "10.30.0.0/24", "availability_zone": "us-east-1a",
        "map_public_ip_on_launch": True, "tags": EXPECTED_SUBNETS["unit-public-a"]["tags"],
    }
    # the VPC is looked for, and a gateway an interrupted run might have left: nothing else
    assert operations(calls) == ["DescribeVpcs", "DescribeInternetGateways"]
    assert everything(ec2) == before


def test_a_new_network_is_created_with_its_tags_in_few_calls(run, args, ec2, calls):
    result = run(args)
    assert_ok(result, changed=True)
    assert operations(calls) == [
        "DescribeVpcs",
        "DescribeInternetGateways",  # a detached gateway of an interrupted run
        "CreateVpc",
        "DescribeVpcs",  # until EC2 answers for it
        "ModifyVpcAttribute",  # DNS hostnames: a new VPC has DNS support only
        "CreateInternetGateway",  # before the subnets: EC2 knows it once they are done
        "CreateSubnet",
        "CreateSubnet",
        "CreateSubnet",
        "DescribeSubnets",  # until EC2 answers for them
        "ModifySubnetAttribute",  # the public subnet
        "AttachInternetGateway",
        "DescribeInternetGateways",  # until attached
    ]
    vpc_id = the_vpc_id(ec2)
    assert result["vpc"]["id"] == vpc_id
    listed = {s["CidrBlock"]: s["SubnetId"] for s in ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]}
    assert [(s["name"], s["id"]) for s in result["subnets"]] == [
        ("unit-public-a", listed["10.30.0.0/24"]),
        ("unit-private-a", listed["10.30.10.0/24"]),
        ("unit-private-b", listed["10.30.11.0/24"]),
    ]
    gateway = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"][0]
    assert result["internet_gateway"] == {"id": gateway["InternetGatewayId"], "tags": EXPECTED_GATEWAY["tags"]}


# --- drift -----------------------------------------------------------------------------------------------------------


def test_tag_drift_is_repaired_in_one_call_per_change_and_aws_tags_stay(run, args, ec2, calls):
    first = run(args)
    vpc_id = first["vpc"]["id"]
    subnet_id = first["subnets"][1]["id"]
    gateway_id = first["internet_gateway"]["id"]
    # moto lets a test set an aws: tag (AWS keeps them to itself)
    ec2.create_tags(Resources=[vpc_id, subnet_id], Tags=[{"Key": "Extra", "Value": "x"}])
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "aws:cloudformation:stack-name", "Value": "old"}])
    ec2.create_tags(Resources=[gateway_id], Tags=[{"Key": "Name", "Value": "renamed"}])

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {
        "before": {
            "vpc": dict(EXPECTED_VPC, tags=dict(sorted({
                **EXPECTED_VPC["tags"], "Extra": "x", "aws:cloudformation:stack-name": "old"}.items()))),
            "subnets": {"unit-private-a": dict(EXPECTED_SUBNETS["unit-private-a"], tags=dict(sorted({
                **EXPECTED_SUBNETS["unit-private-a"]["tags"], "Extra": "x"}.items())))},
            "internet_gateway": dict(EXPECTED_GATEWAY, tags=dict(EXPECTED_GATEWAY["tags"], Name="renamed")),
        },
        "after": {
            "vpc": dict(EXPECTED_VPC, tags=dict(EXPECTED_VPC["tags"], **{"aws:cloudformation:stack-name": "old"})),
            "subnets": {"unit-private-a": EXPECTED_SUBNETS["unit-private-a"]},
            "internet_gateway": EXPECTED_GATEWAY,
        },
    }
    assert operations(calls) == NOOP + ["DeleteTags", "CreateTags"]  # Extra from both at once; the Name
    assert network(ec2)["vpc"]["tags"] == dict(EXPECTED_VPC["tags"], **{"aws:cloudformation:stack-name": "old"})
    assert network(ec2)["subnets"]["unit-private-a"] == EXPECTED_SUBNETS["unit-private-a"]
    assert_ok(run(args), changed=False)

    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "Extra", "Value": "x"}])
    assert_ok(run(dict(args, purge_tags=False)), changed=False)


def test_a_tag_change_of_the_module_is_one_call_for_every_resource(run, args, ec2, calls):
    run(args)
    result = run(dict(args, tags={"CostCenter": "api"}))
    assert_ok(result, changed=True)
    assert operations(calls) == NOOP + ["CreateTags"]
    assert {r["tags"]["CostCenter"] for r in [result["vpc"], result["internet_gateway"], *result["subnets"]]} == {"api"}
    state = network(ec2)
    assert {s["tags"]["CostCenter"] for s in state["subnets"].values()} == {"api"}
    assert state["vpc"]["tags"]["CostCenter"] == state["internet_gateways"][0]["CostCenter"] == "api"


def test_identifying_tags_win_over_tags_and_name_over_both(run, args, ec2):
    args["tags"] = {"Stack": "other", "Name": "other", "CostCenter": "web"}
    args["subnets"][0]["tags"] = {"Tier": "public", "Environment": "other"}
    assert_ok(run(args), changed=True)
    assert network(ec2) == {
        "vpc": EXPECTED_VPC, "subnets": EXPECTED_SUBNETS, "internet_gateways": [EXPECTED_GATEWAY["tags"]],
    }


def test_dns_attribute_drift_is_repaired(run, args, ec2, calls):
    vpc_id = run(args)["vpc"]["id"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": False})
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {
        "before": {"vpc": dict(EXPECTED_VPC, dns_hostnames=False)},
        "after": {"vpc": EXPECTED_VPC},
    }
    assert_ok(run(args), changed=True)
    assert operations(calls) == NOOP + ["ModifyVpcAttribute"]
    assert network(ec2)["vpc"] == EXPECTED_VPC
    assert_ok(run(args), changed=False)


def test_dns_off_turns_hostnames_off_before_support_one_attribute_per_call(run, args, ec2, monkeypatch):
    run(args)
    modified = []

    def recording(operation, params, proceed):
        if operation == "ModifyVpcAttribute":
            modified.append({k: v for k, v in params.items() if k != "VpcId"})
        return proceed()

    intercept(monkeypatch, recording)
    assert_ok(run(dict(args, dns_support=False, dns_hostnames=False)), changed=True)
    assert modified == [{"EnableDnsHostnames": {"Value": False}}, {"EnableDnsSupport": {"Value": False}}]
    modified.clear()
    assert_ok(run(args), changed=True)
    assert modified == [{"EnableDnsSupport": {"Value": True}}, {"EnableDnsHostnames": {"Value": True}}]


def test_map_public_ip_on_launch_drift_is_repaired(run, args, ec2, calls):
    result = run(args)
    public_id, private_id = result["subnets"][0]["id"], result["subnets"][1]["id"]
    ec2.modify_subnet_attribute(SubnetId=public_id, MapPublicIpOnLaunch={"Value": False})
    ec2.modify_subnet_attribute(SubnetId=private_id, MapPublicIpOnLaunch={"Value": True})
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["before"] == {"subnets": {
        "unit-public-a": dict(EXPECTED_SUBNETS["unit-public-a"], map_public_ip_on_launch=False),
        "unit-private-a": dict(EXPECTED_SUBNETS["unit-private-a"], map_public_ip_on_launch=True),
    }}
    assert operations(calls) == NOOP + ["ModifySubnetAttribute", "ModifySubnetAttribute"]
    assert network(ec2)["subnets"] == EXPECTED_SUBNETS
    assert_ok(run(args), changed=False)


def test_a_detached_gateway_is_attached_again(run, args, ec2, calls):
    result = run(args)
    vpc_id, gateway_id = result["vpc"]["id"], result["internet_gateway"]["id"]
    ec2.detach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["internet_gateway"]["id"] == gateway_id
    assert result["diff"] == {
        "before": {"internet_gateway": dict(EXPECTED_GATEWAY, attached=False)},
        "after": {"internet_gateway": EXPECTED_GATEWAY},
    }
    assert operations(calls) == NOOP + ["DescribeInternetGateways", "AttachInternetGateway", "DescribeInternetGateways"]
    assert len(ec2.describe_internet_gateways()["InternetGateways"]) == 1
    assert_ok(run(args), changed=False)


def test_a_gateway_left_detached_by_an_interrupted_run_is_adopted(run, args, ec2, calls):
    left = ec2.create_internet_gateway(TagSpecifications=[{"ResourceType": "internet-gateway", "Tags": [
        {"Key": "Name", "Value": "unit-igw"}, {"Key": "Stack", "Value": "unit"}, {"Key": "Environment", "Value": "test"},
    ]}])["InternetGateway"]["InternetGatewayId"]
    # one of the same name attached elsewhere is another VPC's
    other_vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    elsewhere = ec2.create_internet_gateway(TagSpecifications=[{"ResourceType": "internet-gateway", "Tags": [
        {"Key": "Name", "Value": "unit-igw"}, {"Key": "Stack", "Value": "unit"}, {"Key": "Environment", "Value": "test"},
    ]}])["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=elsewhere, VpcId=other_vpc)

    result = run(args, check_mode=True, diff=True)
    assert result["internet_gateway"]["id"] == left
    assert result["diff"]["before"] == {"internet_gateway": {"attached": False, "tags": {
        "Environment": "test", "Name": "unit-igw", "Stack": "unit"}}}

    result = run(args)
    assert_ok(result, changed=True)
    assert result["internet_gateway"] == {"id": left, "tags": EXPECTED_GATEWAY["tags"]}
    assert "CreateInternetGateway" not in operations(calls)
    assert network(ec2)["internet_gateways"] == [EXPECTED_GATEWAY["tags"]]
    assert ec2.describe_internet_gateways(InternetGatewayIds=[elsewhere])["InternetGateways"][0]["Attachments"] == [
        {"State": "available", "VpcId": other_vpc}
    ]


def test_without_internet_gateway_an_attached_one_is_left_alone_in_4_calls(run, args, ec2, calls):
    gateway_id = run(args)["internet_gateway"]["id"]
    args.pop("internet_gateway")
    args["tags"] = {"CostCenter": "api"}
    result = run(args)
    assert_ok(result, changed=True)
    assert result["internet_gateway"] == {}
    assert network(ec2)["internet_gateways"] == [EXPECTED_GATEWAY["tags"]]
    assert_ok(run(args), changed=False)
    assert operations(calls) == NOOP[:-1]
    assert ec2.describe_internet_gateways(InternetGatewayIds=[gateway_id])["InternetGateways"]


# --- existing subnets ------------------------------------------------------------------------------------------------


def test_subnets_not_listed_are_left_alone(run, args, ec2, calls):
    vpc_id = run(args)["vpc"]["id"]
    ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.30.99.0/24", AvailabilityZone="us-east-1c", TagSpecifications=[
        {"ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": "by-hand"}]}])
    args["subnets"] = args["subnets"][:1]
    assert_ok(run(args), changed=False)
    assert operations(calls) == NOOP
    assert set(network(ec2)["subnets"]) == {"unit-public-a", "unit-private-a", "unit-private-b", "by-hand"}
    assert network(ec2)["subnets"]["by-hand"]["tags"] == {"Name": "by-hand"}


def test_an_existing_stack_is_adopted_by_tags_and_blocks_without_duplicates(run, args, ec2, calls):
    """As the amazon.aws modules left it: tagged VPC, DNS hostnames off, subnets with other tags."""
    vpc_id = ec2.create_vpc(CidrBlock="10.30.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [
        {"Key": "Stack", "Value": "unit"}, {"Key": "Environment", "Value": "test"}, {"Key": "Name", "Value": "old"},
    ]}])["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.30.10.0/24", AvailabilityZone="us-east-1a")["Subnet"][
        "SubnetId"]
    result = run(args)
    assert_ok(result, changed=True)
    assert result["vpc"]["id"] == vpc_id and result["subnets"][1]["id"] == subnet_id
    assert operations(calls).count("CreateSubnet") == 2 and "CreateVpc" not in operations(calls)
    assert network(ec2) == {
        "vpc": EXPECTED_VPC, "subnets": EXPECTED_SUBNETS, "internet_gateways": [EXPECTED_GATEWAY["tags"]],
    }
    assert_ok(run(args), changed=False)


# --- refusals --------------------------------------------------------------------------------------------------------


def test_a_subnet_in_another_zone_fails_naming_it_before_any_change(run, args, ec2, calls):
    vpc_id = run(args)["vpc"]["id"]
    moved = ec2.describe_subnets(Filters=[{"Name": "cidr-block", "Values": ["10.30.11.0/24"]}])["Subnets"][0]
    ec2.delete_subnet(SubnetId=moved["SubnetId"])
    moved_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.30.11.0/24", AvailabilityZone="us-east-1c")["Subnet"][
        "SubnetId"]
    before = everything(ec2)
    args["tags"] = {"CostCenter": "api"}  # a change that must not happen either
    result = run(args)
    assert result["failed"]
    assert f"subnet unit-private-b: {moved_id} (10.30.11.0/24) is in us-east-1c, not in us-east-1b" in result["msg"]
    assert "a subnet's zone cannot change" in result["msg"]
    assert operations(calls) == NOOP
    assert everything(ec2) == before


def test_a_subnet_overlapping_another_of_the_vpc_fails_before_any_change(run, args, ec2, calls):
    vpc_id = run(args)["vpc"]["id"]
    other = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.30.20.0/23", AvailabilityZone="us-east-1a")["Subnet"]
    args["subnets"].append({"name": "unit-private-c", "cidr": "10.30.21.0/24", "az": "us-east-1c"})
    result = run(args)
    assert result["failed"]
    assert f"subnet unit-private-c: cidr 10.30.21.0/24 overlaps subnet {other['SubnetId']} (10.30.20.0/23)" in result[
        "msg"]
    assert operations(calls) == NOOP


def test_two_vpcs_with_the_identifying_tags_fail_naming_them(run, args, ec2, calls):
    tags = [{"ResourceType": "vpc", "Tags": [{"Key": k, "Value": v} for k, v in IDENTITY.items()]}]
    first = ec2.create_vpc(CidrBlock="10.30.0.0/16", TagSpecifications=tags)["Vpc"]["VpcId"]
    second = ec2.create_vpc(CidrBlock="10.30.0.0/16", TagSpecifications=tags)["Vpc"]["VpcId"]
    ids = sorted([first, second])
    result = run(args)
    assert result["failed"]
    assert result["msg"] == f"2 VPCs carry the identifying tags ({ids[0]}, {ids[1]}); remove the extra ones first."
    assert operations(calls) == ["DescribeVpcs"]


def test_another_cidr_block_fails_before_any_change(run, args, ec2, calls):
    vpc_id = run(args)["vpc"]["id"]
    before = everything(ec2)
    args["cidr_block"] = "10.31.0.0/16"
    args["subnets"] = []
    args["tags"] = {"CostCenter": "api"}
    for check_mode in (True, False):
        result = run(args, check_mode=check_mode)
        assert result["failed"]
        assert result["msg"].startswith(
            f"cidr_block 10.31.0.0/16 differs from the block of the existing VPC {vpc_id} (10.30.0.0/16):"
            " a VPC's primary block cannot change."
        )
        assert operations(calls) == ["DescribeVpcs"]
    assert everything(ec2) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # the others are in tests/unit/plugins/module_utils/test_vpc.py (wanted_vpc)
        ({"dns_support": False}, "dns_hostnames needs dns_support"),
        ({"wait_timeout": -1}, "wait_timeout must be 0 or more seconds"),
        ({"subnets": [{"name": "a", "cidr": "10.31.0.0/24", "az": "us-east-1a"}]},
         "subnet a: cidr 10.31.0.0/24 is not inside cidr_block 10.30.0.0/16"),
    ],
)
def test_bad_input_fails_and_calls_nothing(run, args, calls, change, message):
    result = run(dict(args, **change))
    assert result["failed"] and message in result["msg"], result
    assert calls == []


# --- eventual consistency, waits and failures ------------------------------------------------------------------------


def not_found_first(monkeypatch, codes):
    """The first call of each operation of ``codes`` answers its code, as EC2 may right after a create; returns the
    attempts of each."""
    attempts = {operation: [] for operation in codes}

    def handler(operation, params, proceed):
        if operation in codes:
            attempts[operation].append(copy.deepcopy(params))
            if len(attempts[operation]) == 1:
                raise ClientError({"Error": {"Code": codes[operation], "Message": "does not exist"}}, operation)
        return proceed()

    intercept(monkeypatch, handler)
    return attempts


@pytest.fixture
def sleeps(monkeypatch):
    slept = []
    monkeypatch.setattr(cloud, "time", type("Time", (), {"sleep": staticmethod(slept.append)}))
    return slept


def test_calls_after_a_create_retry_not_found(run, args, ec2, sleeps, monkeypatch):
    attempts = not_found_first(monkeypatch, {
        "ModifyVpcAttribute": "InvalidVpcID.NotFound",
        "CreateSubnet": "InvalidVpcID.NotFound",
        "ModifySubnetAttribute": "InvalidSubnetID.NotFound",
        "AttachInternetGateway": "InvalidInternetGatewayID.NotFound",
    })
    result = run(args)
    assert_ok(result, changed=True)
    for operation, tries in attempts.items():
        assert len(tries) >= 2 and tries[0] == tries[1], operation
    assert len(sleeps) == 4
    assert network(ec2) == {
        "vpc": EXPECTED_VPC, "subnets": EXPECTED_SUBNETS, "internet_gateways": [EXPECTED_GATEWAY["tags"]],
    }


def test_not_found_about_an_existing_resource_is_not_retried(run, args, ec2, sleeps, monkeypatch):
    run(args)
    args["tags"] = {"CostCenter": "api"}
    not_found_first(monkeypatch, {"CreateTags": "InvalidVpcID.NotFound"})
    result = run(args)
    assert result["failed"] and "Failed to tag" in result["msg"], result
    assert sleeps == []


def test_a_pending_subnet_is_waited_for_unless_wait_is_false(run, args, ec2, calls, monkeypatch):
    def pending(operation, _params, proceed):
        response = proceed()
        if operation == "CreateSubnet":
            response["Subnet"]["State"] = "pending"
        return response

    intercept(monkeypatch, pending)
    assert_ok(run(dict(args, wait=False, internet_gateway=None)), changed=True)
    assert "DescribeSubnets" not in operations(calls)

    args["subnets"].append({"name": "unit-private-c", "cidr": "10.30.12.0/24", "az": "us-east-1c"})
    assert_ok(run(dict(args, internet_gateway=None)), changed=True)
    assert operations(calls).count("DescribeSubnets") == 2  # the read, and the wait for the new one


def test_a_failure_after_the_vpc_was_created_returns_what_exists(run, args, ec2):
    args["subnets"][2]["az"] = "us-east-1z"
    result = run(args)
    assert result["failed"]
    assert "create subnet unit-private-b (10.30.11.0/24 in us-east-1z)" in result["msg"]
    assert result["vpc"]["id"] == the_vpc_id(ec2)
    assert [bool(s["id"]) for s in result["subnets"]] == [True, True, False]
