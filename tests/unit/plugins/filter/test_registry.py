"""The registry role's filters: the default lifecycle policy, each repository's ecr_repository arguments, and their
check with the module's own validators."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.fargate.plugins.filter.registry import FilterModule
from ansible_collections.cloudops.fargate.plugins.filter.registry import deploy_image_lookups
from ansible_collections.cloudops.fargate.plugins.filter.registry import deploy_image_states
from ansible_collections.cloudops.fargate.plugins.filter.registry import deploy_images_errors
from ansible_collections.cloudops.fargate.plugins.filter.registry import ecr_lifecycle_policy
from ansible_collections.cloudops.fargate.plugins.filter.registry import ecr_repository_errors
from ansible_collections.cloudops.fargate.plugins.filter.registry import ecr_repository_settings
from ansible_collections.cloudops.fargate.plugins.filter.registry import push_instructions
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import lifecycle_policy_errors

PREFIX = "demo-local"
TAGS = {"Stack": "demo", "Environment": "local", "ManagedBy": "cloudops.fargate"}
# The role's __registry_defaults with its defaults/main.yml values.
DEFAULTS = {
    "image_tag_mutability": "IMMUTABLE",
    "scan_on_push": True,
    "encryption_type": "AES256",
    "kms_key": "",
    "untagged_expiry_days": 14,
    "keep_image_count": 30,
    "repository_policy": {},
}
OWN_POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "keep 5",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5},
            "action": {"type": "expire"},
        }
    ]
}
PULL_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "ecr:BatchGetImage"}],
}


def settings(*entries, defaults=None):
    return ecr_repository_settings(list(entries), dict(DEFAULTS, **(defaults or {})), PREFIX, TAGS)


# --- ecr_lifecycle_policy -----------------------------------------------------------------------------------


@pytest.mark.parametrize("days, count, expected_days, expected_count", [(14, 30, 14, 30), ("7", "10", 7, 10), (1, 1, 1, 1), (365, 1000, 365, 1000)])
def test_lifecycle_policy_expires_untagged_images_then_keeps_the_newest(days, count, expected_days, expected_count):
    policy = ecr_lifecycle_policy(days, count)
    untagged, newest = policy["rules"]
    assert untagged == {
        "rulePriority": 1,
        "description": f"Expire untagged images {days} days after push",
        "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": expected_days},
        "action": {"type": "expire"},
    }
    assert newest == {
        "rulePriority": 2,
        "description": f"Keep the newest {count} images",
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": expected_count},
        "action": {"type": "expire"},
    }
    # ECR's rules, as ecr_repository checks them: the "any" rule has the highest priority
    assert lifecycle_policy_errors(policy) == []


@pytest.mark.parametrize("days, count", [(0, 30), (14, 0), (-1, 5)])
def test_lifecycle_policy_with_counts_ecr_refuses_is_caught_by_the_validator(days, count):
    """The filter builds what it is given; the role's expiry check and ecr_repository_errors refuse it."""
    assert any("countNumber must be a positive integer" in error for error in lifecycle_policy_errors(ecr_lifecycle_policy(days, count)))


@pytest.mark.parametrize("days, count", [("two", 30), (14, None)])
def test_lifecycle_policy_needs_integers(days, count):
    with pytest.raises((TypeError, ValueError)):
        ecr_lifecycle_policy(days, count)


# --- ecr_repository_settings --------------------------------------------------------------------------------


def test_defaults_make_each_repository_under_the_prefix():
    app, nginx = settings({"name": "app"}, {"name": "nginx"})
    assert app == {
        "short_name": "app",
        "name": "demo-local/app",
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "encryption_type": "AES256",
        "kms_key": None,
        "lifecycle_policy": ecr_lifecycle_policy(14, 30),
        "repository_policy": {},
        "tags": TAGS,
        "source": {"image": "", "username": "", "password": "", "insecure": False},
    }
    assert nginx["short_name"] == "nginx" and nginx["name"] == "demo-local/nginx"


@pytest.mark.parametrize(
    "override, key, expected",
    [
        ({"image_tag_mutability": "MUTABLE"}, "image_tag_mutability", "MUTABLE"),
        ({"scan_on_push": False}, "scan_on_push", False),  # a false override is an override
        ({"encryption_type": "KMS", "kms_key": "alias/ecr"}, "kms_key", "alias/ecr"),
        ({"kms_key": ""}, "kms_key", None),
        ({"repository_policy": PULL_POLICY}, "repository_policy", PULL_POLICY),
        ({"repository_policy": None}, "repository_policy", {}),  # None: the default
        ({"scan_on_push": None}, "scan_on_push", True),
        ({"untagged_expiry_days": 3}, "lifecycle_policy", ecr_lifecycle_policy(3, 30)),
        ({"keep_image_count": 5}, "lifecycle_policy", ecr_lifecycle_policy(14, 5)),
        ({"lifecycle_policy": OWN_POLICY}, "lifecycle_policy", OWN_POLICY),
        ({"lifecycle_policy": OWN_POLICY, "keep_image_count": 5}, "lifecycle_policy", OWN_POLICY),  # its own wins
        ({"lifecycle_policy": None}, "lifecycle_policy", ecr_lifecycle_policy(14, 30)),
    ],
)
def test_an_entry_overrides_a_default(override, key, expected):
    (entry,) = settings(dict({"name": "app"}, **override))
    assert entry[key] == expected


def test_an_override_changes_its_repository_only():
    app, nginx = settings({"name": "app", "scan_on_push": False, "keep_image_count": 5}, {"name": "nginx"})
    assert app["scan_on_push"] is False and nginx["scan_on_push"] is True
    assert nginx["lifecycle_policy"] == ecr_lifecycle_policy(14, 30)


@pytest.mark.parametrize(
    "defaults, key, expected",
    [
        ({"kms_key": None}, "kms_key", None),
        ({"repository_policy": None}, "repository_policy", {}),
        ({"encryption_type": "KMS", "kms_key": "arn:aws:kms:us-east-1:123456789012:key/k"}, "kms_key", "arn:aws:kms:us-east-1:123456789012:key/k"),
        ({"lifecycle_policy": OWN_POLICY}, "lifecycle_policy", OWN_POLICY),
    ],
)
def test_role_defaults(defaults, key, expected):
    (entry,) = settings({"name": "app"}, defaults=defaults)
    assert entry[key] == expected


def test_each_repository_gets_its_own_copy_of_the_tags():
    app, nginx = settings({"name": "app"}, {"name": "nginx"})
    assert app["tags"] == nginx["tags"] == TAGS
    assert app["tags"] is not TAGS and app["tags"] is not nginx["tags"]


@pytest.mark.parametrize("repositories", [None, []])
def test_no_repositories(repositories):
    assert ecr_repository_settings(repositories, DEFAULTS, PREFIX, TAGS) == []


def test_order_is_kept():
    assert [entry["short_name"] for entry in settings({"name": "nginx"}, {"name": "app"}, {"name": "tools/lint"})] == ["nginx", "app", "tools/lint"]
    assert settings({"name": "tools/lint"})[0]["name"] == "demo-local/tools/lint"


@pytest.mark.parametrize(
    "entry, names",
    [
        ({"name": "app", "scan": True}, "scan"),
        ({"name": "app", "tags": {"Team": "a"}, "state": "absent"}, "state, tags"),  # sorted, every one
        ({"name": "app", "short_name": "x"}, "short_name"),
    ],
)
def test_unknown_keys_are_refused_naming_them_and_what_is_allowed(entry, names):
    with pytest.raises(AnsibleFilterError) as raised:
        settings(entry)
    message = str(raised.value)
    assert f"registry_repositories entry 'app': unknown key(s) {names};" in message
    assert "allowed: name, image_tag_mutability, scan_on_push, encryption_type, kms_key" in message


def test_an_entry_without_a_name_is_left_to_the_checks():
    """validate.yml and ecr_repository_errors refuse it; the filter itself names it <prefix>/None."""
    (entry,) = settings({})
    assert entry["short_name"] is None and entry["name"] == "demo-local/None"
    assert any("not a valid repository name" in error for error in ecr_repository_errors(entry))


def test_an_explicit_empty_lifecycle_policy_means_none():
    (entry,) = settings({"name": "app", "lifecycle_policy": {}})
    assert entry["lifecycle_policy"] == {}


# --- ecr_repository_errors ----------------------------------------------------------------------------------


def test_the_settings_the_role_builds_by_default_are_valid():
    for entry in settings({"name": "app"}, {"name": "nginx"}, {"name": "tools/lint"}):
        assert ecr_repository_errors(entry) == []


@pytest.mark.parametrize(
    "entry, defaults, expected",
    [
        ({"name": "App"}, {}, ["registry_repositories: name 'demo-local/App' is not a valid repository name"]),
        ({"name": "app-"}, {}, ["registry_repositories: name 'demo-local/app-' is not a valid repository name"]),
        ({"name": "app", "encryption_type": "KMS"}, {}, ["registry_repositories: encryption_type KMS requires kms_key"]),
        ({"name": "app", "kms_key": "alias/ecr"}, {}, ["registry_repositories: kms_key is only valid with encryption_type KMS, not AES256"]),
        ({"name": "app", "keep_image_count": 0}, {}, ["registry_repositories: lifecycle_policy.rules[1].selection.countNumber must be a positive integer"]),
        ({"name": "app"}, {"untagged_expiry_days": 0}, ["registry_repositories: lifecycle_policy.rules[0].selection.countNumber must be a positive integer"]),
        ({"name": "app", "repository_policy": {"Statement": [{"Effect": "Maybe"}]}}, {}, ["registry_repositories: repository_policy"]),
        # several problems: one message each
        (
            {"name": "App", "encryption_type": "KMS"},
            {},
            ["registry_repositories: encryption_type KMS requires kms_key", "registry_repositories: name 'demo-local/App'"],
        ),
    ],
)
def test_errors_name_the_variable_and_the_problem(entry, defaults, expected):
    (built,) = settings(entry, defaults=defaults)
    errors = ecr_repository_errors(built)
    assert len(errors) == len(expected), errors
    for start in expected:
        assert any(error.startswith(start) for error in errors), (start, errors)


def test_errors_name_the_variable_given():
    (built,) = settings({"name": "App"})
    (error,) = ecr_repository_errors(built, "registry_repositories[0]")
    assert error.startswith("registry_repositories[0]: name 'demo-local/App'")


def test_filter_module_exposes_every_filter():
    filters = FilterModule().filters()
    assert filters == {
        "deploy_image_lookups": deploy_image_lookups,
        "deploy_image_states": deploy_image_states,
        "deploy_images_errors": deploy_images_errors,
        "ecr_lifecycle_policy": ecr_lifecycle_policy,
        "ecr_repository_errors": ecr_repository_errors,
        "ecr_repository_settings": ecr_repository_settings,
        "push_instructions": push_instructions,
    }


# --- the images the stack deploys ------------------------------------------------------------------------------

DIGEST = "sha256:" + "c" * 64
SOURCED = [
    {"name": "app", "source_image": "public.ecr.aws/demo/app:1", "source_registry_username": "u",
     "source_registry_password": "secret"},
    {"name": "nginx"},
]


def found(*repositories):
    """An ecr_repository_info loop result holding ``repositories`` ({name, image})."""
    return [{"repositories": [
        {"repository_name": f"demo-local/{name}", "repository_uri": f"1.dkr.ecr.us-east-1.amazonaws.com/demo-local/{name}",
         "image": image} for name, image in repositories]}]


def image(status="COMPLETE", **counts):
    return {"image_digest": DIGEST, "image_tags": ["1.0.0"], "scan_status": status, "finding_severity_counts": counts}


def test_one_lookup_per_reference_with_the_repositories_that_need_it():
    lookups = deploy_image_lookups({"app": "1.0.0", "nginx": "1.0.0", "worker": DIGEST}, "demo-local")
    assert lookups == [
        {"image": "1.0.0", "names": ["demo-local/app", "demo-local/nginx"]},
        {"image": DIGEST, "names": ["demo-local/worker"]},
    ]


def test_a_missing_image_with_a_source_is_copied_and_one_without_is_missing():
    states = deploy_image_states(found(("app", None), ("nginx", None)), {"app": "1.0.0", "nginx": "1.0.0"},
                                 settings(*SOURCED), "CRITICAL")
    app, nginx = states
    assert (app["copy"], app["missing"], nginx["copy"], nginx["missing"]) == (True, False, False, True)
    assert app["source_image"] == "public.ecr.aws/demo/app:1"
    assert "secret" not in str(states)  # a failure's output shows the loop item


def test_a_digest_cannot_be_copied_under_a_tag_so_it_is_missing():
    (app,) = deploy_image_states(found(("app", None)), {"app": DIGEST}, settings(*SOURCED), "")
    assert not app["copy"] and app["missing"]


def test_a_repository_not_there_yet_is_neither_copied_nor_reported_in_check_mode():
    (app,) = deploy_image_states([{"repositories": []}], {"app": "1.0.0"}, settings(*SOURCED), "")
    assert app["exists"] is False and app["copy"]  # the copy task skips it: when: item.exists


@pytest.mark.parametrize(
    ("there", "threshold", "blocked", "unscanned"),
    [
        (image(CRITICAL=1, HIGH=2), "CRITICAL", True, False),
        (image(HIGH=2), "CRITICAL", False, False),
        (image(HIGH=2), "HIGH", True, False),
        (image(LOW=9), "", False, False),  # the gate is off
        (image(status="IN_PROGRESS"), "CRITICAL", False, True),
        (image(status=None), "CRITICAL", False, True),
        (image(status=None), "", False, False),
        (image(status="ACTIVE", UNTRIAGED=3), "UNDEFINED", True, False),
    ],
    ids=["critical", "high below critical", "high at high", "gate off", "scanning", "never scanned",
         "never scanned, gate off", "enhanced untriaged"],
)
def test_an_image_there_is_judged_by_its_finished_scan(there, threshold, blocked, unscanned):
    (app,) = deploy_image_states(found(("app", there)), {"app": "1.0.0"}, settings(*SOURCED), threshold)
    assert (app["blocked"], app["unscanned"], app["copy"], app["missing"]) == (blocked, unscanned, False, False)
    if blocked:
        assert app["gate_message"].startswith(f"demo-local/app:1.0.0 ({DIGEST}) has findings at or above {threshold}")


def test_push_instructions_name_the_repository_the_tag_and_the_commands():
    (state,) = deploy_image_states(found(("nginx", None)), {"nginx": "2.0"}, settings(*SOURCED), "")
    text = push_instructions(state, "eu-west-1")
    uri = "1.dkr.ecr.us-east-1.amazonaws.com/demo-local/nginx"
    assert text.startswith(f"{uri}:2.0 is not in ECR, and registry_repositories gives nginx no source_image")
    assert "aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin" in text
    assert f"docker push {uri}:2.0" in text


@pytest.mark.parametrize(
    ("deploy_images", "platform", "threshold", "complaint"),
    [
        ({"api": "1.0"}, "linux/amd64", "CRITICAL", "registry_deploy_images: 'api' is not one of the repositories"),
        ({"app": "app:1.0"}, "linux/amd64", "CRITICAL", "registry_deploy_images app: 'app:1.0' is neither a tag"),
        ({"app": "1.0"}, "amd64", "CRITICAL", "registry_image_platform 'amd64' is not os/architecture"),
        ({"app": "1.0"}, "linux/amd64", "SEVERE", "registry_fail_on_severity 'SEVERE'"),
    ],
    ids=["unknown repository", "bad tag", "bad platform", "bad severity"],
)
def test_bad_deploy_image_inputs_are_named(deploy_images, platform, threshold, complaint):
    errors = deploy_images_errors(deploy_images, settings(*SOURCED), platform, threshold)
    assert any(complaint in error for error in errors), errors


def test_good_deploy_image_inputs_pass():
    assert deploy_images_errors({"app": "1.0.0", "nginx": DIGEST}, settings(*SOURCED), "linux/arm64", "") == []


def test_a_bad_source_image_is_named():
    (app,) = settings({"name": "app", "source_image": "Not An Image"})
    assert "registry_repositories app: source_image 'Not An Image' is not an image reference" in ecr_repository_errors(app)[0]
