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
The taker first creates a take-over marker, ``/scaleout/lock/<stack>/takeover-<digest>``, with
``Overwrite=false`` (one run wins that for a given stale holder), reads the lock again, and only if
the same stale holder is still there overwrites it with its own record; then it deletes every marker
under the stack's path (they all concern holders that are gone). The marker is a record like the
lock's, with its own expiry: a taker killed between its marker and its overwrite leaves a marker that
expires after the taker's TTL. The next taker then creates the marker of the chain "stale holder,
dead taker" (a different digest), which again only one run can create: no marker is ever deleted by
a run that did not create it while the take-over it guards may still be under way.

The holder renews its lock while it works (``renewal``): it re-reads the lock, and writes a later
expiry only if it still holds it and less than the time it needs is left. Nobody else writes the
holder's record, so the renewal needs no marker; a run that finds another holder stops at once.
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


def stack_path(stack):
    """The path under which every parameter of a stack's lock lives."""
    return f"{PREFIX}{stack}"


def takeover_name(stack, chain):
    """The marker that one run creates to take over the stale lock of ``chain[0]``; ``chain[1:]`` are
    the takers that died during their take-over (their markers expired), in order. A str is a
    chain of one."""
    chain = [chain] if isinstance(chain, str) else list(chain)
    digest = hashlib.sha256("\n".join(chain).encode("utf-8")).hexdigest()[:16]
    return f"{PREFIX}{stack}/takeover-{digest}"


def is_takeover_marker(name, stack):
    return name.startswith(f"{PREFIX}{stack}/takeover-")


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


def seconds_left(record, now):
    """Seconds until the lock's expiry at the server time `now` (negative once past; None when the
    record has no readable expiry)."""
    try:
        return (parse_time(record["expires"]) - parse_time(now)).total_seconds()
    except (KeyError, TypeError, ValueError):
        return None


RENEW = "renew"
KEEP = "keep"
LOST = "lost"


def renewal(record, owner, now, ttl, hold_for=None):
    """What the holder `owner` does with the lock as read (`record`, None if absent) at server time
    `now`, when it needs the lock for `hold_for` more seconds (default: half of `ttl`):

    * ``(LOST, None)``: the lock is gone or another run holds it; never written;
    * ``(KEEP, None)``: it is ours and at least `hold_for` seconds are left; no write;
    * ``(RENEW, record)``: it is ours and less is left (or it is past its expiry, which no other
      run used): the same record, expiring ``max(ttl, hold_for)`` seconds after `now`.
    """
    if record is None or record.get("owner") != owner:
        return LOST, None
    needed = int(ttl) // 2 if hold_for is None else int(hold_for)
    left = seconds_left(record, now)
    if left is not None and left >= needed:
        return KEEP, None
    renewed = dict(record, renewed=iso(now),
                   expires=iso(parse_time(now) + timedelta(seconds=max(int(ttl), needed))))
    return RENEW, renewed


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
