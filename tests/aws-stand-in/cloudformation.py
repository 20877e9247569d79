"""CloudFormation's API over the stacks and change sets of one account and region, in memory."""

import base64
import binascii

from aws_error import model_error, utcnow, validation_error
from cfn_template import (MAX_TEMPLATE_URL_BYTES, diff_templates, parse_template,
                          required_capability, resolve_parameters)
from stack_model import ChangeSet, Stack
from iam_policy import TEMPLATE_URL_ACTIONS
from stack_operations import StackOperations

EVENTS_PAGE_SIZE = 100


class CloudFormation:
    """The stacks and change sets of one account and region."""

    def __init__(self, config, model, faults, clock):
        self.config = config
        self.model = model
        self.ops = StackOperations(config, faults, clock)
        self.s3 = None  # the account's S3 (s3.py), where a TemplateURL is read
        self.policy = None  # the caller's (iam_policy.py): CloudFormation reads S3 as the caller
        self.stacks = []  # every stack ever created, deleted ones too, oldest first
        self.operations = {
            'CreateChangeSet': self.create_change_set,
            'DescribeChangeSet': self.describe_change_set,
            'ExecuteChangeSet': self.execute_change_set,
            'DeleteChangeSet': self.delete_change_set,
            'ListChangeSets': self.list_change_sets,
            'CreateStack': self.create_stack,
            'UpdateStack': self.update_stack,
            'DeleteStack': self.delete_stack,
            'DescribeStacks': self.describe_stacks,
            'DescribeStackEvents': self.describe_stack_events,
            'DescribeStackResources': self.describe_stack_resources,
            'ListStackResources': self.list_stack_resources,
            'GetTemplate': self.get_template,
            'SignalResource': self.signal_resource,
        }

    # Lookups

    def find_stack(self, name_or_id):
        """A stack by name (live ones only) or by stack ID (deleted ones too), else None."""
        for stack in reversed(self.stacks):
            if name_or_id.startswith('arn:'):
                if stack.id == name_or_id:
                    return stack
            elif stack.name == name_or_id and not stack.deleted:
                return stack
        return None

    def stack(self, name_or_id):
        stack = self.find_stack(name_or_id)
        if stack is None:
            raise validation_error(f'Stack with id {name_or_id} does not exist')
        return stack

    def change_set(self, params):
        name = params['ChangeSetName']
        if name.startswith('arn:'):
            for stack in self.stacks:
                for change_set in stack.change_sets.values():
                    if change_set.id == name:
                        return change_set
        else:
            stack_name = params.get('StackName')
            if not stack_name:
                raise validation_error('StackName must be specified if ChangeSetName is not '
                                       'specified as an ARN.')
            stack = self.find_stack(stack_name)
            if stack is not None and name in stack.change_sets:
                return stack.change_sets[name]
        raise model_error(self.model, 'ChangeSetNotFoundException',
                          f'ChangeSet [{name}] does not exist')

    # Shared by change sets and CreateStack/UpdateStack

    def _check_updatable(self, stack):
        if stack.status not in ('CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE',
                                'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE'):
            raise validation_error(f'Stack:{stack.id} is in {stack.status} state and can not be '
                                   'updated.')

    def _proposal(self, params, stack, creating):
        """The body, doc, parameters, capabilities and tags a change set or stack operation
        proposes, checked as CloudFormation checks them before accepting the request."""
        if 'TemplateURL' in params and 'TemplateBody' in params:
            raise validation_error('Specify exactly one of TemplateBody or TemplateUrl.')
        if 'TemplateURL' in params:
            body = self._template_at(params['TemplateURL'])
        elif params.get('UsePreviousTemplate'):
            if creating:
                raise validation_error('UsePreviousTemplate can only be used with an existing '
                                       'stack')
            body = stack.body
        elif 'TemplateBody' in params:
            body = params['TemplateBody']
        else:
            raise validation_error('Either Template URL or Template Body must be specified.')
        doc = parse_template(body, in_request='TemplateBody' in params)
        values = resolve_parameters(doc, params.get('Parameters', []),
                                    None if creating else stack.parameters)
        capabilities = params.get('Capabilities', [])
        needed = required_capability(doc)
        if needed and needed not in capabilities and 'CAPABILITY_NAMED_IAM' not in capabilities:
            raise model_error(self.model, 'InsufficientCapabilitiesException',
                              f'Requires capabilities : [{needed}]')
        tags = params['Tags'] if 'Tags' in params else (stack.tags if stack else [])
        return {'body': body, 'doc': doc, 'parameters': values, 'capabilities': capabilities,
                'tags': tags}

    def _template_at(self, url):
        """The template a TemplateURL names, read from S3 with the caller's permissions, as
        CloudFormation reads it: at most MAX_TEMPLATE_URL_BYTES."""
        if self.policy is not None and not all(self.policy.allows(a)
                                               for a in TEMPLATE_URL_ACTIONS):
            raise validation_error('TemplateURL must reference a valid S3 object to which you '
                                   'have access.')
        data = self.s3.object_for_url(url)
        if len(data) > MAX_TEMPLATE_URL_BYTES:
            raise validation_error(f'Template may not exceed {MAX_TEMPLATE_URL_BYTES} bytes in '
                                   'size.')
        try:
            return data.decode('utf-8')
        except UnicodeDecodeError:
            raise validation_error('Template format error: not UTF-8') from None

    def _new_stack(self, name, params):
        stack = Stack(name, self.config)
        stack.notification_arns = params.get('NotificationARNs', [])
        self.stacks.append(stack)
        return stack

    # The API

    def create_change_set(self, params):
        name, change_set_name = params['StackName'], params['ChangeSetName']
        kind = params.get('ChangeSetType', 'UPDATE')
        if kind == 'IMPORT' or 'ResourcesToImport' in params:
            raise validation_error('stand-in: resource import is not emulated')
        stack = self.find_stack(name)
        if kind == 'CREATE':
            if stack is not None and stack.status != 'REVIEW_IN_PROGRESS':
                raise validation_error(f'Stack [{name}] already exists and cannot be created '
                                       f'again with the changeSet [{change_set_name}].')
        else:
            if stack is None:
                raise validation_error(f'Stack [{name}] does not exist')
            self._check_updatable(stack)
        creating = kind == 'CREATE'
        proposal = self._proposal(params, stack, creating)
        if stack is not None and change_set_name in stack.change_sets:
            raise model_error(self.model, 'AlreadyExistsException',
                              f'ChangeSet [{change_set_name}] already exists')
        if stack is None:
            stack = self._new_stack(name, params)
            self.ops.stack_event(stack, 'REVIEW_IN_PROGRESS', 'User Initiated')
        change_set = ChangeSet(change_set_name, stack, self.config)
        change_set.type = kind
        change_set.body, change_set.doc = proposal['body'], proposal['doc']
        change_set.parameters = proposal['parameters']
        change_set.capabilities = proposal['capabilities']
        change_set.tags = proposal['tags']
        change_set.description = params.get('Description')
        old_doc = stack.doc if not creating else {'Resources': {}}
        old_params = stack.parameters if not creating else {}
        change_set.changes = diff_templates(
            old_doc, old_params, proposal['doc'], proposal['parameters'],
            {lid: r.physical_id for lid, r in stack.resources.items()})
        if (not creating and proposal['doc'] == stack.doc
                and proposal['parameters'] == stack.parameters and proposal['tags'] == stack.tags):
            change_set.final_status = 'FAILED'
            change_set.execution_status = 'UNAVAILABLE'
            change_set.status_reason = ("The submitted information didn't contain changes. "
                                        'Submit different information to create a change set.')
        stack.change_sets[change_set_name] = change_set
        return {'Id': change_set.id, 'StackId': stack.id}

    def describe_change_set(self, params):
        change_set = self.change_set(params)
        result = self._change_set_summary(change_set)
        change_set.described = True
        result.update({
            # NoEcho values are masked here as in DescribeStacks.
            'Parameters': [{'ParameterKey': k, 'ParameterValue': '****' if str(
                change_set.doc.get('Parameters', {}).get(k, {}).get('NoEcho')).lower() == 'true'
                else v} for k, v in change_set.parameters.items()],
            'NotificationARNs': change_set.stack.notification_arns,
            'RollbackConfiguration': {},
            'Capabilities': change_set.capabilities, 'Tags': change_set.tags,
            'Changes': [] if result['Status'] != 'CREATE_COMPLETE' else
            [{'Type': 'Resource', 'ResourceChange': {k: v for k, v in c.items() if v is not None}}
             for c in change_set.changes],
            'IncludeNestedStacks': False})
        return result

    def _change_set_summary(self, change_set):
        status, execution_status, reason = change_set.status()
        summary = {'StackId': change_set.stack.id, 'StackName': change_set.stack.name,
                   'ChangeSetId': change_set.id, 'ChangeSetName': change_set.name,
                   'ExecutionStatus': execution_status, 'Status': status,
                   'StatusReason': reason, 'CreationTime': change_set.creation_time,
                   'Description': change_set.description, 'IncludeNestedStacks': False}
        return {k: v for k, v in summary.items() if v is not None}

    def list_change_sets(self, params):
        stack = self.stack(params['StackName'])
        return {'Summaries': [self._change_set_summary(c) for c in stack.change_sets.values()]}

    def delete_change_set(self, params):
        change_set = self.change_set(params)
        status, execution_status, _ = change_set.status()
        if execution_status == 'EXECUTE_IN_PROGRESS' or status == 'CREATE_IN_PROGRESS':
            raise model_error(self.model, 'InvalidChangeSetStatusException',
                              f'Cannot delete ChangeSet in status {status} '
                              f'(execution status {execution_status})')
        del change_set.stack.change_sets[change_set.name]
        return {}

    def execute_change_set(self, params):
        change_set = self.change_set(params)
        stack = change_set.stack
        _, execution_status, _ = change_set.status()
        if execution_status != 'AVAILABLE':
            raise model_error(self.model, 'InvalidChangeSetStatusException',
                              f'ChangeSet [{change_set.id}] cannot be executed in its current '
                              f'execution status of [{execution_status}]')
        if stack.status != 'REVIEW_IN_PROGRESS':
            self._check_updatable(stack)
        change_set.execution_status = 'EXECUTE_IN_PROGRESS'
        for other in list(stack.change_sets.values()):
            if other is not change_set:
                del stack.change_sets[other.name]
        stack.change_set_id = change_set.id
        disable_rollback = params.get('DisableRollback', False)

        def done(ok):
            change_set.execution_status = 'EXECUTE_COMPLETE' if ok else 'EXECUTE_FAILED'
        proposal = {'body': change_set.body, 'doc': change_set.doc,
                    'parameters': change_set.parameters,
                    'capabilities': change_set.capabilities, 'tags': change_set.tags}
        if change_set.type == 'CREATE':
            for key, value in proposal.items():
                setattr(stack, key, value)
            stack.last_updated_time = utcnow()
            stack.disable_rollback = disable_rollback
            operation = self.ops.create(
                stack, 'DO_NOTHING' if disable_rollback else 'ROLLBACK', done)
        else:
            operation = self.ops.update(stack, proposal, change_set.changes,
                                        disable_rollback, done)
        self.ops.start(stack, operation, params.get('ClientRequestToken'))
        return {}

    def create_stack(self, params):
        name = params['StackName']
        if self.find_stack(name) is not None:
            raise model_error(self.model, 'AlreadyExistsException',
                              f'Stack [{name}] already exists')
        proposal = self._proposal(params, None, creating=True)
        stack = self._new_stack(name, params)
        for key, value in proposal.items():
            setattr(stack, key, value)
        on_failure = params.get('OnFailure', 'ROLLBACK')
        if params.get('DisableRollback'):
            on_failure = 'DO_NOTHING'
        stack.disable_rollback = on_failure == 'DO_NOTHING'
        self.ops.start(stack, self.ops.create(stack, on_failure, lambda ok: None),
                       params.get('ClientRequestToken'))
        return {'StackId': stack.id}

    def update_stack(self, params):
        stack = self.stack(params['StackName'])
        self._check_updatable(stack)
        proposal = self._proposal(params, stack, creating=False)
        if (proposal['doc'] == stack.doc and proposal['parameters'] == stack.parameters
                and proposal['tags'] == stack.tags):
            raise validation_error('No updates are to be performed.')
        changes = diff_templates(stack.doc, stack.parameters, proposal['doc'],
                                 proposal['parameters'],
                                 {lid: r.physical_id for lid, r in stack.resources.items()})
        stack.change_sets.clear()
        operation = self.ops.update(stack, proposal, changes,
                                    params.get('DisableRollback', False), lambda ok: None)
        self.ops.start(stack, operation, params.get('ClientRequestToken'))
        return {'StackId': stack.id}

    def delete_stack(self, params):
        stack = self.find_stack(params['StackName'])
        if stack is None or stack.deleted or stack.status == 'DELETE_IN_PROGRESS':
            return {}  # as on AWS: deleting what is gone succeeds
        if stack.operation is not None:
            raise validation_error(f'Stack [{stack.name}] cannot be deleted while in status '
                                   f'{stack.status}')
        if params.get('RetainResources'):
            raise validation_error('stand-in: RetainResources is not emulated')
        self.ops.start(stack, self.ops.delete(stack), params.get('ClientRequestToken'))
        return {}

    def _stack_description(self, stack):
        parameters = []
        for key, value in stack.parameters.items():
            spec = stack.doc.get('Parameters', {}).get(key, {})
            parameters.append({'ParameterKey': key,
                               'ParameterValue': '****' if str(spec.get('NoEcho')).lower()
                               == 'true' else value})
        description = {
            'StackId': stack.id, 'StackName': stack.name, 'ChangeSetId': stack.change_set_id,
            'Description': stack.doc.get('Description'), 'Parameters': parameters,
            'CreationTime': stack.creation_time, 'DeletionTime': stack.deletion_time,
            'LastUpdatedTime': stack.last_updated_time, 'RollbackConfiguration': {},
            'StackStatus': stack.status, 'StackStatusReason': stack.status_reason,
            'DisableRollback': stack.disable_rollback,
            'NotificationARNs': stack.notification_arns,
            'Capabilities': stack.capabilities or None,
            'Outputs': stack.outputs or None, 'Tags': stack.tags,
            'EnableTerminationProtection': False,
            'DriftInformation': {'StackDriftStatus': 'NOT_CHECKED'}}
        return {k: v for k, v in description.items() if v is not None}

    def describe_stacks(self, params):
        if 'StackName' in params:
            stack = self.stack(params['StackName'])
            self.ops.advance(stack)
            stacks = [stack]
        else:
            stacks = [s for s in self.stacks if not s.deleted]
        return {'Stacks': [self._stack_description(s) for s in reversed(stacks)]}

    def describe_stack_events(self, params):
        if 'StackName' not in params:
            raise validation_error("1 validation error detected: Value null at 'stackName' "
                                   'failed to satisfy constraint: Member must not be null')
        stack = self.stack(params['StackName'])
        self.ops.advance(stack)
        end = len(stack.events)
        if 'NextToken' in params:
            try:
                stack_id, _, offset = base64.b64decode(params['NextToken']).decode().rpartition('|')
                end = int(offset)
                if stack_id != stack.id or not 0 < end <= len(stack.events):
                    raise ValueError
            except (ValueError, binascii.Error, UnicodeDecodeError):
                raise validation_error('Invalid NextToken') from None
        start = max(end - EVENTS_PAGE_SIZE, 0)
        result = {'StackEvents': list(reversed(stack.events[start:end]))}
        if start > 0:
            result['NextToken'] = base64.b64encode(f'{stack.id}|{start}'.encode()).decode()
        return result

    def _touched_resources(self, stack, params):
        return [r for r in stack.resources.values() if r.status is not None and (
            'LogicalResourceId' not in params or r.logical_id == params['LogicalResourceId'])]

    def describe_stack_resources(self, params):
        if 'StackName' in params:
            stack = self.stack(params['StackName'])
        elif 'PhysicalResourceId' in params:
            stack = next((s for s in reversed(self.stacks) for r in s.resources.values()
                          if r.physical_id == params['PhysicalResourceId']), None)
            if stack is None:
                raise validation_error(f"Stack for {params['PhysicalResourceId']} does not exist")
        else:
            raise validation_error('Either StackName or PhysicalResourceId must be specified.')
        resources = []
        for r in self._touched_resources(stack, params):
            if 'PhysicalResourceId' in params and r.physical_id != params['PhysicalResourceId']:
                continue
            resource = {'StackName': stack.name, 'StackId': stack.id,
                        'LogicalResourceId': r.logical_id, 'PhysicalResourceId': r.physical_id,
                        'ResourceType': r.type, 'Timestamp': r.timestamp,
                        'ResourceStatus': r.status, 'ResourceStatusReason': r.status_reason,
                        'DriftInformation': {'StackResourceDriftStatus': 'NOT_CHECKED'}}
            resources.append({k: v for k, v in resource.items() if v is not None})
        return {'StackResources': resources}

    def list_stack_resources(self, params):
        stack = self.stack(params['StackName'])
        summaries = []
        for r in self._touched_resources(stack, {}):
            summary = {'LogicalResourceId': r.logical_id, 'PhysicalResourceId': r.physical_id,
                       'ResourceType': r.type, 'LastUpdatedTimestamp': r.timestamp,
                       'ResourceStatus': r.status, 'ResourceStatusReason': r.status_reason,
                       'DriftInformation': {'StackResourceDriftStatus': 'NOT_CHECKED'}}
            summaries.append({k: v for k, v in summary.items() if v is not None})
        return {'StackResourceSummaries': summaries}

    def get_template(self, params):
        if 'ChangeSetName' in params:
            body = self.change_set(params).body
        else:
            body = self.stack(params.get('StackName', '')).body
        if body is None:
            raise validation_error(f"Stack with id {params.get('StackName')} does not exist")
        return {'TemplateBody': body, 'StagesAvailable': ['Original', 'Processed']}

    def signal_resource(self, params):
        """Records the signal on the stack; nothing waits on signals here (see README)."""
        stack = self.stack(params['StackName'])
        logical_id = params['LogicalResourceId']
        if logical_id not in stack.resources:
            raise validation_error(f'Resource {logical_id} does not exist for stack {stack.name}')
        stack.signals.append({'logical_id': logical_id, 'unique_id': params['UniqueId'],
                              'status': params['Status']})
        return {}

    def snapshot(self):
        """The stacks as JSON, for GET /_stand-in/stacks."""
        return [{'name': s.name, 'id': s.id, 'status': s.status, 'status_reason': s.status_reason,
                 'template': s.doc, 'parameters': s.parameters, 'outputs': s.outputs,
                 'operation_in_progress': s.operation is not None,
                 'change_sets': [{'name': c.name, 'id': c.id, 'status': c.status()[0],
                                  'execution_status': c.status()[1]}
                                 for c in s.change_sets.values()],
                 'resources': [{'logical_id': r.logical_id, 'type': r.type, 'status': r.status,
                                'status_reason': r.status_reason, 'physical_id': r.physical_id}
                               for r in s.resources.values()],
                 'signals': s.signals}
                for s in self.stacks]

