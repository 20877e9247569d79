"""Tests of what the stand-in tells of the account around a stack (account.py): instance types,
subnets, route tables, VPC endpoints, EBS's default key, KMS keys and Route 53 zones, driven by
real botocore clients — their serializers and parsers are botocore's, so each answer has the
shape and protocol AWS's has (EC2 Query, KMS JSON, Route 53 REST-XML).

Run from this folder: python3 -m unittest account_services_test
"""

import json

import botocore.exceptions

import account
from aws_stand_in_test import StandInTestCase, setUpModule, tearDownModule  # noqa: F401


class AccountServicesTest(StandInTestCase):
    def setUp(self):
        super().setUp()
        self.ec2 = self.other_client('ec2')

    def error(self, call, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            call(**kwargs)
        return raised.exception.response

    def test_instance_types_say_hypervisor_architecture_ena_and_nvme(self):
        types = {t['InstanceType']: t for t in self.ec2.describe_instance_types(
            InstanceTypes=['t3.micro', 't2.micro', 't4g.micro', 'i3.metal'])['InstanceTypes']}
        self.assertEqual(types['t3.micro']['Hypervisor'], 'nitro')
        self.assertEqual(types['t3.micro']['ProcessorInfo']['SupportedArchitectures'],
                         ['x86_64'])
        self.assertEqual(types['t3.micro']['NetworkInfo']['EnaSupport'], 'required')
        self.assertEqual(types['t3.micro']['EbsInfo']['NvmeSupport'], 'required')
        self.assertEqual(types['t2.micro']['Hypervisor'], 'xen')
        self.assertEqual(types['t2.micro']['EbsInfo']['NvmeSupport'], 'unsupported')
        self.assertEqual(types['t4g.micro']['ProcessorInfo']['SupportedArchitectures'],
                         ['arm64'])
        self.assertNotIn('Hypervisor', types['i3.metal'])
        self.assertTrue(types['i3.metal']['BareMetal'])
        # A type AWS has (the model's enum) but the stand-in's table leaves out.
        refused = self.error(self.ec2.describe_instance_types, InstanceTypes=['x2gd.metal'])
        self.assertEqual(refused['Error']['Code'], 'InvalidParameterValue')

    def test_subnets_and_their_route_tables_describe_a_prepared_vpc(self):
        subnets = self.ec2.describe_subnets(SubnetIds=list(account.PRIVATE_SUBNETS))['Subnets']
        self.assertEqual([s['AvailabilityZone'] for s in subnets],
                         ['us-east-1a', 'us-east-1b', 'us-east-1a'])
        tables = self.ec2.describe_route_tables(
            Filters=[{'Name': 'vpc-id', 'Values': [account.VPC]}])['RouteTables']
        private = next(t for t in tables if any(
            a.get('SubnetId') == 'subnet-0a1b2c3d4e5f60001' for a in t['Associations']))
        self.assertIn(account.NAT_GATEWAY, [r.get('NatGatewayId') for r in private['Routes']])
        self.assertTrue(any(a['Main'] for t in tables for a in t['Associations']))
        refused = self.error(self.ec2.describe_subnets, SubnetIds=['subnet-0123456789abcdef0'])
        self.assertEqual(refused['Error']['Code'], 'InvalidSubnetID.NotFound')

    def test_an_account_without_nat_has_no_default_route_until_endpoints_are_made(self):
        status, _ = self.control('POST', 'account', {'nat': False,
                                                     'vpc_endpoints': ['logs', 'monitoring']})
        self.assertEqual(status, 200)
        tables = self.ec2.describe_route_tables()['RouteTables']
        self.assertFalse(any(r.get('DestinationCidrBlock') == '0.0.0.0/0' and
                             r.get('NatGatewayId') for t in tables for r in t['Routes']))
        endpoints = self.ec2.describe_vpc_endpoints(
            Filters=[{'Name': 'vpc-id', 'Values': [account.VPC]}])['VpcEndpoints']
        self.assertEqual([e['ServiceName'] for e in endpoints],
                         ['com.amazonaws.us-east-1.logs', 'com.amazonaws.us-east-1.monitoring'])
        self.assertTrue(all(e['PrivateDnsEnabled'] for e in endpoints))
        status, error = self.control('POST', 'account', {'nat': False, 'vpn': True})
        self.assertEqual(status, 400)

    def test_the_default_ebs_key_and_its_policy(self):
        self.assertFalse(self.ec2.get_ebs_encryption_by_default()['EbsEncryptionByDefault'])
        self.assertEqual(self.ec2.get_ebs_default_kms_key_id()['KmsKeyId'], 'alias/aws/ebs')
        self.control('POST', 'account', {'ebs_default_key': 'customer'})
        self.assertTrue(self.ec2.get_ebs_encryption_by_default()['EbsEncryptionByDefault'])
        key_id = self.ec2.get_ebs_default_kms_key_id()['KmsKeyId']
        kms = self.other_client('kms')
        self.assertEqual(kms.describe_key(KeyId=key_id)['KeyMetadata']['KeyManager'], 'CUSTOMER')
        policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName='default')['Policy'])
        self.assertNotIn('AWSServiceRoleForAutoScaling', json.dumps(policy))
        self.control('POST', 'account', {'ebs_default_key': 'customer-open'})
        policy = kms.get_key_policy(KeyId=key_id, PolicyName='default')['Policy']
        self.assertIn('AWSServiceRoleForAutoScaling', policy)
        refused = self.error(kms.describe_key, KeyId='alias/nothing')
        self.assertEqual(refused['Error']['Code'], 'NotFoundException')

    def test_route53_names_its_zones_over_rest_xml(self):
        route53 = self.other_client('route53')
        zone = route53.get_hosted_zone(Id=account.HOSTED_ZONE[0])
        self.assertEqual(zone['HostedZone']['Name'], 'example.com.')
        self.assertEqual(zone['HostedZone']['Id'], f'/hostedzone/{account.HOSTED_ZONE[0]}')
        self.assertFalse(zone['HostedZone']['Config']['PrivateZone'])
        self.assertEqual(len(zone['DelegationSet']['NameServers']), 2)
        refused = self.error(route53.get_hosted_zone, Id='ZNOSUCHZONE')
        self.assertEqual(refused['Error']['Code'], 'NoSuchHostedZone')
        self.assertEqual(refused['ResponseMetadata']['HTTPStatusCode'], 404)
