"""The Lua scripts of the live state: each runs atomically inside Redis, in one round trip.

CLAIM is the `Reserved` transition of dialer.agents.machine done where no other client can come
between the read and the write (tests check both give the same hash). It takes the head of the
campaign's ready queue (lowest idle-since: the longest idle), and removes the agent from every ready
queue it is in, so an agent working several campaigns is offered one call, never two. An entry that
is not a ready agent of this campaign (left by a crash between two writes; never expected) is
dropped and the next one taken, so no ready agent waits behind it.

With an agent id in ARGV[5], only that agent is taken, if ready in this campaign: a callback the
customer was promised with one agent ("only me") goes to that agent or to nobody.

Inbound callers come first. With ARGV[6] = '1' (an outbound call's hand-off) the claim passes
over every ready agent that a waiting inbound caller will be given next: an agent among the W
longest-idle ready agents of a campaign it works whose inbound queues hold W live callers
(`campaign:<id>:inbound_waiting`, entries whose process has not refreshed them are dropped).
Those are exactly the agents the heads of the waiting lines claim next, in the same idle order,
so an outbound answer takes the first ready agent after them, or none (its abandon message
then plays within the 2 seconds, and the pacing, which counts the waiting callers, dials less).

Answers waiting for an agent are served earliest deadline first. With a deadline in ARGV[7] (an
outbound answer that may wait for an agent until then), the attempt joins the campaign's
`campaign:<id>:answers_waiting` line, scored by that deadline; entries whose deadline has passed
are dropped (their call has stopped asking), and an answer with R earlier deadlines in the line
passes over the first R agents it could take: those are left for the answers that must be
connected sooner, which ask again within 0.1 s. Without the line, every waiting answer asked
Redis every 0.1 s and whichever came first took the agent, so a later answer could take the
agent an earlier one was waiting for, and the earlier one was abandoned. A successful claim
leaves the line; an answer that stops asking leaves it too (LiveState.leave_line).

KEYS[1] the campaign's ready queue; ARGV: key prefix, attempt id, campaign id, now (us), agent id
or '', '1' to leave agents to inbound callers or '', the answer's claim deadline (us) or ''.
Returns the agent's whole hash after the claim, flat (field, value, ...), or nil when no one is
ready.
"""

from __future__ import annotations

CLAIM = """
local ready = KEYS[1]
local prefix, attempt, campaign, now, wanted = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local yield_to_inbound = ARGV[6] == '1'
local deadline = ARGV[7] or ''
local clock = tonumber(redis.call('TIME')[1])

local function works_here(state, campaigns)
    if state ~= 'ready' then return false end
    for c in string.gmatch(campaigns or '', '[^,]+') do
        if c == campaign then return true end
    end
    return false
end

-- Live inbound callers waiting in each campaign's queues, counted once per claim.
local waiting = {}
local function inbound_waiting(c)
    if waiting[c] == nil then
        local key = prefix .. 'campaign:' .. c .. ':inbound_waiting'
        redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. clock)
        waiting[c] = redis.call('ZCARD', key)
    end
    return waiting[c]
end

local function kept_for_inbound(id, campaigns)
    for c in string.gmatch(campaigns, '[^,]+') do
        local w = inbound_waiting(c)
        if w > 0 then
            local rank = redis.call('ZRANK', prefix .. 'campaign:' .. c .. ':ready', id)
            if rank and rank < w then return true end
        end
    end
    return false
end

local function reserve(id, since, campaigns)
    local key = prefix .. 'agent:' .. id
    -- Times never run backwards (see the machine): keep the later of now and since, as text,
    -- because Lua would print a 16-digit number in exponent notation.
    if tonumber(now) > tonumber(since) then since = now end
    redis.call('HINCRBY', key, 'seq', 1)
    redis.call('HSET', key, 'state', 'reserved', 'since', since, 'reason', '',
               'attempt', attempt, 'call_campaign', campaign, 'wrap_up_until', '',
               'after_state', '', 'after_reason', '')
    for c in string.gmatch(campaigns, '[^,]+') do
        redis.call('ZREM', prefix .. 'campaign:' .. c .. ':ready', id)
    end
    local fields = redis.call('HGETALL', key)
    table.insert(fields, 'agent_id')
    table.insert(fields, id)
    return fields
end

local function profile(id)
    return redis.call('HMGET', prefix .. 'agent:' .. id, 'state', 'since', 'campaigns')
end

if wanted ~= '' then
    if not redis.call('ZSCORE', ready, wanted) then
        return nil
    end
    local state, since, campaigns = unpack(profile(wanted))
    if not works_here(state, campaigns) then
        redis.call('ZREM', ready, wanted)
        return nil
    end
    return reserve(wanted, since, campaigns)
end
-- Answers with earlier deadlines in this campaign's line get the agents we pass over.
local line, ahead = nil, 0
if deadline ~= '' then
    line = prefix .. 'campaign:' .. campaign .. ':answers_waiting'
    redis.call('ZREMRANGEBYSCORE', line, '-inf', '(' .. now)
    redis.call('ZADD', line, deadline, attempt)
    ahead = redis.call('ZRANK', line, attempt)
end
local place = 0
while true do
    local id = redis.call('ZRANGE', ready, place, place)[1]
    if not id then
        return nil
    end
    local state, since, campaigns = unpack(profile(id))
    if not works_here(state, campaigns) then
        redis.call('ZREM', ready, id)
    elseif yield_to_inbound and kept_for_inbound(id, campaigns) then
        place = place + 1
    elseif ahead > 0 then
        ahead = ahead - 1
        place = place + 1
    else
        if line then redis.call('ZREM', line, attempt) end
        return reserve(id, since, campaigns)
    end
end
"""

# The pacing's read: for each campaign (KEYS: their `campaign:<id>:agents` sets) the logged-in
# agents with what the pacing needs of each. ARGV[1]: key prefix.
FLOOR = """
local prefix = ARGV[1]
local floors = {}
for i, members in ipairs(KEYS) do
    local rows = {}
    for _, id in ipairs(redis.call('SMEMBERS', members)) do
        local f = redis.call('HMGET', prefix .. 'agent:' .. id,
                             'state', 'since', 'reason', 'attempt', 'call_campaign', 'campaigns')
        table.insert(rows, {id, f[1] or '', f[2] or '', f[3] or '', f[4] or '', f[5] or '',
                            f[6] or ''})
    end
    floors[i] = rows
end
return floors
"""
