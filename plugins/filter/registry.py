# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the registry role: its default lifecycle policy, and checking every repository's
settings with the module's own validators before the first one is created."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import EcrInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import wanted_settings


def ecr_lifecycle_policy(untagged_expiry_days, keep_image_count):
    """Expire untagged images after N days; beyond that, keep only the newest M images."""
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"Expire untagged images {untagged_expiry_days} days after push",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": int(untagged_expiry_days),
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": f"Keep the newest {keep_image_count} images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": int(keep_image_count),
                },
                "action": {"type": "expire"},
            },
        ]
    }


_OVERRIDABLE = (
    "image_tag_mutability",
    "scan_on_push",
    "encryption_type",
    "kms_key",
    "untagged_expiry_days",
    "keep_image_count",
    "repository_policy",
    "lifecycle_policy",
)


def ecr_repository_settings(repositories, defaults, prefix, tags):
    """The ecr_repository arguments of each entry of ``registry_repositories``.

    Each entry names a repository (``<prefix>/<name>`` in ECR) and may override any of the role's
    defaults; without a ``lifecycle_policy`` of its own it gets the one built from the expiry settings, and an
    entry's ``lifecycle_policy: {}`` leaves the repository without one.
    """
    result = []
    for entry in repositories or []:
        unknown = sorted(set(entry) - set(_OVERRIDABLE) - {"name"})
        if unknown:
            raise AnsibleFilterError(
                f"registry_repositories entry {entry.get('name')!r}: unknown key(s) {', '.join(unknown)};"
                f" allowed: name, {', '.join(_OVERRIDABLE)}"
            )
        merged = dict(defaults)
        merged.update({key: entry[key] for key in _OVERRIDABLE if entry.get(key) is not None})
        if entry.get("lifecycle_policy") is not None:  # the entry's own, {} included: no lifecycle policy
            lifecycle = entry["lifecycle_policy"]
        else:
            lifecycle = merged.get("lifecycle_policy") or ecr_lifecycle_policy(
                merged["untagged_expiry_days"], merged["keep_image_count"]
            )
        result.append(
            {
                "short_name": entry.get("name"),
                "name": f"{prefix}/{entry.get('name')}",
                "image_tag_mutability": merged["image_tag_mutability"],
                "scan_on_push": merged["scan_on_push"],
                "encryption_type": merged["encryption_type"],
                "kms_key": merged.get("kms_key") or None,
                "lifecycle_policy": lifecycle,
                "repository_policy": merged.get("repository_policy") or {},
                "tags": dict(tags),
            }
        )
    return result


def ecr_repository_errors(settings, variable="registry_repositories"):
    """Why ``settings`` (the ecr_repository arguments of one repository) would be refused; [] when fine."""
    arguments = {key: value for key, value in dict(settings).items() if key != "short_name"}
    try:
        wanted_settings(arguments)
    except EcrInputError as e:
        return [f"{variable}: {message}" for message in str(e).split("; ")]
    return []


class FilterModule:
    def filters(self):
        return {
            "ecr_lifecycle_policy": ecr_lifecycle_policy,
            "ecr_repository_errors": ecr_repository_errors,
            "ecr_repository_settings": ecr_repository_settings,
        }
