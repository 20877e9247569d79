"""The AWS REST-XML protocol (Route 53), read and written by botocore's service model: the
operation found from the method and the request URI, members from the URI and the query
string, answers written from the output shape under <ActionResponse xmlns=…>, errors as an
<ErrorResponse>."""

import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, urlsplit

from aws_error import AwsError
from query_protocol import _xml_value, check_parameters, parse_scalar, render_error
from rest_json_protocol import find_operation


def is_rest_xml_service(service_model):
    return service_model.metadata.get('protocol') == 'rest-xml'


def _namespace(service_model):
    return f'https://{service_model.endpoint_prefix}.amazonaws.com/doc/' \
           f'{service_model.api_version}/'


def parse_rest_xml_request(service_model, method, raw_path, body):
    """The operation and its parameters (URI and query members; no operation the stand-in
    emulates has an XML body), checked against the model."""
    operation, labels = find_operation(service_model, method, raw_path)
    shape = operation.input_shape
    params = {}
    if shape is None:
        return operation, params
    query = dict(parse_qsl(urlsplit(raw_path).query, keep_blank_values=True))
    for name, member in shape.members.items():
        location = member.serialization.get('location')
        wire = member.serialization.get('name', name)
        if location == 'uri' and wire in labels:
            params[name] = parse_scalar(labels[wire], member, name, operation)
        elif location == 'querystring' and wire in query:
            params[name] = parse_scalar(query.pop(wire), member, name, operation)
    if query:
        raise AwsError('InvalidInput', f"stand-in: {operation.name} has no query member "
                       f"'{sorted(query)[0]}'")
    if body and not any(m.serialization.get('location') is None for m in shape.members.values()):
        raise AwsError('InvalidInput', f'stand-in: {operation.name} takes no body')
    check_parameters(params, operation)
    return operation, params


def render_rest_xml_result(service_model, operation, result):
    root = ET.Element(f'{operation.name}Response', xmlns=_namespace(service_model))
    if operation.output_shape is not None:
        _xml_value(root, result or {}, operation.output_shape, operation.name, {})
    return ET.tostring(root, encoding='utf-8')


def render_rest_xml_error(service_model, error, request_id):
    return render_error(_namespace(service_model), error, request_id)
