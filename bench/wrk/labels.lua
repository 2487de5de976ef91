-- Every request a different, validly signed label: the bodies and their signatures are
-- prepared by bench/intake.py (HMAC-SHA256 is not available in wrk's LuaJIT) and each wrk
-- thread takes its own share, so no label is sent twice.
local path = os.getenv("LABELS_FILE")
local requests = {}
local counter = 0
local step, offset = 1, 0
local threads_made = 0  -- in wrk's main state only

function setup(thread)
  thread:set("thread_id", threads_made)  -- a global of that thread's own state
  threads_made = threads_made + 1
end

function init(args)
  step = tonumber(os.getenv("WRK_THREADS") or "1")
  offset = thread_id or 0
  for line in io.lines(path) do
    local signature, body = line:match("^(%S+) (.*)$")
    requests[#requests + 1] = wrk.format("POST", "/webhooks/labels",
      {["Content-Type"] = "application/json", ["X-Label-Signature"] = signature}, body)
  end
end

function request()
  local index = offset + counter * step + 1
  counter = counter + 1
  if index > #requests then
    index = ((index - 1) % #requests) + 1  -- ran out: repeats (answered 200), counted apart
  end
  return requests[index]
end
