"""AWS's managed IAM policies exist, as in every AWS account: the instance role attaches
AmazonSSMManagedInstanceCore (moto loads them only with MOTO_IAM_LOAD_MANAGED_POLICIES)."""


def test_ssm_managed_policy_can_be_attached(fresh):
    iam = fresh.client("iam")
    arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PolicyName"] == "AmazonSSMManagedInstanceCore"
    iam.create_role(RoleName="managed-policy-check", Path="/scaleout/",
                    AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}')
    iam.attach_role_policy(RoleName="managed-policy-check", PolicyArn=arn)
    attached = iam.list_attached_role_policies(RoleName="managed-policy-check")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [arn]
    iam.detach_role_policy(RoleName="managed-policy-check", PolicyArn=arn)
    iam.delete_role(RoleName="managed-policy-check")
