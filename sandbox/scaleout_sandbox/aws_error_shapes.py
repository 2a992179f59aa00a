"""The errors the fault proxy answers in place of AWS, shaped exactly as AWS shapes them for each wire
protocol (EC2, query, JSON, REST, Smithy RPC v2 CBOR) so that botocore parses and retries them."""

from __future__ import annotations

import email.utils
import json
import uuid
from functools import lru_cache
from typing import Optional
from urllib.parse import parse_qs

THROTTLE = "throttle"
SERVER_ERROR = "server_error"


def request_protocol(service: Optional[str], query: str, headers: dict, body: bytes) -> str:
    """The wire protocol of an AWS request: smithy-rpc-v2-cbor, json, ec2, query, rest-json or rest-xml."""
    if headers.get("smithy-protocol", "").lower() == "rpc-v2-cbor":
        return "smithy-rpc-v2-cbor"
    if headers.get("x-amz-target"):
        return "json"
    action = "Action" in parse_qs(query)
    if not action and body and "x-www-form-urlencoded" in headers.get("content-type", ""):
        action = "Action" in parse_qs(body.decode("utf-8", "replace"))
    if action:
        return "ec2" if service == "ec2" else "query"
    return "rest-json" if _model_facts(service)[0] == "rest-json" else "rest-xml"


@lru_cache(maxsize=64)
def _model_facts(service: Optional[str]) -> tuple:
    """(protocol botocore uses, whether the service is awsQueryCompatible) from botocore's model."""
    if not service:
        return (None, False)
    try:
        import botocore.session

        model = botocore.session.get_session().get_service_model(service)
        return (model.resolved_protocol, "awsQueryCompatible" in model.metadata)
    except Exception:  # noqa: BLE001 - an unknown service gets the generic shapes
        return (None, False)


# (HTTP status, error code, sender/receiver fault, message)
_EC2_ERRORS = {THROTTLE: (503, "RequestLimitExceeded", None, "Request limit exceeded."),
               SERVER_ERROR: (500, "InternalError", None, "An internal error has occurred.")}
_QUERY_ERRORS = {THROTTLE: (400, "Throttling", "Sender", "Rate exceeded"),
                 SERVER_ERROR: (500, "InternalFailure", "Receiver",
                                "The request processing has failed because of an unknown error, exception or failure.")}
_JSON_ERRORS = {THROTTLE: (400, "ThrottlingException", "Sender", "Rate exceeded"),
                SERVER_ERROR: (500, "InternalServerError", "Receiver", "An internal error has occurred.")}
# A service's own modeled 5xx error, where it has one (CloudWatch: InternalServiceFault).
_SERVICE_SERVER_ERRORS = {
    "cloudwatch": (500, "InternalServiceError", "Receiver",
                   "Request processing has failed due to some unknown error, exception, or failure."),
}


def _error(kind: str, table: dict, service: Optional[str]) -> tuple:
    if kind == SERVER_ERROR and service in _SERVICE_SERVER_ERRORS:
        return _SERVICE_SERVER_ERRORS[service]
    return table[kind]


def fault_response(kind: str, protocol: str, service: Optional[str] = None, content_type: str = "",
                   request_id: Optional[str] = None) -> tuple:
    """(status, headers, body) of a `kind` (THROTTLE or SERVER_ERROR) error, shaped as AWS shapes it for `protocol`."""
    request_id = request_id or str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id), ("Date", email.utils.formatdate(usegmt=True))]
    if protocol == "ec2":
        status, code, _, message = _EC2_ERRORS[kind]
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
                f'<Message>{message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>')
        return status, headers + [("Content-Type", "text/xml;charset=UTF-8")], body.encode()
    if protocol in ("query", "rest-xml"):
        status, code, fault, message = _error(kind, _QUERY_ERRORS, service)
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>{fault}</Type><Code>{code}</Code>'
                f'<Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>')
        return status, headers + [("Content-Type", "text/xml")], body.encode()
    # awsQueryCompatible services (CloudWatch) keep their query error codes in JSON and CBOR: botocore reads the
    # code from the x-amzn-query-error header ("Throttling;Sender"), as AWS sends it.
    query_compatible = _model_facts(service)[1]
    status, code, fault, message = _error(kind, _QUERY_ERRORS if query_compatible else _JSON_ERRORS, service)
    document = {"__type": code, "message": message}
    headers.append(("x-amzn-ErrorType", code))
    if query_compatible:
        headers.append(("x-amzn-query-error", f"{code};{fault}"))
    if protocol == "smithy-rpc-v2-cbor":
        headers += [("smithy-protocol", "rpc-v2-cbor"), ("Content-Type", "application/cbor")]
        return status, headers, cbor_text_map(document)
    if protocol == "json":
        json_type = content_type if content_type.startswith("application/x-amz-json-") else "application/x-amz-json-1.1"
        headers.append(("Content-Type", json_type))
    else:
        headers.append(("Content-Type", "application/json"))
    return status, headers, json.dumps(document).encode()


def _cbor_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | info]) + length.to_bytes(size, "big")
    raise ValueError("too long for CBOR")


def cbor_text_map(document: dict) -> bytes:
    """A definite-length CBOR map of text strings (all the CBOR an error needs)."""
    out = [_cbor_head(5, len(document))]
    for key, value in document.items():
        for text in (key, value):
            data = str(text).encode("utf-8")
            out += [_cbor_head(3, len(data)), data]
    return b"".join(out)
