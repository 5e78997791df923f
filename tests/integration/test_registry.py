"""The registry layer through site.yml (--tags registry) on the local inventory, read back with boto3."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.integration.aws_state import account_inventory, tag_filters
from tests.integration.conftest import reset_emulator

REGISTRY_ONLY = ["--tags", "registry"]
IDENTITY = {"Stack": "demo", "Environment": "local", "ManagedBy": "cloudops.fargate"}
MANIFEST = json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
               "digest": "sha256:" + "a" * 64},
    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654,
                "digest": "sha256:" + "b" * 64}],
})


def upload_blob(ecr, repository: str, blob: bytes) -> str:
    upload_id = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    ecr.upload_layer_part(repositoryName=repository, uploadId=upload_id, partFirstByte=0,
                          partLastByte=len(blob) - 1, layerPartBlob=blob)
    digest = "sha256:" + hashlib.sha256(blob).hexdigest()
    return ecr.complete_layer_upload(repositoryName=repository, uploadId=upload_id, layerDigests=[digest])["layerDigest"]


def push_image(ecr, repository: str, tag: str) -> None:
    """Push as a client does: the blobs first, then the manifest naming them."""
    manifest = json.loads(MANIFEST)
    manifest["config"]["digest"] = upload_blob(ecr, repository, b"{}")
    manifest["layers"][0]["digest"] = upload_blob(ecr, repository, b"layer")
    ecr.put_image(repositoryName=repository, imageManifest=json.dumps(manifest), imageTag=tag)


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
        "registry_repositories": [{"name": "app", "keep_image_count": 100}, {"name": "nginx"}]})
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


def test_a_second_run_changes_nothing(converged, playbook):
    run = playbook(args=REGISTRY_ONLY, extra_vars={
        "registry_repositories": [{"name": "app", "keep_image_count": 100}, {"name": "nginx"}]})
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
    push_image(ecr, "demo-local/app", "1.0.0")
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
    local_files = {"storage_efs_mount_path": f"{tmp_path}/efs", "storage_pki_dir": f"{tmp_path}/pki"}
    before = account_inventory(aws)
    preview = playbook(extra_vars=local_files, check=True)
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
    fargate_roles = ("demo-local-task", "demo-local-task-execution")
    assert [r for r in aws("iam").list_roles()["Roles"] if r["RoleName"] in fargate_roles] == []
