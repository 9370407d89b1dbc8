-- wrk script: POST /analyze with a JSON body (the same request archivum_bench_http sends).
--   wrk -t2 -c8 -d10s -s bench/http/analyze.lua http://127.0.0.1:8080/analyze
-- QUERY in the environment overrides the query.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local query = os.getenv("QUERY") or "report"
wrk.body = '{"query":"' .. query:gsub('\\', '\\\\'):gsub('"', '\\"') .. '"}'
