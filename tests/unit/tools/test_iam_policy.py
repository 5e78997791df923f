"""tools/iam_policy.py: naming the IAM action of each counted call, and checking a policy's actions."""

from __future__ import annotations

import json

import pytest

from tools import iam_policy
from tools.iam_policy import UnknownAction, iam_action, iam_actions, missing

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["ec2:Describe*", "ecs:CreateService"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "elasticfilesystem:DescribeFileSystems",
            "Resource": "arn:aws:elasticfilesystem:*",
        },
    ],
}


@pytest.mark.parametrize(
    ("counted", "action"),
    [
        ("ec2:CreateClientVpnEndpoint", "ec2:CreateClientVpnEndpoint"),
        ("elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateLoadBalancer"),
        ("application-autoscaling:RegisterScalableTarget", "application-autoscaling:RegisterScalableTarget"),
        ("ecr:InitiateLayerUpload", "ecr:InitiateLayerUpload"),
        ("monitoring:PutMetricData", "cloudwatch:PutMetricData"),
        ("s3:ListObjectsV2", "s3:ListBucket"),
    ],
)
def test_query_and_json_calls_keep_their_operation_under_the_iam_prefix(counted, action):
    assert iam_action(counted) == action


@pytest.mark.parametrize(
    ("counted", "action"),
    [
        ("elasticfilesystem:GET /2015-02-01/file-systems", "elasticfilesystem:DescribeFileSystems"),
        ("elasticfilesystem:POST /2015-02-01/file-systems", "elasticfilesystem:CreateFileSystem"),
        ("elasticfilesystem:DELETE /2015-02-01/file-systems/fs-125ba993", "elasticfilesystem:DeleteFileSystem"),
        ("elasticfilesystem:GET /2015-02-01/file-systems/fs-1/policy", "elasticfilesystem:DescribeFileSystemPolicy"),
        ("elasticfilesystem:PUT /2015-02-01/file-systems/fs-1/backup-policy", "elasticfilesystem:PutBackupPolicy"),
        (
            "elasticfilesystem:GET /2015-02-01/mount-targets/fsmt-4b/security-groups",
            "elasticfilesystem:DescribeMountTargetSecurityGroups",
        ),
        ("elasticfilesystem:DELETE /2015-02-01/access-points/fsap-75", "elasticfilesystem:DeleteAccessPoint"),
        ("elasticfilesystem:GET /2015-02-01/file-systems?CreationToken=abc", "elasticfilesystem:DescribeFileSystems"),
    ],
)
def test_rest_calls_are_named_by_the_service_models_method_and_uri(counted, action):
    assert iam_action(counted) == action


@pytest.mark.parametrize(
    "counted",
    ["unknown:GET /", "ec2", "elasticfilesystem:PATCH /2015-02-01/nothing-here", "nosuchservice:GET /x"],
)
def test_calls_it_cannot_name_are_errors_that_say_which(counted):
    with pytest.raises(UnknownAction, match="^" + counted.split(" ")[0]):
        iam_action(counted)


def test_iam_actions_are_distinct_and_sorted_and_the_unknown_reported_apart():
    actions, unknown = iam_actions(
        [
            "ecs:CreateService",
            "ec2:DescribeVpcs",
            "elasticfilesystem:GET /2015-02-01/file-systems",
            "elasticfilesystem:GET /2015-02-01/file-systems?CreationToken=x",
            "unknown:GET /",
        ]
    )
    assert actions == ["ec2:DescribeVpcs", "ecs:CreateService", "elasticfilesystem:DescribeFileSystems"]
    assert len(unknown) == 1 and "unknown:GET /" in unknown[0]


def test_missing_honours_wildcards_case_and_ignores_resources():
    assert missing(["ec2:DescribeVpcs", "EC2:describesubnets", "elasticfilesystem:DescribeFileSystems"], [POLICY]) == []
    assert missing(["ec2:CreateVpc", "ecs:CreateService", "ecs:DeleteService"], [POLICY]) == [
        "ec2:CreateVpc",
        "ecs:DeleteService",
    ]


def test_an_action_allowed_by_any_of_several_policies_is_allowed():
    other = {"Statement": {"Effect": "Allow", "Action": "ecs:DeleteService", "Resource": "*"}}
    assert missing(["ecs:DeleteService", "ecs:CreateService"], [POLICY, other]) == []


def test_not_action_and_unconditional_deny():
    allow_all_but_iam = {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}
    assert missing(["ec2:CreateVpc", "iam:CreateRole"], [allow_all_but_iam]) == ["iam:CreateRole"]
    deny = {"Statement": [{"Effect": "Deny", "Action": "ec2:Describe*", "Resource": "*"}]}
    assert missing(["ec2:DescribeVpcs"], [POLICY, deny]) == ["ec2:DescribeVpcs"]
    # A Deny limited by resources or conditions may not apply to every call: the names alone cannot tell.
    scoped = {"Statement": [{"Effect": "Deny", "Action": "ec2:*", "Resource": "*", "Condition": {"Bool": {"x": "y"}}}]}
    assert missing(["ec2:DescribeVpcs"], [POLICY, scoped]) == []


def test_check_exits_1_naming_the_missing(tmp_path, capsys):
    counts = tmp_path / "requests.json"
    counts.write_text(json.dumps({"total": 3, "by_action": {"ec2:DescribeVpcs": 2, "ec2:CreateVpc": 1}}))
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY))
    assert iam_policy.main(["check", str(counts), str(policy)]) == 1
    assert capsys.readouterr().out == "missing: ec2:CreateVpc\n"
    counts.write_text(json.dumps({"ec2:DescribeVpcs": 2}))  # a plain object of counts works too
    assert iam_policy.main(["check", str(counts), str(policy)]) == 0


def test_actions_prints_one_a_line(tmp_path, capsys):
    counts = tmp_path / "requests.json"
    counts.write_text(
        json.dumps({"by_action": {"elasticfilesystem:POST /2015-02-01/mount-targets": 2, "sts:GetCallerIdentity": 1}})
    )
    assert iam_policy.main(["actions", str(counts)]) == 0
    assert capsys.readouterr().out == "elasticfilesystem:CreateMountTarget\nsts:GetCallerIdentity\n"


def test_a_file_that_is_not_counts_is_a_usage_error(tmp_path):
    counts = tmp_path / "requests.json"
    counts.write_text("[1, 2]")
    assert iam_policy.main(["actions", str(counts)]) == 2


def test_the_operator_policy_is_valid_and_each_file_fits_a_managed_policy():
    assert iam_policy.DEFAULT_POLICIES, "policies/operator-policy*.json is missing"
    for path in iam_policy.DEFAULT_POLICIES:
        document = json.loads(path.read_text())
        assert document["Version"] == "2012-10-17"
        # IAM counts a managed policy's characters without white space: at most 6,144.
        assert len(json.dumps(document, separators=(",", ":"))) <= 6144, path.name
        sids = [statement["Sid"] for statement in document["Statement"]]
        assert len(sids) == len(set(sids)), path.name


def test_the_operator_policy_allows_the_image_copy_and_the_implicit_actions():
    policies = iam_policy.load_policies(iam_policy.DEFAULT_POLICIES)
    implicit = [
        "iam:PassRole",
        "iam:CreateServiceLinkedRole",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:BatchCheckLayerAvailability",
        "ecr:PutImage",
        "ecr:StartImageScan",
        "ecr:DescribeImageScanFindings",
        "ecr:GetAuthorizationToken",
    ]
    assert missing(implicit, policies) == []
