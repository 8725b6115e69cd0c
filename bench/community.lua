-- wrk script of the mixed workload (bench/community.sh, bench/soak.sh): one kind of request
-- per wrk process, each request from a random learner about a random question.
-- Environment:
--   KIND       guide | question | queue | review | mark | search
--   LEARNERS   a file of "COOKIE TOKEN" lines: a learner's mastery_session cookie and the
--              CSRF token of that session
--   QUESTIONS  the guide's question ids that can be studied, comma-separated
--   TAG        makes review ids unique across processes and runs ([A-Za-z0-9_-], short:
--              a review id is at most 64 characters)
-- done() prints one line, "RESULT key=value ...", that the scripts read: requests, rps,
-- p50/p99 in ms, 2xx and other responses as counted by response(), socket errors, and for
-- reviews the acknowledged ones (200 with "recorded":true).

local guide = "python-django"
local kind = os.getenv("KIND") or "guide"
local tag = os.getenv("TAG") or "x"
local kinds = { guide = true, question = true, queue = true, review = true, mark = true, search = true }
if not kinds[kind] then
  error("KIND must be guide, question, queue, review, mark or search, not " .. kind)
end

-- What a learner types into the search box.
local words = {
  "gil", "decorator", "asyncio", "event%20loop", "select_related", "prefetch_related",
  "middleware", "transaction", "generator", "metaclass", "garbage%20collection", "csrf",
  "celery", "index", "caching", "signals", "descriptor", "dataclass", "context%20manager",
  "migrations", "threading", "n%2B1",
}

local threads = {}
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_number", next_thread)
  table.insert(threads, thread)
end

local learners = {}
local questions = {}
local counter = 0

function init(args)
  ok, other, acked = 0, 0, 0
  codes = {}
  local path = os.getenv("LEARNERS") or error("LEARNERS: a file of COOKIE TOKEN lines")
  local file = io.open(path, "r") or error("cannot read " .. path)
  for line in file:lines() do
    local cookie, token = line:match("^(%S+)%s+(%S+)")
    if cookie then learners[#learners + 1] = { "mastery_session=" .. cookie, token } end
  end
  file:close()
  for q in string.gmatch(os.getenv("QUESTIONS") or "", "[^,]+") do questions[#questions + 1] = q end
  if #learners == 0 or #questions == 0 then error("no learners or no questions") end
  -- A seed of its own per process and thread: the tag and the thread's number.
  local seed = os.time() + (thread_number or 0) * 7919
  for i = 1, #tag do seed = (seed * 31 + tag:byte(i)) % 2147483647 end
  math.randomseed(seed)
end

function request()
  local learner = learners[math.random(#learners)]
  local q = questions[math.random(#questions)]
  local headers = { ["Cookie"] = learner[1] }
  if kind == "guide" or kind == "question" then
    -- Pages as a browser asks for them (the API's answers are read uncompressed here, so
    -- that response() can see "recorded":true).
    headers["Accept-Encoding"] = "gzip, br"
    return wrk.format("GET", "/guides/" .. guide .. (kind == "question" and "/" .. q or ""), headers)
  elseif kind == "queue" then
    return wrk.format("GET", "/api/v1/study/queue", headers)
  elseif kind == "search" then
    return wrk.format("GET", "/api/v1/search?q=" .. words[math.random(#words)], headers)
  end
  headers["Content-Type"] = "application/json"
  headers["X-CSRF-Token"] = learner[2]
  if kind == "mark" then
    local body = math.random(2) == 1 and '{"mastered":true}' or '{"mastered":false}'
    return wrk.format("PUT", "/api/v1/guides/" .. guide .. "/questions/" .. q .. "/mark", headers, body)
  end
  counter = counter + 1
  local body = string.format(
    '{"guide":"%s","question":"%s","rating":3,"review_id":"bench-%s-%d-%d"}',
    guide, q, tag, thread_number or 0, counter)
  return wrk.format("POST", "/api/v1/study/reviews", headers, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
    if kind == "review" and status == 200 and body and body:find('"recorded":true', 1, true) then
      acked = acked + 1
    end
  else
    other = other + 1
    codes[status] = (codes[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local ok_n, other_n, acked_n, all_codes = 0, 0, 0, {}
  for _, thread in ipairs(threads) do
    ok_n = ok_n + (thread:get("ok") or 0)
    other_n = other_n + (thread:get("other") or 0)
    acked_n = acked_n + (thread:get("acked") or 0)
    for code, n in pairs(thread:get("codes") or {}) do all_codes[code] = (all_codes[code] or 0) + n end
  end
  local listed = {}
  for code, n in pairs(all_codes) do listed[#listed + 1] = code .. ":" .. n end
  table.sort(listed)
  local e = summary.errors
  io.write(string.format(
    "RESULT kind=%s requests=%d seconds=%.3f rps=%.1f p50=%.2f p99=%.2f max=%.2f ok=%d other=%d acked=%d "
      .. "connect=%d read=%d write=%d timeout=%d codes=%s\n",
    kind, summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    ok_n, other_n, acked_n, e.connect, e.read, e.write, e.timeout,
    #listed > 0 and table.concat(listed, ",") or "-"))
end
