"""Realistic mode: settings from the environment and at run time, AWS's durations, and the throttling answers."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from emulator import realism, throttling
from tests.unit.emulator.conftest import REGION, set_realism


def test_plain_mode_is_the_default_and_keeps_the_short_delays() -> None:
    plain = realism.settings_from({})
    assert plain == realism.Settings(realistic=False, time_scale=1.0, throttle_rate=0.0, throttle_seed=None)


def test_realistic_mode_takes_the_scale_and_a_default_throttle_rate() -> None:
    chosen = realism.settings_from({"EMULATOR_REALISTIC": "1", "EMULATOR_TIME_SCALE": "0.033"})
    assert chosen.realistic and chosen.time_scale == 0.033
    assert chosen.throttle_rate == realism.REALISTIC_THROTTLE_RATE > 0
    assert realism.settings_from({"EMULATOR_REALISTIC": "true", "EMULATOR_THROTTLE_RATE": "0"}).throttle_rate == 0


@pytest.mark.parametrize(
    ("variable", "value", "rule"),
    [("EMULATOR_TIME_SCALE", "fast", "not a number"), ("EMULATOR_THROTTLE_RATE", "0.9", "between 0 and 0.5")],
)
def test_bad_settings_are_refused_naming_the_variable(variable: str, value: str, rule: str) -> None:
    with pytest.raises(ValueError, match=f"{variable}=.*{rule}"):
        realism.settings_from({variable: value})


def test_durations_follow_the_mode_and_an_explicit_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMULATOR_TEST_SECONDS", raising=False)
    try:
        realism.configure({"realistic": False})
        assert realism.seconds("nat_gateway.pending", plain=0.5) == 0.5
        assert realism.lingers("network_interface.lingering") == 0
        realism.configure({"realistic": True, "time_scale": 0.5})
        assert realism.seconds("nat_gateway.pending", plain=0.5) == realism.TYPICAL["nat_gateway.pending"].seconds / 2
        monkeypatch.setenv("EMULATOR_TEST_SECONDS", "3")
        assert realism.seconds("nat_gateway.pending", plain=0.5, variable="EMULATOR_TEST_SECONDS") == 3
        with pytest.raises(KeyError):
            realism.seconds("undocumented.behaviour")
    finally:
        realism.reset()


def test_a_test_stretches_one_behaviour_in_either_mode_and_bad_stretches_are_refused() -> None:
    try:
        realism.configure({"behaviour_seconds": {"iam.propagation": 8}})
        assert realism.lingers("iam.propagation") == 8.0  # plain mode: otherwise 0
        assert realism.lingers("network_interface.lingering") == 0
        realism.configure({"realistic": True, "time_scale": 0.01})
        assert realism.lingers("iam.propagation") == 8.0  # not scaled
        with pytest.raises(ValueError, match="unknown behaviours nobody.knows"):
            realism.configure({"behaviour_seconds": {"nobody.knows": 1}})
        with pytest.raises(ValueError, match="0 or more"):
            realism.configure({"behaviour_seconds": {"iam.propagation": -1}})
        realism.configure({"behaviour_seconds": {}})
        assert realism.lingers("iam.propagation") == realism.TYPICAL["iam.propagation"].seconds * 0.01
    finally:
        realism.reset()


def test_a_timer_keeps_its_duration_when_the_mode_changes() -> None:
    try:
        realism.configure({"realistic": True, "time_scale": 1.0})
        timer = realism.Timer.of("client_vpn.associating", plain=0.0)
        realism.configure({"realistic": False})
        assert not timer.done and timer.left > 400
        assert realism.Timer.of("client_vpn.associating").done
    finally:
        realism.reset()


def test_every_behaviour_cites_its_source_and_is_in_the_readme() -> None:
    text = (Path(realism.__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for behaviour, typical in realism.TYPICAL.items():
        assert typical.seconds > 0 and typical.source, behaviour
        assert f"`{behaviour}`" in text, f"README's realistic-mode table lacks {behaviour}"


def test_settings_change_at_run_time_and_bad_ones_are_refused(emulator_endpoint: str) -> None:
    try:
        switched = set_realism(emulator_endpoint, realistic=True, time_scale=0.1)
        assert switched["realistic"] and switched["time_scale"] == 0.1
        assert switched["throttle_rate"] == realism.REALISTIC_THROTTLE_RATE
        with pytest.raises(urllib.error.HTTPError) as refused:
            set_realism(emulator_endpoint, speed=2)
        assert refused.value.code == 400 and "unknown realism settings: speed" in refused.value.read().decode()
    finally:
        plain = set_realism(emulator_endpoint, realistic=False, time_scale=1.0, throttle_seed=None)
    assert plain["throttle_rate"] == 0 and not plain["realistic"]


CALLS: dict[str, Callable[[Any], Any]] = {
    "ec2": lambda client: client.describe_vpcs(),
    "elbv2": lambda client: client.describe_load_balancers(),
    "iam": lambda client: client.list_roles(),
    "sts": lambda client: client.get_caller_identity(),
    "ecs": lambda client: client.list_clusters(),
    "ecr": lambda client: client.describe_repositories(),
    "acm": lambda client: client.list_certificates(),
    "logs": lambda client: client.describe_log_groups(),
    "application-autoscaling": lambda client: client.describe_scalable_targets(ServiceNamespace="ecs"),
    "efs": lambda client: client.describe_file_systems(),
    "s3": lambda client: client.list_buckets(),
    # Smithy RPCv2-CBOR, query-compatible: the code comes from x-amzn-query-error
    "cloudwatch": lambda client: client.describe_alarms(),
}
EXPECTED = {
    "ec2": ("RequestLimitExceeded", 503),
    "elbv2": ("Throttling", 400),
    "iam": ("Throttling", 400),
    "sts": ("Throttling", 400),
    "ecs": ("ThrottlingException", 400),
    "ecr": ("ThrottlingException", 400),
    "acm": ("ThrottlingException", 400),
    "logs": ("ThrottlingException", 400),
    "application-autoscaling": ("ThrottlingException", 400),
    "efs": ("ThrottlingException", 429),
    "s3": ("SlowDown", 503),
    "cloudwatch": ("Throttling", 400),
}


def test_each_service_is_throttled_in_its_own_protocol_shape(emulator_endpoint: str) -> None:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    no_retries = botocore.config.Config(retries={"total_max_attempts": 1})
    try:
        set_realism(emulator_endpoint, throttle_rate=0.5, throttle_seed=13)
        for service, call in CALLS.items():
            client = session.client(service, endpoint_url=emulator_endpoint, config=no_retries)
            answers = set()
            for _attempt in range(16):
                try:
                    call(client)
                    answers.add("ok")
                except ClientError as error:
                    answers.add((error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]))
            assert answers == {"ok", EXPECTED[service]}, service
        with urllib.request.urlopen(f"{emulator_endpoint}/_emulator/realism", timeout=10) as response:
            assert json.loads(response.read())["throttled_calls"] > 0
    finally:
        set_realism(emulator_endpoint, throttle_rate=0.0, throttle_seed=None)


def test_botocore_retries_every_throttling_answer_in_standard_mode(emulator_endpoint: str) -> None:
    # The collection's clients retry in standard mode: each answer above must read as a throttle to botocore.
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    standard = botocore.config.Config(retries={"mode": "standard", "max_attempts": 10})
    try:
        set_realism(emulator_endpoint, throttle_rate=0.3, throttle_seed=5)
        for service, call in CALLS.items():
            client = session.client(service, endpoint_url=emulator_endpoint, config=standard)
            for _attempt in range(4):
                call(client)
    finally:
        set_realism(emulator_endpoint, throttle_rate=0.0, throttle_seed=None)


def test_unmodelled_services_and_control_calls_are_never_throttled() -> None:
    assert throttling.throttling_answer("route53") is None
    throttler = throttling.Throttler()
    try:
        realism.configure({"throttle_rate": 0.5})
        assert not any(throttler.should_throttle("route53") for _attempt in range(50))
        assert any(throttler.should_throttle("ecs") for _attempt in range(50))
    finally:
        realism.reset()


# --------------------------------------------------------------------------- the recording of timed behaviours


def test_timers_are_recorded_with_their_subject_bounded_and_cleared() -> None:
    try:
        realism.clear_recorded()
        realism.configure({"realistic": True, "time_scale": 0.5})
        realism.Timer.of("nat_gateway.pending", subject="nat-0123")
        realism.Timer.of("client_vpn.endpoint_pending", record=False)  # a caller that records it later, if at all
        realism.record("ecs.draining", 4.0, "arn:aws:ecs:service", started=realism.now() + 2)
        realism.configure({"realistic": False})
        realism.Timer.of("mount_target.creating", subject="fsmt-1")  # plain mode: recorded, lasting no time

        answer = realism.recorded()
        assert answer["elapsed"] >= 0
        assert [(t["behaviour"], t["subject"], t["duration"]) for t in answer["timers"]] == [
            ("nat_gateway.pending", "nat-0123", realism.TYPICAL["nat_gateway.pending"].seconds / 2),
            ("ecs.draining", "arn:aws:ecs:service", 4.0),
            ("mount_target.creating", "fsmt-1", 0.0),
        ]
        first, later, _plain = answer["timers"]
        assert 0 <= first["started"] <= answer["elapsed"] and later["started"] >= first["started"] + 2

        cleared = realism.clear_recorded()
        assert cleared["timers"] == [] and cleared["elapsed"] < 1
    finally:
        realism.reset()
        realism.clear_recorded()


def test_the_recording_keeps_the_newest_and_takes_threads() -> None:
    recording = realism.Recording(limit=50)

    def add(worker: int) -> None:
        for index in range(200):
            recording.add("iam.propagation", 1.0, f"{worker}-{index}")

    workers = [threading.Thread(target=add, args=(worker,)) for worker in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    kept = recording.snapshot()["timers"]
    assert len(kept) == 50
    assert {timer["subject"].split("-")[1] for timer in kept} <= {str(index) for index in range(150, 200)}


def timers_of(endpoint: str, method: str = "GET") -> dict[str, Any]:
    request = urllib.request.Request(f"{endpoint}/_emulator/timers", method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_the_emulator_serves_the_timers_it_modelled(
    emulator_endpoint: str, aws_client: Callable[[str], Any], realistic: Callable[..., dict[str, Any]]
) -> None:
    assert timers_of(emulator_endpoint, "DELETE") == {"elapsed": pytest.approx(0, abs=1), "timers": []}
    efs, ec2 = aws_client("efs"), aws_client("ec2")
    file_system_id = efs.create_file_system(CreationToken="timers-recorded")["FileSystemId"]
    vpc_id = ec2.create_vpc(CidrBlock="10.93.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.93.1.0/24")["Subnet"]["SubnetId"]
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    gateway_id = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation_id)["NatGateway"]["NatGatewayId"]

    answer = timers_of(emulator_endpoint)

    recorded = {(timer["behaviour"], timer["subject"]): timer for timer in answer["timers"]}
    scale = 0.01  # the realistic fixture's
    assert recorded[("file_system.creating", file_system_id)]["duration"] == pytest.approx(
        realism.TYPICAL["file_system.creating"].seconds * scale
    )
    nat = recorded[("nat_gateway.pending", gateway_id)]
    assert nat["duration"] == pytest.approx(realism.TYPICAL["nat_gateway.pending"].seconds * scale)
    assert 0 <= nat["started"] <= answer["elapsed"]
    assert set(nat) == {"behaviour", "subject", "started", "duration"}

    realistic(time_scale=0.0)
    efs.delete_file_system(FileSystemId=file_system_id)
    ec2.delete_nat_gateway(NatGatewayId=gateway_id)
    assert timers_of(emulator_endpoint, "DELETE")["timers"] == []


def test_a_query_service_called_in_rpc_v2_cbor_is_throttled_in_cbor() -> None:
    import botocore.parsers
    import botocore.session

    status, headers, body = throttling.throttling_answer("monitoring", "cbor")  # type: ignore[misc]
    operation = botocore.session.get_session().get_service_model("cloudwatch").operation_model("DescribeAlarms")
    parsed = botocore.parsers.RpcV2CBORParser().parse(
        {"status_code": int(status.split()[0]), "headers": dict((k.lower(), v) for k, v in headers), "body": body},
        operation.output_shape,
    )
    assert parsed["Error"]["Code"] == "Throttling" and parsed["Error"]["Message"] == throttling.MESSAGE
