"""S3 (REST-XML, model s3 2006-03-01), as far as deploy's template bucket goes: HeadBucket,
CreateBucket, PutPublicAccessBlock, PutBucketEncryption, PutBucketLifecycleConfiguration and
PutObject, path-style (ENDPOINT/BUCKET/KEY) as a client given an endpoint URL sends them.

Requests are read by the model: the operation from the method, the path (bucket, key) and the
sub-resource in the query (`?encryption`), members from the URI, the headers and the XML or raw
payload, then checked by botocore's validator. As S3 does, an operation whose model requires a
request checksum (httpChecksum requestChecksumRequired) needs Content-MD5 (or an
x-amz-checksum-* header) matching the body, and x-amz-expected-bucket-owner naming another
account than the bucket's is 403 AccessDenied. Buckets are global: the names in `foreign`
belong to another account. CloudFormation reads a TemplateURL through `object_for_url`."""

import base64
import hashlib
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, unquote, urlsplit

from aws_error import AwsError
from query_protocol import check_parameters, parse_scalar

# A bucket in another account, whose name i2kit's derived name could collide with: POST
# /_stand-in/account {"foreign_buckets": [...]} adds names (account.py).
FOREIGN_ACCOUNT = '999999999999'
_BUCKET_NAME = re.compile(r'^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$')
# The URL forms of an S3 object CloudFormation accepts as TemplateURL: virtual-hosted and path
# style, with or without the region, dash or dot.
_VIRTUAL_HOSTED = re.compile(r'^(?P<bucket>[a-z0-9.-]+)\.s3(?:[.-](?P<region>[a-z0-9-]+))?'
                             r'\.amazonaws\.com(?:\.cn)?$')
_PATH_STYLE = re.compile(r'^s3(?:[.-](?P<region>[a-z0-9-]+))?\.amazonaws\.com(?:\.cn)?$')


def _request_target(request_uri):
    """'/{Bucket}?encryption' -> ('/{Bucket}', 'encryption'); the sub-resource is None when there
    is none or it is only the x-id some models add ('?x-id=PutObject')."""
    path, _, query = request_uri.partition('?')
    name = query.split('=')[0] if query else None
    return path, None if name in (None, '', 'x-id') else name


def _has_required_members(operation, headers, query):
    """Whether a request carries every required header and query member of `operation`: what
    tells PutObject from CopyObject (x-amz-copy-source) and UploadPart (uploadId)."""
    shape = operation.input_shape
    for name in shape.required_members:
        member = shape.members[name]
        location = member.serialization.get('location')
        wire = member.serialization.get('name', name)
        if location == 'header' and headers.get(wire) is None:
            return False
        if location == 'querystring' and wire not in query:
            return False
    return True


def find_s3_operation(service_model, method, raw_path, headers):
    """The operation a path-style request calls, with its bucket and key; AwsError when no
    operation of the model answers it."""
    parts = urlsplit(raw_path)
    bucket, _, key = parts.path.lstrip('/').partition('/')
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    found = None
    for name in service_model.operation_names:
        operation = service_model.operation_model(name)
        # PutBucketLifecycle shares its URI with PutBucketLifecycleConfiguration, which
        # replaced it: the current operation answers.
        if operation.http['method'] != method or operation.deprecated:
            continue
        path, sub_resource = _request_target(operation.http['requestUri'])
        if ('{Key+}' in path) != bool(key) or '{Bucket}' not in path:
            continue
        if query.get('x-id', name) != name:
            continue
        if sub_resource is not None:
            if sub_resource in query:
                found = operation  # a sub-resource names the operation outright
                break
        elif _has_required_members(operation, headers, query) and not (
                set(query) - {'x-id'} - {m.serialization.get('name', n)
                                         for n, m in operation.input_shape.members.items()
                                         if m.serialization.get('location') == 'querystring'}):
            found = found or operation
    if found is None or not bucket:
        raise AwsError('MethodNotAllowed', f'stand-in: no S3 operation answers {method} '
                       f'{parts.path}?{parts.query}', 405)
    return found, unquote(bucket), unquote(key)


def _xml_to_value(element, shape, path):
    kind = shape.type_name
    if kind == 'structure':
        value = {}
        for name, member in shape.members.items():
            tag = member.serialization.get('name', name)
            if member.type_name == 'list' and member.serialization.get('flattened'):
                items = [c for c in element if c.tag.split('}')[-1] == tag]
                if items:
                    value[name] = [_xml_to_value(c, member.member, f'{path}.{name}')
                                   for c in items]
                continue
            child = next((c for c in element if c.tag.split('}')[-1] == tag), None)
            if child is not None:
                value[name] = _xml_to_value(child, member, f'{path}.{name}')
        known = {m.serialization.get('name', n) for n, m in shape.members.items()} | {
            m.member.serialization.get('name', '') for m in shape.members.values()
            if m.type_name == 'list'}
        for child in element:
            if child.tag.split('}')[-1] not in known:
                raise AwsError('MalformedXML', 'The XML you provided was not well-formed or did '
                               f"not validate against our published schema (stand-in: {path} has "
                               f"no member <{child.tag.split('}')[-1]}>)")
        return value
    if kind == 'list':
        tag = shape.member.serialization.get('name', 'member')
        return [_xml_to_value(c, shape.member, f'{path}[{i}]')
                for i, c in enumerate(c for c in element if c.tag.split('}')[-1] == tag)]
    text = element.text or ''
    if kind == 'boolean':
        if text not in ('true', 'false'):
            raise AwsError('MalformedXML', f'stand-in: {path} must be true or false')
        return text == 'true'
    if kind in ('integer', 'long'):
        try:
            return int(text)
        except ValueError:
            raise AwsError('MalformedXML', f'stand-in: {path} must be an integer') from None
    return text


def _check_checksum(operation, headers, body):
    """S3 refuses a body whose operation requires a checksum and comes without one, or with a
    Content-MD5 that is not its MD5."""
    sent = headers.get('Content-MD5')
    if sent is not None:
        if sent != base64.b64encode(hashlib.md5(body).digest()).decode():
            raise AwsError('BadDigest', 'The Content-MD5 you specified did not match what we '
                           'received.')
        return
    required = (operation.http_checksum_required
                or operation.http_checksum.get('requestChecksumRequired', False))
    has_flexible = any(name.lower().startswith('x-amz-checksum-') for name in headers.keys())
    if required and not has_flexible:
        raise AwsError('InvalidRequest', 'Missing required header for this request: '
                       'Content-MD5')


def parse_s3_request(service_model, method, raw_path, headers, body):
    """The operation and its parameters, checked against the model."""
    operation, bucket, key = find_s3_operation(service_model, method, raw_path, headers)
    shape = operation.input_shape
    params = {}
    for name, member in shape.members.items():
        location = member.serialization.get('location')
        wire = member.serialization.get('name', name)
        if location == 'uri':
            value = bucket if wire == 'Bucket' else key
            if value:
                params[name] = value
        elif location == 'header':
            if headers.get(wire) is not None:
                params[name] = parse_scalar(headers.get(wire), member, wire, operation)
        elif location is None and name == shape.serialization.get('payload'):
            if member.type_name == 'blob':
                params[name] = body
            elif body:
                try:
                    root = ET.fromstring(body)
                except ET.ParseError as e:
                    raise AwsError('MalformedXML', 'The XML you provided was not well-formed or '
                                   f'did not validate against our published schema ({e})') from None
                params[name] = _xml_to_value(root, member, name)
    _check_checksum(operation, headers, body)
    try:
        check_parameters(params, operation)
    except AwsError as e:
        raise AwsError('InvalidArgument', e.message) from None
    return operation, params


def render_s3_result(operation, result):
    """(headers, body) of an answer: the output members S3 sends as headers; none of the
    emulated operations answers with a body."""
    shape = operation.output_shape
    headers = {}
    for name, value in (result or {}).items():
        member = shape.members[name]
        if member.serialization.get('location') != 'header':
            raise TypeError(f'stand-in bug: {operation.name} answers {name} in a body')
        headers[member.serialization.get('name', name)] = str(value)
    return headers, b''


def render_s3_error(error, request_id):
    """S3's error document: <Error> at the root, not the Query protocol's <ErrorResponse>."""
    root = ET.Element('Error')
    ET.SubElement(root, 'Code').text = error.code
    ET.SubElement(root, 'Message').text = error.message
    ET.SubElement(root, 'RequestId').text = request_id
    return ET.tostring(root, encoding='utf-8', xml_declaration=True)


class S3:
    """The buckets of every account (names are global) and their objects."""

    def __init__(self, config):
        self.config = config
        self.buckets = {}  # name -> {'owner', 'region', settings…, 'objects': {key: bytes}}
        self.operations = {
            'HeadBucket': self.head_bucket, 'CreateBucket': self.create_bucket,
            'PutPublicAccessBlock': self.put_public_access_block,
            'PutBucketEncryption': self.put_bucket_encryption,
            'PutBucketLifecycleConfiguration': self.put_bucket_lifecycle_configuration,
            'PutObject': self.put_object}

    def add_foreign_bucket(self, name):
        self.buckets[name] = {'owner': FOREIGN_ACCOUNT, 'region': self.config.region,
                              'objects': {}}

    def _bucket(self, params):
        """The bucket a call names, as its ExpectedBucketOwner allows it."""
        bucket = self.buckets.get(params['Bucket'])
        if bucket is None:
            raise AwsError('NoSuchBucket', 'The specified bucket does not exist', 404)
        expected = params.get('ExpectedBucketOwner')
        if bucket['owner'] != self.config.account or (expected and expected != bucket['owner']):
            raise AwsError('AccessDenied', 'Access Denied', 403)
        return bucket

    def head_bucket(self, params):
        self._bucket(params)
        return {}

    def create_bucket(self, params):
        name = params['Bucket']
        if not _BUCKET_NAME.match(name) or '..' in name:
            raise AwsError('InvalidBucketName', 'The specified bucket is not valid.')
        location = params.get('CreateBucketConfiguration', {}).get('LocationConstraint')
        # us-east-1 takes no LocationConstraint; every other region needs its own.
        if (location or 'us-east-1') != self.config.region:
            raise AwsError('IllegalLocationConstraintException',
                           f"The {location or 'unspecified'} location constraint is incompatible "
                           f'for the region specific endpoint this request was sent to.')
        existing = self.buckets.get(name)
        if existing is not None:
            if existing['owner'] != self.config.account:
                raise AwsError('BucketAlreadyExists', 'The requested bucket name is not '
                               'available. The bucket namespace is shared by all users of the '
                               'system. Please select a different name and try again.', 409)
            if self.config.region != 'us-east-1':  # us-east-1 answers 200 for the owner
                raise AwsError('BucketAlreadyOwnedByYou', 'Your previous request to create the '
                               'named bucket succeeded and you already own it.', 409)
            return {'Location': f'/{name}'}
        self.buckets[name] = {'owner': self.config.account, 'region': self.config.region,
                              # AWS's default for new buckets since April 2023: ACLs off.
                              'ownership': params.get('ObjectOwnership', 'BucketOwnerEnforced'),
                              'objects': {}}
        return {'Location': f'/{name}'}

    def put_public_access_block(self, params):
        self._bucket(params)['public_access_block'] = params['PublicAccessBlockConfiguration']
        return {}

    def put_bucket_encryption(self, params):
        self._bucket(params)['encryption'] = params['ServerSideEncryptionConfiguration']
        return {}

    def put_bucket_lifecycle_configuration(self, params):
        configuration = params.get('LifecycleConfiguration', {'Rules': []})
        for rule in configuration['Rules']:
            if 'ID' not in rule or 'Filter' not in rule and 'Prefix' not in rule:
                raise AwsError('MalformedXML', 'The XML you provided was not well-formed or did '
                               'not validate against our published schema (a rule needs its ID '
                               'and a Filter)')
        self._bucket(params)['lifecycle'] = configuration
        return {}

    def put_object(self, params):
        bucket = self._bucket(params)
        body = params.get('Body', b'')
        bucket['objects'][params['Key']] = body
        return {'ETag': '"' + hashlib.md5(body).hexdigest() + '"'}

    def object_for_url(self, url):
        """The object a TemplateURL names, as CloudFormation reads it with the caller's
        credentials; AwsError (CloudFormation's ValidationError) when the URL is no S3 URL or
        names nothing this account may read."""
        parts = urlsplit(url)
        host = parts.hostname or ''
        virtual, path_style = _VIRTUAL_HOSTED.match(host), _PATH_STYLE.match(host)
        if parts.scheme != 'https' or not (virtual or path_style):
            raise AwsError('ValidationError', 'TemplateURL must be a supported URL.')
        if virtual:
            bucket, key = virtual.group('bucket'), parts.path.lstrip('/')
        else:
            bucket, _, key = parts.path.lstrip('/').partition('/')
        found = self.buckets.get(unquote(bucket))
        if found is None or found['owner'] != self.config.account or \
                unquote(key) not in found['objects']:
            raise AwsError('ValidationError', 'TemplateURL must reference a valid S3 object to '
                           'which you have access.')
        return found['objects'][unquote(key)]

    def record(self):
        return {name: {**{k: v for k, v in b.items() if k != 'objects'},
                       'objects': {key: len(data) for key, data in b['objects'].items()}}
                for name, b in self.buckets.items()}
