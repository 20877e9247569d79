"""KMS (JSON protocol 1.1, X-Amz-Target TrentService.ACTION): DescribeKey and GetKeyPolicy of the
account's keys (account.py), which is what deploy's preflight reads of the default EBS key."""

from aws_error import AwsError


class Kms:
    def __init__(self, account):
        self.account = account
        self.operations = {'DescribeKey': self.describe_key, 'GetKeyPolicy': self.get_key_policy}

    def _key(self, key_id):
        found = self.account.find_key(key_id)
        if found is None:
            raise AwsError('NotFoundException', f"Key '{key_id}' does not exist")
        return found

    def describe_key(self, params):
        key_id, manager, _ = self._key(params['KeyId'])
        return {'KeyMetadata': {
            'AWSAccountId': self.account.config.account, 'KeyId': key_id,
            'Arn': self.account.key_arn(key_id), 'Enabled': True,
            'KeyUsage': 'ENCRYPT_DECRYPT', 'KeyState': 'Enabled', 'Origin': 'AWS_KMS',
            'KeyManager': manager, 'KeySpec': 'SYMMETRIC_DEFAULT',
            'CustomerMasterKeySpec': 'SYMMETRIC_DEFAULT',
            'EncryptionAlgorithms': ['SYMMETRIC_DEFAULT'], 'MultiRegion': False}}

    def get_key_policy(self, params):
        _, _, policy = self._key(params['KeyId'])
        name = params.get('PolicyName', 'default')
        if name != 'default':
            raise AwsError('NotFoundException', f"Policy '{name}' does not exist")
        return {'Policy': policy, 'PolicyName': 'default'}
