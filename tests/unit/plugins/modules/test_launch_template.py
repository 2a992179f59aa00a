"""scaleout.webtier.launch_template against stubbed clients: a first converge is one read and one
create (the template's tags and the instances' in it, a ClientToken derived from the request); an
unchanged template is two reads and no write; changed data is a new version (ClientToken) made the
default; a default moved back is one ModifyLaunchTemplate; check mode writes nothing."""

import base64

from module_harness import aws, run  # noqa: F401  # pylint: disable=unused-import
from botocore.stub import ANY

from ansible_collections.scaleout.webtier.plugins.module_utils._ec2 import launch_templates as lt
from ansible_collections.scaleout.webtier.plugins.modules import launch_template

NAME, TEMPLATE_ID = "demo-web", "lt-0123456789abcdef0"
TAGS = {"scaleout:stack": "demo", "Name": NAME}
INSTANCE_TAGS = {"scaleout:stack": "demo", "Name": "demo-web-instance"}
ARGS = dict(name=NAME, version_description="demo web", image_id="ami-0123456789abcdef0", instance_type="t3.micro",
            security_group_ids=["sg-0123456789abcdef0"], instance_profile="demo-web", user_data="#!/bin/sh\necho hi\n",
            cpu_credits="unlimited", root_device_name="/dev/xvda", volume_size=8, instance_tags=INSTANCE_TAGS, tags=TAGS)
SETTINGS = dict(dict(key_name="", detailed_monitoring=True, volume_type="gp3", kms_key_id=""),
                **dict((key, ARGS[key]) for key in launch_template.SETTINGS if key in ARGS))
DATA = lt.template_data(SETTINGS)
BY_NAME = {"LaunchTemplateNames": [NAME]}


def boto_tags(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def template(default=1, latest=1, tags=None):
    return {"LaunchTemplateId": TEMPLATE_ID, "LaunchTemplateName": NAME, "DefaultVersionNumber": default,
            "LatestVersionNumber": latest, "Tags": boto_tags(TAGS if tags is None else tags)}


def version(number, data=None, description="demo web"):
    return {"LaunchTemplateId": TEMPLATE_ID, "LaunchTemplateName": NAME, "VersionNumber": number,
            "VersionDescription": description, "LaunchTemplateData": DATA if data is None else data}


def found(ec2, default=1, latest=1, versions=None, tags=None):
    ec2.add_response("describe_launch_templates", {"LaunchTemplates": [template(default, latest, tags)]}, BY_NAME)
    ec2.add_response("describe_launch_template_versions", {"LaunchTemplateVersions": versions or [version(1)]},
                     {"LaunchTemplateId": TEMPLATE_ID, "Versions": ["$Latest", "$Default"]})


def test_the_data_is_what_the_role_wrote_with_the_profile_by_name():
    assert DATA["IamInstanceProfile"] == {"Name": "demo-web"}
    assert base64.b64decode(DATA["UserData"]).decode() == ARGS["user_data"]
    assert DATA["MetadataOptions"]["HttpTokens"] == "required" and DATA["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
    assert DATA["BlockDeviceMappings"] == [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3", "Encrypted": True,
                                                                               "DeleteOnTermination": True}}]
    assert [s["ResourceType"] for s in DATA["TagSpecifications"]] == ["instance", "volume"]
    assert lt.template_data(dict(SETTINGS, instance_profile="arn:aws:iam::1:instance-profile/p"))["IamInstanceProfile"] == {
        "Arn": "arn:aws:iam::1:instance-profile/p"}
    assert "CreditSpecification" not in lt.template_data(dict(SETTINGS, cpu_credits=""))


def test_the_client_token_is_the_same_for_the_same_request_and_fits_ec2():
    token = lt.client_token("CreateLaunchTemplate", NAME, DATA)
    assert token == lt.client_token("CreateLaunchTemplate", NAME, dict(DATA))
    assert token != lt.client_token("CreateLaunchTemplate", NAME, dict(DATA, InstanceType="t3.small"))
    assert token != lt.client_token("CreateLaunchTemplate", "other", DATA)
    assert len(token) <= 64 and token.isascii()


def test_a_new_template_is_one_read_and_one_create_with_its_tags_and_a_client_token(aws, run):
    ec2 = aws["ec2"]
    ec2.add_client_error("describe_launch_templates", "InvalidLaunchTemplateName.NotFoundException", "not found", 400,
                         expected_params=BY_NAME)
    ec2.add_response("create_launch_template", {"LaunchTemplate": template()}, {
        "LaunchTemplateName": NAME, "VersionDescription": "demo web", "LaunchTemplateData": DATA,
        "ClientToken": lt.client_token("CreateLaunchTemplate", NAME, "demo web", DATA, TAGS),
        "TagSpecifications": [{"ResourceType": "launch-template", "Tags": boto_tags(TAGS)}]})
    failed, result = run(launch_template, ARGS)
    aws.done()  # nothing else: no read-back, no GetInstanceProfile, no DescribeTags
    assert not failed and result["changed"]
    assert result["template"]["launch_template_id"] == TEMPLATE_ID and result["default_version"] == "1"


def test_an_unchanged_template_is_two_reads_and_no_write(aws, run):
    found(aws["ec2"])
    failed, result = run(launch_template, ARGS)
    aws.done()
    assert not failed and not result["changed"] and result["default_version"] == "1" and result["changes"] == []


def test_a_version_made_with_the_profile_arn_is_unchanged(aws, run):
    """amazon.aws.ec2_launch_template wrote the profile's ARN: the same profile, no new version."""
    data = dict(DATA, IamInstanceProfile={"Arn": "arn:aws:iam::123456789012:instance-profile/scaleout/demo-web"})
    found(aws["ec2"], versions=[version(1, data)])
    failed, result = run(launch_template, ARGS)
    aws.done()
    assert not failed and not result["changed"]


def test_changed_data_is_a_new_version_with_a_client_token_made_the_default(aws, run):
    ec2 = aws["ec2"]
    found(ec2, versions=[version(1, dict(DATA, InstanceType="t3.small"))])
    ec2.add_response("create_launch_template_version", {"LaunchTemplateVersion": version(2)}, {
        "LaunchTemplateId": TEMPLATE_ID, "VersionDescription": "demo web", "LaunchTemplateData": DATA,
        "ClientToken": lt.client_token("CreateLaunchTemplateVersion", TEMPLATE_ID, 1, "demo web", DATA)})
    ec2.add_response("modify_launch_template", {"LaunchTemplate": template(2, 2)}, {"LaunchTemplateId": TEMPLATE_ID, "DefaultVersion": "2"})
    failed, result = run(launch_template, ARGS)
    aws.done()
    assert not failed and result["changed"] and result["default_version"] == "2"
    assert result["changes"] == ["InstanceType: t3.small -> t3.micro", "default version: 1 -> a new version"]


def test_a_default_moved_back_is_set_to_the_latest_without_a_new_version(aws, run):
    ec2 = aws["ec2"]
    # As an operator's console edit leaves it: the same data in a second version, the default moved back to the first.
    found(ec2, default=1, latest=2, versions=[version(2), version(1)])
    ec2.add_response("modify_launch_template", {"LaunchTemplate": template(2, 2)}, {"LaunchTemplateId": TEMPLATE_ID, "DefaultVersion": "2"})
    failed, result = run(launch_template, ARGS)
    aws.done()
    assert not failed and result["changed"] and result["default_version"] == "2"


def test_a_missing_tag_is_set_and_other_tags_kept(aws, run):
    ec2 = aws["ec2"]
    found(ec2, tags={"Name": NAME, "extra": "x"})
    ec2.add_response("create_tags", {}, {"Resources": [TEMPLATE_ID], "Tags": [{"Key": "scaleout:stack", "Value": "demo"}]})
    failed, result = run(launch_template, ARGS)
    aws.done()
    assert not failed and result["changed"] and result["changes"] == ["tag scaleout:stack: (none) -> demo"]


def test_check_mode_writes_nothing_and_says_would_have(aws, run):
    ec2 = aws["ec2"]
    found(ec2, versions=[version(1, dict(DATA, InstanceType="t3.small"))])
    failed, result = run(launch_template, ARGS, check_mode=True)
    aws.done()
    assert not failed and result["changed"] and result["msg"].startswith("would have updated launch template demo-web")
    assert result["diff"]["before"]["data"]["InstanceType"] == "t3.small" and result["diff"]["after"]["data"]["InstanceType"] == "t3.micro"
    ec2.add_client_error("describe_launch_templates", "InvalidLaunchTemplateName.NotFoundException", "not found", 400,
                         expected_params=BY_NAME)
    failed, result = run(launch_template, ARGS, check_mode=True)
    aws.done()
    assert not failed and result["changed"] and result["msg"] == "would have created launch template demo-web"


def test_a_refused_create_fails_naming_the_template(aws, run):
    ec2 = aws["ec2"]
    ec2.add_client_error("describe_launch_templates", "InvalidLaunchTemplateName.NotFoundException", "not found", 400,
                         expected_params=BY_NAME)
    ec2.add_client_error("create_launch_template", "IdempotentParameterMismatch", "token reused", 400,
                         expected_params={"LaunchTemplateName": NAME, "VersionDescription": "demo web", "LaunchTemplateData": DATA,
                                          "ClientToken": ANY, "TagSpecifications": ANY})
    failed, result = run(launch_template, ARGS)
    assert failed and "launch template demo-web" in result["msg"]
