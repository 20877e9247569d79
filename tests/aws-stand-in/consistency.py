"""AWS's eventual consistency, as a mode: each resource made is unknown, for its first N calls
naming it, to the calls that name it — a snapshot StartSnapshot just made to PutSnapshotBlock
(AWS's coldsnap retries a block for two minutes for this), to EC2's DescribeSnapshots and
RegisterImage; an image just registered to DescribeImages by ID and to CreateTags. Off (N = 0)
unless set through the control API: POST /_stand-in/consistency {"unknown_for": N}."""


class Consistency:
    def __init__(self):
        self.unknown_for = 0
        self._left = {}  # resource ID -> calls that still do not know it

    def set(self, spec):
        """Sets the mode from a control API body; ValueError says what is wrong."""
        count = spec.get('unknown_for') if isinstance(spec, dict) else None
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError('expected {"unknown_for": N}, N a whole number of calls (0: off)')
        self.unknown_for = count
        self._left.clear()

    def made(self, resource_id):
        """A resource was just made: the next `unknown_for` calls naming it do not know it."""
        if self.unknown_for:
            self._left[resource_id] = self.unknown_for

    def known(self, resource_id):
        """Whether this call, which names `resource_id`, knows it (each call counts once)."""
        left = self._left.get(resource_id, 0)
        if left <= 0:
            return True
        self._left[resource_id] = left - 1
        return False

    def pending(self):
        return {'unknown_for': self.unknown_for, 'unknown': dict(self._left)}
