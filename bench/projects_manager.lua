-- projects_manager.lua — asks as the manager of one sales team (50 salespeople):
-- the Bearer token bench/data/projects.sh created (BENCH_PROJ_MGR_TOKEN)
-- replaces the administrator's that common.lua set.
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_PROJ_MGR_TOKEN") or "")
