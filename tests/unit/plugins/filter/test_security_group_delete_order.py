import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.scaleout.webtier.plugins.filter.security_group_delete_order import (
    FilterModule,
    security_group_delete_order,
)


def group(group_id, name, references=(), egress_references=(), camel=False):
    def rules(ids):
        return [{"ip_protocol": "tcp", "user_id_group_pairs": [{"group_id": i} for i in ids]}] if ids else []

    if camel:
        return {"GroupId": group_id, "GroupName": name,
                "IpPermissions": [{"IpProtocol": "tcp", "UserIdGroupPairs": [{"GroupId": i} for i in references]}]}
    return {"group_id": group_id, "group_name": name, "ip_permissions": rules(references),
            "ip_permissions_egress": rules(egress_references)}


def order(groups):
    return [g.get("group_id", g.get("GroupId")) for g in security_group_delete_order(groups)]


def test_registered_under_its_file_name():
    assert list(FilterModule().filters()) == ["security_group_delete_order"]


def test_the_referencing_group_goes_first_even_when_name_order_says_otherwise():
    # "app" sorts before "lb" both ways round: ordering by name (reverse) would delete lb first,
    # which AWS refuses while app's rule references it.
    lb, app = group("sg-1", "demo-lb"), group("sg-2", "demo-app", references=["sg-1"])
    assert order([lb, app]) == ["sg-2", "sg-1"]
    assert order(sorted([lb, app], key=lambda g: g["group_name"], reverse=True)) == ["sg-2", "sg-1"]


def test_a_chain_is_deleted_from_its_end_and_egress_rules_count():
    a = group("sg-a", "a")
    b = group("sg-b", "b", references=["sg-a"])
    c = group("sg-c", "c", egress_references=["sg-b"])
    assert order([a, b, c]) == ["sg-c", "sg-b", "sg-a"]


def test_unrelated_groups_keep_their_order_and_self_and_outside_references_are_ignored():
    x = group("sg-x", "x", references=["sg-x", "sg-elsewhere"])
    y = group("sg-y", "y")
    assert order([x, y]) == ["sg-x", "sg-y"]
    assert order([]) == []


def test_groups_in_a_cycle_come_last_in_input_order():
    free = group("sg-0", "free")
    p, q = group("sg-p", "p", references=["sg-q"]), group("sg-q", "q", references=["sg-p"])
    assert order([p, free, q]) == ["sg-0", "sg-p", "sg-q"]


def test_boto3_shapes_are_accepted():
    lb, app = group("sg-1", "lb", camel=True), group("sg-2", "app", references=["sg-1"], camel=True)
    assert order([lb, app]) == ["sg-2", "sg-1"]


@pytest.mark.parametrize("bad", [None, "sg-1", [{"group_name": "no id"}], ["sg-1"]])
def test_bad_input_is_a_filter_error(bad):
    with pytest.raises(AnsibleFilterError, match="expects a list of security groups"):
        security_group_delete_order(bad)
