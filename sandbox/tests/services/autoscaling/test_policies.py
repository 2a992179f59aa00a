"""Target-tracking policies: their alarms (created INSUFFICIENT_DATA, period by monitoring, gone
with the policy) and policies scoped per group with their own ARN."""


def test_target_tracking_alarms_start_insufficient_data_and_go_with_the_policy(tier):
    web = tier().launch_template().group(min_size=0, desired=0, max_size=1).policy(target=60.0)
    alarms = web.alarms()
    assert sorted(a["Threshold"] for a in alarms) == [54.0, 60.0]
    assert all(a["StateValue"] == "INSUFFICIENT_DATA" for a in alarms)
    history = web.cw.describe_alarm_history(AlarmName=alarms[0]["AlarmName"])["AlarmHistoryItems"]
    assert history[-1]["HistoryItemType"] == "ConfigurationUpdate"
    web.asg.delete_policy(AutoScalingGroupName=web.name, PolicyName=f"{web.name}-cpu")
    assert web.alarms() == []


def test_alarm_period_follows_detailed_or_basic_monitoring(tier):
    detailed = tier().launch_template().group(min_size=0, desired=0, max_size=1).policy()
    basic = tier(detailed=False).launch_template().group(min_size=0, desired=0, max_size=1).policy()
    assert {a["Period"] for a in detailed.alarms()} == {60}
    assert {a["Period"] for a in basic.alarms()} == {300}


def test_policies_are_per_group_with_their_own_arn(tier):
    a = tier().launch_template().group(min_size=0, desired=0, max_size=1)
    b = tier().launch_template().group(min_size=0, desired=0, max_size=1)
    for web in (a, b):
        web.asg.put_scaling_policy(AutoScalingGroupName=web.name, PolicyName="cpu", PolicyType="TargetTrackingScaling",
                                   TargetTrackingConfiguration={"PredefinedMetricSpecification": {
                                       "PredefinedMetricType": "ASGAverageCPUUtilization"}, "TargetValue": 50.0})
    arns = [a.asg.describe_policies(AutoScalingGroupName=w.name)["ScalingPolicies"][0]["PolicyARN"] for w in (a, b)]
    assert len(set(arns)) == 2
    before = a.asg.describe_policies(AutoScalingGroupName=a.name)["ScalingPolicies"][0]
    a.asg.put_scaling_policy(AutoScalingGroupName=a.name, PolicyName="cpu", PolicyType="TargetTrackingScaling",
                             TargetTrackingConfiguration={"PredefinedMetricSpecification": {
                                 "PredefinedMetricType": "ASGAverageCPUUtilization"}, "TargetValue": 70.0})
    after = a.asg.describe_policies(AutoScalingGroupName=a.name)["ScalingPolicies"][0]
    assert after["PolicyARN"] == before["PolicyARN"] and after["Alarms"] == before["Alarms"]
    assert sorted(x["Threshold"] for x in a.alarms()) == [63.0, 70.0]
