"""ECR basic scanning: scan on push, IN_PROGRESS before COMPLETE, scan fields in DescribeImages
(emulator/extensions/ecr_image_scanning.py)."""

from __future__ import annotations

import datetime
import hashlib
import json
import time
import types
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.ecr.exceptions import LimitExceededException

from emulator.extensions import ecr_image_scanning as extension

ACCOUNT = "123456789012"  # moto's default, the emulator's account for the "testing" credentials
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
SCAN_SECONDS = 3.0  # long enough to see IN_PROGRESS on a busy machine, short enough for the suite

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the emulator is local


# --- helpers -----------------------------------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def unique_name(kind: str) -> str:
    return f"scanning-{uuid.uuid4().hex[:8]}/{kind}"  # the emulator is shared by the session


def upload_layer(ecr: Any, repository: str, blob: bytes) -> str:
    upload_id = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    ecr.upload_layer_part(
        repositoryName=repository, uploadId=upload_id, partFirstByte=0, partLastByte=len(blob) - 1, layerPartBlob=blob
    )
    return ecr.complete_layer_upload(repositoryName=repository, uploadId=upload_id, layerDigests=[sha256(blob)])[
        "layerDigest"
    ]


def image_manifest(config: bytes, layers: list[bytes], media_type: str = DOCKER_MANIFEST) -> str:
    docker = media_type == DOCKER_MANIFEST
    document = {
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": {"mediaType": DOCKER_CONFIG if docker else OCI_CONFIG, "size": len(config), "digest": sha256(config)},
        "layers": [
            {"mediaType": DOCKER_LAYER if docker else OCI_LAYER, "size": len(layer), "digest": sha256(layer)}
            for layer in layers
        ],
    }
    return json.dumps(document, indent=3)


def push(ecr: Any, repository: str, tag: str | None = None, media_type: str = DOCKER_MANIFEST) -> str:
    """Upload a config and a layer of their own, put their manifest with its digest (as docker does); the digest."""
    config, layer = f"config {uuid.uuid4()}".encode(), f"layer {uuid.uuid4()}".encode()
    for blob in (config, layer):
        upload_layer(ecr, repository, blob)
    manifest = image_manifest(config, [layer], media_type)
    request = dict(repositoryName=repository, imageManifest=manifest, imageDigest=sha256(manifest.encode()))
    if tag:
        request["imageTag"] = tag
    return ecr.put_image(**request)["image"]["imageId"]["imageDigest"]


def push_index(ecr: Any, repository: str, tag: str) -> str:
    image = push(ecr, repository, media_type=OCI_MANIFEST)
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": image,
                    "size": 400,
                    "platform": {"os": "linux", "architecture": "amd64"},
                }
            ],
        }
    )
    response = ecr.put_image(repositoryName=repository, imageManifest=index, imageTag=tag)
    return response["image"]["imageId"]["imageDigest"]


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return excinfo.value.response["Error"]["Code"]


def findings(ecr: Any, repository: str, digest: str) -> dict[str, Any]:
    return ecr.describe_image_scan_findings(repositoryName=repository, imageId={"imageDigest": digest})


def image_detail(ecr: Any, repository: str, digest: str) -> dict[str, Any]:
    return ecr.describe_images(repositoryName=repository, imageIds=[{"imageDigest": digest}])["imageDetails"][0]


def configure_scan_results(endpoint: str, *results: dict[str, Any]) -> None:
    request = urllib.request.Request(
        f"{endpoint}/moto-api/static/ecr/scan-finding-results",
        data=json.dumps({"results": list(results), "region": "us-east-1", "account_id": ACCOUNT}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with OPENER.open(request, timeout=10) as response:
        assert response.status == 201


# --- fixtures ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ecr(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ecr")


@pytest.fixture
def scanned_repository(ecr: Any) -> str:
    name = unique_name("scan-on-push")
    ecr.create_repository(repositoryName=name, imageScanningConfiguration={"scanOnPush": True})
    return name


@pytest.fixture
def manual_repository(ecr: Any) -> str:
    name = unique_name("manual")
    ecr.create_repository(repositoryName=name)
    return name


# --- pure helpers ------------------------------------------------------------------------------------------


def test_is_index_by_media_type_or_shape() -> None:
    def image(manifest: dict[str, Any], media_type: str | None = None) -> Any:
        return extension.Image(ACCOUNT, "t", json.dumps(manifest), "repo", media_type, sha256(b"x"))

    assert extension.is_index(image({"mediaType": OCI_INDEX, "manifests": []}))
    assert extension.is_index(image({"manifests": []}, "application/vnd.docker.distribution.manifest.list.v2+json"))
    assert extension.is_index(image({"schemaVersion": 2, "manifests": []}))  # OCI: mediaType is optional
    assert not extension.is_index(image({"mediaType": DOCKER_MANIFEST, "layers": []}))
    assert not extension.is_index(image({"layers": []}, OCI_MANIFEST))


# --- scan on push (plain mode: a scan completes at once) ---------------------------------------------------


def test_push_into_a_scan_on_push_repository_scans_tagged_and_untagged_images(
    ecr: Any, scanned_repository: str
) -> None:
    tagged = push(ecr, scanned_repository, tag="1.0.0")
    untagged = push(ecr, scanned_repository, media_type=OCI_MANIFEST)
    for digest in (tagged, untagged):
        answer = findings(ecr, scanned_repository, digest)
        assert answer["imageScanStatus"]["status"] == "COMPLETE"
        assert answer["imageScanFindings"]["findingSeverityCounts"] == {"HIGH": 1}  # moto's default finding
    by_tag = ecr.describe_image_scan_findings(repositoryName=scanned_repository, imageId={"imageTag": "1.0.0"})
    assert by_tag["imageId"]["imageDigest"] == tagged


def test_push_into_a_repository_without_scan_on_push_scans_nothing(ecr: Any, manual_repository: str) -> None:
    digest = push(ecr, manual_repository, tag="1.0.0")
    with pytest.raises(ClientError) as excinfo:
        findings(ecr, manual_repository, digest)
    assert error_code(excinfo) == "ScanNotFoundException"
    detail = image_detail(ecr, manual_repository, digest)
    assert "imageScanStatus" not in detail and "imageScanFindingsSummary" not in detail


def test_scan_on_push_switched_on_later_scans_the_next_push(ecr: Any, manual_repository: str) -> None:
    before = push(ecr, manual_repository, tag="before")
    ecr.put_image_scanning_configuration(
        repositoryName=manual_repository, imageScanningConfiguration={"scanOnPush": True}
    )
    after = push(ecr, manual_repository, tag="after")
    assert findings(ecr, manual_repository, after)["imageScanStatus"]["status"] == "COMPLETE"
    with pytest.raises(ClientError) as excinfo:
        findings(ecr, manual_repository, before)
    assert error_code(excinfo) == "ScanNotFoundException"


def test_basic_registry_rule_with_scan_on_push_scans(ecr: Any) -> None:
    name = unique_name("registry-rule")
    rule = {"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": name, "filterType": "WILDCARD"}]}
    ecr.put_registry_scanning_configuration(scanType="BASIC", rules=[rule])
    try:
        ecr.create_repository(repositoryName=name)
        digest = push(ecr, name, tag="1")
        assert findings(ecr, name, digest)["imageScanStatus"]["status"] == "COMPLETE"
    finally:
        ecr.put_registry_scanning_configuration(scanType="BASIC", rules=[])


def test_start_image_scan_after_a_scan_on_push_the_same_day_is_refused(ecr: Any, scanned_repository: str) -> None:
    digest = push(ecr, scanned_repository, tag="1.0.0")
    for image_id in ({"imageDigest": digest}, {"imageTag": "1.0.0"}):
        with pytest.raises(ClientError) as excinfo:
            ecr.start_image_scan(repositoryName=scanned_repository, imageId=image_id)
        assert error_code(excinfo) == "LimitExceededException"


@pytest.mark.parametrize(
    ("hours_ago", "refused"), [(23, True), (24.1, False)], ids=["23 hours ago, across midnight", "24 hours ago"]
)
def test_start_image_scan_counts_24_hours_from_the_last_scan_not_the_calendar_day(hours_ago, refused) -> None:
    """moto refuses a second scan only on the same calendar day; the window AWS documents is 24 hours."""
    started = []
    image = types.SimpleNamespace(
        image_manifest=json.dumps({"layers": []}),
        image_manifest_media_type=DOCKER_MANIFEST,
        image_digest="sha256:" + "0" * 64,
        last_scan=datetime.datetime.today() - datetime.timedelta(hours=hours_ago),
    )
    repository = types.SimpleNamespace(_get_image=lambda tag, digest: image)
    backend = types.SimpleNamespace(_get_repository=lambda name, registry_id: repository)
    start_image_scan = extension._start_image_scan_timed(lambda *args: started.append(args) or {})
    if refused:
        with pytest.raises(LimitExceededException):
            start_image_scan(backend, None, "repo", {"imageTag": "1"})
        assert started == []
    else:
        start_image_scan(backend, None, "repo", {"imageTag": "1"})
        assert len(started) == 1


def test_an_index_is_not_scanned_on_push_nor_by_start_image_scan(ecr: Any, scanned_repository: str) -> None:
    index = push_index(ecr, scanned_repository, tag="multi")
    with pytest.raises(ClientError) as excinfo:
        findings(ecr, scanned_repository, index)
    assert error_code(excinfo) == "ScanNotFoundException"
    detail = image_detail(ecr, scanned_repository, index)
    assert "imageScanStatus" not in detail and "imageScanFindingsSummary" not in detail

    with pytest.raises(ClientError) as excinfo:
        ecr.start_image_scan(repositoryName=scanned_repository, imageId={"imageTag": "multi"})
    assert error_code(excinfo) == "UnsupportedImageTypeException"
    assert f"media type '{OCI_INDEX}' cannot be scanned" in str(excinfo.value)


# --- DescribeImages ----------------------------------------------------------------------------------------


def test_describe_images_has_scan_fields_for_scanned_images_only(ecr: Any, manual_repository: str) -> None:
    scanned = push(ecr, manual_repository, tag="scanned")
    never = push(ecr, manual_repository, tag="never")
    started = ecr.start_image_scan(repositoryName=manual_repository, imageId={"imageTag": "scanned"})
    assert started["imageScanStatus"]["status"] == "IN_PROGRESS"

    details = {d["imageDigest"]: d for d in ecr.describe_images(repositoryName=manual_repository)["imageDetails"]}
    assert "imageScanStatus" not in details[never] and "imageScanFindingsSummary" not in details[never]
    detail = details[scanned]
    assert detail["imageScanStatus"] == {"status": "COMPLETE", "description": "The scan was completed successfully."}
    summary = detail["imageScanFindingsSummary"]
    answer = findings(ecr, manual_repository, scanned)["imageScanFindings"]
    assert summary["findingSeverityCounts"] == answer["findingSeverityCounts"] == {"HIGH": 1}
    assert summary["imageScanCompletedAt"] == answer["imageScanCompletedAt"]
    assert "vulnerabilitySourceUpdatedAt" in summary
    # the same by imageIds, and by tag
    assert image_detail(ecr, manual_repository, scanned)["imageScanFindingsSummary"]["findingSeverityCounts"] == {
        "HIGH": 1
    }


def test_configured_scan_results_show_in_both_answers(
    ecr: Any, scanned_repository: str, emulator_endpoint: str
) -> None:
    configured = {
        "registryId": ACCOUNT,
        "repositoryName": scanned_repository,
        "imageId": {"imageTag": "configured"},
        "imageScanStatus": {"status": "COMPLETE", "description": "The scan was completed successfully."},
        "imageScanFindings": {
            "imageScanCompletedAt": "2025-01-02T03:04:05Z",
            "vulnerabilitySourceUpdatedAt": "2025-01-01T00:00:00Z",
            "findingSeverityCounts": {"CRITICAL": 2, "LOW": 1},
            "findings": [],
        },
    }
    failed = {
        "repositoryName": scanned_repository,
        "imageId": {"imageTag": "failed"},
        "imageScanStatus": {"status": "FAILED", "description": "UnsupportedImageError: not supported"},
    }
    configure_scan_results(emulator_endpoint, configured, failed)
    digest = push(ecr, scanned_repository, tag="configured")
    failing = push(ecr, scanned_repository, tag="failed")

    # DescribeImages first: the result moto will answer is already the one shown
    summary = image_detail(ecr, scanned_repository, digest)["imageScanFindingsSummary"]
    assert summary["findingSeverityCounts"] == {"CRITICAL": 2, "LOW": 1}
    assert summary["imageScanCompletedAt"].year == 2025
    answer = ecr.describe_image_scan_findings(repositoryName=scanned_repository, imageId={"imageTag": "configured"})
    assert answer["imageScanFindings"]["findingSeverityCounts"] == {"CRITICAL": 2, "LOW": 1}
    again = image_detail(ecr, scanned_repository, digest)
    assert again["imageScanFindingsSummary"]["findingSeverityCounts"] == {"CRITICAL": 2, "LOW": 1}
    assert again["imageScanStatus"]["status"] == "COMPLETE"

    detail = image_detail(ecr, scanned_repository, failing)
    assert detail["imageScanStatus"] == failed["imageScanStatus"]
    assert "imageScanFindingsSummary" not in detail  # no completed scan
    answer = ecr.describe_image_scan_findings(repositoryName=scanned_repository, imageId={"imageTag": "failed"})
    assert answer["imageScanStatus"]["status"] == "FAILED"


# --- realistic mode: a scan takes time ---------------------------------------------------------------------


def test_scan_on_push_is_in_progress_then_complete(
    ecr: Any, scanned_repository: str, realistic: Callable[..., dict[str, Any]]
) -> None:
    realistic(behaviour_seconds={"ecr.scan": SCAN_SECONDS})
    pushing = time.monotonic()  # before the push: its scan cannot start earlier, however slow the answer
    digest = push(ecr, scanned_repository, tag="1.0.0")

    answer = findings(ecr, scanned_repository, digest)
    assert answer["imageScanStatus"]["status"] == "IN_PROGRESS"
    assert "imageScanFindings" not in answer
    detail = image_detail(ecr, scanned_repository, digest)
    assert detail["imageScanStatus"]["status"] == "IN_PROGRESS"
    assert "imageScanFindingsSummary" not in detail
    with pytest.raises(ClientError) as excinfo:  # the scan on push counts against the daily limit at once
        ecr.start_image_scan(repositoryName=scanned_repository, imageId={"imageDigest": digest})
    assert error_code(excinfo) == "LimitExceededException"

    # botocore's own waiter, as a module would use it
    ecr.get_waiter("image_scan_complete").wait(
        repositoryName=scanned_repository, imageId={"imageTag": "1.0.0"}, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    assert time.monotonic() - pushing >= SCAN_SECONDS
    answer = findings(ecr, scanned_repository, digest)
    assert answer["imageScanStatus"]["status"] == "COMPLETE"
    assert answer["imageScanFindings"]["findingSeverityCounts"] == {"HIGH": 1}
    detail = image_detail(ecr, scanned_repository, digest)
    assert detail["imageScanStatus"]["status"] == "COMPLETE"
    assert detail["imageScanFindingsSummary"]["findingSeverityCounts"] == {"HIGH": 1}
    completed = answer["imageScanFindings"]["imageScanCompletedAt"]
    assert detail["imageScanFindingsSummary"]["imageScanCompletedAt"] == completed
    # completed at the end of the scan, not when it started
    assert (completed - detail["imagePushedAt"]).total_seconds() >= SCAN_SECONDS - 1


def test_start_image_scan_is_in_progress_then_complete(
    ecr: Any, manual_repository: str, realistic: Callable[..., dict[str, Any]]
) -> None:
    realistic(behaviour_seconds={"ecr.scan": SCAN_SECONDS})
    digest = push(ecr, manual_repository, tag="1.0.0")
    assert "imageScanStatus" not in image_detail(ecr, manual_repository, digest)
    ecr.start_image_scan(repositoryName=manual_repository, imageId={"imageTag": "1.0.0"})
    assert findings(ecr, manual_repository, digest)["imageScanStatus"]["status"] == "IN_PROGRESS"
    assert image_detail(ecr, manual_repository, digest)["imageScanStatus"]["status"] == "IN_PROGRESS"
    ecr.get_waiter("image_scan_complete").wait(
        repositoryName=manual_repository, imageId={"imageDigest": digest}, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    assert image_detail(ecr, manual_repository, digest)["imageScanStatus"]["status"] == "COMPLETE"


# --- plain moto has the gap, install() closes it -------------------------------------------------------------


def test_moto_alone_never_scans_on_push_and_install_fixes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if an assertion before install() fails, moto closed that gap."""
    from moto import mock_aws
    from moto.ecr.models import ECRBackend
    from moto.ecr.responses import ECRResponse

    originals = {}
    for owner, name in (
        (ECRBackend, "put_image"),
        (ECRBackend, "start_image_scan"),
        (ECRBackend, "describe_image_scan_findings"),
        (ECRResponse, "describe_images"),
    ):
        current = getattr(owner, name)
        while getattr(current, "__wrapped__", None) is not None:  # moto's own (ecr_layers' put_image goes too)
            current = current.__wrapped__
        originals[name] = current
        monkeypatch.setattr(owner, name, current)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    def put(ecr: Any, manifest: str, tag: str) -> str:  # with its digest: moto alone invents one otherwise
        response = ecr.put_image(
            repositoryName="gap/app", imageManifest=manifest, imageTag=tag, imageDigest=sha256(manifest.encode())
        )
        return response["image"]["imageId"]["imageDigest"]

    with mock_aws():
        ecr = boto3.client("ecr", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        ecr.create_repository(repositoryName="gap/app", imageScanningConfiguration={"scanOnPush": True})
        assert not extension.is_installed()

        # no scan on push
        digest = put(ecr, image_manifest(b"c1", [b"l1"]), "1")
        with pytest.raises(ClientError) as excinfo:
            findings(ecr, "gap/app", digest)
        assert error_code(excinfo) == "ScanNotFoundException"
        # a manual scan: DescribeImages says nothing of it
        ecr.start_image_scan(repositoryName="gap/app", imageId={"imageTag": "1"})
        assert findings(ecr, "gap/app", digest)["imageScanStatus"]["status"] == "COMPLETE"
        assert "imageScanStatus" not in image_detail(ecr, "gap/app", digest)
        # an index is scanned
        index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []})
        put(ecr, index, "multi")
        ecr.start_image_scan(repositoryName="gap/app", imageId={"imageTag": "multi"})

        extension.install()
        extension.install()

        assert extension.is_installed()
        assert ECRBackend.put_image.__wrapped__ is originals["put_image"], "install() must not wrap twice"
        assert ECRResponse.describe_images.__wrapped__ is originals["describe_images"]

        assert image_detail(ecr, "gap/app", digest)["imageScanStatus"]["status"] == "COMPLETE"
        pushed = put(ecr, image_manifest(b"c2", [b"l2"]), "2")
        assert findings(ecr, "gap/app", pushed)["imageScanStatus"]["status"] == "COMPLETE"
        assert image_detail(ecr, "gap/app", pushed)["imageScanFindingsSummary"]["findingSeverityCounts"] == {"HIGH": 1}
        with pytest.raises(ClientError) as excinfo:
            ecr.start_image_scan(repositoryName="gap/app", imageId={"imageTag": "2"})
        assert error_code(excinfo) == "LimitExceededException"
        put(ecr, index.replace("[]", "[ ]"), "multi-2")
        with pytest.raises(ClientError) as excinfo:
            ecr.start_image_scan(repositoryName="gap/app", imageId={"imageTag": "multi-2"})
        assert error_code(excinfo) == "UnsupportedImageTypeException"
