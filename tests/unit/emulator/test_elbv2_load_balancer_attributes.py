"""Application load balancers report AWS's full attribute set (emulator/extensions/elbv2_load_balancer_attributes.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from emulator.extensions import elbv2_load_balancer_attributes
from emulator.extensions.elbv2_load_balancer_attributes import ALB_DEFAULTS

REPO_ROOT = Path(__file__).resolve().parents[3]
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"

# A value for every attribute other than its default, valid on AWS.
NON_DEFAULTS = {
    "access_logs.s3.enabled": "true",
    "access_logs.s3.bucket": "alb-logs",
    "access_logs.s3.prefix": "access",
    "client_keep_alive.seconds": "7200",
    "connection_logs.s3.enabled": "true",
    "connection_logs.s3.bucket": "alb-logs",
    "connection_logs.s3.prefix": "connections",
    "deletion_protection.enabled": "true",
    "idle_timeout.timeout_seconds": "120",
    "routing.http.desync_mitigation_mode": "strictest",
    "routing.http.drop_invalid_header_fields.enabled": "true",
    "routing.http.preserve_host_header.enabled": "true",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "true",
    "routing.http.xff_client_port.enabled": "true",
    "routing.http.xff_header_processing.mode": "preserve",
    "routing.http2.enabled": "false",
    "waf.fail_open.enabled": "true",
    "zonal_shift.config.enabled": "true",
}


@dataclass(frozen=True)
class Network:
    vpc_id: str
    subnet_ids: list[str]
    security_group_id: str


def create_network(ec2: Any) -> Network:
    """A VPC with two subnets in different zones and a security group: what a load balancer needs."""
    suffix = uuid.uuid4().hex[:8]  # the emulator is shared by the session
    vpc_id = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.40.{index}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for index, zone in enumerate("ab")
    ]
    security_group_id = ec2.create_security_group(GroupName=f"alb-{suffix}", Description="alb", VpcId=vpc_id)["GroupId"]
    return Network(vpc_id, subnet_ids, security_group_id)


def create_load_balancer(elbv2: Any, network: Network, kind: str = "application") -> str:
    params: dict[str, Any] = {"Name": f"lb-{uuid.uuid4().hex[:12]}", "Subnets": network.subnet_ids, "Type": kind}
    if kind == "application":
        params["SecurityGroups"] = [network.security_group_id]
    return elbv2.create_load_balancer(**params)["LoadBalancers"][0]["LoadBalancerArn"]


def as_dict(attributes: list[dict[str, str]]) -> dict[str, str]:
    keys = [attribute["Key"] for attribute in attributes]
    assert len(keys) == len(set(keys)), f"duplicate keys: {keys}"
    return {attribute["Key"]: attribute["Value"] for attribute in attributes}


def attributes_of(elbv2: Any, arn: str) -> dict[str, str]:
    return as_dict(elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"])


def modify(elbv2: Any, arn: str, attributes: dict[str, str]) -> dict[str, str]:
    response = elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": key, "Value": value} for key, value in attributes.items()]
    )
    return as_dict(response["Attributes"])


@pytest.fixture(scope="module")
def ec2(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ec2")


@pytest.fixture(scope="module")
def elbv2(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("elbv2")


@pytest.fixture(scope="module")
def network(ec2: Any) -> Network:
    return create_network(ec2)


# --------------------------------------------------------------------------- through the emulator


def test_a_new_alb_reports_every_default(elbv2: Any, network: Network) -> None:
    arn = create_load_balancer(elbv2, network)

    assert attributes_of(elbv2, arn) == ALB_DEFAULTS
    assert attributes_of(elbv2, arn) == ALB_DEFAULTS, "describing again changes nothing"


def test_every_attribute_round_trips(elbv2: Any, network: Network) -> None:
    arn = create_load_balancer(elbv2, network)

    # LoadBalancerAttributes takes at most 20 entries; NON_DEFAULTS has 18.
    returned = modify(elbv2, arn, NON_DEFAULTS)

    want = {**ALB_DEFAULTS, **NON_DEFAULTS}
    assert returned == want, "ModifyLoadBalancerAttributes answers with the full set, as on AWS"
    assert attributes_of(elbv2, arn) == want


def test_modify_changes_only_what_it_names(elbv2: Any, network: Network) -> None:
    arn = create_load_balancer(elbv2, network)
    modify(elbv2, arn, {"idle_timeout.timeout_seconds": "300"})

    modify(elbv2, arn, {"routing.http.desync_mitigation_mode": "monitor", "routing.http2.enabled": "false"})
    modify(elbv2, arn, {"idle_timeout.timeout_seconds": "60"})

    assert attributes_of(elbv2, arn) == {
        **ALB_DEFAULTS,
        "routing.http.desync_mitigation_mode": "monitor",
        "routing.http2.enabled": "false",
    }


def test_modify_before_any_describe_keeps_the_value_set(elbv2: Any, network: Network) -> None:
    arn = create_load_balancer(elbv2, network)

    returned = modify(elbv2, arn, {"deletion_protection.enabled": "true", "waf.fail_open.enabled": "true"})

    want = {**ALB_DEFAULTS, "deletion_protection.enabled": "true", "waf.fail_open.enabled": "true"}
    assert returned == want
    assert attributes_of(elbv2, arn) == want


def test_unknown_key_is_still_refused_and_nothing_is_stored(elbv2: Any, network: Network) -> None:
    arn = create_load_balancer(elbv2, network)

    with pytest.raises(ClientError) as raised:
        modify(elbv2, arn, {"idle_timeout.timeout_seconds": "90", "no_such.attribute": "1"})

    assert raised.value.response["Error"]["Code"] == "InvalidConfigurationRequest"
    assert "no_such.attribute" in raised.value.response["Error"]["Message"]
    assert attributes_of(elbv2, arn) == ALB_DEFAULTS, "a refused call changes nothing"


def test_unknown_load_balancer_is_still_not_found(elbv2: Any, network: Network) -> None:
    arn = create_load_balancer(elbv2, network).replace("/app/lb-", "/app/missing-")

    for call in (
        lambda: elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn),
        lambda: modify(elbv2, arn, {"idle_timeout.timeout_seconds": "90"}),
    ):
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "LoadBalancerNotFound"


def test_network_load_balancers_keep_moto_s_attributes(elbv2: Any, network: Network) -> None:
    arn = create_load_balancer(elbv2, network, kind="network")

    assert attributes_of(elbv2, arn) == {
        "access_logs.s3.bucket": "",
        "access_logs.s3.prefix": "",
        "deletion_protection.enabled": "false",
        "load_balancing.cross_zone.enabled": "false",
    }
    modify(elbv2, arn, {"load_balancing.cross_zone.enabled": "true"})
    assert attributes_of(elbv2, arn)["load_balancing.cross_zone.enabled"] == "true"


# --------------------------------------------------------------------------- the table against AWS's documentation


def test_defaults_agree_with_aws_documentation() -> None:
    """botocore carries the API reference text for LoadBalancerAttribute.Key; each default must be the one it states."""
    from moto.elbv2.models import FakeLoadBalancer

    doc = (
        botocore.session.get_session()
        .get_service_model("elbv2")
        .shape_for("LoadBalancerAttribute")
        .members["Key"]
        .documentation
    )
    for key, value in ALB_DEFAULTS.items():
        assert key in FakeLoadBalancer.VALID_ATTRS, f"moto would refuse to modify {key}"
        described = re.search(rf"<code>{re.escape(key)}</code> - (.*?)</p>", doc)
        assert described, f"{key} is not a documented load balancer attribute"
        if value == "":  # bucket and prefix: no default documented, AWS answers with an empty string
            assert "default" not in described.group(1)
            continue
        stated = (
            f"The default is <code>{value}</code>",
            f"The default is {value} seconds",
            f"The default for Application Load Balancers is <code>{value}</code>",
        )
        assert any(text in described.group(1) for text in stated), f"{key}: documented default is not {value!r}"


# --------------------------------------------------------------------------- amazon.aws.elb_application_lb end to end


PLAYBOOK = """\
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: {python}
  module_defaults:
    group/amazon.aws.aws:
      region: us-east-1
      endpoint_url: {endpoint}
      access_key: testing
      secret_key: testing
  tasks:
    - name: Create the load balancer with non-default attributes
      amazon.aws.elb_application_lb: &alb
        name: {name}
        subnets: {subnets}
        security_groups: [{security_group}]
        idle_timeout: 120
        http_drop_invalid_header_fields: true
        http_desync_mitigation_mode: strictest
        state: present
      register: first

    - name: Same again
      amazon.aws.elb_application_lb: *alb
      register: second

    - name: The first run changed, the second did not
      ansible.builtin.assert:
        that:
          - first is changed
          - second is not changed
          - second.idle_timeout_timeout_seconds == "120"
          - second.routing_http_drop_invalid_header_fields_enabled == "true"
          - second.routing_http_desync_mitigation_mode == "strictest"
          - second.routing_http2_enabled == "true"
"""


def test_elb_application_lb_is_idempotent_against_the_emulator(
    emulator_endpoint: str, elbv2: Any, network: Network, tmp_path: Path
) -> None:
    if not ANSIBLE_PLAYBOOK.exists():
        pytest.skip(f"{ANSIBLE_PLAYBOOK} not installed")
    name = f"alb-{uuid.uuid4().hex[:12]}"
    playbook = tmp_path / "alb.yml"
    playbook.write_text(
        PLAYBOOK.format(
            python=sys.executable,
            endpoint=emulator_endpoint,
            name=name,
            subnets="[" + ", ".join(network.subnet_ids) + "]",
            security_group=network.security_group_id,
        )
    )
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("AWS_")},
        "ANSIBLE_CONFIG": str(REPO_ROOT / "ansible.cfg"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_NOCOLOR": "1",
    }

    result = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), str(playbook)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, f"ansible-playbook failed:\n{result.stdout}\n{result.stderr}"
    assert re.search(r"localhost\s*:\s*ok=3\s+changed=1\s+unreachable=0\s+failed=0", result.stdout), result.stdout
    arn = elbv2.describe_load_balancers(Names=[name])["LoadBalancers"][0]["LoadBalancerArn"]
    assert attributes_of(elbv2, arn) == {
        **ALB_DEFAULTS,
        "idle_timeout.timeout_seconds": "120",
        "routing.http.drop_invalid_header_fields.enabled": "true",
        "routing.http.desync_mitigation_mode": "strictest",
    }


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_lacks_the_defaults_and_install_fills_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.elbv2.models import ELBv2Backend

    moto_originals = {}
    for name in ("describe_load_balancer_attributes", "modify_load_balancer_attributes"):
        current = getattr(ELBv2Backend, name)
        moto_originals[name] = getattr(current, "__wrapped__", current)
        monkeypatch.setattr(ELBv2Backend, name, moto_originals[name])
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    with mock_aws():
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        ec2, elbv2 = session.client("ec2"), session.client("elbv2")
        network = create_network(ec2)
        described_before = create_load_balancer(elbv2, network)
        modified_before = create_load_balancer(elbv2, network)
        assert not elbv2_load_balancer_attributes.is_installed()
        plain = attributes_of(elbv2, described_before)
        assert "idle_timeout.timeout_seconds" not in plain
        assert "routing.http2.enabled" not in plain
        assert plain["load_balancing.cross_zone.enabled"] == "false"
        modify(elbv2, modified_before, {"routing.http2.enabled": "false"})

        elbv2_load_balancer_attributes.install()
        elbv2_load_balancer_attributes.install()

        assert elbv2_load_balancer_attributes.is_installed()
        for name, original in moto_originals.items():
            assert getattr(ELBv2Backend, name).__wrapped__ is original, "install() must not wrap twice"
        assert attributes_of(elbv2, create_load_balancer(elbv2, network)) == ALB_DEFAULTS
        assert attributes_of(elbv2, described_before) == ALB_DEFAULTS, "load balancers from before install() too"
        assert attributes_of(elbv2, modified_before) == {**ALB_DEFAULTS, "routing.http2.enabled": "false"}
