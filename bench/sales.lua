-- sales.lua — sends the request as a salesperson (Bearer $BENCH_SALES_TOKEN,
-- made by bench/data/customers.sh), so the customer policy's visibility
-- filter (own, pool, shared) is part of what is measured. Use auth `none`.
local token = os.getenv("BENCH_SALES_TOKEN")
if not token or token == "" then error("BENCH_SALES_TOKEN is not set: needs bench/data/customers.sh") end
wrk.headers["Authorization"] = "Bearer " .. token
