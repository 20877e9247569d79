"""How an operation's payload is signed, as its `authtype` in botocore's model and an https://
endpoint require. AWS endpoints are https://, where botocore hashes the body into the signature
unless the operation is `v4-unsigned-body` (EBS PutSnapshotBlock): then the canonical request
ends in UNSIGNED-PAYLOAD and X-Amz-Content-SHA256 carries it (botocore handlers.py and
auth.py, SigV4Auth._modify_request_before_signing). The stand-in's plain listener stands in for
that https:// endpoint, so it checks every request as one."""

from urllib.parse import parse_qsl, urlsplit

from aws_error import AwsError
from rest_json_protocol import find_operation

UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'
UNSIGNED_BODY = 'v4-unsigned-body'


def operation_name(service_model, method, raw_path, headers, body):
    """The operation a request calls, read before its signature is checked; None when it
    cannot be told (the shape checks that follow say why)."""
    protocol = service_model.metadata['protocol']
    if protocol == 'rest-json':
        try:
            return find_operation(service_model, method, raw_path)[0].name
        except AwsError:
            return None
    if protocol == 'json':
        return headers.get('X-Amz-Target', '').partition('.')[2] or None
    text = urlsplit(raw_path).query + '&' + body.decode('utf-8', 'replace')
    return dict(parse_qsl(text, keep_blank_values=True)).get('Action')


def unsigned_operation(service_model, method, raw_path, headers, body):
    """The operation's name when its payload must be signed as UNSIGNED-PAYLOAD, else None."""
    name = operation_name(service_model, method, raw_path, headers, body)
    if name not in service_model.operation_names:
        return None
    return name if service_model.operation_model(name).auth_type == UNSIGNED_BODY else None


def check_unsigned_payload(operation, headers, signed_names):
    """A v4-unsigned-body request must send X-Amz-Content-SHA256: UNSIGNED-PAYLOAD and sign
    that header, as botocore does; a signature over the body's hash is not the one AWS
    computes."""
    sent = headers.get('X-Amz-Content-SHA256')
    if sent != UNSIGNED_PAYLOAD or 'x-amz-content-sha256' not in signed_names:
        raise AwsError(
            'SignatureDoesNotMatch',
            'The request signature we calculated does not match the signature you provided. '
            f'(stand-in: {operation} is authtype {UNSIGNED_BODY} in botocore\'s model: its body '
            f'is not signed; send X-Amz-Content-SHA256: {UNSIGNED_PAYLOAD} and sign that header; '
            f"the request sent {sent!r}"
            f"{'' if 'x-amz-content-sha256' in signed_names else ', not signed'})", 403)
