"""DeleteLaunchTemplateVersions, which moto 5.2.5 lacks: any version but the default can be deleted,
and deleted versions are no longer described (what ec2_launch_template's state=absent relies on)."""


def test_delete_versions_but_not_the_default(fresh):
    ec2 = fresh.client("ec2")
    ec2.create_launch_template(LaunchTemplateName="lt-versions",
                               LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"})
    for size in ("t3.small", "t3.medium"):
        ec2.create_launch_template_version(LaunchTemplateName="lt-versions",
                                           LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": size})
    result = ec2.delete_launch_template_versions(LaunchTemplateName="lt-versions", Versions=["1", "2", "9"])
    assert [v["VersionNumber"] for v in result["SuccessfullyDeletedLaunchTemplateVersions"]] == [2]
    refused = {v["VersionNumber"]: v["ResponseError"]["Code"] for v in result["UnsuccessfullyDeletedLaunchTemplateVersions"]}
    assert refused == {1: "launchTemplateVersionIsDefault", 9: "launchTemplateVersionDoesNotExist"}
    remaining = ec2.describe_launch_template_versions(LaunchTemplateName="lt-versions")["LaunchTemplateVersions"]
    assert sorted(v["VersionNumber"] for v in remaining) == [1, 3]
    ec2.delete_launch_template(LaunchTemplateName="lt-versions")
    assert "lt-versions" not in [t["LaunchTemplateName"] for t in ec2.describe_launch_templates()["LaunchTemplates"]]
