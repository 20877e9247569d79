"""Errors answered as an AWS <ErrorResponse>, and AWS's timestamp form."""

import datetime


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def iso8601(time):
    """AWS's form of a timestamp: 2026-11-23T14:00:00.123Z."""
    time = time.astimezone(datetime.timezone.utc)
    return time.strftime('%Y-%m-%dT%H:%M:%S.') + f'{time.microsecond // 1000:03d}Z'


class AwsError(Exception):
    """An error answered as an AWS <ErrorResponse>: its code, message, HTTP status, and whether
    the sender (else the service) is at fault."""

    def __init__(self, code, message, status=400, sender=True):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.sender = sender


def validation_error(message):
    return AwsError('ValidationError', message)


def model_error(service_model, shape_name, message):
    """The error `shape_name` of the service's model, with its code and HTTP status."""
    error = service_model.shape_for(shape_name).metadata['error']
    return AwsError(error['code'], message, error.get('httpStatusCode', 400),
                    error.get('senderFault', True))
