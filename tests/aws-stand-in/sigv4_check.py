"""SigV4 checked as AWS checks it: the signature is recomputed by botocore's signer over what the
request says it signed, and every failure is answered with AWS's code and message."""

import datetime
import hashlib
import hmac

import botocore.auth
import botocore.awsrequest
import botocore.compat
import botocore.credentials

from authtype import check_unsigned_payload
from aws_error import AwsError
from request_time import check_request_time

SERVICES = ('cloudformation', 'autoscaling', 'ec2', 'ebs', 'monitoring', 'logs', 'kms',
            'route53', 's3', 'secretsmanager', 'sts')
# Global services, signed for one region whatever the client's.
SIGNING_REGIONS = {'route53': 'us-east-1'}
SIGV4_TIME_FORMAT = '%Y%m%dT%H%M%SZ'


class _SignedHeadersOnly(botocore.auth.SigV4Auth):
    """botocore's SigV4, over exactly the headers listed in SignedHeaders (botocore's own
    choice, all headers but a few, is a client's choice and not what a server checks)."""

    def __init__(self, credentials, service, region, signed_names):
        super().__init__(credentials, service, region)
        self._signed_names = signed_names
        self._s3 = service == 's3'

    def _normalize_url_path(self, path):
        # S3 signs the path as sent (botocore's S3SigV4Auth); every other service normalizes it.
        return path if self._s3 else super()._normalize_url_path(path)

    def headers_to_sign(self, request):
        headers = botocore.compat.HTTPHeaders()
        for name in self._signed_names:
            for value in request.headers.get_all(name) or ['']:
                headers[name] = value
        return headers


def _authorization_fields(authorization):
    algorithm, _, rest = authorization.strip().partition(' ')
    fields = {}
    for part in rest.split(','):
        name, eq, value = part.strip().partition('=')
        if eq:
            fields[name] = value
    return algorithm, fields


def _check_s3_payload_hash(headers, body):
    """S3 wants the payload's hash in x-amz-content-sha256 (signed into the canonical request
    in its place), and refuses one that is not the body's."""
    sent = headers.get('X-Amz-Content-SHA256')
    if sent is None:
        raise AwsError('InvalidRequest',
                       'Missing required header for this request: x-amz-content-sha256')
    if sent != 'UNSIGNED-PAYLOAD' and sent != hashlib.sha256(body).hexdigest():
        raise AwsError('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header "
                       'does not match what was computed.')


def check_signature(config, method, raw_path, headers, body, now, unsigned_operation=None):
    """Checks a request's SigV4 Authorization header as AWS does; returns the service it is
    scoped to. `headers` is an email.message.Message (http.server's), `body` bytes.
    `unsigned_operation(service)` names the operation when its payload must be signed as
    UNSIGNED-PAYLOAD (authtype.py), else gives None."""
    authorization = headers.get('Authorization')
    if authorization is None:
        raise AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token',
                       403)
    algorithm, fields = _authorization_fields(authorization)
    if algorithm != 'AWS4-HMAC-SHA256':
        raise AwsError('IncompleteSignature',
                       f"Unsupported AWS 'algorithm': '{algorithm}' (expected AWS4-HMAC-SHA256)")
    missing = [f"Authorization header requires '{name}' parameter." for name in
               ('Credential', 'Signature', 'SignedHeaders') if not fields.get(name)]
    if missing:
        raise AwsError('IncompleteSignature',
                       ' '.join(missing) + f' Authorization={authorization}')
    credential = fields['Credential']
    scope = credential.split('/')
    if len(scope) != 5:
        raise AwsError('IncompleteSignature',
                       'Credential must have exactly 5 slash-delimited elements, e.g. '
                       f"keyid/date/region/service/term, got '{credential}'")
    access_key_id, scope_date, region, service, terminator = scope
    amz_date = headers.get('X-Amz-Date')
    if amz_date is None:
        raise AwsError('IncompleteSignature',
                       "Authorization header requires existence of either a 'X-Amz-Date' or a "
                       f"'Date' header. Authorization={authorization}")
    try:
        signed_at = datetime.datetime.strptime(amz_date, SIGV4_TIME_FORMAT).replace(
            tzinfo=datetime.timezone.utc)
    except ValueError:
        raise AwsError('IncompleteSignature',
                       f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See "
                       'http://en.wikipedia.org/wiki/ISO_8601') from None
    signed_names = fields['SignedHeaders'].split(';')
    if 'host' not in signed_names:
        raise AwsError('IncompleteSignature',
                       "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    if access_key_id != config.access_key_id:
        raise AwsError('InvalidClientTokenId',
                       'The security token included in the request is invalid.', 403)
    if headers.get('X-Amz-Security-Token') != config.session_token:
        raise AwsError('InvalidClientTokenId',
                       'The security token included in the request is invalid.', 403)
    if terminator != 'aws4_request':
        raise AwsError('SignatureDoesNotMatch', 'Credential should be scoped with a valid '
                       f"terminator: 'aws4_request', not '{terminator}'.", 403)
    if service not in SERVICES:
        raise AwsError('SignatureDoesNotMatch',
                       "Credential should be scoped to correct service: the stand-in serves "
                       f"{', '.join(SERVICES)}, not '{service}'.", 403)
    if region != SIGNING_REGIONS.get(service, config.region):
        raise AwsError('SignatureDoesNotMatch',
                       f"Credential should be scoped to a valid region, not '{region}'. "
                       f"(the stand-in is {config.region})", 403)
    if scope_date != amz_date[:8]:
        raise AwsError('SignatureDoesNotMatch',
                       'Date in Credential scope does not match YYYYMMDD from ISO-8601 version '
                       f"of date from HTTP: '{scope_date}' != '{amz_date[:8]}', from "
                       f"'{amz_date}'.", 403)
    check_request_time(service, signed_at, now)

    operation = unsigned_operation(service) if unsigned_operation else None
    if operation is not None:
        check_unsigned_payload(operation, headers, signed_names)
    if service == 's3':
        _check_s3_payload_hash(headers, body)
    # As over AWS's https:// endpoints, where botocore's payload hash follows the authtype.
    request = botocore.awsrequest.AWSRequest(
        method=method, url=f"https://{headers.get('Host', '')}{raw_path}", data=body)
    request.context['payload_signing_enabled'] = operation is None
    for name, value in headers.items():
        request.headers[name] = value
    request.context['timestamp'] = amz_date
    signer = _SignedHeadersOnly(
        botocore.credentials.Credentials(access_key_id, config.secret_access_key),
        service, region, signed_names)
    canonical_request = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical_request)
    expected = signer.signature(string_to_sign, request)
    if not hmac.compare_digest(expected, fields['Signature']):
        raise AwsError(
            'SignatureDoesNotMatch',
            'The request signature we calculated does not match the signature you provided. '
            'Check your AWS Secret Access Key and signing method. Consult the service '
            'documentation for details.\n\nThe Canonical String for this request should have '
            f"been\n'{canonical_request}'\n\nThe String-to-Sign should have been\n"
            f"'{string_to_sign}'\n", 403)
    return service
