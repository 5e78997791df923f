"""A run killed half-way then started again, and a change of NAT mode on the stack it leaves.

Two stacks in one inventory are tested on the whole stack, in test_whole_stack.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.integration.aws_state import stack_network, tag_filters, tags_of
from tests.integration.conftest import LOCAL_INVENTORY, REPO_ROOT, _ansible_env, realism, reset_emulator

# These scenarios are about the network layer alone; the other layers only add time.
NETWORK_ONLY = ["--tags", "network"]
INTERFACE_SERVICES = [f"com.amazonaws.us-east-1.{service}" for service in ("ecr.api", "ecr.dkr", "logs")]
# The NAT gateway scenarios leave out what they are not about: endpoints and flow logs only cost the CI time.
PER_AZ = {"network_nat_mode": "per_az", "network_vpc_endpoints_enabled": False, "network_flow_logs_enabled": False}
SINGLE = dict(PER_AZ, network_nat_mode="single")


def test_a_run_killed_after_starting_the_nat_gateway_leaves_one_eip_and_one_gateway(emulator_endpoint, playbook, aws):
    reset_emulator(emulator_endpoint)
    env = _ansible_env(emulator_endpoint)
    env["ANSIBLE_STDOUT_CALLBACK"] = "default"
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(LOCAL_INVENTORY), "site.yml",
               "--tags", "network", "-e", json.dumps(PER_AZ)]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    deadline = time.monotonic() + 300
    killed = False
    for line in process.stdout:
        # The gateways were requested and the run moves on: kill it as a lost runner would die.
        if "Route the public subnets to the internet gateway" in line:
            os.killpg(process.pid, signal.SIGKILL)
            killed = True
            break
        assert time.monotonic() < deadline
    process.wait(timeout=60)
    assert killed, "the run never reached the NAT gateways"
    half_built = stack_network(aws, "demo")
    assert len(half_built["nat_gateways"]) == 2
    assert half_built["route_tables"] == [] or all("private" not in tags_of(t)["Name"] for t in half_built["route_tables"])

    run = playbook(extra_vars=PER_AZ, args=NETWORK_ONLY)
    assert run.returncode == 0, run.failure_messages()

    network = stack_network(aws, "demo")
    assert len(network["addresses"]) == 2
    assert len(network["nat_gateways"]) == 2
    assert {n["NatGatewayAddresses"][0]["AllocationId"] for n in network["nat_gateways"]} == {
        a["AllocationId"] for a in network["addresses"]
    }
    assert len(network["vpcs"]) == 1 and len(network["subnets"]) == 4


def test_switching_from_per_az_to_single_removes_the_other_gateways(emulator_endpoint, playbook, aws):
    # Goes on from the per-AZ stack the run above finished.
    if len(stack_network(aws, "demo")["nat_gateways"]) != 2:
        reset_emulator(emulator_endpoint)
        assert playbook(extra_vars=PER_AZ, args=NETWORK_ONLY).returncode == 0
    assert len(stack_network(aws, "demo")["nat_gateways"]) == 2

    preview = playbook(extra_vars=SINGLE, check=True, args=NETWORK_ONLY)
    assert preview.returncode == 0, preview.failure_messages()
    assert len(stack_network(aws, "demo")["nat_gateways"]) == 2, "check mode deleted a gateway"

    # A deleted gateway's network interface outlives it and holds its Elastic IP (AuthFailure on release): awaited
    # with progress, then released once.
    realism(emulator_endpoint, behaviour_seconds={"network_interface.lingering": 6})
    try:
        run = playbook(extra_vars=SINGLE, args=NETWORK_ONLY)
    finally:
        realism(emulator_endpoint, behaviour_seconds={})
    assert run.returncode == 0, run.failure_messages()
    (let_go,) = run.task_results("Wait for the Elastic IPs to be let go")
    assert let_go["attempts"] > 1, "the deleted gateway's interface did not hold its address"
    (released,) = run.task_results("Release each Elastic IP")
    assert released["changed"] and released.get("attempts", 1) == 1, "released while still held"
    network = stack_network(aws, "demo")
    assert [tags_of(n)["Name"] for n in network["nat_gateways"]] == ["demo-local-nat-a"]
    assert [tags_of(a)["Name"] for a in network["addresses"]] == ["demo-local-nat-a"]
    nat_id = network["nat_gateways"][0]["NatGatewayId"]
    for table in network["route_tables"]:
        if "private" in tags_of(table)["Name"]:
            assert [r["NatGatewayId"] for r in table["Routes"] if r.get("NatGatewayId")] == [nat_id]

    again = playbook(extra_vars=SINGLE, args=NETWORK_ONLY)
    assert again.changed() == 0, again.changed_tasks()


def test_what_aws_fails_to_provision_fails_the_run_with_its_reason_and_teardown_removes_it(
    emulator_endpoint, playbook, aws
):
    # The emulator fails the first NAT gateway and the first interface endpoint whose Name contains "failnet", as AWS
    # can fail either ("failed", with its reason), and provisions the next ones: each re-run gets past one failure.
    reset_emulator(emulator_endpoint)
    failing = {"cloudops_stack": "failnet", "network_vpc_cidr": "10.22.0.0/16", "network_flow_logs_enabled": False}
    ec2 = aws("ec2")

    nat_failed = playbook(extra_vars={**failing, "network_vpc_endpoints_enabled": False}, args=NETWORK_ONLY)
    assert nat_failed.returncode != 0
    assert "InternalError" in nat_failed.failure_messages() and "NAT" in nat_failed.failure_messages()
    (failed_nat,) = ec2.describe_nat_gateways(Filters=tag_filters("failnet"))["NatGateways"]
    assert failed_nat["State"] == "failed"

    endpoint_failed = playbook(extra_vars=failing, args=NETWORK_ONLY)
    assert endpoint_failed.returncode != 0
    assert "VPC endpoint(s) failed" in endpoint_failed.failure_messages()
    network = stack_network(aws, "failnet")
    (nat,) = network["nat_gateways"]
    assert nat["NatGatewayId"] != failed_nat["NatGatewayId"], "the failed gateway came back for the same client token"
    failed_endpoints = {
        e["VpcEndpointId"]
        for e in ec2.describe_vpc_endpoints(Filters=tag_filters("failnet"))["VpcEndpoints"]
        if e["State"] == "failed"
    }
    assert failed_endpoints

    recovered = playbook(extra_vars=failing, args=NETWORK_ONLY)
    assert recovered.returncode == 0, recovered.failure_messages()
    endpoints = ec2.describe_vpc_endpoints(Filters=tag_filters("failnet"))["VpcEndpoints"]
    live = [e for e in endpoints if e["State"] == "available"]
    assert {e["ServiceName"] for e in live if e["VpcEndpointType"] == "Interface"} == set(INTERFACE_SERVICES)
    assert not failed_endpoints & {e["VpcEndpointId"] for e in live}
    assert {e["State"] for e in endpoints if e["VpcEndpointId"] in failed_endpoints} <= {"deleting", "deleted"}

    # The deleted endpoints' network interfaces outlive them and hold their security group and the VPC
    # (DependencyViolation): turning the endpoints off, then the teardown, wait for them with progress.
    realism(emulator_endpoint, behaviour_seconds={"network_interface.lingering": 6})
    try:
        endpoints_off = playbook(extra_vars={**failing, "network_vpc_endpoints_enabled": False}, args=NETWORK_ONLY)
        torn_down = playbook("playbooks/teardown.yml", extra_vars=failing, args=NETWORK_ONLY)
    finally:
        realism(emulator_endpoint, behaviour_seconds={})
    assert endpoints_off.returncode == 0, endpoints_off.failure_messages()
    (group_released,) = endpoints_off.task_results("let go of the endpoints security group")
    assert group_released["attempts"] > 1, "the endpoints' interfaces did not hold the group"
    (group_deleted,) = endpoints_off.task_results("Delete the endpoints security group")
    assert group_deleted["changed"] and group_deleted.get("attempts", 1) == 1, "deleted while still held"
    groups = ec2.describe_security_groups(Filters=tag_filters("failnet"))["SecurityGroups"]
    assert not [g for g in groups if g["GroupName"].endswith("-endpoints")]

    assert torn_down.returncode == 0, torn_down.failure_messages()
    (interfaces_released,) = torn_down.task_results("Wait until no network interface is left in the VPC")
    assert interfaces_released["attempts"] > 1, "the NAT gateway's interface did not outlive it"
    assert {kind: items for kind, items in stack_network(aws, "failnet").items() if items} == {}
    left = ec2.describe_nat_gateways(Filters=tag_filters("failnet"))["NatGateways"]
    assert {n["State"] for n in left} <= {"deleting", "deleted"}
