"""Secrets Manager (JSON protocol 1.1, X-Amz-Target secretsmanager.ACTION): GetSecretValue of
the secrets stacks made (AWS::SecretsManager::Secret, its SecretString as resolved when the
resource was created or updated: a NoEcho parameter's real value), by name or ARN, while the
resource lives. The EC2 reporter reads a deployment's Secrets this way at boot."""

from aws_error import AwsError


class SecretsManager:
    def __init__(self, cloudformation):
        self.cloudformation = cloudformation
        self.operations = {'GetSecretValue': self.get_secret_value}

    def _find(self, secret_id):
        for stack in self.cloudformation.stacks:
            if stack.deleted:
                continue
            for resource in stack.resources.values():
                if resource.type != 'AWS::SecretsManager::Secret' or \
                        resource.secret is None or resource.status in (None, 'DELETE_COMPLETE'):
                    continue
                if secret_id in (resource.secret['Name'], resource.physical_id):
                    return resource
        raise AwsError('ResourceNotFoundException',
                       "Secrets Manager can't find the specified secret.")

    def get_secret_value(self, params):
        if 'VersionId' in params or params.get('VersionStage', 'AWSCURRENT') != 'AWSCURRENT':
            raise AwsError('NotImplemented', 'stand-in: only the AWSCURRENT version is kept',
                           501, sender=False)
        resource = self._find(params['SecretId'])
        secret = resource.secret
        return {'ARN': resource.physical_id, 'Name': secret['Name'],
                'VersionId': secret['VersionId'], 'SecretString': secret['SecretString'],
                'VersionStages': ['AWSCURRENT'], 'CreatedDate': secret['CreatedDate']}
