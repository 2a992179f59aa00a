"""KMS: each operation's resources (Service Authorization Reference, list_awskeymanagementservice).

* ``GetKeyPolicy`` is authorized on the key: ``KeyId`` is a key id or a key ARN (the API refuses
  aliases for this operation).
"""

from __future__ import annotations

from .common import Call


def key(call: Call) -> None:
    key_id = call.param("KeyId") or "*"
    call.check(key_id if key_id.startswith("arn:") else call.arn("key", KeyId=key_id))


TABLE = {
    "GetKeyPolicy": key,
}
