# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.static_release: a set of local file trees as one content-addressed release in S3.

A release is every file of the given trees (``{"config": dir, "ui": dir}``), named by a digest of their paths, modes
and bytes: ``<prefix>/<digest>/<tree>/<path>``. It is written completely before anything can use it: every file
first, then ``<prefix>/<digest>/release.json`` (the list of files with their sha256), and a release counts as
published only when that manifest is there and lists exactly what the bucket holds. The same files give the same
digest, so publishing them again changes nothing; an interrupted upload is finished by the next run, never
duplicated. Releases beyond the newest ``keep`` (by the manifest's time) are deleted, except the ones named in
``protect`` (the release the service runs, the one a rollback would go back to).

Something else (DataSync, in the storage role) carries the release from S3 to where it is read; a release is
immutable, so a reader switches from one to another atomically by its digest.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import stat
from typing import Any

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import batches
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import pages

MANIFEST = "release.json"
DIGEST_LENGTH = 16  # hex characters of the sha256 that name a release: a path segment, short enough for access points
_DELETE_BATCH = 1000  # DeleteObjects takes at most 1,000 keys


# --- pure helpers ------------------------------------------------------------------------------------------


def tree_files(trees: dict[str, str]) -> list[dict[str, Any]]:
    """Every regular file under each tree: ``{tree, path, local, mode, size, sha256}``, sorted by tree and path.

    Symbolic links are followed only when they point inside their tree; anything else in a tree is refused, so a
    release never carries what its author did not mean to publish.
    """
    files = []
    for tree, root in sorted(trees.items()):
        root = os.path.realpath(root)
        if not os.path.isdir(root):
            raise InputError(f"trees.{tree}: {root} is not a directory")
        for directory, subdirectories, names in os.walk(root, followlinks=False):
            subdirectories.sort()
            for name in sorted(names):
                local = os.path.join(directory, name)
                real = os.path.realpath(local)
                if os.path.commonpath([real, root]) != root:
                    raise InputError(f"trees.{tree}: {local} points outside the tree, to {real}")
                info = os.stat(real)
                if not stat.S_ISREG(info.st_mode):
                    raise InputError(f"trees.{tree}: {local} is not a regular file")
                with open(real, "rb") as handle:
                    digest = hashlib.sha256(handle.read()).hexdigest()
                files.append(
                    {
                        "tree": tree,
                        "path": os.path.relpath(local, root).replace(os.sep, "/"),
                        "local": real,
                        "mode": f"{stat.S_IMODE(info.st_mode) | 0o444:04o}",  # readable by the reader, whoever it is
                        "size": info.st_size,
                        "sha256": digest,
                    }
                )
    return sorted(files, key=lambda entry: (entry["tree"], entry["path"]))


def content_files(contents: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """Files given as text (``{tree: {path: text}}``, e.g. a rendered configuration), mode 0644, as ``tree_files``
    describes them, with their bytes as ``data``: nothing is written on the controller, so check mode writes nothing."""
    files = []
    for tree, texts in sorted(contents.items()):
        if not isinstance(texts, dict):
            raise InputError(f"contents.{tree} must map file paths to their text")
        for path, text in sorted(texts.items()):
            parts = str(path).split("/")
            if not path or str(path).startswith("/") or any(part in ("", ".", "..") for part in parts):
                raise InputError(f"contents.{tree}: {path!r} must be a relative path without '.' or '..' segments")
            data = str(text).encode()
            files.append(
                {
                    "tree": tree,
                    "path": str(path),
                    "data": data,
                    "mode": "0644",
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
    return files


def release_files(trees: dict[str, str], contents: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """The files of a release: the directories' and the given texts', each tree from one source only."""
    both = sorted(set(trees) & set(contents))
    if both:
        raise InputError(f"{', '.join(both)} must come from trees or from contents, not both")
    return sorted(tree_files(trees) + content_files(contents), key=lambda entry: (entry["tree"], entry["path"]))


def release_digest(files: list[dict[str, Any]]) -> str:
    """The name of a release: a sha256 over each file's tree, path, mode and content digest."""
    hasher = hashlib.sha256()
    for entry in files:
        hasher.update(f"{entry['tree']}/{entry['path']}\0{entry['mode']}\0{entry['sha256']}\n".encode())
    return hasher.hexdigest()[:DIGEST_LENGTH]


def manifest_document(digest: str, files: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "digest": digest,
        "files": [{k: entry[k] for k in ("tree", "path", "mode", "size", "sha256")} for entry in files],
    }


def releases_to_prune(releases: list[dict[str, Any]], keep: int, protect: list[str]) -> list[str]:
    """The digests beyond the newest ``keep`` releases (``{digest, published_at}``), protected ones excepted."""
    newest_first = sorted(releases, key=lambda release: release["published_at"], reverse=True)
    return [release["digest"] for release in newest_first[keep:] if release["digest"] not in protect]


# --- manager -----------------------------------------------------------------------------------------------


class StaticReleaseManager(BaseResourceManager):
    def __init__(self, module, bucket: str, prefix: str) -> None:
        super().__init__(module)
        self.s3 = self.client("s3")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.release: dict[str, Any] = {}
        self.pruned: list[str] = []
        # Check mode before the bucket exists (a first run's --check): nothing is published yet.
        self.bucket_missing = self.check_mode and not self._bucket_exists()

    def _bucket_exists(self) -> bool:
        return call(self.s3.head_bucket, f"read the bucket {self.bucket}", answers={("404", "NoSuchBucket"): False},
                    Bucket=self.bucket) is not False

    def _key(self, digest: str, *parts: str) -> str:
        return "/".join([self.prefix, digest, *parts])

    def _manifest(self, digest: str) -> dict[str, Any] | None:
        response = call(
            self.s3.get_object,
            f"read the manifest of release {digest}",
            answers={"NoSuchKey": None},
            Bucket=self.bucket,
            Key=self._key(digest, MANIFEST),
        )
        if response is None:
            return None
        try:
            return json.loads(response["Body"].read())
        except ValueError:
            return None  # a torn manifest: the release is not complete

    def _objects(self, prefix: str) -> list[dict[str, Any]]:
        found = []
        for page in pages(self.s3.list_objects_v2, f"list s3://{self.bucket}/{prefix}", token="ContinuationToken",
                          Bucket=self.bucket, Prefix=prefix):
            found.extend(page.get("Contents") or [])
        return found

    def releases(self) -> list[dict[str, Any]]:
        """The published releases: ``{digest, published_at}`` for each manifest under the prefix. The time is the
        manifest's own (microseconds): S3's LastModified has whole seconds, too coarse to order quick publishes."""
        found = []
        for obj in self._objects(f"{self.prefix}/"):
            parts = obj["Key"][len(self.prefix) + 1 :].split("/")
            if len(parts) == 2 and parts[1] == MANIFEST:
                published_at = (self._manifest(parts[0]) or {}).get("published_at") or obj["LastModified"].isoformat()
                found.append({"digest": parts[0], "published_at": published_at})
        return found

    def publish(self, files: list[dict[str, Any]]) -> None:
        digest = release_digest(files)
        document = manifest_document(digest, files)
        existing = None if self.bucket_missing else self._manifest(digest)
        self.release = {
            "digest": digest,
            "prefix": self._key(digest),
            "files": len(files),
            "bytes": sum(entry["size"] for entry in files),
        }
        if existing and {k: existing.get(k) for k in document} == document:
            return
        document["published_at"] = datetime.datetime.now(datetime.timezone.utc).isoformat()
        self.changed = True
        self.set_diff(before={"release": None}, after={"release": digest, "files": len(files)})
        if self.check_mode:
            return
        for entry in files:
            body = entry.get("data")
            if body is None:
                with open(entry["local"], "rb") as handle:
                    body = handle.read()
            call(
                self.s3.put_object,
                f"upload {entry['tree']}/{entry['path']} of release {digest}",
                Bucket=self.bucket,
                Key=self._key(digest, entry["tree"], entry["path"]),
                Body=body,
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=base64.b64encode(bytes.fromhex(entry["sha256"])).decode(),
                # DataSync gives the file these POSIX permissions on EFS (its file-permissions metadata).
                Metadata={"file-permissions": entry["mode"]},
                ContentType=_content_type(entry["path"]),
            )
        call(
            self.s3.put_object,
            f"complete release {digest}",
            Bucket=self.bucket,
            Key=self._key(digest, MANIFEST),
            Body=json.dumps(document, indent=1, sort_keys=True).encode(),
            ContentType="application/json",
        )

    def prune(self, keep: int, protect: list[str]) -> None:
        if self.bucket_missing:
            return
        manifests = [obj for obj in self._objects(f"{self.prefix}/") if obj["Key"].endswith(f"/{MANIFEST}")]
        if len(manifests) <= keep:
            return  # nothing to prune: no manifest need be read
        doomed = releases_to_prune(self.releases(), keep, [self.release.get("digest"), *protect])
        if not doomed:
            return
        self.changed = True
        self.pruned = doomed
        if self.check_mode:
            return
        for digest in doomed:
            # The manifest goes first: a half-deleted release is never taken for a published one.
            call(self.s3.delete_object, f"unpublish release {digest}", Bucket=self.bucket, Key=self._key(digest, MANIFEST))
            keys = [obj["Key"] for obj in self._objects(self._key(digest) + "/")]
            for batch in batches(keys, _DELETE_BATCH):
                response = call(
                    self.s3.delete_objects,
                    f"delete release {digest}",
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
                )
                errors = response.get("Errors") or []
                if errors:
                    raise AWSActionError(f"Could not delete every object of release {digest}: {errors[:5]}")


_CONTENT_TYPES = {
    ".conf": "text/plain",
    ".css": "text/css",
    ".html": "text/html",
    ".js": "text/javascript",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
}


def _content_type(path: str) -> str:
    return _CONTENT_TYPES.get(os.path.splitext(path)[1].lower(), "application/octet-stream")
