-- wrk script: thread i sends its connections to the i-th port of WRK_PORTS ("8001,8002"), so one
-- load generator spreads over several hosts like a load balancer; done() prints each host's count.
local ports = {}
for port in string.gmatch(os.getenv("WRK_PORTS") or "", "%d+") do
  ports[#ports + 1] = port
end
local threads = {}
local counter = 0

function setup(thread)
  local port = ports[counter % #ports + 1]
  thread.addr = wrk.lookup("127.0.0.1", port)[1]
  thread:set("port", port)
  threads[#threads + 1] = thread
  counter = counter + 1
end

responses = 0
function response(status, headers, body)
  responses = responses + 1
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("host %s: %d responses\n", thread:get("port"), thread:get("responses")))
  end
end
