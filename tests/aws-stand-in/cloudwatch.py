"""CloudWatch metrics (API 2010-08-01, signing name `monitoring`) over the Query protocol:
PutMetricData, its data points kept in memory for GET /_stand-in/metrics."""

from aws_error import AwsError, iso8601, utcnow

# PutMetricData's limits (the API reference): data points per request, dimensions per metric.
MAX_METRIC_DATA = 1000
MAX_DIMENSIONS = 30


class CloudWatch:
    def __init__(self):
        self.metrics = []  # every data point received: namespace, name, dimensions, value, unit
        self.operations = {'PutMetricData': self.put_metric_data}

    def put_metric_data(self, params):
        namespace = params['Namespace']
        if namespace.startswith('AWS/'):
            raise AwsError('InvalidParameterValue',
                           f"The value {namespace} for parameter Namespace is invalid: the AWS/ "
                           'prefix is reserved')
        data = params['MetricData']
        if not data or len(data) > MAX_METRIC_DATA:
            raise AwsError('InvalidParameterValue', f'The collection MetricData must hold 1 to '
                           f'{MAX_METRIC_DATA} items, not {len(data)}')
        for datum in data:
            dimensions = datum.get('Dimensions', [])
            if len(dimensions) > MAX_DIMENSIONS:
                raise AwsError('InvalidParameterValue',
                               f'The collection Dimensions must hold at most {MAX_DIMENSIONS} '
                               'items')
            if 'Value' not in datum and 'Values' not in datum and 'StatisticValues' not in datum:
                raise AwsError('MissingParameter', 'The parameter MetricData.member.Value is '
                               'required.')
            timestamp = datum.get('Timestamp')
            self.metrics.append({
                'namespace': namespace, 'name': datum['MetricName'],
                'dimensions': {d['Name']: d['Value'] for d in dimensions},
                'value': datum.get('Value'), 'unit': datum.get('Unit', 'None'),
                'timestamp': iso8601(timestamp) if timestamp else iso8601(utcnow())})
        return {}
