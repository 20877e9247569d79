"""Tests of templates kept in S3: the stand-in's S3 (s3.py) and STS (sts.py) driven by real
botocore clients, and CloudFormation reading a TemplateURL from that S3 as AWS does — the
template past 51,200 bytes that TemplateBody refuses, in change sets that create and update.

Run from this folder: python3 -m unittest template_url_test
"""

import json

import botocore.config
import botocore.exceptions

from aws_stand_in_test import (ACCESS_KEY, PARAMETERS, SECRET, StandInTestCase,  # noqa: F401
                               setUpModule, tearDownModule, web_template)

ACCOUNT = '123456789012'
BUCKET = f'i2kit-templates-{ACCOUNT}-us-east-1'


def large_template(pad):
    """web_template() grown past 51,200 bytes by a queue's metadata."""
    extra = {'Padding': {'Type': 'AWS::SQS::Queue', 'Metadata': {'pad': 'x' * pad}}}
    return web_template(extra=extra)


class TemplateUrlTest(StandInTestCase):
    def setUp(self):
        super().setUp()
        # This module's stand-in, not the one the shared clients of another module were made
        # for.
        self.cfn = self.other_client('cloudformation')
        self.s3 = self.session.create_client(
            's3', endpoint_url=self.url, region_name='us-east-1', aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET,
            config=botocore.config.Config(s3={'addressing_style': 'path'},
                                          retries={'total_max_attempts': 1}))
        self.addCleanup(self.s3.close)

    def error(self, call, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            call(**kwargs)
        return raised.exception.response

    def make_bucket(self):
        self.s3.create_bucket(Bucket=BUCKET, ObjectOwnership='BucketOwnerEnforced')
        owner = {'Bucket': BUCKET, 'ExpectedBucketOwner': ACCOUNT}
        self.s3.put_public_access_block(PublicAccessBlockConfiguration={
            'BlockPublicAcls': True, 'IgnorePublicAcls': True, 'BlockPublicPolicy': True,
            'RestrictPublicBuckets': True}, **owner)
        self.s3.put_bucket_encryption(ServerSideEncryptionConfiguration={'Rules': [
            {'ApplyServerSideEncryptionByDefault': {'SSEAlgorithm': 'AES256'}}]}, **owner)
        self.s3.put_bucket_lifecycle_configuration(LifecycleConfiguration={'Rules': [
            {'ID': 'expire', 'Filter': {'Prefix': ''}, 'Status': 'Enabled',
             'Expiration': {'Days': 7}}]}, **owner)

    def put(self, key, body):
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=body.encode(),
                           ContentType='application/json', ExpectedBucketOwner=ACCOUNT)
        return f'https://{BUCKET}.s3.us-east-1.amazonaws.com/{key}'

    def test_sts_names_the_account_whatever_the_policy(self):
        self.control('POST', 'policy', {'Version': '2012-10-17', 'Statement': [
            {'Effect': 'Allow', 'Action': 'ec2:DescribeSubnets', 'Resource': '*'}]})
        sts = self.other_client('sts')
        self.assertEqual(sts.get_caller_identity()['Account'], ACCOUNT)

    def test_a_bucket_is_made_private_encrypted_and_self_emptying(self):
        missing = self.error(self.s3.head_bucket, Bucket=BUCKET, ExpectedBucketOwner=ACCOUNT)
        self.assertEqual(missing['ResponseMetadata']['HTTPStatusCode'], 404)
        self.make_bucket()
        self.s3.head_bucket(Bucket=BUCKET, ExpectedBucketOwner=ACCOUNT)
        self.put('web/a.json', '{}')
        _, buckets = self.control('GET', 'buckets')
        bucket = buckets[BUCKET]
        self.assertEqual(bucket['owner'], ACCOUNT)
        self.assertTrue(all(bucket['public_access_block'].values()))
        self.assertEqual(bucket['encryption']['Rules'][0]['ApplyServerSideEncryptionByDefault'],
                         {'SSEAlgorithm': 'AES256'})
        self.assertEqual(bucket['lifecycle']['Rules'][0]['Expiration'], {'Days': 7})
        self.assertEqual(bucket['objects'], {'web/a.json': 2})
        # us-east-1 answers the owner's second CreateBucket with 200, as AWS does.
        self.s3.create_bucket(Bucket=BUCKET)

    def test_a_bucket_of_that_name_in_another_account_is_never_written(self):
        self.control('POST', 'buckets', {'foreign': [BUCKET]})
        refused = self.error(self.s3.head_bucket, Bucket=BUCKET, ExpectedBucketOwner=ACCOUNT)
        self.assertEqual(refused['ResponseMetadata']['HTTPStatusCode'], 403)
        taken = self.error(self.s3.create_bucket, Bucket=BUCKET)
        self.assertEqual(taken['Error']['Code'], 'BucketAlreadyExists')
        denied = self.error(self.s3.put_object, Bucket=BUCKET, Key='k', Body=b'{}',
                            ExpectedBucketOwner=ACCOUNT)
        self.assertEqual(denied['Error']['Code'], 'AccessDenied')

    def test_a_configuration_without_its_checksum_is_refused_as_s3_refuses_it(self):
        self.make_bucket()

        def drop_checksum(request, **_):
            for name in list(request.headers.keys()):
                if name.lower() == 'content-md5' or name.lower().startswith('x-amz-checksum-'):
                    del request.headers[name]
        self.s3.meta.events.register('before-sign.s3.PutBucketEncryption', drop_checksum)
        refused = self.error(self.s3.put_bucket_encryption, Bucket=BUCKET,
                             ServerSideEncryptionConfiguration={'Rules': [
                                 {'ApplyServerSideEncryptionByDefault': {
                                     'SSEAlgorithm': 'AES256'}}]})
        self.assertEqual(refused['Error']['Code'], 'InvalidRequest')
        self.assertIn('Content-MD5', refused['Error']['Message'])

    def test_change_sets_create_and_update_from_a_template_url(self):
        self.make_bucket()
        body = large_template(52000)
        self.assertGreater(len(body), 51200)
        inline = self.error(self.cfn.create_change_set, StackName='web', ChangeSetName='c',
                            ChangeSetType='CREATE', TemplateBody=body, Parameters=PARAMETERS,
                            Capabilities=['CAPABILITY_IAM'])
        self.assertIn('less than or equal to 51200', inline['Error']['Message'])
        for kind, template in (('CREATE', body), ('UPDATE', large_template(53000))):
            created = self.cfn.create_change_set(
                StackName='web', ChangeSetName=f'c-{kind}', ChangeSetType=kind,
                TemplateURL=self.put(f'web/{kind}.json', template), Parameters=PARAMETERS,
                Capabilities=['CAPABILITY_IAM'])
            for _ in range(3):
                described = self.cfn.describe_change_set(ChangeSetName=created['Id'])
            self.assertEqual(described['Status'], 'CREATE_COMPLETE', described.get('StatusReason'))
            self.cfn.execute_change_set(ChangeSetName=created['Id'])
            stack = self.wait('web')
            self.assertEqual(stack['StackStatus'], f'{kind}_COMPLETE')
            self.assertEqual(self.cfn.get_template(StackName='web')['TemplateBody'],
                             json.loads(template))

    def test_a_template_url_must_name_a_readable_s3_object_of_at_most_a_megabyte(self):
        self.make_bucket()
        too_big = self.put('web/big.json', large_template(1000001))
        cases = [
            ('http://example.com/t.json', 'TemplateURL must be a supported URL.'),
            (f's3://{BUCKET}/web/t.json', 'TemplateURL must be a supported URL.'),
            (f'https://{BUCKET}.s3.us-east-1.amazonaws.com/web/none.json',
             'TemplateURL must reference a valid S3 object to which you have access.'),
            (too_big, 'Template may not exceed 1000000 bytes in size.')]
        for url, message in cases:
            with self.subTest(url=url):
                refused = self.error(self.cfn.create_change_set, StackName='web',
                                     ChangeSetName='c', ChangeSetType='CREATE', TemplateURL=url,
                                     Parameters=PARAMETERS, Capabilities=['CAPABILITY_IAM'])
                self.assertEqual(refused['Error']['Code'], 'ValidationError')
                self.assertEqual(refused['Error']['Message'], message)
        # Path style names the same object.
        url = self.put('web/small.json', web_template())
        path_style = url.replace(f'{BUCKET}.s3.us-east-1.amazonaws.com',
                                 f's3.us-east-1.amazonaws.com/{BUCKET}')
        self.cfn.create_change_set(StackName='web', ChangeSetName='ok', ChangeSetType='CREATE',
                                   TemplateURL=path_style, Parameters=PARAMETERS,
                                   Capabilities=['CAPABILITY_IAM'])

    def test_cloudformation_reads_the_template_with_the_callers_permissions(self):
        self.make_bucket()
        url = self.put('web/t.json', web_template())
        self.control('POST', 'policy', {'Version': '2012-10-17', 'Statement': [
            {'Effect': 'Allow', 'Action': 'cloudformation:*', 'Resource': '*'}]})
        refused = self.error(self.cfn.create_change_set, StackName='web', ChangeSetName='c',
                             ChangeSetType='CREATE', TemplateURL=url, Parameters=PARAMETERS,
                             Capabilities=['CAPABILITY_IAM'])
        self.assertIn('to which you have access', refused['Error']['Message'])
        self.control('POST', 'policy', {'Version': '2012-10-17', 'Statement': [
            {'Effect': 'Allow', 'Action': ['cloudformation:*', 's3:GetObject'],
             'Resource': '*'}]})
        self.cfn.create_change_set(StackName='web', ChangeSetName='c', ChangeSetType='CREATE',
                                   TemplateURL=url, Parameters=PARAMETERS,
                                   Capabilities=['CAPABILITY_IAM'])
        denied = self.error(self.s3.put_object, Bucket=BUCKET, Key='k', Body=b'{}')
        self.assertEqual(denied['Error']['Code'], 'AccessDenied')
        self.assertIn('s3:PutObject', denied['Error']['Message'])
