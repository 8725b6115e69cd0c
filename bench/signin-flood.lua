-- wrk script: one address hammering the sign-in form with wrong passwords (credential
-- stuffing), through nginx, which appends its own peer address to X-Forwarded-For. The
-- session cookie and CSRF token come from bench/signin-flood.sh; the names cycle through
-- a list so that the limit per name is not what stops it. Counts the answers by status.
local cookie = os.getenv("COOKIE")
local token = os.getenv("TOKEN")
local attacker = os.getenv("ATTACKER") or "203.0.113.66"
local counter = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function request()
  counter = counter + 1
  local body = string.format("csrf=%s&login=victim%d&password=guess%d&next=%%2F", token, counter % 1000, counter)
  return wrk.format("POST", "/sign-in", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
    ["X-Forwarded-For"] = attacker,
  }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do total[code] = (total[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(total) do parts[#parts + 1] = string.format("%d: %d", code, n) end
  table.sort(parts)
  io.write("attacker answers by status: " .. table.concat(parts, ", ") .. "\n")
end
