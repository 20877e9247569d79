"""IAM, as far as a caller's identity-based policy goes: given a policy document (POST
/_stand-in/policy), every call whose action (`cloudformation:CreateChangeSet`, the signing
name's IAM prefix and the operation) no Allow statement matches, or a Deny does, is refused
with AccessDenied as its protocol words it; and CloudFormation, acting with the caller's
credentials (no service role), fails a resource whose type needs an action the policy does not
allow, with the reason its resource handler gives. Statements are matched by Action (wildcards
`*` and `?`, case-insensitive); Resource, NotAction and Condition are not read. Without a
policy (the default, or POST null) everything is allowed."""

import fnmatch

from aws_error import AwsError

# The IAM prefix of each signing name the stand-in serves.
IAM_PREFIX = {'monitoring': 'cloudwatch'}
# S3's IAM actions where they are not named after the operation (the Service Authorization
# Reference's S3 table); S3 operations not here are s3:OPERATION.
S3_ACTIONS = {'HeadBucket': 's3:ListBucket',
              'PutPublicAccessBlock': 's3:PutBucketPublicAccessBlock',
              'PutBucketEncryption': 's3:PutEncryptionConfiguration',
              'PutBucketLifecycleConfiguration': 's3:PutLifecycleConfiguration'}
# Calls IAM cannot deny (STS GetCallerIdentity needs no permission).
NEVER_DENIED = {'sts:GetCallerIdentity'}
# What CloudFormation reads with the caller's credentials for a TemplateURL.
TEMPLATE_URL_ACTIONS = ['s3:GetObject']

# What CloudFormation's resource handlers call, as the caller, to create, update and delete
# each type the i2kit template uses (the handlers' "permissions" in the CloudFormation
# registry schemas, create and delete; an ASG launching from a launch template also needs
# ec2:RunInstances and iam:PassRole for its instance profile's role, and the account's first
# group or balancer iam:CreateServiceLinkedRole).
RESOURCE_ACTIONS = {
    'AWS::IAM::Role': ['iam:CreateRole', 'iam:GetRole', 'iam:PutRolePolicy',
                       'iam:DeleteRolePolicy', 'iam:DeleteRole', 'iam:ListRolePolicies',
                       'iam:ListAttachedRolePolicies'],
    'AWS::IAM::InstanceProfile': ['iam:CreateInstanceProfile', 'iam:AddRoleToInstanceProfile',
                                  'iam:GetInstanceProfile', 'iam:RemoveRoleFromInstanceProfile',
                                  'iam:DeleteInstanceProfile', 'iam:PassRole'],
    'AWS::EC2::SecurityGroup': ['ec2:CreateSecurityGroup', 'ec2:DescribeSecurityGroups',
                                'ec2:AuthorizeSecurityGroupIngress',
                                'ec2:RevokeSecurityGroupEgress', 'ec2:DeleteSecurityGroup',
                                'ec2:CreateTags'],
    'AWS::EC2::LaunchTemplate': ['ec2:CreateLaunchTemplate', 'ec2:DescribeLaunchTemplates',
                                 'ec2:CreateLaunchTemplateVersion', 'ec2:DeleteLaunchTemplate',
                                 'ec2:CreateTags', 'iam:PassRole'],
    'AWS::AutoScaling::AutoScalingGroup': [
        'autoscaling:CreateAutoScalingGroup', 'autoscaling:UpdateAutoScalingGroup',
        'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DeleteAutoScalingGroup',
        'autoscaling:DescribeScalingActivities', 'ec2:RunInstances', 'ec2:CreateTags',
        'ec2:DescribeLaunchTemplateVersions', 'iam:PassRole', 'iam:CreateServiceLinkedRole'],
    'AWS::ElasticLoadBalancingV2::LoadBalancer': [
        'elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:AddTags',
        'iam:CreateServiceLinkedRole'],
    'AWS::ElasticLoadBalancingV2::TargetGroup': [
        'elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:DeleteTargetGroup', 'elasticloadbalancing:AddTags'],
    'AWS::ElasticLoadBalancingV2::Listener': [
        'elasticloadbalancing:CreateListener', 'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DeleteListener'],
    'AWS::EC2::Volume': ['ec2:CreateVolume', 'ec2:DescribeVolumes', 'ec2:CreateTags',
                         'ec2:DeleteVolume', 'ec2:CreateSnapshot', 'ec2:DescribeSnapshots'],
    'AWS::Route53::RecordSet': ['route53:ChangeResourceRecordSets', 'route53:GetChange',
                                'route53:ListResourceRecordSets'],
    'AWS::SecretsManager::Secret': ['secretsmanager:CreateSecret',
                                    'secretsmanager:GetRandomPassword',
                                    'secretsmanager:DescribeSecret',
                                    'secretsmanager:TagResource', 'secretsmanager:DeleteSecret'],
}


def _as_list(value):
    return value if isinstance(value, list) else [value]


class IamPolicy:
    def __init__(self, account):
        self.user = f'arn:aws:iam::{account}:user/i2kit-stand-in'
        self.document = None

    def set(self, document):
        """Sets the policy from a control API body (null: none); ValueError says what is
        wrong."""
        if document is None:
            self.document = None
            return
        if not isinstance(document, dict) or not isinstance(document.get('Statement'), list):
            raise ValueError('expected an IAM policy document: {"Version": "2012-10-17", '
                             '"Statement": [...]}, or null')
        for statement in document['Statement']:
            if not isinstance(statement, dict) or statement.get('Effect') not in ('Allow',
                                                                                  'Deny'):
                raise ValueError(f'a statement needs Effect Allow or Deny: {statement!r}')
            if 'Action' not in statement or 'Resource' not in statement:
                raise ValueError(f'a statement needs Action and Resource: {statement!r}')
        self.document = document

    def pending(self):
        return self.document

    def allows(self, action):
        if self.document is None:
            return True
        allowed = False
        for statement in self.document['Statement']:
            if any(fnmatch.fnmatchcase(action.lower(), pattern.lower())
                   for pattern in _as_list(statement['Action'])):
                if statement['Effect'] == 'Deny':
                    return False
                allowed = True
        return allowed

    def _denial(self, action):
        return (f'User: {self.user} is not authorized to perform: {action} because no '
                f'identity-based policy allows the {action} action')

    def check_call(self, service, operation):
        """Refuses a call the policy does not allow, as the service's protocol words it."""
        action = f'{IAM_PREFIX.get(service, service)}:{operation}'
        if service == 's3':
            action = S3_ACTIONS.get(operation, action)
        if action in NEVER_DENIED or self.allows(action):
            return
        message = self._denial(action)
        if service == 'ec2':
            raise AwsError('UnauthorizedOperation', 'You are not authorized to perform this '
                           f'operation. {message}', 403)
        if service == 's3':
            raise AwsError('AccessDenied', message, 403)
        if service in ('ebs', 'logs', 'kms', 'secretsmanager'):
            raise AwsError('AccessDeniedException', message, 403 if service == 'ebs' else 400)
        raise AwsError('AccessDenied', message, 403)

    def resource_denial(self, resource_type):
        """CloudFormation's reason for failing a resource of `resource_type` it cannot make with
        the caller's permissions; None when the policy allows every action it needs."""
        for action in RESOURCE_ACTIONS.get(resource_type, []):
            if not self.allows(action):
                service = action.split(':')[0]
                return ('Resource handler returned message: "' + self._denial(action) +
                        f' (Service: {service.capitalize()}, Status Code: 403, Request ID: '
                        'stand-in)" (HandlerErrorCode: AccessDenied)')
        return None
