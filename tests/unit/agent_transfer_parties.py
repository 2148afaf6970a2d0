"""The two agents of the agent-to-agent transfer unit tests."""

from __future__ import annotations

from dialer.call_flow import AgentRef

ALICE = AgentRef("alice", "sip:alice@127.0.0.1:15070", name="Alice")
BEA = AgentRef("bea", "sip:bea@127.0.0.1:15071", name="Bea")
