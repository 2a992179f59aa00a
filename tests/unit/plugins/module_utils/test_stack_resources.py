from ansible_collections.scaleout.webtier.plugins.module_utils._stack_resources import KINDS, belongs_to, summarise, tag_dict


def test_tags_from_boto3_lists_and_dicts():
    assert tag_dict([{"Key": "a", "Value": "1"}]) == {"a": "1"}
    assert tag_dict({"a": "1"}) == {"a": "1"}
    assert tag_dict(None) == {}


def test_belongs_only_by_the_stack_tag_never_by_name():
    assert belongs_to([{"Key": "scaleout:stack", "Value": "demo"}], "demo")
    assert not belongs_to([{"Key": "scaleout:stack", "Value": "demo2"}], "demo")
    assert not belongs_to([{"Key": "Name", "Value": "demo-alb"}], "demo")


def test_summary_leaves_out_terminated_instances_and_names_the_rest_in_deletion_order():
    found = {
        "instances": [{"id": "i-1", "state": "terminated"}, {"id": "i-2", "state": "running"}],
        "security_groups": [{"id": "sg-1", "state": ""}],
        "autoscaling_groups": [{"id": "demo-asg", "state": ""}],
    }
    remaining, total, message = summarise(found)
    assert total == 3
    assert list(remaining) == ["autoscaling_groups", "instances", "security_groups"]
    assert [r["id"] for r in remaining["instances"]] == ["i-2"]
    assert message == "3 resource(s) still tagged with the stack: autoscaling_groups: demo-asg; instances: i-2; security_groups: sg-1"


def test_nothing_left():
    assert summarise({"instances": [{"id": "i-1", "state": "terminated"}]}) == ({}, 0, "nothing tagged with the stack remains")


def test_the_group_is_deleted_before_its_instances_and_security_groups_last():
    assert KINDS[0] == "autoscaling_groups" and KINDS.index("instances") > 0 and KINDS[-1] == "security_groups"
