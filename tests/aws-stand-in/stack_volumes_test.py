"""A stack's AWS::EC2::Volume (stack_operations.py, ec2_volumes.py), driven by real botocore
clients: CloudFormation creates it in EC2's state, where an instance's AttachVolume finds it; its
properties are checked as AWS checks them; deleting the stack with DeletionPolicy Snapshot leaves
a snapshot DescribeSnapshots finds by the volume's ID, and an attached volume is not deleted.

Run from this folder: python3 -m unittest stack_volumes_test
"""

import json

import botocore.exceptions

from aws_stand_in_test import StandInTestCase, setUpModule, tearDownModule  # noqa: F401

ZONE = [{'ParameterKey': 'Zone', 'ParameterValue': 'us-east-1a'}]


def volume_template(policy='Snapshot', **properties):
    props = {'AvailabilityZone': {'Ref': 'Zone'}, 'Size': 2, 'VolumeType': 'gp3',
             'Encrypted': True, 'Tags': [{'Key': 'i2kit:volume', 'Value': 'data'}]}
    props.update(properties)
    props = {k: v for k, v in props.items() if v is not None}
    return json.dumps({
        'Parameters': {'Zone': {'Type': 'AWS::EC2::AvailabilityZone::Name'}},
        'Resources': {'DbDataVolume': {'Type': 'AWS::EC2::Volume', 'Properties': props,
                                       'DeletionPolicy': policy,
                                       'UpdateReplacePolicy': policy}},
        'Outputs': {'Id': {'Value': {'Ref': 'DbDataVolume'}}}})


class StackVolumesTest(StandInTestCase):
    def setUp(self):
        super().setUp()
        self.ec2 = self.other_client('ec2')

    def delete(self, name):
        self.cfn.delete_stack(StackName=name)
        for _ in range(50):
            stack = self.cfn.describe_stacks(StackName=self.stack_id)['Stacks'][0]
            if not stack['StackStatus'].endswith('_IN_PROGRESS'):
                return stack
        self.fail('the deletion never ended')

    def create(self, name, template):
        stack = self.deploy(name, template, kind='CREATE', parameters=ZONE)
        self.stack_id = stack['StackId']
        return stack

    def test_the_volume_is_made_in_ec2_where_an_instance_attaches_it(self):
        stack = self.create('db', volume_template())
        self.assertEqual(stack['StackStatus'], 'CREATE_COMPLETE')
        volume_id = stack['Outputs'][0]['OutputValue']
        volume = self.ec2.describe_volumes(VolumeIds=[volume_id])['Volumes'][0]
        self.assertEqual((volume['Size'], volume['VolumeType'], volume['Encrypted'],
                          volume['AvailabilityZone']), (2, 'gp3', True, 'us-east-1a'))
        self.assertEqual(volume['Tags'], [{'Key': 'i2kit:volume', 'Value': 'data'}])
        self.ec2.attach_volume(VolumeId=volume_id, InstanceId='i-0123456789abcdef0',
                               Device='/dev/sdf')
        self.assertEqual(self.ec2.describe_volumes(VolumeIds=[volume_id])['Volumes'][0]['State'],
                         'in-use')

    def test_deleting_the_stack_keeps_a_snapshot_found_by_the_volume_id(self):
        volume_id = self.create('db', volume_template())['Outputs'][0]['OutputValue']
        self.assertEqual(self.delete('db')['StackStatus'], 'DELETE_COMPLETE')
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            self.ec2.describe_volumes(VolumeIds=[volume_id])
        self.assertEqual(raised.exception.response['Error']['Code'], 'InvalidVolume.NotFound')
        kept = self.ec2.describe_snapshots(
            OwnerIds=['self'], Filters=[{'Name': 'volume-id', 'Values': [volume_id]}])['Snapshots']
        self.assertEqual(len(kept), 1)
        self.assertEqual((kept[0]['VolumeId'], kept[0]['VolumeSize'], kept[0]['State'],
                          kept[0]['Encrypted']), (volume_id, 2, 'completed', True))
        self.ec2.delete_snapshot(SnapshotId=kept[0]['SnapshotId'])
        self.assertEqual(self.ec2.describe_snapshots(
            Filters=[{'Name': 'volume-id', 'Values': [volume_id]}])['Snapshots'], [])

    def test_delete_policy_leaves_no_snapshot_and_retain_keeps_the_volume(self):
        volume_id = self.create('db', volume_template('Delete'))['Outputs'][0]['OutputValue']
        self.delete('db')
        self.assertEqual(self.ec2.describe_snapshots(
            Filters=[{'Name': 'volume-id', 'Values': [volume_id]}])['Snapshots'], [])
        volume_id = self.create('kept', volume_template('Retain'))['Outputs'][0]['OutputValue']
        self.delete('kept')
        self.assertEqual(len(self.ec2.describe_volumes(VolumeIds=[volume_id])['Volumes']), 1)

    def test_an_attached_volume_fails_the_deletion(self):
        volume_id = self.create('db', volume_template())['Outputs'][0]['OutputValue']
        self.ec2.attach_volume(VolumeId=volume_id, InstanceId='i-0123456789abcdef0',
                               Device='/dev/sdf')
        stack = self.delete('db')
        self.assertEqual(stack['StackStatus'], 'DELETE_FAILED')
        failed = [e for e in self.events(self.stack_id) if e['ResourceStatus'] == 'DELETE_FAILED']
        self.assertIn('is currently attached to i-0123456789abcdef0',
                      failed[0]['ResourceStatusReason'])

    def failure(self, template):
        stack = self.deploy('bad', template, kind='CREATE', parameters=ZONE)
        self.assertEqual(stack['StackStatus'], 'ROLLBACK_COMPLETE')
        failed = [e for e in self.events(stack['StackId'])
                  if e['ResourceStatus'] == 'CREATE_FAILED']
        self.cfn.delete_stack(StackName='bad')
        self.wait(stack['StackId'])
        return failed[0]['ResourceStatusReason']

    def test_properties_are_checked_as_aws_checks_them(self):
        self.assertIn('required key [AvailabilityZone] not found',
                      self.failure(volume_template(AvailabilityZone=None)))
        self.assertIn('size or snapshotId', self.failure(volume_template(Size=None)))
        self.assertIn('volumeType is invalid', self.failure(volume_template(VolumeType='gp4')))
        self.assertIn('range of 3000 to 80000',
                      self.failure(volume_template(Iops=2000)))
        self.assertIn('range of 125 to 2000',
                      self.failure(volume_template(Throughput=4000)))
        self.assertIn('throughput is not supported',
                      self.failure(volume_template(VolumeType='gp2', Throughput=200)))
        self.assertIn('KmsKeyId requires the parameter Encrypted',
                      self.failure(volume_template(Encrypted=False, KmsKeyId='alias/mine')))
        self.assertIn('size must be between 1 and 65536',
                      self.failure(volume_template(Size=70000)))
