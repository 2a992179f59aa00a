# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for listing what a stack owns: tags and the kinds of resources, in deletion order."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

STACK_TAG = "scaleout:stack"

# The order teardown deletes in: the group first (deleting instances first makes the group
# launch new ones), then what it used (the instances' IAM role once no instance holds it),
# security groups last (instances and the load balancer
# hold their network interfaces until they are gone).
KINDS = (
    "autoscaling_groups",
    "instances",
    "load_balancers",
    "target_groups",
    "launch_templates",
    "images",
    "snapshots",
    "volumes",
    "iam_roles",
    "security_groups",
)

GONE_STATES = frozenset(["terminated", "deleted", "deregistered"])


def tag_dict(tags):
    """Tags as a dict, from the boto3 list form ({Key, Value}) or a dict."""
    if isinstance(tags, dict):
        return dict(tags)
    return dict((t.get("Key"), t.get("Value")) for t in tags or [])


def belongs_to(tags, stack):
    return tag_dict(tags).get(STACK_TAG) == stack


def summarise(found):
    """Count per kind and a one-line description of what remains, leaving out resources already gone."""
    remaining = {}
    for kind in KINDS:
        alive = [r for r in found.get(kind, []) if r.get("state") not in GONE_STATES]
        if alive:
            remaining[kind] = alive
    total = sum(len(v) for v in remaining.values())
    if not total:
        return remaining, 0, "nothing tagged with the stack remains"
    parts = ["%s: %s" % (kind, ", ".join(r["id"] for r in items)) for kind, items in remaining.items()]
    return remaining, total, "%d resource(s) still tagged with the stack: %s" % (total, "; ".join(parts))
