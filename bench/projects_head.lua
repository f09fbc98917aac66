-- projects_head.lua — asks as the head of the sales department (every team: all 500 salespeople):
-- the Bearer token bench/data/projects.sh created (BENCH_PROJ_HEAD_TOKEN)
-- replaces the administrator's that common.lua set.
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_PROJ_HEAD_TOKEN") or "")
