"""AWS's clock, as SigV4 checks a request's time against it: more than 5 minutes off is refused,
worded per protocol (the codes the SDKs' clock skew correction looks for: SignatureDoesNotMatch
from the Query services, RequestExpired from EC2, InvalidSignatureException from the JSON and
REST-JSON services). The Date header of every answer carries this clock, from which a client
corrects its own. Tests move it through the control API: POST /_stand-in/clock
{"skew_seconds": S} makes AWS's time the machine's plus S."""

import datetime

from aws_error import AwsError, utcnow

MAX_SKEW = datetime.timedelta(minutes=5)
TIME_FORMAT = '%Y%m%dT%H%M%SZ'  # X-Amz-Date's


class AwsClock:
    def __init__(self):
        self.skew = datetime.timedelta(0)

    def set(self, spec):
        """Sets the skew from a control API body; ValueError says what is wrong."""
        seconds = spec.get('skew_seconds') if isinstance(spec, dict) else None
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
            raise ValueError('expected {"skew_seconds": S}, S a number (0: the machine\'s time)')
        self.skew = datetime.timedelta(seconds=seconds)

    def now(self):
        return utcnow() + self.skew

    def pending(self):
        return {'skew_seconds': self.skew.total_seconds()}


def _refusal(service, message):
    if service == 'ec2':
        return AwsError('RequestExpired', f'Request has expired. ({message})')
    if service == 'logs':
        return AwsError('InvalidSignatureException', message)
    if service == 'ebs':
        return AwsError('InvalidSignatureException', message, 403)
    if service == 's3':
        return AwsError('RequestTimeTooSkewed', 'The difference between the request time and the '
                        f'current time is too large. ({message})', 403)
    return AwsError('SignatureDoesNotMatch', message, 403)


def check_request_time(service, signed_at, now):
    """Refuses, as `service` words it, a request signed more than 5 minutes from `now`."""
    amz_date = signed_at.strftime(TIME_FORMAT)
    if signed_at < now - MAX_SKEW:
        raise _refusal(service, f'Signature expired: {amz_date} is now earlier than '
                       f'{(now - MAX_SKEW).strftime(TIME_FORMAT)} '
                       f'({now.strftime(TIME_FORMAT)} - 5 min.)')
    if signed_at > now + MAX_SKEW:
        raise _refusal(service, f'Signature not yet current: {amz_date} is still later than '
                       f'{(now + MAX_SKEW).strftime(TIME_FORMAT)} '
                       f'({now.strftime(TIME_FORMAT)} + 5 min.)')
