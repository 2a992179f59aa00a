"""``sts:DecodeAuthorizationMessage`` (moto lacks it; with enforcement only): the JSON of an EC2
"Encoded authorization failure message" the sandbox wrote (enforcement.encoded_authorization_message).
The call itself is authorized like any other (``sts:DecodeAuthorizationMessage`` on ``*``). A
message the sandbox did not write: ``InvalidAuthorizationMessageException``, as AWS answers."""

from __future__ import annotations

from ...core.registry import IAM_ENFORCEMENT, patch
from . import enforcement


@patch("moto.sts.responses", "TokenResponse", "decode_authorization_message", adds=True, group=IAM_ENFORCEMENT)
def decode_authorization_message(_engine, _original):
    from moto.core.responses import ActionResult
    from moto.sts.exceptions import STSClientError

    def decode_authorization_message(self):
        decoded = enforcement.decode_authorization_message(self._get_param("EncodedMessage") or "")
        if decoded is None:
            raise STSClientError("InvalidAuthorizationMessageException", "The encoded message is not valid.")
        return ActionResult({"DecodedMessage": decoded})

    return decode_authorization_message
