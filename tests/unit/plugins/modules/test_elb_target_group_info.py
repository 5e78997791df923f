"""cloudops.fargate.elb_target_group_info against moto in this process; target groups are made with
cloudops.fargate.elb_target_group (or boto3), so the info module's shape is compared with that module's."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils import _elb_target_group
from ansible_collections.cloudops.fargate.plugins.modules import elb_target_group
from ansible_collections.cloudops.fargate.plugins.modules import elb_target_group_info
from tests.unit.plugins.modules.test_documentation import documentation


@pytest.fixture
def ec2(aws):
    return aws("ec2")


@pytest.fixture
def elbv2(aws):
    return aws("elbv2")


@pytest.fixture
def vpc_id(ec2):
    return ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]


@pytest.fixture
def info(run_module):
    def run_info(args, check_mode=False):
        result = run_module(elb_target_group_info, args, check_mode=check_mode)
        assert not result["failed"], result.get("msg")
        assert result["changed"] is False
        return result

    return run_info


@pytest.fixture
def make(run_module, vpc_id):
    """Creates a target group with cloudops.fargate.elb_target_group; returns its ``target_group``."""

    def make_target_group(name, **extra):
        args = dict({"name": name, "vpc_id": vpc_id, "tags": {"Stack": "unit", "Name": name}}, **extra)
        result = run_module(elb_target_group, args)
        assert not result["failed"], result.get("msg")
        assert result["changed"]
        return result["target_group"]

    return make_target_group


def names_of(result):
    return [group["target_group_name"] for group in result["target_groups"]]


# --- by name -----------------------------------------------------------------------------------------------


def test_by_names_returns_the_shape_of_elb_target_group(make, info):
    web = make("unit-web", port=8080, deregistration_delay=10, stickiness={"enabled": True})
    api = make("unit-api", health_check={"path": "/ready", "matcher": "200"})
    make("unit-other")

    result = info({"names": ["unit-web", "unit-api"]})

    assert names_of(result) == ["unit-web", "unit-api"]  # the order asked for
    assert result["target_groups"] == [web, api]
    assert "targets" not in result["target_groups"][0]
    assert result["target_groups"][0]["port"] == 8080
    assert result["target_groups"][0]["tags"] == {"Stack": "unit", "Name": "unit-web"}


def test_a_missing_name_is_left_out(make, info):
    web = make("unit-web")

    result = info({"names": ["unit-missing", "unit-web", "unit-web"]})

    assert result["target_groups"] == [web]  # missing left out, duplicates once


def test_only_missing_names_is_an_empty_list(aws, info):
    assert info({"names": ["unit-missing"]})["target_groups"] == []


def test_empty_names_is_an_empty_list(make, info):
    make("unit-web")
    assert info({"names": []})["target_groups"] == []


def test_an_invalid_name_fails_before_any_call(run_module, aws):
    result = run_module(elb_target_group_info, {"names": ["unit-web", "bad_name!"]})

    assert result["failed"]
    assert "names[1]" in result["msg"]
    assert "letters, digits and hyphens" in result["msg"]


# --- all ---------------------------------------------------------------------------------------------------


def test_names_omitted_lists_every_target_group_by_name(make, info, elbv2):
    created = {name: make(name) for name in ("unit-web", "unit-api", "unit-worker")}

    result = info({})

    assert names_of(result) == ["unit-api", "unit-web", "unit-worker"]
    assert result["target_groups"] == [created[name] for name in names_of(result)]
    assert len(result["target_groups"]) == len(elbv2.describe_target_groups()["TargetGroups"])


def test_no_target_groups_is_an_empty_list(aws, info):
    assert info({"include_target_health": True})["target_groups"] == []


def test_lambda_target_group_has_the_shape_of_elb_target_group(make, info):
    fn = make("unit-fn", target_type="lambda", vpc_id=None)

    assert info({})["target_groups"] == [fn]


def test_check_mode_reads_the_same(make, info):
    make("unit-web")

    assert info({}, check_mode=True)["target_groups"] == info({})["target_groups"]


# --- target health -----------------------------------------------------------------------------------------


def test_include_target_health_lists_registered_targets(make, info, elbv2):
    web = make("unit-web", port=8080)
    make("unit-api")
    elbv2.register_targets(
        TargetGroupArn=web["target_group_arn"], Targets=[{"Id": "10.30.1.25", "Port": 8080}, {"Id": "10.30.1.7"}]
    )
    expected_state = {
        item["Target"]["Id"]: item["TargetHealth"]["State"]
        for item in elbv2.describe_target_health(TargetGroupArn=web["target_group_arn"])["TargetHealthDescriptions"]
    }

    result = info({"include_target_health": True})

    by_name = {group["target_group_name"]: group for group in result["target_groups"]}
    assert by_name["unit-api"]["targets"] == []
    targets = by_name["unit-web"]["targets"]
    assert [(t["id"], t["port"]) for t in targets] == [("10.30.1.25", 8080), ("10.30.1.7", 8080)]
    for target in targets:
        assert set(target) == {"id", "port", "availability_zone", "state", "reason", "description"}
        assert target["state"] == expected_state[target["id"]]
    # everything else is the target group as elb_target_group returns it
    assert {key: value for key, value in by_name["unit-web"].items() if key != "targets"} == web


def test_include_target_health_by_name(make, info, elbv2):
    web = make("unit-web")
    elbv2.register_targets(TargetGroupArn=web["target_group_arn"], Targets=[{"Id": "10.30.1.25"}])

    result = info({"names": ["unit-web"], "include_target_health": True})

    assert [(t["id"], t["port"]) for t in result["target_groups"][0]["targets"]] == [("10.30.1.25", 80)]


@pytest.mark.parametrize(
    "description, expected",
    [
        (
            {
                "Target": {"Id": "10.30.1.25", "Port": 8080, "AvailabilityZone": "us-east-1a"},
                "HealthCheckPort": "8080",
                "TargetHealth": {
                    "State": "unhealthy",
                    "Reason": "Target.FailedHealthChecks",
                    "Description": "Health checks failed",
                },
            },
            {
                "id": "10.30.1.25",
                "port": 8080,
                "availability_zone": "us-east-1a",
                "state": "unhealthy",
                "reason": "Target.FailedHealthChecks",
                "description": "Health checks failed",
            },
        ),
        (
            {
                "Target": {"Id": "10.30.2.9", "Port": 80, "AvailabilityZone": "us-east-1b"},
                "TargetHealth": {
                    "State": "unhealthy",
                    "Reason": "Target.ResponseCodeMismatch",
                    "Description": "Health checks failed with these codes: [404]",
                },
            },
            {
                "id": "10.30.2.9",
                "port": 80,
                "availability_zone": "us-east-1b",
                "state": "unhealthy",
                "reason": "Target.ResponseCodeMismatch",
                "description": "Health checks failed with these codes: [404]",
            },
        ),
        (
            {"Target": {"Id": "10.30.1.25", "Port": 8080}, "TargetHealth": {"State": "healthy"}},
            {
                "id": "10.30.1.25",
                "port": 8080,
                "availability_zone": None,
                "state": "healthy",
                "reason": None,
                "description": None,
            },
        ),
        (
            {"Target": {"Id": "arn:aws:lambda:us-east-1:123456789012:function:fn"}, "TargetHealth": {}},
            {
                "id": "arn:aws:lambda:us-east-1:123456789012:function:fn",
                "port": None,
                "availability_zone": None,
                "state": None,
                "reason": None,
                "description": None,
            },
        ),
    ],
)
def test_normalize_target_health(description, expected):
    assert _elb_target_group.normalize_target_health(description) == expected


# --- pagination and vanishing target groups (a fake client: moto 5.2.5 returns one page) ------------------


class _FakeModule:
    check_mode = False

    def __init__(self, elbv2):
        self._elbv2 = elbv2

    def client(self, service, retry_decorator=None, **_config):
        assert service == "elbv2"
        return self._elbv2

    def fail_json_aws(self, exception, msg):
        raise AssertionError(f"{msg}: {exception}")


class _PagedElbv2:
    """DescribeTargetGroups in pages of one; the target group ``gone`` is deleted before it is read."""

    def __init__(self, names):
        self.names = names
        self.markers = []

    def describe_target_groups(self, aws_retry, Marker=None):
        self.markers.append(Marker)
        index = int(Marker or 0)
        page = {"TargetGroups": [{"TargetGroupArn": f"arn:{self.names[index]}", "TargetGroupName": self.names[index]}]}
        if index + 1 < len(self.names):
            page["NextMarker"] = str(index + 1)
        return page

    def _existing(self, arn):
        if arn == "arn:gone":
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "TargetGroupNotFound", "Message": "gone"}}, "Describe")

    def describe_target_group_attributes(self, aws_retry, TargetGroupArn):
        self._existing(TargetGroupArn)
        return {"Attributes": []}

    def describe_tags(self, aws_retry, ResourceArns):
        self._existing(ResourceArns[0])
        return {"TagDescriptions": [{"ResourceArn": ResourceArns[0], "Tags": [{"Key": "Stack", "Value": "unit"}]}]}

    def describe_target_health(self, aws_retry, TargetGroupArn):
        self._existing(TargetGroupArn)
        return {"TargetHealthDescriptions": []}


def test_every_page_is_read_and_a_vanished_target_group_is_left_out():
    elbv2 = _PagedElbv2(["c", "gone", "a", "b"])
    manager = _elb_target_group.TargetGroupInfoManager(_FakeModule(elbv2))

    groups = manager.list_target_groups(None, include_target_health=True)

    assert elbv2.markers == [None, "1", "2", "3"]
    assert [group["target_group_name"] for group in groups] == ["a", "b", "c"]
    assert all(group["tags"] == {"Stack": "unit"} and group["targets"] == [] for group in groups)


# --- documentation -------------------------------------------------------------------------------------------


def test_returned_fields_are_those_of_elb_target_group():
    """The documented fields of a target group are elb_target_group's, plus ``targets``."""
    info_fields = documentation(elb_target_group_info, "RETURN")["target_groups"]["contains"]
    model_fields = documentation(elb_target_group, "RETURN")["target_group"]["contains"]
    assert set(info_fields) == set(model_fields) | {"targets"}
    for name, field in model_fields.items():
        assert info_fields[name].get("contains") == field.get("contains"), name
        assert info_fields[name]["type"] == field["type"], name
