-- wrk script for bench/run: one script, the scenario is its argument.
--
--   wrk ... -s bench/wrk/bench.lua http://127.0.0.1:PORT/ -- MODE
--
-- MODE:
--   messages      GET /messages?user=<random light user>&limit=20
--   count         GET /count-messages?user=<random light user>
--   notification  POST /notification {"type":"data","user":U,"subject":"bench"}
--   seen          POST /seen?user=U {"uuids":[real unseen ids of U]}
--   mix           90% "messages", 10% "notification", users at random
--   floor-insert  POST /floor/insert with the same body as "notification"
--   v1list        GET /v1/users/<random light user>/notifications?limit=20
--   v1count       GET /v1/users/<random light user>/notifications/count
--   same-X        the same-work floor of X (messages, count, v1list,
--                 v1count): /floor/same/...?user=<the same kind of user>
--   folio-count   GET /notify/user/_self?query=seen=false&limit=0, tenant
--                 folio, X-Okapi-User-Id a random FOLIO user
--   folio-text    GET /notify?query=text=overdue, tenant folio
--   coder-inbox   GET /api/v2/notifications/inbox, BENCH_CODER_TOKEN
--   coder-unread  ... /inbox?read_status=unread, the same token
--   pj-list       GET /api/notifications, a random light user's token
--   pj-latest     GET /api/latest-notifications, the same
--   et-list       GET /api/user/<random light user>/notifications, BENCH_TOKEN
--   same-<one of these>  its same-work floor, /floor/same/<mode>
--
-- Environment: BENCH_USERS (light users are user1..userN),
-- BENCH_SEEN_FILE (lines "user id id id ...", for "seen"), BENCH_TOKEN (a
-- service token, sent as Authorization: Bearer by the v1 modes).
-- The dialect modes: BENCH_FOLIO_USERS (FOLIO users 1..N, ids
-- 00000000-0000-4000-8000-<N, 12 hex digits>), BENCH_PJ_USERS (light users
-- 1..N have tokens hrld_<N, 64 hex digits>), BENCH_CODER_TOKEN.

local mode = "messages"
local nusers = tonumber(os.getenv("BENCH_USERS") or "10000")
local seen = {}
local json_hdr = { ["Content-Type"] = "application/json" }
local auth_hdr = { ["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "") }

function init(args)
	mode = args[1] or mode
	-- Each thread has its own Lua state: seed each differently.
	local addr = tostring({}):match("0x(%x+)") or "0"
	math.randomseed(os.time() + (tonumber(addr, 16) or 0) % 1000003)
	if mode == "seen" or mode == "same-seen" then
		local f = assert(io.open(os.getenv("BENCH_SEEN_FILE")),
		    "BENCH_SEEN_FILE")
		for line in f:lines() do
			local user, rest = line:match("^(%S+)%s+(.*)$")
			if user then
				local ids = {}
				for id in rest:gmatch("%S+") do
					ids[#ids + 1] = '"' .. id .. '"'
				end
				seen[#seen + 1] = { user,
				    '{"uuids":[' .. table.concat(ids, ",") .. ']}' }
			end
		end
		f:close()
		assert(#seen > 0, "no ids in BENCH_SEEN_FILE")
	end
end

local function user()
	return "user" .. math.random(1, nusers)
end

local function messages()
	return wrk.format("GET", "/messages?user=" .. user() .. "&limit=20")
end

local function notification(path)
	return wrk.format("POST", path, json_hdr,
	    '{"type":"data","user":"' .. user() .. '","subject":"bench"}')
end

-- The dialect modes (issues I, J, K): mode => function returning the
-- path and headers; "same-<mode>" sends the same headers to the floor.
local nfolio = tonumber(os.getenv("BENCH_FOLIO_USERS") or "100")
local npj = tonumber(os.getenv("BENCH_PJ_USERS") or "100")
local coder_hdr = { ["Coder-Session-Token"] = os.getenv("BENCH_CODER_TOKEN") or "" }
local function folio_hdr()
	return { ["X-Okapi-Tenant"] = "folio", ["X-Okapi-User-Id"] =
	    string.format("00000000-0000-4000-8000-%012x", math.random(1, nfolio)) }
end
local function pj_hdr()
	return { ["Authorization"] = string.format("Bearer hrld_%064x",
	    math.random(1, npj)) }
end
local dialect = {
	["folio-count"] = function(floor) return floor and
	    "/floor/same/folio-count" or
	    "/notify/user/_self?query=seen=false&limit=0", folio_hdr() end,
	["folio-text"] = function(floor) return floor and
	    "/floor/same/folio-text?word=overdue" or
	    "/notify?query=text=overdue", folio_hdr() end,
	["coder-inbox"] = function(floor) return floor and
	    "/floor/same/coder-inbox" or "/api/v2/notifications/inbox",
	    coder_hdr end,
	["coder-unread"] = function(floor) return floor and
	    "/floor/same/coder-unread" or
	    "/api/v2/notifications/inbox?read_status=unread", coder_hdr end,
	["pj-list"] = function(floor) return floor and "/floor/same/pj-list"
	    or "/api/notifications", pj_hdr() end,
	["pj-latest"] = function(floor) return floor and
	    "/floor/same/pj-latest" or "/api/latest-notifications",
	    pj_hdr() end,
	["et-list"] = function(floor)
		local u = user()
		return floor and "/floor/same/et-list?user=" .. u or
		    "/api/user/" .. u .. "/notifications", auth_hdr
	end,
}

function request()
	local d = dialect[mode] or dialect[mode:match("^same%-(.*)$") or ""]
	if d then
		local path, hdr = d(mode:sub(1, 5) == "same-")
		return wrk.format("GET", path, hdr)
	end
	if mode == "messages" then
		return messages()
	elseif mode == "count" then
		return wrk.format("GET", "/count-messages?user=" .. user())
	elseif mode == "notification" then
		return notification("/notification")
	elseif mode == "floor-insert" then
		return notification("/floor/insert")
	elseif mode == "same-notification" then
		return notification("/floor/same/notification")
	elseif mode == "seen" or mode == "same-seen" then
		local s = seen[math.random(1, #seen)]
		return wrk.format("POST", (mode == "seen" and "/seen?user=" or
		    "/floor/same/seen?user=") .. s[1], json_hdr, s[2])
	elseif mode == "v1list" then
		return wrk.format("GET", "/v1/users/" .. user() ..
		    "/notifications?limit=20", auth_hdr)
	elseif mode == "v1count" then
		return wrk.format("GET", "/v1/users/" .. user() ..
		    "/notifications/count", auth_hdr)
	elseif mode == "same-messages" then
		return wrk.format("GET", "/floor/same/messages?user=" .. user() ..
		    "&limit=20")
	elseif mode == "same-messages-union" then
		return wrk.format("GET", "/floor/same/messages-union?user=" ..
		    user() .. "&limit=20")
	elseif mode == "same-count" then
		return wrk.format("GET", "/floor/same/count?user=" .. user())
	elseif mode == "same-v1list" then
		return wrk.format("GET", "/floor/same/v1list?user=" .. user() ..
		    "&limit=20", auth_hdr)
	elseif mode == "same-v1count" then
		return wrk.format("GET", "/floor/same/v1count?user=" .. user(),
		    auth_hdr)
	elseif mode == "mix" then
		if math.random(1, 10) == 1 then
			return notification("/notification")
		end
		return messages()
	end
	error("unknown mode " .. tostring(mode))
end
