"""IAM enforcement (opt-in; enforcement.py answers, evaluator.py decides): installed by
``switch_on()`` only when SCALEOUT_SANDBOX_IAM_ENFORCE is set, for the life of the process.

moto's switch is settings.INITIAL_NO_AUTH_ACTION_COUNT, compared at every request with a
process-wide counter of requests served unchecked (moto.core.authorization); the sandbox pins it
at 0 before every check, so neither the counter nor POST /moto-api/reset-auth can turn the checks
off. The admin key skips them; everything else goes through moto's IAMRequest (key lookup,
SigV4 signature) and the sandbox's decision: the request's parameters (kept from moto's response
object while it authorizes) -> the checks of request_context/ -> evaluator.authorize()."""

from __future__ import annotations

import threading

from ...core import registry
from ...core.registry import IAM_ENFORCEMENT, patch
from . import enforcement, evaluator
from .request_context import checks_for
from .request_context.moto_state import MotoState

AC = "moto.iam.access_control"

_request = threading.local()  # the parameters of the request being authorized, by this thread


def switch_on(engine) -> None:
    """Authenticate and authorise every AWS request from now on."""
    from moto.core import authorization as auth

    registry.apply(engine, IAM_ENFORCEMENT)
    auth.ActionAuthenticatorMixin.request_count = 0


def request_parameters(response) -> dict:
    """The request's parameters in the API's shape (``TagSpecifications: [{"ResourceType", "Tags"}]``),
    parsed by moto's own parser from the botocore model, whatever the protocol: the ``params`` moto
    has already parsed for the services that parse automatically (EC2, CloudWatch), else a parse
    made for the purpose (moto's BaseResponse.parse_parameters, its ``params`` put back after)."""
    if getattr(response, "automated_parameter_parsing", False):
        return dict(response.params or {})
    missing = object()
    saved = vars(response).get("params", missing)
    try:
        type(response).parse_parameters(response, response.normalized_request)
        return dict(response.params or {})
    except Exception:  # noqa: BLE001 - unparseable: the checks see no parameters (ARNs with "*" parts)
        return {}
    finally:
        if saved is missing:
            vars(response).pop("params", None)
        else:
            response.params = saved


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
        _request.params = request_parameters(self)
        try:
            return original(self, iam_request_cls, resource)
        finally:
            _request.params = None

    return _authenticate_and_authorize_action


def _policies(access_key) -> list:
    return [evaluator.Policy(enforcement.policy_document(p), getattr(p, "arn", None) or getattr(p, "name", "") or "")
            for p in access_key.collect_policies()]


@patch(AC, "IAMRequestBase", "check_action_permitted", group=IAM_ENFORCEMENT)
def check_action_permitted(_engine, _original):
    from moto.utilities.utils import get_partition

    def check_action_permitted(self, resource):
        action = self._action = enforcement.iam_action(self._action)
        params = getattr(_request, "params", None) or {}
        if self._is_assuming_role_operation(resource):  # sts:AssumeRole on the role
            checks = [evaluator.Check.of(action, params.get("RoleArn") or resource)]
        else:
            partition = get_partition(self._region)
            checks = checks_for(action, params, MotoState(self.account_id, partition), self._region,
                                self.account_id, partition)
        results = evaluator.authorize(_policies(self._access_key), checks)
        refusal = evaluator.first_refusal(results)
        if refusal is None and self._is_assuming_role_operation(resource) \
                and not self._check_role_trust_relationship(resource):  # the role's trust policy, as moto
            refusal = evaluator.Result(evaluator.IMPLICIT_DENY, checks[0])
        if refusal is None:
            return
        if enforcement.audit_only():
            enforcement.note_denial(self._access_key.arn, refusal, action, [r for r in results if not r.allowed])
            return
        enforcement.note_denial(self._access_key.arn, refusal, action)
        raise enforcement.access_denied(self._service, self._headers, self._access_key.arn, refusal)

    return check_action_permitted


@patch(AC, "IAMRequest", "_raise_access_denied", group=IAM_ENFORCEMENT)
def raise_access_denied(_engine, _original):
    def _raise_access_denied(self):  # moto's other callers: refused on "*"
        result = evaluator.Result(evaluator.IMPLICIT_DENY, evaluator.Check.of(self._action))
        raise enforcement.access_denied(self._service, self._headers, self._access_key.arn, result)

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
