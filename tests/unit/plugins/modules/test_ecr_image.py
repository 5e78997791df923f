"""cloudops.fargate.ecr_image against moto in this process; every outcome is read back with boto3.

Two things moto 5.2.5 lacks are supplied here, and only here:

* GetDownloadUrlForLayer is not implemented and moto keeps only the size of an uploaded layer, not its
  bytes. The ``layer_store`` fixture answers GetDownloadUrlForLayer for layers moto holds in the asked
  repository and serves the bytes the test uploaded through the module's ``open_blob_url``.
* Scan findings are moto's own: its fixed fake finding (CVE-9999-9999, HIGH) for a started scan, or a result
  configured through moto's documented API (``/moto-api/static/ecr/scan-finding-results``). Neither needs a
  stub, the scan gate runs against moto's DescribeImageScanFindings and StartImageScan.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
import requests

from ansible_collections.cloudops.fargate.plugins.module_utils import _ecr_image
from ansible_collections.cloudops.fargate.plugins.module_utils import _oci_source
from ansible_collections.cloudops.fargate.plugins.modules import ecr_image
from tests.unit.helpers import assert_ok

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "222222222222"
REGION = "us-east-1"
DEV = "unit/app-dev"
PROD = "unit/app-prod"
MOTO_SCAN_RESULTS = "http://motoapi.amazonaws.com/moto-api/static/ecr/scan-finding-results"
CHANGING_CALLS = {
    "PutImage",
    "StartImageScan",
    "InitiateLayerUpload",
    "UploadLayerPart",
    "CompleteLayerUpload",
    "BatchDeleteImage",
}


# --- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture
def ecr(aws):
    return aws("ecr")


@pytest.fixture
def api_calls(monkeypatch, aws):
    """The names of the ECR operations sent to moto, in order; clear it before the run under test."""
    from moto.core.botocore_stubber import BotocoreStubber

    calls = []
    original = BotocoreStubber.__call__

    def recording(self, event_name, request, **kwargs):
        parts = event_name.split(".")
        if self.enabled and len(parts) == 3 and parts[1] == "ecr":
            calls.append(parts[2])
        return original(self, event_name, request, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", recording)
    return calls


@pytest.fixture
def layer_store(monkeypatch, aws):
    """Blob bytes by digest, served through GetDownloadUrlForLayer (which moto lacks) and ``open_blob_url``."""
    from moto.core.exceptions import ServiceException
    from moto.core.responses import ActionResult
    from moto.ecr.responses import ECRResponse

    class LayersNotFoundException(ServiceException):
        code = "LayersNotFoundException"

    store: dict[str, bytes] = {}

    def get_download_url_for_layer(self):
        name = self._get_param("repositoryName")
        digest = self._get_param("layerDigest")
        repository = self.ecr_backend._get_repository(name, self._get_param("registryId"))
        if digest not in repository.layers or digest not in store:
            raise LayersNotFoundException(f"The layer with digest {digest} does not exist within the repository {name}")
        return ActionResult({"downloadUrl": f"https://layers.example.test/{name}/{digest}", "layerDigest": digest})

    def open_blob_url(url):
        return io.BytesIO(store[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(ECRResponse, "get_download_url_for_layer", get_download_url_for_layer, raising=False)
    monkeypatch.setattr(_ecr_image, "open_blob_url", open_blob_url)
    return store


@pytest.fixture
def run(run_module):
    def run_ecr_image(args, check_mode=False, diff=False):
        return run_module(ecr_image, args, check_mode=check_mode, diff=diff)

    return run_ecr_image


@pytest.fixture
def dev(ecr):
    return create_repository(ecr, DEV)


@pytest.fixture
def prod(ecr):
    return create_repository(ecr, PROD)


@pytest.fixture
def image(ecr, dev, layer_store):
    """Image ``1.0.0`` in the dev repository, layers and all; returns (digest, manifest)."""
    return push_image(ecr, layer_store, DEV, "1.0.0", layers=[b"base layer", b"app layer"])


# --- helpers -------------------------------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def create_repository(ecr, name, mutability="MUTABLE", scan_on_push=False, registry_id=None):
    extra = {"registryId": registry_id} if registry_id else {}
    return ecr.create_repository(
        repositoryName=name,
        imageTagMutability=mutability,
        imageScanningConfiguration={"scanOnPush": scan_on_push},
        **extra,
    )["repository"]


def upload_blob(ecr, store, repository, blob, registry_id=None):
    extra = {"registryId": registry_id} if registry_id else {}
    upload = ecr.initiate_layer_upload(repositoryName=repository, **extra)
    ecr.upload_layer_part(
        repositoryName=repository,
        uploadId=upload["uploadId"],
        partFirstByte=0,
        partLastByte=len(blob) - 1,
        layerPartBlob=blob,
        **extra,
    )
    digest = ecr.complete_layer_upload(
        repositoryName=repository, uploadId=upload["uploadId"], layerDigests=[sha256(blob)], **extra
    )["layerDigest"]
    assert digest == sha256(blob)
    store[digest] = blob
    return digest


def image_manifest(ecr, store, repository, layers, registry_id=None, media_type=_oci_source.DOCKER_MANIFEST):
    """Upload a config and ``layers`` and return a manifest for them, indented the way docker writes it."""
    config = json.dumps(
        {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [sha256(b) for b in layers]}}
    ).encode()
    config_type = (
        "application/vnd.docker.container.image.v1+json"
        if media_type == _oci_source.DOCKER_MANIFEST
        else "application/vnd.oci.image.config.v1+json"
    )
    layer_type = (
        "application/vnd.docker.image.rootfs.diff.tar.gzip"
        if media_type == _oci_source.DOCKER_MANIFEST
        else "application/vnd.oci.image.layer.v1.tar+gzip"
    )
    document = {
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": {
            "mediaType": config_type,
            "size": len(config),
            "digest": upload_blob(ecr, store, repository, config, registry_id),
        },
        "layers": [
            {"mediaType": layer_type, "size": len(b), "digest": upload_blob(ecr, store, repository, b, registry_id)}
            for b in layers
        ],
    }
    return json.dumps(document, indent=3)


def put_manifest(ecr, repository, manifest, tag=None, registry_id=None):
    extra = {"registryId": registry_id} if registry_id else {}
    if tag:
        extra["imageTag"] = tag
    digest = sha256(manifest.encode())
    ecr.put_image(repositoryName=repository, imageManifest=manifest, imageDigest=digest, **extra)
    return digest


def push_image(ecr, store, repository, tag, layers, registry_id=None):
    manifest = image_manifest(ecr, store, repository, layers, registry_id)
    return put_manifest(ecr, repository, manifest, tag, registry_id), manifest


def tag_digest(ecr, repository, tag):
    """The digest ``tag`` points at in ``repository``, or None."""
    found = ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageTag": tag}])["images"]
    return found[0]["imageId"]["imageDigest"] if found else None


def stored_manifest(ecr, repository, digest):
    found = ecr.batch_get_image(
        repositoryName=repository,
        imageIds=[{"imageDigest": digest}],
        acceptedMediaTypes=_ecr_image.ACCEPTED_MEDIA_TYPES,
    )["images"]
    assert len(found) == 1, found
    return found[0]


def tags_of(ecr, repository, digest):
    details = ecr.describe_images(repositoryName=repository, imageIds=[{"imageDigest": digest}])["imageDetails"]
    return sorted(details[0].get("imageTags", []))


def missing_layers(ecr, repository, digests):
    response = ecr.batch_check_layer_availability(repositoryName=repository, layerDigests=digests)
    return [failure["layerDigest"] for failure in response["failures"]]


def blob_digests(manifest):
    document = json.loads(manifest)
    return [document["config"]["digest"], *(layer["digest"] for layer in document["layers"])]


def set_scan_result(repository, digest, status="COMPLETE", findings=None, enhanced=None, counts=None, **extra):
    """Make moto answer DescribeImageScanFindings for ``repository@digest`` with this result.

    moto still answers ScanNotFoundException until a scan of the image was started.
    """
    scan = {}
    if findings is not None:
        scan["findings"] = findings
    if enhanced is not None:
        scan["enhancedFindings"] = enhanced
    if counts is not None:
        scan["findingSeverityCounts"] = counts
    result = {
        "registryId": extra.pop("registry_id", ACCOUNT),
        "repositoryName": repository,
        "imageId": {"imageDigest": digest},
        "imageScanStatus": {"status": status, **extra},
    }
    if scan:
        result["imageScanFindings"] = scan
    response = requests.post(MOTO_SCAN_RESULTS, json={"results": [result], "region": REGION}, timeout=5)
    assert response.status_code == 201, response.text


def changing(calls):
    return [call for call in calls if call in CHANGING_CALLS]


# --- promotion to another repository: the four steps -------------------------------------------------


def test_promote_by_tag_to_another_repository_four_steps(run, ecr, dev, prod, image, api_calls):
    digest, manifest = image
    args = {"source_repository": DEV, "source_tag": "1.0.0", "target_repository": PROD, "target_tag": "prod"}

    # 1. check mode predicts the promotion and changes nothing
    api_calls.clear()
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert changing(api_calls) == []
    assert tag_digest(ecr, PROD, "prod") is None
    assert result["diff"] == {"before": {"tag": "prod", "digest": None}, "after": {"tag": "prod", "digest": digest}}
    assert result["image"] == {
        "repository_name": PROD,
        "registry_id": ACCOUNT,
        "image_digest": digest,
        "image_tags": ["prod"],
        "image_uri": f"{prod['repositoryUri']}@{digest}",
    }

    # 2. for real: layers copied, then the manifest, byte for byte, under the source digest
    api_calls.clear()
    result = run(args, diff=True)
    calls = list(api_calls)
    assert_ok(result, changed=True)
    assert calls.count("CompleteLayerUpload") == 3  # config and two layers
    assert calls[-2:] == ["PutImage", "DescribeImages"]  # the manifest last, then the result is read
    assert calls.count("PutImage") == 1
    assert tag_digest(ecr, PROD, "prod") == digest
    copied = stored_manifest(ecr, PROD, digest)
    assert copied["imageManifest"] == manifest
    assert sha256(copied["imageManifest"].encode()) == digest
    assert copied["imageManifestMediaType"] == _oci_source.DOCKER_MANIFEST
    assert missing_layers(ecr, PROD, blob_digests(manifest)) == []
    assert result["diff"] == {"before": {"tag": "prod", "digest": None}, "after": {"tag": "prod", "digest": digest}}
    assert result["image"]["image_tags"] == ["prod"]
    assert result["image"]["image_uri"] == f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{PROD}@{digest}"
    assert "scan_findings_summary" not in result["image"]
    # the source is untouched
    assert tag_digest(ecr, DEV, "1.0.0") == digest
    assert tags_of(ecr, DEV, digest) == ["1.0.0"]

    # 3. again in check mode: nothing to do
    api_calls.clear()
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert changing(api_calls) == []
    assert result["diff"] == {"before": {}, "after": {}}
    assert result["image"]["image_digest"] == digest

    # 4. again for real: nothing is put
    api_calls.clear()
    result = run(args)
    assert_ok(result, changed=False)
    assert changing(api_calls) == []
    assert tag_digest(ecr, PROD, "prod") == digest


def test_promote_by_digest_to_another_repository_four_steps(run, ecr, dev, prod, image, api_calls):
    digest, manifest = image
    args = {"source_repository": DEV, "source_digest": digest, "target_repository": PROD, "target_tag": "1.0.0"}

    api_calls.clear()
    assert_ok(run(args, check_mode=True), changed=True)
    assert changing(api_calls) == []
    assert tag_digest(ecr, PROD, "1.0.0") is None

    result = run(args)
    assert_ok(result, changed=True)
    assert tag_digest(ecr, PROD, "1.0.0") == digest
    assert stored_manifest(ecr, PROD, digest)["imageManifest"] == manifest
    assert result["image"]["image_tags"] == ["1.0.0"]

    api_calls.clear()
    assert_ok(run(args, check_mode=True), changed=False)
    assert_ok(run(args), changed=False)
    assert changing(api_calls) == []


def test_layers_the_target_has_are_not_copied_again(run, ecr, dev, prod, image, layer_store, api_calls):
    digest, manifest = image
    # the target already holds the base layer (as after an earlier promotion of an image built on it)
    upload_blob(ecr, layer_store, PROD, b"base layer")
    api_calls.clear()
    assert_ok(
        run({"source_repository": DEV, "source_tag": "1.0.0", "target_repository": PROD, "target_tag": "a"}), True
    )
    assert api_calls.count("CompleteLayerUpload") == 2  # config and the app layer
    assert missing_layers(ecr, PROD, blob_digests(manifest)) == []


def test_second_tag_of_a_promoted_image_copies_nothing(run, ecr, dev, prod, image, api_calls):
    digest, _manifest = image
    base = {"source_repository": DEV, "source_digest": digest, "target_repository": PROD}
    assert_ok(run(dict(base, target_tag="1.0.0")), changed=True)
    api_calls.clear()
    result = run(dict(base, target_tag="prod"), diff=True)
    assert_ok(result, changed=True)
    assert changing(api_calls) == ["PutImage"]
    assert tags_of(ecr, PROD, digest) == ["1.0.0", "prod"]
    assert sorted(result["image"]["image_tags"]) == ["1.0.0", "prod"]


def test_large_layer_is_uploaded_in_parts(run, ecr, dev, prod, layer_store, monkeypatch, api_calls):
    digest, manifest = push_image(ecr, layer_store, DEV, "big", layers=[b"0123456789" * 3])
    # moto hands out a 10 MiB part size; make the module use small parts to exercise the offsets
    from moto.ecr.models import ECRBackend

    original = ECRBackend.initiate_layer_upload

    def small_parts(self, *args, **kwargs):
        return dict(original(self, *args, **kwargs), partSize=7)

    monkeypatch.setattr(ECRBackend, "initiate_layer_upload", small_parts)
    api_calls.clear()
    assert_ok(
        run({"source_repository": DEV, "source_tag": "big", "target_repository": PROD, "target_tag": "big"}), True
    )
    assert api_calls.count("UploadLayerPart") > api_calls.count("CompleteLayerUpload")
    assert missing_layers(ecr, PROD, blob_digests(manifest)) == []
    assert tag_digest(ecr, PROD, "big") == digest


def test_corrupt_layer_download_fails_before_the_put(run, ecr, dev, prod, image, layer_store, api_calls):
    digest, manifest = image
    layer = blob_digests(manifest)[-1]
    layer_store[layer] = b"not the app layer"
    api_calls.clear()
    result = run({"source_repository": DEV, "source_tag": "1.0.0", "target_repository": PROD, "target_tag": "prod"})
    assert result["failed"]
    assert layer in result["msg"]
    assert sha256(b"not the app layer") in result["msg"]
    assert "PutImage" not in api_calls
    assert tag_digest(ecr, PROD, "prod") is None


def test_source_layer_missing_fails(run, ecr, dev, prod, layer_store):
    # a manifest whose layer the source repository does not hold
    manifest = image_manifest(ecr, layer_store, DEV, [b"layer"])
    document = json.loads(manifest)
    document["layers"][0]["digest"] = sha256(b"never uploaded")
    manifest = json.dumps(document)
    put_manifest(ecr, DEV, manifest, "broken")
    result = run({"source_repository": DEV, "source_tag": "broken", "target_repository": PROD, "target_tag": "prod"})
    assert result["failed"]
    assert sha256(b"never uploaded") in result["msg"]
    assert tag_digest(ecr, PROD, "prod") is None


# --- OCI manifests and indexes -------------------------------------------------------------------------


def test_oci_manifest_keeps_its_media_type(run, ecr, dev, prod, layer_store):
    manifest = image_manifest(ecr, layer_store, DEV, [b"oci layer"], media_type=_oci_source.OCI_MANIFEST)
    digest = put_manifest(ecr, DEV, manifest, "oci")
    assert_ok(
        run({"source_repository": DEV, "source_tag": "oci", "target_repository": PROD, "target_tag": "oci"}), True
    )
    copied = stored_manifest(ecr, PROD, digest)
    assert copied["imageManifest"] == manifest
    assert copied["imageManifestMediaType"] == _oci_source.OCI_MANIFEST


def test_index_is_copied_with_its_images(run, ecr, dev, prod, layer_store, api_calls):
    children = []
    for arch, layer in (("amd64", b"amd64 layer"), ("arm64", b"arm64 layer")):
        manifest = image_manifest(ecr, layer_store, DEV, [layer], media_type=_oci_source.OCI_MANIFEST)
        children.append((put_manifest(ecr, DEV, manifest), manifest, arch))
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": _oci_source.OCI_INDEX,
            "manifests": [
                {
                    "mediaType": _oci_source.OCI_MANIFEST,
                    "digest": digest,
                    "size": len(manifest),
                    "platform": {"architecture": arch, "os": "linux"},
                }
                for digest, manifest, arch in children
            ],
        }
    )
    index_digest = put_manifest(ecr, DEV, index, "multi")
    args = {"source_repository": DEV, "source_tag": "multi", "target_repository": PROD, "target_tag": "multi"}

    api_calls.clear()
    assert_ok(run(args, check_mode=True), changed=True)
    assert changing(api_calls) == []

    result = run(args)
    assert_ok(result, changed=True)
    assert tag_digest(ecr, PROD, "multi") == index_digest
    assert stored_manifest(ecr, PROD, index_digest)["imageManifest"] == index
    for digest, manifest, _arch in children:
        copied = stored_manifest(ecr, PROD, digest)
        assert copied["imageManifest"] == manifest
        assert copied["imageId"].get("imageTag") in (None, "")  # the children stay untagged
        assert missing_layers(ecr, PROD, blob_digests(manifest)) == []
    assert result["image"]["image_digest"] == index_digest

    api_calls.clear()
    assert_ok(run(args), changed=False)
    assert changing(api_calls) == []


# --- within one repository -----------------------------------------------------------------------------


def test_retag_in_the_same_repository_four_steps(run, ecr, dev, image, api_calls):
    digest, manifest = image
    args = {"source_repository": DEV, "source_digest": digest, "target_tag": "stable"}

    api_calls.clear()
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert changing(api_calls) == []
    assert tag_digest(ecr, DEV, "stable") is None
    assert result["image"]["image_tags"] == ["1.0.0", "stable"]
    assert result["diff"]["after"] == {"tag": "stable", "digest": digest}

    api_calls.clear()
    result = run(args)
    assert_ok(result, changed=True)
    assert changing(api_calls) == ["PutImage"]  # no layer is copied within a repository
    assert "BatchCheckLayerAvailability" not in api_calls
    assert tag_digest(ecr, DEV, "stable") == digest
    assert tags_of(ecr, DEV, digest) == ["1.0.0", "stable"]
    assert sorted(result["image"]["image_tags"]) == ["1.0.0", "stable"]
    assert result["image"]["repository_name"] == DEV

    api_calls.clear()
    assert_ok(run(args, check_mode=True), changed=False)
    assert_ok(run(args), changed=False)
    assert changing(api_calls) == []


def test_same_tag_as_the_source_is_no_change(run, ecr, dev, image, api_calls):
    digest, _manifest = image
    api_calls.clear()
    result = run({"source_repository": DEV, "source_tag": "1.0.0", "target_tag": "1.0.0"})
    assert_ok(result, changed=False)
    assert changing(api_calls) == []
    assert result["image"]["image_tags"] == ["1.0.0"]


# --- tags that point elsewhere -------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [True, False])
def test_immutable_tag_pointing_elsewhere_is_refused(run, ecr, dev, image, layer_store, api_calls, check_mode):
    digest, _manifest = image
    create_repository(ecr, PROD, mutability="IMMUTABLE")
    old_digest, _old = push_image(ecr, layer_store, PROD, "prod", layers=[b"old release"])
    api_calls.clear()
    result = run(
        {"source_repository": DEV, "source_tag": "1.0.0", "target_repository": PROD, "target_tag": "prod"},
        check_mode=check_mode,
    )
    assert result["failed"]
    assert not result.get("changed")
    assert "immutable" in result["msg"]
    assert old_digest in result["msg"] and digest in result["msg"]
    assert PROD in result["msg"] and "prod" in result["msg"]
    assert changing(api_calls) == []
    assert tag_digest(ecr, PROD, "prod") == old_digest


def test_immutable_tag_already_at_the_image_is_no_change(run, ecr, dev, image, api_calls):
    digest, _manifest = image
    create_repository(ecr, PROD, mutability="IMMUTABLE")
    args = {"source_repository": DEV, "source_tag": "1.0.0", "target_repository": PROD, "target_tag": "prod"}
    assert_ok(run(args), changed=True)
    api_calls.clear()
    assert_ok(run(args, check_mode=True), changed=False)
    assert_ok(run(args), changed=False)
    assert changing(api_calls) == []
    assert tag_digest(ecr, PROD, "prod") == digest


def test_immutable_repository_takes_a_new_tag(run, ecr, dev, image, layer_store):
    digest, _manifest = image
    create_repository(ecr, PROD, mutability="IMMUTABLE")
    push_image(ecr, layer_store, PROD, "0.9.0", layers=[b"old release"])
    assert_ok(
        run({"source_repository": DEV, "source_tag": "1.0.0", "target_repository": PROD, "target_tag": "1.0.0"}), True
    )
    assert tag_digest(ecr, PROD, "1.0.0") == digest


def test_mutable_tag_is_moved_four_steps(run, ecr, dev, prod, image, layer_store, api_calls):
    digest, _manifest = image
    old_digest, _old = push_image(ecr, layer_store, PROD, "prod", layers=[b"old release"])
    args = {"source_repository": DEV, "source_tag": "1.0.0", "target_repository": PROD, "target_tag": "prod"}
    expected_diff = {"before": {"tag": "prod", "digest": old_digest}, "after": {"tag": "prod", "digest": digest}}

    api_calls.clear()
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == expected_diff
    assert changing(api_calls) == []
    assert tag_digest(ecr, PROD, "prod") == old_digest

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == expected_diff
    assert tag_digest(ecr, PROD, "prod") == digest

    api_calls.clear()
    assert_ok(run(args, check_mode=True), changed=False)
    assert_ok(run(args), changed=False)
    assert changing(api_calls) == []


def test_mutable_with_exclusion_refuses_an_excluded_tag(run, ecr, dev, image, layer_store, api_calls):
    create_repository(ecr, PROD)
    old_digest, _old = push_image(ecr, layer_store, PROD, "release-1", layers=[b"old release"])
    # moto 5.2.5 stores the filters; botocore of this venv knows them
    ecr.put_image_tag_mutability(
        repositoryName=PROD,
        imageTagMutability="MUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "release-*"}],
    )
    api_calls.clear()
    result = run(
        {"source_repository": DEV, "source_tag": "1.0.0", "target_repository": PROD, "target_tag": "release-1"}
    )
    assert result["failed"]
    assert old_digest in result["msg"]
    assert changing(api_calls) == []


# --- failures ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ({"source_tag": "9.9.9"}, "tag 9.9.9"),
        ({"source_digest": "sha256:" + "0" * 64}, "sha256:" + "0" * 64),
    ],
)
def test_missing_source_image_fails(run, ecr, dev, prod, image, api_calls, source, named):
    api_calls.clear()
    result = run(dict(source, source_repository=DEV, target_repository=PROD, target_tag="prod"))
    assert result["failed"]
    assert "not found" in result["msg"]
    assert DEV in result["msg"] and named in result["msg"]
    assert changing(api_calls) == []


def test_missing_source_repository_fails(run, ecr, prod, api_calls):
    api_calls.clear()
    result = run(
        {"source_repository": "unit/nowhere", "source_tag": "1.0.0", "target_repository": PROD, "target_tag": "x"}
    )
    assert result["failed"]
    assert "unit/nowhere" in result["msg"] and "not found" in result["msg"]
    assert changing(api_calls) == []


def test_missing_target_repository_fails(run, ecr, dev, image, api_calls):
    api_calls.clear()
    result = run(
        {"source_repository": DEV, "source_tag": "1.0.0", "target_repository": "unit/nowhere", "target_tag": "x"}
    )
    assert result["failed"]
    assert "Target repository unit/nowhere not found" in result["msg"]
    assert changing(api_calls) == []


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"source_tag": None, "source_digest": "sha256:" + "A" * 64}, "source_digest"),
        ({"source_tag": None, "source_digest": "sha256:abc"}, "source_digest"),
        ({"source_tag": None, "source_digest": "sha512:" + "a" * 64}, "source_digest"),
        ({"source_tag": None, "source_digest": "a" * 64}, "source_digest"),
        ({"target_tag": ".hidden"}, "target_tag"),
        ({"target_tag": "-dash"}, "target_tag"),
        ({"target_tag": "a" * 129}, "target_tag"),
        ({"target_tag": "with/slash"}, "target_tag"),
        ({"target_tag": "with space"}, "target_tag"),
        ({"target_tag": ""}, "target_tag"),
        ({"source_registry_id": "12345"}, "source_registry_id"),
        ({"target_registry_id": "abcdefghijkl"}, "target_registry_id"),
        ({"scan_timeout": -1}, "scan_timeout"),
        ({"source_digest": "sha256:" + "a" * 64}, "mutually exclusive"),
        ({"source_tag": None}, "source_repository needs source_tag or source_digest"),
        ({"fail_on_severity": "SEVERE"}, "fail_on_severity"),
    ],
)
@pytest.mark.parametrize("check_mode", [True, False])
def test_bad_input_fails_before_any_call(run, ecr, dev, prod, image, api_calls, override, complaint, check_mode):
    args = {"source_repository": DEV, "source_tag": "1.0.0", "target_repository": PROD, "target_tag": "prod"}
    args.update(override)
    args = {key: value for key, value in args.items() if value is not None}
    api_calls.clear()
    result = run(args, check_mode=check_mode)
    assert result["failed"]
    assert complaint in result["msg"]
    assert api_calls == []
    assert tag_digest(ecr, PROD, "prod") is None


def test_longest_valid_tag_is_accepted(run, ecr, dev, image):
    tag = "v" + "1" * 127
    assert_ok(run({"source_repository": DEV, "source_tag": "1.0.0", "target_tag": tag}), changed=True)
    assert tag_digest(ecr, DEV, tag) == image[0]


# --- scan gate: same registry, the source is gated before anything is put -----------------------------

PROMOTE = {"source_repository": DEV, "source_tag": "1.0.0", "target_repository": PROD, "target_tag": "prod"}


def test_gate_passes_below_the_threshold(run, ecr, dev, prod, image, api_calls):
    digest, _manifest = image
    api_calls.clear()
    # moto answers a started scan with one fake HIGH finding (CVE-9999-9999)
    result = run(dict(PROMOTE, fail_on_severity="CRITICAL"))
    assert_ok(result, changed=True)
    assert api_calls.index("StartImageScan") < api_calls.index("PutImage")  # the gate runs before the put
    assert tag_digest(ecr, PROD, "prod") == digest
    summary = result["image"]["scan_findings_summary"]
    assert summary["finding_severity_counts"] == {"HIGH": 1}
    assert summary["status"] == "COMPLETE"
    assert summary["repository_name"] == DEV  # the source was scanned
    assert summary["image_digest"] == digest

    # the scan exists now: no second scan is started, nothing else to do
    api_calls.clear()
    result = run(dict(PROMOTE, fail_on_severity="CRITICAL"))
    assert_ok(result, changed=False)
    assert changing(api_calls) == []
    assert result["image"]["scan_findings_summary"]["finding_severity_counts"] == {"HIGH": 1}


@pytest.mark.parametrize("threshold", ["HIGH", "MEDIUM", "UNDEFINED"])
def test_gate_fails_at_or_above_the_threshold(run, ecr, dev, prod, image, api_calls, threshold):
    digest, _manifest = image
    api_calls.clear()
    result = run(dict(PROMOTE, fail_on_severity=threshold))
    assert result["failed"]
    assert result["changed"] is False
    assert "CVE-9999-9999 (HIGH) https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-9999-9999" in result["msg"]
    assert f"at or above {threshold}" in result["msg"]
    assert f"{DEV}@{digest}" in result["msg"]
    assert "prod was not set" in result["msg"]
    assert result["findings"] == [
        {
            "name": "CVE-9999-9999",
            "severity": "HIGH",
            "uri": "https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-9999-9999",
        }
    ]
    assert changing(api_calls) == ["StartImageScan"]
    assert tag_digest(ecr, PROD, "prod") is None


def test_gate_lists_configured_findings_most_severe_first(run, ecr, dev, prod, image):
    digest, _manifest = image
    set_scan_result(
        DEV,
        digest,
        findings=[
            {"name": "CVE-2024-0003", "severity": "LOW"},
            {"name": "CVE-2024-0002", "severity": "MEDIUM", "uri": "https://example.test/CVE-2024-0002"},
            {"name": "CVE-2024-0001", "severity": "CRITICAL", "uri": "https://example.test/CVE-2024-0001"},
        ],
        counts={"LOW": 1, "MEDIUM": 1, "CRITICAL": 1},
    )
    result = run(dict(PROMOTE, fail_on_severity="MEDIUM"))
    assert result["failed"]
    assert [f["name"] for f in result["findings"]] == ["CVE-2024-0001", "CVE-2024-0002"]
    assert "2 finding(s) at or above MEDIUM (CRITICAL: 1, MEDIUM: 1)" in result["msg"]
    assert "CVE-2024-0003" not in result["msg"]
    assert result["scan_findings_summary"]["finding_severity_counts"] == {"LOW": 1, "MEDIUM": 1, "CRITICAL": 1}
    assert tag_digest(ecr, PROD, "prod") is None


def test_gate_passes_a_clean_scan(run, ecr, dev, prod, image, api_calls):
    digest, _manifest = image
    # moto answers with a configured result only for an image with a scan
    ecr.start_image_scan(repositoryName=DEV, imageId={"imageDigest": digest})
    set_scan_result(DEV, digest, findings=[], counts={})
    api_calls.clear()
    result = run(dict(PROMOTE, fail_on_severity="INFORMATIONAL"))
    assert_ok(result, changed=True)
    assert "StartImageScan" not in api_calls  # a scan existed
    assert result["image"]["scan_findings_summary"]["finding_severity_counts"] == {}


def test_wait_for_scan_without_threshold_reports_and_promotes(run, ecr, dev, prod, image):
    digest, _manifest = image
    result = run(dict(PROMOTE, wait_for_scan=True))
    assert_ok(result, changed=True)
    assert result["image"]["scan_findings_summary"]["finding_severity_counts"] == {"HIGH": 1}
    assert tag_digest(ecr, PROD, "prod") == digest


def test_gate_in_check_mode_without_a_scan_warns_and_starts_nothing(run, ecr, dev, prod, image, api_calls):
    api_calls.clear()
    result = run(dict(PROMOTE, fail_on_severity="HIGH"), check_mode=True)
    assert_ok(result, changed=True)
    assert changing(api_calls) == []
    assert any("not evaluated in check mode" in warning for warning in result["warnings"])
    assert "scan_findings_summary" not in result["image"]


def test_gate_in_check_mode_with_a_finished_scan_predicts_the_failure(run, ecr, dev, prod, image, api_calls):
    digest, _manifest = image
    ecr.start_image_scan(repositoryName=DEV, imageId={"imageDigest": digest})
    api_calls.clear()
    result = run(dict(PROMOTE, fail_on_severity="HIGH"), check_mode=True)
    assert result["failed"]
    assert "CVE-9999-9999" in result["msg"]
    assert changing(api_calls) == []
    result = run(dict(PROMOTE, fail_on_severity="CRITICAL"), check_mode=True)
    assert_ok(result, changed=True)
    assert result["image"]["scan_findings_summary"]["finding_severity_counts"] == {"HIGH": 1}


def test_gate_on_an_image_already_under_the_tag(run, ecr, dev, image):
    digest, _manifest = image
    set_scan_result(DEV, digest, findings=[{"name": "CVE-2024-0001", "severity": "CRITICAL"}], counts={"CRITICAL": 1})
    result = run({"source_repository": DEV, "source_tag": "1.0.0", "target_tag": "1.0.0", "fail_on_severity": "HIGH"})
    assert result["failed"]
    assert "Tag 1.0.0 of unit/app-dev already points at this image" in result["msg"]


def test_failed_scan_fails_the_gate(run, ecr, dev, prod, image):
    digest, _manifest = image
    set_scan_result(DEV, digest, status="UNSUPPORTED_IMAGE", description="The operating system is not supported.")
    result = run(dict(PROMOTE, fail_on_severity="HIGH"))
    assert result["failed"]
    assert "UNSUPPORTED_IMAGE" in result["msg"]
    assert "The operating system is not supported." in result["msg"]
    assert tag_digest(ecr, PROD, "prod") is None


def test_scan_that_does_not_finish_times_out(run, ecr, dev, prod, image):
    digest, _manifest = image
    set_scan_result(DEV, digest, status="IN_PROGRESS")
    result = run(dict(PROMOTE, fail_on_severity="HIGH", scan_timeout=0))
    assert result["failed"]
    assert "Timed out after 0 seconds" in result["msg"]
    assert tag_digest(ecr, PROD, "prod") is None


def test_enhanced_scanning_findings_gate(run, ecr, dev, prod, image):
    digest, _manifest = image
    set_scan_result(
        DEV,
        digest,
        status="ACTIVE",
        enhanced=[
            {
                "title": "CVE-2024-1234 - openssl",
                "severity": "CRITICAL",
                "packageVulnerabilityDetails": {
                    "vulnerabilityId": "CVE-2024-1234",
                    "sourceUrl": "https://nvd.nist.gov/vuln/detail/CVE-2024-1234",
                },
            },
            {"title": "low one", "severity": "UNTRIAGED"},
        ],
        counts={"CRITICAL": 1, "UNTRIAGED": 1},
    )
    result = run(dict(PROMOTE, fail_on_severity="CRITICAL"))
    assert result["failed"]
    assert result["findings"] == [
        {"name": "CVE-2024-1234", "severity": "CRITICAL", "uri": "https://nvd.nist.gov/vuln/detail/CVE-2024-1234"}
    ]
    assert tag_digest(ecr, PROD, "prod") is None


# --- scan gate across registries: put untagged, gate in the target, then tag ---------------------------

SHARED = "unit/shared-app"


@pytest.fixture
def other_account_image(ecr, layer_store):
    """An image in a repository of another account's registry (moto keeps it in the same backend)."""
    create_repository(ecr, SHARED, registry_id=OTHER_ACCOUNT)
    return push_image(ecr, layer_store, SHARED, "1.0.0", layers=[b"shared layer"], registry_id=OTHER_ACCOUNT)


def cross_args(**extra):
    return dict(
        source_registry_id=OTHER_ACCOUNT,
        source_repository=SHARED,
        source_tag="1.0.0",
        target_repository=PROD,
        target_tag="prod",
        **extra,
    )


def test_cross_registry_promotion_without_gate(run, ecr, prod, other_account_image, api_calls):
    digest, manifest = other_account_image
    api_calls.clear()
    assert_ok(run(cross_args(), check_mode=True), changed=True)
    assert changing(api_calls) == []
    result = run(cross_args())
    assert_ok(result, changed=True)
    assert tag_digest(ecr, PROD, "prod") == digest
    assert stored_manifest(ecr, PROD, digest)["imageManifest"] == manifest
    assert missing_layers(ecr, PROD, blob_digests(manifest)) == []
    assert result["image"]["registry_id"] == ACCOUNT
    assert_ok(run(cross_args()), changed=False)


def test_cross_registry_gate_passes_then_tags(run, ecr, prod, other_account_image, api_calls):
    digest, _manifest = other_account_image
    api_calls.clear()
    result = run(cross_args(fail_on_severity="CRITICAL"))
    assert_ok(result, changed=True)
    puts = [call for call in api_calls if call in ("PutImage", "StartImageScan")]
    assert puts == ["PutImage", "StartImageScan", "PutImage"]  # untagged, scanned in the target, then tagged
    assert tag_digest(ecr, PROD, "prod") == digest
    assert result["image"]["scan_findings_summary"]["repository_name"] == PROD
    assert result["image"]["scan_findings_summary"]["registry_id"] == ACCOUNT

    api_calls.clear()
    result = run(cross_args(fail_on_severity="CRITICAL"))
    assert_ok(result, changed=False)
    assert changing(api_calls) == []


def test_cross_registry_gate_failure_leaves_the_image_untagged(run, ecr, prod, other_account_image):
    digest, _manifest = other_account_image
    result = run(cross_args(fail_on_severity="HIGH"))
    assert result["failed"]
    assert result["changed"] is True
    assert "untagged" in result["msg"] and "tag prod was not set" in result["msg"]
    assert tag_digest(ecr, PROD, "prod") is None
    assert tags_of(ecr, PROD, digest) == []

    # a second run finds the staged image and its scan: nothing new is put, the gate fails the same way
    result = run(cross_args(fail_on_severity="HIGH"))
    assert result["failed"]
    assert result["changed"] is False
    assert tag_digest(ecr, PROD, "prod") is None


def test_cross_registry_gate_in_check_mode_is_not_evaluated(run, ecr, prod, other_account_image, api_calls):
    api_calls.clear()
    result = run(cross_args(fail_on_severity="HIGH"), check_mode=True)
    assert_ok(result, changed=True)
    assert changing(api_calls) == []
    assert any("not evaluated in check mode" in warning for warning in result["warnings"])


def test_cross_registry_gate_awaits_the_scan_on_push(run, ecr, other_account_image, api_calls):
    digest, _manifest = other_account_image
    create_repository(ecr, PROD, scan_on_push=True)
    api_calls.clear()
    # The image put into a repository that scans on push gets that scan; none is started. (moto does not
    # scan on push, so the wait runs out here; on ECR the push's scan ends it.)
    result = run(cross_args(fail_on_severity="HIGH", scan_timeout=0))
    assert result["failed"]
    assert "Timed out" in result["msg"]
    assert "StartImageScan" not in api_calls
    assert api_calls.count("PutImage") == 1
    assert tag_digest(ecr, PROD, "prod") is None
    assert tags_of(ecr, PROD, digest) == []


def test_source_in_a_repository_that_scans_on_push_without_a_scan_gets_one(run, ecr, layer_store, prod, api_calls):
    # an image pushed before scan on push was turned on has no scan and will get none by itself
    create_repository(ecr, DEV, scan_on_push=True)
    digest, _manifest = push_image(ecr, layer_store, DEV, "1.0.0", layers=[b"layer"])
    api_calls.clear()
    result = run(dict(PROMOTE, fail_on_severity="CRITICAL"))
    assert_ok(result, changed=True)
    assert "StartImageScan" in api_calls
    assert tag_digest(ecr, PROD, "prod") == digest
