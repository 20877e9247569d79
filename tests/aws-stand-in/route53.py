"""Route 53 (REST-XML, rest_xml_protocol.py): GetHostedZone of the account's zones
(account.py), which is what deploy's preflight reads to check --domain."""

from aws_error import AwsError


class Route53:
    def __init__(self, account):
        self.account = account
        self.operations = {'GetHostedZone': self.get_hosted_zone}

    def get_hosted_zone(self, params):
        # botocore strips a leading /hostedzone/ from the Id; AWS accepts either.
        zone_id = params['Id'].rpartition('/')[2]
        name = self.account.hosted_zone(zone_id)
        if name is None:
            raise AwsError('NoSuchHostedZone', f'No hosted zone found with ID: {zone_id}', 404)
        return {'HostedZone': {'Id': f'/hostedzone/{zone_id}', 'Name': name,
                               'CallerReference': 'stand-in', 'ResourceRecordSetCount': 2,
                               'Config': {'PrivateZone': False}},
                'DelegationSet': {'NameServers': ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.net']}}
