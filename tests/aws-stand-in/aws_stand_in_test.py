"""Tests of the AWS stand-in, driven by a real botocore client (its own signer, serializer and
parser) and by raw signed requests for what botocore would refuse to send.

Run from this folder: python3 -m unittest aws_stand_in_test
"""

import datetime
import email.utils
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import botocore.exceptions
import botocore.session

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import cfn_template  # noqa: E402  (beside this file)

STAND_IN = os.path.join(HERE, 'aws_stand_in.py')
SPEC_SUBSET = os.path.join(HERE, '..', 'cloudformation', 'cfn-spec-subset.json')
ACCESS_KEY, SECRET = 'AKIDSTANDIN', 'STANDINSECRET'
FORM = 'application/x-www-form-urlencoded; charset=utf-8'
NO_CHANGES = ("The submitted information didn't contain changes. Submit different information "
              'to create a change set.')
GROUP_FAILURE = ('Received 0 SUCCESS signal(s) out of 2. Unable to satisfy 100% '
                 'MinSuccessfulInstancesPercent requirement')
PARAMETERS = [{'ParameterKey': 'VpcId', 'ParameterValue': 'vpc-0a1b2c3d'},
              {'ParameterKey': 'Subnets', 'ParameterValue': 'subnet-1111,subnet-2222'}]


def start_stand_in(*args):
    """The stand-in as a child process: (process, URL, stderr file)."""
    stderr = tempfile.TemporaryFile(mode='w+')
    process = subprocess.Popen([sys.executable, STAND_IN, '--port', '0', *args],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                               text=True)
    line = process.stdout.readline().strip()
    match = re.fullmatch(r'aws-stand-in listening on (http://127\.0\.0\.1:\d+)', line)
    if match is None:
        process.kill()
        stderr.seek(0)
        raise RuntimeError(f'stand-in printed {line!r}; stderr: {stderr.read()}')
    return process, match.group(1), stderr


def stop_stand_in(process):
    process.stdin.close()
    code = process.wait(timeout=10)
    process.stdout.close()
    return code


def web_template(instance_type='t3.micro', port=80, max_size='3', extra=None, named_role=False):
    """A stack like the ones i2kit deploys: instances behind an application load balancer."""
    role = {'AssumeRolePolicyDocument': {'Version': '2012-10-17', 'Statement': [
        {'Effect': 'Allow', 'Principal': {'Service': 'ec2.amazonaws.com'},
         'Action': 'sts:AssumeRole'}]}}
    if named_role:
        role['RoleName'] = 'web-instances'
    resources = {
        'InstanceSecurityGroup': {'Type': 'AWS::EC2::SecurityGroup', 'Properties': {
            'GroupDescription': 'web instances', 'VpcId': {'Ref': 'VpcId'}}},
        'InstanceRole': {'Type': 'AWS::IAM::Role', 'Properties': role},
        'InstanceProfile': {'Type': 'AWS::IAM::InstanceProfile', 'Properties': {
            'Roles': [{'Ref': 'InstanceRole'}]}},
        'LaunchTemplate': {'Type': 'AWS::EC2::LaunchTemplate', 'Properties': {
            'LaunchTemplateData': {
                'ImageId': {'Ref': 'ImageId'}, 'InstanceType': instance_type,
                'IamInstanceProfile': {'Arn': {'Fn::GetAtt': ['InstanceProfile', 'Arn']}},
                'SecurityGroupIds': [{'Fn::GetAtt': ['InstanceSecurityGroup', 'GroupId']}]}}},
        'LoadBalancer': {'Type': 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'Properties': {
            'Scheme': 'internet-facing', 'Type': 'application', 'Subnets': {'Ref': 'Subnets'}}},
        'TargetGroup': {'Type': 'AWS::ElasticLoadBalancingV2::TargetGroup', 'Properties': {
            'Port': port, 'Protocol': 'HTTP', 'VpcId': {'Ref': 'VpcId'}}},
        'Listener': {'Type': 'AWS::ElasticLoadBalancingV2::Listener', 'Properties': {
            'LoadBalancerArn': {'Ref': 'LoadBalancer'}, 'Port': 80, 'Protocol': 'HTTP',
            'DefaultActions': [{'Type': 'forward', 'TargetGroupArn': {'Ref': 'TargetGroup'}}]}},
        'WebGroup': {'Type': 'AWS::AutoScaling::AutoScalingGroup', 'DependsOn': ['Listener'],
                     'Properties': {
                         'AutoScalingGroupName': {'Fn::Sub': '${AWS::StackName}-web'},
                         'LaunchTemplate': {
                             'LaunchTemplateId': {'Ref': 'LaunchTemplate'},
                             'Version': {'Fn::GetAtt': ['LaunchTemplate',
                                                        'LatestVersionNumber']}},
                         'MinSize': '2', 'MaxSize': max_size, 'DesiredCapacity': '2',
                         'VPCZoneIdentifier': {'Ref': 'Subnets'},
                         'TargetGroupARNs': [{'Ref': 'TargetGroup'}], 'HealthCheckType': 'ELB',
                         'Tags': [{'Key': 'Name', 'Value': {'Fn::Sub': '${AWS::StackName}-web'},
                                   'PropagateAtLaunch': True}]}},
    }
    resources.update(extra or {})
    return json.dumps({
        'AWSTemplateFormatVersion': '2010-09-09',
        'Description': 'i2kit stack web: one Auto Scaling group of Pod VMs per deployment (web)',
        'Parameters': {
            'VpcId': {'Type': 'AWS::EC2::VPC::Id'},
            'Subnets': {'Type': 'List<AWS::EC2::Subnet::Id>'},
            'ImageId': {'Type': 'AWS::EC2::Image::Id', 'Default': 'ami-0123456789abcdef0'}},
        'Resources': resources,
        'Outputs': {
            'Endpoint': {'Description': 'Where clients reach web',
                         'Value': {'Fn::GetAtt': ['LoadBalancer', 'DNSName']}},
            'ZoneId': {'Value': {'Fn::GetAtt': ['LoadBalancer', 'CanonicalHostedZoneID']}},
            'GroupName': {'Value': {'Ref': 'WebGroup'}},
            'Url': {'Value': {'Fn::Join': ['', ['http://', {'Fn::GetAtt': [
                'LoadBalancer', 'DNSName']}, '/']]}},
            'FirstSubnet': {'Value': {'Fn::Select': [0, {'Ref': 'Subnets'}]}},
            'Where': {'Value': {'Fn::Sub': '${AWS::Region}/${AWS::AccountId}/${!Literal}'}}},
    }, indent=1)


def error_of(body):
    root = ET.fromstring(body)
    ns = {'aws': root.tag[1:].split('}')[0]} if root.tag.startswith('{') else {}
    prefix = 'aws:' if ns else ''
    return (root.find(f'{prefix}Error/{prefix}Code', ns).text,
            root.find(f'{prefix}Error/{prefix}Message', ns).text)


_shared = {}


def setUpModule():
    _shared['process'], _shared['url'], _shared['stderr'] = start_stand_in()
    _shared['session'] = botocore.session.get_session()


def tearDownModule():
    for client in ('cfn', 'asg'):
        if client in _shared:
            # Gone with its stand-in: the next module's stand-in listens on another port.
            _shared.pop(client).close()
    stop_stand_in(_shared['process'])
    _shared['stderr'].close()


class StandInTestCase(unittest.TestCase):
    """The module's stand-in, emptied before each test."""

    @classmethod
    def setUpClass(cls):
        cls.url, cls.stderr, cls.session = _shared['url'], _shared['stderr'], _shared['session']
        if 'cfn' not in _shared:
            _shared['cfn'], _shared['asg'] = cls.client('cloudformation'), cls.client('autoscaling')
        cls.cfn, cls.asg = _shared['cfn'], _shared['asg']

    def other_client(self, service, **kwargs):
        """A client with other credentials or endpoint, closed when the test ends."""
        client = self.client(service, **kwargs)
        self.addCleanup(client.close)
        return client

    @classmethod
    def client(cls, service, key=ACCESS_KEY, secret=SECRET, token=None, url=None):
        # total_max_attempts=1: no retries, so a fault reaches the test (legacy max_attempts
        # counts retries, and 1 would hide a single Throttling).
        return cls.session.create_client(
            service, endpoint_url=url or cls.url, region_name='us-east-1', aws_access_key_id=key,
            aws_secret_access_key=secret, aws_session_token=token,
            config=botocore.config.Config(retries={'total_max_attempts': 1}))

    def setUp(self):
        self.control('POST', 'reset')

    def control(self, method, path, value=None):
        data = json.dumps(value).encode() if value is not None else (b'' if method == 'POST'
                                                                     else None)
        request = urllib.request.Request(f'{self.url}/_stand-in/{path}', data=data,
                                         method=method)
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def raw(self, body, method='POST', service='cloudformation', secret=SECRET, sign=True,
            amz_date=None, query=''):
        """A request signed by botocore's SigV4 (at `amz_date` if given), sent by urllib:
        (HTTP status, body)."""
        url = f'{self.url}/{"?" + query if query else ""}'
        request = botocore.awsrequest.AWSRequest(method=method, url=url,
                                                 data=body.encode() if body else b'')
        if body:
            request.headers['Content-Type'] = FORM
        if sign:
            signer = botocore.auth.SigV4Auth(
                botocore.credentials.Credentials(ACCESS_KEY, secret), service, 'us-east-1')
            if amz_date is None:
                signer.add_auth(request)
            else:  # add_auth signs "now"; this signs at another time
                request.headers['X-Amz-Date'] = amz_date
                request.context['timestamp'] = amz_date
                canonical = signer.canonical_request(request)
                signature = signer.signature(signer.string_to_sign(request, canonical), request)
                signer._inject_signature_to_request(request, signature)
        sent = urllib.request.Request(url, data=request.body or None,
                                      headers=dict(request.headers.items()), method=method)
        try:
            with urllib.request.urlopen(sent) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def assertAwsError(self, context, code, status, message=None):
        error = context.exception.response
        self.assertEqual(error['Error']['Code'], code, error['Error'].get('Message'))
        self.assertEqual(error['ResponseMetadata']['HTTPStatusCode'], status)
        if message is not None:
            self.assertEqual(error['Error']['Message'], message)

    # Driving stacks

    def make_change_set(self, name, template, kind='UPDATE', parameters=PARAMETERS,
                        change_set=None, **extra):
        # Names are unique per stack: executed change sets stay, as on AWS.
        self.change_sets = getattr(self, 'change_sets', 0) + 1
        change_set = change_set or f'deploy-{self.change_sets}'
        created = self.cfn.create_change_set(
            StackName=name, ChangeSetName=change_set, ChangeSetType=kind, TemplateBody=template,
            Parameters=parameters, Capabilities=['CAPABILITY_IAM'], **extra)
        for _ in range(5):
            described = self.cfn.describe_change_set(ChangeSetName=created['Id'])
            if described['Status'] != 'CREATE_IN_PROGRESS':
                return described
        self.fail(f'change set {change_set} never left CREATE_IN_PROGRESS')

    def wait(self, stack):
        """DescribeStacks until the stack's operation ends; each call is one step."""
        for _ in range(200):
            described = self.cfn.describe_stacks(StackName=stack)['Stacks'][0]
            if not described['StackStatus'].endswith('_IN_PROGRESS'):
                return described
        self.fail(f'{stack} still {described["StackStatus"]} after 200 steps')

    def deploy(self, name, template, kind='UPDATE', parameters=PARAMETERS, **execute):
        change_set = self.make_change_set(name, template, kind, parameters)
        self.assertEqual(change_set['Status'], 'CREATE_COMPLETE', change_set.get('StatusReason'))
        self.cfn.execute_change_set(ChangeSetName=change_set['ChangeSetId'], **execute)
        return self.wait(name)

    def events(self, stack):
        """Every event of the stack, oldest first, read through NextToken pages."""
        events, token = [], None
        while True:
            page = self.cfn.describe_stack_events(
                StackName=stack, **({'NextToken': token} if token else {}))
            events += page['StackEvents']
            token = page.get('NextToken')
            if not token:
                return list(reversed(events))


class StackLifecycleTest(StandInTestCase):
    def test_create_via_change_set_ends_create_complete_with_aws_events_and_outputs(self):
        created = self.cfn.create_change_set(
            StackName='web', ChangeSetName='deploy-1', ChangeSetType='CREATE',
            TemplateBody=web_template(), Parameters=PARAMETERS, Capabilities=['CAPABILITY_IAM'],
            Tags=[{'Key': 'i2kit:stack', 'Value': 'web'}])
        self.assertRegex(created['Id'], r'^arn:aws:cloudformation:us-east-1:123456789012:'
                                        r'changeSet/deploy-1/[0-9a-f-]{36}$')
        first = self.cfn.describe_change_set(StackName='web', ChangeSetName='deploy-1')
        self.assertEqual((first['Status'], first['ExecutionStatus']),
                         ('CREATE_IN_PROGRESS', 'UNAVAILABLE'))
        review = self.cfn.describe_stacks(StackName='web')['Stacks'][0]
        self.assertEqual(review['StackStatus'], 'REVIEW_IN_PROGRESS')
        ready = self.cfn.describe_change_set(StackName='web', ChangeSetName='deploy-1')
        self.assertEqual((ready['Status'], ready['ExecutionStatus']),
                         ('CREATE_COMPLETE', 'AVAILABLE'))
        self.assertEqual({c['ResourceChange']['Action'] for c in ready['Changes']}, {'Add'})
        self.assertEqual(len(ready['Changes']), 8)

        self.cfn.execute_change_set(ChangeSetName='deploy-1', StackName='web',
                                    ClientRequestToken='token-1')
        stack = self.wait('web')
        self.assertEqual(stack['StackStatus'], 'CREATE_COMPLETE')
        self.assertEqual(stack['StackId'], created['StackId'])
        self.assertEqual(stack['Capabilities'], ['CAPABILITY_IAM'])
        self.assertEqual(stack['Tags'], [{'Key': 'i2kit:stack', 'Value': 'web'}])
        self.assertIn('ImageId', {p['ParameterKey'] for p in stack['Parameters']})
        self.assertTrue(stack['Description'].startswith('i2kit stack web'))
        outputs = {o['OutputKey']: o['OutputValue'] for o in stack['Outputs']}
        self.assertRegex(outputs['Endpoint'],
                         r'^web-LoadBalancer-[A-Z0-9]{12}-\d{10}\.us-east-1\.elb\.amazonaws\.com$')
        self.assertEqual(outputs['ZoneId'], 'Z35SXDOTRQ7X7K')
        self.assertEqual(outputs['GroupName'], 'web-web')
        self.assertEqual(outputs['Url'], f"http://{outputs['Endpoint']}/")
        self.assertEqual(outputs['FirstSubnet'], 'subnet-1111')
        self.assertEqual(outputs['Where'], 'us-east-1/123456789012/${Literal}')

        events = self.events('web')
        timestamps = [e['Timestamp'] for e in events]
        self.assertEqual(timestamps, sorted(set(timestamps)), 'timestamps strictly increase')
        stack_events = [(e['ResourceStatus'], e.get('ResourceStatusReason')) for e in events
                        if e['ResourceType'] == 'AWS::CloudFormation::Stack']
        self.assertEqual(stack_events, [('REVIEW_IN_PROGRESS', 'User Initiated'),
                                        ('CREATE_IN_PROGRESS', 'User Initiated'),
                                        ('CREATE_COMPLETE', None)])
        self.assertEqual(events[-1]['ResourceStatus'], 'CREATE_COMPLETE')
        self.assertEqual(events[-1]['LogicalResourceId'], 'web')
        self.assertTrue(all(e.get('ClientRequestToken') == 'token-1' for e in events[1:]))
        position = {}
        for i, e in enumerate(events):
            position.setdefault((e['LogicalResourceId'], e['ResourceStatus']), i)
        for lid in json.loads(web_template())['Resources']:
            mine = [(e['ResourceStatus'], e.get('ResourceStatusReason')) for e in events
                    if e['LogicalResourceId'] == lid]
            self.assertEqual(mine, [('CREATE_IN_PROGRESS', None),
                                    ('CREATE_IN_PROGRESS', 'Resource creation Initiated'),
                                    ('CREATE_COMPLETE', None)], lid)
        for before, after in [('InstanceRole', 'InstanceProfile'),
                              ('InstanceProfile', 'LaunchTemplate'),
                              ('InstanceSecurityGroup', 'LaunchTemplate'),
                              ('LoadBalancer', 'Listener'), ('TargetGroup', 'Listener'),
                              ('Listener', 'WebGroup'), ('LaunchTemplate', 'WebGroup')]:
            self.assertLess(position[(before, 'CREATE_COMPLETE')],
                            position[(after, 'CREATE_IN_PROGRESS')], f'{before} → {after}')

        physical = {r['LogicalResourceId']: r['PhysicalResourceId'] for r in
                    self.cfn.describe_stack_resources(StackName='web')['StackResources']}
        self.assertRegex(physical['InstanceSecurityGroup'], r'^sg-[0-9a-f]{17}$')
        self.assertRegex(physical['LaunchTemplate'], r'^lt-[0-9a-f]{17}$')
        self.assertRegex(physical['LoadBalancer'], r'^arn:aws:elasticloadbalancing:us-east-1:'
                                                   r'123456789012:loadbalancer/app/')
        self.assertIn(physical['LoadBalancer'].split('loadbalancer/')[1],
                      physical['Listener'])
        self.assertEqual(physical['WebGroup'], 'web-web')
        self.assertEqual(self.cfn.get_template(StackName='web')['TemplateBody'],
                         json.loads(web_template()))  # botocore parses a JSON body

    def test_update_change_set_summarizes_add_modify_remove_and_cleans_up(self):
        extra = {'OldQueue': {'Type': 'AWS::SQS::Queue', 'Properties': {}}}
        self.deploy('web', web_template(extra=extra), kind='CREATE')
        before = {r['LogicalResourceId']: r['PhysicalResourceId'] for r in
                  self.cfn.describe_stack_resources(StackName='web')['StackResources']}
        new_extra = {'NewQueue': {'Type': 'AWS::SQS::Queue', 'Properties': {}}}
        parameters = PARAMETERS + [{'ParameterKey': 'ImageId',
                                    'ParameterValue': 'ami-0fedcba9876543210'}]
        change_set = self.make_change_set('web', web_template('t3.small', 8080, extra=new_extra),
                                          parameters=parameters, change_set='deploy-2')
        self.assertEqual(change_set['Status'], 'CREATE_COMPLETE')
        changes = {c['ResourceChange']['LogicalResourceId']: c['ResourceChange']
                   for c in change_set['Changes']}
        self.assertEqual({lid: c['Action'] for lid, c in changes.items()},
                         {'NewQueue': 'Add', 'OldQueue': 'Remove', 'LaunchTemplate': 'Modify',
                          'TargetGroup': 'Modify', 'Listener': 'Modify', 'WebGroup': 'Modify'})
        self.assertEqual(changes['OldQueue']['PhysicalResourceId'], before['OldQueue'])
        template_change = changes['LaunchTemplate']
        self.assertEqual(template_change['Replacement'], 'False')
        self.assertEqual(template_change['Scope'], ['Properties'])
        self.assertEqual(template_change['PhysicalResourceId'], before['LaunchTemplate'])
        # The InstanceType edit and the ImageId parameter both change LaunchTemplateData.
        self.assertEqual(
            sorted((d['ChangeSource'], d['Target']['Name'], d.get('CausingEntity'))
                   for d in template_change['Details']),
            [('DirectModification', 'LaunchTemplateData', None)])
        self.assertEqual(changes['TargetGroup']['Replacement'], 'True')
        self.assertEqual(changes['TargetGroup']['Details'][0]['Target'],
                         {'Attribute': 'Properties', 'Name': 'Port',
                          'RequiresRecreation': 'Always'})
        # What reads a modified resource is modified too, known only during the update.
        group_change = changes['WebGroup']
        self.assertEqual(group_change['Replacement'], 'False')
        self.assertEqual(
            sorted((d['Evaluation'], d['ChangeSource'], d['Target']['Name'], d['CausingEntity'])
                   for d in group_change['Details']),
            [('Dynamic', 'ResourceAttribute', 'LaunchTemplate',
              'LaunchTemplate.LatestVersionNumber'),
             ('Dynamic', 'ResourceReference', 'TargetGroupARNs', 'TargetGroup')])

        self.cfn.execute_change_set(ChangeSetName='deploy-2', StackName='web')
        stack = self.wait('web')
        self.assertEqual(stack['StackStatus'], 'UPDATE_COMPLETE')
        self.assertIn('LastUpdatedTime', stack)
        self.assertEqual({p['ParameterKey']: p['ParameterValue'] for p in stack['Parameters']}
                         ['ImageId'], 'ami-0fedcba9876543210')
        events = self.events('web')
        stack_statuses = [e['ResourceStatus'] for e in events if e['LogicalResourceId'] == 'web']
        self.assertEqual(stack_statuses[-3:], ['UPDATE_IN_PROGRESS',
                                               'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
                                               'UPDATE_COMPLETE'])
        cleanup = next(i for i, e in enumerate(events)
                       if e['ResourceStatus'] == 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')
        after_cleanup = [(e['LogicalResourceId'], e['ResourceStatus'], e['PhysicalResourceId'])
                         for e in events[cleanup + 1:-1]]
        self.assertIn(('OldQueue', 'DELETE_COMPLETE', before['OldQueue']), after_cleanup)
        self.assertIn(('TargetGroup', 'DELETE_COMPLETE', before['TargetGroup']), after_cleanup)
        replacement = [e.get('ResourceStatusReason') for e in events
                       if e['LogicalResourceId'] == 'TargetGroup'
                       and e['ResourceStatus'] == 'UPDATE_IN_PROGRESS']
        self.assertEqual(replacement, ['Requested update requires the creation of a new '
                                       'physical resource; hence creating one.',
                                       'Resource creation Initiated'])
        after = {r['LogicalResourceId']: r['PhysicalResourceId'] for r in
                 self.cfn.describe_stack_resources(StackName='web')['StackResources']}
        self.assertNotIn('OldQueue', after)
        self.assertIn('NewQueue', after)
        self.assertNotEqual(after['TargetGroup'], before['TargetGroup'])
        self.assertEqual(after['LaunchTemplate'], before['LaunchTemplate'])

    def test_parameter_change_modifies_what_refers_to_it(self):
        self.deploy('web', web_template(), kind='CREATE')
        change_set = self.make_change_set('web', web_template(), parameters=PARAMETERS + [
            {'ParameterKey': 'ImageId', 'ParameterValue': 'ami-0fedcba9876543210'}])
        changes = {c['ResourceChange']['LogicalResourceId']: c['ResourceChange']
                   for c in change_set['Changes']}
        self.assertEqual(sorted(changes), ['LaunchTemplate', 'WebGroup'])
        self.assertEqual(changes['LaunchTemplate']['Details'], [
            {'Target': {'Attribute': 'Properties', 'Name': 'LaunchTemplateData',
                        'RequiresRecreation': 'Never'},
             'Evaluation': 'Static', 'ChangeSource': 'ParameterReference',
             'CausingEntity': 'ImageId'}])
        self.assertEqual(changes['WebGroup']['Details'][0]['ChangeSource'], 'ResourceAttribute')

    def test_change_set_without_changes_fails_with_aws_reason(self):
        self.deploy('web', web_template(), kind='CREATE')
        change_set = self.make_change_set('web', web_template(), change_set='deploy-2')
        self.assertEqual((change_set['Status'], change_set['ExecutionStatus'],
                          change_set['StatusReason']), ('FAILED', 'UNAVAILABLE', NO_CHANGES))
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.cfn.execute_change_set(ChangeSetName=change_set['ChangeSetId'])
        self.assertAwsError(context, 'InvalidChangeSetStatus', 400)
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.cfn.update_stack(StackName='web', TemplateBody=web_template(),
                                  Parameters=PARAMETERS, Capabilities=['CAPABILITY_IAM'])
        self.assertAwsError(context, 'ValidationError', 400, 'No updates are to be performed.')

    def test_change_set_name_needs_stack_name_unless_it_is_an_arn(self):
        created = self.cfn.create_change_set(
            StackName='web', ChangeSetName='deploy-1', ChangeSetType='CREATE',
            TemplateBody=web_template(), Parameters=PARAMETERS, Capabilities=['CAPABILITY_IAM'])
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.cfn.describe_change_set(ChangeSetName='deploy-1')
        self.assertAwsError(context, 'ValidationError', 400)
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.cfn.describe_change_set(ChangeSetName='deploy-9', StackName='web')
        self.assertAwsError(context, 'ChangeSetNotFound', 404,
                            'ChangeSet [deploy-9] does not exist')
        by_arn = self.cfn.describe_change_set(ChangeSetName=created['Id'])
        self.assertEqual(by_arn['StackName'], 'web')
        listed = self.cfn.list_change_sets(StackName='web')['Summaries']
        self.assertEqual([s['ChangeSetName'] for s in listed], ['deploy-1'])

    def test_failed_create_rolls_back_like_aws(self):
        status, _ = self.control('POST', 'faults', {'fail_resource': {
            'logical_id': 'WebGroup', 'reason': GROUP_FAILURE}})
        self.assertEqual(status, 200)
        stack = self.deploy('web', web_template(), kind='CREATE')
        self.assertEqual(stack['StackStatus'], 'ROLLBACK_COMPLETE')
        self.assertNotIn('Outputs', stack)
        events = self.events('web')
        by_status = [(e['LogicalResourceId'], e['ResourceStatus'], e.get('ResourceStatusReason'))
                     for e in events]
        self.assertIn(('WebGroup', 'CREATE_FAILED', GROUP_FAILURE), by_status)
        self.assertIn(('web', 'ROLLBACK_IN_PROGRESS',
                       'The following resource(s) failed to create: [WebGroup]. Rollback '
                       'requested by user.'), by_status)
        self.assertEqual(by_status[-1][:2], ('web', 'ROLLBACK_COMPLETE'))
        rollback = [status for _, status, _ in by_status].index('ROLLBACK_IN_PROGRESS')
        deleted = [lid for lid, status, _ in by_status[rollback:] if status == 'DELETE_COMPLETE']
        self.assertEqual(sorted(deleted), sorted(json.loads(web_template())['Resources']))
        self.assertLess(deleted.index('WebGroup'), deleted.index('LaunchTemplate'))
        self.assertLess(deleted.index('Listener'), deleted.index('LoadBalancer'))
        resources = self.cfn.describe_stack_resources(StackName='web')['StackResources']
        self.assertEqual({r['ResourceStatus'] for r in resources}, {'DELETE_COMPLETE'})
        self.assertEqual(self.asg.describe_auto_scaling_groups()['AutoScalingGroups'], [])
        _, faults = self.control('GET', 'faults')
        self.assertEqual(faults['fail_resource'], [], 'the fault is used up')

        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.make_change_set('web', web_template(), change_set='deploy-2')
        self.assertAwsError(context, 'ValidationError', 400,
                            f"Stack:{stack['StackId']} is in ROLLBACK_COMPLETE state and can "
                            'not be updated.')
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.make_change_set('web', web_template(), kind='CREATE', change_set='deploy-2')
        self.assertAwsError(context, 'ValidationError', 400,
                            'Stack [web] already exists and cannot be created again with the '
                            'changeSet [deploy-2].')

    def test_failed_update_rolls_back_to_previous_template_and_parameters(self):
        self.deploy('web', web_template(), kind='CREATE')
        groups = self.asg.describe_auto_scaling_groups()['AutoScalingGroups']
        old_instances = {i['InstanceId'] for i in groups[0]['Instances']}
        self.control('POST', 'faults', {'fail_resource': {'logical_id': 'WebGroup',
                                                          'reason': GROUP_FAILURE}})
        extra = {'NewQueue': {'Type': 'AWS::SQS::Queue', 'Properties': {}}}
        parameters = PARAMETERS + [{'ParameterKey': 'ImageId',
                                    'ParameterValue': 'ami-0fedcba9876543210'}]
        stack = self.deploy('web', web_template(max_size='5', extra=extra),
                            parameters=parameters)
        self.assertEqual(stack['StackStatus'], 'UPDATE_ROLLBACK_COMPLETE')
        events = self.events('web')
        triples = [(e['LogicalResourceId'], e['ResourceStatus'], e.get('ResourceStatusReason'))
                   for e in events]
        self.assertIn(('WebGroup', 'UPDATE_FAILED', GROUP_FAILURE), triples)
        self.assertIn(('web', 'UPDATE_ROLLBACK_IN_PROGRESS',
                       'The following resource(s) failed to update: [WebGroup]. '), triples)
        stack_statuses = [s for lid, s, _ in triples if lid == 'web']
        self.assertEqual(stack_statuses[-4:], ['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS',
                                               'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
                                               'UPDATE_ROLLBACK_COMPLETE'])
        cleanup = [s for s in triples if s[1] == 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS']
        after = triples[triples.index(cleanup[0]):]
        self.assertIn(('NewQueue', 'DELETE_COMPLETE', None), after)
        self.assertEqual(self.cfn.get_template(StackName='web')['TemplateBody'],
                         json.loads(web_template()))
        self.assertEqual({p['ParameterKey']: p['ParameterValue'] for p in stack['Parameters']}
                         ['ImageId'], 'ami-0123456789abcdef0')
        resources = {r['LogicalResourceId']: r['ResourceStatus'] for r in
                     self.cfn.describe_stack_resources(StackName='web')['StackResources']}
        self.assertNotIn('NewQueue', resources)
        self.assertEqual(resources['WebGroup'], 'UPDATE_COMPLETE')
        group = self.asg.describe_auto_scaling_groups()['AutoScalingGroups'][0]
        self.assertEqual(group['MaxSize'], 3)
        self.assertEqual({i['InstanceId'] for i in group['Instances']}, old_instances)

    def test_delete_ends_delete_complete_then_the_name_does_not_exist(self):
        stack_id = self.deploy('web', web_template(), kind='CREATE')['StackId']
        self.cfn.delete_stack(StackName='web')
        for _ in range(50):
            stack = self.cfn.describe_stacks(StackName=stack_id)['Stacks'][0]
            if stack['StackStatus'] == 'DELETE_COMPLETE':
                break
        self.assertEqual(stack['StackStatus'], 'DELETE_COMPLETE')
        self.assertIn('DeletionTime', stack)
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.cfn.describe_stacks(StackName='web')
        self.assertAwsError(context, 'ValidationError', 400, 'Stack with id web does not exist')
        self.cfn.delete_stack(StackName='web')  # deleting what is gone succeeds, as on AWS
        events = self.events(stack_id)
        deleted = [e['LogicalResourceId'] for e in events if e['ResourceStatus'] ==
                   'DELETE_COMPLETE' and e['LogicalResourceId'] != 'web']
        self.assertLess(deleted.index('WebGroup'), deleted.index('Listener'))
        self.assertLess(deleted.index('Listener'), deleted.index('TargetGroup'))
        self.assertLess(deleted.index('InstanceProfile'), deleted.index('InstanceRole'))
        self.assertEqual(self.cfn.describe_stacks()['Stacks'], [])
        self.assertEqual(self.asg.describe_auto_scaling_groups()['AutoScalingGroups'], [])

    def test_stack_events_come_newest_first_in_pages_of_100(self):
        queues = {f'Queue{i}': {'Type': 'AWS::SQS::Queue', 'Properties': {}} for i in range(40)}
        template = json.dumps({'Resources': queues})
        self.cfn.create_stack(StackName='many', TemplateBody=template)
        self.wait('many')
        first = self.cfn.describe_stack_events(StackName='many')
        self.assertEqual(len(first['StackEvents']), 100)
        second = self.cfn.describe_stack_events(StackName='many', NextToken=first['NextToken'])
        self.assertNotIn('NextToken', second)
        events = first['StackEvents'] + second['StackEvents']
        self.assertEqual(len(events), 2 + 40 * 3)
        self.assertEqual(len({e['EventId'] for e in events}), len(events))
        self.assertEqual([e['Timestamp'] for e in events],
                         sorted((e['Timestamp'] for e in events), reverse=True))
        self.assertEqual(events[0]['ResourceStatus'], 'CREATE_COMPLETE')
        self.assertEqual(events[0]['LogicalResourceId'], 'many')

    def test_template_and_parameter_mistakes_are_rejected_as_aws_words_them(self):
        cases = [
            ('{"Resources": {}}', [],
             'Template format error: At least one Resources member must be defined.'),
            ('Resources: {}', [], 'Template format error: the stand-in reads JSON templates '
                                  'only (YAML is not supported)'),
            (web_template(), PARAMETERS[:1], 'Parameters: [Subnets] must have values'),
            (web_template(), PARAMETERS + [{'ParameterKey': 'Nope', 'ParameterValue': 'x'}],
             'Parameters: [Nope] do not exist in the template'),
            (json.dumps({'Resources': {'A': {'Type': 'AWS::SQS::Queue',
                                             'Properties': {'X': {'Ref': 'Missing'}}}}}), [],
             'Template format error: Unresolved resource dependencies [Missing] in the '
             'Resources block of the template'),
        ]
        for template, parameters, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(botocore.exceptions.ClientError) as context:
                    self.cfn.create_change_set(
                        StackName='web', ChangeSetName='c', ChangeSetType='CREATE',
                        TemplateBody=template, Parameters=parameters,
                        Capabilities=['CAPABILITY_IAM'])
                self.assertAwsError(context, 'ValidationError', 400, message)
        too_long = json.dumps({'Resources': {'A': {'Type': 'AWS::SQS::Queue',
                                                   'Metadata': {'pad': 'x' * 52000}}}})
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.cfn.create_stack(StackName='web', TemplateBody=too_long)
        self.assertAwsError(context, 'ValidationError', 400)
        self.assertIn("at 'templateBody' failed to satisfy constraint: Member must have length "
                      'less than or equal to 51200', context.exception.response['Error']['Message'])
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.make_change_set('absent', web_template())
        self.assertAwsError(context, 'ValidationError', 400, 'Stack [absent] does not exist')
        self.assertEqual(self.control('GET', 'stacks')[1], [], 'nothing was created')

    def test_iam_resources_need_capabilities(self):
        for template, needed in [(web_template(), 'CAPABILITY_IAM'),
                                 (web_template(named_role=True), 'CAPABILITY_NAMED_IAM')]:
            with self.subTest(needed=needed):
                with self.assertRaises(botocore.exceptions.ClientError) as context:
                    self.cfn.create_change_set(
                        StackName='web', ChangeSetName='c', ChangeSetType='CREATE',
                        TemplateBody=template, Parameters=PARAMETERS)
                self.assertAwsError(context, 'InsufficientCapabilitiesException', 400,
                                    f'Requires capabilities : [{needed}]')
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.cfn.create_change_set(
                StackName='web', ChangeSetName='c', ChangeSetType='CREATE',
                TemplateBody=web_template(named_role=True), Parameters=PARAMETERS,
                Capabilities=['CAPABILITY_IAM'])
        self.assertAwsError(context, 'InsufficientCapabilitiesException', 400)
        self.cfn.create_change_set(StackName='web', ChangeSetName='c', ChangeSetType='CREATE',
                                   TemplateBody=web_template(named_role=True),
                                   Parameters=PARAMETERS, Capabilities=['CAPABILITY_NAMED_IAM'])

    def test_use_previous_value_keeps_a_parameter(self):
        parameters = PARAMETERS + [{'ParameterKey': 'ImageId',
                                    'ParameterValue': 'ami-0fedcba9876543210'}]
        self.deploy('web', web_template(), kind='CREATE', parameters=parameters)
        stack = self.deploy('web', web_template('t3.large'), parameters=[
            {'ParameterKey': 'VpcId', 'UsePreviousValue': True},
            {'ParameterKey': 'Subnets', 'UsePreviousValue': True},
            {'ParameterKey': 'ImageId', 'UsePreviousValue': True}])
        self.assertEqual(stack['StackStatus'], 'UPDATE_COMPLETE')
        self.assertEqual({p['ParameterKey']: p['ParameterValue'] for p in stack['Parameters']},
                         {'VpcId': 'vpc-0a1b2c3d', 'Subnets': 'subnet-1111,subnet-2222',
                          'ImageId': 'ami-0fedcba9876543210'})


class AutoScalingTest(StandInTestCase):
    def test_describe_auto_scaling_groups_lists_the_stack_group_and_its_instances(self):
        self.deploy('web', web_template(), kind='CREATE')
        groups = self.asg.describe_auto_scaling_groups(
            AutoScalingGroupNames=['web-web'])['AutoScalingGroups']
        self.assertEqual(len(groups), 1)
        group = groups[0]
        self.assertEqual((group['AutoScalingGroupName'], group['MinSize'], group['MaxSize'],
                          group['DesiredCapacity'], group['HealthCheckType']),
                         ('web-web', 2, 3, 2, 'ELB'))
        self.assertEqual(group['AvailabilityZones'], ['us-east-1a', 'us-east-1b'])
        self.assertEqual(group['VPCZoneIdentifier'], 'subnet-1111,subnet-2222')
        self.assertEqual(len(group['Instances']), 2)
        for instance in group['Instances']:
            self.assertRegex(instance['InstanceId'], r'^i-[0-9a-f]{17}$')
            self.assertEqual((instance['LifecycleState'], instance['HealthStatus'],
                              instance['ProtectedFromScaleIn'], instance['InstanceType']),
                             ('InService', 'Healthy', False, 't3.micro'))
            self.assertEqual(instance['LaunchTemplate']['Version'], '1')
        tags = {t['Key']: t['Value'] for t in group['Tags']}
        self.assertEqual(tags['aws:cloudformation:stack-name'], 'web')
        self.assertEqual(tags['aws:cloudformation:logical-id'], 'WebGroup')
        self.assertEqual(tags['Name'], 'web-web')
        self.assertEqual(self.asg.describe_auto_scaling_groups(
            AutoScalingGroupNames=['other'])['AutoScalingGroups'], [])

        # A new launch template version rolls every instance.
        self.deploy('web', web_template('t3.small'))
        group = self.asg.describe_auto_scaling_groups()['AutoScalingGroups'][0]
        self.assertEqual({i['LaunchTemplate']['Version'] for i in group['Instances']}, {'2'})
        self.assertFalse({i['InstanceId'] for i in group['Instances']}
                         & {i['InstanceId'] for i in groups[0]['Instances']})

    def test_set_instance_health_marks_an_instance(self):
        self.deploy('web', web_template(), kind='CREATE')
        group = self.asg.describe_auto_scaling_groups()['AutoScalingGroups'][0]
        instance_id = group['Instances'][0]['InstanceId']
        self.asg.set_instance_health(InstanceId=instance_id, HealthStatus='Unhealthy')
        described = self.asg.describe_auto_scaling_instances(InstanceIds=[instance_id])
        self.assertEqual(described['AutoScalingInstances'][0]['HealthStatus'], 'Unhealthy')
        self.assertEqual(described['AutoScalingInstances'][0]['AutoScalingGroupName'], 'web-web')
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.asg.set_instance_health(InstanceId='i-00000000000000000',
                                         HealthStatus='Healthy')
        self.assertAwsError(context, 'ValidationError', 400)


class FaultTest(StandInTestCase):
    def test_throttling_reaches_the_client_and_then_stops(self):
        self.cfn.create_stack(StackName='q', TemplateBody=json.dumps(
            {'Resources': {'Q': {'Type': 'AWS::SQS::Queue'}}}))
        self.control('POST', 'faults', {'throttle': {'count': 2,
                                                     'action': 'DescribeStackEvents'}})
        self.cfn.describe_stacks(StackName='q')  # another action: not throttled
        for _ in range(2):
            with self.assertRaises(botocore.exceptions.ClientError) as context:
                self.cfn.describe_stack_events(StackName='q')
            self.assertAwsError(context, 'Throttling', 400, 'Rate exceeded')
            self.assertEqual(context.exception.response['Error']['Type'], 'Sender')
        self.cfn.describe_stack_events(StackName='q')
        _, requests = self.control('GET', 'requests')
        self.assertEqual([(r['action'], r.get('error')) for r in requests],
                         [('CreateStack', None), ('DescribeStacks', None),
                          ('DescribeStackEvents', 'Throttling'),
                          ('DescribeStackEvents', 'Throttling'), ('DescribeStackEvents', None)])
        # Two describes went through: two steps, not four (the queue would be complete).
        _, stacks = self.control('GET', 'stacks')
        queue = stacks[0]['resources'][0]
        self.assertEqual((queue['status'], queue['status_reason']),
                         ('CREATE_IN_PROGRESS', 'Resource creation Initiated'))

    def test_server_errors_are_503_service_unavailable(self):
        self.control('POST', 'faults', {'server_error': {'count': 1}})
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.asg.describe_auto_scaling_groups()
        self.assertAwsError(context, 'ServiceUnavailable', 503)
        self.assertEqual(context.exception.response['Error']['Type'], 'Receiver')
        self.asg.describe_auto_scaling_groups()

    def test_control_api_rejects_bad_faults_and_unknown_paths(self):
        status, body = self.control('POST', 'faults', {'throttle': {'count': 0}})
        self.assertEqual(status, 400)
        self.assertIn('count', body['error'])
        status, body = self.control('POST', 'faults', {'explode': {}})
        self.assertEqual(status, 400)
        self.assertEqual(self.control('GET', 'nothing')[0], 404)


class SignalResourceTest(StandInTestCase):
    def test_signals_are_recorded_on_the_stack(self):
        self.deploy('web', web_template(), kind='CREATE')
        self.cfn.signal_resource(StackName='web', LogicalResourceId='WebGroup',
                                 UniqueId='i-0123456789abcdef0', Status='SUCCESS')
        self.cfn.signal_resource(StackName='web', LogicalResourceId='WebGroup',
                                 UniqueId='i-0fedcba9876543210', Status='FAILURE')
        _, stacks = self.control('GET', 'stacks')
        self.assertEqual(stacks[0]['signals'], [
            {'logical_id': 'WebGroup', 'unique_id': 'i-0123456789abcdef0', 'status': 'SUCCESS'},
            {'logical_id': 'WebGroup', 'unique_id': 'i-0fedcba9876543210', 'status': 'FAILURE'}])

    def test_a_signal_for_an_unknown_resource_or_stack_is_refused(self):
        self.deploy('web', web_template(), kind='CREATE')
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.cfn.signal_resource(StackName='web', LogicalResourceId='Nothing',
                                     UniqueId='i-0123456789abcdef0', Status='SUCCESS')
        self.assertAwsError(context, 'ValidationError', 400)
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.cfn.signal_resource(StackName='other', LogicalResourceId='WebGroup',
                                     UniqueId='i-0123456789abcdef0', Status='SUCCESS')
        self.assertAwsError(context, 'ValidationError', 400)


# botocore's CloudWatch client speaks CBOR; i2kit speaks the Query protocol, so these requests
# are written by hand and signed by botocore.
PUT_METRIC_DATA = ('Action=PutMetricData&Version=2010-08-01&Namespace=i2kit%2Fweb'
                   '&MetricData.member.1.MetricName=Ready&MetricData.member.1.Value=1'
                   '&MetricData.member.1.Unit=Count'
                   '&MetricData.member.1.Dimensions.member.1.Name=Deployment'
                   '&MetricData.member.1.Dimensions.member.1.Value=web'
                   '&MetricData.member.1.Dimensions.member.2.Name=InstanceId'
                   '&MetricData.member.1.Dimensions.member.2.Value=i-0123456789abcdef0')


class CloudWatchTest(StandInTestCase):
    def test_put_metric_data_is_recorded(self):
        status, body = self.raw(PUT_METRIC_DATA, service='monitoring')
        self.assertEqual(status, 200, body)
        self.assertIn(b'<PutMetricDataResponse', body)
        _, metrics = self.control('GET', 'metrics')
        self.assertEqual(len(metrics), 1)
        self.assertEqual((metrics[0]['namespace'], metrics[0]['name'], metrics[0]['value'],
                          metrics[0]['unit'], metrics[0]['dimensions']),
                         ('i2kit/web', 'Ready', 1.0, 'Count',
                          {'Deployment': 'web', 'InstanceId': 'i-0123456789abcdef0'}))

    def test_put_metric_data_checks_the_model_and_the_namespace(self):
        status, body = self.raw(PUT_METRIC_DATA.replace('Unit=Count', 'Unit=Apples'),
                                service='monitoring')
        self.assertEqual(status, 400, body)
        self.assertIn(b'ValidationError', body)
        status, body = self.raw(PUT_METRIC_DATA.replace('i2kit%2Fweb', 'AWS%2FEC2'),
                                service='monitoring')
        self.assertEqual(status, 400, body)
        self.assertIn(b'InvalidParameterValue', body)
        self.assertEqual(self.control('GET', 'metrics')[1], [])

    def test_put_metric_data_can_be_throttled(self):
        self.control('POST', 'faults', {'throttle': {'count': 1, 'action': 'PutMetricData'}})
        status, body = self.raw(PUT_METRIC_DATA, service='monitoring')
        self.assertEqual(status, 400)
        self.assertIn(b'<Code>Throttling</Code>', body)
        self.assertIn(b'http://monitoring.amazonaws.com/doc/2010-08-01/', body)
        self.assertEqual(self.raw(PUT_METRIC_DATA, service='monitoring')[0], 200)


class CloudWatchLogsTest(StandInTestCase):
    def setUp(self):
        super().setUp()
        self.logs = self.other_client('logs')

    def test_events_are_kept_per_group_and_stream(self):
        self.logs.create_log_group(logGroupName='/i2kit/shop/web')
        self.logs.create_log_stream(logGroupName='/i2kit/shop/web', logStreamName='i-1/nginx')
        self.logs.put_log_events(logGroupName='/i2kit/shop/web', logStreamName='i-1/nginx',
                                 logEvents=[{'timestamp': 1000, 'message': 'a'},
                                            {'timestamp': 1000, 'message': 'b'}])
        _, groups = self.control('GET', 'logs')
        self.assertEqual(groups, {'/i2kit/shop/web': {'i-1/nginx': [
            {'timestamp': 1000, 'message': 'a'}, {'timestamp': 1000, 'message': 'b'}]}})
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.logs.create_log_group(logGroupName='/i2kit/shop/web')
        self.assertAwsError(context, 'ResourceAlreadyExistsException', 400)
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.logs.create_log_stream(logGroupName='/i2kit/shop/web', logStreamName='i-1/nginx')
        self.assertAwsError(context, 'ResourceAlreadyExistsException', 400)

    def test_put_log_events_checks_the_stream_the_order_and_the_limits(self):
        self.logs.create_log_group(logGroupName='g')
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.logs.put_log_events(logGroupName='g', logStreamName='s',
                                     logEvents=[{'timestamp': 1, 'message': 'x'}])
        self.assertAwsError(context, 'ResourceNotFoundException', 400)
        self.logs.create_log_stream(logGroupName='g', logStreamName='s')
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.logs.put_log_events(logGroupName='g', logStreamName='s',
                                     logEvents=[{'timestamp': 2, 'message': 'x'},
                                                {'timestamp': 1, 'message': 'y'}])
        self.assertAwsError(context, 'InvalidParameterException', 400)
        big = 'x' * (1048576 - 26)  # with its 26 bytes: exactly the limit
        self.logs.put_log_events(logGroupName='g', logStreamName='s',
                                 logEvents=[{'timestamp': 1, 'message': big}])
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.logs.put_log_events(logGroupName='g', logStreamName='s',
                                     logEvents=[{'timestamp': 1, 'message': big + 'x'}])
        self.assertAwsError(context, 'InvalidParameterException', 400)

    def test_filter_log_events_finds_phrases_from_a_time_on_page_by_page(self):
        self.logs.create_log_group(logGroupName='g')
        for stream in ('i-1/web', 'i-2/i2kit-ec2-reporter'):
            self.logs.create_log_stream(logGroupName='g', logStreamName=stream)
        self.logs.put_log_events(logGroupName='g', logStreamName='i-1/web', logEvents=[
            {'timestamp': 1, 'message': 'startup FAILURE: too early'},
            {'timestamp': 5, 'message': 'FAILURE startup: words apart'},
            {'timestamp': 7, 'message': 'startup FAILURE: web not ready'}])
        self.logs.put_log_events(logGroupName='g', logStreamName='i-2/i2kit-ec2-reporter',
                                 logEvents=[{'timestamp': 6, 'message': 'startup FAILURE: db'}])
        first = self.logs.filter_log_events(logGroupName='g', filterPattern='"startup FAILURE"',
                                            startTime=2, limit=1)
        self.assertEqual([(e['logStreamName'], e['message']) for e in first['events']],
                         [('i-2/i2kit-ec2-reporter', 'startup FAILURE: db')])
        rest = self.logs.filter_log_events(logGroupName='g', filterPattern='"startup FAILURE"',
                                           startTime=2, nextToken=first['nextToken'])
        self.assertEqual([e['message'] for e in rest['events']], ['startup FAILURE: web not ready'])
        self.assertNotIn('nextToken', rest)
        both_words = self.logs.filter_log_events(logGroupName='g', filterPattern='FAILURE startup')
        self.assertEqual(len(both_words['events']), 4)
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.logs.filter_log_events(logGroupName='g', filterPattern='?ERROR ?WARN')
        self.assertAwsError(context, 'InvalidParameterException', 400)
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.logs.filter_log_events(logGroupName='none', filterPattern='x')
        self.assertAwsError(context, 'ResourceNotFoundException', 400)

    def test_requests_are_checked_against_the_model_and_can_be_throttled(self):
        with self.assertRaises(botocore.exceptions.ParamValidationError):
            self.logs.create_log_group(logGroupName='g', nonsense=1)
        status, body = self.raw('{"logGroupName": 5}', service='logs')  # form content type
        self.assertEqual(status, 400)
        self.control('POST', 'faults', {'throttle': {'count': 1, 'action': 'CreateLogGroup'}})
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.logs.create_log_group(logGroupName='g')
        self.assertAwsError(context, 'Throttling', 400)
        self.logs.create_log_group(logGroupName='g')


class PolicyTest(StandInTestCase):
    POLICY = {'Version': '2012-10-17', 'Statement': [
        {'Effect': 'Allow', 'Action': ['cloudformation:Describe*', 'cloudformation:*ChangeSet',
                                       'ec2:DescribeImages'], 'Resource': '*'},
        {'Effect': 'Deny', 'Action': 'cloudformation:DeleteChangeSet', 'Resource': '*'}]}

    def test_a_call_the_policy_does_not_allow_is_refused_as_each_protocol_words_it(self):
        self.assertEqual(self.control('POST', 'policy', self.POLICY)[0], 200)
        self.cfn.describe_stacks()
        self.other_client('ec2').describe_images(Owners=['self'])
        user = 'arn:aws:iam::123456789012:user/i2kit-stand-in'
        for service, call, code, status, action in [
                ('cloudformation', lambda c: c.delete_stack(StackName='web'), 'AccessDenied',
                 403, 'cloudformation:DeleteStack'),
                ('cloudformation', lambda c: c.delete_change_set(ChangeSetName='a', StackName='w'),
                 'AccessDenied', 403, 'cloudformation:DeleteChangeSet'),
                ('autoscaling', lambda c: c.describe_auto_scaling_groups(), 'AccessDenied', 403,
                 'autoscaling:DescribeAutoScalingGroups'),
                ('ec2', lambda c: c.describe_snapshots(), 'UnauthorizedOperation', 403,
                 'ec2:DescribeSnapshots'),
                ('ebs', lambda c: c.start_snapshot(VolumeSize=1), 'AccessDeniedException', 403,
                 'ebs:StartSnapshot'),
                ('logs', lambda c: c.create_log_group(logGroupName='g'), 'AccessDeniedException',
                 400, 'logs:CreateLogGroup')]:
            with self.subTest(action=action):
                with self.assertRaises(botocore.exceptions.ClientError) as context:
                    call(self.other_client(service))
                self.assertAwsError(context, code, status)
                self.assertIn(f'User: {user} is not authorized to perform: {action} because no '
                              f'identity-based policy allows the {action} action',
                              context.exception.response['Error']['Message'])

    def test_cloudformation_fails_a_resource_whose_actions_the_policy_does_not_allow(self):
        self.control('POST', 'policy', self.POLICY)
        stack = self.deploy('web', web_template(), kind='CREATE')
        self.assertEqual(stack['StackStatus'], 'ROLLBACK_COMPLETE')
        reasons = [e.get('ResourceStatusReason', '') for e in self.events(stack['StackId'])
                   if e['ResourceStatus'] == 'CREATE_FAILED']
        self.assertTrue(any('is not authorized to perform: ' in r and 'AccessDenied' in r
                            for r in reasons), reasons)
        self.control('POST', 'policy', None)
        self.assertEqual(self.control('GET', 'policy'), (200, None))
        self.assertEqual(self.control('POST', 'policy', {'Statement': [{}]})[0], 400)


class SignatureTest(StandInTestCase):
    def test_wrong_secret_is_signature_does_not_match_with_what_was_expected(self):
        wrong = self.other_client('cloudformation', secret='NOTTHESECRET')
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            wrong.describe_stacks()
        self.assertAwsError(context, 'SignatureDoesNotMatch', 403)
        message = context.exception.response['Error']['Message']
        self.assertTrue(message.startswith('The request signature we calculated does not match '
                                           'the signature you provided.'))
        self.assertIn("The Canonical String for this request should have been\n'POST\n/\n\n"
                      'content-type:application/x-www-form-urlencoded; charset=utf-8\n', message)
        self.assertIn("The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n", message)
        self.assertEqual(self.control('GET', 'requests')[1], [])
        rejected = self.control('GET', 'rejected')[1]
        self.assertEqual(rejected['count'], 1)
        self.assertEqual(rejected['requests'][0]['action'], 'DescribeStacks')
        self.stderr.seek(0)
        line = [line for line in self.stderr if ' 403 ' in line][-1]
        self.assertRegex(line, r'^aws-stand-in: cloudformation DescribeStacks 403 '
                         r"SignatureDoesNotMatch: The request .*should have been\\n'POST\\n/")

    def test_unknown_access_key_is_invalid_client_token_id(self):
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.other_client('cloudformation', key='AKIDUNKNOWN').describe_stacks()
        self.assertAwsError(context, 'InvalidClientTokenId', 403,
                            'The security token included in the request is invalid.')

    def test_unsigned_request_is_missing_authentication_token(self):
        status, body = self.raw('Action=DescribeStacks&Version=2010-05-15', sign=False)
        self.assertEqual((status, error_of(body)), (403, ('MissingAuthenticationToken',
                                                          'Request is missing Authentication '
                                                          'Token')))

    def test_a_signature_more_than_five_minutes_off_is_refused_as_the_query_services_word_it(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        old = (now - datetime.timedelta(minutes=6)).strftime('%Y%m%dT%H%M%SZ')
        status, body = self.raw('Action=DescribeStacks&Version=2010-05-15', amz_date=old)
        self.assertEqual(status, 403)
        code, message = error_of(body)
        self.assertEqual(code, 'SignatureDoesNotMatch')
        self.assertRegex(message, f'^Signature expired: {old} is now earlier than '
                         r'\d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$')
        ahead = (now + datetime.timedelta(minutes=6)).strftime('%Y%m%dT%H%M%SZ')
        status, body = self.raw('Action=DescribeStacks&Version=2010-05-15', amz_date=ahead)
        self.assertEqual((status, error_of(body)[0]), (403, 'SignatureDoesNotMatch'))
        self.assertIn('Signature not yet current', error_of(body)[1])
        recent = (now - datetime.timedelta(minutes=4)).strftime('%Y%m%dT%H%M%SZ')
        self.assertEqual(self.raw('Action=DescribeStacks&Version=2010-05-15',
                                  amz_date=recent)[0], 200)

    def test_a_skewed_aws_clock_refuses_each_protocol_in_its_words_and_dates_its_answers(self):
        self.assertEqual(self.control('POST', 'clock', {'skew_seconds': 600})[0], 200)
        for service, call, code, status in [
                ('cloudformation', lambda c: c.describe_stacks(), 'SignatureDoesNotMatch', 403),
                ('autoscaling', lambda c: c.describe_auto_scaling_groups(),
                 'SignatureDoesNotMatch', 403),
                ('ec2', lambda c: c.describe_images(Owners=['self']), 'RequestExpired', 400),
                ('logs', lambda c: c.create_log_group(logGroupName='g'),
                 'InvalidSignatureException', 400),
                ('ebs', lambda c: c.start_snapshot(VolumeSize=1), 'InvalidSignatureException',
                 403)]:
            with self.subTest(service=service):
                with self.assertRaises(botocore.exceptions.ClientError) as context:
                    call(self.other_client(service))
                self.assertAwsError(context, code, status)
                self.assertIn('Signature expired', context.exception.response['Error']['Message'])
                date = context.exception.response['ResponseMetadata']['HTTPHeaders']['date']
                aws_time = email.utils.parsedate_to_datetime(date)
                skew = aws_time - datetime.datetime.now(datetime.timezone.utc)
                self.assertAlmostEqual(skew.total_seconds(), 600, delta=5)
        self.assertEqual(self.control('POST', 'clock', {'skew_seconds': 'x'})[0], 400)
        self.control('POST', 'clock', {'skew_seconds': 0})
        self.cfn.describe_stacks()

    def test_signature_for_another_service_is_refused(self):
        status, body = self.raw('Action=DescribeStacks&Version=2010-05-15', service='sqs')
        self.assertEqual((status, error_of(body)[0]), (403, 'SignatureDoesNotMatch'))

    def test_malformed_authorization_is_incomplete_signature(self):
        request = urllib.request.Request(
            f'{self.url}/', data=b'Action=DescribeStacks&Version=2010-05-15', method='POST',
            headers={'Content-Type': FORM, 'X-Amz-Date': '20261123T140000Z',
                     'Authorization': 'AWS4-HMAC-SHA256 Credential=AKIDSTANDIN/20261123'})
        with self.assertRaises(urllib.error.HTTPError) as context:
            urllib.request.urlopen(request)
        self.assertEqual(context.exception.code, 400)
        self.assertEqual(error_of(context.exception.read())[0], 'IncompleteSignature')

    def test_session_token_must_match_when_configured(self):
        process, url, stderr = start_stand_in('--session-token', 'TOKEN1')
        try:
            def client(token):
                return self.other_client('cloudformation', token=token, url=url)
            client('TOKEN1').describe_stacks()
            for token in (None, 'TOKEN2'):
                with self.assertRaises(botocore.exceptions.ClientError) as context:
                    client(token).describe_stacks()
                self.assertAwsError(context, 'InvalidClientTokenId', 403)
        finally:
            stop_stand_in(process)
            stderr.close()


class ShapeTest(StandInTestCase):
    def test_unknown_member_is_rejected_naming_the_model(self):
        status, body = self.raw('Action=DescribeStacks&Version=2010-05-15&StackName=web&Foo=1')
        self.assertEqual((status, error_of(body)),
                         (400, ('InvalidParameter', "stand-in: DescribeStacks has no member 'Foo' "
                                                    '(botocore model cloudformation 2010-05-15)')))
        self.assertEqual(self.control('GET', 'requests')[1], [])
        self.assertEqual(self.control('GET', 'rejected')[1]['count'], 1)

    def test_missing_required_member_is_validation_error(self):
        status, body = self.raw('Action=CreateChangeSet&Version=2010-05-15&StackName=web'
                                '&TemplateBody=%7B%7D')
        code, message = error_of(body)
        self.assertEqual((status, code), (400, 'ValidationError'))
        self.assertIn('Missing required parameter in input: "ChangeSetName"', message)

    def test_list_members_must_be_numbered_without_gaps(self):
        status, body = self.raw(
            'Action=CreateChangeSet&Version=2010-05-15&StackName=web&ChangeSetName=c'
            '&ChangeSetType=CREATE&TemplateBody=%7B%7D&Capabilities.member.1=CAPABILITY_IAM'
            '&Capabilities.member.3=CAPABILITY_NAMED_IAM')
        self.assertEqual(status, 400)
        self.assertIn("list 'Capabilities.member' must be numbered 1..N without gaps",
                      error_of(body)[1])
        status, body = self.raw('Action=CreateChangeSet&Version=2010-05-15&StackName=web'
                                '&ChangeSetName=c&Capabilities.1=CAPABILITY_IAM')
        self.assertEqual(status, 400)
        self.assertIn('Capabilities.member.N', error_of(body)[1])

    def test_values_are_checked_by_type_and_model_constraints(self):
        status, body = self.raw('Action=ExecuteChangeSet&Version=2010-05-15&ChangeSetName=c'
                                '&StackName=web&DisableRollback=yes')
        self.assertEqual((status, error_of(body)[0]), (400, 'ValidationError'))
        status, body = self.raw('Action=CreateChangeSet&Version=2010-05-15&StackName=web'
                                '&ChangeSetName=bad_name&TemplateBody=%7B%7D')
        self.assertEqual(error_of(body), ('ValidationError', (
            "1 validation error detected: Value 'bad_name' at 'changeSetName' failed to "
            'satisfy constraint: Member must satisfy regular expression pattern: '
            '[a-zA-Z][-a-zA-Z0-9]*')))

    def test_unknown_action_and_wrong_version_are_rejected(self):
        status, body = self.raw('Action=LaunchRockets&Version=2010-05-15')
        self.assertEqual((status, error_of(body)), (400, (
            'InvalidAction', 'Could not find operation LaunchRockets for version 2010-05-15')))
        status, body = self.raw('Action=DescribeStacks&Version=2011-01-01')
        self.assertEqual((status, error_of(body)[0]), (400, 'InvalidParameterValue'))
        status, body = self.raw('Action=DescribeAutoScalingGroups&Version=2011-01-01',
                                service='autoscaling')
        self.assertEqual(status, 200)

    def test_operations_outside_the_emulation_say_so(self):
        status, body = self.raw('Action=ListExports&Version=2010-05-15')
        self.assertEqual((status, error_of(body)[0]), (501, 'NotImplemented'))

    def test_get_with_the_query_in_the_url_is_accepted(self):
        status, body = self.raw('', method='GET', query='Action=DescribeStacks&Version=2010-05-15')
        self.assertEqual(status, 200)
        self.assertIn(b'<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/'
                      b'2010-05-15/"><DescribeStacksResult><Stacks />', body)

    def test_requests_are_recorded_unflattened(self):
        self.cfn.create_change_set(
            StackName='web', ChangeSetName='c', ChangeSetType='CREATE',
            TemplateBody=web_template(), Parameters=PARAMETERS, Capabilities=['CAPABILITY_IAM'])
        _, requests = self.control('GET', 'requests')
        self.assertEqual(len(requests), 1)
        record = requests[0]
        self.assertEqual((record['service'], record['action'], record['status']),
                         ('cloudformation', 'CreateChangeSet', 200))
        self.assertEqual(record['params']['Parameters'], PARAMETERS)
        self.assertEqual(record['params']['Capabilities'], ['CAPABILITY_IAM'])

    def test_replacement_table_matches_the_resource_specification(self):
        with open(SPEC_SUBSET) as spec_file:
            spec = json.load(spec_file)
        for kind, resource in spec['ResourceTypes'].items():
            immutable = {name for name, prop in resource.get('Properties', {}).items()
                         if prop.get('UpdateType') == 'Immutable'}
            self.assertEqual(cfn_template.REPLACEMENT_PROPERTIES.get(kind, set()), immutable,
                             kind)


class ProcessTest(unittest.TestCase):
    def test_stdin_eof_stops_the_stand_in(self):
        process, _, stderr = start_stand_in()
        self.assertEqual(stop_stand_in(process), 0)
        stderr.seek(0)
        self.assertIn('stdin closed, exiting', stderr.read())
        stderr.close()

    def test_sigterm_stops_the_stand_in(self):
        process, url, stderr = start_stand_in()
        process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(timeout=10), 0)
        with self.assertRaises(urllib.error.URLError):
            urllib.request.urlopen(f'{url}/_stand-in/requests', timeout=2)
        self.assertEqual(stop_stand_in(process), 0)
        stderr.close()

    def test_the_tls_listener_serves_the_same_state(self):
        with tempfile.TemporaryDirectory() as directory:
            cert, key = os.path.join(directory, 'cert.pem'), os.path.join(directory, 'key.pem')
            subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                            'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj',
                            '/CN=stand-in', '-addext', 'subjectAltName=IP:127.0.0.1',
                            '-keyout', key, '-out', cert], check=True, capture_output=True)
            process, url, stderr = start_stand_in('--tls-port', '0', '--tls-cert', cert,
                                                  '--tls-key', key)
            self.addCleanup(stderr.close)
            self.addCleanup(stop_stand_in, process)
            tls_line = process.stdout.readline().strip()
            match = re.fullmatch(r'aws-stand-in listening on (https://127\.0\.0\.1:\d+)',
                                 tls_line)
            self.assertIsNotNone(match, tls_line)
            session = botocore.session.get_session()
            clients = [session.create_client(
                'cloudformation', endpoint_url=endpoint, region_name='us-east-1',
                aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET, verify=cert)
                for endpoint in (match.group(1), url)]
            for client in clients:
                self.addCleanup(client.close)
            clients[0].create_stack(StackName='over-tls', TemplateBody=web_template(),
                                    Capabilities=['CAPABILITY_IAM'],
                                    Parameters=PARAMETERS)
            names = [s['StackName'] for s in clients[1].describe_stacks()['Stacks']]
            self.assertEqual(names, ['over-tls'])
            with urllib.request.urlopen(f'{url}/_stand-in/requests', timeout=5) as answer:
                requests = json.load(answer)
            self.assertEqual([(r['action'], r['tls'], r['host']) for r in requests],
                             [('CreateStack', True, match.group(1)[len('https://'):]),
                              ('DescribeStacks', False, url[len('http://'):])])

    def test_tls_options_go_together(self):
        process = subprocess.run([sys.executable, STAND_IN, '--tls-port', '0'],
                                 capture_output=True, text=True, stdin=subprocess.DEVNULL)
        self.assertEqual(process.returncode, 2)
        self.assertIn('--tls-port, --tls-cert and --tls-key go together', process.stderr)


if __name__ == '__main__':
    unittest.main()


def secret_template():
    """A deployment's Secrets as the i2kit template keeps them (instance_role.cpp AddSecrets)."""
    return json.dumps({
        'AWSTemplateFormatVersion': '2010-09-09',
        'Parameters': {'WebSecretsValue': {'Type': 'String', 'NoEcho': True}},
        'Resources': {'WebSecrets': {'Type': 'AWS::SecretsManager::Secret', 'Properties': {
            'Name': {'Fn::Sub': '${AWS::StackName}/web'},
            'SecretString': {'Ref': 'WebSecretsValue'}}}}})


class SecretsManagerTest(StandInTestCase):
    VALUE = '{"secrets":[{"name":"db","data":{"password":"aHVudGVyMg=="}}]}'

    def deploy_secret(self, value, kind):
        return self.deploy('shop', secret_template(), kind=kind, parameters=[
            {'ParameterKey': 'WebSecretsValue', 'ParameterValue': value}])

    def test_a_stack_secret_is_read_by_name_or_arn_and_shown_by_no_stack_call(self):
        stack = self.deploy_secret(self.VALUE, 'CREATE')
        self.assertEqual(stack['StackStatus'], 'CREATE_COMPLETE')
        secrets = self.other_client('secretsmanager')
        got = secrets.get_secret_value(SecretId='shop/web')
        self.assertEqual(got['SecretString'], self.VALUE)
        self.assertEqual(got['Name'], 'shop/web')
        self.assertRegex(got['ARN'],
                         r'^arn:aws:secretsmanager:us-east-1:\d{12}:secret:shop/web-\w{6}$')
        self.assertEqual(got['VersionStages'], ['AWSCURRENT'])
        self.assertEqual(secrets.get_secret_value(SecretId=got['ARN'])['SecretString'],
                         self.VALUE)
        # The value is in no answer of CloudFormation's.
        shown = [self.cfn.describe_stacks(StackName='shop'),
                 self.cfn.get_template(StackName='shop'),
                 self.cfn.describe_stack_resources(StackName='shop'),
                 self.cfn.describe_stack_events(StackName='shop')]
        for answer in shown:
            self.assertNotIn('aHVudGVyMg', json.dumps(answer, default=str))
        self.assertEqual(shown[0]['Stacks'][0]['Parameters'][0]['ParameterValue'], '****')

    def test_an_update_brings_the_new_value_and_a_deleted_stack_takes_its_secret(self):
        self.deploy_secret(self.VALUE, 'CREATE')
        secrets = self.other_client('secretsmanager')
        self.deploy_secret('{"secrets":[]}', 'UPDATE')
        self.assertEqual(secrets.get_secret_value(SecretId='shop/web')['SecretString'],
                         '{"secrets":[]}')
        self.cfn.delete_stack(StackName='shop')
        self.wait_deleted('shop')
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            secrets.get_secret_value(SecretId='shop/web')
        self.assertAwsError(context, 'ResourceNotFoundException', 400,
                            "Secrets Manager can't find the specified secret.")

    def wait_deleted(self, stack):
        for _ in range(200):
            try:
                self.cfn.describe_stacks(StackName=stack)
            except botocore.exceptions.ClientError:
                return
        self.fail(f'{stack} never deleted')

    def test_get_secret_value_needs_its_iam_action(self):
        self.deploy_secret(self.VALUE, 'CREATE')
        self.control('POST', 'policy', {'Version': '2012-10-17', 'Statement': [
            {'Effect': 'Allow', 'Action': 'cloudformation:*', 'Resource': '*'}]})
        with self.assertRaises(botocore.exceptions.ClientError) as context:
            self.other_client('secretsmanager').get_secret_value(SecretId='shop/web')
        self.assertAwsError(context, 'AccessDeniedException', 400)
        self.assertIn('secretsmanager:GetSecretValue',
                      context.exception.response['Error']['Message'])
