# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: the plan of a stack (pure): what each stage's converge would change, compared with one
read of every resource (stack_plan's ``read``).

Each ``plan_<stage>`` function takes that read and the settings the stage applies (``wanted``, the
stage's ``plan.yml`` publishes them) and returns entries, one per resource::

    {"stage": "network", "resource": "security group demo-web", "action": "update",
     "changes": ["ingress tcp 8080 from sg-1 (demo-alb): missing -> present"]}

``action`` is one of ACTIONS. The comparison is as strict as the module that converges the
resource, and no laxer: a stage whose entries all say "no change" runs no module at all, so a
difference this misses would never be repaired. Where the wanted value depends on a resource that
the plan creates or replaces first (a new security group's id), the dependant says "update" too.
"""

import copy

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling import settings as group_settings
from ansible_collections.scaleout.webtier.plugins.module_utils._bake import images_to_retire
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2 import launch_templates as lt
from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2 import load_balancers as lb
from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2 import target_groups as tg

CREATE, UPDATE, REPLACE, DELETE, NO_CHANGE = "create", "update", "replace", "delete", "no change"
ACTIONS = (CREATE, UPDATE, REPLACE, DELETE, NO_CHANGE)
STAGES = ("network", "load_balancer", "bake", "launch_template", "scaling_group")
# Placeholders in the wanted settings for ids that only the read (or the converge) knows.
TARGET_GROUP_ARN = "@target_group"
UNKNOWN = "(known after the converge)"
# Keys AWS (or our reads) add to a tag list that a module never manages.
AWS_TAG_PREFIX = "aws:"
# In the bake's and the template's image_id: "the stack's image with the bake's fingerprint", which the
# plan's read of the stack's images answers (site.yml's discover then does not look it up itself).
BAKE_IMAGE = "@bake_image"
FINGERPRINT_TAG = "scaleout:fingerprint"


def _entry(stage, resource, action, changes=()):
    return {"stage": stage, "resource": resource, "action": action, "changes": list(changes)}


def _verdict(stage, resource, changes):
    return _entry(stage, resource, UPDATE if changes else NO_CHANGE, changes)


def tag_changes(now, wanted, purge=True):
    """'tag K: now -> wanted' lines, as amazon.aws' tag helpers decide them (purge: unlisted tags go)."""
    now = dict((k, v) for k, v in (now or {}).items() if not k.startswith(AWS_TAG_PREFIX))
    wanted = dict((k, str(v)) for k, v in (wanted or {}).items())
    to_set, to_remove = compare_aws_tags(now, wanted, purge_tags=purge)
    lines = ["tag %s: %s -> %s" % (k, now.get(k, "(none)"), v) for k, v in sorted(to_set.items())]
    lines += ["tag %s: %s -> (removed)" % (k, now[k]) for k in sorted(to_remove)]
    return lines


def boto3_tags(tags):
    return dict((t["Key"], t["Value"]) for t in tags or [])


def fingerprint_image(images, fingerprint):
    """The id of the newest available image tagged with the fingerprint, or "" (what the bake's
    discover looks up: DescribeImages of the stack's own images, tag and state filters)."""
    found = [i for i in images if i.get("State") == "available" and boto3_tags(i.get("Tags")).get(FINGERPRINT_TAG) == fingerprint]
    return max(found, key=lambda i: (i.get("CreationDate", ""), i["ImageId"]))["ImageId"] if found else ""


def resolve_bake_image(wanted, image_id):
    """A copy of the wanted settings with BAKE_IMAGE replaced by the image the read found."""
    resolved = copy.deepcopy(wanted)
    for stage, path in (("bake", ("image_id",)), ("launch_template", ("template", "image_id"))):
        holder = resolved.get(stage)
        for key in path[:-1]:
            holder = (holder or {}).get(key)
        if holder and holder.get(path[-1]) == BAKE_IMAGE:
            holder[path[-1]] = image_id
    return resolved


def has_tags(resource, tags):
    """Whether a described resource carries every one of ``tags`` ({key: value})."""
    own = boto3_tags(resource.get("Tags"))
    return all(own.get(k) == v for k, v in tags.items())


def refresh_may_run(group, template):
    """Whether an instance refresh of the group may still have work to do, so that the plan reads the
    group's refreshes: unless every instance is in service on the launch template's default version
    and the group has as many as it wants (a refresh replaces instances; once none is left to replace
    or waiting, a refresh still listed as running has nothing left to do)."""
    if template is None:
        return True
    default = str(template["template"]["DefaultVersionNumber"])
    instances = group.get("Instances") or []
    return len(instances) != group.get("DesiredCapacity") or any(
        i.get("LifecycleState") != "InService" or (i.get("LaunchTemplate") or {}).get("Version") != default for i in instances)


# ------------------------------------------------------------------------------------ network


def _as_list(value):
    if value is None:
        return []
    return [value] if isinstance(value, (str, int)) else list(value)


def wanted_rules(rules, group_ids):
    """The ingress permissions of amazon.aws.ec2_security_group's ``rules`` as a set of
    (protocol, from, to, target, description) with a group name resolved to its id."""
    result = set()
    for rule in rules:
        ports = [str(p) for p in _as_list(rule.get("ports"))]
        ranges = []
        for port in ports:
            low, _sep, high = port.partition("-")
            ranges.append((int(low), int(high or low)))
        targets = [("cidr", c) for c in _as_list(rule.get("cidr_ip"))]
        targets += [("cidr6", c) for c in _as_list(rule.get("cidr_ipv6"))]
        targets += [("group", group_ids.get(g) or "%s %s" % (UNKNOWN, g)) for g in _as_list(rule.get("group_name"))]
        for low, high in ranges:
            for target in targets:
                result.add((str(rule.get("proto", "tcp")), low, high, target, None))
    return result


def current_rules(permissions):
    result = set()
    for p in permissions or []:
        key = (p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort"))
        for r in p.get("IpRanges") or []:
            result.add(key + (("cidr", r.get("CidrIp")), r.get("Description")))
        for r in p.get("Ipv6Ranges") or []:
            result.add(key + (("cidr6", r.get("CidrIpv6")), r.get("Description")))
        for r in p.get("UserIdGroupPairs") or []:
            result.add(key + (("group", r.get("GroupId")), r.get("Description")))
        for r in p.get("PrefixListIds") or []:
            result.add(key + (("prefix", r.get("PrefixListId")), r.get("Description")))
    return result


def _rule_text(rule):
    proto, low, high, (kind, target), description = rule
    ports = str(low) if low == high else "%s-%s" % (low, high)
    return "ingress %s %s from %s%s" % (proto, ports, target, (" (%s)" % description) if description else "")


def plan_security_group(wanted, found, group_ids):
    """One security group: ec2_security_group compares the ingress rules (purged) and the tags
    (purged); egress is left alone when no egress rules are given; the description cannot change."""
    resource = "security group %s" % wanted["name"]
    if found is None:
        return _entry("network", resource, CREATE)
    now, want = current_rules(found.get("IpPermissions")), wanted_rules(wanted["rules"], group_ids)
    changes = ["%s: missing -> present" % _rule_text(r) for r in sorted(want - now, key=str)]
    changes += ["%s: present -> (removed)" % _rule_text(r) for r in sorted(now - want, key=str)]
    changes += tag_changes(boto3_tags(found.get("Tags")), wanted["tags"])
    return _verdict("network", resource, changes)


def plan_network(wanted, read):
    found = read["security_groups"]
    group_ids = dict((name, g["GroupId"]) for name, g in found.items())
    return [plan_security_group(g, found.get(g["name"]), group_ids) for g in wanted["security_groups"]]


# ------------------------------------------------------------------------------------ load balancer


def plan_target_group(wanted, found):
    """As scaleout.webtier.elb_target_group decides (the same pure functions)."""
    resource = "target group %s" % wanted["name"]
    if found is None:
        return _entry("load_balancer", resource, CREATE)
    current = tg.settings_of(found["target_group"])
    settings = tg.wanted_settings(wanted)
    replace = tg.replacement_reasons(current, settings)
    if replace:
        # The module refuses and names the fix (teardown): AWS cannot change these in place.
        return _entry("load_balancer", resource, REPLACE, replace)
    changes = ["%s: %s -> %s" % (k, current[k], v) for k, v in sorted(tg.health_check_changes(current, settings).items())]
    attributes = found["attributes"]
    changes += ["%s: %s -> %s" % (k, attributes.get(k), v)
                for k, v in sorted(tg.attribute_changes(attributes, tg.wanted_attributes(wanted)).items())]
    changes += tag_changes(found["tags"], wanted["tags"])
    return _verdict("load_balancer", resource, changes)


def wanted_listeners(listeners, target_group_arn):
    result = copy.deepcopy(listeners)
    for listener in result:
        for action in listener.get("DefaultActions") or []:
            if action.get("TargetGroupArn") == TARGET_GROUP_ARN:
                action["TargetGroupArn"] = target_group_arn or UNKNOWN
    return result


def plan_load_balancer(wanted, found, target_group_arn, group_ids):
    """As scaleout.webtier.load_balancer decides (the same pure functions): scheme (fixed), subnets,
    security groups, tags (purged) and the listeners by port (purge_listeners: a listener on
    another port goes)."""
    resource = "load balancer %s" % wanted["name"]
    if found is None:
        return _entry("load_balancer", resource, CREATE)
    balancer = found["load_balancer"]
    replace = lb.replacement_reasons(balancer, wanted["scheme"])
    if replace:
        return _entry("load_balancer", resource, REPLACE, replace)
    groups = [group_ids.get(name) or "%s %s" % (UNKNOWN, name) for name in wanted["security_group_names"]]
    placement = lb.placement_changes(balancer, wanted["subnet_ids"], groups)
    changes = []
    if "subnets" in placement:
        changes.append("subnets: %s -> %s" % (lb.subnet_ids_of(balancer), placement["subnets"]))
    if "security_groups" in placement:
        changes.append("security groups: %s -> %s" % (sorted(balancer.get("SecurityGroups") or []), placement["security_groups"]))
    changes += tag_changes(found["tags"], wanted["tags"])
    create, modify, delete = lb.listener_updates(found["listeners"], wanted_listeners(wanted["listeners"], target_group_arn))
    changes += ["listener %s %s: missing -> present" % (listener["Protocol"], listener["Port"]) for listener in create]
    changes += ["listener %s: %s" % (listener["Port"], line) for _arn, listener, lines in modify for line in lines]
    changes += ["listener %s %s: present -> (removed)" % (listener["Protocol"], listener["Port"]) for listener in delete]
    return _verdict("load_balancer", resource, changes)


def plan_load_balancer_stage(wanted, read):
    target_group = read["target_group"]
    group_ids = dict((name, g["GroupId"]) for name, g in read["security_groups"].items())
    tg_entry = plan_target_group(wanted["target_group"], target_group)
    arn = target_group["target_group"]["TargetGroupArn"] if target_group and tg_entry["action"] != REPLACE else None
    return [tg_entry, plan_load_balancer(wanted["load_balancer"], read["load_balancer"], arn, group_ids)]


# ------------------------------------------------------------------------------------ bake


# The states of an image that a bake stopped half-way (CreateImage still running, or failed).
HALF_MADE_IMAGE_STATES = ("pending", "failed", "error", "invalid")


def bake_leftovers(read):
    """What an interrupted bake left, as the read found it: {instance_ids, security_group_ids,
    image_ids} - its temporary instances and security groups, and the stack's half-made images."""
    return {"instance_ids": sorted(i["InstanceId"] for i in read["bake_instances"]),
            "security_group_ids": sorted(g["GroupId"] for g in read["bake_security_groups"]),
            "image_ids": sorted(i["ImageId"] for i in read["images"] if i.get("State") in HALF_MADE_IMAGE_STATES)}


def bake_retention_inputs(read):
    """What the bake's retention decides from, as read: the stack's available images (id and
    creation date) and the image of the launch template's default version ('' without one)."""
    template = read["launch_template"]
    return {"images": [{"image_id": i["ImageId"], "creation_date": i.get("CreationDate", "")}
                       for i in read["images"] if i.get("State") == "available"],
            "template_image_id": (template["default"]["LaunchTemplateData"].get("ImageId") or "") if template else ""}


def plan_bake(wanted, read):
    """The bake's converge changes something when it bakes (no image with the fingerprint, or
    bake_force), removes what an interrupted bake left, or retires images beyond the newest kept."""
    entries = []
    resource = "image %s" % wanted["image_name_prefix"]
    if wanted["force"] or not wanted["image_id"]:
        entries.append(_entry("bake", resource, CREATE if not wanted["image_id"] else REPLACE,
                              ["fingerprint %s: no image -> baked" % wanted["fingerprint"]] if not wanted["image_id"]
                              else ["bake_force: %s -> a new image" % wanted["image_id"]]))
    else:
        entries.append(_entry("bake", resource, NO_CHANGE, []))
    found = bake_leftovers(read)
    states = dict((i["ImageId"], i.get("State")) for i in read["images"])
    leftovers = ["instance %s" % i for i in found["instance_ids"]]
    leftovers += ["security group %s" % g for g in found["security_group_ids"]]
    leftovers += ["image %s (%s)" % (i, states[i]) for i in found["image_ids"]]
    if leftovers:
        entries.append(_entry("bake", "temporary bake resources", DELETE, ["%s: present -> (removed)" % t for t in leftovers]))
    retention = bake_retention_inputs(read)
    retire = images_to_retire(retention["images"], int(wanted["keep_images"]), [wanted["image_id"], retention["template_image_id"]])
    if retire:
        entries.append(_entry("bake", "images beyond the newest %s" % wanted["keep_images"], DELETE,
                              ["image %s: present -> (removed)" % i["image_id"] for i in retire]))
    return entries


# ------------------------------------------------------------------------------------ launch template


def plan_role(wanted, found):
    """As amazon.aws.iam_role decides: path, description, trust policy, managed policies (purged), tags (purged)."""
    resource = "IAM role %s" % wanted["name"]
    if found is None:
        return _entry("launch_template", resource, CREATE)
    role = found["role"]
    changes = []
    if role.get("Path") != wanted["path"]:
        changes.append("path: %s -> %s" % (role.get("Path"), wanted["path"]))
    if role.get("Description", "") != wanted["description"]:
        changes.append("description: %s -> %s" % (role.get("Description"), wanted["description"]))
    if compare_policies(role.get("AssumeRolePolicyDocument") or {}, wanted["trust_policy"]):
        changes.append("trust policy: differs -> %s" % wanted["trust_policy"])
    attached = sorted(found["policies"])
    if attached != sorted(wanted["managed_policies"]):
        changes.append("managed policies: %s -> %s" % (attached, sorted(wanted["managed_policies"])))
    changes += tag_changes(boto3_tags(role.get("Tags")), wanted["tags"])
    return _verdict("launch_template", resource, changes)


def plan_instance_profile(wanted, found, role_missing):
    """As amazon.aws.iam_instance_profile decides: its role, path and tags (purged)."""
    resource = "instance profile %s" % wanted["name"]
    if found is None:
        return _entry("launch_template", resource, CREATE)
    changes = []
    roles = [r["RoleName"] for r in found.get("Roles") or []]
    if roles != [wanted["role"]] or role_missing:
        changes.append("role: %s -> %s" % (roles, [wanted["role"]]))
    changes += tag_changes(boto3_tags(found.get("Tags")), wanted["tags"])
    return _verdict("launch_template", resource, changes)


def wanted_template_data(wanted, read, group_ids):
    """The LaunchTemplateData scaleout.webtier.launch_template writes for the role's settings
    (``_ec2.launch_templates.template_data``), with placeholders for what only the converge knows."""
    image = read["template_image"] or {}
    root_size = None
    for mapping in image.get("BlockDeviceMappings") or []:
        if mapping.get("DeviceName") == image.get("RootDeviceName"):
            root_size = (mapping.get("Ebs") or {}).get("VolumeSize")
    size = wanted.get("volume_size")
    settings = dict(wanted, image_id=wanted["image_id"] or UNKNOWN, root_device_name=image.get("RootDeviceName") or UNKNOWN,
                    volume_size=int(size if size not in (None, "", "None") else (root_size or 8)),
                    security_group_ids=[group_ids.get(n) or "%s %s" % (UNKNOWN, n) for n in wanted["security_group_names"]])
    return lt.template_data(settings)


def plan_launch_template(wanted, read, group_ids):
    """As scaleout.webtier.launch_template decides (``_ec2.launch_templates.decide``): no change when
    the default version's data and description are as wanted; the default moved to the latest when
    that one is; else a new version. Tags: the missing or different ones are set, others kept."""
    resource = "launch template %s" % wanted["name"]
    found = read["launch_template"]
    if found is None:
        return _entry("launch_template", resource, CREATE)
    _action, changes = lt.decide(found, wanted_template_data(wanted, read, group_ids), wanted["version_description"])
    changes += tag_changes(boto3_tags(found["template"].get("Tags")), wanted["tags"], purge=False)
    return _verdict("launch_template", resource, changes)


def plan_launch_template_stage(wanted, read):
    group_ids = dict((name, g["GroupId"]) for name, g in read["security_groups"].items())
    entries = []
    if wanted["identity"]:
        role = plan_role(wanted["role"], read["role"])
        entries += [role, plan_instance_profile(wanted["profile"], read["instance_profile"], role["action"] == CREATE)]
    entries.append(plan_launch_template(wanted["template"], read, group_ids))
    return entries


# ------------------------------------------------------------------------------------ scaling group


def plan_policy(wanted, found):
    """As scaleout.webtier.scaling_group decides (the same pure functions)."""
    resource = "scaling policy %s" % wanted["name"]
    if found is None:
        return _entry("scaling_group", resource, CREATE)
    policy = group_settings.wanted_policy(wanted["group_name"], wanted["name"], wanted["target_value"], wanted["warmup"])
    return _verdict("scaling_group", resource, group_settings.policy_differences(found, policy))


def plan_group(wanted, read, target_group_arn, template_changes):
    """The group and its default warmup, as scaleout.webtier.scaling_group decides (the same pure
    functions), its policy, and the instance refresh the role starts when the template gets a new
    default version or an instance runs an older version."""
    resource = "Auto Scaling group %s" % wanted["name"]
    found = read["group"]
    entries = []
    if found is None:
        return [_entry("scaling_group", resource, CREATE), _entry("scaling_group", "scaling policy %s" % wanted["policy"]["name"], CREATE)]
    desired = dict(wanted["group"])
    desired["target_group_arns"] = [target_group_arn or UNKNOWN if a == TARGET_GROUP_ARN else a for a in desired["target_group_arns"]]
    desired["instance_warmup"] = wanted["warmup"]
    changes = group_settings.difference_lines(group_settings.group_differences(
        group_settings.current_group(found), group_settings.wanted_group(desired)))
    if wanted["refresh"]:
        template = read["launch_template"]
        default = str(template["template"]["DefaultVersionNumber"]) if template else None
        outdated = sorted(i["InstanceId"] for i in found.get("Instances") or []
                          if (i.get("LaunchTemplate") or {}).get("Version", "").isdigit()
                          and default and i["LaunchTemplate"]["Version"] != default)
        if template_changes:
            changes.append("instances: the launch template changes -> an instance refresh")
        elif outdated:
            changes.append("instances %s: an older template version -> an instance refresh onto %s" % (", ".join(outdated), default))
        if read["refreshes_running"]:
            changes.append("instance refresh %s: running -> waited for" % read["refreshes_running"][0])
    entries.append(_verdict("scaling_group", resource, changes))
    entries.append(plan_policy(wanted["policy"], read["policy"]))
    return entries


# ------------------------------------------------------------------------------------ the plan


def make_plan(wanted, read):
    """Every stage's entries, in the order the stages converge."""
    entries = []
    entries += plan_network(wanted["network"], read) if "network" in wanted else []
    entries += plan_load_balancer_stage(wanted["load_balancer"], read) if "load_balancer" in wanted else []
    entries += plan_bake(wanted["bake"], read) if "bake" in wanted else []
    entries += plan_launch_template_stage(wanted["launch_template"], read) if "launch_template" in wanted else []
    if "scaling_group" in wanted:
        target_group = read["target_group"]
        arn = target_group["target_group"]["TargetGroupArn"] if target_group else None
        template_changes = any(e["action"] != NO_CHANGE for e in entries
                               if e["stage"] in ("launch_template", "bake") and e["resource"].startswith(("launch template", "image ")))
        entries += plan_group(wanted["scaling_group"], read, arn, template_changes)
    return entries


def stages_to_run(entries):
    """{stage: True when one of its resources changes}."""
    result = dict((stage, False) for stage in STAGES)
    for e in entries:
        result[e["stage"]] = result.get(e["stage"], False) or e["action"] != NO_CHANGE
    return result


def table(entries):
    """The plan as text lines: one per resource, then its changes indented."""
    if not entries:
        return ["(nothing to plan)"]
    width = max(len(e["resource"]) for e in entries)
    lines = []
    for e in entries:
        lines.append("%-15s %-*s  %s" % (e["stage"], width, e["resource"], e["action"]))
        lines += ["%15s   %s" % ("", c) for c in e["changes"]]
    changing = [e for e in entries if e["action"] != NO_CHANGE]
    lines.append("plan: %d to create, %d to update, %d to replace, %d to delete, %d unchanged" % tuple(
        sum(1 for e in entries if e["action"] == a) for a in ACTIONS))
    if not changing:
        lines.append("no changes: the stack matches its settings")
    return lines
