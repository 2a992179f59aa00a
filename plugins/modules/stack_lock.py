#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: stack_lock
short_description: Take or release a stack's lock, held by AWS, so that one run of a stack writes at a time
version_added: 1.0.0
description:
  - The lock is the SSM parameter C(/scaleout/lock/<stack_name>/holder). O(state=held) creates it with
    C(PutParameter) and C(Overwrite=false), which AWS answers with C(ParameterAlreadyExists) when it
    exists, so of two runs exactly one takes it. Its value names the holder (O(owner)), the
    O(purpose), when it was taken and when it expires (O(ttl) seconds later), by AWS's clock.
  - When the lock is held by another run, the module tries again once per O(poll_interval) for up to
    O(wait) seconds, then fails naming the holder and since when.
  - A lock past its expiry belongs to a run that died without releasing it; it is taken over, by one
    run only, through a take-over marker under the same path (see C(plugins/module_utils/_stack_lock.py)).
    A marker left by a taker that was killed too expires like a lock, and the next taker goes past it.
    A successful take-over deletes every marker under the path.
  - O(state=renewed) keeps the lock of O(owner) while its run works. It reads the lock and writes a
    later expiry only when less than O(hold_for) seconds are left; it never writes a lock that another
    run holds, and fails at once, naming that run, when it finds one (or no lock at all).
  - O(state=released) deletes the lock if O(owner) holds it, and leaves another run's lock alone.
    With O(purge=true) it deletes every parameter under C(/scaleout/lock/<stack_name>/) with it
    (teardown), again only if O(owner) holds the lock.
  - The lock is not part of the stack; the module reports no change. Supports check mode (it only
    reads who holds the lock).
author: scaleout.webtier maintainers (@scaleout)
options:
  stack_name:
    description: The stack whose lock this is.
    type: str
    required: true
  state:
    description:
      - C(held) takes the lock (or confirms that O(owner) holds it); C(renewed) extends the lock that
        O(owner) holds; C(released) gives it back.
    type: str
    choices: [held, renewed, released]
    default: held
  owner:
    description:
      - Who holds the lock, unique for each run. Default for O(state=held) a new value,
        C(<user>@<controller host> <random>), returned in RV(lock.owner).
      - Required for O(state=renewed) and O(state=released).
    type: str
  purpose:
    description: What the holder does, shown to a run that finds the lock held.
    type: str
    default: converge
  ttl:
    description:
      - Seconds until the lock expires, by AWS's clock, after it was taken or renewed. Longer than the
        time between two renewals of a run; a run that is killed holds the lock this long at most.
    type: int
    default: 3600
  hold_for:
    description:
      - With O(state=renewed), seconds the lock must still hold after this task, for example the
        timeout of the wait that follows. When less is left, the expiry is moved to
        max(O(ttl), O(hold_for)) seconds from now. Default half of O(ttl).
    type: int
  purge:
    description:
      - With O(state=released), also delete every other parameter under C(/scaleout/lock/<stack_name>/)
        (take-over markers of runs that died), so that nothing of the lock is left. Teardown sets it.
    type: bool
    default: false
  wait:
    description: Seconds to wait for a lock that another run holds; 0 refuses at once.
    type: int
    default: 0
  poll_interval:
    description: Seconds between two tries while waiting (at least 1).
    type: int
    default: 10
  tags:
    description: Tags of the lock parameter, given in its create call.
    type: dict
    default: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Take the stack's lock, waiting up to five minutes for another run
  scaleout.webtier.stack_lock:
    stack_name: web
    purpose: converge
    wait: 300
    tags:
      scaleout:stack: web
  register: web_lock

- name: Keep it for the next hour, before a long wait
  scaleout.webtier.stack_lock:
    stack_name: web
    state: renewed
    owner: "{{ web_lock.lock.owner }}"
    hold_for: 3600

- name: Release it
  scaleout.webtier.stack_lock:
    stack_name: web
    state: released
    owner: "{{ web_lock.lock.owner }}"
"""

RETURN = r"""
held:
  description: Whether this run holds the lock now.
  returned: always
  type: bool
lock:
  description: The lock, as its holder recorded it.
  returned: always
  type: dict
  contains:
    name:
      description: The SSM parameter.
      type: str
      returned: always
    owner:
      description: Who holds it.
      type: str
      returned: when the lock exists
    purpose:
      description: What the holder does.
      type: str
      returned: when the lock exists
    started:
      description: When the holder took it, by AWS's clock (ISO 8601).
      type: str
      returned: when the lock exists
    expires:
      description: When it may be taken over, by AWS's clock (ISO 8601).
      type: str
      returned: when the lock exists
    renewed:
      description: When its holder last renewed it, by AWS's clock (ISO 8601).
      type: str
      returned: when the lock was renewed
taken_over_from:
  description: The expired lock of a run that died, when this run took it over.
  returned: when a stale lock was taken over
  type: dict
released:
  description: Whether O(state=released) deleted the lock.
  returned: when O(state=released)
  type: bool
renewed:
  description: Whether O(state=renewed) wrote a later expiry (false when enough time was left).
  returned: when O(state=renewed)
  type: bool
deleted:
  description: The parameters that O(purge=true) deleted.
  returned: when O(state=released) with O(purge=true) deleted the lock
  type: list
  elements: str
wait:
  description: How long the lock was waited for, C(elapsed) seconds over C(polls) tries.
  returned: when O(state=held)
  type: dict
"""

import getpass
import socket
import uuid
from datetime import datetime
from datetime import timezone

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils import _stack_lock as lock
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm import locks
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import DONE, Poller, WAITING, timing_problem, wait_until


def default_owner():
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()} {uuid.uuid4().hex[:12]}"


def read_lock(ssm, name):
    """(record or None, AWS's time now)."""
    value, _version, now = locks.server_now(ssm, name)
    now = now or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (lock.decode(value) if value is not None else None), now


# A chain longer than this (each link a taker killed during its take-over) is not followed further.
MAX_TAKEOVER_CHAIN = 5


def try_to_take(ssm, params, owner):
    """One attempt: ``(held, record of the lock now, taken over from)``."""
    name = lock.holder_name(params["stack_name"])
    current, now = read_lock(ssm, name)
    if current is not None and current["owner"] == owner:
        return True, current, None
    if current is None:
        record = lock.new_record(owner, params["purpose"], now, params["ttl"])
        if locks.create(ssm, name, lock.encode(record), params["tags"]):
            return True, record, None
        current, now = read_lock(ssm, name)
        if current is None:
            return False, None, None  # released in between: the next try takes it
    if not lock.is_expired(current, now):
        return False, current, None
    return take_over(ssm, params, owner, current, now)


def take_over(ssm, params, owner, stale, now):
    """Replace the expired lock `stale`, if this run is the one that creates the take-over marker."""
    stack, name = params["stack_name"], lock.holder_name(params["stack_name"])
    chain = [stale["owner"]]
    for _level in range(MAX_TAKEOVER_CHAIN):
        marker = lock.takeover_name(stack, chain)
        mark = lock.new_record(owner, "take-over", now, params["ttl"])
        if locks.create(ssm, marker, lock.encode(mark), params["tags"]):
            break
        value, _version, answered = locks.server_now(ssm, marker)
        now = answered or now
        if value is None:
            return False, stale, None  # its taker just finished or gave up: the next try reads again
        other = lock.decode(value)
        if not lock.is_expired(other, now):
            return False, stale, None  # another run is taking it over now
        chain.append(other["owner"])  # that taker died mid-way: the next link of the chain
    else:
        return False, stale, None
    again, now = read_lock(ssm, name)
    if again is None or again["owner"] != stale["owner"]:
        locks.delete(ssm, marker)  # another run took it over or it was released: ours is no use
        return False, again, None
    record = lock.new_record(owner, params["purpose"], now, params["ttl"], took_over=stale["owner"])
    locks.overwrite(ssm, name, lock.encode(record))
    # Every marker under the path concerns a holder that is gone now (ours included).
    locks.delete_many(ssm, [n for n in locks.names_under(ssm, lock.stack_path(stack)) if lock.is_takeover_marker(n, stack)])
    return True, record, stale


def take(module, ssm, owner):
    params = module.params
    name = lock.holder_name(params["stack_name"])
    seen = {}

    def attempt():
        seen["held"], seen["record"], seen["taken_over_from"] = try_to_take(ssm, params, owner)
        return seen["held"]

    def verdict(held):
        if held:
            return DONE, "taken"
        record = seen.get("record")
        return WAITING, lock.describe(record, name) if record else f"{name} was released meanwhile"

    poller = Poller(params["wait"], params["poll_interval"])
    outcome, _held, detail = wait_until(attempt, verdict, poller)
    if outcome != DONE:
        waited = f" after waiting {poller.elapsed:.0f} s" if params["wait"] else ""
        module.fail_json(msg=f"another run holds the lock of stack {params['stack_name']}{waited}: {detail}. "
                             f"Wait for it to finish, or set stack_lock_wait; a run that died without releasing "
                             f"it loses the lock when it expires.",
                         held=False, lock=dict(seen.get("record") or {}, name=name), wait=poller.summary())
    result = dict(changed=False, held=True, lock=dict(seen["record"], name=name), wait=poller.summary())
    if seen["taken_over_from"]:
        result["taken_over_from"] = seen["taken_over_from"]
        module.warn(f"took over the expired lock of stack {params['stack_name']}: {lock.describe(seen['taken_over_from'], name)}")
    return result


def release(module, ssm, owner):
    stack = module.params["stack_name"]
    name = lock.holder_name(stack)
    current, _now = read_lock(ssm, name)
    if current is None or current["owner"] != owner:
        holder = lock.describe(current, name) if current else f"{name} does not exist"
        return dict(changed=False, held=False, released=False, lock=dict(current or {}, name=name),
                    msg=f"this run ({owner}) does not hold the lock: {holder}")
    purge = module.params["purge"]
    if module.check_mode:
        what = f"everything under {lock.stack_path(stack)}/" if purge else "the lock"
        return dict(changed=False, held=True, released=False, lock=dict(current, name=name),
                    msg=f"would have released {what} of stack {stack}")
    if not purge:
        locks.delete(ssm, name)
        return dict(changed=False, held=False, released=True, lock=dict(current, name=name))
    # While this run holds the lock no other run writes under the path (a take-over needs an
    # expired lock), so everything listed is this run's lock or a marker of a holder that is gone.
    listed = locks.names_under(ssm, lock.stack_path(stack))
    deleted = locks.delete_many(ssm, sorted(set(listed) | {name}))
    return dict(changed=False, held=False, released=True, lock=dict(current, name=name), deleted=deleted)


def renew(module, ssm, owner):
    """Extend this run's lock if it needs it; fail at once, naming the holder, if another run holds it."""
    params = module.params
    stack, name = params["stack_name"], lock.holder_name(params["stack_name"])
    current, now = read_lock(ssm, name)
    verdict, renewed = lock.renewal(current, owner, now, params["ttl"], params["hold_for"])
    if verdict == lock.LOST:
        holder = lock.describe(current, name, now) if current else f"{name} does not exist (released by someone else)"
        module.fail_json(msg=f"this run ({owner}) no longer holds the lock of stack {stack}: {holder}. "
                             "It stops here so that two runs do not write the stack at once. If its lock "
                             "expired before this renewal, stack_lock_ttl is shorter than the time between "
                             "two renewals of this run.",
                         held=False, renewed=False, lock=dict(current or {}, name=name))
    if verdict == lock.KEEP:
        return dict(changed=False, held=True, renewed=False, lock=dict(current, name=name))
    if lock.is_expired(current, now):
        module.warn(f"the lock of stack {stack} had expired ({lock.describe(current, name, now)}); no other run "
                    "took it, so this run renews it. Set stack_lock_ttl above the time between two renewals.")
    if module.check_mode:
        return dict(changed=False, held=True, renewed=False, lock=dict(current, name=name),
                    msg=f"would have renewed the lock of stack {stack} until {renewed['expires']}")
    locks.overwrite(ssm, name, lock.encode(renewed))
    return dict(changed=False, held=True, renewed=True, lock=dict(renewed, name=name))


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            stack_name=dict(type="str", required=True),
            state=dict(type="str", choices=["held", "renewed", "released"], default="held"),
            owner=dict(type="str"),
            purpose=dict(type="str", default="converge"),
            ttl=dict(type="int", default=3600),
            hold_for=dict(type="int"),
            purge=dict(type="bool", default=False),
            wait=dict(type="int", default=0),
            poll_interval=dict(type="int", default=10),
            tags=dict(type="dict", default={}),
        ),
        required_if=[("state", "released", ["owner"]), ("state", "renewed", ["owner"])],
        supports_check_mode=True,
    )
    params = module.params
    problem = timing_problem(params["wait"], params["poll_interval"])
    if problem:
        module.fail_json(msg=problem)
    if params["ttl"] < 1:
        module.fail_json(msg=f"ttl must be at least 1 second, not {params['ttl']}")
    if params["hold_for"] is not None and params["hold_for"] < 0:
        module.fail_json(msg=f"hold_for must be 0 or more seconds, not {params['hold_for']}")
    owner = params["owner"] or default_owner()
    ssm = client(module, "ssm")
    try:
        if params["state"] == "released":
            module.exit_json(**release(module, ssm, owner))
        if params["state"] == "renewed":
            module.exit_json(**renew(module, ssm, owner))
        if module.check_mode:
            current, now = read_lock(ssm, lock.holder_name(params["stack_name"]))
            busy = current is not None and current["owner"] != owner and not lock.is_expired(current, now)
            name = lock.holder_name(params["stack_name"])
            module.exit_json(changed=False, held=False, lock=dict(current or {}, name=name),
                             msg=(lock.describe(current, name, now) if busy else f"would have taken {name}"))
        module.exit_json(**take(module, ssm, owner))
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        verb = {"released": "release", "renewed": "renew"}.get(params["state"], "take")
        fail_aws(module, e, f"Unable to {verb} the lock of stack {params['stack_name']}")


if __name__ == "__main__":
    main()
