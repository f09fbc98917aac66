-- projects_sales.lua — asks as a salesperson (own projects, unassigned ones, the ones they are a member of):
-- the Bearer token bench/data/projects.sh created (BENCH_PROJ_SALES_TOKEN)
-- replaces the administrator's that common.lua set.
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_PROJ_SALES_TOKEN") or "")
