"""ECR layer bytes, GetDownloadUrlForLayer and content-addressed PutImage (emulator/extensions/ecr_layers.py)."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.extensions import ecr_layers

OTHER_REGISTRY = "222222222222"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

# Bypass HTTP(S)_PROXY: the emulator is local.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# --- helpers -----------------------------------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def unique_name(kind: str) -> str:
    return f"layers-{uuid.uuid4().hex[:8]}/{kind}"  # the emulator is shared by the session


def registry(registry_id: str | None) -> dict[str, str]:
    return {"registryId": registry_id} if registry_id else {}


def upload_layer(
    ecr: Any, repository: str, blob: bytes, part_size: int | None = None, registry_id: str | None = None
) -> str:
    """Upload ``blob`` in parts of ``part_size`` bytes (one part by default); return the digest ECR answers."""
    where = dict(repositoryName=repository, **registry(registry_id))
    upload_id = ecr.initiate_layer_upload(**where)["uploadId"]
    part_size = part_size or len(blob)
    for first in range(0, len(blob), part_size):
        part = blob[first : first + part_size]
        response = ecr.upload_layer_part(
            uploadId=upload_id, partFirstByte=first, partLastByte=first + len(part) - 1, layerPartBlob=part, **where
        )
        assert response["lastByteReceived"] == first + len(part) - 1
    return ecr.complete_layer_upload(uploadId=upload_id, layerDigests=[sha256(blob)], **where)["layerDigest"]


def image_manifest(
    config: bytes, layers: list[bytes], media_type: str = DOCKER_MANIFEST, extra_layers: list[dict] | None = None
) -> str:
    """A manifest for ``config`` and ``layers``, indented as docker writes it (so not json.dumps' default)."""
    docker = media_type == DOCKER_MANIFEST
    document = {
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": {"mediaType": DOCKER_CONFIG if docker else OCI_CONFIG, "size": len(config), "digest": sha256(config)},
        "layers": [
            {"mediaType": DOCKER_LAYER if docker else OCI_LAYER, "size": len(layer), "digest": sha256(layer)}
            for layer in layers
        ]
        + (extra_layers or []),
    }
    return json.dumps(document, indent=3)


def push(
    ecr: Any, repository: str, config: bytes, layers: list[bytes], tag: str | None = None, **kwargs: Any
) -> tuple[str, str]:
    """Upload config and layers, put their manifest (with its digest); return (digest, manifest)."""
    registry_id = kwargs.pop("registry_id", None)
    for blob in [config, *layers]:
        upload_layer(ecr, repository, blob, registry_id=registry_id)
    manifest = image_manifest(config, layers, **kwargs)
    request = dict(repositoryName=repository, imageManifest=manifest, imageDigest=sha256(manifest.encode()))
    if tag:
        request["imageTag"] = tag
    response = ecr.put_image(**request, **registry(registry_id))
    return response["image"]["imageId"]["imageDigest"], manifest


def download(url: str) -> bytes:
    with OPENER.open(url, timeout=10) as response:
        assert response.status == 200
        return response.read()


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return excinfo.value.response["Error"]["Code"]


def image_digests(ecr: Any, repository: str) -> set[str]:
    return {image["imageDigest"] for image in ecr.list_images(repositoryName=repository)["imageIds"]}


# --- fixtures ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ecr(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ecr")


@pytest.fixture
def repository(ecr: Any) -> str:
    name = unique_name("app")
    ecr.create_repository(repositoryName=name)
    return name


# --- pure helpers ------------------------------------------------------------------------------------------


def test_download_url_round_trip() -> None:
    digest = sha256(b"x")
    url = ecr_layers.download_url("http://127.0.0.1:4566", "123456789012", "eu-west-1", OTHER_REGISTRY, "a/b/c", digest)
    assert (
        url
        == f"http://127.0.0.1:4566/moto-api/emulator/ecr-layers/123456789012/eu-west-1/{OTHER_REGISTRY}/{digest}/a/b/c"
    )
    path = url.split("4566", 1)[1]
    assert ecr_layers.parse_download_path(path) == ("123456789012", "eu-west-1", OTHER_REGISTRY, digest, "a/b/c")
    for bad in (
        "/moto-api/emulator/ecr-layers/",
        f"/moto-api/emulator/ecr-layers/123456789012/eu-west-1/{OTHER_REGISTRY}/{digest}",
        f"/moto-api/emulator/ecr-layers/1234/eu-west-1/{OTHER_REGISTRY}/{digest}/app",
        f"/moto-api/emulator/ecr-layers/123456789012/eu-west-1/{OTHER_REGISTRY}/sha256:abc/app",
        f"/moto-api/other/123456789012/eu-west-1/{OTHER_REGISTRY}/{digest}/app",
    ):
        assert ecr_layers.parse_download_path(bad) is None, bad


def test_base_url_is_the_emulator_or_motos_in_process_host() -> None:
    assert ecr_layers.base_url("http://127.0.0.1:5000/") == "http://127.0.0.1:5000"
    assert ecr_layers.base_url("http://localhost:5000/") == "http://localhost:5000"
    assert ecr_layers.base_url("https://api.ecr.us-east-1.amazonaws.com/") == "http://motoapi.amazonaws.com"


def test_required_blobs_skips_foreign_layers_and_repeats() -> None:
    document = json.loads(
        image_manifest(
            b"config", [b"a", b"a", b"b"], extra_layers=[{"mediaType": FOREIGN_LAYER, "digest": sha256(b"windows")}]
        )
    )
    assert ecr_layers.required_blobs(document) == [sha256(b"config"), sha256(b"a"), sha256(b"b")]


# --- layer bytes and GetDownloadUrlForLayer (through the emulator) -----------------------------------------


def test_layer_uploaded_in_parts_downloads_back_by_url(ecr: Any, repository: str, emulator_endpoint: str) -> None:
    layer = bytes(range(256)) * 100  # 25,600 bytes in parts of 7,000: three full parts and a short one
    config = b'{"architecture": "amd64", "os": "linux"}'
    layer_digest = upload_layer(ecr, repository, layer, part_size=7000)
    config_digest = upload_layer(ecr, repository, config)
    assert layer_digest == sha256(layer)
    manifest = image_manifest(config, [layer])
    ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag="1.0.0")

    response = ecr.get_download_url_for_layer(repositoryName=repository, layerDigest=layer_digest)
    assert response["layerDigest"] == layer_digest
    url = response["downloadUrl"]
    assert url.startswith(f"{emulator_endpoint}/moto-api/emulator/ecr-layers/")
    assert download(url) == layer
    config_url = ecr.get_download_url_for_layer(repositoryName=repository, layerDigest=config_digest)["downloadUrl"]
    assert download(config_url) == config


def test_layer_in_another_registry_downloads(ecr: Any) -> None:
    name = unique_name("shared")
    ecr.create_repository(repositoryName=name, registryId=OTHER_REGISTRY)
    _digest, _manifest = push(ecr, name, b"shared config", [b"shared layer"], tag="1", registry_id=OTHER_REGISTRY)
    url = ecr.get_download_url_for_layer(
        repositoryName=name, registryId=OTHER_REGISTRY, layerDigest=sha256(b"shared layer")
    )["downloadUrl"]
    assert f"/{OTHER_REGISTRY}/" in url
    assert download(url) == b"shared layer"


def test_download_url_only_for_a_layer_an_image_refers_to(ecr: Any, repository: str) -> None:
    push(ecr, repository, b"config", [b"referenced"], tag="1")
    unreferenced = upload_layer(ecr, repository, b"uploaded, in no image")
    other = unique_name("other")
    ecr.create_repository(repositoryName=other)
    push(ecr, other, b"config", [b"only in the other repository"], tag="1")

    with pytest.raises(ClientError) as excinfo:
        ecr.get_download_url_for_layer(repositoryName=repository, layerDigest=unreferenced)
    assert error_code(excinfo) == "LayerInaccessibleException"
    for digest in (sha256(b"never uploaded"), sha256(b"only in the other repository")):
        with pytest.raises(ClientError) as excinfo:
            ecr.get_download_url_for_layer(repositoryName=repository, layerDigest=digest)
        assert error_code(excinfo) == "LayersNotFoundException"
        assert digest in str(excinfo.value)
    with pytest.raises(ClientError) as excinfo:
        ecr.get_download_url_for_layer(repositoryName=repository, layerDigest="sha256:not-a-digest")
    assert error_code(excinfo) == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        ecr.get_download_url_for_layer(repositoryName=unique_name("missing"), layerDigest=sha256(b"referenced"))
    assert error_code(excinfo) == "RepositoryNotFoundException"


def test_paths_that_were_not_handed_out_are_404(emulator_endpoint: str, ecr: Any, repository: str) -> None:
    push(ecr, repository, b"config", [b"layer"], tag="1")
    url = ecr.get_download_url_for_layer(repositoryName=repository, layerDigest=sha256(b"layer"))["downloadUrl"]
    assert download(url) == b"layer"
    for bad in (
        url.replace(sha256(b"layer"), sha256(b"other")),  # a layer the repository does not hold
        url.replace(repository, repository + "-gone"),  # a repository that does not exist
        url.replace("/us-east-1/", "/eu-west-1/"),  # another region's backend
        f"{emulator_endpoint}/moto-api/emulator/ecr-layers/garbage",
    ):
        with pytest.raises(urllib.error.HTTPError) as excinfo:
            download(bad)
        assert excinfo.value.code == 404, bad


def test_complete_with_wrong_digest_is_refused(ecr: Any, repository: str) -> None:
    upload_id = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    ecr.upload_layer_part(
        repositoryName=repository, uploadId=upload_id, partFirstByte=0, partLastByte=4, layerPartBlob=b"bytes"
    )
    with pytest.raises(ClientError) as excinfo:
        ecr.complete_layer_upload(repositoryName=repository, uploadId=upload_id, layerDigests=[sha256(b"other")])
    assert error_code(excinfo) == "InvalidLayerException"
    assert sha256(b"bytes") in str(excinfo.value) and sha256(b"other") in str(excinfo.value)
    response = ecr.batch_check_layer_availability(repositoryName=repository, layerDigests=[sha256(b"bytes")])
    assert [failure["failureCode"] for failure in response["failures"]] == ["MissingLayerDigest"]

    # the upload is still open: completed with the right digest, the layer is there
    completed = ecr.complete_layer_upload(
        repositoryName=repository, uploadId=upload_id, layerDigests=[sha256(b"bytes")]
    )
    assert completed["layerDigest"] == sha256(b"bytes")
    response = ecr.batch_check_layer_availability(repositoryName=repository, layerDigests=[sha256(b"bytes")])
    assert [layer["layerSize"] for layer in response["layers"]] == [5]


# --- PutImage (through the emulator) -----------------------------------------------------------------------


def test_put_image_digest_is_sha256_of_the_manifest_bytes(ecr: Any, repository: str) -> None:
    for blob in (b"config", b"layer"):
        upload_layer(ecr, repository, blob)
    manifest = image_manifest(b"config", [b"layer"])  # indent=3: another digest than compact JSON would have
    response = ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag="no-digest-given")
    digest = sha256(manifest.encode())
    assert response["image"]["imageId"]["imageDigest"] == digest
    assert image_digests(ecr, repository) == {digest}
    stored = ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageTag": "no-digest-given"}])["images"][0]
    assert stored["imageId"]["imageDigest"] == digest
    assert stored["imageManifest"] == manifest

    # the same layers in compact JSON: another manifest, another image
    compact = json.dumps(json.loads(manifest))
    response = ecr.put_image(repositoryName=repository, imageManifest=compact, imageTag="compact")
    assert response["image"]["imageId"]["imageDigest"] == sha256(compact.encode())
    assert image_digests(ecr, repository) == {digest, sha256(compact.encode())}


def test_put_image_with_the_matching_digest_is_accepted(ecr: Any, repository: str) -> None:
    digest, manifest = push(ecr, repository, b"config", [b"layer"], tag="1.0.0")
    assert digest == sha256(manifest.encode())
    described = ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": "1.0.0"}])["imageDetails"]
    assert described[0]["imageDigest"] == digest


def test_put_image_with_another_digest_is_refused(ecr: Any, repository: str) -> None:
    for blob in (b"config", b"layer"):
        upload_layer(ecr, repository, blob)
    manifest = image_manifest(b"config", [b"layer"])
    wrong = sha256(json.dumps(json.loads(manifest)).encode())  # the digest of the same document, re-serialised
    with pytest.raises(ClientError) as excinfo:
        ecr.put_image(repositoryName=repository, imageManifest=manifest, imageDigest=wrong, imageTag="1")
    assert error_code(excinfo) == "ImageDigestDoesNotMatchException"
    assert image_digests(ecr, repository) == set()


@pytest.mark.parametrize("missing", ["config", "layer"])
@pytest.mark.parametrize("media_type", [DOCKER_MANIFEST, OCI_MANIFEST])
def test_put_image_with_a_missing_blob_is_refused(ecr: Any, repository: str, missing: str, media_type: str) -> None:
    blobs = {"config": b"config " + missing.encode(), "layer": b"layer " + missing.encode()}
    upload_layer(ecr, repository, b"present layer")
    for kind, blob in blobs.items():
        if kind != missing:
            upload_layer(ecr, repository, blob)
    manifest = image_manifest(blobs["config"], [b"present layer", blobs["layer"]], media_type=media_type)
    with pytest.raises(ClientError) as excinfo:
        ecr.put_image(
            repositoryName=repository,
            imageManifest=manifest,
            imageManifestMediaType=media_type,
            imageDigest=sha256(manifest.encode()),
            imageTag="1",
        )
    assert error_code(excinfo) == "LayersNotFoundException"
    assert sha256(blobs[missing]) in str(excinfo.value)
    assert sha256(b"present layer") not in str(excinfo.value)
    assert image_digests(ecr, repository) == set()


def test_oci_manifest_without_media_type_field_is_checked_by_the_parameter(ecr: Any, repository: str) -> None:
    document = json.loads(image_manifest(b"config", [b"layer"], media_type=OCI_MANIFEST))
    del document["mediaType"]  # optional in OCI manifests: the parameter says what it is
    manifest = json.dumps(document)
    with pytest.raises(ClientError) as excinfo:
        ecr.put_image(repositoryName=repository, imageManifest=manifest, imageManifestMediaType=OCI_MANIFEST)
    assert error_code(excinfo) == "LayersNotFoundException"
    for blob in (b"config", b"layer"):
        upload_layer(ecr, repository, blob)
    response = ecr.put_image(repositoryName=repository, imageManifest=manifest, imageManifestMediaType=OCI_MANIFEST)
    assert response["image"]["imageId"]["imageDigest"] == sha256(manifest.encode())


def test_layers_belong_to_their_repository(ecr: Any, repository: str) -> None:
    _digest, manifest = push(ecr, repository, b"config", [b"layer"], tag="1")
    other = unique_name("other")
    ecr.create_repository(repositoryName=other)
    with pytest.raises(ClientError) as excinfo:
        ecr.put_image(repositoryName=other, imageManifest=manifest, imageTag="1")
    assert error_code(excinfo) == "LayersNotFoundException"
    assert image_digests(ecr, other) == set()


def test_foreign_layers_need_not_be_uploaded(ecr: Any, repository: str) -> None:
    for blob in (b"config", b"layer"):
        upload_layer(ecr, repository, blob)
    foreign = {"mediaType": FOREIGN_LAYER, "size": 7, "digest": sha256(b"windows"), "urls": ["https://example.test"]}
    manifest = image_manifest(b"config", [b"layer"], extra_layers=[foreign])
    response = ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag="windows")
    assert response["image"]["imageId"]["imageDigest"] == sha256(manifest.encode())


def test_manifest_list_is_not_checked_but_gets_the_sha256_digest(ecr: Any, repository: str) -> None:
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [{"mediaType": OCI_MANIFEST, "digest": sha256(b"no such image"), "size": 100}],
        }
    )
    response = ecr.put_image(repositoryName=repository, imageManifest=index, imageTag="multi")
    assert response["image"]["imageId"]["imageDigest"] == sha256(index.encode())
    with pytest.raises(ClientError) as excinfo:
        ecr.put_image(repositoryName=repository, imageManifest=index, imageTag="other", imageDigest=sha256(b"x"))
    assert error_code(excinfo) == "ImageDigestDoesNotMatchException"


# --- the rest of moto's ECR behaves as before ---------------------------------------------------------------


def test_other_layer_and_image_calls_are_unchanged(ecr: Any, repository: str) -> None:
    digest, manifest = push(ecr, repository, b"config", [b"layer"], tag="1.0.0")

    response = ecr.batch_check_layer_availability(
        repositoryName=repository, layerDigests=[sha256(b"layer"), sha256(b"absent"), "sha256:bad"]
    )
    assert [(layer["layerDigest"], layer["layerAvailability"], layer["layerSize"]) for layer in response["layers"]] == [
        (sha256(b"layer"), "AVAILABLE", 5)
    ]
    assert [failure["failureCode"] for failure in response["failures"]] == ["MissingLayerDigest", "InvalidLayerDigest"]

    upload_id = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    with pytest.raises(ClientError) as excinfo:  # parts must arrive in order
        ecr.upload_layer_part(
            repositoryName=repository, uploadId=upload_id, partFirstByte=5, partLastByte=9, layerPartBlob=b"later"
        )
    assert error_code(excinfo) == "InvalidLayerPartException"
    with pytest.raises(ClientError) as excinfo:
        ecr.complete_layer_upload(repositoryName=repository, uploadId="no-such-upload", layerDigests=[sha256(b"x")])
    assert error_code(excinfo) == "UploadNotFoundException"

    # the same manifest under the same tag again; under another tag: one image, two tags
    with pytest.raises(ClientError) as excinfo:
        ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag="1.0.0")
    assert error_code(excinfo) == "ImageAlreadyExistsException"
    response = ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag="stable", imageDigest=digest)
    assert response["image"]["imageId"]["imageDigest"] == digest
    details = ecr.describe_images(repositoryName=repository)["imageDetails"]
    assert [(d["imageDigest"], sorted(d["imageTags"])) for d in details] == [(digest, ["1.0.0", "stable"])]

    deleted = ecr.batch_delete_image(repositoryName=repository, imageIds=[{"imageDigest": digest}])
    assert [image["imageDigest"] for image in deleted["imageIds"]] == [digest, digest]
    assert image_digests(ecr, repository) == set()
    # the layers stay (ECR collects unreferenced layers later), so the image can be put back
    ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag="1.0.0", imageDigest=digest)
    assert image_digests(ecr, repository) == {digest}


# --- plain moto has the gaps, install() closes them ---------------------------------------------------------


def test_moto_alone_lacks_the_layer_api_and_install_fixes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if an assertion before install() fails, moto closed that gap."""
    import requests
    from moto import mock_aws
    from moto.ecr.models import ECRBackend
    from moto.ecr.responses import ECRResponse
    from moto.moto_api._internal import urls as moto_api_urls

    originals = {}
    for owner, name in (
        (ECRBackend, "complete_layer_upload"),
        (ECRBackend, "put_image"),
        (ECRResponse, "get_download_url_for_layer"),
    ):
        current = getattr(owner, name)
        originals[name] = getattr(current, "__wrapped__", current)
        monkeypatch.setattr(owner, name, originals[name])
    # A copy without our route; monkeypatch puts the table in place before the test back afterwards.
    without_route = {
        path: handler for path, handler in moto_api_urls.url_paths.items() if path != ecr_layers.DOWNLOAD_ROUTE
    }
    monkeypatch.setattr(moto_api_urls, "url_paths", without_route)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    with mock_aws():
        ecr = boto3.client("ecr", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        ecr.create_repository(repositoryName="gap/app")
        assert not ecr_layers.is_installed()

        # GetDownloadUrlForLayer is not implemented
        with pytest.raises(NotImplementedError):
            ecr.get_download_url_for_layer(repositoryName="gap/app", layerDigest=sha256(b"layer"))
        # CompleteLayerUpload ignores the digest it is given
        upload_id = ecr.initiate_layer_upload(repositoryName="gap/app")["uploadId"]
        ecr.upload_layer_part(
            repositoryName="gap/app", uploadId=upload_id, partFirstByte=0, partLastByte=4, layerPartBlob=b"bytes"
        )
        completed = ecr.complete_layer_upload(
            repositoryName="gap/app", uploadId=upload_id, layerDigests=[sha256(b"other")]
        )
        assert completed["layerDigest"] == sha256(b"bytes")
        # PutImage takes a manifest whose blobs were never uploaded, and invents its digest
        old_manifest = image_manifest(b"old config", [b"old layer"])
        response = ecr.put_image(repositoryName="gap/app", imageManifest=old_manifest, imageTag="old")
        assert response["image"]["imageId"]["imageDigest"] != sha256(old_manifest.encode())
        # ... and stores a digest that is not the manifest's
        wrong_digest = sha256(b"not the manifest")
        response = ecr.put_image(
            repositoryName="gap/app",
            imageManifest=image_manifest(b"old config", [b"old layer", b"another"]),
            imageDigest=wrong_digest,
        )
        assert response["image"]["imageId"]["imageDigest"] == wrong_digest

        ecr_layers.install()
        ecr_layers.install()

        assert ecr_layers.is_installed()
        assert ECRBackend.put_image.__wrapped__ is originals["put_image"], "install() must not wrap twice"
        assert ECRBackend.complete_layer_upload.__wrapped__ is originals["complete_layer_upload"]
        assert ECRResponse.get_download_url_for_layer.__wrapped__ is originals["get_download_url_for_layer"]
        assert list(moto_api_urls.url_paths).count(ecr_layers.DOWNLOAD_ROUTE) == 1

        upload_id = ecr.initiate_layer_upload(repositoryName="gap/app")["uploadId"]
        ecr.upload_layer_part(
            repositoryName="gap/app", uploadId=upload_id, partFirstByte=0, partLastByte=4, layerPartBlob=b"fresh"
        )
        with pytest.raises(ClientError) as excinfo:
            ecr.complete_layer_upload(repositoryName="gap/app", uploadId=upload_id, layerDigests=[sha256(b"other")])
        assert error_code(excinfo) == "InvalidLayerException"
        ecr.complete_layer_upload(repositoryName="gap/app", uploadId=upload_id, layerDigests=[sha256(b"fresh")])
        upload_layer(ecr, "gap/app", b"new config")

        with pytest.raises(ClientError) as excinfo:
            ecr.put_image(repositoryName="gap/app", imageManifest=image_manifest(b"new config", [b"absent"]))
        assert error_code(excinfo) == "LayersNotFoundException"
        manifest = image_manifest(b"new config", [b"fresh"])
        with pytest.raises(ClientError) as excinfo:
            ecr.put_image(repositoryName="gap/app", imageManifest=manifest, imageDigest=wrong_digest)
        assert error_code(excinfo) == "ImageDigestDoesNotMatchException"
        response = ecr.put_image(repositoryName="gap/app", imageManifest=manifest, imageTag="new")
        assert response["image"]["imageId"]["imageDigest"] == sha256(manifest.encode())

        # blobs an image already in the repository refers to count, even without an upload
        reuse = image_manifest(b"old config", [b"old layer", b"fresh"])
        response = ecr.put_image(repositoryName="gap/app", imageManifest=reuse, imageTag="reuse")
        assert response["image"]["imageId"]["imageDigest"] == sha256(reuse.encode())

        url = ecr.get_download_url_for_layer(repositoryName="gap/app", layerDigest=sha256(b"fresh"))["downloadUrl"]
        assert url.startswith("http://motoapi.amazonaws.com/moto-api/emulator/ecr-layers/")
        assert requests.get(url, timeout=5).content == b"fresh"  # moto serves it in-process
        # referenced, but put before install(): no bytes were kept
        with pytest.raises(ClientError) as excinfo:
            ecr.get_download_url_for_layer(repositoryName="gap/app", layerDigest=sha256(b"old layer"))
        assert error_code(excinfo) == "LayersNotFoundException"
