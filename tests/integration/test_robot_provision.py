"""Robot agents for demos and benchmarks: provisioned in PostgreSQL, grouped 4 per process."""

from __future__ import annotations

import json
from pathlib import Path

from campaigns import passwords
from campaigns.storage import agent_store, user_store
from campaigns.storage.db import Connection
from dialer.softphone.provision import provision_robots, robot_children, teams
from tests.factories import make_campaign


def test_robots_are_agents_of_the_campaign_with_a_port_and_a_working_token(db: Connection) -> None:
    campaign = make_campaign(db, "Robots")
    made = provision_robots(db, 3, (campaign.id,))
    assert [r.username for r in made] == ["robot-1", "robot-2", "robot-3"]
    assert len({r.port for r in made}) == 3
    for robot in made:
        agent = agent_store.get_agent(db, robot.agent_id)
        assert agent.spec.sip_uri == f"sip:{robot.username}@127.0.0.1:{robot.port}"
        assert agent.spec.campaign_ids == (campaign.id,)
        owner = user_store.user_for_token(db, passwords.token_digest(robot.token))
        assert owner is not None and owner.username == robot.username


def test_provisioning_again_reuses_the_agents_on_new_ports_and_campaigns(db: Connection) -> None:
    first, second = make_campaign(db, "First"), make_campaign(db, "Second")
    [before] = provision_robots(db, 1, (first.id,))
    [after] = provision_robots(db, 1, (second.id,))
    assert after.agent_id == before.agent_id and after.token != before.token
    assert agent_store.get_agent(db, after.agent_id).spec.campaign_ids == (second.id,)
    assert len(agent_store.list_agents(db)) == 1


def test_robots_run_at_most_four_to_a_process_in_even_teams(db: Connection) -> None:
    campaign = make_campaign(db, "Teams")
    made = provision_robots(db, 6, (campaign.id,))
    assert [len(team) for team in teams(made)] == [3, 3]
    assert [len(team) for team in teams(made[:5])] == [3, 2]
    assert [len(team) for team in teams(made[:4])] == [4]


def test_each_robot_process_gets_a_private_team_file_and_its_own_rtp_range(
    db: Connection, tmp_path: Path
) -> None:
    campaign = make_campaign(db, "Files")
    made = provision_robots(db, 5, (campaign.id,))
    children = robot_children(made, tmp_path, "http://127.0.0.1:8050", ["--talk-mean", "5"])
    assert len(children) == 2
    for child in children:
        team_file = Path(child.argv[child.argv.index("--team") + 1])
        assert team_file.stat().st_mode & 0o077 == 0  # tokens: readable by the owner only
        assert {m["user"] for m in json.loads(team_file.read_text())} <= {r.username for r in made}
    firsts = [int(c.argv[c.argv.index("--first-index") + 1]) for c in children]
    rtps = [int(c.argv[c.argv.index("--rtp-port") + 1]) for c in children]
    assert firsts == [0, 3] and abs(rtps[0] - rtps[1]) >= 8
