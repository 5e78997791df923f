"""Unit tests of the pure functions of plugins/module_utils/_ecr_image.py."""

from __future__ import annotations

import io
import json

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils import _ecr_image
from ansible_collections.cloudops.fargate.plugins.module_utils import _oci_source
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import SCAN_WAITER_CONFIG
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import blocking_counts
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import blocking_findings
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import gate_failure_message
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import image_uri
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import input_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import is_at_or_above
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import is_tag_immutable
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import is_valid_digest
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import is_valid_tag
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import manifest_media_type
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import manifest_references
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import normalize_finding
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import scan_summary
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import severity_rank

DIGEST = "sha256:" + "ab" * 32
OTHER = "sha256:" + "cd" * 32


def _params(**overrides):
    """Module parameters with the argument spec's defaults."""
    params = {
        "source_repository": "app",
        "source_tag": "1.0.0",
        "source_digest": None,
        "source_registry_id": None,
        "target_repository": None,
        "target_tag": "prod",
        "target_registry_id": None,
        "wait_for_scan": False,
        "fail_on_severity": None,
        "scan_timeout": 600,
    }
    params.update(overrides)
    return params


# --- digests and tags ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [DIGEST, "sha256:" + "0" * 64, "sha256:" + "0123456789abcdef" * 4])
def test_valid_digests(value):
    assert is_valid_digest(value)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "sha256:" + "A" * 64,  # ECR digests are lowercase
        "sha256:" + "a" * 63,
        "sha256:" + "a" * 65,
        "sha512:" + "a" * 64,
        "a" * 64,
        " sha256:" + "a" * 64,
        "sha256:" + "a" * 64 + "\n",
        "sha256:" + "g" * 64,
    ],
)
def test_invalid_digests(value):
    assert not is_valid_digest(value)


@pytest.mark.parametrize("value", ["prod", "1.0.0", "v1", "_x", "A-b_c.d", "0", "a" * 128, "release-2024.01.02"])
def test_valid_tags(value):
    assert is_valid_tag(value)


@pytest.mark.parametrize(
    "value", [None, "", ".hidden", "-dash", "a" * 129, "with/slash", "with space", "colon:tag", "at@tag", "prod\n"]
)
def test_invalid_tags(value):
    assert not is_valid_tag(value)


def test_input_errors_none_for_good_input():
    assert input_errors(_params()) == []
    assert input_errors(_params(source_tag=None, source_digest=DIGEST, source_registry_id="111122223333")) == []


def test_input_errors_names_every_bad_option():
    errors = input_errors(
        _params(
            source_tag=None,
            source_digest="sha256:nope",
            target_tag="-x",
            source_registry_id="1",
            target_registry_id="x" * 12,
            scan_timeout=-5,
        )
    )
    joined = " | ".join(errors)
    assert len(errors) == 5
    for option in ("source_digest", "target_tag", "source_registry_id", "target_registry_id", "scan_timeout"):
        assert option in joined


def test_input_errors_empty_source_tag():
    assert input_errors(_params(source_tag="")) == ["source_tag must not be empty"]


# --- severities ----------------------------------------------------------------------------------------


def test_severity_order():
    ranks = [severity_rank(s) for s in ("UNDEFINED", "INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")]
    assert ranks == sorted(ranks) and len(set(ranks)) == 6


@pytest.mark.parametrize("severity", ["UNTRIAGED", "SOMETHING_NEW", None, ""])
def test_unknown_severities_rank_lowest(severity):
    assert severity_rank(severity) == severity_rank("UNDEFINED")


def test_severity_is_case_insensitive():
    assert severity_rank("high") == severity_rank("HIGH")


@pytest.mark.parametrize(
    ("severity", "threshold", "expected"),
    [
        ("CRITICAL", "CRITICAL", True),
        ("HIGH", "CRITICAL", False),
        ("HIGH", "HIGH", True),
        ("CRITICAL", "HIGH", True),
        ("MEDIUM", "HIGH", False),
        ("LOW", "MEDIUM", False),
        ("INFORMATIONAL", "LOW", False),
        ("INFORMATIONAL", "INFORMATIONAL", True),
        ("UNDEFINED", "INFORMATIONAL", False),
        ("UNDEFINED", "UNDEFINED", True),
        ("UNTRIAGED", "UNDEFINED", True),
        ("LOW", "UNDEFINED", True),
    ],
)
def test_is_at_or_above(severity, threshold, expected):
    assert is_at_or_above(severity, threshold) is expected


def test_blocking_counts_keeps_severities_at_or_above_most_severe_first():
    counts = {"LOW": 3, "CRITICAL": 1, "MEDIUM": 2, "HIGH": 0, "INFORMATIONAL": 7}
    assert list(blocking_counts(counts, "MEDIUM").items()) == [("CRITICAL", 1), ("MEDIUM", 2)]
    assert blocking_counts(counts, "CRITICAL") == {"CRITICAL": 1}
    assert blocking_counts({"HIGH": 0}, "LOW") == {}
    assert blocking_counts(None, "LOW") == {}
    assert blocking_counts({}, "UNDEFINED") == {}


# --- findings ------------------------------------------------------------------------------------------

BASIC = [
    {"name": "CVE-3", "severity": "LOW", "uri": "https://example.test/3", "attributes": []},
    {"name": "CVE-1", "severity": "CRITICAL", "uri": "https://example.test/1"},
    {"name": "CVE-2", "severity": "HIGH"},
    {"name": "CVE-0", "severity": "CRITICAL"},
]


def test_normalize_basic_finding():
    assert normalize_finding(BASIC[0]) == {"name": "CVE-3", "severity": "LOW", "uri": "https://example.test/3"}
    assert normalize_finding(BASIC[2]) == {"name": "CVE-2", "severity": "HIGH"}


def test_normalize_enhanced_finding():
    finding = {
        "title": "CVE-2024-1 - openssl",
        "severity": "HIGH",
        "packageVulnerabilityDetails": {"vulnerabilityId": "CVE-2024-1", "sourceUrl": "https://nvd.test/1"},
    }
    assert normalize_finding(finding) == {"name": "CVE-2024-1", "severity": "HIGH", "uri": "https://nvd.test/1"}
    assert normalize_finding({"title": "only a title", "severity": "untriaged"}) == {
        "name": "only a title",
        "severity": "UNTRIAGED",
    }


def test_normalize_finding_without_anything():
    assert normalize_finding({}) == {"name": "unnamed finding", "severity": "UNDEFINED"}


def test_blocking_findings_filters_and_sorts():
    assert blocking_findings(BASIC, "HIGH") == [
        {"name": "CVE-0", "severity": "CRITICAL"},
        {"name": "CVE-1", "severity": "CRITICAL", "uri": "https://example.test/1"},
        {"name": "CVE-2", "severity": "HIGH"},
    ]
    assert [f["name"] for f in blocking_findings(BASIC, "UNDEFINED")] == ["CVE-0", "CVE-1", "CVE-2", "CVE-3"]
    assert blocking_findings(BASIC, "CRITICAL")[-1]["name"] == "CVE-1"
    assert blocking_findings([], "LOW") == []


def test_blocking_findings_does_not_mutate_input():
    findings = [dict(f) for f in BASIC]
    blocking_findings(findings, "LOW")
    assert findings == BASIC


def test_gate_failure_message_lists_counts_and_findings():
    findings = blocking_findings(BASIC, "HIGH")
    message = gate_failure_message("app@" + DIGEST, "HIGH", {"CRITICAL": 2, "HIGH": 1}, findings)
    assert message.startswith(f"The scan of app@{DIGEST} has 3 finding(s) at or above HIGH (CRITICAL: 2, HIGH: 1): ")
    assert "CVE-1 (CRITICAL) https://example.test/1; CVE-2 (HIGH)" in message


def test_gate_failure_message_shortens_long_lists():
    findings = [{"name": f"CVE-{n:03d}", "severity": "HIGH"} for n in range(25)]
    message = gate_failure_message("app@x", "HIGH", {"HIGH": 25}, findings)
    assert "CVE-019 (HIGH)" in message and "CVE-020" not in message
    assert message.endswith("; and 5 more")


def test_gate_failure_message_without_findings():
    assert gate_failure_message("app@x", "LOW", {"MEDIUM": 4}, []) == (
        "The scan of app@x has 4 finding(s) at or above LOW (MEDIUM: 4)"
    )


def test_scan_summary():
    response = {
        "registryId": "123456789012",
        "repositoryName": "app",
        "imageId": {"imageDigest": DIGEST},
        "imageScanStatus": {"status": "COMPLETE", "description": "The scan was completed successfully."},
        "imageScanFindings": {
            "imageScanCompletedAt": "2024-01-01T00:00:00Z",
            "findingSeverityCounts": {"HIGH": 1},
            "findings": BASIC,
        },
    }
    assert scan_summary(response, "app", "123456789012") == {
        "repository_name": "app",
        "registry_id": "123456789012",
        "image_digest": DIGEST,
        "status": "COMPLETE",
        "description": "The scan was completed successfully.",
        "finding_severity_counts": {"HIGH": 1},
        "image_scan_completed_at": "2024-01-01T00:00:00Z",
    }


def test_scan_summary_of_a_clean_scan():
    summary = scan_summary({"imageScanStatus": {"status": "COMPLETE"}, "imageScanFindings": {}}, "app", "1")
    assert summary["finding_severity_counts"] == {}
    assert "description" not in summary and "image_scan_completed_at" not in summary


# --- tag mutability ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutability", "filters", "tag", "immutable"),
    [
        ("MUTABLE", None, "prod", False),
        (None, None, "prod", False),
        ("IMMUTABLE", None, "prod", True),
        ("IMMUTABLE", [], "prod", True),
        ("IMMUTABLE_WITH_EXCLUSION", [{"filterType": "WILDCARD", "filter": "latest"}], "latest", False),
        ("IMMUTABLE_WITH_EXCLUSION", [{"filterType": "WILDCARD", "filter": "latest"}], "latest-1", True),
        ("IMMUTABLE_WITH_EXCLUSION", [{"filterType": "WILDCARD", "filter": "dev-*"}], "dev-123", False),
        ("IMMUTABLE_WITH_EXCLUSION", [{"filterType": "WILDCARD", "filter": "dev-*"}], "prod", True),
        ("MUTABLE_WITH_EXCLUSION", [{"filterType": "WILDCARD", "filter": "release-*"}], "release-1", True),
        ("MUTABLE_WITH_EXCLUSION", [{"filterType": "WILDCARD", "filter": "release-*"}], "prod", False),
        ("MUTABLE_WITH_EXCLUSION", [{"filterType": "WILDCARD", "filter": "*.*.*"}], "1.2.3", True),
        ("MUTABLE_WITH_EXCLUSION", [{"filterType": "WILDCARD", "filter": "v1.*"}], "v1x2", False),  # '.' literal
    ],
)
def test_is_tag_immutable(mutability, filters, tag, immutable):
    assert is_tag_immutable(mutability, filters, tag) is immutable


# --- manifests -----------------------------------------------------------------------------------------


def _manifest(media_type=_oci_source.DOCKER_MANIFEST, layers=("sha256:l1", "sha256:l2")):
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": media_type,
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": "sha256:cfg"},
            "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest": d} for d in layers],
        }
    )


def test_manifest_references_of_an_image():
    assert manifest_references(_manifest(), _oci_source.DOCKER_MANIFEST) == (
        ["sha256:cfg", "sha256:l1", "sha256:l2"],
        [],
    )


def test_manifest_references_deduplicates_in_order():
    blobs, _children = manifest_references(_manifest(layers=("sha256:l1", "sha256:l2", "sha256:l1")), None)
    assert blobs == ["sha256:cfg", "sha256:l1", "sha256:l2"]


def test_manifest_references_skips_foreign_layers():
    document = json.loads(_manifest())
    document["layers"].append(
        {"mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "digest": "sha256:win"}
    )
    document["layers"].append(
        {"mediaType": "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", "digest": "sha256:nd"}
    )
    blobs, _children = manifest_references(json.dumps(document), _oci_source.DOCKER_MANIFEST)
    assert blobs == ["sha256:cfg", "sha256:l1", "sha256:l2"]


@pytest.mark.parametrize("media_type", [_oci_source.OCI_INDEX, _oci_source.DOCKER_MANIFEST_LIST, None])
def test_manifest_references_of_an_index(media_type):
    index = {"schemaVersion": 2, "manifests": [{"digest": "sha256:a"}, {"digest": "sha256:b"}, {"digest": "sha256:a"}]}
    if media_type:
        index["mediaType"] = media_type
    assert manifest_references(json.dumps(index), media_type) == ([], ["sha256:a", "sha256:b"])


def test_manifest_references_of_an_oci_manifest_without_media_type_field():
    document = json.loads(_manifest())
    del document["mediaType"]
    assert manifest_references(json.dumps(document), _oci_source.OCI_MANIFEST)[0][0] == "sha256:cfg"


def test_manifest_references_rejects_broken_json():
    with pytest.raises(ValueError):
        manifest_references("{not json", None)


def test_manifest_media_type():
    assert manifest_media_type(_manifest(), _oci_source.OCI_MANIFEST) == _oci_source.OCI_MANIFEST
    assert manifest_media_type(_manifest(), None) == _oci_source.DOCKER_MANIFEST
    assert manifest_media_type(json.dumps({"schemaVersion": 2}), None) is None
    assert manifest_media_type("[]", None) is None
    assert manifest_media_type("{broken", None) is None


def test_image_uri():
    uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app"
    assert image_uri(uri, DIGEST) == f"{uri}@{DIGEST}"


# --- waiting -------------------------------------------------------------------------------------------


def test_scan_waiter_extends_botocores():
    import botocore.session

    client = botocore.session.get_session().create_client(
        "ecr", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    ours = SCAN_WAITER_CONFIG["waiters"]["ImageScanComplete"]
    assert "image_scan_complete" in client.waiter_names
    theirs = client.get_waiter("image_scan_complete").config
    assert ours["operation"] == theirs.operation
    acceptors = {(a["state"], a["matcher"], a.get("argument"), a["expected"]) for a in ours["acceptors"]}
    for acceptor in theirs.acceptors:
        assert (acceptor.state, acceptor.matcher, acceptor.argument, acceptor.expected) in acceptors
    assert ("success", "path", "imageScanStatus.status", "ACTIVE") in acceptors
    assert ("retry", "error", None, "ScanNotFoundException") in acceptors


class _Trickle(io.BytesIO):
    """A stream that hands out at most three bytes a read, like a slow socket."""

    def read(self, size=-1):
        return super().read(min(size, 3) if size and size > 0 else 3)


def test_read_exactly_fills_parts_from_short_reads():
    stream = _Trickle(b"0123456789")
    assert _ecr_image._read_exactly(stream, 7) == b"0123456"
    assert _ecr_image._read_exactly(stream, 7) == b"789"
    assert _ecr_image._read_exactly(stream, 7) == b""
