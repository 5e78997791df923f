"""cloudops.fargate.ecr_repository against moto in this process; every outcome is read back with boto3."""

from __future__ import annotations

import copy
import functools
import hashlib
import json

import pytest

from ansible_collections.cloudops.fargate.plugins.modules import ecr_repository
from tests.unit import helpers
from tests.unit.helpers import assert_ok

NAME = "unit/web-app"

LIFECYCLE = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Expire untagged images after 7 days",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 7,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "selection": {
                "tagStatus": "tagged",
                "tagPrefixList": ["v"],
                "countType": "imageCountMoreThan",
                "countNumber": 30,
            },
            "action": {"type": "expire"},
        },
    ]
}

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowPull",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        }
    ],
}

MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7023,
            "digest": "sha256:" + "b" * 64,
        },
        "layers": [
            {
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "size": 32654,
                "digest": "sha256:" + "c" * 64,
            }
        ],
    }
)


@pytest.fixture
def ecr(aws):
    return aws("ecr")


@pytest.fixture
def args():
    return {"name": NAME, "tags": {"Stack": "unit"}}


@pytest.fixture
def run(run_module):
    def run_ecr_repository(args, check_mode=False, diff=False):
        return run_module(ecr_repository, args, check_mode=check_mode, diff=diff)

    return run_ecr_repository


@pytest.fixture
def created(run, args, ecr):
    """The repository of ``args`` created for real; returns its DescribeRepositories entry."""
    result = run(args)
    assert_ok(result, changed=True)
    return describe(ecr)


def repositories(ecr):
    return ecr.describe_repositories()["repositories"]


def describe(ecr, name=NAME):
    found = [r for r in repositories(ecr) if r["repositoryName"] == name]
    assert len(found) == 1, found
    return found[0]


def tags_of(ecr, name=NAME):
    arn = describe(ecr, name)["repositoryArn"]
    return {t["Key"]: t["Value"] for t in ecr.list_tags_for_resource(resourceArn=arn)["tags"]}


def lifecycle_of(ecr, name=NAME):
    try:
        return json.loads(ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"])
    except ecr.exceptions.LifecyclePolicyNotFoundException:
        return None


def policy_of(ecr, name=NAME):
    try:
        return json.loads(ecr.get_repository_policy(repositoryName=name)["policyText"])
    except ecr.exceptions.RepositoryPolicyNotFoundException:
        return None


def upload_blob(ecr, repository, blob):
    upload_id = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    ecr.upload_layer_part(
        repositoryName=repository, uploadId=upload_id, partFirstByte=0, partLastByte=len(blob) - 1, layerPartBlob=blob
    )
    digest = "sha256:" + hashlib.sha256(blob).hexdigest()
    return ecr.complete_layer_upload(repositoryName=repository, uploadId=upload_id, layerDigests=[digest])["layerDigest"]


def push_image(ecr, tag="v1", name=NAME):
    """Push as a client does: blobs first, then a manifest naming them (a layer of its own per tag)."""
    manifest = json.loads(MANIFEST)
    manifest["config"]["digest"] = upload_blob(ecr, name, json.dumps({"tag": tag}).encode())
    manifest["layers"][0]["digest"] = upload_blob(ecr, name, tag.encode())
    ecr.put_image(repositoryName=name, imageManifest=json.dumps(manifest), imageTag=tag)


# The four steps (STYLE.md 14) on this module's resource.
four_steps = functools.partial(helpers.four_steps, key="repository")


# --- create: the four steps ---------------------------------------------------------------------------


def test_create_four_steps(run, args, ecr):
    args = dict(args, lifecycle_policy=LIFECYCLE, repository_policy=POLICY)

    # 1. check mode predicts the creation and creates nothing
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert repositories(ecr) == []
    predicted = result["repository"]
    assert predicted == {
        "repository_name": NAME,
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "encryption_type": "AES256",
        "lifecycle_policy": LIFECYCLE,
        "repository_policy": POLICY,
        "tags": {"Stack": "unit"},
    }
    assert result["diff"] == {"before": {}, "after": predicted}

    # 2. for real
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    repository = describe(ecr)
    assert repository["imageTagMutability"] == "IMMUTABLE"
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repository["encryptionConfiguration"]["encryptionType"] == "AES256"
    assert tags_of(ecr) == {"Stack": "unit"}
    assert lifecycle_of(ecr) == LIFECYCLE
    assert policy_of(ecr) == POLICY
    assert result["repository"] == dict(
        predicted,
        repository_arn=repository["repositoryArn"],
        repository_uri=repository["repositoryUri"],
        registry_id=repository["registryId"],
    )
    assert result["diff"] == {"before": {}, "after": predicted}

    # 3. again in check mode: nothing to do
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert result["diff"] == {"before": {}, "after": {}}
    assert result["repository"]["repository_arn"] == repository["repositoryArn"]

    # 4. again for real: nothing to do
    result = run(args)
    assert_ok(result, changed=False)
    assert result["repository"]["repository_uri"] == repository["repositoryUri"]
    assert len(repositories(ecr)) == 1


def test_create_with_defaults_only(run, ecr):
    result = run({"name": NAME})
    assert_ok(result, changed=True)
    assert result["repository"]["tags"] == {}
    assert result["repository"]["lifecycle_policy"] is None
    assert result["repository"]["repository_policy"] is None
    assert "kms_key" not in result["repository"]
    assert tags_of(ecr) == {}
    assert lifecycle_of(ecr) is None
    assert policy_of(ecr) is None
    assert_ok(run({"name": NAME}, check_mode=True), changed=False)
    assert_ok(run({"name": NAME}), changed=False)


def test_create_with_empty_policies_creates_none(run, ecr):
    args = {"name": NAME, "lifecycle_policy": "", "repository_policy": {}}
    result = run(args)
    assert_ok(result, changed=True)
    assert lifecycle_of(ecr) is None
    assert policy_of(ecr) is None
    assert_ok(run(args), changed=False)


def test_create_kms_four_steps(aws, run, ecr):
    kms = aws("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/unit-ecr", TargetKeyId=key["KeyId"])
    args = {"name": NAME, "encryption_type": "KMS", "kms_key": key["Arn"]}

    result = run(args, check_mode=True)
    assert_ok(result, changed=True)
    assert result["repository"]["kms_key"] == key["Arn"]
    assert repositories(ecr) == []

    result = run(args)
    assert_ok(result, changed=True)
    assert describe(ecr)["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": key["Arn"]}
    assert result["repository"]["encryption_type"] == "KMS"
    assert result["repository"]["kms_key"] == key["Arn"]

    assert_ok(run(args, check_mode=True), changed=False)
    assert_ok(run(args), changed=False)
    # the same key by its ID or its alias is no change either
    assert_ok(run(dict(args, kms_key=key["KeyId"])), changed=False)
    assert_ok(run(dict(args, kms_key="alias/unit-ecr")), changed=False)


# --- updates, one setting at a time -------------------------------------------------------------------


def _mutability(ecr):
    return describe(ecr)["imageTagMutability"]


def _scan(ecr):
    return describe(ecr)["imageScanningConfiguration"]["scanOnPush"]


def test_update_image_tag_mutability(run, args, ecr, created):
    result = four_steps(
        run,
        dict(args, image_tag_mutability="MUTABLE"),
        ecr,
        _mutability,
        expected="MUTABLE",
        diff_before={"image_tag_mutability": "IMMUTABLE"},
        diff_after={"image_tag_mutability": "MUTABLE"},
    )
    assert result["image_tag_mutability"] == "MUTABLE"
    assert tags_of(ecr) == {"Stack": "unit"}


def test_update_scan_on_push(run, args, ecr, created):
    result = four_steps(
        run,
        dict(args, scan_on_push=False),
        ecr,
        _scan,
        expected=False,
        diff_before={"scan_on_push": True},
        diff_after={"scan_on_push": False},
    )
    assert result["scan_on_push"] is False
    assert _mutability(ecr) == "IMMUTABLE"


def test_lifecycle_policy_add_change_remove(run, args, ecr, created):
    # add
    four_steps(
        run,
        dict(args, lifecycle_policy=LIFECYCLE),
        ecr,
        lifecycle_of,
        expected=LIFECYCLE,
        diff_before={"lifecycle_policy": None},
        diff_after={"lifecycle_policy": LIFECYCLE},
    )
    # change one number
    changed = copy.deepcopy(LIFECYCLE)
    changed["rules"][1]["selection"]["countNumber"] = 10
    result = four_steps(
        run,
        dict(args, lifecycle_policy=changed),
        ecr,
        lifecycle_of,
        expected=changed,
        diff_before={"lifecycle_policy": LIFECYCLE},
        diff_after={"lifecycle_policy": changed},
    )
    assert result["lifecycle_policy"] == changed
    # left out: left alone
    assert_ok(run(args), changed=False)
    assert lifecycle_of(ecr) == changed
    # remove
    result = four_steps(
        run,
        dict(args, lifecycle_policy={}),
        ecr,
        lifecycle_of,
        expected=None,
        diff_before={"lifecycle_policy": changed},
        diff_after={"lifecycle_policy": None},
    )
    assert result["lifecycle_policy"] is None
    # an empty string also means no policy, and there is none: no change
    assert_ok(run(dict(args, lifecycle_policy="")), changed=False)


def test_repository_policy_add_change_remove(run, args, ecr, created):
    four_steps(
        run,
        dict(args, repository_policy=POLICY),
        ecr,
        policy_of,
        expected=POLICY,
        diff_before={"repository_policy": None},
        diff_after={"repository_policy": POLICY},
    )
    changed = copy.deepcopy(POLICY)
    changed["Statement"][0]["Action"].append("ecr:BatchCheckLayerAvailability")
    four_steps(
        run,
        dict(args, repository_policy=changed),
        ecr,
        policy_of,
        expected=changed,
        diff_before={"repository_policy": POLICY},
        diff_after={"repository_policy": changed},
    )
    assert_ok(run(args), changed=False)
    assert policy_of(ecr) == changed
    result = four_steps(
        run,
        dict(args, repository_policy=""),
        ecr,
        policy_of,
        expected=None,
        diff_before={"repository_policy": changed},
        diff_after={"repository_policy": None},
    )
    assert result["repository_policy"] is None
    assert_ok(run(dict(args, repository_policy={})), changed=False)


def test_tags_add(run, args, ecr, created):
    four_steps(
        run,
        dict(args, tags={"Stack": "unit", "Owner": "team"}),
        ecr,
        tags_of,
        expected={"Stack": "unit", "Owner": "team"},
        diff_before={"tags": {"Stack": "unit"}},
        diff_after={"tags": {"Stack": "unit", "Owner": "team"}},
    )


def test_tags_purge(run, args, ecr, created):
    ecr.tag_resource(resourceArn=created["repositoryArn"], tags=[{"Key": "Manual", "Value": "yes"}])
    four_steps(
        run,
        dict(args, tags={"Environment": "local"}),
        ecr,
        tags_of,
        expected={"Environment": "local"},
        diff_before={"tags": {"Stack": "unit", "Manual": "yes"}},
        diff_after={"tags": {"Environment": "local"}},
    )


def test_tags_keep_without_purge(run, args, ecr, created):
    ecr.tag_resource(resourceArn=created["repositoryArn"], tags=[{"Key": "Manual", "Value": "yes"}])
    four_steps(
        run,
        dict(args, tags={"Environment": "local"}, purge_tags=False),
        ecr,
        tags_of,
        expected={"Stack": "unit", "Manual": "yes", "Environment": "local"},
        diff_before={"tags": {"Stack": "unit", "Manual": "yes"}},
        diff_after={"tags": {"Stack": "unit", "Manual": "yes", "Environment": "local"}},
    )


def test_tags_left_out_are_left_alone(run, ecr, created):
    assert_ok(run({"name": NAME}), changed=False)
    assert tags_of(ecr) == {"Stack": "unit"}


def test_several_changes_in_one_run(run, args, ecr, created):
    updated = dict(
        args, image_tag_mutability="MUTABLE", scan_on_push=False, lifecycle_policy=LIFECYCLE, tags={"Stack": "prod"}
    )
    result = run(updated, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {
        "before": {
            "image_tag_mutability": "IMMUTABLE",
            "scan_on_push": True,
            "lifecycle_policy": None,
            "tags": {"Stack": "unit"},
        },
        "after": {
            "image_tag_mutability": "MUTABLE",
            "scan_on_push": False,
            "lifecycle_policy": LIFECYCLE,
            "tags": {"Stack": "prod"},
        },
    }
    assert _mutability(ecr) == "MUTABLE"
    assert _scan(ecr) is False
    assert lifecycle_of(ecr) == LIFECYCLE
    assert tags_of(ecr) == {"Stack": "prod"}
    assert_ok(run(updated), changed=False)


# --- policies compared as parsed JSON ------------------------------------------------------------------


def _reordered(value):
    """The same JSON with every object's keys in reverse order."""
    if isinstance(value, dict):
        return {key: _reordered(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reordered(v) for v in value]
    return value


def test_policies_as_json_strings_and_reordered_are_no_change(run, args, ecr):
    assert_ok(run(dict(args, lifecycle_policy=LIFECYCLE, repository_policy=POLICY)), changed=True)
    variants = [
        {"lifecycle_policy": json.dumps(LIFECYCLE), "repository_policy": json.dumps(POLICY)},
        {"lifecycle_policy": json.dumps(LIFECYCLE, indent=8), "repository_policy": json.dumps(POLICY, indent=1)},
        {"lifecycle_policy": _reordered(LIFECYCLE), "repository_policy": _reordered(POLICY)},
        {"lifecycle_policy": json.dumps(_reordered(LIFECYCLE)), "repository_policy": json.dumps(_reordered(POLICY))},
        {"lifecycle_policy": {"rules": list(reversed(LIFECYCLE["rules"]))}},
    ]
    for variant in variants:
        result = run(dict(args, **variant), check_mode=True, diff=True)
        assert_ok(result, changed=False)
        assert_ok(run(dict(args, **variant)), changed=False)


def test_repository_policy_equivalent_spellings_are_no_change(run, args, ecr):
    assert_ok(run(dict(args, repository_policy=POLICY)), changed=True)
    equivalent = {
        "Version": "2012-10-17",
        "Statement": {
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Principal": {"AWS": ["210987654321"]},
            "Effect": "Allow",
            "Sid": "AllowPull",
        },
    }
    assert_ok(run(dict(args, repository_policy=equivalent), check_mode=True), changed=False)
    assert_ok(run(dict(args, repository_policy=equivalent)), changed=False)
    assert policy_of(ecr) == POLICY


def test_out_of_band_policy_in_another_spelling_is_no_change(run, args, ecr, created):
    single = {
        "Version": "2012-10-17",
        "Statement": {"Sid": "Pull", "Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"},
    }
    ecr.set_repository_policy(repositoryName=NAME, policyText=json.dumps(single, indent=2))
    as_list = {
        "Statement": [{"Effect": "Allow", "Sid": "Pull", "Principal": {"AWS": "*"}, "Action": ["ecr:BatchGetImage"]}],
        "Version": "2012-10-17",
    }
    assert_ok(run(dict(args, repository_policy=as_list)), changed=False)


# --- encryption cannot change --------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [True, False])
def test_encryption_type_change_refused(aws, run, args, ecr, created, check_mode):
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    result = run(dict(args, encryption_type="KMS", kms_key=key, scan_on_push=False), check_mode=check_mode)
    assert result["failed"]
    assert "encryption_type" in result["msg"]
    assert "cannot change" in result["msg"]
    assert "AES256" in result["msg"] and "KMS" in result["msg"]
    repository = describe(ecr)
    assert repository["encryptionConfiguration"]["encryptionType"] == "AES256"
    assert repository["imageScanningConfiguration"]["scanOnPush"] is True


@pytest.mark.parametrize("check_mode", [True, False])
def test_kms_key_change_refused(aws, run, ecr, check_mode):
    kms = aws("kms")
    first = kms.create_key()["KeyMetadata"]["Arn"]
    second = kms.create_key()["KeyMetadata"]["Arn"]
    args = {"name": NAME, "encryption_type": "KMS", "kms_key": first}
    assert_ok(run(args), changed=True)

    result = run(dict(args, kms_key=second, image_tag_mutability="MUTABLE"), check_mode=check_mode)
    assert result["failed"]
    assert result["msg"].startswith("kms_key of ECR repository")
    assert first in result["msg"] and second in result["msg"]
    assert describe(ecr)["encryptionConfiguration"]["kmsKey"] == first
    assert _mutability(ecr) == "IMMUTABLE"

    result = run({"name": NAME}, check_mode=check_mode)
    assert result["failed"]
    assert "encryption_type" in result["msg"]


# --- bad input fails before anything is created -----------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "Unit/Web"}, "name 'Unit/Web' is not a valid repository name"),
        ({"name": "u"}, "name must be 2 to 256 characters long"),
        ({"name": "unit//web"}, "not a valid repository name"),
        ({"encryption_type": "KMS"}, "encryption_type KMS requires kms_key"),
        ({"kms_key": "alias/unit"}, "kms_key is only valid with encryption_type KMS"),
        ({"lifecycle_policy": '{"rules": [}'}, "lifecycle_policy is not valid JSON"),
        ({"lifecycle_policy": "[]"}, "lifecycle_policy must be a JSON object"),
        ({"lifecycle_policy": {"rules": []}}, "lifecycle_policy.rules must be a non-empty list"),
        ({"repository_policy": "{"}, "repository_policy is not valid JSON"),
        ({"repository_policy": {"Version": "2012-10-17"}}, "repository_policy.Statement must be a non-empty list"),
        ({"image_tag_mutability": "SOMETIMES"}, "image_tag_mutability"),
    ],
)
@pytest.mark.parametrize("check_mode", [True, False])
def test_bad_input_fails_before_anything_is_created(run, args, ecr, overrides, message, check_mode):
    result = run({**args, "lifecycle_policy": LIFECYCLE, **overrides}, check_mode=check_mode)
    assert result["failed"]
    assert message in result["msg"]
    assert repositories(ecr) == []


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("countNumber", 0, "lifecycle_policy.rules[1].selection.countNumber must be a positive integer"),
        ("tagStatus", "some", "lifecycle_policy.rules[1].selection.tagStatus must be one of tagged, untagged, any"),
        ("countType", "count", "lifecycle_policy.rules[1].selection.countType must be one of"),
        ("countUnit", "days", "lifecycle_policy.rules[1].selection.countUnit is only valid when countType is"),
        ("tagPrefixList", None, "lifecycle_policy.rules[1].selection needs tagPrefixList or tagPatternList"),
    ],
)
def test_bad_lifecycle_rule_fails_on_an_existing_repository_without_changes(
    run, args, ecr, created, path, value, message
):
    broken = copy.deepcopy(LIFECYCLE)
    if value is None:
        del broken["rules"][1]["selection"][path]
    else:
        broken["rules"][1]["selection"][path] = value
    result = run(dict(args, lifecycle_policy=broken, image_tag_mutability="MUTABLE", tags={"New": "tag"}))
    assert result["failed"]
    assert message in result["msg"]
    assert lifecycle_of(ecr) is None
    assert _mutability(ecr) == "IMMUTABLE"
    assert tags_of(ecr) == {"Stack": "unit"}


def test_bad_lifecycle_priorities_fail(run, args, ecr):
    rules = copy.deepcopy(LIFECYCLE["rules"])
    rules[1]["rulePriority"] = 1
    result = run(dict(args, lifecycle_policy={"rules": rules}))
    assert result["failed"]
    assert "lifecycle_policy.rules[1].rulePriority 1 is not unique" in result["msg"]

    any_first = {
        "rulePriority": 1,
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100},
        "action": {"type": "expire"},
    }
    rules = [any_first, dict(copy.deepcopy(LIFECYCLE["rules"][1]), rulePriority=5)]
    result = run(dict(args, lifecycle_policy={"rules": rules}))
    assert result["failed"]
    assert "must have the highest rulePriority" in result["msg"]
    assert repositories(ecr) == []


# --- delete ----------------------------------------------------------------------------------------------


def test_delete_four_steps(run, args, ecr, created):
    absent = {"name": NAME, "state": "absent"}

    result = run(absent, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert describe(ecr)["repositoryArn"] == created["repositoryArn"]
    assert result["diff"]["before"]["repository_arn"] == created["repositoryArn"]
    assert result["diff"]["before"]["tags"] == {"Stack": "unit"}
    assert result["diff"]["after"] == {}
    assert result["repository"] == {}

    result = run(absent, diff=True)
    assert_ok(result, changed=True)
    assert repositories(ecr) == []
    assert result["repository"] == {}
    assert result["diff"]["after"] == {}

    assert_ok(run(absent, check_mode=True), changed=False)
    result = run(absent)
    assert_ok(result, changed=False)
    assert result["repository"] == {}


def test_delete_ignores_present_only_options(run, ecr):
    # nothing but the name is validated for state=absent
    result = run({"name": NAME, "state": "absent", "lifecycle_policy": "{", "encryption_type": "KMS"})
    assert_ok(result, changed=False)


def test_delete_invalid_name_fails(run, ecr):
    result = run({"name": "Bad Name", "state": "absent"})
    assert result["failed"]
    assert "not a valid repository name" in result["msg"]


def test_delete_with_images_refused_then_forced(run, args, ecr, created):
    push_image(ecr, "v1")
    push_image(ecr, "v2")
    absent = {"name": NAME, "state": "absent"}

    for check_mode in (True, False):
        result = run(absent, check_mode=check_mode)
        assert result["failed"]
        assert "holds 2 images" in result["msg"]
        assert "force: true" in result["msg"]
        assert describe(ecr)["repositoryArn"] == created["repositoryArn"]

    forced = dict(absent, force=True)
    result = run(forced, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert len(ecr.list_images(repositoryName=NAME)["imageIds"]) == 2

    result = run(forced, diff=True)
    assert_ok(result, changed=True)
    assert repositories(ecr) == []

    assert_ok(run(forced, check_mode=True), changed=False)
    assert_ok(run(forced), changed=False)


def test_delete_with_one_image_message(run, args, ecr, created):
    push_image(ecr, "v1")
    result = run({"name": NAME, "state": "absent"})
    assert result["failed"]
    assert "holds 1 image;" in result["msg"]


def test_delete_leaves_other_repositories_alone(run, args, ecr, created):
    assert_ok(run({"name": "unit/other"}), changed=True)
    assert_ok(run({"name": NAME, "state": "absent"}), changed=True)
    assert [r["repositoryName"] for r in repositories(ecr)] == ["unit/other"]


# --- which scanning applies -----------------------------------------------------------------------------------


def put_registry_scanning(ecr, scan_type, *rules):
    """Set the registry's scanning configuration; each rule is (frequency, [filters])."""
    ecr.put_registry_scanning_configuration(
        scanType=scan_type,
        rules=[
            {"scanFrequency": frequency, "repositoryFilters": [{"filter": f, "filterType": "WILDCARD"} for f in filters]}
            for frequency, filters in rules
        ],
    )


def test_scanning_basic_with_scan_on_push(run, args, ecr, calls):
    calls.clear()
    result = run(args)
    assert_ok(result, changed=True)
    assert result["scanning"] == {
        "type": "BASIC",
        "frequency": "SCAN_ON_PUSH",
        "filter": None,
        "registry_scan_type": "BASIC",
        "applies_because": "the registry uses BASIC scanning and the repository has scan on push",
    }
    assert not result.get("warnings")
    assert calls.count(("ecr", "GetRegistryScanningConfiguration")) == 1


def test_scanning_basic_without_scan_on_push_is_manual(run, args, ecr):
    result = run(dict(args, scan_on_push=False))
    assert_ok(result, changed=True)
    assert (result["scanning"]["type"], result["scanning"]["frequency"]) == ("BASIC", "MANUAL")
    assert not result.get("warnings")


def test_scanning_enhanced_with_a_matching_scan_on_push_rule(run, args, ecr, created):
    put_registry_scanning(ecr, "ENHANCED", ("SCAN_ON_PUSH", ["unit/web-app"]))
    result = run(args)
    assert_ok(result, changed=False)
    scanning = result["scanning"]
    assert (scanning["type"], scanning["frequency"], scanning["filter"]) == ("ENHANCED", "SCAN_ON_PUSH", "unit/web-app")
    assert scanning["registry_scan_type"] == "ENHANCED"
    # the repository asks for scan on push, which ENHANCED scanning ignores
    assert any("ignores" in w and NAME in w for w in result["warnings"]), result["warnings"]
    # what the repository says is left as it is
    assert describe(ecr)["imageScanningConfiguration"] == {"scanOnPush": True}


def test_scanning_enhanced_with_a_wildcard_continuous_rule(run, args, ecr, created):
    put_registry_scanning(
        ecr, "ENHANCED", ("SCAN_ON_PUSH", ["unit/web-app"]), ("CONTINUOUS_SCAN", ["unit/*"])
    )
    result = run(dict(args, scan_on_push=False))
    assert_ok(result, changed=True)
    scanning = result["scanning"]
    assert (scanning["type"], scanning["frequency"], scanning["filter"]) == ("ENHANCED", "CONTINUOUS_SCAN", "unit/*")
    # scan on push is off: nothing to warn about
    assert not result.get("warnings")


def test_scanning_enhanced_without_a_matching_rule_warns(run, args, ecr, created):
    # "*web" would match the repository were the wildcard not anchored at the name's end (moto's own matching)
    put_registry_scanning(ecr, "ENHANCED", ("CONTINUOUS_SCAN", ["*web", "prod"]))
    result = run(args)
    assert_ok(result, changed=False)
    scanning = result["scanning"]
    assert (scanning["type"], scanning["frequency"], scanning["filter"]) == (None, None, None)
    assert scanning["registry_scan_type"] == "ENHANCED"
    assert any("nothing scans its images" in w and NAME in w for w in result["warnings"]), result["warnings"]


def test_scanning_in_check_mode_changes_nothing(run, args, ecr, calls):
    put_registry_scanning(ecr, "ENHANCED", ("CONTINUOUS_SCAN", ["web-app"]))
    configuration = ecr.get_registry_scanning_configuration()["scanningConfiguration"]
    calls.clear()
    result = run(args, check_mode=True)
    # read-only: the scanning configuration is read once and nothing is written
    assert calls.count(("ecr", "GetRegistryScanningConfiguration")) == 1
    assert not [call for call in calls if not call[1].startswith(("Describe", "Get", "List"))], calls
    assert_ok(result, changed=True)
    assert repositories(ecr) == []
    assert result["scanning"]["type"] == "ENHANCED"
    assert result["scanning"]["frequency"] == "CONTINUOUS_SCAN"
    assert any("ignores" in w for w in result["warnings"]), result["warnings"]
    assert ecr.get_registry_scanning_configuration()["scanningConfiguration"] == configuration


def test_scanning_unreadable_configuration_warns(run, args, ecr, monkeypatch):
    import botocore.client
    from botocore.exceptions import ClientError

    original = botocore.client.BaseClient._make_api_call

    def denied(self, operation_name, api_params):
        if operation_name == "GetRegistryScanningConfiguration":
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", denied)
    result = run(args)
    assert_ok(result, changed=True)
    assert (result["scanning"]["type"], result["scanning"]["registry_scan_type"]) == (None, None)
    assert any("GetRegistryScanningConfiguration" in w for w in result["warnings"]), result["warnings"]


def test_delete_returns_no_scanning(run, args, ecr, created, calls):
    calls.clear()
    result = run(dict(args, state="absent"))
    assert_ok(result, changed=True)
    assert "scanning" not in result
    assert ("ecr", "GetRegistryScanningConfiguration") not in calls
