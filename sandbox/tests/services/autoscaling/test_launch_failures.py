"""Fault hook launch_failures: a group's launches fail the way AWS says they fail, in its words."""

import pytest

from sandbox_harness import unique

CASES = {
    "invalid_profile": "Value ({profile}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name. "
                       "Launching EC2 instance failed.",
    "kms_key_policy": "Instance became unhealthy while waiting for instance to be in InService state. Termination Reason: "
                      "Client.InternalError: Client error on launch",
    "launch_template_unauthorized": "You are not authorized to use launch template: {template}. Launching EC2 instance failed.",
    "pass_role": "User: arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling is not authorized to "
                 "perform: iam:PassRole on resource: {role}. Launching EC2 instance failed.",
    "instance_limit": "You have requested more instances (1) than your current instance limit of 0 allows for the specified "
                      "instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to "
                      "this limit. Launching EC2 instance failed.",
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_launch_failure_fails_every_launch_of_the_group_with_aws_words(tier, fresh, kind):
    # The profile propagates at once here: only the fault refuses the launches.
    fresh.set_delays({"iam_propagation_s": 0})
    iam = fresh.client("iam")
    role = iam.create_role(RoleName=unique("role"), AssumeRolePolicyDocument="{}")["Role"]
    profile = unique("profile")
    iam.create_instance_profile(InstanceProfileName=profile)
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role["RoleName"])
    web = tier(instance_type="t3.micro").launch_template(IamInstanceProfile={"Name": profile})
    fresh.set_faults({"launch_failures": {web.name: kind}})
    web.group(min_size=0, desired=2, max_size=2)
    template = fresh.wait_for(lambda: web.ec2.describe_launch_templates(LaunchTemplateNames=[web.name])["LaunchTemplates"],
                              600, "the template described")[0]["LaunchTemplateId"]
    expected = CASES[kind].format(profile=profile, template=template, role=role["Arn"])
    failed = [a for a in web.activities() if a["StatusCode"] == "Failed"]
    assert failed and {a["StatusMessage"] for a in failed} == {expected}
    assert failed[0]["Description"] == "Launching a new EC2 instance.  Status Reason: " + expected
    assert web.describe()["Instances"] == []
    # Cleared, the group launches (after its zones' retry delay).
    fresh.set_faults({"launch_failures": {web.name: None}})
    assert fresh.faults()["launch_failures"] == {}


def test_an_unknown_launch_failure_kind_is_refused(fresh):
    with pytest.raises(Exception, match="unknown kind 'teapot'"):
        fresh.set_faults({"launch_failures": {"web": "teapot"}})
