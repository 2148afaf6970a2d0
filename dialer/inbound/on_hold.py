"""What a queued caller hears, one player at a time: the queue's announcement then music,
looped; every so often their place in line and estimated wait (dialer.inbound.place_news),
then the music again without the announcement.

Owned by the call's thread (QueuedCall); the players run in the SIP loop. A looped player
reports its end once, at the end of its first pass (PJSUA2_NOTES.md), so only the end of the
place sentence is acted on: the music starts again when the caller is next looked at.
"""

from __future__ import annotations

from pathlib import Path

from campaigns.storage.inbound_store import QueueRoute
from dialer.inbound import media
from dialer.inbound.place_news import PlaceNews, sentence
from dialer.telephony.events import LegId
from dialer.telephony.user_agent import UserAgent


class CallerOnHold:
    def __init__(self, telephony: UserAgent, leg: LegId, data_dir: Path) -> None:
        self.telephony = telephony
        self.leg = leg
        self.data_dir = data_dir
        self.playing: str | None = None
        self.telling: str | None = None  # the player of the place sentence, while it plays
        self.told = 0  # place sentences said so far
        self.announced = False  # the queue's announcement was played once

    def keep_playing(self, route: QueueRoute) -> None:
        """The hold audio, unless something plays already: the announcement then the music
        the first time, the music alone after a place sentence."""
        if self.playing is not None:
            return
        announcement = None
        if not self.announced:
            announcement = route.announcement or media.default_announcement(route.campaign_name)
        wav = media.hold_audio(self.data_dir, announcement, route.music_on_hold)
        self.playing = self.telephony.play_looped(self.leg, wav)
        self.announced = True

    def tell(self, news: PlaceNews) -> str:
        """Stop the music and say the caller's place; returns what was said."""
        self.told += 1  # counted even if it fails: never retried ten times a second
        said = sentence(news)
        wav = media.prompt(self.data_dir, said)
        self.stop()
        self.playing = self.telling = self.telephony.play(self.leg, wav)
        return said

    def finished(self, playback: str) -> None:
        if playback == self.telling:
            self.playing = self.telling = None

    def stop(self) -> None:
        playing, self.playing, self.telling = self.playing, None, None
        if playing is not None:
            self.telephony.stop_playback(playing)
