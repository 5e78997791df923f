"""The whole lifecycle of two stacks in one inventory, every layer, read back with boto3, on an emulator in realistic
mode: AWS's provisioning and deletion times (at 1/30 of AWS's clock), its eventual consistency and lingering
dependencies, and 5% of all calls throttled. site.yml builds both stacks in parallel, a second run changes nothing,
drift.yml passes, and each stack tears down on its own, leaving nothing. No step is retried here:
the collection must ride out what AWS does. Every playbook runs as an IAM user that holds only the operator policy
(policies/), on an emulator that enforces IAM (emulator/server.py, EMULATOR_IAM_CHECK_ACTIONS): a module that starts
calling an action the policy lacks fails here with AccessDenied. The images the stacks deploy are not in ECR at first: the registry layer
copies them from the emulator's public registry stand-in (the local inventory's source_image), so the emulator's
Fargate, which pulls for real in realistic mode, finds them. On the built stacks, bad fargate inputs stop site.yml and deploy.yml before
anything changes, and teardown outside local waits for the stack's name. Drift and preflight naming changes made
behind Ansible's back, and deploy.yml, are tested in test_readme_runs.py (plain mode), which runs beside this file."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.integration import nginx_sandbox
from tests.integration.aws_state import efs_files, stack_resources
from tests.integration.conftest import REPO_ROOT, WORKER_LOCAL_FILES, realism, run_playbook, write_inventory
from tools import iam_policy

CLUSTER = "demo-local"
SERVICE = "demo-local-web"
# The second stack is the lean kind: no VPC endpoints, no flow logs, no Client VPN.
SHOP = {
    "cloudops_stack": "shop",
    "network_vpc_cidr": "10.40.0.0/16",
    "network_vpc_endpoints_enabled": False,
    "network_flow_logs_enabled": False,
    "storage_vpn_enabled": False,
}
DEMO_ONLY = ["--limit", "demo"]
# AWS's clock at 1/30: a Client VPN association takes 14 s instead of 7 minutes.
# The rollout is held for 20 s whatever the machine's load, so its wait always prints a progress line.
REALISTIC = {
    "realistic": True,
    "time_scale": 1 / 30,
    "throttle_rate": 0.05,
    "throttle_seed": 20261205,
    "behaviour_seconds": {"ecs.rollout": 20},
}


HARNESS_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


@pytest.fixture(scope="module")
def identities(iam_checking_emulator) -> dict:
    """The operator, holding only the operator policy, runs the playbooks; the harness, allowed everything, reads the
    results back. IAM is enforced from then on (moto judges every call once /moto-api/reset-auth has set the count)."""
    iam = boto3.client("iam", region_name="us-east-1", endpoint_url=iam_checking_emulator,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    iam.create_user(UserName="harness")
    iam.put_user_policy(UserName="harness", PolicyName="everything", PolicyDocument=HARNESS_POLICY)
    iam.create_user(UserName="cloudops-operator")
    for path in iam_policy.DEFAULT_POLICIES:
        arn = iam.create_policy(PolicyName=path.stem, PolicyDocument=path.read_text())["Policy"]["Arn"]
        iam.attach_user_policy(UserName="cloudops-operator", PolicyArn=arn)
    keys = {name: iam.create_access_key(UserName=name)["AccessKey"] for name in ("harness", "cloudops-operator")}
    request = urllib.request.Request(f"{iam_checking_emulator}/moto-api/reset-auth", data=b"0", method="POST",
                                     headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=30):
        pass
    operator = keys["cloudops-operator"]
    return {
        "harness": keys["harness"],
        "operator": {"aws_access_key": operator["AccessKeyId"], "aws_secret_key": operator["SecretAccessKey"]},
    }


@pytest.fixture(scope="module")
def aws(iam_checking_emulator, identities):
    harness = identities["harness"]
    session = boto3.session.Session(aws_access_key_id=harness["AccessKeyId"],
                                    aws_secret_access_key=harness["SecretAccessKey"], region_name="us-east-1")
    patient = Config(retries={"mode": "standard", "max_attempts": 10})  # these reads are throttled too

    def client(service: str):
        return session.client(service, endpoint_url=iam_checking_emulator, config=patient)

    return client


@pytest.fixture(scope="module")
def playbook(iam_checking_emulator, identities):
    """A playbook run as the operator (drift.yml's inner site.yml run too)."""
    operator = identities["operator"]

    def run_as_operator(*args, extra_vars: dict | None = None, **kwargs):
        extra = {**operator, **(extra_vars or {})}
        if "drift_extra_vars" in extra:
            extra["drift_extra_vars"] = {**operator, **extra["drift_extra_vars"]}
        return run_playbook(iam_checking_emulator, *args, extra_vars=extra, **kwargs)

    return run_as_operator


def test_the_emulator_enforces_iam(iam_checking_emulator, identities):
    stranger = boto3.client("ec2", region_name="us-east-1", endpoint_url=iam_checking_emulator,
                            aws_access_key_id="testing", aws_secret_access_key="testing")
    with pytest.raises(ClientError) as unknown_key:
        stranger.describe_vpcs()
    assert unknown_key.value.response["Error"]["Code"] == "AuthFailure"
    operator = identities["operator"]
    operator_iam = boto3.client("iam", region_name="us-east-1", endpoint_url=iam_checking_emulator,
                                aws_access_key_id=operator["aws_access_key"], aws_secret_access_key=operator["aws_secret_key"])
    with pytest.raises(ClientError) as not_allowed:
        operator_iam.create_user(UserName="someone-else")
    assert not_allowed.value.response["Error"]["Code"] == "AccessDenied"


@pytest.fixture(scope="module")
def local_files(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("whole-stack")
    return {
        "storage_pki_dir": f"{root}/pki/{{{{ cloudops_stack }}}}",
    }


@pytest.fixture(scope="module")
def inventory(tmp_path_factory) -> Path:
    demo = {"cloudops_stack": "demo", "network_vpc_cidr": "10.20.0.0/16"}
    return write_inventory(tmp_path_factory.mktemp("inventory"), {"demo": demo, "shop": SHOP})


@pytest.fixture(scope="module")
def run(playbook, inventory, local_files):
    """A playbook run on both stacks' inventory, with this module's local files."""

    def run_on_stacks(name: str = "site.yml", extra_vars: dict | None = None, **kwargs):
        return playbook(name, inventory=inventory, extra_vars={**local_files, **(extra_vars or {})}, **kwargs)

    return run_on_stacks


def service(aws) -> dict | None:
    found = aws("ecs").describe_services(cluster=CLUSTER, services=[SERVICE])["services"]
    active = [s for s in found if s["status"] == "ACTIVE"]
    return active[0] if active else None


@pytest.fixture(scope="module")
def realistic_emulator(iam_checking_emulator, identities):
    realism(iam_checking_emulator, **REALISTIC)
    return iam_checking_emulator


@pytest.fixture(scope="module")
def stack(realistic_emulator, run, aws):
    built = run()
    assert built.returncode == 0, built.failure_messages("demo") + built.failure_messages("shop")
    assert built.changed("demo") > 0 and built.changed("shop") > 0
    return built


def test_the_images_were_copied_by_digest_before_the_service_pulled_them(stack, aws):
    from emulator.public_registry import demo_images

    ecr = aws("ecr")
    for prefix in ("demo-local", "shop-local"):
        for name in ("app", "nginx"):
            (copied,) = ecr.describe_images(repositoryName=f"{prefix}/{name}")["imageDetails"]
            amd64 = demo_images()[f"demo/{name}"]["1.0.0"].children[0]
            assert copied["imageDigest"] == amd64.digest and copied["imageTags"] == ["1.0.0"]
            assert copied["imageScanStatus"]["status"] == "COMPLETE"


def test_each_service_runs_the_release_datasync_put_on_efs(stack, aws, realistic_emulator):
    """No mount on the controller: the configuration reached EFS through S3 and DataSync, and the rollout, which the
    realistic emulator fails when nginx's configuration tree is empty, completed on that release's access points."""
    efs, ecs = aws("efs"), aws("ecs")
    for prefix in ("demo-local", "shop-local"):
        (file_system,) = [f for f in efs.describe_file_systems()["FileSystems"] if f["Name"] == f"{prefix}-static"]
        release = {t["Key"]: t["Value"] for t in file_system["Tags"]}["Release"]
        config = efs_files(realistic_emulator, aws, file_system["FileSystemId"], f"/releases/{release}/config")
        assert b"location = /healthz" in config["default.conf"]
        assert "index.html" in efs_files(realistic_emulator, aws, file_system["FileSystemId"], f"/releases/{release}/ui")
        points = {
            p["AccessPointId"]
            for p in efs.describe_access_points(FileSystemId=file_system["FileSystemId"])["AccessPoints"]
            if p["Name"] in (f"{prefix}-config-{release}", f"{prefix}-ui-{release}")
        }
        (running,) = ecs.describe_services(cluster=prefix, services=[f"{prefix}-web"])["services"]
        (primary,) = [d for d in running["deployments"] if d["status"] == "PRIMARY"]
        assert primary["rolloutState"] == "COMPLETED" and running["runningCount"] == running["desiredCount"]
        definition = ecs.describe_task_definition(taskDefinition=primary["taskDefinition"])["taskDefinition"]
        mounted = {
            v["efsVolumeConfiguration"]["authorizationConfig"]["accessPointId"]
            for v in definition["volumes"]
            if "efsVolumeConfiguration" in v
        }
        assert mounted == points and len(points) == 2


def test_nginx_serves_the_ui_and_the_app_from_the_files_the_running_task_mounts(stack, aws, realistic_emulator, tmp_path):
    """End to end on the realistic run's own files: real nginx with each tree of the running revision's access points,
    exactly as DataSync left it on EFS, at the path the task definition mounts it, on the nginx container's port, and
    a stand-in app where the app container listens (its WHOAMI_PORT_NUMBER)."""
    efs, ecs = aws("efs"), aws("ecs")
    running = service(aws)
    definition = ecs.describe_task_definition(taskDefinition=running["taskDefinition"])["taskDefinition"]
    containers = {c["name"]: c for c in definition["containerDefinitions"]}
    volumes = {v["name"]: v["efsVolumeConfiguration"] for v in definition["volumes"] if "efsVolumeConfiguration" in v}
    mounts = {}
    for mount in containers["nginx"]["mountPoints"]:
        volume = volumes.get(mount["sourceVolume"])
        if volume is None:
            continue  # the task's own scratch space (cache, /tmp)
        (point,) = efs.describe_access_points(AccessPointId=volume["authorizationConfig"]["accessPointId"])["AccessPoints"]
        tree = tmp_path / mount["sourceVolume"]
        for path, data in efs_files(realistic_emulator, aws, volume["fileSystemId"], point["RootDirectory"]["Path"]).items():
            (tree / path).parent.mkdir(parents=True, exist_ok=True)
            (tree / path).write_bytes(data)
        tree.chmod(0o755)
        mounts[mount["containerPath"]] = tree
    assert sorted(mounts) == ["/etc/nginx/conf.d", "/usr/share/nginx/html"]
    app_port = int({e["name"]: e["value"] for e in containers["app"]["environment"]}["WHOAMI_PORT_NUMBER"])
    (nginx_port,) = [m["containerPort"] for m in containers["nginx"]["portMappings"]]

    served = nginx_sandbox.serve(mounts, nginx_port, app_port, ["/", "/healthz", "/api/orders?id=7"], tmp_path / "run")

    assert "syntax is ok" in served["syntax"], served["syntax"]
    index, health, api = (served["responses"][path] for path in ("/", "/healthz", "/api/orders?id=7"))
    assert index["status"] == 200 and index["body"] == (mounts["/usr/share/nginx/html"] / "index.html").read_text()
    assert index["headers"]["X-Content-Type-Options"] == "nosniff" and index["headers"]["Server"] == "nginx"
    assert health["status"] == 200 and health["body"] == "ok\n"
    assert api["status"] == 200 and json.loads(api["body"]) == {"app": "stand-in", "path": "/api/orders?id=7"}


def test_the_run_met_throttling_and_rode_it_out(stack, realistic_emulator):
    assert realism(realistic_emulator)["throttled_calls"] > 0


def test_waits_print_what_is_pending_and_for_how_long(stack):
    # The rollout is held for 20 s (REALISTIC), and it is awaited right after the service is created.
    assert re.search(
        r"^\[demo\] Waiting for the rollout of demo-local-web: 1 pending \(PRIMARY IN_PROGRESS \d+/2 running "
        r"\(demo-local-web:\d+\)\), \d+ s elapsed of \d+ s$",
        stack.stderr,
        re.MULTILINE,
    ), stack.stderr[-3000:]
    assert re.search(r"^\[demo\] the rollout of demo-local-web: ready after \d+ s$", stack.stderr, re.MULTILINE)


def test_two_stacks_never_collide(stack, aws):
    demo, shop = stack_resources(aws, "demo"), stack_resources(aws, "shop")
    assert demo["vpcs"][0]["CidrBlock"] == "10.20.0.0/16" and shop["vpcs"][0]["CidrBlock"] == "10.40.0.0/16"
    for kind in ("repositories", "load_balancers", "target_groups", "clusters", "file_systems", "certificates"):
        assert demo[kind] and shop[kind], kind
        assert not set(demo[kind]) & set(shop[kind]), kind
    assert all(
        name.startswith("shop-local") for name in shop["load_balancers"] + shop["target_groups"] + shop["clusters"]
    )
    assert not {g["logGroupName"] for g in demo["log_groups"]} & {g["logGroupName"] for g in shop["log_groups"]}
    assert len(demo["vpn_endpoints"]) == 1 and "vpn_endpoints" not in shop
    assert len(demo["vpc_endpoints"]) == 4 and "vpc_endpoints" not in shop


def test_outputs_are_written_as_json_per_environment_and_stack(stack, aws):
    outputs = json.loads((Path(WORKER_LOCAL_FILES["cloudops_outputs_dir"]) / "local" / "demo.json").read_text())
    (balancer,) = aws("elbv2").describe_load_balancers(Names=["demo-local-alb"])["LoadBalancers"]
    assert outputs["service_url"] == f"https://{balancer['DNSName']}"
    assert sorted(outputs["repository_uris"]) == ["app", "nginx"]
    assert [outputs["file_system_id"]] == stack_resources(aws, "demo")["file_systems"]
    assert outputs["vpn_endpoint_id"].startswith("cvpn-endpoint-")
    assert list(outputs["vpn_client_config_paths"]) == ["operator"]
    assert outputs["service_arns"]["web"] == service(aws)["serviceArn"]
    shop = json.loads((Path(WORKER_LOCAL_FILES["cloudops_outputs_dir"]) / "local" / "shop.json").read_text())
    assert shop["service_url"].startswith("https://shop-local-alb") and not shop["vpn_endpoint_id"]


def test_second_run_changes_nothing(stack, run):
    again = run(args=DEMO_ONLY)
    assert again.returncode == 0, again.failure_messages()
    assert again.changed() == 0, again.changed_tasks()


def drift(run, local_files):
    return run(
        "playbooks/drift.yml", extra_vars={"drift_extra_vars": {**WORKER_LOCAL_FILES, **local_files}}, args=DEMO_ONLY
    )


def test_drift_passes_on_the_stack_as_built(stack, run, local_files):
    checked = drift(run, local_files)
    assert checked.returncode == 0, checked.failure_messages()
    assert "matches its inventory" in json.dumps(checked.task_results("Report no drift"))


# Each would reach AWS without the fargate role's validation: the service and the task definitions exist to change.
BAD_FARGATE_INPUTS = {
    "CPU/memory pair Fargate lacks": ({"fargate_cpu": 256, "fargate_memory": 4096}, "fargate_memory"),
    "min count above max": ({"fargate_min_count": 5, "fargate_max_count": 3, "fargate_desired_count": 4}, "fargate_min_count"),
    "desired count outside min and max": ({"fargate_desired_count": 9}, "fargate_desired_count"),
    "image tag that is neither tag nor digest": ({"fargate_image_tag": "app:1.0"}, "fargate_image_tag"),
    "digest that is not sha256 hex": ({"fargate_image_tag": "sha256:xyz"}, "fargate_image_tag"),
    "secret given as a plain value": ({"fargate_app_secrets": {"DB_PASSWORD": "hunter2"}}, "fargate_app_secrets"),
    "secret-looking plain environment": ({"fargate_app_environment": {"API_TOKEN": "abc"}}, "fargate_app_environment"),
    "container port out of range": ({"fargate_app_port": 70000}, "fargate_app_port"),
}


def fargate_layer(aws) -> dict:
    """What a fargate run that got past its validation would change."""
    svc = service(aws)
    (target,) = aws("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[f"service/{CLUSTER}/{SERVICE}"]
    )["ScalableTargets"]
    return {
        "service": (svc["taskDefinition"], svc["desiredCount"]),
        "revisions": aws("ecs").list_task_definitions(familyPrefix=SERVICE)["taskDefinitionArns"],
        "capacity": (target["MinCapacity"], target["MaxCapacity"]),
    }


@pytest.mark.parametrize("bad_vars, variable", BAD_FARGATE_INPUTS.values(), ids=BAD_FARGATE_INPUTS.keys())
def test_bad_fargate_input_fails_naming_the_variable_and_changes_nothing(stack, run, aws, bad_vars, variable):
    before = fargate_layer(aws)
    refused = run(args=["--tags", "fargate", *DEMO_ONLY], extra_vars=bad_vars)
    assert refused.returncode != 0
    assert variable in refused.failure_messages() + refused.stderr
    assert fargate_layer(aws) == before


def test_deploy_refuses_a_bad_image_tag_before_anything(stack, run, aws):
    before = fargate_layer(aws)
    refused = run("playbooks/deploy.yml", extra_vars={"image_tag": "not a tag"}, args=DEMO_ONLY)
    assert refused.returncode != 0
    assert "image_tag" in refused.failure_messages()
    assert fargate_layer(aws) == before


def test_teardown_refuses_without_confirmation_outside_local(playbook):
    # The dev inventory targets a real account: the refusal must come before any AWS call.
    refused = playbook("playbooks/teardown.yml", inventory=REPO_ROOT / "inventories" / "dev")
    assert refused.returncode != 0
    assert "confirm_teardown" in refused.failure_messages("web")
    assert refused.stats["web"]["ok"] == 0


def test_teardown_of_one_stack_leaves_the_other_as_it_was(stack, run, aws):
    demo = stack_resources(aws, "demo")
    torn_down = run("playbooks/teardown.yml", args=["--limit", "shop"])
    assert torn_down.returncode == 0, torn_down.failure_messages("shop")
    assert stack_resources(aws, "shop") == {}
    assert {k: len(v) for k, v in stack_resources(aws, "demo").items()} == {k: len(v) for k, v in demo.items()}
    assert service(aws)["status"] == "ACTIVE"


def test_teardown_leaves_nothing_of_the_stack_once_confirmed_with_its_name(stack, run, aws):
    demanding = {"teardown_requires_confirmation": True}
    refused = run("playbooks/teardown.yml", extra_vars=demanding, args=DEMO_ONLY)
    assert refused.returncode != 0 and "confirm_teardown" in refused.failure_messages()
    wrong = run("playbooks/teardown.yml", extra_vars={**demanding, "confirm_teardown": "other"}, args=DEMO_ONLY)
    assert wrong.returncode != 0 and "confirm_teardown" in wrong.failure_messages()
    assert service(aws)["status"] == "ACTIVE"
    torn_down = run("playbooks/teardown.yml", extra_vars={**demanding, "confirm_teardown": "demo"}, args=DEMO_ONLY)
    assert torn_down.returncode == 0, torn_down.failure_messages()
    assert stack_resources(aws, "demo") == {}
    # Both stacks gone: nothing of the layers is left in the account at all.
    assert aws("efs").describe_file_systems()["FileSystems"] == []
    assert aws("application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []
    assert aws("ec2").describe_vpcs(Filters=[{"Name": "tag:ManagedBy", "Values": ["cloudops.fargate"]}])["Vpcs"] == []
