-- wrk: POST the pre-signed bodies of $BODIES ("<signature>\t<body>" a line) to $HOOK_PATH.
local bodies, sigs, i = {}, {}, 0
local path = os.getenv("HOOK_PATH")
for line in io.lines(os.getenv("BODIES")) do
  local tab = line:find("\t")
  sigs[#sigs + 1] = line:sub(1, tab - 1)
  bodies[#bodies + 1] = line:sub(tab + 1)
end
request = function()
  i = i + 1
  if i > #bodies then i = 1 end
  return wrk.format("POST", path, {["Content-Type"] = "application/json",
                                   ["X-Hub-Signature-256"] = sigs[i]}, bodies[i])
end
