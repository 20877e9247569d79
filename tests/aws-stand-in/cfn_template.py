"""CloudFormation templates: reading and checking them as CloudFormation does, their dependencies,
parameters and capabilities, comparing two (nothing resolved), and resolving intrinsic functions
(best effort, for physical IDs and outputs)."""

import base64
import json
import re

from aws_error import validation_error


PSEUDO_PARAMETERS = {'AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition',
                     'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix'}
TEMPLATE_SECTIONS = {'AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters',
                     'Mappings', 'Conditions', 'Transform', 'Resources', 'Outputs', 'Rules'}
MAX_TEMPLATE_BODY = 51200  # in a request's TemplateBody
MAX_TEMPLATE_URL_BYTES = 1000000  # in the S3 object a TemplateURL names
_SUB_VARIABLE = re.compile(r'\$\{([^}]*)\}')

# Properties whose change replaces the resource: those with "UpdateType": "Immutable" in the
# CloudFormation resource specification (tests/cloudformation/cfn-spec-subset.json holds the
# types i2kit generates; aws_stand_in_test.py checks the two agree).
REPLACEMENT_PROPERTIES = {
    'AWS::AutoScaling::AutoScalingGroup': {'AutoScalingGroupName', 'InstanceId'},
    'AWS::EC2::LaunchTemplate': {'LaunchTemplateName'},
    'AWS::EC2::SecurityGroup': {'GroupDescription', 'GroupName', 'VpcId'},
    'AWS::EC2::SecurityGroupIngress': {
        'CidrIp', 'CidrIpv6', 'FromPort', 'GroupId', 'GroupName', 'IpProtocol',
        'SourcePrefixListId', 'SourceSecurityGroupId', 'SourceSecurityGroupName',
        'SourceSecurityGroupOwnerId', 'ToPort'},
    'AWS::ElasticLoadBalancingV2::Listener': {'LoadBalancerArn'},
    'AWS::ElasticLoadBalancingV2::LoadBalancer': {'Name', 'Scheme', 'Type'},
    'AWS::ElasticLoadBalancingV2::TargetGroup': {
        'IpAddressType', 'Name', 'Port', 'Protocol', 'ProtocolVersion', 'TargetType', 'VpcId'},
    'AWS::IAM::InstanceProfile': {'InstanceProfileName', 'Path'},
    'AWS::IAM::Role': {'Path', 'RoleName'},
    'AWS::Route53::RecordSet': {'HostedZoneId', 'HostedZoneName', 'Name'},
}

# IAM resource types, with the property that gives one a custom name (CAPABILITY_NAMED_IAM).
IAM_NAME_PROPERTIES = {
    'AWS::IAM::Role': 'RoleName', 'AWS::IAM::InstanceProfile': 'InstanceProfileName',
    'AWS::IAM::ManagedPolicy': 'ManagedPolicyName', 'AWS::IAM::User': 'UserName',
    'AWS::IAM::Group': 'GroupName',
}


def sub_variables(text):
    """The ${Name} and ${Resource.Attribute} variables of an Fn::Sub string (not ${!Literal})."""
    return [name for name in _SUB_VARIABLE.findall(text) if not name.startswith('!')]


def template_reference_list(value):
    """Every reference in a template value, as (kind, name, attribute): ('Ref', X, None) for
    Ref X and ${X}, ('GetAtt', X, A) for Fn::GetAtt [X, A] and ${X.A}."""
    found = []

    def walk(v):
        if isinstance(v, list):
            for item in v:
                walk(item)
        elif isinstance(v, dict):
            if len(v) == 1:
                key, arg = next(iter(v.items()))
                if key == 'Ref' and isinstance(arg, str):
                    found.append(('Ref', arg, None))
                    return
                if key == 'Fn::GetAtt':
                    parts = arg.split('.', 1) if isinstance(arg, str) else arg
                    if isinstance(parts, list) and parts and isinstance(parts[0], str):
                        found.append(('GetAtt', parts[0],
                                      parts[1] if len(parts) > 1 and isinstance(parts[1], str)
                                      else None))
                    return
                if key == 'Fn::Sub':
                    text, local = arg, {}
                    if isinstance(arg, list) and arg:
                        text = arg[0]
                        local = arg[1] if len(arg) > 1 and isinstance(arg[1], dict) else {}
                        walk(local)
                    if isinstance(text, str):
                        for name in sub_variables(text):
                            if name not in local:
                                target, _, attribute = name.partition('.')
                                found.append(('GetAtt', target, attribute) if attribute
                                             else ('Ref', target, None))
                    return
            for item in v.values():
                walk(item)

    walk(value)
    return found


def template_references(value):
    """Names a template value refers to: Ref targets, Fn::GetAtt resources, Fn::Sub variables."""
    return {name for _, name, _ in template_reference_list(value)}


def _depends_on(resource):
    depends = resource.get('DependsOn', [])
    return {depends} if isinstance(depends, str) else {d for d in depends if isinstance(d, str)}


def resource_dependencies(doc):
    """Each resource's logical ID → the resources it needs first (Ref, Fn::GetAtt, Fn::Sub,
    DependsOn)."""
    resources = doc['Resources']
    return {lid: ({name for name in template_references(resource.get('Properties', {}))
                   if name in resources} | _depends_on(resource)) - {lid}
            for lid, resource in resources.items()}


def dependency_order(deps):
    """Logical IDs so that each comes after what it depends on, else None (a cycle)."""
    order, placed = [], set()
    while len(order) < len(deps):
        ready = [lid for lid in deps if lid not in placed and deps[lid] <= placed]
        if not ready:
            return None
        order += ready
        placed.update(ready)
    return order


def parse_template(body, in_request=True):
    """The template as JSON, checked as CloudFormation checks it when a change set is made;
    `in_request` when it came as TemplateBody (at most MAX_TEMPLATE_BODY), not from S3."""
    if in_request and len(body) > MAX_TEMPLATE_BODY:
        raise validation_error(
            f"1 validation error detected: Value '{body[:64]}…' at 'templateBody' failed to "
            f'satisfy constraint: Member must have length less than or equal to '
            f'{MAX_TEMPLATE_BODY}')
    if not body.lstrip().startswith('{'):
        raise validation_error('Template format error: the stand-in reads JSON templates only '
                               '(YAML is not supported)')
    try:
        doc = json.loads(body)
    except json.JSONDecodeError as e:
        raise validation_error(f'Template format error: JSON not well-formed. (line {e.lineno}, '
                               f' column {e.colno})') from None
    unknown = sorted(set(doc) - TEMPLATE_SECTIONS)
    if unknown:
        raise validation_error('Template format error: Invalid template property or properties '
                               f"[{', '.join(unknown)}]")
    version = doc.get('AWSTemplateFormatVersion', '2010-09-09')
    if version != '2010-09-09':
        raise validation_error(f"Template format error: Unsupported template version: {version}")
    if 'Transform' in doc or 'Conditions' in doc:
        raise validation_error('stand-in: Transform and Conditions are not emulated')
    resources = doc.get('Resources')
    if not isinstance(resources, dict) or not resources:
        raise validation_error(
            'Template format error: At least one Resources member must be defined.')
    for lid, resource in resources.items():
        if not lid.isalnum():
            raise validation_error(f'Template format error: Resource name {lid} is non '
                                   'alphanumeric.')
        if not isinstance(resource, dict) or not isinstance(resource.get('Type'), str):
            raise validation_error(f'Template format error: [/Resources/{lid}] Every Resources '
                                   'object must contain a Type member.')
        if 'Condition' in resource:
            raise validation_error('stand-in: Conditions are not emulated')
    parameters = doc.get('Parameters', {})
    for name, parameter in parameters.items():
        if not isinstance(parameter, dict) or 'Type' not in parameter:
            raise validation_error(
                'Template format error: Every Parameters object must contain a Type member.')
    known = set(resources) | set(parameters) | PSEUDO_PARAMETERS
    for section, value in (('Resources', resources), ('Outputs', doc.get('Outputs', {}))):
        refs = template_references(value)
        if section == 'Resources':
            for resource in resources.values():
                refs |= _depends_on(resource)
        unresolved = sorted(refs - known)
        if unresolved:
            raise validation_error(
                f"Template format error: Unresolved resource dependencies [{', '.join(unresolved)}]"
                f' in the {section} block of the template')
    deps = resource_dependencies(doc)
    if dependency_order(deps) is None:
        placed, cyclic = set(), set(deps)
        changed = True
        while changed:
            changed = False
            for lid in list(cyclic):
                if deps[lid] <= placed:
                    placed.add(lid)
                    cyclic.discard(lid)
                    changed = True
        raise validation_error('Circular dependency between resources: '
                               f"[{', '.join(sorted(cyclic))}]")
    return doc


def required_capability(doc):
    """CAPABILITY_NAMED_IAM, CAPABILITY_IAM or None, as the template's IAM resources need."""
    needed = None
    for resource in doc['Resources'].values():
        kind = resource['Type']
        if kind.startswith('AWS::IAM::'):
            needed = needed or 'CAPABILITY_IAM'
            if IAM_NAME_PROPERTIES.get(kind) in resource.get('Properties', {}):
                needed = 'CAPABILITY_NAMED_IAM'
    return needed


def resolve_parameters(doc, given, previous):
    """The template's parameter values: given, UsePreviousValue (from `previous`, None for a new
    stack), or the Default."""
    declared = doc.get('Parameters', {})
    by_key = {}
    for parameter in given:
        by_key[parameter.get('ParameterKey')] = parameter
    unknown = [key for key in by_key if key not in declared]
    if unknown:
        raise validation_error(f"Parameters: [{', '.join(map(str, unknown))}] do not exist in the "
                               'template')
    values, missing = {}, []
    for key, spec in declared.items():
        parameter = by_key.get(key, {})
        if parameter.get('UsePreviousValue'):
            if 'ParameterValue' in parameter:
                raise validation_error(f'Invalid input for parameter key {key}. Cannot specify '
                                       'usePreviousValue as true and non empty value for a '
                                       'parameter')
            if previous is None or key not in previous:
                raise validation_error(f'Invalid input for parameter key {key}. Cannot specify '
                                       'usePreviousValue as true for a parameter key not in the '
                                       'previous template')
            values[key] = previous[key]
        elif 'ParameterValue' in parameter:
            values[key] = parameter['ParameterValue']
        elif 'Default' in spec:
            default = spec['Default']
            values[key] = ','.join(map(str, default)) if isinstance(default, list) else (
                json.dumps(default) if isinstance(default, bool) else str(default))
        else:
            missing.append(key)
        allowed = spec.get('AllowedValues')
        if key in values and allowed and values[key] not in [str(v) for v in allowed]:
            raise validation_error(f"Parameter '{key}' must be one of AllowedValues")
    if missing:
        raise validation_error(f"Parameters: [{', '.join(missing)}] must have values")
    return values


def _detail(attribute, name, requires, source, causing=None, evaluation='Static'):
    target = {'Attribute': attribute, 'RequiresRecreation': requires}
    if name is not None:
        target['Name'] = name
    detail = {'Target': target, 'Evaluation': evaluation, 'ChangeSource': source}
    if causing:
        detail['CausingEntity'] = causing
    return detail


def _static_details(old, new, changed_params):
    """What changed in a resource's own JSON, and which of its properties refer to a parameter
    whose value changed."""
    immutable = REPLACEMENT_PROPERTIES.get(new['Type'], set())
    old_props, new_props = old.get('Properties', {}), new.get('Properties', {})
    details = []
    for name in sorted(set(old_props) | set(new_props)):
        requires = 'Always' if name in immutable else 'Never'
        if old_props.get(name) != new_props.get(name):
            if name == 'Tags':
                details.append(_detail('Tags', None, 'Never', 'DirectModification'))
            else:
                details.append(_detail('Properties', name, requires, 'DirectModification'))
        elif name in new_props:
            for param in sorted(changed_params & template_references(new_props[name])):
                details.append(_detail('Properties', name, requires, 'ParameterReference',
                                       param))
    if old.get('Metadata') != new.get('Metadata'):
        details.append(_detail('Metadata', None, 'Never', 'DirectModification'))
    return details


def _dynamic_details(lid, resource, modified):
    """The properties of `resource` that read an attribute of a modified resource, or the ID of
    one that may be replaced: CloudFormation learns their values only during the update."""
    immutable = REPLACEMENT_PROPERTIES.get(resource['Type'], set())
    details = []
    for name, value in resource.get('Properties', {}).items():
        requires = 'Always' if name in immutable else 'Never'
        for kind, target, attribute in template_reference_list(value):
            cause = modified.get(target) if target != lid else None
            if cause is None or (kind == 'Ref' and cause['Replacement'] == 'False'):
                continue
            details.append(_detail(
                'Properties', name, requires,
                'ResourceAttribute' if kind == 'GetAtt' else 'ResourceReference',
                f'{target}.{attribute}' if kind == 'GetAtt' else target, 'Dynamic'))
    return details


def _replacement(details):
    if any(d['Target']['RequiresRecreation'] == 'Always' and d['Evaluation'] == 'Static'
           for d in details):
        return 'True'
    if any(d['Target']['RequiresRecreation'] == 'Always' for d in details):
        return 'Conditional'
    return 'False'


def diff_templates(old_doc, old_params, new_doc, new_params, physical_ids):
    """The ResourceChange list from `old` to `new`: template JSON compared per logical ID,
    parameter value changes marking the resources that refer to them, and those that refer to
    a modified resource marked Dynamic, as CloudFormation does. Nothing is resolved."""
    old_resources, new_resources = old_doc['Resources'], new_doc['Resources']
    retyped = sorted(lid for lid in new_resources if lid in old_resources
                     and new_resources[lid]['Type'] != old_resources[lid]['Type'])
    if retyped:
        raise validation_error('Update of resource type is not permitted. The new template '
                               'modifies resource type of the following resources: '
                               f"[{', '.join(retyped)}]")
    changed_params = {key for key in set(old_params) | set(new_params)
                      if old_params.get(key) != new_params.get(key)}
    kept = [lid for lid in new_resources if lid in old_resources]
    static = {lid: _static_details(old_resources[lid], new_resources[lid], changed_params)
              for lid in kept}
    modified = {}
    while True:  # until no more resources turn out to be modified
        details = {lid: static[lid] + _dynamic_details(lid, new_resources[lid], modified)
                   for lid in kept}
        now = {lid: {'Replacement': _replacement(d)} for lid, d in details.items() if d}
        if now == modified:
            break
        modified = now
    changes = []
    for lid, resource in new_resources.items():
        if lid not in old_resources:
            changes.append({'Action': 'Add', 'LogicalResourceId': lid,
                            'ResourceType': resource['Type'], 'Scope': [], 'Details': []})
        elif lid in modified:
            changes.append({'Action': 'Modify', 'LogicalResourceId': lid,
                            'PhysicalResourceId': physical_ids.get(lid),
                            'ResourceType': resource['Type'],
                            'Replacement': modified[lid]['Replacement'],
                            'Scope': sorted({d['Target']['Attribute'] for d in details[lid]}),
                            'Details': details[lid]})
    for lid, resource in old_resources.items():
        if lid not in new_resources:
            changes.append({'Action': 'Remove', 'LogicalResourceId': lid,
                            'PhysicalResourceId': physical_ids.get(lid),
                            'ResourceType': resource['Type'], 'Scope': [], 'Details': []})
    return changes


class Resolver:
    """Intrinsic functions against a stack as it stands, best effort: what cannot be resolved
    becomes a string saying so, never an exception."""

    def __init__(self, stack, config):
        self.stack = stack
        self.config = config

    def parameter(self, name):
        stack = self.stack
        pseudo = {'AWS::AccountId': self.config.account, 'AWS::NotificationARNs': [],
                  'AWS::NoValue': None, 'AWS::Partition': 'aws', 'AWS::Region': self.config.region,
                  'AWS::StackId': stack.id, 'AWS::StackName': stack.name,
                  'AWS::URLSuffix': 'amazonaws.com'}
        if name in pseudo:
            return pseudo[name]
        if name in stack.parameters:
            value = stack.parameters[name]
            kind = stack.doc.get('Parameters', {}).get(name, {}).get('Type', '')
            if kind.startswith('List<') or kind == 'CommaDelimitedList':
                return value.split(',') if value else []
            return value
        resource = stack.resources.get(name)
        if resource is not None and resource.physical_id:
            return resource.physical_id
        return f'(stand-in: {name} has no value yet)'

    def attribute(self, name, attribute):
        resource = self.stack.resources.get(name)
        if resource is None or resource.physical_id is None:
            return f'(stand-in: {name}.{attribute} has no value yet)'
        if attribute in resource.attributes:
            return resource.attributes[attribute]
        return f'{resource.physical_id}.{attribute}'

    def substitute(self, text, local):
        def replace(match):
            name = match.group(1)
            if name.startswith('!'):
                return '${' + name[1:] + '}'
            if name in local:
                value = self.resolve(local[name])
            elif '.' in name:
                value = self.attribute(*name.split('.', 1))
            else:
                value = self.parameter(name)
            return ','.join(map(str, value)) if isinstance(value, list) else str(value)
        return _SUB_VARIABLE.sub(replace, text)

    def resolve(self, value):
        try:
            return self._resolve(value)
        except (TypeError, ValueError, IndexError, KeyError, AttributeError) as e:
            return f'(stand-in: cannot resolve {json.dumps(value)[:200]}: {e})'

    def _resolve(self, value):
        if isinstance(value, list):
            return [self._resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            key, arg = next(iter(value.items()))
            if key == 'Ref':
                return self.parameter(arg)
            if key == 'Fn::GetAtt':
                name, attribute = arg.split('.', 1) if isinstance(arg, str) else arg
                return self.attribute(name, self._resolve(attribute))
            if key == 'Fn::Sub':
                if isinstance(arg, str):
                    return self.substitute(arg, {})
                return self.substitute(arg[0], arg[1] if len(arg) > 1 else {})
            if key == 'Fn::Join':
                delimiter, items = arg
                items = self._resolve(items)
                return delimiter.join(str(item) for item in items)
            if key == 'Fn::Select':
                index, items = self._resolve(arg)
                return items[int(index)]
            if key == 'Fn::Split':
                delimiter, text = arg
                return str(self._resolve(text)).split(delimiter)
            if key == 'Fn::Base64':
                return base64.b64encode(str(self._resolve(arg)).encode()).decode()
            if key == 'Fn::GetAZs':
                return [f'{self.config.region}{zone}' for zone in 'abc']
            if key == 'Fn::FindInMap':
                mapping, top, second = self._resolve(arg)
                return self.stack.doc['Mappings'][mapping][top][second]
            if key.startswith('Fn::') or key == 'Condition':
                return f'(stand-in: {key} is not resolved)'
        return {k: self._resolve(v) for k, v in value.items()}

    def text(self, value):
        """A resolved value as an output's string."""
        value = self.resolve(value)
        if isinstance(value, list):
            return ','.join(map(str, value))
        if isinstance(value, dict):
            return json.dumps(value)
        return str(value)
