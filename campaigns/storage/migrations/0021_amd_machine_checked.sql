-- AMD machine verdicts drawn for checking (issue 9, docs/amd.md "Sampling machine verdicts to
-- agents"): true when the attempt's MACHINE verdict went to an agent because the attempt was
-- drawn for checking, though the campaign hangs up on machines or leaves them a message; false
-- for every other MACHINE verdict (hung up, given the message, or sent by `to_agent`); NULL
-- without a MACHINE verdict. Whether the agent was reached is agent_connect_at, as for any call.
ALTER TABLE call_attempts ADD COLUMN amd_machine_checked boolean;
