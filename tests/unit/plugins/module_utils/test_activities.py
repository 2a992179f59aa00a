"""Which failed launches of a group will not heal, from AWS's own StatusMessage texts."""

import pytest

from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.activities import (
    EARLY, MAY_HEAL, NEVER, launch_failure, launch_problems)

FAILED_LAUNCH = " Launching EC2 instance failed."

# AWS's texts as public reports quote them (the source of each after it).
PROFILE = ("Value (web-profile) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name"
           + FAILED_LAUNCH)  # hashicorp/terraform-provider-aws#4769, #27516, #31282
PROFILE_ARN = ("Value (arn:aws:iam::123456789012:instance-profile/web) for parameter iamInstanceProfile.arn is invalid. "
               "Invalid IAM Instance Profile ARN" + FAILED_LAUNCH)  # hashicorp/terraform-provider-aws#29866
KMS = ("Instance became unhealthy while waiting for instance to be in InService state. Termination Reason: "
       "Client.InternalError: Client error on launch")  # AWS re:Post kms-launch-ec2-instance; Qantas engineering blog
TEMPLATE = "You are not authorized to use launch template: lt-0b27953098b749950" + FAILED_LAUNCH  # community.aws#831
PASS_ROLE = ("User: arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling is not authorized "
             "to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/web" + FAILED_LAUNCH)
UNAUTHORIZED = ("You are not authorized to perform this operation. Encoded authorization failure message: AbC" + FAILED_LAUNCH)
QUOTA = ("You have requested more instances (7) than your current instance limit of 6 allows for the specified "
         "instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this "
         "limit." + FAILED_LAUNCH)  # kubernetes/autoscaler#1263
CAPACITY = ("We currently do not have sufficient g4dn.8xlarge capacity in the Availability Zone you requested "
            "(us-east-1a). Our system will be working on provisioning additional capacity. You can currently get "
            "g4dn.8xlarge capacity by not specifying an Availability Zone in your request or choosing us-east-1b, "
            "us-east-1c." + FAILED_LAUNCH)  # ITISFoundation/osparc-simcore#3629
UNSUPPORTED = ("Your requested instance type (t3.micro) is not supported in your requested Availability Zone "
               "(us-east-1e). Please retry your request by not specifying an Availability Zone or choosing us-east-1a."
               + FAILED_LAUNCH)
IMAGE = "The image id '[ami-0123456789abcdef0]' does not exist" + FAILED_LAUNCH
SECURITY_GROUP = "The security group 'sg-0123456789abcdef0' does not exist" + FAILED_LAUNCH


@pytest.mark.parametrize("message, kind, healing, fix", [
    (PROFILE, "instance profile", EARLY, "propagating"),
    (PROFILE_ARN, "instance profile", EARLY, "instance profile"),
    (KMS, "KMS key", NEVER, "AWSServiceRoleForAutoScaling"),
    (TEMPLATE, "launch template authorization", NEVER, "ec2:RunInstances"),
    (PASS_ROLE, "pass role", NEVER, "iam:PassRole"),
    (UNAUTHORIZED, "authorization", NEVER, "sts:DecodeAuthorizationMessage"),
    (QUOTA, "quota", NEVER, "Service Quotas"),
    (CAPACITY, "capacity", MAY_HEAL, "other zones"),
    (UNSUPPORTED, "zone offering", MAY_HEAL, "other zones"),
    (IMAGE, "image", NEVER, "ImageId"),
    (SECURITY_GROUP, "security group", NEVER, "SecurityGroupIds"),
    ("Something AWS never said before." + FAILED_LAUNCH, "other", MAY_HEAL, "activity history"),
])
def test_each_status_message_is_classified_with_its_fix(message, kind, healing, fix):
    found_kind, found_healing, found_fix = launch_failure(message)
    assert (found_kind, found_healing) == (kind, healing)
    assert fix in found_fix


def launch(start, code, message="", instance=""):
    description = "Launching a new EC2 instance: %s" % instance if code == "Successful" else \
        "Launching a new EC2 instance.  Status Reason: %s" % message
    return {"description": description, "status_code": code, "status_message": message, "start": start}


T0 = "2026-12-06T10:00:00Z"


@pytest.mark.parametrize("message", [KMS, TEMPLATE, PASS_ROLE, QUOTA, IMAGE])
def test_a_failure_that_will_not_heal_is_fatal_at_once_quoting_aws(message):
    fatal, progress = launch_problems([launch(T0, "Failed", message)], "2026-12-06T10:00:05Z")
    assert fatal is not None and repr(message) in fatal and "likely fix: " in fatal
    assert progress == []


def test_capacity_in_one_zone_while_another_works_is_progress_not_fatal():
    activities = [launch(T0, "Failed", CAPACITY), launch("2026-12-06T10:00:01Z", "PreInService", instance="i-1")]
    fatal, progress = launch_problems(activities, "2026-12-06T10:30:00Z")
    assert fatal is None
    assert progress == ["a launch failed (capacity, may heal): " + CAPACITY]


def test_repeated_may_heal_failures_are_reported_once():
    activities = [launch("2026-12-06T10:0%d:00Z" % minute, "Failed", CAPACITY) for minute in range(5)]
    assert len(launch_problems(activities, "2026-12-06T10:06:00Z")[1]) == 1


def test_an_invalid_profile_heals_while_iam_propagates_then_is_fatal():
    activities = [launch(T0, "Failed", PROFILE), launch("2026-12-06T10:02:00Z", "Failed", PROFILE)]
    fatal, progress = launch_problems(activities, "2026-12-06T10:04:59Z", profile_grace_s=300)
    assert fatal is None and "instance profile, may heal" in progress[0]
    fatal, _progress = launch_problems(activities, "2026-12-06T10:05:00Z", profile_grace_s=300)
    assert "instance profile, for 300s" in fatal and repr(PROFILE) in fatal


def test_only_failures_after_the_latest_successful_launch_count():
    healed = [launch(T0, "Failed", PROFILE), launch("2026-12-06T10:01:00Z", "Successful", instance="i-1")]
    assert launch_problems(healed, "2026-12-06T11:00:00Z") == (None, [])
    again = healed + [launch("2026-12-06T10:50:00Z", "Failed", QUOTA)]
    assert "quota" in launch_problems(again, "2026-12-06T11:00:00Z")[0]


def test_failures_before_since_are_history():
    activities = [launch(T0, "Failed", KMS)]
    assert launch_problems(activities, "2026-12-06T11:00:00Z", since="2026-12-06T10:00:01Z") == (None, [])
    assert launch_problems(activities, "2026-12-06T11:00:00Z", since=T0)[0] is not None


def test_activities_other_than_launches_are_ignored():
    termination = {"description": "Terminating EC2 instance: i-1", "status_code": "Failed",
                   "status_message": KMS, "start": T0}
    assert launch_problems([termination], "2026-12-06T11:00:00Z") == (None, [])


def test_the_profile_grace_needs_the_server_time():
    # Without a server time the grace cannot be measured: the failure stays "may heal".
    fatal, progress = launch_problems([launch(T0, "Failed", PROFILE)], None)
    assert fatal is None and progress
