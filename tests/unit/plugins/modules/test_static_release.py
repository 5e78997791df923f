"""cloudops.fargate.static_release against moto in this process; every outcome is read back from S3 with boto3."""

from __future__ import annotations

import datetime
import json
import os

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._static_release import release_digest
from ansible_collections.cloudops.fargate.plugins.module_utils._static_release import releases_to_prune
from ansible_collections.cloudops.fargate.plugins.module_utils._static_release import tree_files
from ansible_collections.cloudops.fargate.plugins.modules import static_release
from tests.unit.helpers import assert_ok

BUCKET = "demo-dev-static"


@pytest.fixture
def s3(aws):
    client = aws("s3")
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture
def trees(tmp_path):
    config, ui = tmp_path / "config", tmp_path / "ui"
    (ui / "css").mkdir(parents=True)
    config.mkdir()
    (config / "default.conf").write_text("server { listen 8080; }\n")
    (ui / "index.html").write_text("<h1>hello</h1>\n")
    (ui / "css" / "site.css").write_text("h1 { color: teal; }\n")
    return {"config": str(config), "ui": str(ui)}


@pytest.fixture
def run(run_module):
    def publish(check_mode=False, **args):
        return run_module(static_release, {"bucket": BUCKET, "region": "us-east-1", **args}, check_mode=check_mode)

    return publish


def keys(s3) -> list[str]:
    return sorted(obj["Key"] for obj in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_a_release_is_every_file_then_its_manifest_and_a_second_run_changes_nothing(run, s3, trees):
    result = run(trees=trees)

    assert_ok(result, changed=True)
    digest = result["release"]["digest"]
    assert result["release"] == {"digest": digest, "prefix": f"releases/{digest}", "files": 3, "bytes": 59}
    assert keys(s3) == [
        f"releases/{digest}/config/default.conf",
        f"releases/{digest}/release.json",
        f"releases/{digest}/ui/css/site.css",
        f"releases/{digest}/ui/index.html",
    ]
    body = s3.get_object(Bucket=BUCKET, Key=f"releases/{digest}/ui/index.html")
    assert body["Body"].read() == b"<h1>hello</h1>\n"
    assert body["Metadata"]["file-permissions"] in ("0644", "0664", "0666", "0444")
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=f"releases/{digest}/release.json")["Body"].read())
    assert [f"{f['tree']}/{f['path']}" for f in manifest["files"]] == ["config/default.conf", "ui/css/site.css", "ui/index.html"]

    again = run(trees=trees)
    assert_ok(again, changed=False)
    assert again["release"]["digest"] == digest


def test_a_changed_file_is_a_new_release_beside_the_old_one(run, s3, trees):
    first = run(trees=trees)["release"]["digest"]
    with open(os.path.join(trees["ui"], "index.html"), "w") as handle:
        handle.write("<h1>hello again</h1>\n")
    second = run(trees=trees)
    assert_ok(second, changed=True)
    assert second["release"]["digest"] != first
    assert {key.split("/")[1] for key in keys(s3)} == {first, second["release"]["digest"]}


def test_an_interrupted_upload_is_finished_by_the_next_run(run, s3, trees):
    digest = release_digest(tree_files(trees))
    s3.put_object(Bucket=BUCKET, Key=f"releases/{digest}/ui/index.html", Body=b"<h1>hello</h1>\n")  # no manifest

    result = run(trees=trees)

    assert_ok(result, changed=True)
    assert f"releases/{digest}/release.json" in keys(s3)
    assert len(keys(s3)) == 4


def test_check_mode_names_the_release_and_uploads_nothing(run, s3, trees):
    result = run(check_mode=True, trees=trees)
    assert_ok(result, changed=True)
    assert result["release"]["digest"] == release_digest(tree_files(trees))
    assert keys(s3) == []


def test_check_mode_before_the_bucket_exists_predicts_the_release(run, s3, trees):
    """A first run's --check: the bucket is a change the same run predicts, so nothing is published in it yet."""
    result = run(check_mode=True, bucket="not-created-yet", trees=trees, keep=2)
    assert_ok(result, changed=True)
    assert result["release"]["digest"] == release_digest(tree_files(trees))
    assert result["pruned"] == []
    assert "not-created-yet" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_keep_deletes_the_oldest_releases_but_never_a_protected_one(run, s3, trees):
    digests = []
    for n in range(4):
        with open(os.path.join(trees["ui"], "index.html"), "w") as handle:
            handle.write(f"<h1>version {n}</h1>\n")
        digests.append(run(trees=trees)["release"]["digest"])

    result = run(trees=trees, keep=2, protect=[digests[0]])

    assert_ok(result, changed=True)
    assert result["pruned"] == [digests[1]]
    assert {key.split("/")[1] for key in keys(s3)} == {digests[0], digests[2], digests[3]}
    assert_ok(run(trees=trees, keep=2, protect=[digests[0]]), changed=False)


def test_a_file_linking_outside_its_tree_is_refused_before_any_upload(run, s3, trees, tmp_path):
    (tmp_path / "secret").write_text("not for the web")
    os.symlink(tmp_path / "secret", os.path.join(trees["ui"], "leak.txt"))
    result = run(trees=trees)
    assert result["failed"] and "points outside the tree" in result["msg"]
    assert keys(s3) == []


@pytest.mark.parametrize(
    ("args", "complaint"),
    [({"keep": -1}, "keep must be 0"), ({"trees": {}}, "trees or contents must name"), ({"prefix": "/"}, "prefix must not be empty")],
)
def test_bad_input_fails_before_any_call(run, s3, trees, args, complaint):
    result = run(**{"trees": trees, **args})
    assert result["failed"] and complaint in result["msg"]
    assert keys(s3) == []


def test_the_digest_depends_on_paths_modes_and_bytes_only(trees):
    files = tree_files(trees)
    assert release_digest(files) == release_digest(tree_files(trees))
    renamed = [dict(f, path="renamed.html") if f["path"] == "index.html" else f for f in files]
    assert release_digest(renamed) != release_digest(files)
    assert len(release_digest(files)) == 16


def test_pruning_keeps_the_newest():
    t = datetime.datetime(2026, 12, 6)
    releases = [{"digest": d, "published_at": t + datetime.timedelta(minutes=i)} for i, d in enumerate("abcd")]
    assert releases_to_prune(releases, 2, []) == ["b", "a"]
    assert releases_to_prune(releases, 2, ["a"]) == ["b"]
    assert releases_to_prune(releases, 5, []) == []


def test_contents_are_files_of_the_release_as_text(run, s3, trees):
    """A configuration rendered by the play is published as it is, with no file written on the controller."""
    config = "server { listen 8080; }\n"
    result = run(trees={"ui": trees["ui"]}, contents={"config": {"default.conf": config}})
    assert_ok(result, changed=True)
    digest = result["release"]["digest"]
    body = s3.get_object(Bucket=BUCKET, Key=f"releases/{digest}/config/default.conf")
    assert body["Body"].read().decode() == config
    assert body["Metadata"]["file-permissions"] == "0644"
    again = run(trees={"ui": trees["ui"]}, contents={"config": {"default.conf": config}})
    assert_ok(again, changed=False)
    assert again["release"]["digest"] == digest
    changed = run(trees={"ui": trees["ui"]}, contents={"config": {"default.conf": config + "# more\n"}})
    assert changed["release"]["digest"] != digest


@pytest.mark.parametrize(
    ("contents", "complaint"),
    [
        ({"config": {"../escape.conf": "x"}}, "contents.config"),
        ({"config": {"/etc/x.conf": "x"}}, "contents.config"),
        ({"ui": {"a.txt": "x"}}, "ui must come from trees or from contents"),
        ({"config": "not a dict"}, "contents.config"),
    ],
)
def test_bad_contents_fail_before_any_upload(run, s3, trees, contents, complaint):
    result = run(trees={"ui": trees["ui"]}, contents=contents)
    assert result["failed"] and complaint in result["msg"]
    assert keys(s3) == []
