"""The AWS JSON protocol (CloudWatch Logs): POST / with X-Amz-Target `Prefix.Action` and a JSON
body; answers are JSON, errors {"__type": code, "message": …}. Requests are checked against the
botocore model as the Query ones are: the target, the content type, every member."""

import json

import botocore.exceptions
import botocore.validate

from aws_error import AwsError


def is_json_service(service_model):
    return service_model.metadata.get('protocol') == 'json'


def parse_json_request(service_model, headers, body):
    """The operation and its parameters, checked against the model."""
    version = service_model.metadata['jsonVersion']
    content_type = headers.get('Content-Type', '')
    if content_type.split(';')[0].strip().lower() != f'application/x-amz-json-{version}':
        raise AwsError('SerializationException', f'stand-in: a {service_model.service_name} '
                       f"body must be application/x-amz-json-{version}, not '{content_type}'")
    prefix, _, action = headers.get('X-Amz-Target', '').partition('.')
    if prefix != service_model.metadata['targetPrefix'] or \
            action not in service_model.operation_names:
        raise AwsError('UnknownOperationException',
                       f"stand-in: unknown X-Amz-Target '{headers.get('X-Amz-Target')}'")
    try:
        params = json.loads(body.decode('utf-8') or '{}')
    except (UnicodeDecodeError, ValueError) as e:
        raise AwsError('SerializationException', f'stand-in: the body is not JSON: {e}') from None
    if not isinstance(params, dict):
        raise AwsError('SerializationException', 'stand-in: the body is not a JSON object')
    operation = service_model.operation_model(action)
    try:
        botocore.validate.validate_parameters(params, operation.input_shape)
    except botocore.exceptions.ParamValidationError as e:
        raise AwsError('InvalidParameterException',
                       f'stand-in: botocore rejects {action}: {e}') from None
    return operation, params


def render_json_result(result):
    return json.dumps(result or {}).encode()


def render_json_error(error):
    return json.dumps({'__type': error.code, 'message': error.message}).encode()
