-- wrk script: POST reviews with unique ids, spreading connections over the guide's questions.
-- The session cookie, CSRF token and question ids come from environment variables set by
-- bench/reviews.sh.
local questions = {}
for q in string.gmatch(os.getenv("QUESTIONS") or "", "[^,]+") do questions[#questions + 1] = q end
local cookie = os.getenv("COOKIE")
local token = os.getenv("TOKEN")
local counter = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function request()
  counter = counter + 1
  local q = questions[((counter * 7 + (tid or 0) * 13) % #questions) + 1]
  local body = string.format(
    '{"guide":"python-django","question":"%s","rating":3,"review_id":"bench-%d-%d"}', q, tid or 0, counter)
  return wrk.format("POST", "/api/v1/study/reviews", {
    ["Content-Type"] = "application/json",
    ["Cookie"] = cookie,
    ["X-CSRF-Token"] = token,
  }, body)
end
