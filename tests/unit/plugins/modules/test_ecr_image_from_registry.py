"""cloudops.fargate.ecr_image copying from a real OCI registry (docker-registry on 127.0.0.1) into the emulator's ECR.

The images are built by the test (tests/oci_registry.py); every outcome is read back from ECR with boto3: the
manifest's exact bytes and digest, the blobs' availability, the tags, and the ECR calls the run made.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator

import boto3
import pytest

from ansible_collections.cloudops.fargate.plugins.modules import ecr_image
from tests.oci_registry import Image, Registry, build_image, build_index, running_registry
from tests.unit.helpers import assert_ok, running_emulator

REGION = "us-east-1"
MOTO_SCAN_RESULTS = "/moto-api/static/ecr/scan-finding-results"
PUTTING_CALLS = {"ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"}
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_emulator(tmp_path_factory.mktemp("emulator"), timeout=30) as url:
        yield url


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with running_registry(tmp_path_factory.mktemp("registry")) as running:
        yield running


@pytest.fixture
def ecr(endpoint: str):
    return boto3.client(
        "ecr", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


@pytest.fixture
def target(ecr) -> str:
    name = f"unit-{uuid.uuid4().hex[:8]}/nginx"
    ecr.create_repository(repositoryName=name, imageTagMutability="IMMUTABLE")
    return name


@pytest.fixture
def source(registry: Registry) -> str:
    """A fresh repository name in the registry (``<host>/<name>``, no tag)."""
    return f"{registry.host}/upstream/{uuid.uuid4().hex[:8]}"


@pytest.fixture
def run(run_module, endpoint):
    def run_copy(check_mode: bool = False, **args):
        args = {"endpoint_url": endpoint, "region": REGION, "source_registry_insecure": True, **args}
        return run_module(ecr_image, args, check_mode=check_mode)

    return run_copy


def calls(endpoint: str, reset: bool = False) -> dict[str, int]:
    request = urllib.request.Request(f"{endpoint}/_emulator/requests", method="DELETE" if reset else "GET")
    with _OPENER.open(request, timeout=10) as response:
        return json.loads(response.read())["by_action"]


def putting(counted: dict[str, int]) -> dict[str, int]:
    return {action: n for action, n in counted.items() if action in PUTTING_CALLS}


def push(registry: Registry, source: str, tag: str, image: Image) -> str:
    registry.push(source.split("/", 1)[1], tag, image)
    return f"{source}:{tag}"


def stored(ecr, repository: str, tag: str) -> dict:
    image = ecr.batch_get_image(
        repositoryName=repository,
        imageIds=[{"imageTag": tag}],
        acceptedMediaTypes=[
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json",
        ],
    )["images"]
    assert image, f"{repository}:{tag} is not in ECR"
    return image[0]


def available(ecr, repository: str, digests: list[str]) -> set[str]:
    layers = ecr.batch_check_layer_availability(repositoryName=repository, layerDigests=digests)["layers"]
    return {layer["layerDigest"] for layer in layers if layer.get("layerAvailability") == "AVAILABLE"}


def app_image(architecture: str = "amd64") -> Image:
    return build_image({"serve": f"demo app for {architecture} {uuid.uuid4().hex}".encode()}, architecture=architecture)


# --- copies ----------------------------------------------------------------------------------------------------


def test_an_image_is_copied_with_its_digest_and_blobs_then_a_second_run_puts_nothing(run, ecr, endpoint, registry, source, target):
    image = app_image()
    reference = push(registry, source, "1.28", image)

    calls(endpoint, reset=True)
    result = run(source_image=reference, platform="linux/amd64", target_repository=target, target_tag="1.28")

    assert_ok(result, changed=True)
    assert result["image"]["image_digest"] == image.digest
    copied = stored(ecr, target, "1.28")
    assert copied["imageManifest"].encode() == image.manifest
    assert copied["imageId"]["imageDigest"] == image.digest
    assert available(ecr, target, list(image.blobs)) == set(image.blobs)
    assert putting(calls(endpoint))["ecr:PutImage"] == 1  # no gate: put with its tag at once

    calls(endpoint, reset=True)
    again = run(source_image=reference, platform="linux/amd64", target_repository=target, target_tag="1.28")
    assert_ok(again, changed=False)
    assert again["image"]["image_digest"] == image.digest
    assert putting(calls(endpoint)) == {}


def test_the_platform_is_picked_from_an_index_by_its_own_digest(run, ecr, registry, source, target):
    amd64, arm64 = app_image("amd64"), app_image("arm64")
    index = build_index({"linux/amd64": amd64, "linux/arm64": arm64})
    reference = push(registry, source, "1.0.0", index)

    result = run(source_image=reference, platform="linux/arm64", target_repository=target, target_tag="1.0.0")

    assert_ok(result, changed=True)
    copied = stored(ecr, target, "1.0.0")
    assert copied["imageId"]["imageDigest"] == arm64.digest
    assert copied["imageManifest"].encode() == arm64.manifest
    assert available(ecr, target, list(amd64.blobs)) == set()


def test_without_a_platform_the_whole_index_is_copied(run, ecr, registry, source, target):
    amd64, arm64 = app_image("amd64"), app_image("arm64")
    index = build_index({"linux/amd64": amd64, "linux/arm64": arm64})
    reference = push(registry, source, "1.0.0", index)

    result = run(source_image=f"{reference}@{index.digest}", target_repository=target, target_tag="1.0.0")

    assert_ok(result, changed=True)
    copied = stored(ecr, target, "1.0.0")
    assert copied["imageId"]["imageDigest"] == index.digest
    assert copied["imageManifest"].encode() == index.manifest
    children = ecr.describe_images(repositoryName=target, imageIds=[{"imageDigest": amd64.digest}, {"imageDigest": arm64.digest}])
    assert len(children["imageDetails"]) == 2


def test_check_mode_reads_the_source_and_creates_nothing(run, ecr, endpoint, registry, source, target):
    reference = push(registry, source, "2.0", app_image())

    calls(endpoint, reset=True)
    result = run(check_mode=True, source_image=reference, platform="linux/amd64", target_repository=target, target_tag="2.0")

    assert_ok(result, changed=True)
    assert putting(calls(endpoint)) == {}
    assert ecr.describe_images(repositoryName=target)["imageDetails"] == []


# --- refusals --------------------------------------------------------------------------------------------------


def test_a_missing_source_fails_naming_the_reference_and_puts_nothing(run, ecr, endpoint, registry, source, target):
    push(registry, source, "1.0", app_image())

    calls(endpoint, reset=True)
    result = run(source_image=f"{source}:9.9", target_repository=target, target_tag="9.9")

    assert result["failed"]
    assert f"{source}:9.9" in result["msg"] and "not found" in result["msg"]
    assert putting(calls(endpoint)) == {}


def test_an_image_built_for_another_architecture_is_refused(run, ecr, registry, source, target):
    reference = push(registry, source, "1.0", app_image("arm64"))

    result = run(source_image=reference, platform="linux/amd64", target_repository=target, target_tag="1.0")

    assert result["failed"]
    assert "built for linux/arm64, not linux/amd64" in result["msg"]
    assert ecr.describe_images(repositoryName=target)["imageDetails"] == []


def test_an_index_without_the_platform_is_refused_naming_what_it_has(run, ecr, registry, source, target):
    reference = push(registry, source, "1.0", build_index({"linux/arm64": app_image("arm64")}))

    result = run(source_image=reference, platform="linux/amd64", target_repository=target, target_tag="1.0")

    assert result["failed"]
    assert "has no image for linux/amd64; it has linux/arm64" in result["msg"]


def test_a_copied_image_goes_through_the_scan_gate_and_stays_untagged_when_refused(run, ecr, endpoint, registry, source, target):
    image = app_image()
    reference = push(registry, source, "3.0", image)
    findings = {
        "results": [
            {
                "registryId": "123456789012",
                "repositoryName": target,
                "imageId": {"imageDigest": image.digest},
                "imageScanStatus": {"status": "COMPLETE", "description": "The scan was completed successfully."},
                "imageScanFindings": {
                    "findings": [{"name": "CVE-2026-0001", "severity": "CRITICAL", "uri": "https://nvd.nist.gov/"}],
                    "findingSeverityCounts": {"CRITICAL": 1},
                },
            }
        ],
        "region": REGION,
    }
    request = urllib.request.Request(
        f"{endpoint}{MOTO_SCAN_RESULTS}", data=json.dumps(findings).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    _OPENER.open(request, timeout=10).close()

    result = run(source_image=reference, platform="linux/amd64", target_repository=target, target_tag="3.0",
                 fail_on_severity="CRITICAL", scan_timeout=60)

    assert result["failed"]
    assert "CVE-2026-0001" in result["msg"] and "tag 3.0 was not set" in result["msg"]
    details = ecr.describe_images(repositoryName=target)["imageDetails"]
    assert [d["imageDigest"] for d in details] == [image.digest]
    assert not details[0].get("imageTags")


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"source_image": "Not A Reference!"}, "source_image 'Not A Reference!' is not an image reference"),
        ({"platform": "amd64"}, "platform 'amd64' is not os/architecture"),
        ({"source_repository": "demo/app"}, "mutually exclusive"),
    ],
    ids=["bad reference", "bad platform", "two sources"],
)
def test_bad_input_fails_before_any_call(run, endpoint, source, target, override, complaint):
    calls(endpoint, reset=True)
    args = {"source_image": f"{source}:1.0", "platform": "linux/amd64", "target_repository": target, "target_tag": "1.0"}
    result = run(**{**args, **override})
    assert result["failed"]
    assert complaint in result["msg"]
    assert calls(endpoint) == {}


def test_references_are_read_as_docker_reads_them():
    from ansible_collections.cloudops.fargate.plugins.module_utils._oci_source import parse_reference

    assert parse_reference("nginx") == {"registry": "docker.io", "name": "library/nginx", "tag": "latest", "digest": None}
    assert parse_reference("docker.io/traefik/whoami:v1.10") == {
        "registry": "docker.io", "name": "traefik/whoami", "tag": "v1.10", "digest": None,
    }
    assert parse_reference("public.ecr.aws/nginx/nginx-unprivileged:1.28-alpine")["registry"] == "public.ecr.aws"
    assert parse_reference("localhost:5000/a/b@sha256:" + "a" * 64)["digest"] == "sha256:" + "a" * 64
    assert parse_reference("127.0.0.1:5000/a:1")["registry"] == "127.0.0.1:5000"
    assert parse_reference("UPPER/case") is None
