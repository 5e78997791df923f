"""cloudops.fargate.route_tables against moto in this process; every outcome is read back with boto3 and every AWS
operation the module calls is recorded (the ``calls`` fixture), so that a no-op run is shown to make one
DescribeRouteTables and bad input to call nothing."""

from __future__ import annotations

import copy
import time
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError

from ansible_collections.cloudops.fargate.plugins.module_utils import _route_tables
from ansible_collections.cloudops.fargate.plugins.module_utils._common import idempotency_token
from ansible_collections.cloudops.fargate.plugins.modules import route_tables
from tests.unit.helpers import assert_ok, four_steps, intercept

DESCRIBE = ("ec2", "DescribeRouteTables")
READ_ONLY = {"DescribeRouteTables"}  # what check mode may call: nothing else
MAIN = "(main)"


@pytest.fixture
def ec2(aws):
    """A boto3 client of the test itself: its calls are not recorded as the module's."""
    client = aws("ec2")
    client._unit_test_client = True
    return client


@pytest.fixture
def net(ec2):
    """A VPC with two public and two private subnets, a spare one, an attached internet gateway and a NAT gateway in
    each public subnet (available at once in moto)."""
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24")["Subnet"]["SubnetId"] for i in range(5)]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    nats = [
        ec2.create_nat_gateway(SubnetId=subnet, AllocationId=ec2.allocate_address(Domain="vpc")["AllocationId"])[
            "NatGateway"
        ]["NatGatewayId"]
        for subnet in subnets[:2]
    ]
    return SimpleNamespace(vpc=vpc, public=subnets[:2], private=subnets[2:4], spare=subnets[4], igw=igw, nats=nats)


@pytest.fixture
def sleeps(monkeypatch):
    """Every sleep of the run: the module's own retries and any other (botocore's, amazon.aws's)."""
    slept = []
    monkeypatch.setattr(_route_tables, "_sleep", slept.append)
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


@pytest.fixture
def run(recorded_runner, sleeps):
    """No run sleeps unless a test makes AWS answer "not found"."""
    return recorded_runner(route_tables, READ_ONLY)


@pytest.fixture
def args(net):
    """The network role's tables: the public one to the internet gateway, a private one per zone to its NAT."""
    return role_args(net)


@pytest.fixture
def input_args(aws):
    """The role's tables with made-up IDs, for input that fails before any call (moto runs, but holds nothing)."""
    ids = SimpleNamespace(
        vpc="vpc-0123456789abcdef0", public=["subnet-0a", "subnet-0b"], private=["subnet-0c", "subnet-0d"],
        igw="igw-0123456789abcdef0", nats=["nat-0a", "nat-0b"],
    )
    return role_args(ids)


def role_args(net):
    return {
        "vpc_id": net.vpc,
        "tags": {"Stack": "unit"},
        "route_tables": [
            {"name": "unit-public", "subnets": list(net.public), "routes": [{"dest": "0.0.0.0/0", "gateway_id": net.igw}]},
            {
                "name": "unit-private-a",
                "subnets": [net.private[0]],
                "routes": [{"dest": "0.0.0.0/0", "nat_gateway_id": net.nats[0]}],
            },
            {
                "name": "unit-private-b",
                "subnets": [net.private[1]],
                "routes": [{"dest": "0.0.0.0/0", "nat_gateway_id": net.nats[1]}],
            },
        ],
    }


def read_back(ec2, vpc_id):
    """The VPC's tables by Name (the main table as MAIN): tags, explicitly associated subnets, and the routes other
    than the local one as (dest, target)."""
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    found = {}
    for table in tables:
        tags = {t["Key"]: t["Value"] for t in table.get("Tags", [])}
        main = any(a.get("Main") for a in table["Associations"])
        name = MAIN if main else tags.get("Name", table["RouteTableId"])
        assert name not in found, f"two tables named {name}"
        found[name] = {
            "tags": tags,
            "subnets": sorted(a["SubnetId"] for a in table["Associations"] if a.get("SubnetId")),
            "routes": sorted(
                (
                    r.get("DestinationCidrBlock") or r.get("DestinationPrefixListId"),
                    r.get("GatewayId") or r.get("NatGatewayId"),
                )
                for r in table["Routes"]
                if r.get("GatewayId") != "local"
            ),
        }
    return found


def table_ids(ec2, vpc_id):
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    return {
        {t["Key"]: t["Value"] for t in table.get("Tags", [])}.get("Name", MAIN): table["RouteTableId"] for table in tables
    }


def expected_tables(net):
    def table(name, subnets, target):
        return {"tags": {"Stack": "unit", "Name": name}, "subnets": sorted(subnets), "routes": [("0.0.0.0/0", target)]}

    return {
        MAIN: {"tags": {}, "subnets": [], "routes": []},
        "unit-public": table("unit-public", net.public, net.igw),
        "unit-private-a": table("unit-private-a", [net.private[0]], net.nats[0]),
        "unit-private-b": table("unit-private-b", [net.private[1]], net.nats[1]),
    }


def expected_documents(net):
    def document(name, subnets, target):
        kind = "gateway_id" if target.startswith("igw-") else "nat_gateway_id"
        return {
            "name": name,
            "tags": {"Name": name, "Stack": "unit"},
            "subnets": sorted(subnets),
            "routes": [{"dest": "0.0.0.0/0", kind: target}],
        }

    return {
        "unit-public": document("unit-public", net.public, net.igw),
        "unit-private-a": document("unit-private-a", [net.private[0]], net.nats[0]),
        "unit-private-b": document("unit-private-b", [net.private[1]], net.nats[1]),
    }


def without_ids(tables):
    """``route_tables`` without what only AWS assigns (the IDs): what check mode predicts."""
    return [{k: v for k, v in table.items() if k != "id"} for table in tables]


def operations(calls):
    return [operation for _service, operation in calls]


def client_error(code, operation, message="does not exist"):
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


# --- the four steps ------------------------------------------------------------------------------------------------


def test_public_and_private_tables_four_steps(run, args, ec2, net, calls, sleeps):
    last = four_steps(
        run,
        args,
        ec2,
        lambda client: read_back(client, net.vpc),
        expected_tables(net),
        {},
        expected_documents(net),
        key="route_tables",
        normalise=without_ids,
    )
    ids = table_ids(ec2, net.vpc)
    assert [t["id"] for t in last] == [ids[name] for name in ("unit-public", "unit-private-a", "unit-private-b")]
    assert calls == [DESCRIBE]  # the real no-op run: one call, nothing else
    assert sleeps == []


def test_the_first_run_makes_one_call_per_change_and_no_sleep(run, args, ec2, net, calls, sleeps):
    result = run(args)
    assert_ok(result, changed=True)
    assert sorted(operations(calls)) == sorted(
        ["DescribeRouteTables"] + ["CreateRouteTable"] * 3 + ["CreateRoute"] * 3 + ["AssociateRouteTable"] * 4
    )
    assert sleeps == []
    # routes before associations, in every table
    done = operations(calls)
    assert max(i for i, op in enumerate(done) if op == "CreateRoute") < min(
        i for i, op in enumerate(done) if op == "AssociateRouteTable"
    )
    ids = table_ids(ec2, net.vpc)
    assert result["route_tables"][0] == {
        "id": ids["unit-public"],
        "name": "unit-public",
        "tags": {"Name": "unit-public", "Stack": "unit"},
        "subnets": sorted(net.public),
        "routes": [{"dest": "0.0.0.0/0", "gateway_id": net.igw}],
    }


@pytest.mark.parametrize("tables", [3, 12])
def test_a_run_that_changes_nothing_makes_one_call_however_many_tables(run, args, ec2, net, calls, tables):
    args["route_tables"] += [{"name": f"unit-extra-{i}", "routes": [{"dest": "10.99.0.0/16", "gateway_id": net.igw}]}
                             for i in range(tables - 3)]
    assert_ok(run(args), changed=True)
    assert_ok(run(args), changed=False)
    assert calls == [DESCRIBE]


def test_check_mode_creates_nothing_and_predicts(run, args, ec2, net):
    before = read_back(ec2, net.vpc)
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert read_back(ec2, net.vpc) == before
    assert [t["id"] for t in result["route_tables"]] == ["", "", ""]
    assert result["route_tables"][1] == {
        "id": "",
        "name": "unit-private-a",
        "tags": {"Name": "unit-private-a", "Stack": "unit"},
        "subnets": [net.private[0]],
        "routes": [{"dest": "0.0.0.0/0", "nat_gateway_id": net.nats[0]}],
    }
    assert result["diff"] == {"before": {}, "after": expected_documents(net)}


# --- changes to existing tables -------------------------------------------------------------------------------------


def test_a_route_to_another_target_is_replaced(run, args, ec2, net, calls):
    assert_ok(run(args), changed=True)
    args["route_tables"][1]["routes"][0]["nat_gateway_id"] = net.nats[1]  # zone a through zone b's NAT gateway

    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    expected_before = expected_documents(net)["unit-private-a"]
    expected_after = dict(expected_before, routes=[{"dest": "0.0.0.0/0", "nat_gateway_id": net.nats[1]}])
    assert result["diff"] == {"before": {"unit-private-a": expected_before}, "after": {"unit-private-a": expected_after}}

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["after"] == {"unit-private-a": expected_after}
    assert operations(calls) == ["DescribeRouteTables", "ReplaceRoute"]
    assert read_back(ec2, net.vpc)["unit-private-a"]["routes"] == [("0.0.0.0/0", net.nats[1])]
    assert_ok(run(args), changed=False)


def test_an_extra_route_is_purged_unless_purge_routes_is_false(run, args, ec2, net, calls):
    ids = run(args)["route_tables"]
    ec2.create_route(RouteTableId=ids[0]["id"], DestinationCidrBlock="10.99.0.0/16", GatewayId=net.igw)

    args["route_tables"][0]["purge_routes"] = False
    result = run(args, diff=True)
    assert_ok(result, changed=False)
    assert result["route_tables"][0]["routes"] == [
        {"dest": "0.0.0.0/0", "gateway_id": net.igw},
        {"dest": "10.99.0.0/16", "gateway_id": net.igw},
    ]

    args["route_tables"][0]["purge_routes"] = True
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert operations(calls) == ["DescribeRouteTables", "DeleteRoute"]
    assert result["diff"]["before"]["unit-public"]["routes"][1] == {"dest": "10.99.0.0/16", "gateway_id": net.igw}
    assert result["diff"]["after"]["unit-public"]["routes"] == [{"dest": "0.0.0.0/0", "gateway_id": net.igw}]
    assert read_back(ec2, net.vpc)["unit-public"]["routes"] == [("0.0.0.0/0", net.igw)]


def test_the_gateway_endpoint_route_is_left_alone(run, args, ec2, net, calls):
    ids = [t["id"] for t in run(args)["route_tables"]]
    endpoint = ec2.create_vpc_endpoint(
        VpcId=net.vpc, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway", RouteTableIds=ids[1:]
    )["VpcEndpoint"]["VpcEndpointId"]
    prefix_list = next(
        r["DestinationPrefixListId"]
        for r in ec2.describe_route_tables(RouteTableIds=[ids[1]])["RouteTables"][0]["Routes"]
        if r.get("DestinationPrefixListId")
    )

    result = run(args)  # purge_routes is true
    assert_ok(result, changed=False)
    assert calls == [DESCRIBE]
    assert result["route_tables"][1]["routes"] == [
        {"dest": "0.0.0.0/0", "nat_gateway_id": net.nats[0]},
        {"dest": prefix_list, "vpc_endpoint_id": endpoint},
    ]
    for name in ("unit-private-a", "unit-private-b"):
        assert (prefix_list, endpoint) in read_back(ec2, net.vpc)[name]["routes"]

    # a route change elsewhere in the table leaves it too
    args["route_tables"][1]["routes"] = [{"dest": "0.0.0.0/0", "nat_gateway_id": net.nats[1]}]
    assert_ok(run(args), changed=True)
    assert (prefix_list, endpoint) in read_back(ec2, net.vpc)["unit-private-a"]["routes"]


def test_a_subnet_of_another_table_is_moved(run, args, ec2, net, calls):
    other = ec2.create_route_table(VpcId=net.vpc, TagSpecifications=[
        {"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "other"}]}
    ])["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=other, SubnetId=net.private[0])

    result = run(args)
    assert_ok(result, changed=True)
    assert operations(calls).count("ReplaceRouteTableAssociation") == 1
    tables = read_back(ec2, net.vpc)
    assert tables["other"]["subnets"] == []
    assert tables["unit-private-a"]["subnets"] == [net.private[0]]
    assert_ok(run(args), changed=False)

    # between two tables of the run: moved, not disassociated by the table it leaves
    args["route_tables"][1]["subnets"] = []
    args["route_tables"][2]["subnets"] = [net.private[0], net.private[1]]
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert operations(calls) == ["DescribeRouteTables", "ReplaceRouteTableAssociation"]
    assert result["diff"]["after"]["unit-private-a"]["subnets"] == []
    assert result["diff"]["after"]["unit-private-b"]["subnets"] == sorted(net.private)
    assert read_back(ec2, net.vpc)["unit-private-b"]["subnets"] == sorted(net.private)
    assert_ok(run(args), changed=False)


def test_an_unlisted_subnet_is_disassociated_unless_purge_subnets_is_false(run, args, ec2, net, calls):
    public_id = run(args)["route_tables"][0]["id"]
    ec2.associate_route_table(RouteTableId=public_id, SubnetId=net.spare)

    args["route_tables"][0]["purge_subnets"] = False
    result = run(args)
    assert_ok(result, changed=False)
    assert result["route_tables"][0]["subnets"] == sorted([*net.public, net.spare])

    args["route_tables"][0]["purge_subnets"] = True
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert operations(calls) == ["DescribeRouteTables", "DisassociateRouteTable"]
    assert result["diff"]["before"]["unit-public"]["subnets"] == sorted([*net.public, net.spare])
    assert result["diff"]["after"]["unit-public"]["subnets"] == sorted(net.public)
    tables = read_back(ec2, net.vpc)
    assert tables["unit-public"]["subnets"] == sorted(net.public)
    assert tables[MAIN]["subnets"] == []  # back on the main table's implicit association


def test_the_main_table_keeps_its_implicit_association(run, args, ec2, net):
    main_id = table_ids(ec2, net.vpc)[MAIN]
    main_association = ec2.describe_route_tables(RouteTableIds=[main_id])["RouteTables"][0]["Associations"]
    run(args)
    args["route_tables"] = [dict(table, subnets=[]) for table in args["route_tables"]]
    assert_ok(run(args), changed=True)
    assert ec2.describe_route_tables(RouteTableIds=[main_id])["RouteTables"][0]["Associations"] == main_association
    assert all(not table["subnets"] for table in read_back(ec2, net.vpc).values())


def test_tag_drift_is_repaired_but_aws_tags_stay(run, args, ec2, net, calls):
    ids = [t["id"] for t in run(args)["route_tables"]]
    ec2.delete_tags(Resources=ids, Tags=[{"Key": "Stack"}])
    ec2.create_tags(Resources=ids[:2], Tags=[{"Key": "Extra", "Value": "x"}, {"Key": "aws:cloudformation:stack-name",
                                                                              "Value": "old"}])

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    # one call per set of tags shared by the tables: Stack for all three, Extra off the first two
    assert sorted(operations(calls)) == ["CreateTags", "DeleteTags", "DescribeRouteTables"]
    assert result["diff"]["before"]["unit-public"]["tags"] == {
        "Extra": "x", "Name": "unit-public", "aws:cloudformation:stack-name": "old",
    }
    assert result["diff"]["after"]["unit-public"]["tags"] == {
        "Name": "unit-public", "Stack": "unit", "aws:cloudformation:stack-name": "old",
    }
    tables = read_back(ec2, net.vpc)
    assert tables["unit-public"]["tags"] == {"Name": "unit-public", "Stack": "unit", "aws:cloudformation:stack-name": "old"}
    assert tables["unit-private-b"]["tags"] == {"Name": "unit-private-b", "Stack": "unit"}
    assert_ok(run(args), changed=False)

    ec2.create_tags(Resources=ids[:1], Tags=[{"Key": "Extra", "Value": "x"}])
    assert_ok(run(dict(args, purge_tags=False)), changed=False)


def test_a_table_tagged_by_amazon_aws_is_adopted(run, args, ec2, net, calls):
    """The role's tables as amazon.aws.ec2_vpc_route_table left them: the stack's tags and Name."""
    existing = ec2.create_route_table(VpcId=net.vpc, TagSpecifications=[{
        "ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "unit-public"}, {"Key": "Stack", "Value": "unit"}],
    }])["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=existing, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    for subnet in net.public:
        ec2.associate_route_table(RouteTableId=existing, SubnetId=subnet)

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["route_tables"][0]["id"] == existing
    assert set(result["diff"]["after"]) == {"unit-private-a", "unit-private-b"}
    assert operations(calls).count("CreateRouteTable") == 2
    assert read_back(ec2, net.vpc) == expected_tables(net)


# --- refusals ---------------------------------------------------------------------------------------------------------


def test_two_tables_of_one_name_fail_naming_them(run, args, ec2, net, calls):
    tagged = [{"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "unit-public"}]}]
    first = ec2.create_route_table(VpcId=net.vpc, TagSpecifications=tagged)["RouteTable"]["RouteTableId"]
    second = ec2.create_route_table(VpcId=net.vpc, TagSpecifications=tagged)["RouteTable"]["RouteTableId"]
    before = read_back_ids(ec2, net.vpc)

    result = run(args)
    assert result["failed"]
    assert "'unit-public'" in result["msg"] and first in result["msg"] and second in result["msg"], result
    assert calls == [DESCRIBE]
    assert read_back_ids(ec2, net.vpc) == before


def read_back_ids(ec2, vpc_id):
    return sorted(t["RouteTableId"] for t in ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "RouteTables"])


def test_a_route_to_the_vpc_cidr_fails_before_any_change(run, args, ec2, net, calls):
    args["route_tables"][0]["routes"].append({"dest": "10.20.0.0/16", "gateway_id": net.igw})
    result = run(args)
    assert result["failed"] and "dest 10.20.0.0/16 is the VPC's local route" in result["msg"], result
    assert calls == [DESCRIBE]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a["route_tables"][2].update(name="unit-public"), "the name 'unit-public' is used more than once"),
        (lambda a: a["route_tables"][0]["routes"].append({"dest": "0.0.0.0/0", "gateway_id": "igw-1"}),
         "route table 'unit-public' route 1: dest 0.0.0.0/0 is given twice"),
        (lambda a: a["route_tables"][0]["routes"][0].update(dest="10.0.0.1/8"), "has host bits set"),
        (lambda a: a["route_tables"][0]["routes"][0].update(dest="2001:db8::/32"), "only IPv4 destinations"),
        (lambda a: a["route_tables"][0]["routes"][0].update(dest="default"), "is not an IPv4 CIDR block"),
        (lambda a: a["route_tables"][1]["routes"][0].update(gateway_id="igw-1"),
         "route table 'unit-private-a' route 0: dest 0.0.0.0/0: give exactly one target of gateway_id, nat_gateway_id"),
        (lambda a: a["route_tables"][1]["routes"].append({"dest": "10.1.0.0/16"}), "route 1: dest 10.1.0.0/16: give exactly"),
        (lambda a: a["route_tables"][0]["routes"][0].update(gateway_id="nat-1"), "a NAT gateway is nat_gateway_id"),
        (lambda a: a["route_tables"][0]["routes"][0].update(gateway_id="local"), "does not start with igw- or vgw-"),
        (lambda a: a["route_tables"][2]["subnets"].append(a["route_tables"][1]["subnets"][0]),
         "is also a subnet of route table 'unit-private-a'"),
        (lambda a: a["route_tables"][0]["subnets"].append("10.20.0.0/24"), "is not a subnet ID"),
        (lambda a: a["tags"].update(Name="x"), "tags: Name is each table's route_tables[].name"),
        (lambda a: a["tags"].update({"aws:x": "y"}), "reserved by AWS"),
    ],
)
def test_bad_input_fails_before_any_call(run, input_args, calls, change, message):
    change(input_args)
    result = run(input_args)
    assert result["failed"] and message in result["msg"], result
    assert calls == []


def test_every_input_error_is_reported_at_once(run, input_args, calls):
    input_args["route_tables"][0]["routes"][0]["dest"] = "10.0.0.1/8"
    input_args["route_tables"][1]["routes"][0]["gateway_id"] = "igw-1"
    input_args["route_tables"][2]["name"] = "unit-public"
    result = run(input_args)
    assert result["failed"] and len(result["msg"].splitlines()) == 3, result
    assert calls == []


# --- interruptions, eventual consistency ------------------------------------------------------------------------------


def test_an_interrupted_run_is_finished_without_a_second_table(run, args, ec2, net, calls, monkeypatch):
    tokens = []

    def interrupted(operation, params, proceed):
        if operation == "CreateRouteTable":
            tokens.append(params["ClientToken"])
        if operation == "CreateRoute":
            raise client_error("UnauthorizedOperation", operation, "the run ends here")  # after the tables' creates
        return proceed()

    with monkeypatch.context() as patch:
        intercept(patch, interrupted)
        assert run(args)["failed"]
    assert tokens[0] == idempotency_token("route-table", net.vpc, "unit-public")
    assert len(tokens[0]) <= 64
    assert set(read_back(ec2, net.vpc)) == {MAIN, "unit-public", "unit-private-a", "unit-private-b"}

    result = run(args)
    assert_ok(result, changed=True)
    assert "CreateRouteTable" not in operations(calls)  # found by Name
    assert read_back(ec2, net.vpc) == expected_tables(net)


def test_a_table_aws_does_not_list_yet_is_answered_by_its_client_token(run, args, ec2, net, calls, monkeypatch):
    """AWS answers a ClientToken it has seen with the table it created (moto does not: it creates another); here the
    test does, and DescribeRouteTables does not list the table of the interrupted run yet."""
    answered = {}
    hidden = set()

    def aws_idempotency(operation, params, proceed):
        if operation == "CreateRouteTable":
            if params["ClientToken"] not in answered:
                answered[params["ClientToken"]] = proceed()
            return copy.deepcopy(answered[params["ClientToken"]])
        response = proceed()
        if operation == "DescribeRouteTables":
            response["RouteTables"] = [t for t in response["RouteTables"] if t["RouteTableId"] not in hidden]
        return response

    intercept(monkeypatch, aws_idempotency)
    args["route_tables"] = args["route_tables"][:1]
    token = idempotency_token("route-table", net.vpc, "unit-public")
    ec2_table = ec2.create_route_table(VpcId=net.vpc, TagSpecifications=[{
        "ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "unit-public"}, {"Key": "Stack", "Value": "unit"}]
    }])
    answered[token] = ec2_table  # the create of the interrupted run, which also made a route then
    hidden.add(ec2_table["RouteTable"]["RouteTableId"])
    ec2.create_route(RouteTableId=ec2_table["RouteTable"]["RouteTableId"], DestinationCidrBlock="0.0.0.0/0",
                     NatGatewayId=net.nats[0])

    result = run(args)
    assert_ok(result, changed=True)
    # CreateRouteTable, answered by the test, is not recorded; CreateRoute answered RouteAlreadyExists: replaced
    assert operations(calls) == [
        "DescribeRouteTables", "CreateRoute", "ReplaceRoute", "AssociateRouteTable", "AssociateRouteTable",
    ]
    assert result["route_tables"][0]["id"] == ec2_table["RouteTable"]["RouteTableId"]
    hidden.clear()
    tables = read_back(ec2, net.vpc)
    assert set(tables) == {MAIN, "unit-public"}
    assert tables["unit-public"] == expected_tables(net)["unit-public"]


def test_a_client_token_used_with_other_tags_converges_the_table_it_made(run, args, ec2, net, calls, monkeypatch):
    existing = {}

    def mismatch(operation, params, proceed):
        if operation == "CreateRouteTable" and params["ClientToken"] == idempotency_token("route-table", net.vpc,
                                                                                          "unit-public"):
            existing["id"] = ec2.create_route_table(VpcId=net.vpc, TagSpecifications=[{
                "ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "unit-public"}, {"Key": "Old", "Value": "1"}]
            }])["RouteTable"]["RouteTableId"]
            raise client_error("IdempotentParameterMismatch", operation, "the token was used with other parameters")
        return proceed()

    intercept(monkeypatch, mismatch)
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["route_tables"][0]["id"] == existing["id"]
    assert result["diff"]["before"]["unit-public"]["tags"] == {"Name": "unit-public", "Old": "1"}
    assert read_back(ec2, net.vpc) == expected_tables(net)


def test_a_new_table_aws_does_not_know_yet_is_retried(run, args, ec2, net, sleeps, monkeypatch):
    attempts = []

    def not_yet(operation, params, proceed):
        if operation == "CreateRoute":
            attempts.append(params["RouteTableId"])
            if len(attempts) == 1:
                raise client_error("InvalidRouteTableID.NotFound", operation)
        return proceed()

    intercept(monkeypatch, not_yet)
    result = run(args)
    assert_ok(result, changed=True)
    assert attempts[0] == attempts[1] == result["route_tables"][0]["id"]
    assert len(sleeps) == 1
    assert read_back(ec2, net.vpc) == expected_tables(net)


def test_a_new_gateway_aws_does_not_know_yet_is_retried(run, args, ec2, net, sleeps, monkeypatch):
    assert_ok(run(args), changed=True)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    new_nat = ec2.create_nat_gateway(SubnetId=net.public[0], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    attempts = []

    def not_yet(operation, params, proceed):
        if operation == "ReplaceRoute":
            attempts.append(params["NatGatewayId"])
            if len(attempts) == 1:
                raise client_error("InvalidNatGatewayID.NotFound", operation, f"The natGateway ID '{new_nat}' does not exist")
        return proceed()

    intercept(monkeypatch, not_yet)
    args["route_tables"][1]["routes"] = [{"dest": "0.0.0.0/0", "nat_gateway_id": new_nat}]
    assert_ok(run(args), changed=True)
    assert attempts == [new_nat, new_nat]
    assert len(sleeps) == 1
    assert read_back(ec2, net.vpc)["unit-private-a"]["routes"] == [("0.0.0.0/0", new_nat)]


def test_a_blackhole_route_to_the_wanted_target_is_replaced_and_not_retried(run, args, net, sleeps, monkeypatch):
    """moto has no blackhole routes; here DescribeRouteTables shows zone a's NAT route as AWS does once the NAT gateway
    is deleted."""
    private_a = run(args)["route_tables"][1]["id"]
    replaced = []

    def blackhole(operation, params, proceed):
        if operation == "ReplaceRoute":
            replaced.append(params)
            raise client_error("InvalidNatGatewayID.NotFound", operation, f"The natGateway ID '{net.nats[0]}' does not exist")
        response = proceed()
        if operation == "DescribeRouteTables":
            for table in response["RouteTables"]:
                for route in table["Routes"]:
                    if table["RouteTableId"] == private_a and route.get("NatGatewayId"):
                        route["State"] = "blackhole"
        return response

    intercept(monkeypatch, blackhole)
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["before"]["unit-private-a"]["routes"] == [
        {"dest": "0.0.0.0/0", "nat_gateway_id": net.nats[0], "state": "blackhole"}
    ]
    assert result["diff"]["after"]["unit-private-a"]["routes"] == [{"dest": "0.0.0.0/0", "nat_gateway_id": net.nats[0]}]

    result = run(args)
    assert result["failed"]
    assert f"replace the route to 0.0.0.0/0 via {net.nats[0]} in route table 'unit-private-a'" in result["msg"], result
    assert replaced == [{"RouteTableId": private_a, "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": net.nats[0]}]
    assert sleeps == []  # AWS knew that gateway: it is gone, not new
