"""The agent's phone (`dialer softphone`) and its robot mode (`--robot`, `dialer robots`).

Pure parts: the screen pop (screen_pop), the interactive phone (phone), the robot (robot),
its dice (dice). Around them: the terminal, the agent API client (desk), speech audio, and
the runners that drive a pjsua2 UserAgent (app, robot_team).
"""
