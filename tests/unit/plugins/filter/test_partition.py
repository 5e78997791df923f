"""Unit tests of plugins/filter/partition.py: the caller's partition, the ELB log delivery principal and VPC
endpoint service names, in aws, aws-cn and aws-us-gov."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.fargate.plugins.filter.partition import ELB_LOG_DELIVERY_SERVICE
from ansible_collections.cloudops.fargate.plugins.filter.partition import FilterModule
from ansible_collections.cloudops.fargate.plugins.filter.partition import arn_partition
from ansible_collections.cloudops.fargate.plugins.filter.partition import elb_log_delivery_principal
from ansible_collections.cloudops.fargate.plugins.filter.partition import vpc_endpoint_service_name

# A part of the role's table (roles/loadbalancer/vars/main.yml), one region of each partition and kind.
ELB_ACCOUNTS = {
    "us-east-1": "127311923021",
    "eu-west-1": "156460612806",
    "cn-north-1": "638102146993",
    "cn-northwest-1": "037604701340",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
}

# --- arn_partition --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arn", "partition"),
    [
        ("arn:aws:sts::123456789012:assumed-role/deploy/session", "aws"),
        ("arn:aws:iam::123456789012:user/moto", "aws"),
        ("arn:aws-cn:sts::123456789012:assumed-role/deploy/session", "aws-cn"),
        ("arn:aws-us-gov:sts::123456789012:assumed-role/deploy/session", "aws-us-gov"),
        ("arn:aws-iso-b:iam::123456789012:root", "aws-iso-b"),
    ],
)
def test_arn_partition_is_the_second_field(arn, partition):
    assert arn_partition(arn) == partition


@pytest.mark.parametrize("arn", ["", "aws:sts::123456789012:x", "arn::sts::123456789012:x", "arn:aws:sts", None, 42])
def test_arn_partition_refuses_what_is_not_an_arn(arn):
    with pytest.raises(AnsibleFilterError, match="not an ARN"):
        arn_partition(arn)


# --- elb_log_delivery_principal -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "partition", "principal"),
    [
        ("us-east-1", "aws", {"AWS": "arn:aws:iam::127311923021:root"}),
        ("eu-west-1", "aws", {"AWS": "arn:aws:iam::156460612806:root"}),
        ("cn-north-1", "aws-cn", {"AWS": "arn:aws-cn:iam::638102146993:root"}),
        ("cn-northwest-1", "aws-cn", {"AWS": "arn:aws-cn:iam::037604701340:root"}),
        ("us-gov-west-1", "aws-us-gov", {"AWS": "arn:aws-us-gov:iam::048591011584:root"}),
        ("us-gov-east-1", "aws-us-gov", {"AWS": "arn:aws-us-gov:iam::190560391635:root"}),
    ],
)
def test_regions_in_the_table_deliver_from_their_elb_account_in_the_partition(region, partition, principal):
    assert elb_log_delivery_principal(region, partition, ELB_ACCOUNTS) == principal


@pytest.mark.parametrize("region", ["ap-south-2", "eu-central-2", "me-central-1", "il-central-1", "ca-west-1", "mx-central-1"])
def test_regions_outside_the_table_deliver_through_the_service_principal(region):
    assert elb_log_delivery_principal(region, "aws", ELB_ACCOUNTS) == {"Service": ELB_LOG_DELIVERY_SERVICE}
    assert ELB_LOG_DELIVERY_SERVICE == "logdelivery.elasticloadbalancing.amazonaws.com"


def test_no_table_means_the_service_principal():
    assert elb_log_delivery_principal("us-east-1", "aws", None) == {"Service": ELB_LOG_DELIVERY_SERVICE}


def test_an_empty_region_is_an_error_not_a_guess():
    with pytest.raises(AnsibleFilterError, match="region is empty"):
        elb_log_delivery_principal("", "aws", ELB_ACCOUNTS)


def test_the_roles_table_has_every_partition():
    """The role's own table: the regions of before August 2022, China and GovCloud included."""
    import pathlib

    import yaml

    vars_file = pathlib.Path(__file__).parents[4] / "roles" / "loadbalancer" / "vars" / "main.yml"
    table = yaml.safe_load(vars_file.read_text())["__loadbalancer_elb_log_accounts"]
    for region, account in ELB_ACCOUNTS.items():
        assert table[region] == account
    assert all(isinstance(account, str) and len(account) == 12 and account.isdigit() for account in table.values())
    assert elb_log_delivery_principal("ap-southeast-4", "aws", table) == {"Service": ELB_LOG_DELIVERY_SERVICE}


# --- vpc_endpoint_service_name --------------------------------------------------------------------------------

CN_NORTH_1 = [
    "cn.com.amazonaws.cn-north-1.ecr.api",
    "cn.com.amazonaws.cn-north-1.ecr.dkr",
    "com.amazonaws.cn-north-1.logs",
    "com.amazonaws.cn-north-1.s3",
]


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("ecr.api", "cn.com.amazonaws.cn-north-1.ecr.api"),
        ("ecr.dkr", "cn.com.amazonaws.cn-north-1.ecr.dkr"),
        ("logs", "com.amazonaws.cn-north-1.logs"),
        ("s3", "com.amazonaws.cn-north-1.s3"),
        # not offered at all: the standard name, and AWS says it does not exist
        ("sqs", "com.amazonaws.cn-north-1.sqs"),
    ],
)
def test_china_endpoint_services_take_the_name_the_region_lists(service, expected):
    assert vpc_endpoint_service_name(service, "cn-north-1", CN_NORTH_1) == expected


@pytest.mark.parametrize("region", ["us-east-1", "us-gov-west-1", "ap-south-2"])
def test_elsewhere_the_name_is_the_standard_one(region):
    assert vpc_endpoint_service_name("ecr.dkr", region) == f"com.amazonaws.{region}.ecr.dkr"
    assert vpc_endpoint_service_name("ecr.dkr", region, []) == f"com.amazonaws.{region}.ecr.dkr"


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {"arn_partition", "elb_log_delivery_principal", "vpc_endpoint_service_name"}
