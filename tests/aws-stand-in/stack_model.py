"""What CloudFormation keeps of a stack: its resources, events, outputs and change sets."""

import copy
import uuid

from aws_error import utcnow


class Resource:
    """A resource of a stack: its definition, status and physical identity."""

    def __init__(self, lid, definition):
        self.logical_id = lid
        self.type = definition['Type']
        self.definition = definition
        self.status = None  # None until an operation touches it
        self.status_reason = None
        self.timestamp = None
        self.physical_id = None
        self.attributes = {}
        self.group = None  # an Auto Scaling group's live state
        # A Secrets Manager secret's live state (physical_resources.py sync_secret): never in
        # attributes, which Fn::GetAtt and the APIs read.
        self.secret = None

    def snapshot(self):
        return (self.definition, self.physical_id, dict(self.attributes),
                copy.deepcopy(self.group), copy.deepcopy(self.secret))

    def restore(self, snapshot):
        (self.definition, self.physical_id, self.attributes, self.group,
         self.secret) = snapshot


class Stack:
    def __init__(self, name, config):
        self.name = name
        self.id = (f'arn:aws:cloudformation:{config.region}:{config.account}:stack/{name}/'
                   f'{uuid.uuid4()}')
        self.status = None
        self.status_reason = None
        self.body = None
        self.doc = {'Resources': {}}
        self.parameters = {}
        self.capabilities = []
        self.tags = []
        self.notification_arns = []
        self.disable_rollback = False
        self.creation_time = utcnow()
        self.last_updated_time = None
        self.deletion_time = None
        self.change_set_id = None
        self.resources = {}
        self.events = []  # oldest first
        self.outputs = []
        self.change_sets = {}
        self.operation = None  # a generator; each next() is one step
        self.request_token = None
        self.signals = []  # SignalResource calls: logical_id, unique_id, status

    @property
    def deleted(self):
        return self.status == 'DELETE_COMPLETE'


class ChangeSet:
    def __init__(self, name, stack, config):
        self.name = name
        self.id = (f'arn:aws:cloudformation:{config.region}:{config.account}:changeSet/{name}/'
                   f'{uuid.uuid4()}')
        self.stack = stack
        self.creation_time = utcnow()
        self.described = False  # the first DescribeChangeSet shows CREATE_IN_PROGRESS
        self.final_status = 'CREATE_COMPLETE'
        self.status_reason = None
        self.execution_status = 'AVAILABLE'
        self.type = 'UPDATE'
        self.body = self.doc = None
        self.parameters = {}
        self.capabilities = []
        self.tags = []
        self.description = None
        self.changes = []

    def status(self):
        if not self.described:
            return 'CREATE_IN_PROGRESS', 'UNAVAILABLE', None
        return self.final_status, self.execution_status, self.status_reason
