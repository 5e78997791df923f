"""README command lines on an empty account (tests/integration/readme.py runs them as a user does): bad input of every
layer stops site.yml before anything is created, and preflight.yml warns about quotas and zones before a first build.
The runs on a built stack are test_readme_runs.py's."""

from __future__ import annotations

import pytest

from tests.integration.aws_state import stack_resources
from tests.integration.conftest import reset_emulator, unsupported_zones

# An endpoint service that does not cover every zone of the stack, as AWS has in some accounts and regions.
ECR_DKR = "com.amazonaws.us-east-1.ecr.dkr"


# One bad input per layer; each must stop the run before the first layer creates anything.
BAD_INPUTS = {
    "network": ("network_az_count=9", "network_az_count (9) must be from 2 to 6"),
    "registry": ("registry_keep_image_count=0", "registry_keep_image_count (0)"),
    "storage": ("storage_efs_transition_to_ia=AFTER_2_DAYS", "storage_efs_transition_to_ia (AFTER_2_DAYS)"),
    "loadbalancer": ("loadbalancer_certificate_arn=arn:aws:iam::1:x", "loadbalancer_certificate_arn (arn:aws:iam::1:x)"),
    "fargate": ("fargate_cpu=300", "fargate_cpu (300)"),
}


@pytest.mark.parametrize("layer", list(BAD_INPUTS))
def test_bad_input_of_any_layer_stops_site_on_an_empty_account(emulator_endpoint, readme, aws, layer):
    reset_emulator(emulator_endpoint)
    option, message = BAD_INPUTS[layer]
    refused = readme(f".venv/bin/ansible-playbook site.yml -e {option}")
    assert refused.returncode != 0
    assert message in " ".join(refused.output.split()), refused.output[-3000:]
    assert refused.recap()["changed"] == 0
    assert stack_resources(aws, "demo") == {}


def test_preflight_on_an_empty_account_warns_about_quotas_and_zones_before_a_build(emulator_endpoint, readme, aws):
    reset_emulator(emulator_endpoint)
    ec2 = aws("ec2")
    taken = [ec2.allocate_address(Domain="vpc")["AllocationId"] for _address in range(5)]  # the region's default quota
    unsupported_zones(emulator_endpoint, ECR_DKR, ["us-east-1b"])
    checked = readme(".venv/bin/ansible-playbook playbooks/preflight.yml")
    output = " ".join(checked.output.split())
    assert checked.returncode != 0 and "run site.yml first" in output, checked.output[-5000:]
    assert (
        "EC2-VPC Elastic IPs (ec2 L-0263D0A3): 1 more needed for the stack's NAT gateways, 5 of 5 already in use in "
        "us-east-1" in output
    ), checked.output[-5000:]
    assert "The endpoint service com.amazonaws.us-east-1.ecr.dkr does not cover us-east-1b" in output
    assert "Client VPN endpoints per Region" not in output  # 1 more of 5, none in use
    assert len(ec2.describe_addresses()["Addresses"]) == len(taken)
