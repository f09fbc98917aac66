-- common.lua — the wrk script of every endpoint (wrk -s bench/common.lua).
-- bench/run.sh describes the request in the environment: BENCH_METHOD,
-- BENCH_BODY, BENCH_AUTH (none|cookie|token) with BENCH_COOKIE, BENCH_CSRF,
-- BENCH_TOKEN, and BENCH_SCRIPT, the endpoint's own script from
-- endpoints.conf, loaded last so it can set headers or define request().
-- done() prints one parseable line:
--   BENCH_RESULT requests=N duration_us=N p50_us=N p99_us=N ... status=N
-- With BENCH_CHECK=1 (the short warm-up run before each measurement) every
-- response's status is also counted, so any non-2xx answer — 3xx included,
-- which wrk itself does not count — is caught with its first body:
--   BENCH_CHECK responses=N non2xx=N first_status=N first_body=...
local env = os.getenv

wrk.method = env("BENCH_METHOD") or "GET"
local body = env("BENCH_BODY") or ""
if body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local auth = env("BENCH_AUTH") or "none"
if auth == "cookie" then
  wrk.headers["Cookie"] = "tf_session=" .. env("BENCH_COOKIE")
  if wrk.method ~= "GET" and wrk.method ~= "HEAD" then
    wrk.headers["X-CSRF-Token"] = env("BENCH_CSRF")
  end
elseif auth == "token" then
  wrk.headers["Authorization"] = "Bearer " .. env("BENCH_TOKEN")
end

local script = env("BENCH_SCRIPT") or ""
if script ~= "" then dofile(script) end

-- warm-up check: count every status (costs client CPU, so not in the measured run)
if env("BENCH_CHECK") == "1" then
  local threads = {}
  local own_setup, own_response = setup, response
  setup = function(thread)
    table.insert(threads, thread)
    if own_setup then own_setup(thread) end
  end
  responses, non2xx, first_status, first_body = 0, 0, 0, ""
  response = function(status, headers, rbody)
    responses = responses + 1
    if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if first_status == 0 then
        first_status = status
        first_body = string.sub(rbody or "", 1, 300)
      end
    end
    if own_response then own_response(status, headers, rbody) end
  end
  local own_done = done
  done = function(summary, latency, requests)
    local n, bad, fs, fb = 0, 0, 0, ""
    for _, t in ipairs(threads) do
      n = n + (t:get("responses") or 0)
      bad = bad + (t:get("non2xx") or 0)
      if fs == 0 and (t:get("first_status") or 0) ~= 0 then
        fs, fb = t:get("first_status"), t:get("first_body")
      end
    end
    fb = string.gsub(fb, "[\r\n]", " ")
    io.write(string.format("BENCH_CHECK responses=%d non2xx=%d first_status=%d first_body=%s\n",
                           n, bad, fs, fb))
    if own_done then own_done(summary, latency, requests) end
  end
else
  local own_done = done
  done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
      "BENCH_RESULT requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d" ..
      " max_us=%d mean_us=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, math.floor(latency.mean), e.connect, e.read, e.write, e.timeout, e.status))
    if own_done then own_done(summary, latency, requests) end
  end
end
