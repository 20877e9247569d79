"""The AWS Query protocol, read and written by botocore's service model: form fields to checked
parameters, and results to XML walked from the operation's output shape."""

import base64
import binascii
import re
import xml.etree.ElementTree as ET

import botocore.exceptions
import botocore.utils
import botocore.validate

from aws_error import AwsError, iso8601, validation_error


def _unlisted_enum_values(service_model):
    """Values AWS sends that the model's enums leave out: a stack's own events carry its stack
    status (REVIEW_IN_PROGRESS, UPDATE_COMPLETE_CLEANUP_IN_PROGRESS…) in ResourceStatus."""
    if 'StackStatus' not in service_model.shape_names:
        return {}
    return {'ResourceStatus': set(service_model.shape_for('StackStatus').enum)}


def _shape_error(operation, service_model, what):
    return AwsError('InvalidParameter',
                    f'stand-in: {operation.name} {what} (botocore model '
                    f"{service_model.service_name} {service_model.api_version})")


def _field_tree(fields, operation, service_model):
    """Form fields as a tree split on '.': A.member.1.B=x → {A: {member: {1: {B: x}}}}."""
    tree = {}
    for name, value in fields.items():
        parts = name.split('.')
        if any(part == '' for part in parts):
            raise _shape_error(operation, service_model,
                               f"has no member '{name}' (empty name part)")
        node = tree
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            existing = node.get(part)
            if last:
                if isinstance(existing, dict):
                    raise _shape_error(operation, service_model,
                                       f"got both '{name}' and members under it")
                node[part] = value
            else:
                if isinstance(existing, str):
                    raise _shape_error(operation, service_model,
                                       f"got both '{'.'.join(parts[:i + 1])}' and '{name}'")
                node = node.setdefault(part, {})
    return tree


def _is_ec2(service_model):
    """EC2's dialect: members named by queryName or the capitalized locationName, and every
    list flattened, Name.N, with no .member."""
    return service_model.metadata['protocol'] == 'ec2'


def _serialized_members(shape, ec2=False):
    names = {}
    for name, member in shape.members.items():
        key = member.serialization.get('name', name)
        if ec2:
            key = member.serialization.get('queryName') or key[:1].upper() + key[1:]
            names[key] = (name, member)
            continue
        if (member.type_name == 'list' and member.serialization.get('flattened')
                and member.member.serialization.get('name')):
            key = member.member.serialization['name']
        names[key] = (name, member)
    return names


def _numbered(node, path, operation, service_model):
    """The elements of a list or map node, which must be numbered 1..N without gaps."""
    try:
        numbers = sorted(int(key) for key in node if key.isdigit() and not key.startswith('0'))
    except ValueError:
        numbers = []
    if len(numbers) != len(node) or numbers != list(range(1, len(node) + 1)):
        raise _shape_error(operation, service_model,
                           f"list '{path}' must be numbered 1..N without gaps; got "
                           f"{', '.join(sorted(node))}")
    return [(n, node[str(n)]) for n in numbers]


def parse_scalar(text, shape, path, operation):
    """A member's text (form field, URI label, header) as a value of its shape's type."""
    kind = shape.type_name
    try:
        if kind == 'string':
            return text
        if kind in ('integer', 'long'):
            return int(text)
        if kind in ('float', 'double'):
            return float(text)
        if kind == 'boolean':
            if text not in ('true', 'false'):
                raise ValueError
            return text == 'true'
        if kind == 'timestamp':
            return botocore.utils.parse_timestamp(text)
        if kind == 'blob':
            return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raise validation_error(f"stand-in: {operation.name}: '{path}' must be a {kind}, got "
                               f"'{text}'") from None
    raise validation_error(f'stand-in: {operation.name}: {path} has unknown type {kind}')


def _decode(node, shape, path, operation, service_model):
    kind = shape.type_name
    if kind == 'structure':
        if isinstance(node, str):
            raise _shape_error(operation, service_model,
                               f"member '{path}' is a structure: give its members as {path}.Name")
        members = _serialized_members(shape, _is_ec2(service_model))
        result = {}
        for key, child in node.items():
            child_path = f'{path}.{key}' if path else key
            if key not in members:
                raise _shape_error(operation, service_model, f"has no member '{child_path}'")
            name, member = members[key]
            result[name] = _decode(child, member, child_path, operation, service_model)
        return result
    if kind == 'list':
        if isinstance(node, str):
            if node == '':
                return []  # botocore sends "Name=" for an empty list
            raise _shape_error(operation, service_model,
                               f"member '{path}' is a list: give its elements as "
                               f'{path}.member.1, {path}.member.2, …')
        if not shape.serialization.get('flattened') and not _is_ec2(service_model):
            wrapper = shape.member.serialization.get('name', 'member')
            if set(node) != {wrapper} or isinstance(node[wrapper], str):
                raise _shape_error(operation, service_model,
                                   f"list '{path}' must be given as {path}.{wrapper}.N")
            node, path = node[wrapper], f'{path}.{wrapper}'
        return [_decode(child, shape.member, f'{path}.{n}', operation, service_model)
                for n, child in _numbered(node, path, operation, service_model)]
    if kind == 'map':
        if isinstance(node, str):
            raise _shape_error(operation, service_model,
                               f"member '{path}' is a map: give it as {path}.entry.N.key/value")
        if not shape.serialization.get('flattened'):
            if set(node) != {'entry'} or isinstance(node['entry'], str):
                raise _shape_error(operation, service_model,
                                   f"map '{path}' must be given as {path}.entry.N")
            node, path = node['entry'], f'{path}.entry'
        key_name = shape.key.serialization.get('name', 'key')
        value_name = shape.value.serialization.get('name', 'value')
        result = {}
        for n, entry in _numbered(node, path, operation, service_model):
            if isinstance(entry, str) or set(entry) != {key_name, value_name}:
                raise _shape_error(operation, service_model,
                                   f"map entry '{path}.{n}' needs exactly .{key_name} and "
                                   f'.{value_name}')
            key = _decode(entry[key_name], shape.key, f'{path}.{n}.{key_name}', operation,
                          service_model)
            result[key] = _decode(entry[value_name], shape.value, f'{path}.{n}.{value_name}',
                                  operation, service_model)
        return result
    if not isinstance(node, str):
        raise _shape_error(operation, service_model,
                           f"member '{path}' is a {kind}, not a structure or list")
    return parse_scalar(node, shape, path, operation)


def _lower_camel(name):
    return name[:1].lower() + name[1:]


def _constraint_violations(value, shape, where):
    """What AWS checks and botocore's validator leaves out (maximums, patterns, enums), in
    AWS's words: "Value 'x' at 'changeSetName' failed to satisfy constraint: …"."""
    found = []
    kind = shape.type_name
    limits = shape.metadata
    if kind == 'structure':
        for name, member in shape.members.items():
            if name in value:
                found += _constraint_violations(value[name], member,
                                                f'{where}.{_lower_camel(name)}' if where
                                                else _lower_camel(name))
    elif kind == 'list':
        if 'max' in limits and len(value) > limits['max']:
            found.append(f"Value '{value}' at '{where}' failed to satisfy constraint: Member must "
                         f"have length less than or equal to {limits['max']}")
        for i, item in enumerate(value, 1):
            found += _constraint_violations(item, shape.member, f'{where}.{i}.member')
    elif kind == 'string':
        shown = value if len(value) <= 256 else value[:256] + '…'
        if 'max' in limits and len(value) > limits['max']:
            found.append(f"Value '{shown}' at '{where}' failed to satisfy constraint: Member must "
                         f"have length less than or equal to {limits['max']}")
        if 'pattern' in limits:
            try:
                if re.fullmatch(limits['pattern'], value, re.DOTALL) is None:
                    found.append(f"Value '{shown}' at '{where}' failed to satisfy constraint: "
                                 'Member must satisfy regular expression pattern: '
                                 f"{limits['pattern']}")
            except re.error:
                pass  # a Java pattern Python cannot read: not checked
        if shape.enum and value not in shape.enum:
            found.append(f"Value '{shown}' at '{where}' failed to satisfy constraint: Member must "
                         f"satisfy enum value set: [{', '.join(shape.enum)}]")
    elif kind in ('integer', 'long') and 'max' in limits and value > limits['max']:
        found.append(f"Value '{value}' at '{where}' failed to satisfy constraint: Member must "
                     f"have value less than or equal to {limits['max']}")
    return found


def parse_query_request(service_model, fields):
    """The operation and its parameters, unflattened and checked against the botocore model.
    `fields` is the form's name → value."""
    fields = dict(fields)
    action = fields.pop('Action', None)
    version = fields.pop('Version', None)
    if not action:
        raise AwsError('MissingAction', 'stand-in: the request has no Action')
    if version != service_model.api_version:
        raise AwsError('InvalidParameterValue',
                       f"stand-in: Version '{version}' is not {service_model.service_name}'s API "
                       f'version {service_model.api_version} (botocore model)')
    if action not in service_model.operation_names:
        raise AwsError('InvalidAction',
                       f'Could not find operation {action} for version {version}')
    operation = service_model.operation_model(action)
    shape = operation.input_shape
    if shape is None:
        if fields:
            raise _shape_error(operation, service_model, f"has no member '{sorted(fields)[0]}'")
        return operation, {}
    params = _decode(_field_tree(fields, operation, service_model), shape, '', operation,
                     service_model)
    check_parameters(params, operation)
    return operation, params


def check_parameters(params, operation):
    """Checks decoded parameters as AWS does: botocore's validator (types, required members),
    then the model's maximums, patterns and enums."""
    try:
        botocore.validate.validate_parameters(params, operation.input_shape)
    except botocore.exceptions.ParamValidationError as e:
        raise validation_error(f'stand-in: botocore rejects {operation.name}: {e}') from None
    violations = _constraint_violations(params, operation.input_shape, '')
    if violations:
        count = len(violations)
        raise validation_error(f"{count} validation error{'s' if count > 1 else ''} detected: "
                               + '; '.join(violations))


def _xml_value(element, value, shape, path, unlisted):
    kind = shape.type_name
    if kind == 'structure':
        if not isinstance(value, dict):
            raise TypeError(f'stand-in bug: {path} must be a dict for {shape.name}')
        unknown = set(value) - set(shape.members)
        if unknown:
            raise TypeError(f'stand-in bug: {shape.name} has no member {sorted(unknown)} ({path})')
        for name, member in shape.members.items():
            if value.get(name) is None:
                continue
            tag = member.serialization.get('name', name)
            if member.type_name == 'list' and member.serialization.get('flattened'):
                item_tag = member.member.serialization.get('name', tag)
                for item in value[name]:
                    _xml_value(ET.SubElement(element, item_tag), item, member.member,
                               f'{path}.{name}', unlisted)
            else:
                _xml_value(ET.SubElement(element, tag), value[name], member, f'{path}.{name}',
                           unlisted)
    elif kind == 'list':
        tag = shape.member.serialization.get('name', 'member')
        for i, item in enumerate(value):
            _xml_value(ET.SubElement(element, tag), item, shape.member, f'{path}[{i}]', unlisted)
    elif kind == 'map':
        for key, item in value.items():
            entry = ET.SubElement(element, 'entry')
            _xml_value(ET.SubElement(entry, shape.key.serialization.get('name', 'key')), key,
                       shape.key, path, unlisted)
            _xml_value(ET.SubElement(entry, shape.value.serialization.get('name', 'value')),
                       item, shape.value, f'{path}[{key}]', unlisted)
    elif kind == 'timestamp':
        element.text = iso8601(value)
    elif kind == 'boolean':
        if not isinstance(value, bool):
            raise TypeError(f'stand-in bug: {path} must be a bool')
        element.text = 'true' if value else 'false'
    elif kind in ('integer', 'long'):
        element.text = str(int(value))
    elif kind in ('float', 'double'):
        element.text = repr(float(value))
    elif kind == 'blob':
        element.text = base64.b64encode(value).decode()
    else:
        if (shape.enum and value not in shape.enum
                and value not in unlisted.get(shape.name, ())):
            raise TypeError(f"stand-in bug: {path} = '{value}' is not in {shape.name}'s enum")
        element.text = str(value)


def render_result(service_model, operation, result, request_id):
    """<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…, walked from the
    operation's output shape."""
    root = ET.Element(f'{operation.name}Response',
                      xmlns=service_model.metadata['xmlNamespace'])
    shape = operation.output_shape
    if shape is not None:
        wrapper = shape.serialization.get('resultWrapper', f'{operation.name}Result')
        _xml_value(ET.SubElement(root, wrapper), result or {}, shape, operation.name,
                   _unlisted_enum_values(service_model))
    elif result:
        raise TypeError(f'stand-in bug: {operation.name} has no output, got {result}')
    metadata = ET.SubElement(root, 'ResponseMetadata')
    ET.SubElement(metadata, 'RequestId').text = request_id
    return ET.tostring(root, encoding='utf-8')


def render_error(namespace, error, request_id):
    root = ET.Element('ErrorResponse', xmlns=namespace)
    body = ET.SubElement(root, 'Error')
    ET.SubElement(body, 'Type').text = 'Sender' if error.sender else 'Receiver'
    ET.SubElement(body, 'Code').text = error.code
    ET.SubElement(body, 'Message').text = error.message
    ET.SubElement(root, 'RequestId').text = request_id
    return ET.tostring(root, encoding='utf-8')


def render_ec2_result(service_model, operation, result, request_id):
    """EC2's answer: <ActionResponse> holding requestId and the output's members directly."""
    root = ET.Element(f'{operation.name}Response', xmlns=service_model.metadata['xmlNamespace'])
    ET.SubElement(root, 'requestId').text = request_id
    if operation.output_shape is not None:
        _xml_value(root, result or {}, operation.output_shape, operation.name, {})
    elif result:
        raise TypeError(f'stand-in bug: {operation.name} has no output, got {result}')
    return ET.tostring(root, encoding='utf-8')


def render_ec2_error(error, request_id):
    """EC2's error document: <Response><Errors><Error>…</Errors><RequestID>."""
    root = ET.Element('Response')
    detail = ET.SubElement(ET.SubElement(root, 'Errors'), 'Error')
    ET.SubElement(detail, 'Code').text = error.code
    ET.SubElement(detail, 'Message').text = error.message
    ET.SubElement(root, 'RequestID').text = request_id
    return ET.tostring(root, encoding='utf-8')
