"""The registry layer through site.yml (--tags registry) on the local inventory, read back with boto3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.aws_state import account_inventory, tag_filters
from tests.integration.conftest import reset_emulator

REGISTRY_ONLY = ["--tags", "registry"]
IDENTITY = {"Stack": "demo", "Environment": "local", "ManagedBy": "cloudops.fargate"}


def source(name: str) -> dict:
    """The local inventory's source of a repository's image: the emulator's public registry stand-in."""
    return {"source_image": f"{{{{ aws_endpoint_url | urlsplit('netloc') }}}}/demo/{name}:1.0.0", "source_registry_insecure": True}


def repositories(aws) -> dict[str, dict]:
    ecr = aws("ecr")
    found = {}
    for repository in ecr.describe_repositories()["repositories"]:
        tags = {t["Key"]: t["Value"] for t in ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"])["tags"]}
        found[repository["repositoryName"]] = dict(repository, tags=tags)
    return found


def lifecycle_rules(aws, name: str) -> list[dict]:
    text = aws("ecr").get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"]
    return json.loads(text)["rules"]


@pytest.fixture(scope="module")
def converged(emulator_endpoint, playbook, aws):
    reset_emulator(emulator_endpoint)
    run = playbook(args=REGISTRY_ONLY, extra_vars={
        "registry_repositories": [{"name": "app", "keep_image_count": 100, **source("app")}, {"name": "nginx", **source("nginx")}]})
    assert run.returncode == 0, run.failure_messages()
    return run


def test_repositories_are_immutable_scanned_encrypted_and_tagged(converged, aws):
    found = repositories(aws)
    assert set(found) == {"demo-local/app", "demo-local/nginx"}
    for repository in found.values():
        assert repository["imageTagMutability"] == "IMMUTABLE"
        assert repository["imageScanningConfiguration"]["scanOnPush"] is True
        assert repository["encryptionConfiguration"]["encryptionType"] == "AES256"
        assert repository["tags"] == {**IDENTITY, "CostCenter": "local"}


def test_lifecycle_policy_expires_untagged_images_and_keeps_the_newest(converged, aws):
    app = lifecycle_rules(aws, "demo-local/app")
    assert [r["selection"]["tagStatus"] for r in app] == ["untagged", "any"]
    assert app[0]["selection"] == {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                   "countUnit": "days", "countNumber": 7}
    assert app[1]["selection"]["countNumber"] == 100  # the per-repository override
    assert lifecycle_rules(aws, "demo-local/nginx")[1]["selection"]["countNumber"] == 50


def test_outputs_map_short_names_to_uris(converged, aws):
    (summary,) = converged.task_results("Show the stack's outputs")
    found = repositories(aws)
    assert summary["msg"]["repository_uris"] == {
        "app": found["demo-local/app"]["repositoryUri"],
        "nginx": found["demo-local/nginx"]["repositoryUri"],
    }


def test_the_images_the_stack_deploys_are_copied_from_their_sources_by_digest(converged, aws):
    from emulator.public_registry import demo_images

    ecr = aws("ecr")
    for name in ("app", "nginx"):
        (copied,) = ecr.describe_images(repositoryName=f"demo-local/{name}")["imageDetails"]
        amd64 = demo_images()[f"demo/{name}"]["1.0.0"].children[0]  # the index's linux/amd64 image
        assert copied["imageDigest"] == amd64.digest and copied["imageTags"] == ["1.0.0"]
        stored = ecr.batch_get_image(repositoryName=f"demo-local/{name}", imageIds=[{"imageTag": "1.0.0"}],
                                     acceptedMediaTypes=[amd64.media_type])["images"][0]
        assert stored["imageManifest"].encode() == amd64.manifest


def test_an_image_neither_there_nor_copyable_stops_the_run_with_the_push_commands(converged, playbook, aws):
    run = playbook(args=REGISTRY_ONLY, extra_vars={
        "fargate_image_tag": "5.5.5",
        "registry_repositories": [{"name": "app", "keep_image_count": 100}, {"name": "nginx", **source("nginx")}]})
    assert run.returncode != 0
    message = run.failure_messages()
    uri = repositories(aws)["demo-local/app"]["repositoryUri"]
    assert f"{uri}:5.5.5 is not in ECR" in message and "no source_image" in message
    assert f"docker push {uri}:5.5.5" in message and "aws ecr get-login-password --region us-east-1" in message
    # The run stopped before copying anything, the image that has a source included: it learns within seconds.
    tags = {name: sorted(t for d in aws("ecr").describe_images(repositoryName=f"demo-local/{name}")["imageDetails"]
                         for t in d.get("imageTags", [])) for name in ("app", "nginx")}
    assert tags == {"app": ["1.0.0"], "nginx": ["1.0.0"]}


def test_a_second_run_changes_nothing(converged, playbook):
    run = playbook(args=REGISTRY_ONLY, extra_vars={
        "registry_repositories": [{"name": "app", "keep_image_count": 100, **source("app")}, {"name": "nginx", **source("nginx")}]})
    assert run.changed() == 0, run.changed_tasks()


def test_check_mode_with_diff_shows_a_policy_change_and_applies_nothing(converged, playbook, aws):
    run = playbook(args=REGISTRY_ONLY, check=True, diff=True)  # app back to the default count of 50
    assert run.returncode == 0, run.failure_messages()
    changed = [r for r in run.task_results("Create or update each repository") if r.get("changed")]
    assert [r["item"]["short_name"] for r in changed] == ["app"]
    assert "100" in json.dumps(changed[0]["diff"]["before"]) and "50" in json.dumps(changed[0]["diff"]["after"])
    assert lifecycle_rules(aws, "demo-local/app")[1]["selection"]["countNumber"] == 100


def test_teardown_refuses_repositories_with_images_unless_forced(converged, playbook, aws):
    ecr = aws("ecr")
    # The layer copied the image the stack deploys into each repository.
    ecr.create_repository(repositoryName="other-local/app")  # another stack's, untagged: never touched

    refused = playbook("playbooks/teardown.yml", args=REGISTRY_ONLY, extra_vars={"registry_force_destroy": False})
    assert refused.returncode != 0
    assert "demo-local/app holds 1 image" in refused.failure_messages()
    assert "demo-local/app" in repositories(aws)

    forced = playbook("playbooks/teardown.yml", args=REGISTRY_ONLY)
    assert forced.returncode == 0, forced.failure_messages()
    assert set(repositories(aws)) == {"other-local/app"}


BAD_INPUTS = [
    ({"registry_repositories": [{"name": "App"}]}, "registry_repositories names"),
    ({"registry_repositories": [{"name": "app"}, {"name": "app"}]}, "registry_repositories names must be unique"),
    ({"registry_keep_image_count": 0}, "registry_keep_image_count"),
    ({"registry_image_tag_mutability": "SOMETIMES"}, "registry_image_tag_mutability"),
    ({"registry_encryption_type": "KMS"}, "encryption_type KMS requires kms_key"),
    ({"registry_repositories": [{"name": "app"}, {"name": "nginx", "lifecycle_policy": {"rules": [
        {"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": -1},
         "action": {"type": "expire"}}]}}]}, "countNumber must be a positive integer"),
    ({"registry_repository_policy": {"Version": "2012-10-17"}}, "repository_policy"),
]


@pytest.mark.parametrize("extra_vars,message", BAD_INPUTS, ids=[m for _v, m in BAD_INPUTS])
def test_bad_input_fails_before_any_repository_is_created(emulator_endpoint, playbook, aws, extra_vars, message):
    reset_emulator(emulator_endpoint)
    before = account_inventory(aws)
    run = playbook(args=REGISTRY_ONLY, extra_vars=extra_vars)
    assert run.returncode != 0
    assert message in run.failure_messages() + run.stderr
    assert repositories(aws) == {}
    assert account_inventory(aws) == before


def test_check_mode_on_an_empty_account_creates_nothing(emulator_endpoint, playbook, aws, tmp_path):
    # Every layer at once: this is the check-mode-on-an-empty-account test of each of them (here, beside the short
    # chain of the registry's runs). Files of its own, so nothing left under .emulator/ can hide a file it wrote.
    reset_emulator(emulator_endpoint)
    local_files = {"storage_pki_dir": f"{tmp_path}/pki"}
    # With what a canary needs and a topic of the stack's own for the alarms, so their check mode is covered too.
    canary = {"fargate_deployment_strategy": "canary", "fargate_alarm_emails": ["ops@example.com"]}
    before = account_inventory(aws)
    preview = playbook(extra_vars={**local_files, **canary}, check=True)
    assert preview.returncode == 0, preview.failure_messages()
    assert preview.changed() > 0, "check mode must predict the stack's creation"
    assert account_inventory(aws) == before
    assert aws("elbv2").describe_target_groups()["TargetGroups"] == []
    assert aws("ec2").describe_vpcs(Filters=tag_filters("demo"))["Vpcs"] == []
    assert aws("ecr").describe_repositories()["repositories"] == []
    assert aws("efs").describe_file_systems()["FileSystems"] == []
    assert aws("ec2").describe_client_vpn_endpoints()["ClientVpnEndpoints"] == []
    assert aws("acm").list_certificates()["CertificateSummaryList"] == []
    assert aws("elbv2").describe_load_balancers()["LoadBalancers"] == []
    assert not any(Path(path).exists() for path in local_files.values())
    assert aws("ecs").list_clusters()["clusterArns"] == []
    assert aws("ecs").list_task_definitions()["taskDefinitionArns"] == []
    fargate_roles = ("demo-local-task", "demo-local-task-execution", "demo-local-ecs-load-balancers")
    assert [r for r in aws("iam").list_roles()["Roles"] if r["RoleName"] in fargate_roles] == []
    assert aws("cloudwatch").describe_alarms()["MetricAlarms"] == []
    assert aws("cloudwatch").list_dashboards()["DashboardEntries"] == []
    assert aws("sns").list_topics()["Topics"] == []
    assert [a for a in aws("kms").list_aliases()["Aliases"] if a["AliasName"].startswith("alias/demo-")] == []
