"""The emulator's public registry stand-in (emulator/public_registry.py): the pull half of the OCI distribution API."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request

import pytest

from emulator.public_registry import DEMO_TAG, demo_images

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(endpoint: str, path: str, method: str = "GET"):
    request = urllib.request.Request(f"{endpoint}{path}", method=method, data=b"x" if method == "PUT" else None)
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_the_api_root_answers(emulator_endpoint):
    status, headers, _body = fetch(emulator_endpoint, "/v2/")
    assert status == 200 and headers["Docker-Distribution-API-Version"] == "registry/2.0"


@pytest.mark.parametrize("repository", ["demo/app", "demo/nginx"])
def test_a_demo_image_is_an_index_whose_images_and_blobs_all_resolve_by_digest(emulator_endpoint, repository):
    status, headers, body = fetch(emulator_endpoint, f"/v2/{repository}/manifests/{DEMO_TAG}")
    assert status == 200
    assert headers["Content-Type"] == "application/vnd.oci.image.index.v1+json"
    assert headers["Docker-Content-Digest"] == sha256(body) == demo_images()[repository][DEMO_TAG].digest
    platforms = []
    for entry in json.loads(body)["manifests"]:
        platforms.append(f"{entry['platform']['os']}/{entry['platform']['architecture']}")
        status, _headers, manifest = fetch(emulator_endpoint, f"/v2/{repository}/manifests/{entry['digest']}")
        assert status == 200 and sha256(manifest) == entry["digest"]
        document = json.loads(manifest)
        for blob in [document["config"], *document["layers"]]:
            status, _headers, content = fetch(emulator_endpoint, f"/v2/{repository}/blobs/{blob['digest']}")
            assert status == 200 and sha256(content) == blob["digest"] and len(content) == blob["size"]
    assert platforms == ["linux/amd64", "linux/arm64"]


def test_head_gives_the_digest_without_the_body(emulator_endpoint):
    status, headers, body = fetch(emulator_endpoint, f"/v2/demo/app/manifests/{DEMO_TAG}", method="HEAD")
    assert status == 200 and body == b"" and headers["Docker-Content-Digest"].startswith("sha256:")


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/v2/demo/app/manifests/9.9.9", "MANIFEST_UNKNOWN"),
        ("/v2/demo/app/blobs/sha256:" + "0" * 64, "BLOB_UNKNOWN"),
        ("/v2/nobody/here/manifests/1.0.0", "NAME_UNKNOWN"),
    ],
)
def test_what_it_does_not_hold_is_404_with_the_spec_error_code(emulator_endpoint, path, code):
    status, _headers, body = fetch(emulator_endpoint, path)
    assert status == 404 and json.loads(body)["errors"][0]["code"] == code


def test_nothing_can_be_pushed(emulator_endpoint):
    status, _headers, _body = fetch(emulator_endpoint, f"/v2/demo/app/manifests/{DEMO_TAG}", method="PUT")
    assert status == 405


def test_the_same_build_gives_the_same_digests():
    demo_images.cache_clear()
    first = demo_images()["demo/app"][DEMO_TAG].digest
    demo_images.cache_clear()
    assert demo_images()["demo/app"][DEMO_TAG].digest == first
