"""STS (Query protocol, model sts 2011-06-15): GetCallerIdentity, which deploy asks to name the
account's template bucket. IAM never denies it (iam_policy.py lets it through)."""


class Sts:
    def __init__(self, config):
        self.config = config
        self.operations = {'GetCallerIdentity': self.get_caller_identity}

    def get_caller_identity(self, params):
        return {'UserId': 'AIDASTANDIN0000000000', 'Account': self.config.account,
                'Arn': f'arn:aws:iam::{self.config.account}:user/i2kit-stand-in'}
