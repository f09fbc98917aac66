-- finance.lua — asks as the finance user (every contract): the Bearer token
-- bench/data/contracts.sh created (BENCH_FIN_TOKEN) replaces the
-- administrator's that common.lua set.
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_FIN_TOKEN") or "")
