"""cloudops.fargate.ecr_repository_info against moto in this process."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudops.fargate.plugins.modules import ecr_repository_info

LIFECYCLE = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 7,
            },
            "action": {"type": "expire"},
        }
    ]
}

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Pull", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}],
}


@pytest.fixture
def ecr(aws):
    return aws("ecr")


@pytest.fixture
def run(run_module):
    def run_info(args, check_mode=False):
        return run_module(ecr_repository_info, args, check_mode=check_mode)

    return run_info


def _tags(**tags):
    return [{"Key": key, "Value": value} for key, value in tags.items()]


@pytest.fixture
def stack(ecr):
    """Three repositories: two of stack demo (local and prod), one of another stack; names to ARNs."""
    arns = {}
    for name, tags in (
        ("demo/web", _tags(Stack="demo", Environment="local")),
        ("demo/worker", _tags(Stack="demo", Environment="prod")),
        ("other/api", _tags(Stack="other")),
    ):
        arns[name] = ecr.create_repository(
            repositoryName=name,
            imageTagMutability="IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": True},
            tags=tags,
        )["repository"]["repositoryArn"]
    ecr.put_lifecycle_policy(repositoryName="demo/web", lifecyclePolicyText=json.dumps(LIFECYCLE))
    ecr.set_repository_policy(repositoryName="demo/web", policyText=json.dumps(POLICY))
    return arns


def names_of(result):
    assert not result["failed"], result
    assert result["changed"] is False
    return [r["repository_name"] for r in result["repositories"]]


def test_no_repositories(run, ecr):
    result = run({})
    assert names_of(result) == []
    assert result["repositories"] == []


def test_all_repositories_by_name(run, stack):
    assert names_of(run({})) == ["demo/web", "demo/worker", "other/api"]


def test_return_shape(run, stack):
    result = run({"names": ["demo/web", "demo/worker"]})
    web, worker = result["repositories"]
    assert web == {
        "repository_name": "demo/web",
        "repository_arn": stack["demo/web"],
        "repository_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/demo/web",
        "registry_id": "123456789012",
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "encryption_type": "AES256",
        "lifecycle_policy": LIFECYCLE,
        "repository_policy": POLICY,
        "tags": {"Stack": "demo", "Environment": "local"},
    }
    assert worker["lifecycle_policy"] is None
    assert worker["repository_policy"] is None
    assert worker["tags"] == {"Stack": "demo", "Environment": "prod"}


def test_without_details_one_call_reads_the_repositories(run, stack, calls):
    calls.clear()
    web, worker = run({"names": ["demo/web", "demo/worker"], "details": False})["repositories"]
    assert calls == [("ecr", "DescribeRepositories")]
    assert web["repository_uri"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com/demo/web"
    assert (web["lifecycle_policy"], web["repository_policy"], web["tags"]) == (None, None, {})
    assert worker["repository_name"] == "demo/worker"


def test_without_details_a_tag_filter_still_reads_the_tags(run, stack, calls):
    calls.clear()
    result = run({"tags": {"Stack": "demo", "Environment": "prod"}, "details": False})
    assert names_of(result) == ["demo/worker"]
    assert result["repositories"][0]["tags"] == {"Stack": "demo", "Environment": "prod"}
    assert not [c for c in calls if c[1] in ("GetLifecyclePolicy", "GetRepositoryPolicy")]


def test_by_names_in_the_given_order(run, stack):
    assert names_of(run({"names": ["other/api", "demo/web"]})) == ["other/api", "demo/web"]


def test_missing_names_are_left_out(run, stack):
    assert names_of(run({"names": ["demo/missing", "demo/worker", "demo/worker"]})) == ["demo/worker"]
    assert names_of(run({"names": ["demo/missing"]})) == []
    assert names_of(run({"names": []})) == []


def test_by_tags(run, stack):
    assert names_of(run({"tags": {"Stack": "demo"}})) == ["demo/web", "demo/worker"]
    assert names_of(run({"tags": {"Stack": "demo", "Environment": "prod"}})) == ["demo/worker"]
    assert names_of(run({"tags": {"Stack": "nope"}})) == []
    assert names_of(run({"tags": {}})) == ["demo/web", "demo/worker", "other/api"]


def test_by_names_and_tags(run, stack):
    assert names_of(run({"names": ["demo/web", "other/api"], "tags": {"Stack": "demo"}})) == ["demo/web"]


def test_kms_repository_reports_its_key(aws, run, ecr):
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    ecr.create_repository(repositoryName="demo/kms", encryptionConfiguration={"encryptionType": "KMS", "kmsKey": key})
    (repository,) = run({"names": ["demo/kms"]})["repositories"]
    assert repository["encryption_type"] == "KMS"
    assert repository["kms_key"] == key


def test_check_mode(run, stack):
    assert names_of(run({"tags": {"Stack": "other"}}, check_mode=True)) == ["other/api"]


def test_invalid_name_fails(run, stack):
    result = run({"names": ["demo/web", "Demo Web"]})
    assert result["failed"]
    assert result["msg"].startswith("names[1] 'Demo Web' is not a valid repository name")


# --- image lookup -----------------------------------------------------------------------------------------


@pytest.fixture
def pushed(ecr, stack):
    """An image tagged 1.4.2 (and latest) in demo/web; demo/worker holds none. Its digest."""
    from tests.unit.plugins.modules.test_ecr_image import push_image

    digest, _manifest = push_image(ecr, {}, "demo/web", "1.4.2", layers=[b"base layer", b"app layer"])
    manifest = ecr.batch_get_image(repositoryName="demo/web", imageIds=[{"imageDigest": digest}])["images"][0]
    ecr.put_image(repositoryName="demo/web", imageManifest=manifest["imageManifest"], imageTag="latest")
    return digest


def test_without_image_the_repositories_have_no_image_key(run, pushed):
    assert all("image" not in r for r in run({"names": ["demo/web"]})["repositories"])


@pytest.mark.parametrize("by", ["tag", "digest"])
def test_the_image_is_found_by_tag_or_digest_with_every_tag(run, pushed, by):
    reference = "1.4.2" if by == "tag" else pushed
    web, worker = run({"names": ["demo/web", "demo/worker"], "image": reference})["repositories"]
    image = web["image"]
    assert image["image_digest"] == pushed
    assert image["image_tags"] == ["1.4.2", "latest"]
    assert image["image_manifest_media_type"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert isinstance(image["image_size_in_bytes"], int) and image["image_pushed_at"]
    assert set(image) == {
        "image_digest", "image_tags", "image_pushed_at", "image_size_in_bytes", "image_manifest_media_type",
        "scan_status", "finding_severity_counts",
    }
    assert worker["image"] is None, "a repository without the image says so"


def test_a_missing_tag_is_none_and_check_mode_reads_the_same(run, pushed):
    (web,) = run({"names": ["demo/web"], "image": "9.9.9"}, check_mode=True)["repositories"]
    assert web["image"] is None
    (web,) = run({"names": ["demo/web"], "image": "1.4.2"}, check_mode=True)["repositories"]
    assert web["image"]["image_digest"] == pushed


@pytest.mark.parametrize("reference", ["app:1.0", "-1.0", "sha256:xyz", "sha256:" + "A" * 64, "x" * 129])
def test_a_bad_image_reference_fails_naming_the_option(run, stack, reference):
    result = run({"names": ["demo/web"], "image": reference})
    assert result["failed"]
    assert result["msg"].startswith(f"image ({reference}) must be a tag")
