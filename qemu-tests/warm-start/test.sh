# Warm start: the first run's cold boot makes a snapshot (0600, kept after down); the next run's replicas are restored from it, each with its own hostname, exec key, a clock within 1 s of the host's and a random generator of its own, its container started afresh; a replica killed comes back warm; a corrupt snapshot falls back to a cold boot in one line; --cold never restores; a changed Pod's build drops the old snapshot.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

port=18097
# At start the container notes its hostname, 16 bytes from the kernel's CRNG and its clock; a
# CGI answers the clock at request time.
web_deployment warm 2 >"$work/warm.yml" <<'YAML'
          command: [/bin/sh, -c]
          args:
            - |
              trap "exit 0" TERM
              echo "started host=$(hostname) env=$HOSTNAME random=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n') at=$(date +%s)"
              mkdir -p /tmp/www/cgi-bin
              cp /www/index.html /tmp/www/
              printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%%s\\n" "$(date +%%s)"\n' >/tmp/www/cgi-bin/now
              chmod 755 /tmp/www/cgi-bin/now
              /bin/busybox httpd -f -p 8080 -h /tmp/www & wait
YAML
build_pod "$work/warm.yml"
log="$XDG_STATE_HOME/i2kit/_controllers/warm.log"
snapshots="$XDG_STATE_HOME/i2kit/_snapshots"

# First run: no snapshot, cold boots; one of them makes it.
run_pod warm -p "$port:8080"
grep -q "warm/[01] booting .*: cold boot (no snapshot of this build yet: this boot makes one)" "$log" ||
  fail "no cold boot made a snapshot: $(cat "$log")"
deadline=$((SECONDS + 60))
until snapshot=$(ls "$snapshots"/warm-*.vmstate 2>/dev/null) && [[ -n $snapshot ]]; do
  ((SECONDS < deadline)) || fail "no snapshot in $snapshots: $(ls -la "$snapshots"; cat "$XDG_STATE_HOME"/i2kit/warm/*/snapshot.log 2>/dev/null)"
  sleep 1
done
[[ $(stat -c %a "$snapshot") == 600 ]] || fail "$snapshot has mode $(stat -c %a "$snapshot"), not 600"
"$host" down warm >/dev/null || fail "down"
[[ -f $snapshot ]] || fail "down removed the snapshot"
sleep 5 # a restored guest that kept the snapshot's clock would now be 5 s or more behind

# Second run: both replicas restored.
run_pod warm -p "$port:8080"
[[ $(grep -c "booting .*: warm start from a snapshot (running" "$log") == 2 ]] ||
  fail "not 2 warm starts: $(cat "$log")"
agent_port() { "$host" ps -o json | jq -r --arg n "$1" '.[] | select(.name == $n) | .agentPort'; }
started_line() {
  curl -sf -m 5 "http://127.0.0.1:$(agent_port "$1")/logs?container=web" | grep "started host=" || true
}
declare -A random
for name in warm/0 warm/1; do
  deadline=$((SECONDS + 30))
  until line=$(started_line "$name") && [[ -n $line ]]; do
    ((SECONDS < deadline)) || fail "$name's container logged no start"
    sleep 1
  done
  # One start per replica, its own: no container ran in the snapshot.
  [[ $(wc -l <<<"$line") == 1 ]] || fail "$name's container started more than once: $line"
  hostname="warm-${name#warm/}"
  [[ $line == *"host=$hostname env=$hostname "* ]] || fail "$name's container is not $hostname: $line"
  random[$name]=$(sed -E 's/.*random=([0-9a-f]+).*/\1/' <<<"$line")
  [[ ${#random[$name]} == 32 ]] || fail "$name: no random bytes in: $line"
  # Its exec key is its own replica's: the exec server fetched it after the restore.
  [[ $("$host" exec "$name" -- hostname) == "$hostname" ]] || fail "exec on $name"
done
[[ ${random[warm/0]} != "${random[warm/1]}" ]] ||
  fail "both restored replicas read the same random bytes: ${random[warm/0]}"
# The same right after the restore, before the kernel could reseed on its own: the agent's first
# read after the host's entropy (identical in both without it, as the snapshot's CRNG is).
for name in warm/0 warm/1; do
  random[$name]=$("$host" logs "$name" | sed -n 's/.*random generator reseeded (first read \([0-9a-f]*\).*/\1/p' | tail -1)
  [[ ${#random[$name]} == 16 ]] || fail "$name's agent did not say its first read after the reseed"
done
[[ ${random[warm/0]} != "${random[warm/1]}" ]] ||
  fail "both restored agents read the same first bytes after the restore: ${random[warm/0]}"
# The guests' clocks are the host's, within 1 s, right after the restore: read in whole
# seconds, the guest's first (the request takes under a second), so within [host - 2, host + 1].
for _ in 1 2 3 4; do
  guest=$(curl -sf -m 5 "http://127.0.0.1:$port/cgi-bin/now") || fail "no answer from /cgi-bin/now"
  host_now=$(date +%s)
  ((guest >= host_now - 2 && guest <= host_now + 1)) || fail "guest clock $guest, host's $host_now"
done

# A killed replica comes back warm.
pid=$("$host" ps -o json | jq -r '.[] | select(.name == "warm/1") | .pid')
kill -9 "$pid"
deadline=$((SECONDS + 90))
until [[ $(grep -c "booting .*: warm start from a snapshot (running" "$log") == 3 ]] &&
  [[ $("$host" ps -o json | jq '[.[] | select(.state == "ready")] | length') == 2 ]]; do
  ((SECONDS < deadline)) || fail "the killed replica was not replaced warm: $(tail -5 "$log")"
  sleep 1
done

# A corrupt snapshot: QEMU refuses it, the replacement boots cold and says so in one line.
head -c 1000000 /dev/urandom >"$snapshot"
pid=$("$host" ps -o json | jq -r '.[] | select(.name == "warm/0") | .pid')
kill -9 "$pid"
deadline=$((SECONDS + 120))
until grep -q "booting .*: restoring the snapshot failed (.*), cold boot" "$log" &&
  [[ $("$host" ps -o json | jq '[.[] | select(.state == "ready")] | length') == 2 ]]; do
  ((SECONDS < deadline)) || fail "no cold boot after a corrupt snapshot: $(tail -5 "$log")"
  sleep 1
done
"$host" down warm >/dev/null || fail "down"

# --cold boots, whatever snapshot there is.
run_pod warm -p "$port:8080" --cold
[[ $(grep -c "booting .*: cold boot (--cold)" "$log") == 2 ]] || fail "--cold restored: $(tail -5 "$log")"
"$host" down warm >/dev/null || fail "down"

# A changed Pod is another build: its first launch drops the old snapshot and makes its own.
snapshot=$(ls "$snapshots"/warm-*.vmstate)
sed -i 's/trap "exit 0" TERM/trap "exit 0" TERM; export CHANGED=1/' "$work/warm.yml"
build_pod "$work/warm.yml"
run_pod warm -p "$port:8080"
[[ ! -e $snapshot ]] || fail "the snapshot of the old build is still there"
grep -q "booting .*: cold boot (no snapshot of this build yet: this boot makes one)" "$log" ||
  fail "the changed build did not boot cold: $(tail -5 "$log")"
echo "cold boot made $(basename "$snapshot") (mode 600, kept after down); 2 replicas restored with their own hostnames, exec keys, random bytes and the host's clock; a killed replica came back warm; a corrupt snapshot fell back to a cold boot; --cold booted; a changed build dropped the old snapshot"
