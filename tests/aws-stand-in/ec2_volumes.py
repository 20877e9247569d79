"""The EC2 calls of a stateful Pod's EBS volume: CreateVolume (what CloudFormation's
AWS::EC2::Volume does), DescribeVolumes, AttachVolume and DetachVolume, with AWS's ordering: a
volume attached to one instance cannot be attached to another (VolumeInUse) until it has been
detached, and a detach takes a moment — the volume stays in-use, its attachment detaching,
until a later DescribeVolumes finds it available. Shapes and codes as in botocore's EC2 model
(2016-11-15) and the EC2 API reference.

CloudFormation's AWS::EC2::Volume (stack_operations.py) goes through the same CreateVolume, after
the resource schema's own checks (`create_for_stack`), and its deletion keeps a snapshot when the
resource's DeletionPolicy (or, for a replaced volume, UpdateReplacePolicy) is Snapshot
(`delete_for_stack`), as AWS does: the snapshot carries the volume's ID (Snapshot.VolumeId) and
neither the volume's tags nor a description, which AWS documents none of."""

import re
import secrets

from aws_error import AwsError

# Valid sizes in GiB per type, and the IOPS and throughput ranges, from CreateVolume's
# documentation in botocore's model.
SIZES = {'gp2': (1, 16384), 'gp3': (1, 65536), 'io1': (4, 16384), 'io2': (4, 65536),
         'st1': (125, 16384), 'sc1': (125, 16384), 'standard': (1, 1024)}
VOLUME_TYPES = set(SIZES)
IOPS = {'gp3': (3000, 80000), 'io1': (100, 64000), 'io2': (100, 256000)}
THROUGHPUT = (125, 2000)  # gp3 only
# The properties of AWS::EC2::Volume (CloudFormation resource specification) and their types.
STACK_PROPERTIES = {'AutoEnableIO': bool, 'AvailabilityZone': str, 'Encrypted': bool,
                    'Iops': int, 'KmsKeyId': str, 'MultiAttachEnabled': bool,
                    'OutpostArn': str, 'Size': int, 'SnapshotId': str, 'Tags': list,
                    'Throughput': int, 'VolumeType': str}
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
        if size is None and not params.get('SnapshotId'):
            raise AwsError('MissingParameter', 'The request must contain the parameter size or '
                           'snapshotId')
        low, high = SIZES[volume_type]
        if size is None or not low <= int(size) <= high:
            raise AwsError('InvalidParameterValue', f'Volume size must be between {low} and '
                           f'{high} GiB for {volume_type} volumes.')
        iops = params.get('Iops')
        if volume_type in ('io1', 'io2') and iops is None:
            raise AwsError('InvalidParameterCombination', 'The parameter iops must be specified '
                           f'for {volume_type} volumes.')
        if iops is not None:
            if volume_type not in IOPS:
                raise AwsError('InvalidParameterCombination', 'The parameter iops is not '
                               f'supported for {volume_type} volumes.')
            low, high = IOPS[volume_type]
            if not low <= int(iops) <= high:
                raise AwsError('InvalidParameterValue', f'Volume iops of {iops} is outside the '
                               f'range of {low} to {high} for {volume_type} volumes.')
        throughput = params.get('Throughput')
        if throughput is not None:
            if volume_type != 'gp3':
                raise AwsError('InvalidParameterCombination', 'The parameter throughput is not '
                               f'supported for {volume_type} volumes.')
            if not THROUGHPUT[0] <= int(throughput) <= THROUGHPUT[1]:
                raise AwsError('InvalidParameterValue', f'Throughput of {throughput} MiB/s is '
                               f'outside the range of {THROUGHPUT[0]} to {THROUGHPUT[1]}.')
        if params.get('KmsKeyId') and not params.get('Encrypted'):
            raise AwsError('InvalidParameterDependency', 'The parameter KmsKeyId requires the '
                           'parameter Encrypted to be set.')
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

    def create_for_stack(self, props):
        """CloudFormation's AWS::EC2::Volume: the schema's checks (a ValueError with the
        message CloudFormation gives after "Properties validation failed for resource LID with
        message: "), then CreateVolume (its AwsError); the new volume's ID."""
        if not isinstance(props, dict):
            raise ValueError('#: expected type: JSONObject, found: JSONArray')
        if 'AvailabilityZone' not in props:
            raise ValueError('#: required key [AvailabilityZone] not found')
        params = {}
        for name, value in props.items():
            kind = STACK_PROPERTIES.get(name)
            if kind is None:
                raise ValueError(f'#: extraneous key [{name}] is not permitted')
            if kind is bool and str(value).lower() in ('true', 'false'):
                value = str(value).lower() == 'true'
            elif kind is int and str(value).isdigit():
                value = int(str(value))
            elif kind is str and isinstance(value, str):
                pass
            elif kind is list and isinstance(value, list):
                pass
            else:
                raise ValueError(f'#/{name}: expected type: {kind.__name__}, found: '
                                 f'{type(value).__name__}')
            params[name] = value
        tags = params.pop('Tags', [])
        if tags:
            params['TagSpecifications'] = [{'ResourceType': 'volume', 'Tags': tags}]
        return self.create_volume(params)['VolumeId']

    def delete_for_stack(self, volume_id, policy, snapshots):
        """A stack's volume going away under `policy` (Delete, Retain or Snapshot): a snapshot
        first for Snapshot (into `snapshots`, ebs.py's, which DescribeSnapshots reads); an
        attached volume cannot be deleted. The snapshot's ID, or None."""
        volume = self.volumes.get(volume_id)
        if volume is None or policy == 'Retain':
            return None
        if volume['State'] != 'available':
            raise AwsError('VolumeInUse', f'Volume {volume_id} is currently attached to '
                           f"{volume['Attachments'][0]['InstanceId']}")
        snapshot_id = None
        if policy == 'Snapshot':
            snapshot_id = 'snap-' + secrets.token_hex(9)[:17]
            snapshots[snapshot_id] = {
                'id': snapshot_id, 'state': 'completed', 'volume_size': volume['Size'],
                'description': '', 'tags': [], 'client_token': None,
                'start_time': self.clock(), 'blocks': {}, 'steps_left': None,
                'state_message': None, 'volume_id': volume_id,
                'encrypted': volume['Encrypted']}
        del self.volumes[volume_id]
        return snapshot_id

    def terminated(self, instance_id):
        """An instance is gone (its group deleted): its volumes are available again."""
        for volume in self.volumes.values():
            if volume['Attachments'] and volume['Attachments'][0]['InstanceId'] == instance_id:
                volume['Attachments'] = []
                volume['State'] = 'available'

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
