"""The filters of ListCommands and ListCommandInvocations, validated against botocore's documented
values (moto ignores the Filters parameter altogether).

botocore's SSM model names the keys (``CommandFilter.key``: InvokedAfter, InvokedBefore, Status,
ExecutionStage, DocumentName) and documents, in ``CommandFilter.value``, the Status values each API
accepts (``Delayed`` only for ListCommandInvocations) and the ExecutionStage values (ListCommands
only). Both lists are read from that documentation, so a botocore upgrade moves them too.

Decision: a key or value outside the documented ones is answered with ``InvalidFilterKey`` - the
only filter error the model lists for these APIs; AWS does not document which error an unlisted
value gets."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from ...core.timestamps import to_epoch


@lru_cache(maxsize=1)
def documented() -> dict:
    """{"keys": [...], "ListCommands": {"Status": [...], "ExecutionStage": [...]}, "ListCommandInvocations": {...}}"""
    import botocore.session

    shape = botocore.session.get_session().get_service_model("ssm").shape_for("CommandFilter")
    doc = shape.members["value"].documentation

    def listed(after: str) -> list:
        start = doc.index("<ul>", doc.index(after))
        block = doc[start:doc.index("</ul>", start)]
        return re.findall(r"<code>([A-Za-z]+)</code>", block)

    stages = listed("<b>ExecutionStage</b>")
    return {
        "keys": list(shape.members["key"].enum),
        "ListCommands": {"Status": listed("<code>ListCommands</code> are:"), "ExecutionStage": stages},
        "ListCommandInvocations": {"Status": listed("<code>ListCommandInvocations</code> are:")},
    }


def refusal(api: str, filters: list) -> Optional[str]:
    """The error message for a filter this API does not accept, else None."""
    allowed = documented()
    for f in filters or []:
        key, value = f.get("key"), f.get("value")
        if key not in allowed["keys"]:
            return f"The specified key isn't valid: {key!r} (valid keys: {', '.join(allowed['keys'])})"
        values = allowed[api].get(key)
        if key == "ExecutionStage" and values is None:
            return f"The filter key ExecutionStage is valid for ListCommands only, not {api}"
        if values is not None and value not in values:
            return (f"The filter value {value!r} isn't valid for the key {key} of {api}: "
                    f"valid values are {', '.join(values)}")
    return None


_STAGE = {"Executing": ("Pending", "InProgress", "Delayed", "Cancelling"), "Complete": None}


def matches(filters: list, status: str, document_name: str, requested: str) -> bool:
    """Whether a command (or invocation) with this status, document and request time passes the filters."""
    for f in filters or []:
        key, value = f["key"], f["value"]
        if key == "Status" and status != value and not (value == "TimedOut" and status in ("DeliveryTimedOut", "ExecutionTimedOut")):
            return False
        if key == "DocumentName" and document_name != value:
            return False
        if key == "ExecutionStage" and (status in _STAGE["Executing"]) != (value == "Executing"):
            return False
        if key in ("InvokedAfter", "InvokedBefore"):
            when, bound = to_epoch(requested), to_epoch(value)
            if (key == "InvokedAfter" and when < bound) or (key == "InvokedBefore" and when > bound):
                return False
    return True
