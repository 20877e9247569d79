"""CloudWatch Logs (API 2014-03-28, JSON protocol): log groups, streams and the events put into
them, in memory, with PutLogEvents' documented limits checked, and FilterLogEvents over them
for the term and "quoted phrase" patterns (every one must occur, case-sensitive)."""

import re

from aws_error import AwsError

MAX_EVENTS = 10000
MAX_BATCH_BYTES = 1048576
EVENT_OVERHEAD_BYTES = 26
MAX_SPAN_MS = 24 * 3600 * 1000


def _not_found(what):
    return AwsError('ResourceNotFoundException', f'The specified {what} does not exist.')


def _invalid(message):
    return AwsError('InvalidParameterException', message)


class CloudWatchLogs:
    def __init__(self):
        self.groups = {}  # group name → {stream name → [{'timestamp', 'message'}]}
        self.operations = {'CreateLogGroup': self.create_log_group,
                           'CreateLogStream': self.create_log_stream,
                           'PutLogEvents': self.put_log_events,
                           'FilterLogEvents': self.filter_log_events}

    def create_log_group(self, params):
        name = params['logGroupName']
        if name in self.groups:
            raise AwsError('ResourceAlreadyExistsException',
                           'The specified log group already exists')
        self.groups[name] = {}
        return {}

    def create_log_stream(self, params):
        group = self.groups.get(params['logGroupName'])
        if group is None:
            raise _not_found('log group')
        name = params['logStreamName']
        if name in group:
            raise AwsError('ResourceAlreadyExistsException',
                           'The specified log stream already exists')
        group[name] = []
        return {}

    def put_log_events(self, params):
        group = self.groups.get(params['logGroupName'])
        if group is None:
            raise _not_found('log group')
        stream = group.get(params['logStreamName'])
        if stream is None:
            raise _not_found('log stream')
        events = params['logEvents']
        if not events or len(events) > MAX_EVENTS:
            raise _invalid(f'logEvents must hold 1 to {MAX_EVENTS} events, not {len(events)}')
        size = sum(len(e['message'].encode('utf-8')) + EVENT_OVERHEAD_BYTES for e in events)
        if size > MAX_BATCH_BYTES:
            raise _invalid(f'Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}')
        times = [e['timestamp'] for e in events]
        if times != sorted(times):
            raise _invalid('Log events in a single PutLogEvents request must be in chronological '
                           'order.')
        if times[-1] - times[0] > MAX_SPAN_MS:
            raise _invalid('The batch of log events in a single PutLogEvents request cannot '
                           'span more than 24 hours.')
        stream.extend({'timestamp': e['timestamp'], 'message': e['message']} for e in events)
        return {'nextSequenceToken': str(len(stream))}

    def filter_log_events(self, params):
        group = self.groups.get(params['logGroupName'])
        if group is None:
            raise _not_found('log group')
        terms = _pattern_terms(params.get('filterPattern', ''))
        start, end = params.get('startTime', 0), params.get('endTime', 2 ** 63)
        names = params.get('logStreamNames') or sorted(group)
        prefix = params.get('logStreamNamePrefix', '')
        found = sorted(({'logStreamName': name, 'timestamp': e['timestamp'],
                         'message': e['message'], 'ingestionTime': e['timestamp'],
                         'eventId': f'{name}/{i}'}
                        for name in names if name.startswith(prefix)
                        for i, e in enumerate(group.get(name, []))
                        if start <= e['timestamp'] <= end
                        and all(t in e['message'] for t in terms)),
                       key=lambda e: e['timestamp'])
        first = int(params.get('nextToken', '0'))
        limit = params.get('limit', 10000)
        answer = {'events': found[first:first + limit]}
        if first + limit < len(found):
            answer['nextToken'] = str(first + limit)
        return answer


def _pattern_terms(pattern):
    """The terms of a filter pattern of bare words and "quoted phrases"; other syntax (JSON and
    space-delimited patterns, ?OR and -NOT terms) is refused rather than misread."""
    terms = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', pattern):
        if word and word[0] in '{[?-%':
            raise _invalid(f'stand-in: the filter pattern syntax of {word!r} is not emulated')
        terms.append(phrase or word)
    return terms
