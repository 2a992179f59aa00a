"""IAM enforcement (opt-in; enforcement.py decides): installed by ``switch_on()`` only when
SCALEOUT_SANDBOX_IAM_ENFORCE is set, for the life of the process.

moto's switch is settings.INITIAL_NO_AUTH_ACTION_COUNT, compared at every request with a
process-wide counter of requests served unchecked (moto.core.authorization); the sandbox pins it
at 0 before every check, so neither the counter nor POST /moto-api/reset-auth can turn the checks
off. The admin key skips them; everything else goes through moto's IAMRequest (key lookup,
SigV4 signature) and the sandbox's decision."""

from __future__ import annotations

from ...core import registry
from ...core.registry import IAM_ENFORCEMENT, patch
from . import enforcement

AC = "moto.iam.access_control"


def switch_on(engine) -> None:
    """Authenticate and authorise every AWS request from now on."""
    from moto.core import authorization as auth

    registry.apply(engine, IAM_ENFORCEMENT)
    auth.ActionAuthenticatorMixin.request_count = 0


@patch("moto.settings", None, "INITIAL_NO_AUTH_ACTION_COUNT", group=IAM_ENFORCEMENT)
def no_unchecked_requests(_engine, _original):
    return 0


@patch("moto.core.authorization", "ActionAuthenticatorMixin", "_authenticate_and_authorize_action", group=IAM_ENFORCEMENT)
def authenticate_and_authorize_action(_engine, original):
    from moto import settings

    def _authenticate_and_authorize_action(self, iam_request_cls, resource="*"):
        key = enforcement.access_key_id(self.headers.get("Authorization"))
        if key == enforcement.ADMIN_ACCESS_KEY_ID:
            return None
        if key is None:  # moto would fail with a KeyError/IndexError (500)
            raise enforcement.missing_authentication(self.headers, getattr(self, "service_name", None))
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
        return original(self, iam_request_cls, resource)

    return _authenticate_and_authorize_action


@patch(AC, "IAMRequestBase", "check_action_permitted", group=IAM_ENFORCEMENT)
def check_action_permitted(_engine, _original):
    def check_action_permitted(self, resource):
        self._action = enforcement.iam_action(self._action)
        documents = [enforcement.policy_document(p) for p in self._access_key.collect_policies()]
        decision = enforcement.decide(self._action, documents)
        if decision == enforcement.DENY:
            self._sandbox_explicit_deny = True
            self._raise_access_denied()
        permitted = decision == enforcement.ALLOW
        if self._is_assuming_role_operation(resource):  # sts:AssumeRole: the role's trust policy, as moto
            permitted = permitted and self._check_role_trust_relationship(resource)
        if not permitted:
            self._raise_access_denied()

    return check_action_permitted


@patch(AC, "IAMRequest", "_raise_access_denied", group=IAM_ENFORCEMENT)
def raise_access_denied(_engine, _original):
    def _raise_access_denied(self):
        raise enforcement.access_denied(self._service, self._headers, self._access_key.arn, self._action,
                                        explicit=getattr(self, "_sandbox_explicit_deny", False))

    return _raise_access_denied


# moto answers these in XML whatever the protocol; JSON clients (SSM, CloudWatch) could not read the code.

@patch(AC, "IAMRequest", "_raise_invalid_access_key", group=IAM_ENFORCEMENT)
def raise_invalid_access_key(_engine, original):
    def _raise_invalid_access_key(self, reason):
        if enforcement.is_json_protocol(self._headers):
            raise enforcement.invalid_access_key(self._headers)
        return original(self, reason)

    return _raise_invalid_access_key


@patch(AC, "IAMRequest", "_raise_signature_does_not_match", group=IAM_ENFORCEMENT)
def raise_signature_does_not_match(_engine, original):
    def _raise_signature_does_not_match(self):
        if enforcement.is_json_protocol(self._headers):
            raise enforcement.signature_does_not_match(self._headers)
        return original(self)

    return _raise_signature_does_not_match
