"""cloudops.fargate.iam_role against moto in this process; every outcome is read back with boto3, and every AWS
operation the module calls is recorded, so that check mode is shown to call nothing that changes anything."""

from __future__ import annotations

import json

import botocore.client
import pytest
from ansible.module_utils.common import warnings as ansible_warnings

from ansible_collections.cloudops.fargate.plugins.module_utils import _iam_role
from ansible_collections.cloudops.fargate.plugins.modules import iam_role

NAME = "unit-web-task"
# What check mode (and a run with nothing to change) may call: nothing else.
READ_ONLY = {"GetRole", "ListRolePolicies", "GetRolePolicy", "ListAttachedRolePolicies"}

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
OTHER_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def policy(action, resource="*"):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}


READ_CONFIG = policy("ssm:GetParameter")
WRITE_LOGS = policy(["logs:CreateLogStream", "logs:PutLogEvents"])


@pytest.fixture
def iam(aws):
    """A boto3 client of the test itself: its calls are not recorded as the module's."""
    client = aws("iam")
    client._unit_test_client = True
    return client


@pytest.fixture
def run(run_module, calls):
    """Runs the module; afterwards ``calls`` holds the operations of that run only."""

    def run_iam_role(args, check_mode=False, diff=False):
        calls.clear()
        result = run_module(iam_role, args, check_mode=check_mode, diff=diff)
        # unlike amazon.aws.iam_role, never a deprecation
        assert not ansible_warnings.get_deprecation_messages()
        return result

    return run_iam_role


@pytest.fixture
def args():
    # the trust policy as a JSON string, the inline policy as a dict: both forms are taken
    return {
        "name": NAME,
        "assume_role_policy_document": json.dumps(TRUST),
        "inline_policies": {"read-config": READ_CONFIG},
        "tags": {"Stack": "unit"},
    }


@pytest.fixture
def created(run, args):
    assert_ok(run(args), changed=True)


@pytest.fixture
def managed_arns(iam):
    return [
        iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(policy("s3:GetObject")))["Policy"]["Arn"]
        for name in ("unit-managed-a", "unit-managed-b")
    ]


def operations(calls):
    return [operation for service, operation in calls if service == "iam"]


def assert_read_only(calls):
    assert set(operations(calls)) <= READ_ONLY, operations(calls)


def assert_ok(result, changed):
    assert not result["failed"], result
    assert result["changed"] is changed, result
    assert not result.get("warnings"), result["warnings"]


def role_names(iam):
    return sorted(role["RoleName"] for page in iam.get_paginator("list_roles").paginate() for role in page["Roles"])


def actual(iam, name=NAME):
    """The role as AWS has it, in the module's return shape."""
    role = iam.get_role(RoleName=name)["Role"]
    inline = {
        policy_name: iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
        for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]
    }
    attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
    tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name)["Tags"]}
    return {
        "role_name": role["RoleName"],
        "role_id": role["RoleId"],
        "arn": role["Arn"],
        "path": role["Path"],
        "description": role.get("Description") or "",
        "max_session_duration": role.get("MaxSessionDuration", 3600),
        "assume_role_policy_document": role["AssumeRolePolicyDocument"],
        "inline_policies": inline,
        "managed_policy_arns": sorted(attached),
        "tags": tags,
        "create_date": role["CreateDate"].isoformat(),
    }


def snapshot(iam):
    return {name: actual(iam, name) for name in role_names(iam)}


def four_steps(run, args, iam, calls, diff):
    """check (changed, nothing done, nothing but reads), real (changed), check and real again (unchanged)."""
    before = snapshot(iam)
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert_read_only(calls)
    assert snapshot(iam) == before
    assert result["diff"] == diff
    predicted = result["iam_role"]

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == diff
    assert result["iam_role"] == actual(iam)
    assert result["iam_role"] == predicted

    after = snapshot(iam)
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert_read_only(calls)
    assert result["diff"] == {"before": {}, "after": {}}
    result = run(args, diff=True)
    assert_ok(result, changed=False)
    assert_read_only(calls)
    assert result["iam_role"] == actual(iam)
    assert snapshot(iam) == after
    return result["iam_role"]


# --- create ---------------------------------------------------------------------------------------------------


def test_create_four_steps(run, args, iam, calls, managed_arns):
    args = dict(args, description="unit task role", max_session_duration=7200, managed_policy_arns=managed_arns[:1])
    whole = {
        "role_name": NAME,
        "path": "/",
        "description": "unit task role",
        "max_session_duration": 7200,
        "assume_role_policy_document": TRUST,
        "inline_policies": {"read-config": READ_CONFIG},
        "managed_policy_arns": managed_arns[:1],
        "tags": {"Stack": "unit"},
    }

    # 1. check mode predicts the role, creates nothing, calls nothing that changes anything
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert operations(calls) == ["GetRole"]
    assert role_names(iam) == []
    predicted = result["iam_role"]
    assert predicted == dict(whole, role_id="", arn="", create_date=None)
    assert result["diff"] == {"before": {}, "after": whole}

    # 2. for real: the same, with what AWS assigns
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert operations(calls).count("CreateRole") == 1
    assert result["diff"] == {"before": {}, "after": whole}
    role = result["iam_role"]
    assert role == actual(iam)
    assert role["arn"] == f"arn:aws:iam::123456789012:role/{NAME}"
    assert role["role_id"] and role["create_date"]
    assert dict(role, role_id="", arn="", create_date=None) == predicted

    # 3. and 4. again: nothing to do, nothing but reads
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert_read_only(calls)
    assert result["diff"] == {"before": {}, "after": {}}
    assert result["iam_role"] == role
    result = run(args)
    assert_ok(result, changed=False)
    assert_read_only(calls)
    assert result["iam_role"] == role


def test_create_with_a_path(run, args, iam):
    result = run(dict(args, path="/service-role/"))
    assert_ok(result, changed=True)
    assert result["iam_role"]["path"] == "/service-role/"
    assert result["iam_role"]["arn"] == f"arn:aws:iam::123456789012:role/service-role/{NAME}"
    assert_ok(run(dict(args, path="/service-role/")), changed=False)


def test_policies_compare_as_parsed_json(run, args, iam, created, calls):
    """The same documents written otherwise (a string with other spacing, a dict for the string) are no change."""
    respaced = dict(
        args,
        assume_role_policy_document=TRUST,
        inline_policies={"read-config": json.dumps(READ_CONFIG, indent=4, sort_keys=True)},
    )
    assert_ok(run(respaced, check_mode=True), changed=False)
    assert_ok(run(respaced), changed=False)
    assert_read_only(calls)


# --- changes in place -----------------------------------------------------------------------------------------


def test_inline_policy_change_four_steps(run, args, iam, calls, created):
    changed = policy("ssm:GetParameters", "arn:aws:ssm:us-east-1:123456789012:parameter/unit/*")
    role = four_steps(
        run,
        dict(args, inline_policies={"read-config": changed, "write-logs": WRITE_LOGS}),
        iam,
        calls,
        diff={
            "before": {"inline_policies": {"read-config": READ_CONFIG}},
            "after": {"inline_policies": {"read-config": changed, "write-logs": WRITE_LOGS}},
        },
    )
    assert role["inline_policies"] == {"read-config": changed, "write-logs": WRITE_LOGS}


def test_trust_change_four_steps(run, args, iam, calls, created):
    role = four_steps(
        run,
        dict(args, assume_role_policy_document=OTHER_TRUST),
        iam,
        calls,
        diff={"before": {"assume_role_policy_document": TRUST}, "after": {"assume_role_policy_document": OTHER_TRUST}},
    )
    assert role["assume_role_policy_document"] == OTHER_TRUST
    assert role["inline_policies"] == {"read-config": READ_CONFIG}


def test_tags_four_steps(run, args, iam, calls, created):
    role = four_steps(
        run,
        dict(args, tags={"Stack": "unit", "Owner": "team"}),
        iam,
        calls,
        diff={"before": {"tags": {"Stack": "unit"}}, "after": {"tags": {"Stack": "unit", "Owner": "team"}}},
    )
    assert role["tags"] == {"Stack": "unit", "Owner": "team"}
    # purge_tags removes the unlisted, and only those
    four_steps(
        run,
        dict(args, tags={"Owner": "other"}),
        iam,
        calls,
        diff={"before": {"tags": {"Stack": "unit", "Owner": "team"}}, "after": {"tags": {"Owner": "other"}}},
    )
    assert_ok(run(dict(args, tags={"New": "1"}, purge_tags=False)), changed=True)
    assert actual(iam)["tags"] == {"Owner": "other", "New": "1"}


def test_a_role_as_asked_costs_one_call_per_kind_of_policy_and_its_tags_come_with_it(run, args, iam, created, calls):
    result = run(args)
    assert_ok(result, changed=False)
    assert result["iam_role"]["tags"] == {"Stack": "unit"}
    assert operations(calls) == ["GetRole", "ListRolePolicies", "GetRolePolicy", "ListAttachedRolePolicies"]


def test_description_and_max_session_four_steps(run, args, iam, calls, created):
    role = four_steps(
        run,
        dict(args, description="now described", max_session_duration=43200),
        iam,
        calls,
        diff={
            "before": {"description": "", "max_session_duration": 3600},
            "after": {"description": "now described", "max_session_duration": 43200},
        },
    )
    assert (role["description"], role["max_session_duration"]) == ("now described", 43200)
    # one changed alone leaves the other as it is (UpdateRole gets both)
    four_steps(
        run,
        dict(args, description="described again"),
        iam,
        calls,
        diff={"before": {"description": "now described"}, "after": {"description": "described again"}},
    )
    assert actual(iam)["max_session_duration"] == 43200


def test_managed_policies_four_steps(run, args, iam, calls, created, managed_arns):
    four_steps(
        run,
        dict(args, managed_policy_arns=managed_arns),
        iam,
        calls,
        diff={"before": {"managed_policy_arns": []}, "after": {"managed_policy_arns": sorted(managed_arns)}},
    )
    four_steps(
        run,
        dict(args, managed_policy_arns=managed_arns[1:]),
        iam,
        calls,
        diff={"before": {"managed_policy_arns": sorted(managed_arns)}, "after": {"managed_policy_arns": managed_arns[1:]}},
    )
    # without purge nothing is detached; unset leaves them alone
    assert_ok(run(dict(args, managed_policy_arns=managed_arns[:1], purge_managed_policies=False)), changed=True)
    assert actual(iam)["managed_policy_arns"] == sorted(managed_arns)
    assert_ok(run(args), changed=False)
    assert actual(iam)["managed_policy_arns"] == sorted(managed_arns)
    assert len(iam.list_policies(Scope="Local")["Policies"]) == 2, "the policies themselves stay"


def test_purge_unlisted_inline_policy(run, args, iam, calls, created):
    iam.put_role_policy(RoleName=NAME, PolicyName="added-by-hand", PolicyDocument=json.dumps(WRITE_LOGS))
    four_steps(
        run,
        args,
        iam,
        calls,
        diff={"before": {"inline_policies": {"added-by-hand": WRITE_LOGS}}, "after": {"inline_policies": {}}},
    )
    assert list(actual(iam)["inline_policies"]) == ["read-config"]
    assert operations(calls).count("DeleteRolePolicy") == 0


def test_unlisted_inline_policy_stays_without_purge_or_without_inline_policies(run, args, iam, created):
    iam.put_role_policy(RoleName=NAME, PolicyName="added-by-hand", PolicyDocument=json.dumps(WRITE_LOGS))
    assert_ok(run(dict(args, purge_inline_policies=False)), changed=False)
    without = {key: value for key, value in args.items() if key != "inline_policies"}
    assert_ok(run(without), changed=False)
    assert sorted(actual(iam)["inline_policies"]) == ["added-by-hand", "read-config"]
    # an empty dict with purge deletes them all
    assert_ok(run(dict(args, inline_policies={})), changed=True)
    assert actual(iam)["inline_policies"] == {}


def test_unset_options_leave_the_role_alone(run, args, iam, created, calls):
    iam.update_role(RoleName=NAME, Description="by hand", MaxSessionDuration=7200)
    result = run({"name": NAME, "assume_role_policy_document": TRUST})
    assert_ok(result, changed=False)
    assert_read_only(calls)
    assert result["iam_role"]["description"] == "by hand"
    assert result["iam_role"]["max_session_duration"] == 7200
    assert result["iam_role"]["tags"] == {"Stack": "unit"}


def test_path_cannot_change(run, args, iam, created, calls):
    before = snapshot(iam)
    for check_mode in (True, False):
        result = run(dict(args, path="/other/", tags={"Changed": "no"}), check_mode=check_mode)
        assert result["failed"] is True
        assert result["changed"] is False
        assert result["msg"].startswith(f"path of role {NAME} is '/', the task asks for '/other/': IAM cannot change")
        assert result["iam_role"]["role_name"] == NAME
        assert_read_only(calls)
    assert snapshot(iam) == before


# --- absent ---------------------------------------------------------------------------------------------------


def test_absent_removes_the_role_with_its_policies_and_instance_profiles(run, args, iam, calls, managed_arns):
    assert_ok(run(dict(args, managed_policy_arns=managed_arns)), changed=True)
    for profile in ("unit-profile-a", "unit-profile-b"):
        iam.create_instance_profile(InstanceProfileName=profile)
        iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=NAME)
    whole = {key: value for key, value in actual(iam).items() if key in _iam_role.DIFF_FIELDS}
    absent = {"name": NAME, "state": "absent"}

    before = snapshot(iam)
    result = run(absent, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert_read_only(calls)
    assert snapshot(iam) == before
    assert result["iam_role"] == {}
    assert result["diff"] == {"before": whole, "after": {}}

    result = run(absent, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {"before": whole, "after": {}}
    assert result["iam_role"] == {}
    assert role_names(iam) == []
    assert sorted(operations(calls)) == sorted(
        [*READ_ONLY - {"GetRolePolicy"}, "GetRolePolicy", "DetachRolePolicy", "DetachRolePolicy", "DeleteRolePolicy",
         "ListInstanceProfilesForRole", "RemoveRoleFromInstanceProfile", "RemoveRoleFromInstanceProfile", "DeleteRole"]
    )
    profiles = iam.list_instance_profiles()["InstanceProfiles"]
    assert sorted(p["InstanceProfileName"] for p in profiles) == ["unit-profile-a", "unit-profile-b"], "never deleted"
    assert all(p["Roles"] == [] for p in profiles)
    assert len(iam.list_policies(Scope="Local")["Policies"]) == 2, "managed policies are detached, not deleted"

    for check_mode in (True, False):
        result = run(absent, check_mode=check_mode, diff=True)
        assert_ok(result, changed=False)
        assert operations(calls) == ["GetRole"]
        assert result["diff"] == {"before": {}, "after": {}}
        assert result["iam_role"] == {}


def test_absent_needs_no_trust_policy_and_validates_the_name(run, calls):
    result = run({"name": "bad name", "state": "absent"})
    assert result["failed"] is True and result["msg"].startswith("name must be 1 to 64 characters")
    assert operations(calls) == []


# --- bad input fails before anything ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"name": "bad name"}, "name must be 1 to 64 characters"),
        ({"name": "x" * 65}, "name must be 1 to 64 characters"),
        ({"assume_role_policy_document": "{not json"}, "assume_role_policy_document is not valid JSON"),
        ({"assume_role_policy_document": "[]"}, "assume_role_policy_document must be a policy document"),
        ({"assume_role_policy_document": None}, "assume_role_policy_document is required with state=present"),
        ({"inline_policies": {"read-config": "{oops"}}, "inline_policies.read-config is not valid JSON"),
        ({"inline_policies": {"bad name": READ_CONFIG}}, "inline_policies: the name 'bad name' must be 1 to 128"),
        ({"max_session_duration": 3599}, "max_session_duration must be from 3600 to 43200 seconds"),
        ({"max_session_duration": 43201}, "max_session_duration must be from 3600 to 43200 seconds"),
        ({"path": "service-role"}, "path must be / or begin and end with /"),
        ({"description": "x" * 1001}, "description must be at most 1000 characters long"),
        ({"managed_policy_arns": ["AmazonECSTaskExecutionRolePolicy"]}, "managed_policy_arns must be ARNs"),
        ({"tags": {"aws:owner": "x"}}, "keys starting with 'aws:' are reserved"),
        ({"tags": {"Owner": "a;b"}}, "keys and values may contain only letters, numbers, spaces and _.:/=+-@"),
    ],
)
def test_bad_input_fails_before_anything(run, args, iam, calls, overrides, expected):
    result = run(dict(args, **overrides))
    assert result["failed"] is True
    assert expected in result["msg"], result["msg"]
    assert operations(calls) == [], "validated before the first AWS call"
    assert role_names(iam) == []


def test_every_bad_option_is_named_at_once(run, args, calls):
    result = run(dict(args, name="bad name", max_session_duration=1, assume_role_policy_document="{"))
    assert result["failed"] is True
    assert [line.split(" ")[0] for line in result["msg"].splitlines()] == [
        "name",
        "max_session_duration",
        "assume_role_policy_document",
    ]
    assert operations(calls) == []


def test_bad_input_on_an_existing_role_changes_nothing(run, args, iam, created, calls):
    before = snapshot(iam)
    result = run(dict(args, inline_policies={"read-config": "{oops"}, tags={"Other": "x"}))
    assert result["failed"] is True
    assert operations(calls) == []
    assert snapshot(iam) == before


# --- the "already exists" race -----------------------------------------------------------------------------------


def _created_by_someone_else_after_the_lookup(monkeypatch, iam, **create_args):
    """The first lookup finds nothing; right after it, another run creates the role."""
    read_as_moto = _iam_role.IamRoleManager.read
    state = {"first": True}

    def racing(self, name):
        if state["first"]:
            state["first"] = False
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), **create_args)
            return None
        return read_as_moto(self, name)

    monkeypatch.setattr(_iam_role.IamRoleManager, "read", racing)


def test_already_exists_race_converges(run, args, iam, calls, monkeypatch):
    _created_by_someone_else_after_the_lookup(monkeypatch, iam, Tags=[{"Key": "Owner", "Value": "other-run"}])
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert operations(calls).count("CreateRole") == 1, "it tried, and AWS said it exists"
    assert role_names(iam) == [NAME]
    assert result["iam_role"] == actual(iam)
    assert result["iam_role"]["tags"] == {"Stack": "unit"}
    assert result["diff"] == {
        "before": {"inline_policies": {}, "tags": {"Owner": "other-run"}},
        "after": {"inline_policies": {"read-config": READ_CONFIG}, "tags": {"Stack": "unit"}},
    }


def test_already_exists_race_with_what_we_want_is_no_change(run, iam, calls, monkeypatch):
    _created_by_someone_else_after_the_lookup(monkeypatch, iam)
    result = run({"name": NAME, "assume_role_policy_document": TRUST}, diff=True)
    assert_ok(result, changed=False)
    assert operations(calls).count("CreateRole") == 1
    assert result["diff"] == {"before": {}, "after": {}}


# --- AWS errors ----------------------------------------------------------------------------------------------------


def test_aws_error_after_the_creation_fails_with_changed(run, args, iam, calls, monkeypatch):
    recording = botocore.client.BaseClient._make_api_call

    def refuse_policy(self, operation_name, api_params):
        if operation_name == "PutRolePolicy":
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "MalformedPolicyDocument", "Message": "refused"}}, operation_name
            )
        return recording(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse_policy)
    result = run(args)
    assert result["failed"] is True
    assert result["msg"].startswith(f"Failed to put inline policy read-config of role {NAME}")
    assert result["changed"] is True
    assert result["iam_role"]["role_name"] == NAME
    assert actual(iam)["inline_policies"] == {}
    # the next run finishes the job
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    assert_ok(run(args), changed=True)
    assert actual(iam)["inline_policies"] == {"read-config": READ_CONFIG}


# --- realistic mode: IAM propagation ---------------------------------------------------------------------------


@pytest.fixture
def realistic(aws, monkeypatch):
    """Realistic mode in this process with emulator/extensions/iam_role_propagation.py installed for this test only:
    a role IAM just created or granted something is not assumable for ``iam.propagation`` (10 s at scale 1)."""
    from emulator import realism
    from emulator.extensions import iam_role_propagation

    for patch in iam_role_propagation.PATCHES:
        monkeypatch.setattr(patch.owner, patch.name, getattr(patch.owner, patch.name))  # put back afterwards
    iam_role_propagation.install()
    realism.configure({"realistic": True, "time_scale": 1.0, "throttle_rate": 0.0})
    yield iam_role_propagation
    realism.reset()


def test_realistic_propagation_never_fails_the_module(run, args, iam, managed_arns, realistic):
    """IAM propagation delays only the services that assume the role (CreateFlowLogs, Fargate): none of the module's
    own calls (create, put and attach policies right after the creation, re-read, update, delete) fails, and the
    module does not wait for it (there is nothing to poll: that is up to the service's caller)."""
    wanted = dict(args, managed_policy_arns=managed_arns[:1])
    result = run(wanted)
    assert_ok(result, changed=True)
    arn = result["iam_role"]["arn"]
    assert not realistic.role_usable(arn)  # created and granted: not assumable yet, and the module did not wait
    assert result["iam_role"] == actual(iam)

    assert_ok(run(wanted), changed=False)
    result = run(dict(wanted, inline_policies={"write-logs": WRITE_LOGS}, managed_policy_arns=managed_arns[1:]))
    assert_ok(result, changed=True)
    assert result["iam_role"] == actual(iam)
    assert not realistic.role_usable(arn)

    assert_ok(run({"name": NAME, "state": "absent"}), changed=True)
    assert role_names(iam) == []
