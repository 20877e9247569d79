"""Auto Scaling's view of the AWS::AutoScaling::AutoScalingGroup resources of live stacks: their
groups and instances, whose health the tests (or the agent) can set."""

import base64
import binascii

from aws_error import validation_error
from cfn_template import Resolver
from physical_resources import whole_number

GROUP_TYPE = 'AWS::AutoScaling::AutoScalingGroup'


def _page(items, params, default_size, limit):
    """One page of `items` by MaxRecords and an opaque NextToken; (page, next token or None)."""
    size = params.get('MaxRecords', default_size)
    if not 1 <= size <= limit:
        raise validation_error(f"1 validation error detected: Value '{size}' at 'maxRecords' "
                               f'failed to satisfy constraint: Member must have value less than '
                               f'or equal to {limit}')
    start = 0
    if 'NextToken' in params:
        try:
            start = int(base64.b64decode(params['NextToken']).decode())
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise validation_error('The token provided is invalid.') from None
    end = start + size
    token = base64.b64encode(str(end).encode()).decode() if end < len(items) else None
    return items[start:end], token


class AutoScaling:
    def __init__(self, config, cloudformation):
        self.config = config
        self.cloudformation = cloudformation
        self.operations = {
            'DescribeAutoScalingGroups': self.describe_auto_scaling_groups,
            'DescribeAutoScalingInstances': self.describe_auto_scaling_instances,
            'SetInstanceHealth': self.set_instance_health,
        }

    def _groups(self):
        """(stack, resource) of every group that exists, oldest stack first."""
        for stack in self.cloudformation.stacks:
            if stack.deleted:
                continue
            for resource in stack.resources.values():
                if resource.type == GROUP_TYPE and resource.group is not None:
                    yield stack, resource

    def _instances(self):
        for stack, resource in self._groups():
            for instance in resource.group['instances']:
                yield resource, instance

    def _describe_group(self, stack, resource):
        props = Resolver(stack, self.config).resolve(resource.definition.get('Properties', {}))
        group, name = resource.group, resource.physical_id
        region, account = self.config.region, self.config.account
        subnets = props.get('VPCZoneIdentifier') or []
        tags = [{'Key': tag.get('Key'), 'Value': str(tag.get('Value', '')),
                 'PropagateAtLaunch': str(tag.get('PropagateAtLaunch')).lower() == 'true'}
                for tag in props.get('Tags', []) if isinstance(tag, dict)]
        tags += [{'Key': tag['Key'], 'Value': tag['Value'], 'PropagateAtLaunch': True}
                 for tag in stack.tags]
        tags += [{'Key': 'aws:cloudformation:logical-id', 'Value': resource.logical_id,
                  'PropagateAtLaunch': True},
                 {'Key': 'aws:cloudformation:stack-id', 'Value': stack.id,
                  'PropagateAtLaunch': True},
                 {'Key': 'aws:cloudformation:stack-name', 'Value': stack.name,
                  'PropagateAtLaunch': True}]
        description = {
            'AutoScalingGroupName': name,
            'AutoScalingGroupARN': f'arn:aws:autoscaling:{region}:{account}:autoScalingGroup:'
                                   f"{group['arn_id']}:autoScalingGroupName/{name}",
            'LaunchTemplate': group['template'],
            'MinSize': whole_number(props.get('MinSize')),
            'MaxSize': whole_number(props.get('MaxSize')),
            'DesiredCapacity': whole_number(props.get('DesiredCapacity', props.get('MinSize'))),
            'DefaultCooldown': whole_number(props.get('Cooldown', 300)),
            'AvailabilityZones': group['zones'],
            'LoadBalancerNames': props.get('LoadBalancerNames', []),
            'TargetGroupARNs': props.get('TargetGroupARNs', []),
            'HealthCheckType': props.get('HealthCheckType', 'EC2'),
            'HealthCheckGracePeriod': whole_number(props.get('HealthCheckGracePeriod', 0)),
            'Instances': group['instances'],
            'CreatedTime': group['created'],
            'SuspendedProcesses': [],
            'VPCZoneIdentifier': ','.join(subnets) if isinstance(subnets, list) else subnets,
            'EnabledMetrics': [],
            'Tags': [dict(tag, ResourceId=name, ResourceType='auto-scaling-group')
                     for tag in sorted(tags, key=lambda t: t['Key'])],
            'TerminationPolicies': ['Default'],
            'NewInstancesProtectedFromScaleIn': False,
            'ServiceLinkedRoleARN': f'arn:aws:iam::{account}:role/aws-service-role/'
                                    'autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
        }
        return {k: v for k, v in description.items() if v is not None}

    def describe_auto_scaling_groups(self, params):
        if params.get('Filters'):
            raise validation_error('stand-in: Filters are not emulated; use AutoScalingGroupNames')
        names = params.get('AutoScalingGroupNames')
        groups = [(s, r) for s, r in self._groups() if not names or r.physical_id in names]
        page, token = _page(groups, params, 50, 100)
        result = {'AutoScalingGroups': [self._describe_group(s, r) for s, r in page]}
        if token:
            result['NextToken'] = token
        return result

    def describe_auto_scaling_instances(self, params):
        ids = params.get('InstanceIds')
        found = [(r, i) for r, i in self._instances() if not ids or i['InstanceId'] in ids]
        page, token = _page(found, params, 50, 50)
        details = []
        for resource, instance in page:
            detail = dict(instance, AutoScalingGroupName=resource.physical_id)
            details.append(detail)
        result = {'AutoScalingInstances': details}
        if token:
            result['NextToken'] = token
        return result

    def set_instance_health(self, params):
        status = params['HealthStatus']
        if status not in ('Healthy', 'Unhealthy'):
            raise validation_error(f"Valid values for HealthStatus are Healthy and Unhealthy, not "
                                   f"'{status}'")
        for _, instance in self._instances():
            if instance['InstanceId'] == params['InstanceId']:
                instance['HealthStatus'] = status
                return {}
        raise validation_error('Instance Id not found - No managed instance found for instance '
                               f"ID: {params['InstanceId']}")
