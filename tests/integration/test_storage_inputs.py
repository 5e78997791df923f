"""Bad storage inputs fail with a message naming the variable, before anything of the layer exists."""

from __future__ import annotations

import pytest

from tests.integration.aws_state import tags_of
from tests.integration.conftest import reset_emulator


@pytest.fixture(scope="module")
def network(emulator_endpoint, playbook, aws, tmp_path_factory):
    reset_emulator(emulator_endpoint)
    run = playbook(args=["--tags", "network"])
    assert run.returncode == 0, run.failure_messages()
    ec2 = aws("ec2")
    other_vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    other_subnet = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.99.1.0/24")["Subnet"]["SubnetId"]
    root = tmp_path_factory.mktemp("storage-inputs")
    return {
        "other_subnet": other_subnet,
        "vars": {
            "storage_efs_mount_path": str(root / "efs"),
            "storage_pki_dir": str(root / "pki"),
        },
    }


BAD_INPUTS = {
    "client CIDR overlapping the VPC": ({"storage_vpn_client_cidr": "10.20.4.0/22"}, "storage_vpn_client_cidr"),
    "client CIDR too small": ({"storage_vpn_client_cidr": "172.30.0.0/24"}, "storage_vpn_client_cidr"),
    "client CIDR too large": ({"storage_vpn_client_cidr": "172.0.0.0/11"}, "storage_vpn_client_cidr"),
    "unknown throughput mode": ({"storage_efs_throughput_mode": "turbo"}, "storage_efs_throughput_mode"),
    "provisioned without throughput": ({"storage_efs_throughput_mode": "provisioned"}, "storage_efs_provisioned_throughput_mibps"),
    "relative access point path": (
        {"storage_access_points": [{"name": "config", "path": "nginx/conf.d", "uid": 101, "gid": 101, "permissions": "0755"},
                                   {"name": "ui", "path": "/nginx/html", "uid": 101, "gid": 101, "permissions": "0755"}]},
        "storage_access_points",
    ),
    "access point rooted at /": (
        {"storage_access_points": [{"name": "config", "path": "/", "uid": 101, "gid": 101, "permissions": "0755"},
                                   {"name": "ui", "path": "/nginx/html", "uid": 101, "gid": 101, "permissions": "0755"}]},
        "storage_access_points",
    ),
    "missing content directory": ({"storage_content_src": "/nonexistent/ui"}, "storage_content_src"),
    "missing mount path": ({"storage_efs_mount_path_create": False}, "storage_efs_mount_path"),
    "operator named like the CA": ({"storage_vpn_operators": ["ca"]}, "storage_vpn_operators"),
}


@pytest.mark.parametrize("bad_vars, variable", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_fails_naming_the_variable_and_creates_nothing(network, playbook, aws, bad_vars, variable):
    run = playbook(args=["--tags", "storage"], extra_vars={**network["vars"], **bad_vars})
    assert run.returncode != 0
    assert variable in run.failure_messages() + run.stderr
    assert_nothing_of_the_layer(aws)


def test_mount_target_subnet_outside_the_vpc_is_refused(network, playbook, aws):
    run = playbook(
        args=["--tags", "storage"],
        extra_vars={**network["vars"], "storage_mount_target_subnet_ids": [network["other_subnet"]]},
    )
    assert run.returncode != 0
    assert "storage_mount_target_subnet_ids" in run.failure_messages()
    assert network["other_subnet"] in run.failure_messages()
    assert_nothing_of_the_layer(aws)


def assert_nothing_of_the_layer(aws) -> None:
    assert aws("efs").describe_file_systems()["FileSystems"] == []
    endpoints = aws("ec2").describe_client_vpn_endpoints()["ClientVpnEndpoints"]
    assert [e for e in endpoints if tags_of(e).get("Stack") == "demo"] == []
    assert aws("acm").list_certificates()["CertificateSummaryList"] == []
