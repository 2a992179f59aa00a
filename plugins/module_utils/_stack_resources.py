# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: what a stack owns (pure): its tag, the kinds of resources in deletion order, and the
entries that stack_resources_info lists, made from the raw AWS answers."""

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


def entry(resource_id, name, state, tags):
    return {"id": resource_id, "name": name or "", "state": state or "", "tags": tag_dict(tags)}


def ec2_entries(raw):
    """Entries per kind from _ec2.tagged.tagged_resources' raw lists."""
    return {
        "instances": [entry(i["InstanceId"], tag_dict(i.get("Tags")).get("Name"), i["State"]["Name"], i.get("Tags"))
                      for i in raw["instances"]],
        "security_groups": [entry(g["GroupId"], g["GroupName"], "", g.get("Tags")) for g in raw["security_groups"]],
        "launch_templates": [entry(t["LaunchTemplateId"], t["LaunchTemplateName"], "", t.get("Tags")) for t in raw["launch_templates"]],
        "images": [entry(i["ImageId"], i.get("Name"), i.get("State"), i.get("Tags")) for i in raw["images"]],
        "snapshots": [entry(s["SnapshotId"], s.get("Description"), s.get("State"), s.get("Tags")) for s in raw["snapshots"]],
        "volumes": [entry(v["VolumeId"], tag_dict(v.get("Tags")).get("Name"), v.get("State"), v.get("Tags")) for v in raw["volumes"]],
    }


def load_balancer_entries(balancers, tags, stack):
    return [entry(b["LoadBalancerArn"], b["LoadBalancerName"], b.get("State", {}).get("Code"), tags.get(b["LoadBalancerArn"]))
            for b in balancers if belongs_to(tags.get(b["LoadBalancerArn"]), stack)]


def target_group_entries(target_groups, tags, stack):
    return [entry(t["TargetGroupArn"], t["TargetGroupName"], "", tags.get(t["TargetGroupArn"]))
            for t in target_groups if belongs_to(tags.get(t["TargetGroupArn"]), stack)]


def group_entries(groups, stack):
    return [entry(g["AutoScalingGroupName"], g["AutoScalingGroupName"], g.get("Status", ""), g.get("Tags"))
            for g in groups if belongs_to(g.get("Tags"), stack)]


def role_entries(roles_with_tags, stack):
    return [entry(role["RoleName"], role["RoleName"], "", tags) for role, tags in roles_with_tags if belongs_to(tags, stack)]
