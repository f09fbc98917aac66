-- customer_get.lua — GET /api/v1/customers/{id} for a random generated
-- customer each time (ids BENCH_CUSTOMER_FIRST .. BENCH_CUSTOMER_LAST, set by
-- bench/data/customers.sh), so the reads spread over the whole table rather
-- than one cached row. The path in the endpoint table is only a placeholder.
local first = tonumber(os.getenv("BENCH_CUSTOMER_FIRST") or "")
local last = tonumber(os.getenv("BENCH_CUSTOMER_LAST") or "")
if not first or not last then error("BENCH_CUSTOMER_FIRST/LAST are not set: needs bench/data/customers.sh") end

local nthreads = 0
function setup(thread)
  nthreads = nthreads + 1
  thread:set("thread_no", nthreads)
end

function init()
  math.randomseed(os.time() * 1000 + (thread_no or 1))
end

function request()
  return wrk.format(nil, "/api/v1/customers/" .. math.random(first, last))
end
