"""cloudops.fargate.account_info against moto in this process: one call, and the partition from the ARN."""

from __future__ import annotations

from ansible_collections.cloudops.fargate.plugins.modules import account_info
from tests.unit.helpers import assert_ok


def test_one_call_gives_account_arn_and_partition(aws, recorded_runner, calls):
    identity = aws("sts").get_caller_identity()
    result = recorded_runner(account_info, {"GetCallerIdentity"})({}, check_mode=True)
    assert_ok(result, changed=False)
    assert result["account"] == identity["Account"]
    assert result["arn"] == identity["Arn"]
    assert result["user_id"] == identity["UserId"]
    assert result["partition"] == identity["Arn"].split(":")[1] == "aws"
    assert calls == [("sts", "GetCallerIdentity")]
