"""Faults the tests inject through the control API: a resource that fails in the next operation
touching it, and requests answered with Throttling or ServiceUnavailable."""

from aws_error import AwsError

DEFAULT_FAILURE_REASON = 'Resource handler returned message: "stand-in: injected failure"'


def _count(spec, kind):
    count = spec.get('count', 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError(f'{kind}.count must be a positive integer, got {count!r}')
    return count


class Faults:
    """Pending faults, consumed in the order they were set."""

    def __init__(self):
        self.resource_failures = []  # {'logical_id', 'reason'}
        self.request_faults = []  # {'kind': 'throttle' | 'server_error', 'count', 'action'}

    def add(self, spec):
        """Adds the faults of a POST /_stand-in/faults body; ValueError says what is wrong."""
        if not isinstance(spec, dict) or not spec:
            raise ValueError('expected a JSON object with fail_resource, throttle or server_error')
        unknown = sorted(set(spec) - {'fail_resource', 'throttle', 'server_error'})
        if unknown:
            raise ValueError(f'unknown fault {unknown[0]!r}: expected fail_resource, throttle or '
                             'server_error')
        failures = spec.get('fail_resource', [])
        for failure in failures if isinstance(failures, list) else [failures]:
            if not isinstance(failure, dict) or not isinstance(failure.get('logical_id'), str):
                raise ValueError('fail_resource needs a logical_id (a string)')
            self.resource_failures.append(
                {'logical_id': failure['logical_id'],
                 'reason': str(failure.get('reason', DEFAULT_FAILURE_REASON))})
        for kind in ('throttle', 'server_error'):
            if kind in spec:
                fault = spec[kind]
                if not isinstance(fault, dict):
                    raise ValueError(f'{kind} must be an object: {{"count": N, "action": "…"}}')
                self.request_faults.append({'kind': kind, 'count': _count(fault, kind),
                                            'action': fault.get('action')})

    def take_resource_failure(self, logical_id):
        """The reason `logical_id` must fail with, consumed; None when it must not fail."""
        for failure in self.resource_failures:
            if failure['logical_id'] == logical_id:
                self.resource_failures.remove(failure)
                return failure['reason']
        return None

    def take_request_fault(self, action):
        """The error to answer a request for `action` with instead, or None."""
        for fault in self.request_faults:
            if fault['action'] in (None, action):
                fault['count'] -= 1
                if fault['count'] == 0:
                    self.request_faults.remove(fault)
                if fault['kind'] == 'throttle':
                    return AwsError('Throttling', 'Rate exceeded', 400)
                return AwsError('ServiceUnavailable', 'Service is unavailable. Please try again '
                                'later.', 503, sender=False)
        return None

    def pending(self):
        return {'fail_resource': self.resource_failures, 'requests': self.request_faults}
