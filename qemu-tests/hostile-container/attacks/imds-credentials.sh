# runs-in: root nonroot
# The instance-metadata service is refused to containers (issue 15, item 1): EC2's addresses
# and the local one `run` gives the agent, so no container gets an IMDSv2 token, let alone the
# instance role's credentials, nor the boot identity `run` serves there (PUT /i2kit/v1/boot:
# a replica's number and entropy, and the warm-start snapshot's trigger). The agent itself
# still reads its identity there (test.sh checks).
got=""
for target in 169.254.169.254/80 10.0.2.4/80 fd00:ec2::254/80; do
  got="$got $(/tools/attack-tool connect "${target%/*}" "${target#*/}" 3)"
done
got=${got# }
if [ "$got" = "EPERM EPERM EPERM" ]; then
  pass "connect 169.254.169.254:80, 10.0.2.4:80, [fd00:ec2::254]:80 → $got"
else
  fail "connect 169.254.169.254:80, 10.0.2.4:80, [fd00:ec2::254]:80 → $got"
fi
