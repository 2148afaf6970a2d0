"""Inbound calls: callers to a queue's number wait in arrival order for the same agents that
outbound campaigns use (blending), and overflow to voicemail or a callback after a maximum wait."""
