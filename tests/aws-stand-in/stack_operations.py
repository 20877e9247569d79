"""Stack operations as CloudFormation runs them, one step per call: create, update and delete,
with rollback, events in AWS's order and wording, and plausible physical IDs."""

import uuid

from aws_error import AwsError, iso8601, utcnow
from cfn_template import Resolver, resource_dependencies
from iam_policy import IamPolicy
from physical_resources import physical_identity, sync_group, sync_secret
from stack_model import Resource


class Task:
    """One resource's part of an operation: phases run one per step, once its dependencies in
    the same operation are done. A phase returning False fails the resource."""

    def __init__(self, lid, phases, deps):
        self.lid = lid
        self.phases = phases
        self.deps = deps
        self.next = 0

    @property
    def done(self):
        return self.next == len(self.phases)

    @property
    def started(self):
        return 0 < self.next < len(self.phases)


def run_tasks(tasks):
    """Advances every ready task one phase per step (a generator; yields between steps).
    Returns (failed logical IDs, tasks started but not finished when one failed)."""
    tasks = {task.lid: task for task in tasks}
    while not all(task.done for task in tasks.values()):
        ready = [task for task in tasks.values() if not task.done
                 and all(tasks[d].done for d in task.deps if d in tasks)]
        if not ready:
            break  # impossible for a template that passed parse_template
        failed = []
        for task in ready:
            ok = task.phases[task.next]()
            task.next += 1
            if ok is False:
                failed.append(task.lid)
        if failed:
            return failed, [task for task in tasks.values() if task.started]
        yield
    return [], []


def _reverse_deps(deps, lids):
    """For deleting `lids`: each waits for the resources that depend on it."""
    return {lid: {other for other in lids if lid in deps.get(other, set())} for lid in lids}


class StackOperations:
    """Runs stacks' operations: each is a generator, advanced one step per advance()."""

    def __init__(self, config, faults, clock):
        self.config = config
        self.faults = faults
        self.clock = clock
        self.policy = IamPolicy(config.account)  # the caller's; aws_stand_in.py sets its own
        # EC2's volumes (ec2_volumes.py) and EBS's snapshots (ebs.py), where AWS::EC2::Volume
        # resources live; aws_stand_in.py sets them. None: volumes are only physical IDs.
        self.volumes = None
        self.snapshots = None

    def advance(self, stack):
        """One step of the stack's operation, if one is under way."""
        if stack.operation is not None:
            try:
                next(stack.operation)
            except StopIteration:
                stack.operation = None

    # Events

    def stack_event(self, stack, status, reason=None):
        self._event(stack, stack.name, 'AWS::CloudFormation::Stack', stack.id, status, reason,
                    str(uuid.uuid4()))
        stack.status, stack.status_reason = status, reason

    def _resource_event(self, stack, resource, status, reason=None, physical_id=None,
                        track=True):
        time = self._event(stack, resource.logical_id, resource.type,
                           physical_id if physical_id is not None else resource.physical_id or '',
                           status, reason, None)
        if track:
            resource.status, resource.status_reason, resource.timestamp = status, reason, time

    def _event(self, stack, lid, kind, physical_id, status, reason, event_id):
        time = self.clock()
        event = {'StackId': stack.id, 'EventId': event_id or f'{lid}-{status}-{iso8601(time)}',
                 'StackName': stack.name, 'LogicalResourceId': lid,
                 'PhysicalResourceId': physical_id, 'ResourceType': kind, 'Timestamp': time,
                 'ResourceStatus': status}
        if reason:
            event['ResourceStatusReason'] = reason
        if stack.request_token:
            event['ClientRequestToken'] = stack.request_token
        stack.events.append(event)
        return time

    # Resources' lifecycles, as phases for run_tasks

    def _creation(self, stack, resource, fault):
        """Creating `resource`: IN_PROGRESS, IN_PROGRESS "Resource creation Initiated",
        COMPLETE (or FAILED with the fault's reason)."""
        def start():
            self._resource_event(stack, resource, 'CREATE_IN_PROGRESS')

        failure = [fault]

        def initiated():
            resource.physical_id, resource.attributes = physical_identity(stack, resource,
                                                                          self.config)
            if failure[0] is None:
                failure[0] = self._create_volume(stack, resource)
            sync_group(stack, resource, self.config, self.clock, creating=True)
            sync_secret(stack, resource, self.config)
            self._resource_event(stack, resource, 'CREATE_IN_PROGRESS',
                                 'Resource creation Initiated')

        def finish():
            if failure[0] is not None:
                self._resource_event(stack, resource, 'CREATE_FAILED', failure[0])
                return False
            if resource.group:
                for instance in resource.group['instances']:
                    instance['LifecycleState'] = 'InService'
            self._resource_event(stack, resource, 'CREATE_COMPLETE')
            return True
        return [start, initiated, finish]

    def _modification(self, stack, resource, definition, replace, fault, replaced):
        """Updating `resource` to `definition`, in place or by replacement (the old physical ID
        goes to `replaced`, deleted during cleanup)."""
        def start():
            resource.definition = definition
            self._resource_event(stack, resource, 'UPDATE_IN_PROGRESS',
                                 'Requested update requires the creation of a new physical '
                                 'resource; hence creating one.' if replace else None)

        def initiated():
            replaced[resource.logical_id] = resource.physical_id
            resource.physical_id, resource.attributes = physical_identity(stack, resource,
                                                                          self.config)
            resource.group = None
            self._resource_event(stack, resource, 'UPDATE_IN_PROGRESS',
                                 'Resource creation Initiated')

        def finish():
            if fault is not None:
                self._resource_event(stack, resource, 'UPDATE_FAILED', fault)
                return False
            if resource.type == 'AWS::EC2::LaunchTemplate' and not replace:
                latest = int(resource.attributes.get('LatestVersionNumber', '1')) + 1
                resource.attributes['LatestVersionNumber'] = str(latest)
            sync_group(stack, resource, self.config, self.clock, creating=False)
            sync_secret(stack, resource, self.config)
            self._resource_event(stack, resource, 'UPDATE_COMPLETE')
            return True
        return [start, initiated, finish] if replace else [start, finish]

    def _create_volume(self, stack, resource):
        """An AWS::EC2::Volume made in EC2's state: None, or why its creation failed, in
        CloudFormation's words."""
        if resource.type != 'AWS::EC2::Volume' or self.volumes is None:
            return None
        props = Resolver(stack, self.config).resolve(
            resource.definition.get('Properties', {}))
        try:
            resource.physical_id = self.volumes.create_for_stack(props)
        except ValueError as e:
            return (f'Properties validation failed for resource {resource.logical_id} with '
                    f'message: {e}')
        except AwsError as e:
            return (f'Resource handler returned message: "{e.message}" (Service: Ec2, Status '
                    f'Code: 400, Request ID: {uuid.uuid4()})')
        resource.attributes = {'VolumeId': resource.physical_id}
        return None

    def _delete_volume(self, resource, physical_id, replaced):
        """A stack's volume going away with its DeletionPolicy, or UpdateReplacePolicy when
        `replaced`: None, or why the deletion failed."""
        if resource.type != 'AWS::EC2::Volume' or self.volumes is None:
            return None
        policy = resource.definition.get('UpdateReplacePolicy' if replaced else 'DeletionPolicy',
                                         'Delete')
        try:
            self.volumes.delete_for_stack(physical_id, policy, self.snapshots)
        except AwsError as e:
            return (f'Resource handler returned message: "{e.message}" (Service: Ec2, Status '
                    f'Code: 400, Request ID: {uuid.uuid4()})')
        return None

    def _deletion(self, stack, resource, physical_id=None):
        """Deleting `resource`, or only its old physical resource `physical_id` (replaced)."""
        track = physical_id is None

        def start():
            self._resource_event(stack, resource, 'DELETE_IN_PROGRESS', physical_id=physical_id,
                                 track=track)

        def finish():
            failure = self._delete_volume(resource, physical_id or resource.physical_id,
                                          not track)
            if failure is not None:
                self._resource_event(stack, resource, 'DELETE_FAILED', failure,
                                     physical_id=physical_id, track=track)
                return False
            if track and resource.group and self.volumes is not None:
                for instance in resource.group['instances']:
                    self.volumes.terminated(instance['InstanceId'])
            if track:
                resource.group = None
            self._resource_event(stack, resource, 'DELETE_COMPLETE', physical_id=physical_id,
                                 track=track)
            return True
        return [start, finish]

    def _restoration(self, stack, resource, snapshot):
        """Rolling `resource` back to its state before the update."""
        def start():
            resource.definition = snapshot[0]
            self._resource_event(stack, resource, 'UPDATE_IN_PROGRESS')

        def finish():
            resource.restore(snapshot)
            self._resource_event(stack, resource, 'UPDATE_COMPLETE')
            return True
        return [start, finish]

    # Operations: generators advanced by advance(); the first step runs when they start.

    def start(self, stack, operation, request_token=None):
        stack.request_token = request_token
        stack.operation = operation
        self.advance(stack)

    def _outputs(self, stack):
        resolver = Resolver(stack, self.config)
        outputs = []
        for key, output in stack.doc.get('Outputs', {}).items():
            entry = {'OutputKey': key, 'OutputValue': resolver.text(output.get('Value'))}
            if 'Description' in output:
                entry['Description'] = output['Description']
            if isinstance(output.get('Export'), dict) and 'Name' in output['Export']:
                entry['ExportName'] = resolver.text(output['Export']['Name'])
            outputs.append(entry)
        return outputs

    def _take_faults(self, stack, lids):
        """The injected failure reasons for the resources an operation touches, consumed, or
        the caller's policy refusing what their types need (iam_policy.py)."""
        return {lid: self.faults.take_resource_failure(lid) or self.policy.resource_denial(
            stack.doc['Resources'][lid]['Type']) for lid in lids}

    def create(self, stack, on_failure, done):
        self.stack_event(stack, 'CREATE_IN_PROGRESS', 'User Initiated')
        yield
        deps = resource_dependencies(stack.doc)
        stack.resources = {lid: Resource(lid, definition)
                           for lid, definition in stack.doc['Resources'].items()}
        faults = self._take_faults(stack, stack.resources)
        failed, started = yield from run_tasks(
            Task(lid, self._creation(stack, resource, faults[lid]), deps[lid])
            for lid, resource in stack.resources.items())
        if not failed:
            stack.outputs = self._outputs(stack)
            self.stack_event(stack, 'CREATE_COMPLETE')
            done(True)
            return
        for task in started:
            self._resource_event(stack, stack.resources[task.lid], 'CREATE_FAILED',
                                 'Resource creation cancelled')
        yield
        reason = f"The following resource(s) failed to create: [{', '.join(failed)}]. "
        if on_failure == 'DO_NOTHING':
            self.stack_event(stack, 'CREATE_FAILED', reason)
            done(False)
            return
        self.stack_event(stack, 'ROLLBACK_IN_PROGRESS', reason + 'Rollback requested by user.')
        yield
        yield from self._delete_resources(stack, deps)
        self.stack_event(stack, 'ROLLBACK_COMPLETE')
        done(False)
        if on_failure == 'DELETE':
            yield
            yield from self.delete(stack)

    def _delete_resources(self, stack, deps):
        lids = [lid for lid, r in stack.resources.items()
                if r.status is not None and r.status != 'DELETE_COMPLETE']
        reverse = _reverse_deps(deps, lids)
        failed, _ = yield from run_tasks(
            Task(lid, self._deletion(stack, stack.resources[lid]), reverse[lid]) for lid in lids)
        return failed

    def delete(self, stack):
        self.stack_event(stack, 'DELETE_IN_PROGRESS', 'User Initiated')
        yield
        failed = yield from self._delete_resources(stack, resource_dependencies(stack.doc))
        if failed:
            self.stack_event(stack, 'DELETE_FAILED', 'The following resource(s) failed to '
                             f"delete: [{', '.join(failed)}]. ")
            return
        stack.deletion_time = utcnow()
        stack.change_sets.clear()
        self.stack_event(stack, 'DELETE_COMPLETE')

    def update(self, stack, new, changes, disable_rollback, done):
        """Updates `stack` to `new` (its next body, doc, parameters, capabilities and tags) by
        `changes`, a change set's; a failed resource rolls it all back unless
        `disable_rollback`."""
        update = _Update(stack, changes)
        stack.last_updated_time = utcnow()
        self.stack_event(stack, 'UPDATE_IN_PROGRESS', 'User Initiated')
        yield
        for key, value in new.items():
            setattr(stack, key, value)
        for lid in update.added:
            stack.resources[lid] = Resource(lid, stack.doc['Resources'][lid])
        failed, started = yield from self._apply(stack, update)
        if not failed:
            yield from self._clean_up(stack, update)
            done(True)
            return
        for task in started:
            if task.lid in update.added:
                self._resource_event(stack, stack.resources[task.lid], 'CREATE_FAILED',
                                     'Resource creation cancelled')
            else:
                self._resource_event(stack, stack.resources[task.lid], 'UPDATE_FAILED',
                                     'Resource update cancelled')
        yield
        reason = ''
        for verb, lids in (('create', [lid for lid in failed if lid in update.added]),
                           ('update', [lid for lid in failed if lid not in update.added])):
            if lids:
                reason += f"The following resource(s) failed to {verb}: [{', '.join(lids)}]. "
        if disable_rollback:
            self.stack_event(stack, 'UPDATE_FAILED', reason)
            done(False)
            return
        self.stack_event(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', reason)
        yield
        yield from self._roll_back(stack, update)
        done(False)

    def _apply(self, stack, update):
        """Creates the added resources and updates the modified ones, in dependency order."""
        touched = [lid for lid in stack.resources if lid in update.added or lid in update.modified]
        faults = self._take_faults(stack, touched)
        deps = resource_dependencies(stack.doc)
        for lid in touched:
            resource = stack.resources[lid]
            if lid in update.added:
                phases = self._creation(stack, resource, faults[lid])
            else:
                phases = self._modification(stack, resource, stack.doc['Resources'][lid],
                                            update.modified[lid]['Replacement'] == 'True',
                                            faults[lid], update.replaced)
            update.tasks[lid] = Task(lid, phases, deps[lid])
        return (yield from run_tasks(update.tasks.values()))

    def _clean_up(self, stack, update):
        """UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: removed resources and the old physical resources
        of replaced ones are deleted."""
        self.stack_event(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')
        yield
        reverse = _reverse_deps(resource_dependencies(update.old['doc']), update.removed)
        cleanup = [Task(lid, self._deletion(stack, stack.resources[lid]), reverse[lid])
                   for lid in update.removed]
        cleanup += [Task(f'{lid} (replaced)',
                         self._deletion(stack, stack.resources[lid], physical_id), set())
                    for lid, physical_id in update.replaced.items()]
        yield from run_tasks(cleanup)
        for lid in update.removed:
            del stack.resources[lid]
        stack.outputs = self._outputs(stack)
        self.stack_event(stack, 'UPDATE_COMPLETE')

    def _roll_back(self, stack, update):
        """The stack's previous template and parameters again: touched resources restored,
        then (cleanup) the added ones and the replacements' new physical resources deleted."""
        new_deps = resource_dependencies(stack.doc)
        for key, value in update.old.items():
            setattr(stack, key, value)
        replacements = {lid: stack.resources[lid].physical_id for lid in update.replaced}
        old_deps = resource_dependencies(stack.doc)
        touched = [lid for lid, task in update.tasks.items() if task.next > 0]
        yield from run_tasks(
            Task(lid, self._restoration(stack, stack.resources[lid], update.snapshots[lid]),
                 old_deps[lid]) for lid in touched if lid not in update.added)
        self.stack_event(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS')
        yield
        created = [lid for lid in touched if lid in update.added]
        reverse = _reverse_deps(new_deps, created)
        cleanup = [Task(lid, self._deletion(stack, stack.resources[lid]), reverse[lid])
                   for lid in created]
        cleanup += [Task(f'{lid} (replacement)',
                         self._deletion(stack, stack.resources[lid], physical_id), set())
                    for lid, physical_id in replacements.items()]
        yield from run_tasks(cleanup)
        for lid in update.added:
            del stack.resources[lid]
        self.stack_event(stack, 'UPDATE_ROLLBACK_COMPLETE')


class _Update:
    """What an update changes, and what rolling it back needs."""

    def __init__(self, stack, changes):
        self.old = {key: getattr(stack, key) for key in
                    ('body', 'doc', 'parameters', 'capabilities', 'tags', 'outputs')}
        self.snapshots = {lid: r.snapshot() for lid, r in stack.resources.items()}
        self.added = {c['LogicalResourceId'] for c in changes if c['Action'] == 'Add'}
        self.modified = {c['LogicalResourceId']: c for c in changes if c['Action'] == 'Modify'}
        self.removed = [c['LogicalResourceId'] for c in changes if c['Action'] == 'Remove']
        self.replaced = {}  # logical ID → the physical ID a replacement took over from
        self.tasks = {}
