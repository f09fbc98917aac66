-- gzip.lua — ask for a gzip-compressed reply, as browsers do.
wrk.headers["Accept-Encoding"] = "gzip"
