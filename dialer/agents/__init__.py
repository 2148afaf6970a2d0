"""Agents' live state: the pure state machine, its Redis store, the hand-off and dispositions.

- machine.transition: the rules (pure); model: statuses, events, effects
- live_state: Redis (WATCH/MULTI transitions, the Lua claim, the reads); codec: its layout
- service.AgentService: what workers, the console, the CLI and the scheduler call
- floor: the pacing's read model; rebuild: live state from PostgreSQL after Redis was lost
- dispositions.submit_disposition: the end of a call, as the agent records it
"""
