"""The AWS REST-JSON protocol (the EBS direct APIs), read and written by botocore's service model:
the operation found from the method and the request URI, members taken from the URI, the
headers, a raw payload or the JSON body, and answers written from the output shape."""

import base64
import binascii
import json
import re
from urllib.parse import unquote, urlsplit

from aws_error import AwsError, validation_error
from query_protocol import check_parameters, parse_scalar


def _uri_pattern(request_uri):
    """'/snapshots/{snapshotId}/blocks/{blockIndex}' as a regex with one group per label."""
    path = request_uri.split('?')[0]
    pattern = re.sub(r'\\\{(\w+)\+?\\\}', r'(?P<\1>[^/]+)', re.escape(path))
    return re.compile(pattern + '$')


def find_operation(service_model, method, raw_path):
    """The operation `method` on the path of `raw_path` calls, and the URI's labels."""
    path = urlsplit(raw_path).path
    for name in service_model.operation_names:
        operation = service_model.operation_model(name)
        if operation.http['method'] != method:
            continue
        match = _uri_pattern(operation.http['requestUri']).match(path)
        if match:
            return operation, {k: unquote(v) for k, v in match.groupdict().items()}
    raise AwsError('UnknownOperationException',
                   f'stand-in: no {service_model.service_name} operation answers {method} {path}',
                   404)


def _from_json(value, shape, name):
    if shape.type_name == 'blob' and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error:
            raise validation_error(f"stand-in: '{name}' is not base64") from None
    if shape.type_name == 'structure' and isinstance(value, dict):
        return {k: _from_json(v, shape.members[k], f'{name}.{k}') if k in shape.members else v
                for k, v in value.items()}
    if shape.type_name == 'list' and isinstance(value, list):
        return [_from_json(v, shape.member, f'{name}[{i}]') for i, v in enumerate(value)]
    return value


def parse_rest_json_request(service_model, method, raw_path, headers, body):
    """The operation and its parameters, checked against the botocore model."""
    operation, labels = find_operation(service_model, method, raw_path)
    shape = operation.input_shape
    params = {}
    if shape is None:
        return operation, params
    payload = shape.serialization.get('payload')
    body_members = {}
    for name, member in shape.members.items():
        location = member.serialization.get('location')
        wire = member.serialization.get('name', name)
        if location == 'uri':
            if wire in labels:
                params[name] = parse_scalar(labels[wire], member, wire, operation)
        elif location == 'header':
            if headers.get(wire) is not None:
                params[name] = parse_scalar(headers.get(wire), member, wire, operation)
        elif location == 'querystring':
            continue  # none of the emulated operations takes one
        elif name == payload:
            if member.type_name == 'blob':
                params[name] = body
        else:
            body_members[name] = member
    if body_members and body:
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise AwsError('SerializationException', 'stand-in: the body is not JSON') from None
        if not isinstance(document, dict):
            raise AwsError('SerializationException', 'stand-in: the body is not a JSON object')
        for key, value in document.items():
            if key not in body_members:
                raise AwsError('SerializationException',
                               f"stand-in: {operation.name} has no member '{key}' (botocore model "
                               f'{service_model.service_name} {service_model.api_version})')
            params[key] = _from_json(value, body_members[key], key)
    check_parameters(params, operation)
    return operation, params


def _to_json(value, shape):
    kind = shape.type_name
    if kind == 'structure':
        return {name: _to_json(v, shape.members[name]) for name, v in value.items()
                if v is not None}
    if kind == 'list':
        return [_to_json(v, shape.member) for v in value]
    if kind == 'timestamp':
        return value.timestamp()  # REST-JSON's default: epoch seconds
    if kind == 'blob':
        return base64.b64encode(value).decode()
    return value


def render_rest_json_result(operation, result):
    """(HTTP status, headers, JSON body) of an answer, walked from the output shape."""
    status = operation.http.get('responseCode', 200)
    shape = operation.output_shape
    headers, members = {}, {}
    for name, value in (result or {}).items():
        if shape is None or name not in shape.members:
            raise TypeError(f'stand-in bug: {operation.name} has no output member {name}')
        member = shape.members[name]
        if member.serialization.get('location') == 'header':
            headers[member.serialization.get('name', name)] = str(value)
        else:
            members[name] = _to_json(value, member)
    return status, headers, json.dumps(members).encode()


def render_rest_json_error(error, request_id):
    """(headers, body) of an error: its code in x-amzn-ErrorType, its message and any of the
    error shape's fields (EBS's Reason) in the body."""
    body = {'message': error.message, **getattr(error, 'fields', {})}
    return ({'x-amzn-ErrorType': error.code, 'x-amzn-RequestId': request_id},
            json.dumps(body).encode())
