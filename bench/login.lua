-- login.lua — POST /api/v1/session as a different generated user each time
-- (bench1 .. bench$BENCH_USERS, password $BENCH_PASSWORD), so the benchmark
-- does not hammer one row nor trip the per-login throttle.
local users = tonumber(os.getenv("BENCH_USERS") or "1")
local password = os.getenv("BENCH_PASSWORD") or "demo123"
wrk.headers["Content-Type"] = "application/json"

local nthreads = 0
function setup(thread)
  nthreads = nthreads + 1
  thread:set("thread_no", nthreads)
end

local counter
function request()
  -- each wrk thread starts in its own region of the users
  counter = (counter or (thread_no or 1) * 7919) % users + 1
  local body = string.format('{"login":"bench%d","password":"%s"}', counter, password)
  return wrk.format(nil, nil, nil, body)
end
