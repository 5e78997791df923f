"""KMS: ScheduleKeyDeletion and CancelKeyDeletion take a key ARN as well as a key id.

AWS (KMS API reference, ``ScheduleKeyDeletion`` and ``CancelKeyDeletion``, ``KeyId``: "Specify the key ID or key ARN of
the KMS key", e.g. ``arn:aws:kms:us-east-2:111122223333:key/1234abcd-...``) accepts either. moto 5.2.5 indexes
``KmsBackend.keys`` by the id as given in both, so a key ARN (what amazon.aws's kms_key sends when it deletes a key it
found by its alias) fails with an internal error (``KeyError``: HTTP 500, which clients retry until they give up), and
so does an id of a key that does not exist, where AWS answers ``NotFoundException``.

The extension resolves the ``KeyId`` the way moto's other key operations do (``KmsBackend.get_key_id``) and answers
``NotFoundException`` for a key that does not exist, before moto's own code runs with the bare key id.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.kms.exceptions import NotFoundException
from moto.kms.models import KmsBackend

from emulator.extensions import _patching
from emulator.extensions._patching import Patch


def _by_id_or_arn(original: Any) -> Any:
    @functools.wraps(original)
    def operation(self: KmsBackend, key_id: str, *args: Any, **kwargs: Any) -> Any:
        resolved = self.get_key_id(key_id)
        if resolved not in self.keys:
            raise NotFoundException(f"Key '{key_id}' does not exist")
        return original(self, resolved, *args, **kwargs)

    return operation


PATCHES = (
    Patch(KmsBackend, "schedule_key_deletion", _by_id_or_arn),
    Patch(KmsBackend, "cancel_key_deletion", _by_id_or_arn),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
