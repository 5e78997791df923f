"""Unit tests of the pure functions of plugins/module_utils/_ecr.py."""

from __future__ import annotations

import copy
import datetime
import json

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import EcrInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import applicable_scanning
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import encryption_differences
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import image_id
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import normalize_image
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import has_all_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import is_kms_alias
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import kms_keys_match
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import lifecycle_policies_equal
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import lifecycle_policy_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import matching_scanning_rule
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import normalize_lifecycle_policy
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import normalize_repository
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import normalize_repository_policy
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import parse_policy_option
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import parse_policy_text
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import predicted_repository
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import repository_name_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import repository_policies_equal
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import repository_policy_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import scanning_filter_matches
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import scanning_warning
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import validate_repository_name
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import wanted_settings
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import wanted_tags

KEY_ID = "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6"
KEY_ARN = f"arn:aws:kms:us-east-1:123456789012:key/{KEY_ID}"


def untagged_rule(priority=1, days=7):
    return {
        "rulePriority": priority,
        "description": "expire untagged",
        "selection": {
            "tagStatus": "untagged",
            "countType": "sinceImagePushed",
            "countUnit": "days",
            "countNumber": days,
        },
        "action": {"type": "expire"},
    }


def tagged_rule(priority=2, count=30, key="tagPrefixList"):
    return {
        "rulePriority": priority,
        "selection": {"tagStatus": "tagged", key: ["v"], "countType": "imageCountMoreThan", "countNumber": count},
        "action": {"type": "expire"},
    }


def any_rule(priority=3):
    return {
        "rulePriority": priority,
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100},
        "action": {"type": "expire"},
    }


def lifecycle(*rules):
    return {"rules": list(rules)}


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


def _params(**overrides):
    """Module parameters with the argument spec's defaults."""
    params = {
        "state": "present",
        "name": "demo/web",
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "encryption_type": "AES256",
        "kms_key": None,
        "lifecycle_policy": None,
        "repository_policy": None,
        "tags": None,
        "purge_tags": True,
        "force": False,
    }
    params.update(overrides)
    return params


# --- names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "a1",
        "web",
        "demo/web-app",
        "demo-local/web_app.v2",
        "a/b/c/d",
        "0/1",
        "a" * 256,
        ("ab/" * 85) + "c",  # 256 characters with path components
    ],
)
def test_valid_repository_names(name):
    assert repository_name_errors(name) == []
    validate_repository_name(name)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("a", "2 to 256 characters"),
        ("", "2 to 256 characters"),
        ("a" * 257, "2 to 256 characters"),
        ("Web", "not a valid repository name"),
        ("web app", "not a valid repository name"),
        ("-web", "not a valid repository name"),
        ("web-", "not a valid repository name"),
        ("web..app", "not a valid repository name"),
        ("web-_app", "not a valid repository name"),
        ("/web", "not a valid repository name"),
        ("web/", "not a valid repository name"),
        ("demo//web", "not a valid repository name"),
        ("demo/.web", "not a valid repository name"),
        ("web:latest", "not a valid repository name"),
        ("wéb", "not a valid repository name"),
    ],
)
def test_invalid_repository_names(name, fragment):
    errors = repository_name_errors(name)
    assert errors
    assert any(fragment in error for error in errors)
    with pytest.raises(EcrInputError, match="^name"):
        validate_repository_name(name)


def test_one_character_name_is_both_short_and_fine_otherwise():
    # a single character matches the pattern; only its length is wrong
    assert repository_name_errors("a") == ["name must be 2 to 256 characters long, 'a' has 1"]


def test_invalid_name_names_the_option():
    assert repository_name_errors("A", option="names[2]")[0].startswith("names[2]")
    assert repository_name_errors(None) == ["name must be a string"]


# --- parsing policy options -------------------------------------------------------------------------


def test_parse_policy_option_unset_is_none():
    assert parse_policy_option(None, "lifecycle_policy") is None


@pytest.mark.parametrize("value", [{}, "", "   ", "{}", " { } ", b""])
def test_parse_policy_option_empty_means_remove(value):
    assert parse_policy_option(value, "lifecycle_policy") == {}


def test_parse_policy_option_dict_and_json_string_are_the_same():
    assert parse_policy_option(POLICY, "repository_policy") == POLICY
    assert parse_policy_option(json.dumps(POLICY, indent=4), "repository_policy") == POLICY


def test_parse_policy_option_invalid_json():
    with pytest.raises(EcrInputError, match=r"^lifecycle_policy is not valid JSON"):
        parse_policy_option('{"rules": [', "lifecycle_policy")


@pytest.mark.parametrize("value", ["[1, 2]", "null", "3", '"text"', [1]])
def test_parse_policy_option_must_be_an_object(value):
    with pytest.raises(EcrInputError, match=r"^repository_policy must be a JSON object"):
        parse_policy_option(value, "repository_policy")


def test_parse_policy_text():
    assert parse_policy_text(None) is None
    assert parse_policy_text("") is None
    assert parse_policy_text('{\n  "rules" : [ ]\n}') == {"rules": []}


# --- lifecycle policy validation ------------------------------------------------------------------------


def test_valid_lifecycle_policies():
    assert lifecycle_policy_errors(lifecycle(untagged_rule())) == []
    assert lifecycle_policy_errors(lifecycle(untagged_rule(1), tagged_rule(2), any_rule(3))) == []
    assert lifecycle_policy_errors(lifecycle(tagged_rule(1, key="tagPatternList"))) == []
    # rules need not be listed in priority order, nor priorities be consecutive
    assert lifecycle_policy_errors(lifecycle(any_rule(50), tagged_rule(10), untagged_rule(2))) == []


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ([], "lifecycle_policy must be a JSON object"),
        ({}, "lifecycle_policy.rules must be a non-empty list"),
        ({"rules": []}, "lifecycle_policy.rules must be a non-empty list"),
        ({"rules": {"rulePriority": 1}}, "lifecycle_policy.rules must be a non-empty list"),
        ({"rules": ["rule"]}, "lifecycle_policy.rules[0] must be an object"),
    ],
)
def test_lifecycle_policy_shape(policy, message):
    assert lifecycle_policy_errors(policy) == [message]


def _broken(path, value, base=None):
    """rules[1] of a two-rule policy with ``path`` (dot separated inside the rule) set or, for ..., removed."""
    rule = copy.deepcopy(base or tagged_rule(2))
    *parents, leaf = path.split(".")
    target = rule
    for parent in parents:
        target = target[parent]
    if value is ...:
        del target[leaf]
    else:
        target[leaf] = value
    return lifecycle(untagged_rule(1), rule)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("rulePriority", ..., "lifecycle_policy.rules[1].rulePriority must be a positive integer"),
        ("rulePriority", "2", "lifecycle_policy.rules[1].rulePriority must be a positive integer"),
        ("rulePriority", 2.0, "lifecycle_policy.rules[1].rulePriority must be a positive integer"),
        ("rulePriority", True, "lifecycle_policy.rules[1].rulePriority must be a positive integer"),
        ("rulePriority", 0, "lifecycle_policy.rules[1].rulePriority must be a positive integer"),
        ("description", 5, "lifecycle_policy.rules[1].description must be a string"),
        ("selection", ..., "lifecycle_policy.rules[1].selection must be an object"),
        ("selection", "all", "lifecycle_policy.rules[1].selection must be an object"),
        (
            "selection.tagStatus",
            ...,
            "lifecycle_policy.rules[1].selection.tagStatus must be one of tagged, untagged, any",
        ),
        (
            "selection.tagStatus",
            "TAGGED",
            "lifecycle_policy.rules[1].selection.tagStatus must be one of tagged, untagged, any",
        ),
        (
            "selection.countType",
            ...,
            "lifecycle_policy.rules[1].selection.countType must be one of imageCountMoreThan, sinceImagePushed",
        ),
        (
            "selection.countType",
            "imageCount",
            "lifecycle_policy.rules[1].selection.countType must be one of imageCountMoreThan, sinceImagePushed",
        ),
        ("selection.countNumber", ..., "lifecycle_policy.rules[1].selection.countNumber must be a positive integer"),
        ("selection.countNumber", 0, "lifecycle_policy.rules[1].selection.countNumber must be a positive integer"),
        ("selection.countNumber", -3, "lifecycle_policy.rules[1].selection.countNumber must be a positive integer"),
        ("selection.countNumber", "30", "lifecycle_policy.rules[1].selection.countNumber must be a positive integer"),
        ("selection.countNumber", 1.5, "lifecycle_policy.rules[1].selection.countNumber must be a positive integer"),
        (
            "selection.countUnit",
            "days",
            "lifecycle_policy.rules[1].selection.countUnit is only valid when countType is sinceImagePushed",
        ),
        (
            "selection.tagPrefixList",
            ...,
            "lifecycle_policy.rules[1].selection needs tagPrefixList or tagPatternList when tagStatus is tagged",
        ),
        (
            "selection.tagPrefixList",
            [],
            "lifecycle_policy.rules[1].selection.tagPrefixList must be a non-empty list of non-empty strings",
        ),
        (
            "selection.tagPrefixList",
            "v",
            "lifecycle_policy.rules[1].selection.tagPrefixList must be a non-empty list of non-empty strings",
        ),
        (
            "selection.tagPrefixList",
            ["v", ""],
            "lifecycle_policy.rules[1].selection.tagPrefixList must be a non-empty list of non-empty strings",
        ),
        ("action", ..., "lifecycle_policy.rules[1].action must be an object"),
        ("action.type", ..., "lifecycle_policy.rules[1].action.type must be expire"),
        ("action.type", "delete", "lifecycle_policy.rules[1].action.type must be expire"),
    ],
)
def test_lifecycle_rule_fields(path, value, message):
    assert lifecycle_policy_errors(_broken(path, value)) == [message]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (..., "lifecycle_policy.rules[1].selection.countUnit must be days when countType is sinceImagePushed"),
        ("hours", "lifecycle_policy.rules[1].selection.countUnit must be days when countType is sinceImagePushed"),
    ],
)
def test_lifecycle_count_unit_required_with_since_image_pushed(value, message):
    policy = _broken("selection.countUnit", value, base=untagged_rule(2))
    assert lifecycle_policy_errors(policy) == [message]


@pytest.mark.parametrize("status", ["untagged", "any"])
@pytest.mark.parametrize("key", ["tagPrefixList", "tagPatternList"])
def test_lifecycle_tag_lists_only_with_tagged(status, key):
    rule = any_rule(2) if status == "any" else untagged_rule(2)
    rule["selection"][key] = ["v"]
    assert lifecycle_policy_errors(lifecycle(untagged_rule(1), rule)) == [
        f"lifecycle_policy.rules[1].selection.{key} is only valid when tagStatus is tagged"
    ]


def test_lifecycle_rule_priorities_unique():
    errors = lifecycle_policy_errors(lifecycle(untagged_rule(1), tagged_rule(2), tagged_rule(1)))
    assert errors == ["lifecycle_policy.rules[2].rulePriority 1 is not unique: lifecycle_policy.rules[0] has it too"]


def test_lifecycle_at_most_one_any_rule():
    errors = lifecycle_policy_errors(lifecycle(any_rule(1), untagged_rule(2), any_rule(3)))
    assert errors == [
        "lifecycle_policy: at most one rule may have selection.tagStatus any,"
        " lifecycle_policy.rules[0] and lifecycle_policy.rules[2] do"
    ]


def test_lifecycle_any_rule_must_have_the_highest_priority():
    errors = lifecycle_policy_errors(lifecycle(untagged_rule(1), any_rule(2), tagged_rule(3)))
    assert errors == [
        "lifecycle_policy.rules[1] has selection.tagStatus any and must have the highest rulePriority"
        " (2 is lower than 3)"
    ]


def test_lifecycle_errors_are_all_reported():
    rule = tagged_rule(2)
    rule["selection"]["countNumber"] = 0
    rule["action"]["type"] = "keep"
    errors = lifecycle_policy_errors(lifecycle(untagged_rule(1), rule))
    assert errors == [
        "lifecycle_policy.rules[1].selection.countNumber must be a positive integer",
        "lifecycle_policy.rules[1].action.type must be expire",
    ]


def test_lifecycle_errors_use_the_option_name():
    assert lifecycle_policy_errors({"rules": []}, option="policy") == ["policy.rules must be a non-empty list"]


# --- lifecycle policy comparison ----------------------------------------------------------------------


def test_lifecycle_normalization_orders_rules_by_priority():
    policy = lifecycle(any_rule(3), untagged_rule(1), tagged_rule(2))
    normalized = normalize_lifecycle_policy(policy)
    assert [r["rulePriority"] for r in normalized["rules"]] == [1, 2, 3]
    assert [r["rulePriority"] for r in policy["rules"]] == [3, 1, 2]  # the input is left alone


def test_lifecycle_normalization_of_no_policy():
    assert normalize_lifecycle_policy(None) is None
    assert normalize_lifecycle_policy({}) is None


def test_lifecycle_policies_equal():
    policy = lifecycle(untagged_rule(1), tagged_rule(2))
    reordered = json.loads(json.dumps(policy, sort_keys=True))
    assert lifecycle_policies_equal(policy, reordered)
    assert lifecycle_policies_equal(policy, lifecycle(tagged_rule(2), untagged_rule(1)))
    assert lifecycle_policies_equal(None, {})
    assert not lifecycle_policies_equal(policy, None)
    assert not lifecycle_policies_equal(policy, lifecycle(untagged_rule(1), tagged_rule(2, count=31)))
    assert not lifecycle_policies_equal(policy, lifecycle(untagged_rule(1)))


# --- repository policy ----------------------------------------------------------------------------------


def test_valid_repository_policies():
    assert repository_policy_errors(POLICY) == []
    assert repository_policy_errors({"Statement": POLICY["Statement"][0]}) == []


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ([], "repository_policy must be a JSON object"),
        ({"Version": "2012-10-17"}, "repository_policy.Statement must be a non-empty list of statements"),
        ({"Statement": []}, "repository_policy.Statement must be a non-empty list of statements"),
        ({"Statement": "Allow"}, "repository_policy.Statement must be a non-empty list of statements"),
        ({"Statement": ["Allow"]}, "repository_policy.Statement[0] must be an object"),
        ({"Statement": [{"Action": "ecr:*"}]}, "repository_policy.Statement[0].Effect must be Allow or Deny"),
        ({"Statement": [{"Effect": "allow"}]}, "repository_policy.Statement[0].Effect must be Allow or Deny"),
    ],
)
def test_invalid_repository_policies(policy, message):
    assert repository_policy_errors(policy) == [message]


def test_repository_policy_normalization():
    single = {
        "Version": "2012-10-17",
        "Statement": {
            "Sid": "AllowPull",
            "Effect": "Allow",
            "Principal": {"AWS": ["210987654321"]},
            "Action": ["ecr:BatchGetImage"],
            "Resource": ["*"],
        },
    }
    assert normalize_repository_policy(single) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowPull",
                "Effect": "Allow",
                "Principal": {"AWS": "210987654321"},
                "Action": "ecr:BatchGetImage",
                "Resource": "*",
            }
        ],
    }
    assert isinstance(single["Statement"], dict)  # the input is left alone
    assert normalize_repository_policy(None) is None
    assert normalize_repository_policy({}) is None


def test_repository_policies_equal_ignores_spelling():
    as_list = copy.deepcopy(POLICY)
    as_dict = json.loads(json.dumps(POLICY, sort_keys=True))
    as_dict["Statement"] = as_dict["Statement"][0]
    assert repository_policies_equal(POLICY, as_dict)

    single_action = copy.deepcopy(POLICY)
    single_action["Statement"][0]["Action"] = ["ecr:BatchGetImage"]
    as_string = copy.deepcopy(single_action)
    as_string["Statement"][0]["Action"] = "ecr:BatchGetImage"
    assert repository_policies_equal(single_action, as_string)

    by_account = copy.deepcopy(as_list)
    by_account["Statement"][0]["Principal"] = {"AWS": ["210987654321"]}
    assert repository_policies_equal(as_list, by_account)

    star = copy.deepcopy(as_list)
    star["Statement"][0]["Principal"] = "*"
    aws_star = copy.deepcopy(as_list)
    aws_star["Statement"][0]["Principal"] = {"AWS": ["*"]}
    assert repository_policies_equal(star, aws_star)

    assert repository_policies_equal(None, {})


def test_repository_policies_differ():
    other_action = copy.deepcopy(POLICY)
    other_action["Statement"][0]["Action"] = ["ecr:BatchGetImage"]
    assert not repository_policies_equal(POLICY, other_action)

    other_principal = copy.deepcopy(POLICY)
    other_principal["Statement"][0]["Principal"] = {"AWS": "arn:aws:iam::111111111111:root"}
    assert not repository_policies_equal(POLICY, other_principal)

    deny = copy.deepcopy(POLICY)
    deny["Statement"][0]["Effect"] = "Deny"
    assert not repository_policies_equal(POLICY, deny)
    assert not repository_policies_equal(POLICY, None)


# --- encryption ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "wanted", "match"),
    [
        (KEY_ARN, KEY_ARN, True),
        (KEY_ARN, KEY_ID, True),
        (KEY_ID, KEY_ARN, True),
        (KEY_ARN, "arn:aws:kms:us-east-1:123456789012:key/other", False),
        (KEY_ARN, "other", False),
        (KEY_ARN, "alias/ecr", False),
        ("alias/ecr", "alias/ecr", True),
        (None, KEY_ARN, False),
        (KEY_ARN, None, False),
    ],
)
def test_kms_keys_match(current, wanted, match):
    assert kms_keys_match(current, wanted) is match


def test_is_kms_alias():
    assert is_kms_alias("alias/ecr")
    assert is_kms_alias("arn:aws:kms:us-east-1:123456789012:alias/ecr")
    assert not is_kms_alias(KEY_ARN)
    assert not is_kms_alias(KEY_ID)
    assert not is_kms_alias(None)


def test_encryption_differences():
    aes = {"encryption_type": "AES256"}
    kms = {"encryption_type": "KMS", "kms_key": KEY_ARN}
    assert encryption_differences(aes, {"encryption_type": "AES256", "kms_key": None}) == {}
    assert encryption_differences(kms, {"encryption_type": "KMS", "kms_key": KEY_ID}) == {}
    assert encryption_differences(aes, {"encryption_type": "KMS", "kms_key": KEY_ARN}) == {
        "encryption_type": ("AES256", "KMS")
    }
    assert encryption_differences(kms, {"encryption_type": "AES256", "kms_key": None}) == {
        "encryption_type": ("KMS", "AES256")
    }
    assert encryption_differences(kms, {"encryption_type": "KMS", "kms_key": "other"}) == {
        "kms_key": (KEY_ARN, "other")
    }


# --- the module's arguments -------------------------------------------------------------------------------


def test_wanted_settings_defaults():
    wanted = wanted_settings(_params())
    assert wanted == {
        "name": "demo/web",
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "encryption_type": "AES256",
        "kms_key": None,
        "lifecycle_policy": None,
        "repository_policy": None,
        "tags": None,
        "purge_tags": True,
    }


def test_wanted_settings_parses_policies_and_tags():
    wanted = wanted_settings(
        _params(
            lifecycle_policy=json.dumps(lifecycle(untagged_rule())),
            repository_policy=POLICY,
            tags={"Stack": "demo", "Count": 3},
        )
    )
    assert wanted["lifecycle_policy"] == lifecycle(untagged_rule())
    assert wanted["repository_policy"] == POLICY
    assert wanted["tags"] == {"Stack": "demo", "Count": "3"}


def test_wanted_settings_empty_policies_mean_remove():
    wanted = wanted_settings(_params(lifecycle_policy="", repository_policy="{}"))
    assert wanted["lifecycle_policy"] == {}
    assert wanted["repository_policy"] == {}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "Web"}, "name 'Web' is not a valid repository name"),
        ({"encryption_type": "KMS"}, "encryption_type KMS requires kms_key"),
        ({"kms_key": KEY_ARN}, "kms_key is only valid with encryption_type KMS, not AES256"),
        ({"lifecycle_policy": "{"}, "lifecycle_policy is not valid JSON"),
        ({"lifecycle_policy": {"rules": []}}, "lifecycle_policy.rules must be a non-empty list"),
        ({"repository_policy": "[]"}, "repository_policy must be a JSON object"),
        ({"repository_policy": {"Version": "2012-10-17"}}, "repository_policy.Statement must be a non-empty list"),
    ],
)
def test_wanted_settings_errors(overrides, message):
    with pytest.raises(EcrInputError) as error:
        wanted_settings(_params(**overrides))
    assert message in str(error.value)


def test_wanted_settings_reports_every_bad_option():
    with pytest.raises(EcrInputError) as error:
        wanted_settings(_params(name="x", lifecycle_policy={"rules": []}, repository_policy="nope"))
    message = str(error.value)
    assert "name must be 2 to 256 characters" in message
    assert "lifecycle_policy.rules must be a non-empty list" in message
    assert "repository_policy is not valid JSON" in message


def test_wanted_tags():
    assert wanted_tags(None) is None
    assert wanted_tags({}) == {}
    assert wanted_tags({"a": 1, "b": None, "c": "x"}) == {"a": "1", "b": "", "c": "x"}


def test_has_all_tags():
    tags = {"Stack": "demo", "Environment": "local"}
    assert has_all_tags(tags, None)
    assert has_all_tags(tags, {})
    assert has_all_tags(tags, {"Stack": "demo"})
    assert has_all_tags(tags, {"Stack": "demo", "Environment": "local"})
    assert not has_all_tags(tags, {"Stack": "other"})
    assert not has_all_tags(tags, {"Owner": "team"})
    assert has_all_tags({"Count": "3"}, {"Count": 3})


# --- return shape ------------------------------------------------------------------------------------------


def _description(**overrides):
    entry = {
        "repositoryArn": "arn:aws:ecr:us-east-1:123456789012:repository/demo/web",
        "registryId": "123456789012",
        "repositoryName": "demo/web",
        "repositoryUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/demo/web",
        "createdAt": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
        "imageTagMutability": "IMMUTABLE",
        "imageScanningConfiguration": {"scanOnPush": True},
        "encryptionConfiguration": {"encryptionType": "AES256"},
    }
    entry.update(overrides)
    return entry


def test_normalize_repository():
    policy = lifecycle(untagged_rule())
    result = normalize_repository(
        _description(), tags={"Stack": "demo"}, lifecycle_policy=policy, repository_policy=None
    )
    assert result == {
        "repository_name": "demo/web",
        "repository_arn": "arn:aws:ecr:us-east-1:123456789012:repository/demo/web",
        "repository_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/demo/web",
        "registry_id": "123456789012",
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "encryption_type": "AES256",
        "lifecycle_policy": policy,
        "repository_policy": None,
        "tags": {"Stack": "demo"},
    }


def test_normalize_repository_kms_and_missing_fields():
    result = normalize_repository(
        _description(
            encryptionConfiguration={"encryptionType": "KMS", "kmsKey": KEY_ARN},
            imageScanningConfiguration=None,
        )
    )
    assert result["encryption_type"] == "KMS"
    assert result["kms_key"] == KEY_ARN
    assert result["scan_on_push"] is False
    assert result["tags"] == {}
    assert result["lifecycle_policy"] is None
    assert "kms_key" not in normalize_repository(_description(encryptionConfiguration=None))


def test_predicted_repository():
    wanted = wanted_settings(
        _params(encryption_type="KMS", kms_key=KEY_ID, lifecycle_policy="", tags={"Stack": "demo"})
    )
    assert predicted_repository(wanted) == {
        "repository_name": "demo/web",
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "encryption_type": "KMS",
        "kms_key": KEY_ID,
        "lifecycle_policy": None,
        "repository_policy": None,
        "tags": {"Stack": "demo"},
    }
    assert predicted_repository(wanted_settings(_params()))["tags"] == {}


# --- registry scanning -------------------------------------------------------------------------------------

# The table of the ECR user guide, "Filters to choose which repositories are scanned", "Filter wildcards".
_FILTER_NAMES = ("prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo")
_FILTER_TABLE = {
    "prod": (True, True, True, True, True),
    "*prod": (True, True, False, False, False),
    "prod*": (True, False, True, False, True),
    "*prod*": (True, True, True, True, True),
    "prod*repo": (False, False, True, False, True),
}


@pytest.mark.parametrize("repository_filter", sorted(_FILTER_TABLE))
def test_scanning_filter_matches_as_the_user_guide_table(repository_filter):
    matches = tuple(scanning_filter_matches(repository_filter, name) for name in _FILTER_NAMES)
    assert matches == _FILTER_TABLE[repository_filter]


def test_scanning_filter_characters_are_literal():
    assert not scanning_filter_matches("demo.app*", "demo-app")
    assert scanning_filter_matches("demo.app*", "demo.app/web")
    assert scanning_filter_matches("*", "anything/at-all")
    assert not scanning_filter_matches("", "demo")


def _rule(frequency, *filters):
    return {"scanFrequency": frequency, "repositoryFilters": [{"filter": f, "filterType": "WILDCARD"} for f in filters]}


def _configuration(scan_type, *rules):
    return {"scanType": scan_type, "rules": list(rules)}


def test_continuous_scan_rule_wins_over_scan_on_push():
    configuration = _configuration("ENHANCED", _rule("SCAN_ON_PUSH", "shop-prod/app"), _rule("CONTINUOUS_SCAN", "shop-*"))
    assert matching_scanning_rule(configuration, "shop-prod/app") == ("CONTINUOUS_SCAN", "shop-*")
    assert matching_scanning_rule(configuration, "other/app") is None


def test_basic_takes_only_scan_on_push_rules():
    configuration = _configuration("BASIC", _rule("CONTINUOUS_SCAN", "*"), _rule("SCAN_ON_PUSH", "web"))
    assert matching_scanning_rule(configuration, "shop/web") == ("SCAN_ON_PUSH", "web")
    assert matching_scanning_rule(configuration, "shop/api") is None


def test_basic_scan_on_push_of_the_repository():
    scanning = applicable_scanning(_configuration("BASIC"), "shop/web", scan_on_push=True)
    assert scanning["type"] == "BASIC"
    assert scanning["frequency"] == "SCAN_ON_PUSH"
    assert scanning["filter"] is None
    assert scanning["registry_scan_type"] == "BASIC"
    assert "scan on push" in scanning["applies_because"]
    assert scanning_warning("shop/web", True, scanning) is None


def test_basic_scan_on_push_of_a_registry_rule():
    scanning = applicable_scanning(_configuration("BASIC", _rule("SCAN_ON_PUSH", "shop/*")), "shop/web", False)
    assert (scanning["type"], scanning["frequency"], scanning["filter"]) == ("BASIC", "SCAN_ON_PUSH", "shop/*")


def test_basic_without_scan_on_push_is_manual():
    scanning = applicable_scanning({}, "shop/web", scan_on_push=False)
    assert (scanning["type"], scanning["frequency"], scanning["registry_scan_type"]) == ("BASIC", "MANUAL", "BASIC")
    assert scanning_warning("shop/web", False, scanning) is None


def test_enhanced_rule_applies_and_scan_on_push_is_ignored():
    configuration = _configuration("ENHANCED", _rule("SCAN_ON_PUSH", "shop-prod"))
    scanning = applicable_scanning(configuration, "shop-prod/web", scan_on_push=True)
    assert (scanning["type"], scanning["frequency"], scanning["filter"]) == ("ENHANCED", "SCAN_ON_PUSH", "shop-prod")
    assert "ignored" in scanning["applies_because"]
    warning = scanning_warning("shop-prod/web", True, scanning)
    assert "shop-prod/web" in warning and "ignores" in warning and "SCAN_ON_PUSH" in warning
    assert scanning_warning("shop-prod/web", False, scanning) is None


def test_enhanced_without_a_matching_rule_scans_nothing():
    configuration = _configuration("ENHANCED", _rule("CONTINUOUS_SCAN", "*-prod/*"))
    scanning = applicable_scanning(configuration, "shop-dev/web", scan_on_push=True)
    assert (scanning["type"], scanning["frequency"], scanning["filter"]) == (None, None, None)
    assert scanning["registry_scan_type"] == "ENHANCED"
    assert "nothing scans" in scanning_warning("shop-dev/web", True, scanning)


def test_unreadable_configuration_is_unknown():
    scanning = applicable_scanning(None, "shop/web", scan_on_push=True)
    assert (scanning["type"], scanning["registry_scan_type"]) == (None, None)
    assert scanning_warning("shop/web", True, scanning) is None


def test_image_id_of_a_tag_and_of_a_digest():
    digest = "sha256:" + "ab" * 32
    assert image_id("1.4.2") == {"imageTag": "1.4.2"}
    assert image_id(digest) == {"imageDigest": digest}


def test_normalize_image_reports_the_scan():
    pushed = datetime.datetime(2026, 12, 6, 8, 0, tzinfo=datetime.timezone.utc)
    detail = {
        "registryId": "123456789012",
        "repositoryName": "demo-local/app",
        "imageDigest": "sha256:" + "cd" * 32,
        "imageTags": ["latest", "1.4.2"],
        "imageSizeInBytes": 31457280,
        "imagePushedAt": pushed,
        "imageScanStatus": {"status": "COMPLETE", "description": "The scan was completed successfully."},
        "imageScanFindingsSummary": {"findingSeverityCounts": {"HIGH": 1, "LOW": 4}},
        "imageManifestMediaType": "application/vnd.oci.image.index.v1+json",
    }
    assert normalize_image(detail) == {
        "image_digest": "sha256:" + "cd" * 32,
        "image_tags": ["1.4.2", "latest"],
        "image_pushed_at": "2026-12-06T08:00:00+00:00",
        "image_size_in_bytes": 31457280,
        "image_manifest_media_type": "application/vnd.oci.image.index.v1+json",
        "scan_status": "COMPLETE",
        "finding_severity_counts": {"HIGH": 1, "LOW": 4},
    }
    never_scanned = normalize_image({"imageDigest": "sha256:" + "ef" * 32})
    assert never_scanned["scan_status"] is None and never_scanned["finding_severity_counts"] == {}
    assert never_scanned["image_tags"] == []
