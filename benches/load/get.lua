-- wrk script: GET with $TOKEN.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
