# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: the per-stack lock's names, record and decisions (pure).

The lock is an SSM parameter, ``/scaleout/lock/<stack>/holder``, created with PutParameter
``Overwrite=false``: Parameter Store creates it only if it does not exist and otherwise answers
``ParameterAlreadyExists``, so of two runs exactly one creates it. Its value is a JSON record: who
holds it (``owner``), for what (``purpose``), since when (``started``) and until when (``expires``),
times from AWS's clock (the HTTP Date header), so that two controllers with different clocks agree.

A lock past its expiry belongs to a run that died: the next run may take it over, but only one may.
The taker first creates ``/scaleout/lock/<stack>/takeover-<digest of the stale owner>`` with
``Overwrite=false`` (one run wins that for a given stale holder), reads the lock again, and only if
the same stale holder is still there overwrites it with its own record.
"""

import hashlib
import json
from datetime import timedelta

from ansible_collections.scaleout.webtier.plugins.module_utils._time import iso
from ansible_collections.scaleout.webtier.plugins.module_utils._time import parse_time

PREFIX = "/scaleout/lock/"


def holder_name(stack):
    """The lock parameter of a stack."""
    return f"{PREFIX}{stack}/holder"


def takeover_name(stack, stale_owner):
    """The parameter that one run creates to take over the stale lock of `stale_owner`."""
    return f"{PREFIX}{stack}/takeover-{hashlib.sha256(stale_owner.encode('utf-8')).hexdigest()[:16]}"


def new_record(owner, purpose, now, ttl, took_over=None):
    """The lock's value for `owner`, from the server time `now` (ISO) for `ttl` seconds."""
    record = {"owner": owner, "purpose": purpose, "started": iso(now),
              "expires": iso(parse_time(now) + timedelta(seconds=int(ttl)))}
    if took_over:
        record["took_over"] = took_over
    return record


def encode(record):
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


def decode(value):
    """The record of a lock parameter's value; a value that is not one counts as an expired lock of
    an unknown owner (someone wrote the parameter by hand)."""
    try:
        record = json.loads(value)
    except (TypeError, ValueError):
        record = None
    if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in ("owner", "started", "expires")):
        return {"owner": f"unknown ({str(value)[:60]!r})", "purpose": "", "started": "", "expires": "1970-01-01T00:00:00Z"}
    return record


def is_expired(record, now):
    """Whether the lock's expiry is past at the server time `now`."""
    try:
        return parse_time(record["expires"]) <= parse_time(now)
    except (KeyError, TypeError, ValueError):
        return True


def describe(record, name, now=None):
    """The holder in words: "held by OWNER (PURPOSE) since STARTED, until EXPIRES"."""
    purpose = f" ({record['purpose']})" if record.get("purpose") else ""
    since = record.get("started") or "an unknown time"
    text = f"{name} is held by {record.get('owner')}{purpose} since {since}, until {record.get('expires')}"
    if now is not None and record.get("started"):
        try:
            minutes = (parse_time(now) - parse_time(record["started"])).total_seconds() / 60
            text += f" (for {minutes:.0f} min by AWS's clock)"
        except (TypeError, ValueError):
            pass
    return text
