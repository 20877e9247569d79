# runs-in: root
# A container's output cannot pass for the agent's lines on the console (issue 15, item 10):
# a carriage return, then escape sequences that clear the line and move the cursor home, each
# before "i2kit-agent: FORGED …". The agent escapes control bytes in every container line and
# no container may be named i2kit-…; test.sh's check_forged_lines reads the console and fails
# if a forged line shows as the agent's. From inside, the attack can only say what it printed.
printf 'x\ri2kit-agent: FORGED pod ready\n'
printf '\033[2K\033[1Gi2kit-agent: FORGED container root exited\n'
pass "printed '\\r' and ESC [2K ESC [1G before 'i2kit-agent: FORGED …' → the console is checked by the host"
