"""A stateful Pod's EBS volume across an instance replacement, driven by a real botocore EC2
client (ec2_volumes.py): the new instance's attach is refused while the old instance holds the
volume, and while its detach is still under way; it succeeds once the volume is available.

Run from this folder: python3 -m unittest ec2_volumes_test
"""

import botocore.exceptions

from aws_stand_in_test import StandInTestCase, setUpModule, tearDownModule  # noqa: F401

OLD, NEW = 'i-0123456789abcdef0', 'i-0fedcba9876543210'


class Ec2VolumesTest(StandInTestCase):
    def setUp(self):
        super().setUp()
        self.ec2 = self.other_client('ec2')

    def error_code(self, call, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            call(**kwargs)
        return raised.exception.response['Error']['Code']

    def volume(self, volume_id):
        return self.ec2.describe_volumes(VolumeIds=[volume_id])['Volumes'][0]

    def make_volume(self):
        return self.ec2.create_volume(
            AvailabilityZone='us-east-1a', Size=10, VolumeType='gp3', Encrypted=True,
            TagSpecifications=[{'ResourceType': 'volume',
                                'Tags': [{'Key': 'i2kit:volume', 'Value': 'db/data'}]}])

    def test_a_gp3_volume_is_created_encrypted_in_one_zone(self):
        made = self.make_volume()
        self.assertTrue(made['VolumeId'].startswith('vol-'))
        self.assertEqual(made['State'], 'available')
        self.assertEqual((made['Iops'], made['Throughput']), (3000, 125))
        found = self.ec2.describe_volumes(
            Filters=[{'Name': 'tag:i2kit:volume', 'Values': ['db/data']}])['Volumes']
        self.assertEqual([v['VolumeId'] for v in found], [made['VolumeId']])
        self.assertEqual(found[0]['AvailabilityZone'], 'us-east-1a')
        self.assertTrue(found[0]['Encrypted'])

    def test_the_replacement_attaches_only_after_the_old_instance_has_detached(self):
        volume_id = self.make_volume()['VolumeId']
        attached = self.ec2.attach_volume(VolumeId=volume_id, InstanceId=OLD, Device='/dev/sdf')
        self.assertEqual(attached['State'], 'attaching')
        self.assertEqual(self.volume(volume_id)['Attachments'][0]['State'], 'attached')
        # The replacement boots while the old instance still holds the volume: refused.
        self.assertEqual(self.error_code(self.ec2.attach_volume, VolumeId=volume_id,
                                         InstanceId=NEW, Device='/dev/sdf'), 'VolumeInUse')
        detaching = self.ec2.detach_volume(VolumeId=volume_id, InstanceId=OLD)
        self.assertEqual(detaching['State'], 'detaching')
        # Still refused while the detach is under way: two writers never.
        self.assertEqual(self.error_code(self.ec2.attach_volume, VolumeId=volume_id,
                                         InstanceId=NEW, Device='/dev/sdf'), 'VolumeInUse')
        self.assertEqual(self.volume(volume_id)['State'], 'in-use')
        self.assertEqual(self.volume(volume_id)['State'], 'available')
        self.ec2.attach_volume(VolumeId=volume_id, InstanceId=NEW, Device='/dev/sdf')
        now = self.volume(volume_id)
        self.assertEqual(now['State'], 'in-use')
        self.assertEqual([a['InstanceId'] for a in now['Attachments']], [NEW])

    def test_detach_and_attach_errors_are_awss(self):
        volume_id = self.make_volume()['VolumeId']
        self.assertEqual(self.error_code(self.ec2.detach_volume, VolumeId=volume_id),
                         'IncorrectState')
        self.assertEqual(self.error_code(self.ec2.attach_volume, VolumeId='vol-0000000000000000f',
                                         InstanceId=NEW, Device='/dev/sdf'),
                         'InvalidVolume.NotFound')
        self.assertEqual(self.error_code(self.ec2.attach_volume, VolumeId=volume_id,
                                         InstanceId=NEW, Device='/dev/vda'),
                         'InvalidParameterValue')
        self.ec2.attach_volume(VolumeId=volume_id, InstanceId=OLD, Device='/dev/xvdf')
        self.assertEqual(self.error_code(self.ec2.detach_volume, VolumeId=volume_id,
                                         InstanceId=NEW), 'InvalidAttachment.NotFound')

    def test_a_device_name_another_volume_of_the_instance_has_is_refused(self):
        first, second = self.make_volume()['VolumeId'], self.make_volume()['VolumeId']
        self.ec2.attach_volume(VolumeId=first, InstanceId=NEW, Device='/dev/sdf')
        self.assertEqual(self.error_code(self.ec2.attach_volume, VolumeId=second,
                                         InstanceId=NEW, Device='/dev/sdf'),
                         'InvalidParameterValue')
        self.ec2.attach_volume(VolumeId=second, InstanceId=NEW, Device='/dev/sdg')
