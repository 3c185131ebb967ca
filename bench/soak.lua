-- wrk: POST BODY with TOKEN, pausing DELAY_MS between a connection's requests (an open-loop-ish rate).
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local pause = tonumber(os.getenv("DELAY_MS") or "0")

function delay()
  return pause
end
