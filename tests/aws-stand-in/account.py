"""The emulated account around a stack, as deploy's preflight reads it: its VPC, subnets, route
tables, NAT gateway and VPC endpoints (EC2 DescribeSubnets, DescribeRouteTables,
DescribeVpcEndpoints), the instance types EC2 offers (DescribeInstanceTypes), EBS's default
encryption (GetEbsEncryptionByDefault, GetEbsDefaultKmsKeyId), its KMS keys and its Route 53
hosted zones.

The default account is a prepared one: private subnets in us-east-1a and 1b reaching the
internet through a NAT gateway, public subnets in the same zones behind an internet gateway,
the zone example.com, EBS encryption off. POST /_stand-in/account changes it (README.md), to
stand for the accounts deploy must refuse: a fresh account with one subnet, no NAT gateway,
a customer-managed default EBS key whose policy leaves Auto Scaling out."""

import json

from aws_error import AwsError
from instance_types import INSTANCE_TYPES

VPC = 'vpc-0a1b2c3d4e5f60718'
PRIVATE_SUBNETS = {'subnet-0a1b2c3d4e5f60001': 'us-east-1a',
                   'subnet-0a1b2c3d4e5f60002': 'us-east-1b',
                   # a second private subnet in 1a
                   'subnet-0a1b2c3d4e5f60003': 'us-east-1a'}
PUBLIC_SUBNETS = {'subnet-0a1b2c3d4e5f60101': 'us-east-1a',
                  'subnet-0a1b2c3d4e5f60102': 'us-east-1b'}
# Only in 1c: instances there are beyond the reach of a balancer in 1a and 1b.
PRIVATE_SUBNET_1C = 'subnet-0a1b2c3d4e5f60004'
HOSTED_ZONE = ('Z0123456789EXAMPLEAB', 'example.com.')
NAT_GATEWAY = 'nat-0a1b2c3d4e5f60718'
INTERNET_GATEWAY = 'igw-0a1b2c3d4e5f60718'
AWS_MANAGED_EBS_KEY = '0a1b2c3d-0000-4000-8000-00000000ebs0'
CUSTOMER_EBS_KEY = '0a1b2c3d-0000-4000-8000-0000000000c1'
AUTOSCALING_ROLE = 'role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling'
# The VPC endpoint services an instance's reporter calls, by endpoint prefix.
REPORTER_SERVICES = ('cloudformation', 'autoscaling', 'monitoring', 'logs')


def _key_policy(account, autoscaling_allowed):
    statements = [{'Sid': 'Enable IAM User Permissions', 'Effect': 'Allow',
                   'Principal': {'AWS': f'arn:aws:iam::{account}:root'},
                   'Action': 'kms:*', 'Resource': '*'}]
    if autoscaling_allowed:  # AWS's advice for a CMK of encrypted EBS volumes
        role = f'arn:aws:iam::{account}:{AUTOSCALING_ROLE}'
        statements += [
            {'Sid': 'Allow service-linked role use of the customer managed key',
             'Effect': 'Allow', 'Principal': {'AWS': [role]},
             'Action': ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*',
                        'kms:DescribeKey'], 'Resource': '*'},
            {'Sid': 'Allow attachment of persistent resources', 'Effect': 'Allow',
             'Principal': {'AWS': [role]}, 'Action': ['kms:CreateGrant'], 'Resource': '*',
             'Condition': {'Bool': {'kms:GrantIsForAWSResource': True}}}]
    return json.dumps({'Version': '2012-10-17', 'Id': 'key-default-1',
                       'Statement': statements}, indent=2)


def _filtered(items, filters, fields):
    """`items` whose fields match every filter (EC2: any of a filter's values)."""
    for spec in filters:
        field = fields.get(spec['Name'])
        if field is None:
            raise AwsError('InvalidParameterValue', f"stand-in: the filter '{spec['Name']}' is "
                           f"not emulated here ({', '.join(fields)} are)")
        items = [i for i in items if i.get(field) in spec.get('Values', [])]
    return items


class Account:
    def __init__(self, config):
        self.config = config
        self.nat = True
        self.endpoints = []  # endpoint prefixes with an interface endpoint
        self.ebs_default_key = None  # None (encryption off), 'aws', 'customer', 'customer-open'
        self.operations = {'DescribeInstanceTypes': self.describe_instance_types,
                           'DescribeSubnets': self.describe_subnets,
                           'DescribeRouteTables': self.describe_route_tables,
                           'DescribeVpcEndpoints': self.describe_vpc_endpoints,
                           'GetEbsEncryptionByDefault': self.get_ebs_encryption_by_default,
                           'GetEbsDefaultKmsKeyId': self.get_ebs_default_kms_key_id}

    def change(self, spec):
        """Applies a POST /_stand-in/account body; ValueError says what is wrong."""
        if not isinstance(spec, dict):
            raise ValueError('expected a JSON object: {"nat": …, "vpc_endpoints": […], '
                             '"ebs_default_key": …}')
        unknown = sorted(set(spec) - {'nat', 'vpc_endpoints', 'ebs_default_key'})
        if unknown:
            raise ValueError(f'unknown account setting {unknown[0]!r}')
        if 'nat' in spec:
            self.nat = bool(spec['nat'])
        if 'vpc_endpoints' in spec:
            if not set(spec['vpc_endpoints']) <= set(REPORTER_SERVICES):
                raise ValueError(f'vpc_endpoints are among {", ".join(REPORTER_SERVICES)}')
            self.endpoints = list(spec['vpc_endpoints'])
        if 'ebs_default_key' in spec:
            if spec['ebs_default_key'] not in (None, 'aws', 'customer', 'customer-open'):
                raise ValueError('ebs_default_key is null, "aws", "customer" (its policy leaves '
                                 'Auto Scaling out) or "customer-open" (it lets Auto Scaling in)')
            self.ebs_default_key = spec['ebs_default_key']

    def record(self):
        return {'vpc': VPC, 'nat': self.nat, 'vpc_endpoints': self.endpoints,
                'ebs_default_key': self.ebs_default_key}

    # EC2 ------------------------------------------------------------------------------------

    def describe_instance_types(self, params):
        names = params.get('InstanceTypes', [])
        # A name outside the model's enum never gets here (ValidationError).
        unknown = [n for n in names if n not in INSTANCE_TYPES]
        if unknown:
            raise AwsError('InvalidParameterValue', f"stand-in: {', '.join(unknown)} not "
                           'emulated (instance_types.py has a handful of types)')
        if params.get('Filters'):
            raise AwsError('InvalidParameterValue', 'stand-in: DescribeInstanceTypes filters '
                           'are not emulated')
        return {'InstanceTypes': [INSTANCE_TYPES[n] for n in names or INSTANCE_TYPES]}

    def _subnets(self):
        subnets = []
        zones = {**PRIVATE_SUBNETS, PRIVATE_SUBNET_1C: 'us-east-1c', **PUBLIC_SUBNETS}
        for number, (subnet_id, zone) in enumerate(zones.items()):
            public = subnet_id in PUBLIC_SUBNETS
            subnets.append({'SubnetId': subnet_id, 'VpcId': VPC, 'State': 'available',
                            'AvailabilityZone': zone,
                            'AvailabilityZoneId': 'use1-az' + str(' abc'.index(zone[-1])),
                            'CidrBlock': f'10.0.{number}.0/24', 'AvailableIpAddressCount': 251,
                            'DefaultForAz': False, 'MapPublicIpOnLaunch': public,
                            'OwnerId': self.config.account,
                            'SubnetArn': f'arn:aws:ec2:{self.config.region}:'
                                         f'{self.config.account}:subnet/{subnet_id}'})
        return subnets

    def describe_subnets(self, params):
        subnets = self._subnets()
        ids = params.get('SubnetIds', [])
        missing = [i for i in ids if i not in {s['SubnetId'] for s in subnets}]
        if missing:
            raise AwsError('InvalidSubnetID.NotFound',
                           f"The subnet ID '{', '.join(missing)}' does not exist")
        if ids:
            subnets = [s for s in subnets if s['SubnetId'] in ids]
        subnets = _filtered(subnets, params.get('Filters', []), {'vpc-id': 'VpcId'})
        return {'Subnets': subnets}

    def describe_route_tables(self, params):
        local = {'DestinationCidrBlock': '10.0.0.0/16', 'GatewayId': 'local',
                 'Origin': 'CreateRouteTable', 'State': 'active'}
        main = {'RouteTableId': 'rtb-0a1b2c3d4e5f60000', 'VpcId': VPC,
                'OwnerId': self.config.account, 'Routes': [local],
                'Associations': [{'Main': True, 'RouteTableId': 'rtb-0a1b2c3d4e5f60000',
                                  'RouteTableAssociationId': 'rtbassoc-0a1b2c3d4e5f60000',
                                  'AssociationState': {'State': 'associated'}}]}
        private = {'RouteTableId': 'rtb-0a1b2c3d4e5f60001', 'VpcId': VPC,
                   'OwnerId': self.config.account, 'Routes': [local], 'Associations': []}
        if self.nat:
            private['Routes'] = [local, {'DestinationCidrBlock': '0.0.0.0/0',
                                         'NatGatewayId': NAT_GATEWAY, 'Origin': 'CreateRoute',
                                         'State': 'active'}]
        public = {'RouteTableId': 'rtb-0a1b2c3d4e5f60101', 'VpcId': VPC,
                  'OwnerId': self.config.account,
                  'Routes': [local, {'DestinationCidrBlock': '0.0.0.0/0',
                                     'GatewayId': INTERNET_GATEWAY, 'Origin': 'CreateRoute',
                                     'State': 'active'}], 'Associations': []}
        # 1c's subnet is on the main table: no way out.
        for table, subnets in ((private, PRIVATE_SUBNETS), (public, PUBLIC_SUBNETS)):
            for n, subnet_id in enumerate(subnets):
                table['Associations'].append(
                    {'Main': False, 'RouteTableId': table['RouteTableId'], 'SubnetId': subnet_id,
                     'RouteTableAssociationId': f"rtbassoc-{table['RouteTableId'][4:-1]}{n}",
                     'AssociationState': {'State': 'associated'}})
        tables = _filtered([main, private, public], params.get('Filters', []),
                           {'vpc-id': 'VpcId'})
        return {'RouteTables': tables}

    def describe_vpc_endpoints(self, params):
        endpoints = []
        for n, prefix in enumerate(self.endpoints):
            endpoints.append({'VpcEndpointId': f'vpce-0a1b2c3d4e5f6000{n}',
                              'VpcEndpointType': 'Interface', 'VpcId': VPC,
                              'ServiceName': f'com.amazonaws.{self.config.region}.{prefix}',
                              # The model's enum; AWS's answers say 'available' (clients
                              # compare without case).
                              'State': 'Available', 'PrivateDnsEnabled': True,
                              'SubnetIds': list(PRIVATE_SUBNETS)[:2],
                              'OwnerId': self.config.account})
        return {'VpcEndpoints': _filtered(endpoints, params.get('Filters', []),
                                          {'vpc-id': 'VpcId'})}

    def get_ebs_encryption_by_default(self, params):
        return {'EbsEncryptionByDefault': self.ebs_default_key is not None}

    def get_ebs_default_kms_key_id(self, params):
        # Without a key of its own, the account's default is the AWS managed key aws/ebs.
        if self.ebs_default_key in ('customer', 'customer-open'):
            return {'KmsKeyId': self.key_arn(CUSTOMER_EBS_KEY)}
        return {'KmsKeyId': 'alias/aws/ebs'}

    # KMS and Route 53 (kms.py, route53.py) --------------------------------------------------

    def key_arn(self, key_id):
        return f'arn:aws:kms:{self.config.region}:{self.config.account}:key/{key_id}'

    def find_key(self, key_id):
        """(key id, 'AWS' | 'CUSTOMER', policy) of a key id, ARN or alias; None if unknown."""
        customer_names = {CUSTOMER_EBS_KEY, self.key_arn(CUSTOMER_EBS_KEY)}
        if key_id in customer_names and self.ebs_default_key in ('customer', 'customer-open'):
            return (CUSTOMER_EBS_KEY, 'CUSTOMER',
                    _key_policy(self.config.account, self.ebs_default_key == 'customer-open'))
        aws_names = {'alias/aws/ebs', AWS_MANAGED_EBS_KEY, self.key_arn(AWS_MANAGED_EBS_KEY)}
        if key_id in aws_names:
            return AWS_MANAGED_EBS_KEY, 'AWS', _key_policy(self.config.account, True)
        return None

    def hosted_zone(self, zone_id):
        return HOSTED_ZONE[1] if zone_id == HOSTED_ZONE[0] else None
