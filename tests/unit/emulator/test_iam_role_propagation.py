"""A new or newly granted IAM role is not usable until IAM has propagated it
(emulator/extensions/iam_role_propagation.py): CreateFlowLogs with it answers InvalidParameter "Unable to assume given
IAM role" in realistic mode."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator import realism
from emulator.extensions import iam_role_propagation

# realism.TYPICAL["iam.propagation"] (10 s) at this scale: 2 s. The tests make the VPC and the log group first and call
# CreateFlowLogs right after the role's change, so only that call has to land inside the window on a busy machine.
SCALE = 0.2
WINDOW = realism.TYPICAL["iam.propagation"].seconds * SCALE
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
WRITE_LOGS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}],
    }
)


@pytest.fixture(scope="module")
def iam(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("iam")


@pytest.fixture(scope="module")
def ec2(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ec2")


@pytest.fixture(scope="module")
def logs(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("logs")


def new_role(iam: Any, path: str = "/") -> tuple[str, str]:
    name = f"flow-logs-{uuid.uuid4().hex[:8]}"
    arn = iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    return name, arn


def new_vpc(ec2: Any) -> str:
    return ec2.create_vpc(CidrBlock="10.71.0.0/16")["Vpc"]["VpcId"]


def new_log_group(logs: Any) -> str:
    group = f"/flow/{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    return group


def create_flow_log(ec2: Any, logs: Any, vpc_id: str, role_arn: str, group: str | None = None) -> dict[str, Any]:
    """CreateFlowLogs for ``vpc_id`` into ``group`` (a new log group, made first, when None)."""
    group = group or new_log_group(logs)
    return ec2.create_flow_logs(
        ResourceType="VPC",
        ResourceIds=[vpc_id],
        TrafficType="ALL",
        LogGroupName=group,
        DeliverLogsPermissionArn=role_arn,
    )


def refusal(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def flow_logs_of(ec2: Any, vpc_id: str) -> list[dict[str, Any]]:
    return ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]


def wait_out_the_window() -> None:
    time.sleep(WINDOW + 0.1)


# --------------------------------------------------------------------------- plain mode: the gap


def test_plain_mode_uses_a_new_role_at_once(iam: Any, ec2: Any, logs: Any) -> None:
    """What moto does, and the emulator in plain mode: the role works the moment IAM has it."""
    name, arn = new_role(iam)
    iam.put_role_policy(RoleName=name, PolicyName="write", PolicyDocument=WRITE_LOGS)
    vpc_id = new_vpc(ec2)

    created = create_flow_log(ec2, logs, vpc_id, arn)

    assert created["Unsuccessful"] == [] and len(created["FlowLogIds"]) == 1
    assert flow_logs_of(ec2, vpc_id)[0]["DeliverLogsStatus"] == "SUCCESS"


# --------------------------------------------------------------------------- realistic mode: AWS's window


def test_a_new_role_cannot_be_assumed_until_it_has_propagated(
    realistic: Callable[..., Any], iam: Any, ec2: Any, logs: Any
) -> None:
    realistic(time_scale=SCALE)
    vpc_id, group = new_vpc(ec2), new_log_group(logs)
    _name, arn = new_role(iam, path="/service/")

    code, message = refusal(lambda: create_flow_log(ec2, logs, vpc_id, arn, group))

    assert (code, message) == ("InvalidParameter", f"Unable to assume given IAM role: '{arn}'")
    assert flow_logs_of(ec2, vpc_id) == [], "the refused call created nothing, not even an Unsuccessful item"
    wait_out_the_window()
    created = create_flow_log(ec2, logs, vpc_id, arn)
    assert created["Unsuccessful"] == [] and len(created["FlowLogIds"]) == 1


@pytest.mark.parametrize("change", ["put_role_policy", "attach_role_policy", "update_assume_role_policy"])
def test_a_grant_to_an_existing_role_restarts_the_window(
    realistic: Callable[..., Any], iam: Any, ec2: Any, logs: Any, change: str
) -> None:
    realistic(time_scale=SCALE)
    name, arn = new_role(iam)
    vpc_id, group = new_vpc(ec2), new_log_group(logs)
    policy = iam.create_policy(PolicyName=f"write-{uuid.uuid4().hex[:8]}", PolicyDocument=WRITE_LOGS)["Policy"]
    wait_out_the_window()
    if change == "put_role_policy":
        iam.put_role_policy(RoleName=name, PolicyName="write", PolicyDocument=WRITE_LOGS)
    elif change == "attach_role_policy":
        iam.attach_role_policy(RoleName=name, PolicyArn=policy["Arn"])
    else:
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=TRUST)

    assert refusal(lambda: create_flow_log(ec2, logs, vpc_id, arn, group))[0] == "InvalidParameter"
    wait_out_the_window()
    assert create_flow_log(ec2, logs, vpc_id, arn)["FlowLogIds"]


def test_a_new_default_version_of_an_attached_policy_restarts_the_window_and_removals_do_not(
    realistic: Callable[..., Any], iam: Any, ec2: Any, logs: Any
) -> None:
    realistic(time_scale=SCALE)
    name, arn = new_role(iam)
    policy_arn = iam.create_policy(PolicyName=f"write-{uuid.uuid4().hex[:8]}", PolicyDocument=WRITE_LOGS)["Policy"][
        "Arn"
    ]
    iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    iam.put_role_policy(RoleName=name, PolicyName="write", PolicyDocument=WRITE_LOGS)
    wait_out_the_window()

    iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=WRITE_LOGS, SetAsDefault=False)
    first_vpc = new_vpc(ec2)
    assert create_flow_log(ec2, logs, first_vpc, arn)["FlowLogIds"], "a version that is not the default grants nothing"

    second_vpc, group = new_vpc(ec2), new_log_group(logs)
    iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=WRITE_LOGS, SetAsDefault=True)
    assert refusal(lambda: create_flow_log(ec2, logs, second_vpc, arn, group))[0] == "InvalidParameter"
    wait_out_the_window()

    iam.delete_role_policy(RoleName=name, PolicyName="write")
    iam.detach_role_policy(RoleName=name, PolicyArn=policy_arn)
    assert create_flow_log(ec2, logs, second_vpc, arn)["FlowLogIds"], "removals leave the role assumable"


def test_a_role_iam_has_not_changed_here_is_usable(realistic: Callable[..., Any], ec2: Any, logs: Any) -> None:
    realistic(time_scale=SCALE)
    vpc_id = new_vpc(ec2)
    assert create_flow_log(ec2, logs, vpc_id, "arn:aws:iam::123456789012:role/made-elsewhere")["FlowLogIds"]


# --------------------------------------------------------------------------- in this process: the public function


def test_role_usable_follows_the_writes_and_install_is_idempotent(monkeypatch: pytest.MonkeyPatch) -> None:
    """The function other extensions call (ECS task execution roles), on moto in this process; also proves the
    extension is still needed: moto alone lets the flow log be created with a role IAM has just made."""
    from moto import mock_aws
    from moto.iam.models import IAMBackend

    for patch in iam_role_propagation.PATCHES:  # moto's own methods, whatever this process installed before
        method = getattr(patch.owner, patch.name)
        while getattr(method, "emulator_extension", None) is not None:
            method = method.__wrapped__
        monkeypatch.setattr(patch.owner, patch.name, method)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

    try:
        realism.configure({"realistic": True, "time_scale": SCALE})
        with mock_aws():
            session = boto3.session.Session(
                aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
            )
            iam, ec2, logs = session.client("iam"), session.client("ec2"), session.client("logs")
            assert not iam_role_propagation.is_installed()
            _name, arn = new_role(iam)
            assert iam_role_propagation.role_usable(arn), "nothing tracks the role without the extension"
            assert create_flow_log(ec2, logs, new_vpc(ec2), arn)["FlowLogIds"], "moto alone: usable at once"

            iam_role_propagation.install()
            iam_role_propagation.install()
            assert iam_role_propagation.is_installed()
            assert not hasattr(IAMBackend.create_role.__wrapped__, "__wrapped__"), "install() must not wrap twice"

            name, arn = new_role(iam, path="/deep/path/")
            assert not iam_role_propagation.role_usable(arn)
            assert not iam_role_propagation.role_usable(f"arn:aws:iam::123456789012:role/{name}"), "path-free ARN"
            assert 0 < iam_role_propagation.propagation_left(arn) <= WINDOW
            assert iam_role_propagation.role_usable("arn:aws:iam::123456789012:role/never-created")
            assert iam_role_propagation.role_usable("not-an-arn")
            wait_out_the_window()
            assert iam_role_propagation.role_usable(arn)
            iam.put_role_policy(RoleName=name, PolicyName="write", PolicyDocument=WRITE_LOGS)
            assert not iam_role_propagation.role_usable(arn)
            iam.delete_role_policy(RoleName=name, PolicyName="write")
            iam.delete_role(RoleName=name)
            assert iam_role_propagation.role_usable(arn), "a deleted role is forgotten"

            realism.configure({"realistic": False})
            _name, arn = new_role(iam)
            assert iam_role_propagation.role_usable(arn), "plain mode: no window"
    finally:
        realism.reset()
