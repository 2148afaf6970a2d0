"""One call attempt from the worker's side: claim it, dial it, hand it to an agent, record it.

`dial_attempt` is the whole body of the Celery dial task. The compare-and-set on the attempt row
(queued -> dialing, committed before the INVITE) is what makes a redelivered or duplicated task
harmless; everything after it runs the pure call flow (dialer.call_flow) against the process's
telephony, with ports that write Postgres, publish live events and claim agents in Redis.

- ``attempt``: the task's body, from the claim to the attempt closed.
- ``spec``: what to dial, from the attempt's row (trunk, message, AMD, screen pop).
- ``reporter`` and ``claimer``: the call flow's ports (the attempt row and live events; agents).
- ``features`` and ``commands``: the call features wired to this process, and the console's and
  supervisors' commands carried out on them while the call runs.
- ``context``: what the process's dial tasks share.
"""

from dialer.dialing.attempt import LEG_WAIT_S, dial_attempt
from dialer.dialing.context import DialContext
from dialer.dialing.spec import amd_policy

__all__ = ["LEG_WAIT_S", "DialContext", "amd_policy", "dial_attempt"]
