"""The EC2 calls of a stateful Pod's EBS volume: CreateVolume (what CloudFormation's
AWS::EC2::Volume does), DescribeVolumes, AttachVolume and DetachVolume, with AWS's ordering: a
volume attached to one instance cannot be attached to another (VolumeInUse) until it has been
detached, and a detach takes a moment — the volume stays in-use, its attachment detaching,
until a later DescribeVolumes finds it available. Shapes and codes as in botocore's EC2 model
(2016-11-15) and the EC2 API reference."""

import re
import secrets

from aws_error import AwsError

VOLUME_TYPES = {'gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1', 'standard'}
# The device names EC2 takes for an attached EBS volume on Linux (Nitro instances show every
# one as NVMe whatever its name).
DEVICE = re.compile(r'/dev/(sd[b-z]|xvd[b-z])[1-9]?')


class Ec2Volumes:
    def __init__(self, config, clock):
        self.config = config
        self.clock = clock
        self.volumes = {}  # id -> the Volume shape's members, plus 'steps_left' while detaching
        self.operations = {'CreateVolume': self.create_volume,
                           'DescribeVolumes': self.describe_volumes,
                           'AttachVolume': self.attach_volume,
                           'DetachVolume': self.detach_volume}

    def _find(self, volume_id):
        volume = self.volumes.get(volume_id)
        if volume is None:
            raise AwsError('InvalidVolume.NotFound',
                           f"The volume '{volume_id}' does not exist.")
        return volume

    def _step(self, volume):
        """A detach completes at the DescribeVolumes after the one that saw it detaching."""
        attachment = volume['Attachments'][0] if volume['Attachments'] else None
        if attachment is None:
            return
        if attachment['State'] == 'attaching':
            attachment['State'] = 'attached'
        elif attachment['State'] == 'detaching':
            volume['steps_left'] -= 1
            if volume['steps_left'] < 0:
                volume['Attachments'] = []
                volume['State'] = 'available'

    def create_volume(self, params):
        zone = params['AvailabilityZone']
        if not zone.startswith(self.config.region):
            raise AwsError('InvalidZone.NotFound', f"The zone '{zone}' does not exist.")
        volume_type = params.get('VolumeType', 'gp2')
        if volume_type not in VOLUME_TYPES:
            raise AwsError('InvalidParameterValue', f"Value ({volume_type}) for parameter "
                           'volumeType is invalid.')
        size = params.get('Size')
        if size is None or not 1 <= int(size) <= 16384:
            raise AwsError('InvalidParameterValue', 'Volume size must be between 1 and 16384 GiB'
                           f' for {volume_type} volumes.')
        volume_id = 'vol-' + secrets.token_hex(9)[:17]
        tags = []
        for spec in params.get('TagSpecifications', []):
            if spec.get('ResourceType') == 'volume':
                tags += spec.get('Tags', [])
        volume = {'Attachments': [], 'AvailabilityZone': zone, 'CreateTime': self.clock(),
                  'Encrypted': bool(params.get('Encrypted', False)), 'Size': int(size),
                  'SnapshotId': params.get('SnapshotId', ''), 'State': 'available',
                  'VolumeId': volume_id, 'VolumeType': volume_type, 'Tags': tags or None,
                  'MultiAttachEnabled': False}
        if volume_type == 'gp3':
            volume['Iops'] = int(params.get('Iops', 3000))
            volume['Throughput'] = int(params.get('Throughput', 125))
        if params.get('KmsKeyId'):
            volume['KmsKeyId'] = params['KmsKeyId']
        self.volumes[volume_id] = volume
        return self._shape(volume)

    @staticmethod
    def _shape(volume):
        return {k: v for k, v in volume.items() if k != 'steps_left' and v is not None}

    def describe_volumes(self, params):
        ids = params.get('VolumeIds') or list(self.volumes)
        for volume_id in ids:
            self._find(volume_id)
        found = []
        for volume_id in ids:
            volume = self.volumes[volume_id]
            self._step(volume)
            if _matches(volume, params.get('Filters', [])):
                found.append(self._shape(volume))
        return {'Volumes': found}

    def attach_volume(self, params):
        volume = self._find(params['VolumeId'])
        device = params['Device']
        if not DEVICE.fullmatch(device):
            raise AwsError('InvalidParameterValue', f"Value ({device}) for parameter device is "
                           'invalid. ' + device + ' is not a valid EBS device name.')
        if volume['State'] != 'available':
            # AWS's own wording, also while the volume is still detaching from the old one.
            raise AwsError('VolumeInUse', f"{volume['VolumeId']} is already attached to an "
                           'instance')
        for other in self.volumes.values():
            if any(a['InstanceId'] == params['InstanceId'] and a['Device'] == device
                   for a in other['Attachments']):
                # AWS's wording for a device name another volume of the instance has.
                raise AwsError('InvalidParameterValue', f"Invalid value '{device}' for "
                               f'unixDevice. Attachment point {device} is already in use')
        attachment = {'AttachTime': self.clock(), 'Device': device,
                      'InstanceId': params['InstanceId'], 'State': 'attaching',
                      'VolumeId': volume['VolumeId'], 'DeleteOnTermination': False}
        volume['Attachments'] = [attachment]
        volume['State'] = 'in-use'
        return dict(attachment)

    def detach_volume(self, params):
        volume = self._find(params['VolumeId'])
        if volume['State'] != 'in-use':
            raise AwsError('IncorrectState', f"Volume '{volume['VolumeId']}' is in the "
                           f"'{volume['State']}' state.")
        attachment = volume['Attachments'][0]
        instance = params.get('InstanceId')
        if instance and instance != attachment['InstanceId']:
            raise AwsError('InvalidAttachment.NotFound', f"Volume '{volume['VolumeId']}' is not "
                           f"attached to instance '{instance}'.")
        attachment['State'] = 'detaching'
        volume['steps_left'] = 1
        return dict(attachment)

    def release(self, instance_id):
        """An instance terminated: its volumes detach (DeleteOnTermination is false for a
        volume attached after launch), as AWS does once the instance has stopped."""
        for volume in self.volumes.values():
            if volume['Attachments'] and volume['Attachments'][0]['InstanceId'] == instance_id:
                volume['Attachments'][0]['State'] = 'detaching'
                volume['steps_left'] = 1


def _matches(volume, filters):
    fields = {'status': [volume['State']], 'availability-zone': [volume['AvailabilityZone']],
              'attachment.instance-id': [a['InstanceId'] for a in volume['Attachments']],
              'volume-id': [volume['VolumeId']]}
    for tag in volume.get('Tags') or []:
        fields['tag:' + tag['Key']] = [tag['Value']]
    for f in filters:
        values = fields.get(f['Name'])
        if values is None or not set(values) & set(f.get('Values', [])):
            return False
    return True
