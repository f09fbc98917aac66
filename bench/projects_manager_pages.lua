-- projects_manager_pages.lua — as the manager of one sales team
-- (BENCH_PROJ_MGR_TOKEN, made by bench/data/projects.sh), a board column
-- page at a different depth each time: the path of the endpoint plus
-- &cursor=N with N spread over every project id (BENCH_PROJ_MAX_ID), as a
-- user paging down a long column does.
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_PROJ_MGR_TOKEN") or "")
local max_id = tonumber(os.getenv("BENCH_PROJ_MAX_ID") or "1000")

local nthreads = 0
function setup(thread)
  nthreads = nthreads + 1
  thread:set("thread_no", nthreads)
end

local counter
function request()
  counter = (counter or (thread_no or 1) * 7919) % max_id + 104729
  return wrk.format(nil, wrk.path .. "&cursor=" .. (counter % max_id + 1))
end
