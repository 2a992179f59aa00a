"""After check mode on an empty sandbox: no resource of the stack exists."""


def test_no_security_group(aws, stack):
    groups = aws("ec2").describe_security_groups(Filters=[{"Name": "tag:scaleout:stack", "Values": [stack]}])["SecurityGroups"]
    assert groups == []


def test_no_load_balancer_or_target_group(aws):
    elbv2 = aws("elbv2")
    assert elbv2.describe_load_balancers()["LoadBalancers"] == []
    assert elbv2.describe_target_groups()["TargetGroups"] == []


def test_no_launch_template_group_or_instance(aws):
    assert aws("ec2").describe_launch_templates()["LaunchTemplates"] == []
    assert aws("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"] == []
    reservations = aws("ec2").describe_instances()["Reservations"]
    assert [i for r in reservations for i in r["Instances"]] == []
