-- wrk: POST the body in the environment variable BODY with the token in TOKEN.
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
if os.getenv("TOKEN") then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
end
