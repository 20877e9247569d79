"""The EBS direct APIs that write a snapshot: StartSnapshot, PutSnapshotBlock, CompleteSnapshot.
Each block's size, index and SHA-256 are checked as EBS checks them, and CompleteSnapshot checks
the count of blocks written and their LINEAR aggregated checksum. A completed snapshot is
`completing` until EC2's DescribeSnapshots has looked at it twice (ec2.py), then `completed`."""

import base64
import hashlib
import secrets

from aws_error import AwsError
from consistency import Consistency

BLOCK_SIZE = 512 * 1024
GIB = 1024 ** 3
STEPS_TO_COMPLETE = 2  # DescribeSnapshots calls that see a completing snapshot still pending


def _error(model, shape_name, message, reason):
    """The model's error `shape_name` (EBS's carry no code: the shape's name is the code) with its
    Reason."""
    error = AwsError(shape_name, message,
                     model.shape_for(shape_name).metadata['error'].get('httpStatusCode', 400))
    error.fields = {'Reason': reason}
    return error


def _validation(model, message, reason):
    return _error(model, 'ValidationException', message, reason)


def linear_checksum(blocks):
    """base64 SHA-256 of the blocks' SHA-256 digests in ascending block index order."""
    digests = b''.join(base64.b64decode(blocks[index]) for index in sorted(blocks))
    return base64.b64encode(hashlib.sha256(digests).digest()).decode()


class Ebs:
    def __init__(self, config, model, clock):
        self.config = config
        self.model = model
        self.clock = clock
        self.snapshots = {}  # id -> snapshot; EC2 reads them too
        self.consistency = Consistency()  # the stand-in's, shared with EC2
        self.operations = {'StartSnapshot': self.start_snapshot,
                            'PutSnapshotBlock': self.put_snapshot_block,
                            'CompleteSnapshot': self.complete_snapshot}

    def _snapshot(self, snapshot_id):
        snapshot = self.snapshots.get(snapshot_id)
        if snapshot is None or not self.consistency.known(snapshot_id):
            raise _error(self.model, 'ResourceNotFoundException',
                         f'The snapshot {snapshot_id} does not exist.', 'SNAPSHOT_NOT_FOUND')
        return snapshot

    def start_snapshot(self, params):
        token = params.get('ClientToken')
        for snapshot in self.snapshots.values():
            if token and snapshot['client_token'] == token:
                return self._started(snapshot)
        snapshot = {'id': f'snap-{secrets.token_hex(9)[:17]}', 'state': 'pending',
                    'volume_size': params['VolumeSize'], 'description': params.get('Description'),
                    'tags': list(params.get('Tags', [])), 'client_token': token,
                    'start_time': self.clock(), 'blocks': {}, 'steps_left': None,
                    'state_message': None}
        self.snapshots[snapshot['id']] = snapshot
        self.consistency.made(snapshot['id'])
        return self._started(snapshot)

    def _started(self, snapshot):
        return {'SnapshotId': snapshot['id'], 'OwnerId': self.config.account,
                'Status': 'pending', 'StartTime': snapshot['start_time'],
                'VolumeSize': snapshot['volume_size'], 'BlockSize': BLOCK_SIZE,
                'Tags': snapshot['tags'], 'Description': snapshot['description']}

    def put_snapshot_block(self, params):
        snapshot = self._snapshot(params['SnapshotId'])
        if snapshot['state'] != 'pending' or snapshot['steps_left'] is not None:
            raise _validation(self.model, f"The snapshot {snapshot['id']} is not writable: it "
                              f"is {snapshot['state']}", 'INVALID_SNAPSHOT_STATE')
        index = params['BlockIndex']
        blocks = snapshot['volume_size'] * GIB // BLOCK_SIZE
        if index >= blocks:
            raise _validation(self.model, f'The block index {index} is out of range: the '
                              f"{snapshot['volume_size']} GiB volume has blocks 0 to {blocks - 1}",
                              'INVALID_BLOCK')
        data = params['BlockData']
        if params['DataLength'] != BLOCK_SIZE or len(data) != BLOCK_SIZE:
            raise _validation(self.model, f"The block is {len(data)} bytes (x-amz-Data-Length "
                              f"{params['DataLength']}); blocks are {BLOCK_SIZE} bytes",
                              'INVALID_BLOCK')
        checksum = base64.b64encode(hashlib.sha256(data).digest()).decode()
        if params['Checksum'] != checksum:
            raise _validation(self.model, f"The checksum {params['Checksum']} of block {index} "
                              f'does not match its data ({checksum})', 'INVALID_CHECKSUM')
        snapshot['blocks'][index] = checksum
        return {'Checksum': checksum, 'ChecksumAlgorithm': 'SHA256'}

    def complete_snapshot(self, params):
        snapshot = self._snapshot(params['SnapshotId'])
        if snapshot['state'] != 'pending' or snapshot['steps_left'] is not None:
            raise _validation(self.model, f"The snapshot {snapshot['id']} is already "
                              'completing', 'INVALID_SNAPSHOT_STATE')
        written = len(snapshot['blocks'])
        if params['ChangedBlocksCount'] != written:
            raise _validation(self.model, f"ChangedBlocksCount is {params['ChangedBlocksCount']} "
                              f'but {written} blocks were written', 'INVALID_CHANGED_BLOCKS_COUNT')
        if 'Checksum' in params:
            if (params.get('ChecksumAlgorithm') != 'SHA256'
                    or params.get('ChecksumAggregationMethod') != 'LINEAR'):
                raise _validation(self.model, 'An aggregated checksum needs algorithm SHA256 and '
                                  'aggregation method LINEAR', 'INVALID_CHECKSUM')
            expected = linear_checksum(snapshot['blocks'])
            if params['Checksum'] != expected:
                raise _validation(self.model, f"The aggregated checksum {params['Checksum']} does "
                                  f'not match the blocks written ({expected})', 'INVALID_CHECKSUM')
        snapshot['steps_left'] = STEPS_TO_COMPLETE
        return {'Status': 'pending'}

    def step(self, snapshot):
        """One look by DescribeSnapshots: a completing snapshot moves toward completed."""
        if snapshot['steps_left'] is None or snapshot['state'] != 'pending':
            return
        snapshot['steps_left'] -= 1
        if snapshot['steps_left'] <= 0:
            snapshot['state'] = 'completed'

    def record(self):
        """The snapshots for the control API: blocks as index -> checksum."""
        return [{'id': s['id'], 'state': s['state'], 'volume_size': s['volume_size'],
                 'description': s['description'], 'tags': s['tags'],
                 'blocks': {str(i): c for i, c in sorted(s['blocks'].items())}}
                for s in self.snapshots.values()]
