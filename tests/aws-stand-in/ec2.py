"""The EC2 calls that make and find AMIs: DescribeSnapshots (of the snapshots the EBS direct
APIs wrote, stepping completing ones to completed), DeleteSnapshot (of one no image uses),
RegisterImage, DescribeImages with owner and tag filters, and CreateTags. Images are available
as soon as they are registered."""

import re
import secrets

from account import Account
from aws_error import AwsError
from ec2_volumes import Ec2Volumes

AMI_NAME = re.compile(r"[a-zA-Z0-9()\[\] ./'@_-]{3,128}")


def _not_found(kind, ids):
    return AwsError(f'Invalid{kind}.NotFound', f"The {kind.lower()} ID '{', '.join(ids)}' does "
                    'not exist')


def _snapshot_matches(snapshot, filters):
    """DescribeSnapshots' filters the stand-in knows: volume-id, status and tag:KEY."""
    fields = {'volume-id': [snapshot.get('volume_id') or 'vol-ffffffff'],
              'status': [snapshot['state']]}
    for tag in snapshot['tags'] or []:
        fields['tag:' + tag['Key']] = [tag['Value']]
    for f in filters:
        if f['Name'] not in fields and not f['Name'].startswith('tag:'):
            raise AwsError('InvalidParameterValue', f"The filter '{f['Name']}' is invalid")
        if not set(fields.get(f['Name'], [])) & set(f.get('Values', [])):
            return False
    return True


class Ec2:
    def __init__(self, config, ebs, clock):
        self.config = config
        self.ebs = ebs
        self.clock = clock
        self.images = {}  # id -> image, in the output shape's members
        self.operations = {'DescribeSnapshots': self.describe_snapshots,
                           'DeleteSnapshot': self.delete_snapshot,
                           'RegisterImage': self.register_image,
                           'DescribeImages': self.describe_images,
                           'CreateTags': self.create_tags}
        # What deploy's preflight reads: the network, instance types and EBS defaults.
        self.account = Account(config)
        self.operations.update(self.account.operations)
        # A stateful Pod's EBS volume, attached by the instance that runs it.
        self.volumes = Ec2Volumes(config, clock)
        self.operations.update(self.volumes.operations)

    def describe_snapshots(self, params):
        ids = params.get('SnapshotIds') or list(self.ebs.snapshots)
        missing = [i for i in ids if i not in self.ebs.snapshots]
        if params.get('SnapshotIds'):
            missing += [i for i in ids if not self.ebs.consistency.known(i) and i not in missing]
        if missing:
            raise _not_found('Snapshot', missing)
        found = []
        for snapshot_id in ids:
            snapshot = self.ebs.snapshots[snapshot_id]
            if not _snapshot_matches(snapshot, params.get('Filters', [])):
                continue
            self.ebs.step(snapshot)
            progress = ('100%' if snapshot['state'] == 'completed'
                        else '0%' if snapshot['steps_left'] is None else '50%')
            found.append({'SnapshotId': snapshot_id, 'State': snapshot['state'],
                          'StateMessage': snapshot['state_message'],
                          'Progress': progress,
                          'VolumeSize': snapshot['volume_size'],
                          'StartTime': snapshot['start_time'], 'OwnerId': self.config.account,
                          'Description': snapshot['description'],
                          'Encrypted': snapshot.get('encrypted', False),
                          # EBS direct API snapshots come from no volume: AWS shows this ID.
                          'VolumeId': snapshot.get('volume_id') or 'vol-ffffffff',
                          'Tags': snapshot['tags'] or None})
        return {'Snapshots': found}

    def delete_snapshot(self, params):
        snapshot_id = params['SnapshotId']
        if snapshot_id not in self.ebs.snapshots:
            raise _not_found('Snapshot', [snapshot_id])
        for image in self.images.values():
            if any(m.get('Ebs', {}).get('SnapshotId') == snapshot_id
                   for m in image['BlockDeviceMappings']):
                raise AwsError('InvalidSnapshot.InUse', f'The snapshot {snapshot_id} is '
                               f"currently in use by {image['ImageId']}")
        del self.ebs.snapshots[snapshot_id]
        return {}

    def register_image(self, params):
        name = params['Name']
        if not AMI_NAME.fullmatch(name):
            raise AwsError('InvalidAMIName.Malformed', f"AMI name '{name}' is invalid: 3 to 128 of "
                           "letters, digits, ( ) [ ] space . / - ' @ _")
        if any(image['Name'] == name for image in self.images.values()):
            raise AwsError('InvalidAMIName.Duplicate', f"AMI name {name} is already in use by "
                           'another AMI')
        mappings = params.get('BlockDeviceMappings', [])
        root = params.get('RootDeviceName')
        if not any(m.get('DeviceName') == root for m in mappings):
            raise AwsError('InvalidBlockDeviceMapping', f'The root device {root} has no block '
                           'device mapping')
        for mapping in mappings:
            snapshot_id = mapping.get('Ebs', {}).get('SnapshotId')
            snapshot = self.ebs.snapshots.get(snapshot_id)
            if snapshot is None or not self.ebs.consistency.known(snapshot_id):
                raise _not_found('Snapshot', [str(snapshot_id)])
            if snapshot['state'] != 'completed':
                raise AwsError('IncorrectState', f"Snapshot '{snapshot_id}' is not 'completed'")
        image_id = f'ami-{secrets.token_hex(9)[:17]}'
        self.images[image_id] = {
            'ImageId': image_id, 'Name': name, 'Description': params.get('Description'),
            'State': 'available', 'OwnerId': self.config.account,
            'CreationDate': self.clock().strftime('%Y-%m-%dT%H:%M:%S.000Z'),
            'Architecture': params.get('Architecture', 'x86_64'), 'ImageType': 'machine',
            'Public': False, 'RootDeviceName': root, 'RootDeviceType': 'ebs',
            'VirtualizationType': params.get('VirtualizationType', 'hvm'), 'Hypervisor': 'xen',
            'EnaSupport': params.get('EnaSupport'), 'BootMode': params.get('BootMode'),
            'ImdsSupport': params.get('ImdsSupport'),
            'BlockDeviceMappings': [{'DeviceName': m['DeviceName'], 'Ebs': m.get('Ebs')}
                                    for m in mappings],
            'Tags': _tags_for('image', params.get('TagSpecifications', []))}
        self.ebs.consistency.made(image_id)
        return {'ImageId': image_id}

    def describe_images(self, params):
        owners = params.get('Owners', [])
        images = list(self.images.values())
        if owners and not {'self', self.config.account} & set(owners):
            images = []
        if params.get('ImageIds'):
            missing = [i for i in params['ImageIds']
                       if i not in self.images or not self.ebs.consistency.known(i)]
            if missing:
                raise _not_found('AMIID', missing)
            images = [i for i in images if i['ImageId'] in params['ImageIds']]
        for spec in params.get('Filters', []):
            images = [i for i in images if _matches(i, spec['Name'], spec.get('Values', []))]
        return {'Images': [{k: v for k, v in i.items() if k != 'Tags' or v} for i in images]}

    def create_tags(self, params):
        for resource in params['Resources']:
            if resource.startswith('ami-') and resource in self.images:
                if not self.ebs.consistency.known(resource):
                    raise _not_found('AMIID', [resource])
                tags = self.images[resource]['Tags']
            elif resource.startswith('snap-') and resource in self.ebs.snapshots:
                tags = self.ebs.snapshots[resource]['tags']
            elif resource.startswith(('ami-', 'snap-')):
                raise _not_found('AMIID' if resource.startswith('ami-') else 'Snapshot',
                                 [resource])
            else:
                raise AwsError('InvalidID', f"The ID '{resource}' is not valid")
            for tag in params['Tags']:
                tags[:] = [t for t in tags if t['Key'] != tag['Key']]
                tags.append({'Key': tag['Key'], 'Value': tag.get('Value', '')})
        return {}

    def record(self):
        return list(self.images.values())


def _tags_for(resource_type, specifications):
    """The tags of RegisterImage's TagSpecifications for `resource_type`."""
    return [{'Key': t['Key'], 'Value': t.get('Value', '')} for spec in specifications
            if spec.get('ResourceType') == resource_type for t in spec.get('Tags', [])]


def _matches(image, name, values):
    if name.startswith('tag:'):
        return any(t['Key'] == name[4:] and t['Value'] in values for t in image['Tags'])
    field = {'name': 'Name', 'state': 'State', 'image-id': 'ImageId'}.get(name)
    if field is None:
        raise AwsError('InvalidParameterValue', f"stand-in: the filter '{name}' is not "
                       'emulated (tag:KEY, name, state, image-id are)')
    return image[field] in values
