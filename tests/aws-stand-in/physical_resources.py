"""What CloudFormation's resource handlers would have made: plausible physical IDs, the attributes
Fn::GetAtt reads, and the instances of Auto Scaling groups."""

import random
import time
import uuid

from cfn_template import Resolver


_rng = random.Random()


def _suffix(length=12):
    """The random upper-case suffix CloudFormation appends to names it generates."""
    return ''.join(_rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') for _ in range(length))


def _hex(length):
    return ''.join(_rng.choice('0123456789abcdef') for _ in range(length))


def _generated_name(stack, lid, limit):
    """stack-Logical-SUFFIX, cut to `limit` characters as CloudFormation does."""
    room = limit - 14
    head = f'{stack.name}-{lid}'
    if len(head) > room:
        head = f'{stack.name[:room // 2]}-{lid[:room - room // 2 - 1]}'
    return f'{head}-{_suffix()}'


def whole_number(value):
    """An integer property as a number: 3, "3"; 0 when it is neither."""
    try:
        return int(str(value))
    except ValueError:
        return 0


def physical_identity(stack, resource, config):
    """A plausible physical ID, and the attributes Fn::GetAtt reads."""
    props = Resolver(stack, config).resolve(resource.definition.get('Properties', {}))
    if not isinstance(props, dict):
        props = {}
    region, account, lid = config.region, config.account, resource.logical_id
    kind = resource.type
    attributes = {}
    if kind == 'AWS::ElasticLoadBalancingV2::LoadBalancer':
        name = props.get('Name') or _generated_name(stack, lid, 32)
        network = props.get('Type') == 'network'
        family = 'net' if network else 'app'
        suffix = _hex(16)
        physical = f'arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{family}/' \
                   f'{name}/{suffix}'
        internal = 'internal-' if props.get('Scheme') == 'internal' else ''
        dns = f'{name}-{_hex(16)}.elb.{region}.amazonaws.com' if network else \
            f'{internal}{name}-{_rng.randrange(10**9, 10**10)}.{region}.elb.amazonaws.com'
        attributes = {'DNSName': dns, 'LoadBalancerName': name,
                      'LoadBalancerFullName': f'{family}/{name}/{suffix}',
                      'CanonicalHostedZoneID': 'Z26RNL4JYFTOTI' if network
                      else 'Z35SXDOTRQ7X7K',
                      'SecurityGroups': props.get('SecurityGroups', [])}
    elif kind == 'AWS::ElasticLoadBalancingV2::TargetGroup':
        name = props.get('Name') or _generated_name(stack, lid, 32)
        suffix = _hex(16)
        physical = f'arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name}/' \
                   f'{suffix}'
        attributes = {'TargetGroupName': name, 'TargetGroupArn': physical,
                      'TargetGroupFullName': f'targetgroup/{name}/{suffix}',
                      'LoadBalancerArns': []}
    elif kind == 'AWS::ElasticLoadBalancingV2::Listener':
        balancer = str(props.get('LoadBalancerArn', ''))
        path = balancer.split(':loadbalancer/', 1)[1] if ':loadbalancer/' in balancer \
            else f'app/{stack.name}/{_hex(16)}'
        physical = f'arn:aws:elasticloadbalancing:{region}:{account}:listener/{path}/' \
                   f'{_hex(16)}'
        attributes = {'ListenerArn': physical}
    elif kind == 'AWS::EC2::SecurityGroup':
        physical = f'sg-{_hex(17)}'
        attributes = {'GroupId': physical, 'VpcId': props.get('VpcId', f'vpc-{_hex(17)}')}
    elif kind == 'AWS::EC2::LaunchTemplate':
        physical = f'lt-{_hex(17)}'
        attributes = {'LatestVersionNumber': '1', 'DefaultVersionNumber': '1',
                      'LaunchTemplateId': physical,
                      'LaunchTemplateName': props.get('LaunchTemplateName')
                      or f'{lid}-{_suffix()}'}
    elif kind == 'AWS::IAM::Role':
        physical = props.get('RoleName') or _generated_name(stack, lid, 64)
        attributes = {'Arn': f"arn:aws:iam::{account}:role{props.get('Path', '/')}{physical}",
                      'RoleId': f'AROA{_suffix(17)}'}
    elif kind == 'AWS::IAM::InstanceProfile':
        physical = props.get('InstanceProfileName') or _generated_name(stack, lid, 128)
        attributes = {'Arn': f"arn:aws:iam::{account}:instance-profile"
                             f"{props.get('Path', '/')}{physical}"}
    elif kind == 'AWS::AutoScaling::AutoScalingGroup':
        physical = props.get('AutoScalingGroupName') or _generated_name(stack, lid, 255)
    elif kind == 'AWS::SecretsManager::Secret':
        name = props.get('Name') or _generated_name(stack, lid, 256)
        physical = f'arn:aws:secretsmanager:{region}:{account}:secret:{name}-{_suffix(6)}'
        attributes = {'Id': physical}
    elif kind == 'AWS::Route53::RecordSet':
        physical = str(props.get('Name', _generated_name(stack, lid, 255))).rstrip('.')
    else:
        physical = _generated_name(stack, lid, 255)
    return str(physical), attributes

def sync_secret(stack, resource, config):
    """Keeps a Secrets Manager secret's value as its definition now says (a NoEcho parameter's
    real value), for secrets_manager.py: a new version on each create or update."""
    if resource.type != 'AWS::SecretsManager::Secret':
        return
    props = Resolver(stack, config).resolve(resource.definition.get('Properties', {}))
    if not isinstance(props, dict):
        props = {}
    name = resource.physical_id.split(':secret:', 1)[1].rsplit('-', 1)[0]
    resource.secret = {'Name': name, 'SecretString': str(props.get('SecretString', '')),
                       'VersionId': str(uuid.uuid4()), 'CreatedDate': time.time()}


def sync_group(stack, resource, config, clock, creating):
    """Keeps an Auto Scaling group's instances in line with its definition: a changed launch
    template replaces them all (a rolling update), a changed size adds or removes some."""
    if resource.type != 'AWS::AutoScaling::AutoScalingGroup':
        return
    props = Resolver(stack, config).resolve(resource.definition.get('Properties', {}))
    group = resource.group or {'created': clock(), 'instances': [],
                               'arn_id': str(uuid.uuid4())}
    subnets = props.get('VPCZoneIdentifier') or []
    if isinstance(subnets, str):
        subnets = subnets.split(',')
    zones = props.get('AvailabilityZones') or [
        f'{config.region}{chr(ord("a") + i)}' for i in range(max(len(subnets), 1))]
    group['zones'] = zones
    desired = whole_number(props.get('DesiredCapacity', props.get('MinSize', 0)))
    template = props.get('LaunchTemplate')
    instance_type = None
    if isinstance(template, dict):
        template = {k: str(v) for k, v in template.items()
                    if k in ('LaunchTemplateId', 'LaunchTemplateName', 'Version')}
        owner = next((r for r in stack.resources.values()
                      if r.physical_id == template.get('LaunchTemplateId')), None)
        if owner is not None:
            template.setdefault('LaunchTemplateName', owner.attributes.get('LaunchTemplateName'))
            data = Resolver(stack, config).resolve(
                owner.definition.get('Properties', {}).get('LaunchTemplateData', {}))
            instance_type = data.get('InstanceType') if isinstance(data, dict) else None
    else:
        template = None
    instances = group['instances']
    if group.get('template') != template:
        instances.clear()
    group['template'] = template
    del instances[desired:]
    while len(instances) < desired:
        instance = {'InstanceId': f'i-{_hex(17)}',
                    'AvailabilityZone': zones[len(instances) % len(zones)],
                    'LifecycleState': 'Pending' if creating else 'InService',
                    'HealthStatus': 'Healthy', 'ProtectedFromScaleIn': False}
        if template:
            instance['LaunchTemplate'] = template
        if isinstance(instance_type, str):
            instance['InstanceType'] = instance_type
        instances.append(instance)
    resource.group = group
