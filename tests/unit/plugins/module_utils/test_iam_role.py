"""Unit tests of the pure functions of plugins/module_utils/_iam_role.py, and of the IAM pieces of _common it uses."""

from __future__ import annotations

import datetime
import json
from urllib.parse import quote

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._common import TAGGING
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import DIFF_FIELDS
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import IamRoleInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import create_request
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import description_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import diff_view
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import identity_of
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import inline_policy_changes
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import managed_policy_changes
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import max_session_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import name_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import normalize_role
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import path_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import path_message
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import policy_document
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import predicted_role
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import wanted_inline_policies
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import wanted_managed_policy_arns
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import wanted_policy
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import wanted_settings

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
ARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


def params(**overrides):
    """Module parameters as AnsibleModule hands them over: unset options are None."""
    base = {
        "state": "present",
        "name": "web-task",
        "path": "/",
        "description": None,
        "assume_role_policy_document": TRUST,
        "inline_policies": None,
        "purge_inline_policies": True,
        "managed_policy_arns": None,
        "purge_managed_policies": True,
        "max_session_duration": None,
        "tags": None,
        "purge_tags": True,
    }
    base.update(overrides)
    return base


# --- validation --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "web-task", "A_b+c=d,e.f@g-h", "x" * 64])
def test_good_names(name):
    assert name_errors(name) == []


@pytest.mark.parametrize("name", ["", "x" * 65, "with space", "slash/in", "é", None, 5])
def test_bad_names(name):
    (error,) = name_errors(name)
    assert error.startswith("name must be 1 to 64 characters")


@pytest.mark.parametrize("path", ["/", "/service-role/", "/a/b/"])
def test_good_paths(path):
    assert path_errors(path) == []


@pytest.mark.parametrize("path", ["", "a/", "/a", "/a b/", "/" + "a" * 511 + "/", None])
def test_bad_paths(path):
    (error,) = path_errors(path)
    assert error.startswith("path must be / or begin and end with /")


def test_double_slash_path_is_accepted_as_iam_does():
    # IAM's pattern (\u002F[\u0021-\u007E]+\u002F) takes "/" inside too
    assert path_errors("//x/") == []


def test_description_limits():
    assert description_errors(None) == []
    assert description_errors("") == []
    assert description_errors("Task role\n\tof café") == []
    assert description_errors("x" * 1000) == []
    assert description_errors("x" * 1001) == ["description must be at most 1000 characters long, it has 1001"]
    (error,) = description_errors("snow ☃")
    assert error.startswith("description may contain only printable Latin-1 characters") and "☃" in error


@pytest.mark.parametrize(("value", "ok"), [(None, True), (3600, True), (43200, True), (3599, False), (43201, False), (True, False)])
def test_max_session_errors(value, ok):
    assert (max_session_errors(value) == []) is ok


def test_tag_errors():
    assert tag_errors({"Stack": "demo", "Owner": "a.b@c:d/e=f+g-h_i j", "Ünïcode": "ñ 1"}) == []
    assert tag_errors(None) == []
    errors = tag_errors({"aws:x": "1", "bad;key": "1", "k" * 129: "v"})
    assert any("reserved" in e for e in errors)
    assert any("bad;key" in e and "may contain only" in e for e in errors)
    assert any("1 to 128" in e for e in errors)
    assert tag_errors({f"k{i}": "v" for i in range(51)}) == ["tags: at most 50 tags, not 51"]


def test_wanted_policy_takes_json_or_a_dict():
    assert wanted_policy(None, "p") == (None, [])
    assert wanted_policy(json.dumps(TRUST), "p") == (TRUST, [])
    assert wanted_policy(TRUST, "p") == (TRUST, [])
    assert wanted_policy("{x", "p")[1][0].startswith("p is not valid JSON: ")
    assert wanted_policy("[1]", "p") == (None, ["p must be a policy document (a JSON object with a Statement), not a list"])
    assert wanted_policy({}, "p") == (None, ["p must be a policy document (a JSON object with a Statement), not an empty object"])
    assert wanted_policy({"a": {1, 2}}, "p")[1][0].startswith("p cannot be written as JSON")


def test_wanted_inline_policies():
    assert wanted_inline_policies(None) == (None, [])
    assert wanted_inline_policies({}) == ({}, [])
    assert wanted_inline_policies({"a": json.dumps(POLICY), "b": POLICY}) == ({"a": POLICY, "b": POLICY}, [])
    _policies, errors = wanted_inline_policies({"bad name": POLICY, "ok": "{", "x" * 129: POLICY})
    assert errors[0].startswith("inline_policies: the name 'bad name' must be 1 to 128 characters")
    assert errors[1].startswith("inline_policies.ok is not valid JSON")
    assert "must be 1 to 128" in errors[2]


def test_wanted_managed_policy_arns():
    customer = "arn:aws:iam::123456789012:policy/team/read"
    assert wanted_managed_policy_arns(None) == (None, [])
    assert wanted_managed_policy_arns([customer, ARN, customer]) == ([customer, ARN], [])
    assert wanted_managed_policy_arns(["arn:aws-us-gov:iam::aws:policy/X"]) == (["arn:aws-us-gov:iam::aws:policy/X"], [])
    _arns, errors = wanted_managed_policy_arns(["ReadOnlyAccess", "arn:aws:iam::aws:role/x"])
    assert errors[0].startswith("managed_policy_arns must be ARNs of managed policies")
    assert "'ReadOnlyAccess', 'arn:aws:iam::aws:role/x'" in errors[0]


def test_wanted_settings_normalises():
    wanted = wanted_settings(
        params(
            assume_role_policy_document=json.dumps(TRUST),
            inline_policies={"read": json.dumps(POLICY)},
            managed_policy_arns=[ARN, ARN],
            tags={"n": 1, "e": None},
            max_session_duration=7200,
            description="",
        )
    )
    assert wanted == {
        "name": "web-task",
        "path": "/",
        "description": "",
        "max_session_duration": 7200,
        "assume_role_policy_document": TRUST,
        "inline_policies": {"read": POLICY},
        "purge_inline_policies": True,
        "managed_policy_arns": [ARN],
        "purge_managed_policies": True,
        "tags": {"n": "1", "e": ""},
        "purge_tags": True,
    }


def test_wanted_settings_names_every_bad_option():
    with pytest.raises(IamRoleInputError) as raised:
        wanted_settings(params(name="a b", path="x", max_session_duration=1, assume_role_policy_document=None))
    lines = str(raised.value).splitlines()
    assert [line.split(" ")[0] for line in lines] == ["name", "path", "max_session_duration", "assume_role_policy_document"]


def test_identity_of():
    assert identity_of({"name": "web"}) == {"name": "web"}
    with pytest.raises(IamRoleInputError, match="^name must be"):
        identity_of({"name": "w b"})


# --- reading and comparing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "returned",
    [
        TRUST,  # botocore decoded it
        quote(json.dumps(TRUST)),  # URL-encoded JSON, as IAM sends it
        json.dumps(TRUST, indent=2),  # plain JSON
        quote(json.dumps(TRUST)).encode("utf-8"),
    ],
)
def test_policy_document_reads_every_form(returned):
    assert policy_document(returned) == TRUST


def test_policy_document_keeps_a_percent_in_plain_json():
    document = {"Statement": [{"Condition": {"StringLike": {"s3:prefix": "a%20b"}}}]}
    assert policy_document(json.dumps(document)) == document
    assert policy_document(quote(json.dumps(document))) == document


def test_policy_document_of_garbage_is_kept_as_it_is():
    assert policy_document("not json") == "not json"
    assert policy_document(None) is None


def test_normalize_role():
    created = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    role = {
        "RoleName": "web-task",
        "RoleId": "AROAEXAMPLE",
        "Arn": "arn:aws:iam::123456789012:role/web-task",
        "Path": "/",
        "AssumeRolePolicyDocument": quote(json.dumps(TRUST)),
        "CreateDate": created,
    }
    assert normalize_role(role, {"b": POLICY, "a": json.dumps(POLICY)}, [ARN, ARN], {"k": "v"}) == {
        "role_name": "web-task",
        "role_id": "AROAEXAMPLE",
        "arn": "arn:aws:iam::123456789012:role/web-task",
        "path": "/",
        "description": "",
        "max_session_duration": 3600,
        "assume_role_policy_document": TRUST,
        "inline_policies": {"a": POLICY, "b": POLICY},
        "managed_policy_arns": [ARN],
        "tags": {"k": "v"},
        "create_date": "2025-01-02T03:04:05+00:00",
    }


def test_predicted_role_and_its_diff_view():
    wanted = wanted_settings(params(tags={"k": "v"}, inline_policies={"a": POLICY}))
    predicted = predicted_role(wanted)
    assert predicted == {
        "role_name": "web-task",
        "role_id": "",
        "arn": "",
        "path": "/",
        "description": "",
        "max_session_duration": 3600,
        "assume_role_policy_document": TRUST,
        "inline_policies": {},
        "managed_policy_arns": [],
        "tags": {"k": "v"},
        "create_date": None,
    }
    assert list(diff_view(predicted)) == list(DIFF_FIELDS)
    assert "arn" not in diff_view(predicted) and "create_date" not in diff_view(predicted)
    assert diff_view({}) == {}


def test_create_request():
    assert create_request(wanted_settings(params())) == {
        "RoleName": "web-task",
        "Path": "/",
        "AssumeRolePolicyDocument": json.dumps(TRUST),
    }
    request = create_request(
        wanted_settings(params(description="d", max_session_duration=7200, tags={"k": "v"}, path="/svc/"))
    )
    assert request["Description"] == "d"
    assert request["MaxSessionDuration"] == 7200
    assert request["Tags"] == [{"Key": "k", "Value": "v"}]
    assert request["Path"] == "/svc/"
    assert "Description" not in create_request(wanted_settings(params(description="")))


def test_inline_policy_changes():
    other = dict(POLICY, Version="2008-10-17")
    current = {"same": POLICY, "changed": POLICY, "unlisted": POLICY}
    wanted = {"same": POLICY, "changed": other, "new": POLICY}
    assert inline_policy_changes(current, None, True) == ({}, [])
    assert inline_policy_changes(current, wanted, True) == ({"changed": other, "new": POLICY}, ["unlisted"])
    assert inline_policy_changes(current, wanted, False) == ({"changed": other, "new": POLICY}, [])
    assert inline_policy_changes(current, {}, True) == ({}, ["changed", "same", "unlisted"])
    assert inline_policy_changes(current, dict(current), True) == ({}, [])


def test_managed_policy_changes():
    a, b, c = (f"arn:aws:iam::123456789012:policy/{x}" for x in "abc")
    assert managed_policy_changes([a, b], None, True) == ([], [])
    assert managed_policy_changes([a, b], [b, c], True) == ([c], [a])
    assert managed_policy_changes([a, b], [b, c], False) == ([c], [])
    assert managed_policy_changes([a, b], [b, a], True) == ([], [])


def test_path_message():
    current = {"role_name": "web", "path": "/svc/"}
    assert path_message(current, "/svc/") is None
    message = path_message(current, "/")
    assert message.startswith("path of role web is '/svc/', the task asks for '/': IAM cannot change the path")
    assert "Set path: '/svc/'" in message


# --- the IAM pieces of _common ---------------------------------------------------------------------------------


class _FakeIam:
    """list_role_policies answering in IAM's pages: IsTruncated, and the next page's Marker."""

    def __init__(self, pages):
        self.pages = pages
        self.requests = []
        self.tagged = []

    def list_role_policies(self, aws_retry, **request):
        self.requests.append(request)
        index = int(request.get("Marker", 0))
        response = {"PolicyNames": self.pages[index], "IsTruncated": index + 1 < len(self.pages)}
        if response["IsTruncated"]:
            response["Marker"] = str(index + 1)
        return response

    def tag_role(self, aws_retry, **request):
        self.tagged.append(("tag_role", request))

    def untag_role(self, aws_retry, **request):
        self.tagged.append(("untag_role", request))


def test_paginate_follows_iam_markers():
    fake = _FakeIam([["a", "b"], ["c"], ["d"]])
    found = paginate(fake.list_role_policies, "list", "PolicyNames", token="IsTruncated", RoleName="web")
    assert found == ["a", "b", "c", "d"]
    assert fake.requests == [{"RoleName": "web"}, {"RoleName": "web", "Marker": "1"}, {"RoleName": "web", "Marker": "2"}]


def test_iam_tagging_calls():
    fake = _FakeIam([])
    tag, untag = TAGGING["iam"]
    tag(fake, "web", {"k": "v"}, "role web")
    untag(fake, "web", ["old"], "role web")
    assert fake.tagged == [
        ("tag_role", {"RoleName": "web", "Tags": [{"Key": "k", "Value": "v"}]}),
        ("untag_role", {"RoleName": "web", "TagKeys": ["old"]}),
    ]
