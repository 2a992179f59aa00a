# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: why an Auto Scaling group cannot launch, from its scaling activities (pure).

A capacity wait that only counts healthy instances ends in a timeout reading "0 of 2 healthy" when
the group cannot launch at all. AWS says why in the ``StatusMessage`` of each failed launch activity
(DescribeScalingActivities). ``launch_problems`` sorts those failures into the ones that will not
heal (the wait fails at once, quoting AWS and naming the likely fix) and the ones that may (a zone
out of capacity while another zone works, an instance profile IAM is still propagating): those are
reported and the wait goes on.

Activities are dicts with ``description``, ``status_code``, ``status_message`` and ``start`` (ISO),
as ``_autoscaling.groups.activity_record`` makes them.
"""

from ansible_collections.scaleout.webtier.plugins.module_utils._time import parse_time

# Never heals without a change by the operator; may heal by itself; heals only early (propagation).
NEVER, MAY_HEAL, EARLY = "never", "may heal", "early"

# How long an "invalid instance profile" launch failure counts as IAM still propagating, counted from
# the first of an unbroken run of them (simulated or AWS seconds). IAM changes take "a few seconds"
# but can take longer (IAM User Guide, eventual consistency); terraform-provider-aws ignores such
# failed activities while it waits for capacity (hashicorp/terraform-provider-aws#31282) and retries
# the profile errors of CreateAutoScalingGroup for 2 minutes.
PROFILE_PROPAGATION_GRACE_S = 300

KMS_POLICY_DOC = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html"

# (kind, lowercase fragments of AWS's StatusMessage (any one matches), healing, likely fix).
# The texts are AWS's, as public reports quote them (tests/unit/.../test_activities.py lists them).
LAUNCH_FAILURES = (
    ("instance profile", ("iaminstanceprofile.name is invalid", "iaminstanceprofile.arn is invalid",
                          "invalid iam instance profile"), EARLY,
     "the launch template's instance profile does not exist or has no role: check its name (or ARN) and that it "
     "contains a role; a profile created moments ago is still propagating in IAM and heals by itself"),
    ("KMS key", ("client.internalerror: client error on launch",), NEVER,
     "an encrypted volume's customer managed KMS key does not let Auto Scaling use it: grant the service-linked "
     "role AWSServiceRoleForAutoScaling kms:Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, DescribeKey and "
     "CreateGrant in the key policy (" + KMS_POLICY_DOC + ")"),
    ("pass role", ("iam:passrole",), NEVER,
     "the launch's instance profile role cannot be passed: allow iam:PassRole on that role (with "
     "iam:PassedToService ec2.amazonaws.com) to whoever created or updated the group"),
    ("launch template authorization", ("not authorized to use launch template",), NEVER,
     "the principal that created or updated the group may not launch with this template: allow ec2:RunInstances "
     "(with the template's tags: ec2:CreateTags) and iam:PassRole for its profile, or check an SCP/permissions boundary"),
    ("authorization", ("not authorized to perform", "unauthorizedoperation", "accessdenied"), NEVER,
     "a launch with this template is refused by IAM: check the group's service-linked role and the permissions of "
     "whoever created or updated the group (decode the message with sts:DecodeAuthorizationMessage)"),
    ("quota", ("you have requested more instances", "vcpulimitexceeded", "more vcpu capacity than your current",
               "instancelimitexceeded"), NEVER,
     "the account's instance or vCPU quota is reached: raise it in Service Quotas or lower the group's size"),
    ("security group", ("invalidgroup.notfound", "the security group"), NEVER,
     "a security group of the launch template does not exist: check its SecurityGroupIds"),
    ("image", ("invalidamiid", "the image id"), NEVER,
     "the launch template's image does not exist or is not available: check its ImageId (a deregistered or "
     "pending image) and create a new template version"),
    ("capacity", ("insufficientinstancecapacity", "we currently do not have sufficient"), MAY_HEAL,
     "AWS has no capacity for the type in that zone right now: the group tries its other zones and this zone again later"),
    ("zone offering", ("is not supported in your requested availability zone",), MAY_HEAL,
     "the zone does not offer the instance type: the group launches in its other zones"),
)

LAUNCH_PREFIX = "launching a new ec2 instance"
FAILED_CODES = ("Failed", "Cancelled")


def launch_failure(status_message):
    """(kind, healing, fix) for a failed launch's StatusMessage; unknown texts may heal (not judged fatal)."""
    text = (status_message or "").lower()
    for kind, fragments, healing, fix in LAUNCH_FAILURES:
        if any(fragment in text for fragment in fragments):
            return kind, healing, fix
    return "other", MAY_HEAL, "see the group's activity history"


def is_launch(activity):
    return (activity.get("description") or "").lower().startswith(LAUNCH_PREFIX)


def launch_problems(activities, now, since=None, profile_grace_s=PROFILE_PROPAGATION_GRACE_S):
    """(fatal, progress) from a group's activities at server time ``now`` (ISO or None).

    Only launch failures that started at or after ``since`` (ISO, None: all) and after the group's
    latest successful launch count: one that will not heal makes ``fatal`` a sentence quoting AWS's
    StatusMessage and naming the likely fix (else None). An invalid instance profile is IAM still
    propagating for ``profile_grace_s`` after the first such failure, then fatal. Failures that may
    heal are ``progress`` sentences.
    """
    launches = sorted((a for a in activities if is_launch(a) and a.get("start")
                       and (since is None or parse_time(a["start"]) >= parse_time(since))),
                      key=lambda a: parse_time(a["start"]))
    failed, first_profile_failure = [], None
    for activity in launches:
        if activity.get("status_code") in FAILED_CODES:
            failed.append(activity)
        elif activity.get("status_code") == "Successful":
            failed = []
    progress, seen = [], set()
    for activity in failed:
        message = activity.get("status_message") or activity.get("description") or ""
        kind, healing, fix = launch_failure(message)
        if healing == EARLY:
            first_profile_failure = first_profile_failure or activity.get("start")
            waited = _seconds(first_profile_failure, now)
            if waited is not None and waited >= profile_grace_s:
                return _fatal(kind, message, fix, "for %ds" % waited), progress
            healing = MAY_HEAL
        if healing == NEVER:
            return _fatal(kind, message, fix), progress
        if (kind, message) not in seen:
            seen.add((kind, message))
            progress.append("a launch failed (%s, may heal): %s" % (kind, message))
    return None, progress


def _fatal(kind, message, fix, lasting=""):
    return "the group cannot launch instances (%s%s): AWS says %r; likely fix: %s" % (
        kind, ", " + lasting if lasting else "", message, fix)


def _seconds(since, now):
    if not since or not now:
        return None
    return int((parse_time(now) - parse_time(since)).total_seconds())
