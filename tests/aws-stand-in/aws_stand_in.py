#!/usr/bin/env python3
"""A local stand-in for AWS CloudFormation and Auto Scaling, for tests.

One HTTP endpoint on 127.0.0.1 answers the AWS Query protocol for both services. Every request's
SigV4 signature is recomputed with botocore's signer, its members are checked against botocore's
service model, and every answer is XML built by walking the operation's output shape, so the C++
client is checked against an implementation it shares nothing with. Stack operations advance one
step per DescribeStacks or DescribeStackEvents naming the stack: tests are fast and deterministic.
Faults (failing resources, throttling, 503s) are set through the control API under /_stand-in/.
README.md describes the interface. The stand-in exits when its stdin reaches EOF, or on SIGTERM.
"""

import argparse
import base64
import dataclasses
import datetime
import email.utils
import json
import os
import signal
import socket
import ssl
import sys
import threading
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import botocore.session

sys.dont_write_bytecode = True  # no __pycache__ in the source tree, whoever starts the stand-in
from authtype import unsigned_operation  # noqa: E402  (the modules beside this file)
from auto_scaling import AutoScaling  # noqa: E402
from aws_error import AwsError, iso8601, utcnow  # noqa: E402
from cloudformation import CloudFormation  # noqa: E402
from cloudwatch import CloudWatch  # noqa: E402
from cloudwatch_logs import CloudWatchLogs  # noqa: E402
from consistency import Consistency  # noqa: E402
from ebs import Ebs  # noqa: E402
from ec2 import Ec2  # noqa: E402
from faults import Faults  # noqa: E402
from iam_policy import IamPolicy  # noqa: E402
from kms import Kms  # noqa: E402
from secrets_manager import SecretsManager  # noqa: E402
from json_protocol import (is_json_service, parse_json_request, render_json_error,  # noqa: E402
                           render_json_result)
from query_protocol import (parse_query_request, render_ec2_error, render_ec2_result,  # noqa: E402
                            render_error, render_result)
from request_time import AwsClock  # noqa: E402
from rest_xml_protocol import (is_rest_xml_service, parse_rest_xml_request,  # noqa: E402
                               render_rest_xml_error, render_rest_xml_result)
from route53 import Route53  # noqa: E402
from s3 import S3, parse_s3_request, render_s3_error, render_s3_result  # noqa: E402
from sts import Sts  # noqa: E402
from rest_json_protocol import (parse_rest_json_request, render_rest_json_error,  # noqa: E402
                                render_rest_json_result)
from sigv4_check import SERVICES, check_signature  # noqa: E402

CONTROL_PREFIX = '/_stand-in/'
# botocore's name of a service whose signing name differs.
BOTOCORE_NAMES = {'monitoring': 'cloudwatch'}


@dataclasses.dataclass(frozen=True)
class Config:
    access_key_id: str
    secret_access_key: str
    session_token: str | None
    region: str
    account: str


class Clock:
    """Event timestamps: now at millisecond precision, each later than the one before."""

    def __init__(self):
        self._last = None

    def __call__(self):
        now = utcnow()
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        if self._last is not None and now <= self._last:
            now = self._last + datetime.timedelta(milliseconds=1)
        self._last = now
        return now


def _json_default(value):
    if isinstance(value, datetime.datetime):
        return iso8601(value)
    if isinstance(value, bytes):  # a snapshot block is recorded by its size only
        return base64.b64encode(value).decode() if len(value) <= 1024 else f'<{len(value)} bytes>'
    raise TypeError(f'{type(value).__name__} is not JSON')


def _one_line(text):
    return text.replace('\\', '\\\\').replace('\n', '\\n')


@dataclasses.dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: dict
    log: str


class StandIn:
    """Everything behind the endpoint: checks, state, faults and the record of requests. Calls
    are serialized by one lock; the HTTP layer only moves bytes."""

    def __init__(self, config):
        self.config = config
        session = botocore.session.get_session()
        self.models = {service: session.get_service_model(BOTOCORE_NAMES.get(service, service))
                       for service in SERVICES}
        self.clock = Clock()
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.faults = Faults()
        self.consistency = Consistency()
        self.aws_clock = AwsClock()
        self.requests = []  # every request that passed the signature and shape checks
        self.rejected = []  # every request that did not
        self.cloudformation = CloudFormation(self.config, self.models['cloudformation'],
                                             self.faults, self.clock)
        self.autoscaling = AutoScaling(self.config, self.cloudformation)
        self.ebs = Ebs(self.config, self.models['ebs'], self.clock)
        self.ec2 = Ec2(self.config, self.ebs, self.clock)
        self.ebs.consistency = self.consistency
        self.policy = IamPolicy(self.config.account)
        self.cloudformation.ops.policy = self.policy
        self.cloudformation.ops.volumes = self.ec2.volumes
        self.cloudformation.ops.snapshots = self.ebs.snapshots
        self.s3 = S3(self.config)
        self.cloudformation.s3 = self.s3
        self.cloudformation.policy = self.policy
        self.cloudwatch = CloudWatch()
        self.logs = CloudWatchLogs()
        self.services = {'cloudformation': self.cloudformation, 'autoscaling': self.autoscaling,
                         'ebs': self.ebs, 'ec2': self.ec2, 'monitoring': self.cloudwatch,
                         'logs': self.logs, 'kms': Kms(self.ec2.account),
                         'route53': Route53(self.ec2.account), 's3': self.s3,
                         'secretsmanager': SecretsManager(self.cloudformation),
                         'sts': Sts(self.config)}

    def handle_aws(self, method, raw_path, headers, body, tls=False):
        with self.lock:
            return self._handle_aws(method, raw_path, headers, body, tls)

    def _handle_aws(self, method, raw_path, headers, body, tls):
        request_id = str(uuid.uuid4())
        service, action, record = None, None, None
        try:
            service = check_signature(
                self.config, method, raw_path, headers, body, self.aws_clock.now(),
                lambda service: unsigned_operation(self.models[service], method, raw_path,
                                                   headers, body))
            model = self.models[service]
            if service == 'ebs':
                operation, params = parse_rest_json_request(model, method, raw_path, headers, body)
            elif service == 's3':
                operation, params = parse_s3_request(model, method, raw_path, headers, body)
            elif is_rest_xml_service(model):
                operation, params = parse_rest_xml_request(model, method, raw_path, body)
            elif is_json_service(model):
                operation, params = parse_json_request(model, headers, body)
            else:
                operation, params = parse_query_request(model,
                                                        _form_fields(raw_path, headers, body))
            action = operation.name
            record = {'service': service, 'action': action, 'params': params,
                      'host': headers.get('Host'), 'tls': tls}
            self.requests.append(record)
            fault = self.faults.take_request_fault(action)
            if fault is not None:
                raise fault
            self.policy.check_call(service, action)
            handlers = self.services[service].operations
            if action not in handlers:
                raise AwsError('NotImplemented', f'stand-in: {service} {action} is not emulated '
                               "(it is in botocore's model)", 501, sender=False)
            result = handlers[action](params)
            record['status'] = 200
            if service == 'ebs':
                status, answer_headers, payload = render_rest_json_result(operation, result)
                record['status'] = status
                return Answer(status, 'application/json', payload,
                              {'x-amzn-RequestId': request_id, **answer_headers},
                              f'{service} {action} {status}')
            if service == 's3':
                answer_headers, payload = render_s3_result(operation, result)
                return Answer(200, 'application/xml', payload,
                              {'x-amz-request-id': request_id, **answer_headers},
                              f'{service} {action} 200')
            if is_rest_xml_service(model):
                return Answer(200, 'text/xml', render_rest_xml_result(model, operation, result),
                              {'x-amzn-RequestId': request_id}, f'{service} {action} 200')
            if is_json_service(model):
                content_type = f"application/x-amz-json-{model.metadata['jsonVersion']}"
                return Answer(200, content_type, render_json_result(result),
                              {'x-amzn-RequestId': request_id}, f'{service} {action} 200')
            render = render_ec2_result if service == 'ec2' else render_result
            xml = render(model, operation, result, request_id)
            return Answer(200, 'text/xml', xml, {'x-amzn-RequestId': request_id},
                          f'{service} {action} 200')
        except AwsError as error:
            return self._error_answer(error, service, action, record, raw_path, headers, body,
                                      request_id)
        except Exception as error:  # a bug in the stand-in: say so, with where
            traceback.print_exc(file=sys.stderr)
            where = traceback.extract_tb(error.__traceback__)[-1]
            internal = AwsError('InternalFailure', f'stand-in bug: {type(error).__name__}: '
                                f'{error} ({os.path.basename(where.filename)}:{where.lineno})',
                                500, sender=False)
            return self._error_answer(internal, service, action, record, raw_path, headers,
                                      body, request_id)

    def _error_answer(self, error, service, action, record, raw_path, headers, body,
                      request_id):
        if record is not None:
            record.update(status=error.status, error=error.code)
        else:
            service = service or _peek_service(headers)
            action = (_peek_action(raw_path, body)
                      or headers.get('X-Amz-Target', '').partition('.')[2] or None)
            self.rejected.append({'service': service, 'action': action, 'status': error.status,
                                  'code': error.code, 'message': error.message})
        log = (f"{service or '-'} {action or '-'} {error.status} {error.code}: "
               f'{_one_line(error.message)}')
        if service == 'ebs':
            answer_headers, payload = render_rest_json_error(error, request_id)
            return Answer(error.status, 'application/json', payload, answer_headers, log)
        if service == 's3':
            return Answer(error.status, 'application/xml', render_s3_error(error, request_id),
                          {'x-amz-request-id': request_id}, log)
        if service == 'ec2':
            return Answer(error.status, 'text/xml', render_ec2_error(error, request_id),
                          {'x-amzn-RequestId': request_id}, log)
        model = self.models[service or 'cloudformation']
        if is_rest_xml_service(model):
            return Answer(error.status, 'text/xml',
                          render_rest_xml_error(model, error, request_id),
                          {'x-amzn-RequestId': request_id}, log)
        if is_json_service(model):
            content_type = f"application/x-amz-json-{model.metadata['jsonVersion']}"
            return Answer(error.status, content_type, render_json_error(error),
                          {'x-amzn-RequestId': request_id}, log)
        return Answer(error.status, 'text/xml',
                      render_error(model.metadata['xmlNamespace'], error, request_id),
                      {'x-amzn-RequestId': request_id}, log)

    def handle_control(self, method, path, body):
        """The control API; returns (HTTP status, JSON-able value)."""
        with self.lock:
            route = (method, path.rstrip('/'))
            if route == ('GET', '/_stand-in/requests'):
                return 200, self.requests
            if route == ('GET', '/_stand-in/rejected'):
                return 200, {'count': len(self.rejected), 'requests': self.rejected}
            if route == ('GET', '/_stand-in/stacks'):
                return 200, self.cloudformation.snapshot()
            if route == ('GET', '/_stand-in/snapshots'):
                return 200, self.ebs.record()
            if route == ('GET', '/_stand-in/images'):
                return 200, self.ec2.record()
            if route == ('GET', '/_stand-in/buckets'):
                return 200, self.s3.record()
            if route == ('POST', '/_stand-in/buckets'):
                try:
                    names = json.loads(body or b'null')['foreign']
                    for name in names:
                        self.s3.add_foreign_bucket(name)
                except (ValueError, UnicodeDecodeError, KeyError, TypeError) as e:
                    return 400, {'error': f'stand-in buckets: expected {{"foreign": [NAME, …]}}: '
                                          f'{e}'}
                return 200, self.s3.record()
            if route == ('GET', '/_stand-in/metrics'):
                return 200, self.cloudwatch.metrics
            if route == ('GET', '/_stand-in/logs'):
                return 200, self.logs.groups
            if route == ('GET', '/_stand-in/account'):
                return 200, self.ec2.account.record()
            if route == ('POST', '/_stand-in/account'):
                try:
                    self.ec2.account.change(json.loads(body or b'null'))
                except (ValueError, UnicodeDecodeError) as e:
                    return 400, {'error': f'stand-in account: {e}'}
                return 200, self.ec2.account.record()
            if route == ('GET', '/_stand-in/faults'):
                return 200, self.faults.pending()
            if route == ('POST', '/_stand-in/faults'):
                try:
                    self.faults.add(json.loads(body or b'null'))
                except (ValueError, UnicodeDecodeError) as e:
                    return 400, {'error': f'stand-in faults: {e}'}
                return 200, self.faults.pending()
            modes = {'/_stand-in/consistency': self.consistency, '/_stand-in/clock': self.aws_clock,
                     '/_stand-in/policy': self.policy}
            if path.rstrip('/') in modes:
                mode = modes[path.rstrip('/')]
                if method == 'POST':
                    try:
                        mode.set(json.loads(body or b'null'))
                    except (ValueError, UnicodeDecodeError) as e:
                        return 400, {'error': f'stand-in {path}: {e}'}
                return 200, mode.pending()
            if route == ('POST', '/_stand-in/reset'):
                self.reset()
                return 200, {}
            return 404, {'error': f'no control endpoint {method} {path}; see '
                                  'tests/aws-stand-in/README.md'}


def _form_fields(raw_path, headers, body):
    """The Query protocol's fields, from the URL's query and a form body; names must not
    repeat."""
    pairs = parse_qsl(urlsplit(raw_path).query, keep_blank_values=True)
    if body:
        content_type = headers.get('Content-Type', '')
        if not content_type.lower().startswith('application/x-www-form-urlencoded'):
            raise AwsError('InvalidParameter', 'stand-in: a Query protocol body must be '
                           f"application/x-www-form-urlencoded, not '{content_type}'")
        try:
            pairs += parse_qsl(body.decode('utf-8'), keep_blank_values=True)
        except UnicodeDecodeError:
            raise AwsError('InvalidParameter', 'stand-in: the body is not UTF-8') from None
    fields = {}
    for name, value in pairs:
        if name in fields:
            raise AwsError('InvalidParameter', f"stand-in: the request gives '{name}' twice")
        fields[name] = value
    return fields


def _peek_service(headers):
    """The service a rejected request's credential scope names, for the log; None when it
    names none the stand-in serves."""
    scope = headers.get('Authorization', '').partition('Credential=')[2].split(',')[0]
    parts = scope.split('/')
    return parts[3] if len(parts) == 5 and parts[3] in SERVICES else None


def _peek_action(raw_path, body):
    """The Action a rejected request asked for, for the log; None when it cannot be read."""
    text = urlsplit(raw_path).query + '&' + body.decode('utf-8', 'replace')
    return dict(parse_qsl(text, keep_blank_values=True)).get('Action')


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def version_string(self):
        return 'aws-stand-in'

    def date_time_string(self, timestamp=None):
        # Every answer's Date is AWS's time, from which clients correct their clocks.
        return email.utils.format_datetime(self.server.stand_in.aws_clock.now(), usegmt=True)

    def setup(self):
        # The TLS listener's handshake happens here, in this connection's thread, so that a slow
        # or failing client never holds up the others.
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()
        # Headers and body leave in two writes; with Nagle's algorithm the body would wait for
        # the client's delayed ACK, 40 ms a request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_HEAD(self):
        self._handle()

    def _handle(self):
        body = self._read_body()
        stand_in = self.server.stand_in
        path = urlsplit(self.path).path
        if path.startswith(CONTROL_PREFIX):
            status, value = stand_in.handle_control(self.command, path, body)
            payload = json.dumps(value, default=_json_default, indent=1).encode()
            self._send(status, 'application/json', payload, {})
            self._log(f'control {self.command} {path} {status}')
            return
        answer = stand_in.handle_aws(self.command, self.path, self.headers, body,
                                     isinstance(self.connection, ssl.SSLSocket))
        self._send(answer.status, answer.content_type, answer.body, answer.headers)
        self._log(answer.log)

    def _read_body(self):
        if 'chunked' in self.headers.get('Transfer-Encoding', '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass  # trailers
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get('Content-Length') or 0))

    def _send(self, status, content_type, body, headers):
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != 'HEAD':  # a HEAD answer has headers only
            self.wfile.write(body)

    @staticmethod
    def _log(line):
        sys.stderr.write(f'aws-stand-in: {line}\n')
        sys.stderr.flush()

    def log_request(self, code='-', size='-'):
        pass  # _handle logs one line per request with what it was for


def _exit_at_stdin_eof(stop):
    """Stops the servers when stdin reaches EOF: a test that dies closes the pipe."""
    try:
        while os.read(sys.stdin.fileno(), 4096):
            pass
    except (OSError, ValueError):
        pass
    Handler._log('stdin closed, exiting')
    stop.set()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--port', type=int, default=0, help='0 picks a free port (default)')
    parser.add_argument('--access-key-id', default='AKIDSTANDIN')
    parser.add_argument('--secret-access-key', default='STANDINSECRET')
    parser.add_argument('--session-token', default=None,
                        help='when given, X-Amz-Security-Token must carry it')
    parser.add_argument('--region', default='us-east-1')
    parser.add_argument('--account', default='123456789012')
    parser.add_argument('--tls-port', type=int, default=None,
                        help='also serve HTTPS on this port (0: a free one), the same state')
    parser.add_argument('--tls-cert', help='with --tls-port: the PEM certificate chain')
    parser.add_argument('--tls-key', help='with --tls-port: its PEM private key')
    args = parser.parse_args(argv)
    if (args.tls_port is None) != (args.tls_cert is None) or (args.tls_cert is None) != (
            args.tls_key is None):
        parser.error('--tls-port, --tls-cert and --tls-key go together')
    config = Config(args.access_key_id, args.secret_access_key, args.session_token, args.region,
                    args.account)
    stand_in = StandIn(config)
    servers = [ThreadingHTTPServer(('127.0.0.1', args.port), Handler)]
    if args.tls_port is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        tls_server = ThreadingHTTPServer(('127.0.0.1', args.tls_port), Handler)
        tls_server.socket = context.wrap_socket(tls_server.socket, server_side=True,
                                                do_handshake_on_connect=False)
        servers.append(tls_server)
    for server in servers:
        server.stand_in = stand_in
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=_exit_at_stdin_eof, args=(stop,), daemon=True).start()
    for server in servers:
        threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1},
                         daemon=True).start()
    print(f'aws-stand-in listening on http://127.0.0.1:{servers[0].server_address[1]}')
    if len(servers) > 1:
        print(f'aws-stand-in listening on https://127.0.0.1:{servers[1].server_address[1]}')
    sys.stdout.flush()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    for server in servers:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
