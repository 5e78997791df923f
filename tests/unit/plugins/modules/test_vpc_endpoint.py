"""cloudops.fargate.vpc_endpoint against moto in this process, with the emulator's endpoint states (pending, failed,
deleting) installed; every outcome is read back with boto3."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils import _vpc_endpoint
from ansible_collections.cloudops.fargate.plugins.modules import vpc_endpoint
from emulator import realism
from emulator.extensions import ec2_vpc_endpoint_states
from tests.unit.helpers import assert_ok, four_steps

SERVICE = "com.amazonaws.us-east-1.ecr.api"
NAME = "unit-ecr.api"


@pytest.fixture(autouse=True)
def endpoint_states():
    """AWS's endpoint lifecycle; plain mode keeps moto's immediate states but for the failure marker."""
    ec2_vpc_endpoint_states.install()
    yield
    realism.reset()


@pytest.fixture
def ec2(aws):
    return aws("ec2")


@pytest.fixture
def network(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("abc")
    ]
    groups = [
        ec2.create_security_group(GroupName=f"unit-{i}", Description="unit", VpcId=vpc_id)["GroupId"] for i in range(2)
    ]
    tables = [ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"] for _table in range(2)]
    return {"vpc_id": vpc_id, "subnets": subnets, "groups": groups, "tables": tables}


@pytest.fixture
def args(network):
    return {
        "name": NAME,
        "vpc_id": network["vpc_id"],
        "service_name": SERVICE,
        "subnet_ids": network["subnets"][:2],
        "security_group_ids": network["groups"][:1],
        "tags": {"Stack": "unit"},
        "wait_delay": 1,
    }


@pytest.fixture
def run(run_module):
    def run_endpoint(args, check_mode=False, diff=False):
        return run_module(vpc_endpoint, args, check_mode=check_mode, diff=diff)

    return run_endpoint


def endpoints(ec2, name=NAME):
    return ec2.describe_vpc_endpoints(Filters=[{"Name": "tag:Name", "Values": [name]}])["VpcEndpoints"]


def live(ec2, name=NAME):
    found = [e for e in endpoints(ec2, name) if e["State"].lower() in _vpc_endpoint.LIVE_STATES]
    assert len(found) <= 1, found
    return found[0] if found else None


def settings(endpoint):
    if endpoint is None:
        return None
    return {
        "subnets": sorted(endpoint.get("SubnetIds", [])),
        "groups": sorted(g["GroupId"] for g in endpoint.get("Groups", [])),
        "tables": sorted(endpoint.get("RouteTableIds", [])),
        "tags": {t["Key"]: t["Value"] for t in endpoint.get("Tags", [])},
        "state": endpoint["State"],
    }


# --- the four steps -------------------------------------------------------------------------------------


def test_interface_endpoint_four_steps(run, args, ec2, network):
    predicted = {
        "subnet_ids": sorted(network["subnets"][:2]),
        "security_group_ids": network["groups"][:1],
        "vpc_id": network["vpc_id"],
        "service_name": SERVICE,
        "vpc_endpoint_type": "Interface",
        "state": "pending",
        "tags": {"Stack": "unit", "Name": NAME},
    }
    four_steps(
        run,
        args,
        ec2,
        lambda c: settings(live(c)),
        {
            "subnets": sorted(network["subnets"][:2]),
            "groups": network["groups"][:1],
            "tables": [],
            "tags": {"Stack": "unit", "Name": NAME},
            "state": "available",
        },
        {},
        predicted,
        key="vpc_endpoint",
        normalise=lambda e: {k: e.get(k) for k in ("subnet_ids", "security_group_ids", "service_name", "tags")},
    )


def test_gateway_endpoint_with_route_tables(run, network, ec2):
    args = {
        "name": "unit-s3",
        "vpc_id": network["vpc_id"],
        "service_name": "com.amazonaws.us-east-1.s3",
        "endpoint_type": "Gateway",
        "route_table_ids": network["tables"][:1],
    }
    result = run(args)
    assert_ok(result, changed=True)
    assert result["vpc_endpoint"]["state"] == "available"
    assert settings(live(ec2, "unit-s3"))["tables"] == network["tables"][:1]
    assert_ok(run(args), changed=False)

    moved = run(dict(args, route_table_ids=network["tables"]), diff=True)
    assert_ok(moved, changed=True)
    assert moved["diff"] == {
        "before": {"route_table_ids": network["tables"][:1]},
        "after": {"route_table_ids": sorted(network["tables"])},
    }
    assert settings(live(ec2, "unit-s3"))["tables"] == sorted(network["tables"])


# --- update in place --------------------------------------------------------------------------------------


def test_subnets_and_groups_change_in_place_and_check_mode_only_predicts(run, args, ec2, network):
    assert_ok(run(args), changed=True)
    endpoint_id = live(ec2)["VpcEndpointId"]
    moved = dict(args, subnet_ids=network["subnets"][1:], security_group_ids=network["groups"])

    predicted = run(moved, check_mode=True, diff=True)
    assert_ok(predicted, changed=True)
    assert predicted["diff"]["before"]["subnet_ids"] == sorted(network["subnets"][:2])
    assert predicted["diff"]["after"]["subnet_ids"] == sorted(network["subnets"][1:])
    assert settings(live(ec2))["subnets"] == sorted(network["subnets"][:2])

    assert_ok(run(moved), changed=True)
    endpoint = live(ec2)
    assert endpoint["VpcEndpointId"] == endpoint_id
    assert settings(endpoint)["subnets"] == sorted(network["subnets"][1:])
    assert settings(endpoint)["groups"] == sorted(network["groups"])
    assert_ok(run(moved), changed=False)


def test_unset_options_are_left_alone_and_tags_are_purged(run, args, ec2):
    assert_ok(run(args), changed=True)
    result = run(dict(args, subnet_ids=None, security_group_ids=None, tags={"Team": "web"}), diff=True)
    assert_ok(result, changed=True)
    assert list(result["diff"]["before"]) == ["tags"]
    assert settings(live(ec2))["tags"] == {"Team": "web", "Name": NAME}


def test_policy_compares_as_data(run, args, ec2):
    statement = {"Effect": "Allow", "Principal": "*", "Action": "ecr:*", "Resource": "*"}
    assert_ok(run(dict(args, policy={"Version": "2012-10-17", "Statement": [statement]})), changed=True)
    reordered = '{"Statement": [{"Resource": "*", "Action": "ecr:*", "Principal": "*", "Effect": "Allow"}], ' \
        '"Version": "2012-10-17"}'
    assert_ok(run(dict(args, policy=reordered)), changed=False)


# --- what AWS lists beside the live endpoint -----------------------------------------------------------------


def test_a_failed_endpoint_fails_the_run_with_aws_reason_and_the_next_run_replaces_it(run, args, ec2):
    args = dict(args, name="unit-failnet-ecr")
    failed = run(args)
    assert failed["failed"]
    assert "InternalError" in failed["msg"] and failed["vpc_endpoint"]["state"] == "failed", failed
    failed_id = failed["vpc_endpoint"]["vpc_endpoint_id"]

    replaced = run(args)
    assert_ok(replaced, changed=True)
    assert replaced["replaced"] == [failed_id]
    assert replaced["vpc_endpoint"]["state"] == "available"
    assert replaced["vpc_endpoint"]["vpc_endpoint_id"] != failed_id
    states = {e["VpcEndpointId"]: e["State"] for e in endpoints(ec2, "unit-failnet-ecr")}
    assert states[failed_id] in ("deleting", "deleted")
    assert_ok(run(args), changed=False)


def test_check_mode_predicts_the_replacement_of_a_failed_endpoint(run, args, ec2):
    args = dict(args, name="unit-failnet-check", wait=False)
    assert_ok(run(args), changed=True)
    (endpoint,) = endpoints(ec2, "unit-failnet-check")
    assert endpoint["State"] == "failed"  # plain mode: failed at the first describe

    predicted = run(args, check_mode=True)
    assert_ok(predicted, changed=True)
    assert predicted["replaced"] == [endpoint["VpcEndpointId"]]
    assert [e["State"] for e in endpoints(ec2, "unit-failnet-check")] == ["failed"]


def test_an_endpoint_deleted_behind_the_module_is_created_again_with_a_new_token(run, args, ec2, monkeypatch):
    tokens = []
    original = _vpc_endpoint.idempotency_token

    def recording_token(*parts):
        tokens.append(original(*parts))
        return tokens[-1]

    monkeypatch.setattr(_vpc_endpoint, "idempotency_token", recording_token)
    first = run(args)["vpc_endpoint"]["vpc_endpoint_id"]
    ec2.delete_vpc_endpoints(VpcEndpointIds=[first])
    assert [e["State"] for e in endpoints(ec2)] == ["deleted"]  # AWS lists it for a while

    again = run(args)
    assert_ok(again, changed=True)
    assert again["vpc_endpoint"]["vpc_endpoint_id"] != first
    assert len(tokens) == 2 and tokens[0] != tokens[1], "the first token: EC2 would answer with the deleted endpoint"


def test_absent_deletes_live_and_failed_endpoints_and_waits(run, args, ec2):
    assert_ok(run(dict(args, name="unit-failnet-gone", wait=False)), changed=True)
    assert_ok(run(dict(args, name="unit-failnet-gone")), changed=True)  # the failed one replaced
    assert_ok(run(dict(args, name="unit-failnet-gone", state="absent"), check_mode=True), changed=True)
    assert live(ec2, "unit-failnet-gone") is not None

    gone = run(dict(args, name="unit-failnet-gone", state="absent"))
    assert_ok(gone, changed=True)
    assert gone["vpc_endpoint"] == {}
    assert {e["State"] for e in endpoints(ec2, "unit-failnet-gone")} == {"deleted"}
    assert_ok(run(dict(args, name="unit-failnet-gone", state="absent")), changed=False)


# --- waiting ---------------------------------------------------------------------------------------------------


def test_wait_false_returns_pending_and_wait_times_out_naming_the_state(run, args, ec2):
    realism.configure({"realistic": True, "time_scale": 1.0, "throttle_rate": 0.0,
                       "behaviour_seconds": {"vpc_endpoint.pending": 30}})
    started = run(dict(args, wait=False))
    assert_ok(started, changed=True)
    assert started["vpc_endpoint"]["state"] == "pending"

    timed_out = run(dict(args, wait_timeout=1))
    assert timed_out["failed"]
    assert "Timed out after 1 s" in timed_out["msg"] and "it is pending" in timed_out["msg"], timed_out


def test_wait_ends_when_the_endpoint_is_available(run, args, ec2):
    realism.configure({"realistic": True, "time_scale": 1.0, "throttle_rate": 0.0,
                       "behaviour_seconds": {"vpc_endpoint.pending": 1.5}})
    result = run(args)
    assert_ok(result, changed=True)
    assert result["vpc_endpoint"]["state"] == "available"


# --- input ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"route_table_ids": ["rtb-1"]}, "route_table_ids is for Gateway endpoints"),
        ({"endpoint_type": "Gateway"}, "subnet_ids is for Interface endpoints"),
        ({"wait_delay": 0}, "wait_delay"),
    ],
)
def test_bad_input_fails_before_any_call(run, args, calls, extra, message):
    result = run(dict(args, **extra))
    assert result["failed"] and message in result["msg"], result
    assert calls == []


def test_the_type_cannot_change(run, args, network):
    assert_ok(run(args), changed=True)
    gateway = dict(args, endpoint_type="Gateway", subnet_ids=None, security_group_ids=None)
    result = run(gateway)
    assert result["failed"] and "the type cannot change" in result["msg"], result


def test_modification_and_settings_pure():
    current = {"subnet_ids": ["a", "b"], "security_group_ids": ["g"], "private_dns_enabled": True}
    assert _vpc_endpoint.modification(current, {"subnet_ids": ["b", "c"], "private_dns_enabled": False}) == {
        "AddSubnetIds": ["c"],
        "RemoveSubnetIds": ["a"],
        "PrivateDnsEnabled": False,
    }
    assert _vpc_endpoint.modification(current, {"subnet_ids": ["b", "a", "a"]}) == {}
    assert _vpc_endpoint.wanted_settings({"subnet_ids": ["b", "a", "b"], "policy": '{"a": 1}'}) == {
        "subnet_ids": ["a", "b"],
        "policy_document": {"a": 1},
    }
    assert _vpc_endpoint.state_of({"State": "pendingAcceptance"}) in _vpc_endpoint.LIVE_STATES
