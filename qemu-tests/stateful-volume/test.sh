# A stateful Pod's persistent volume outlives its VMs: the row its first VM wrote is there for the VM that replaces it after a kill, and again after `down` and a new `run`; only `down --volumes` deletes it.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

port=18095
# Each start appends a row to the volume and commits it (sync, as a database fsyncs a commit:
# a write still in the guest's page cache dies with its VM), then serves the volume (busybox
# httpd, as nobody: the short format gives a volume's root to its container's user).
cat >"$work/db.yml" <<YAML
name: db
containers:
  db:
    image: oci:$images/busybox-httpd:latest
    command: [/bin/sh, -c, 'trap "exit 0" TERM; echo "row \$(cat /proc/sys/kernel/random/uuid)" >>/data/rows && sync; /bin/busybox httpd -f -p 8080 -h /data & wait']
    ports: [8080]
    volumes: ['data:16Mi:/data']
YAML
build_pod "$work/db.yml"
image="$XDG_STATE_HOME/i2kit/_volumes/db/data.ext4"
rows() { curl -sf -m 5 "http://127.0.0.1:$port/rows"; }
# wait_rows N: waits until the volume holds N rows and prints them.
wait_rows() {
  local deadline=$((SECONDS + 180)) got
  until got=$(rows) && [[ $(wc -l <<<"$got") == "$1" ]]; do
    ((SECONDS < deadline)) || fail "no $1 rows within 180 s (got: ${got:-nothing}): $("$host" ps)"
    sleep 1
  done
  printf '%s\n' "$got"
}

run_pod db -p "$port:8080"
[[ -f $image ]] || fail "no volume image at $image"
first=$(wait_rows 1)

# The VM dies as a crash would; the controller's replacement gets the same disk.
pid=$("$host" ps -o json | jq -r '.[] | select(.name | startswith("db/")) | .pid')
kill -9 "$pid"
second=$(wait_rows 2)
[[ $(head -n 1 <<<"$second") == "$first" ]] || fail "the replacement lost the first row: $second"
"$host" ps -o json | jq -e '[.[] | select(.name == "db/0")] | length == 0' >/dev/null ||
  fail "db/0 is still listed after its VM was killed"

# down keeps the volume and says so; a new run finds both rows.
"$host" down db >"$work/down.log" 2>&1 || fail "down: $(cat "$work/down.log")"
grep -q "volumes kept in $XDG_STATE_HOME/i2kit/_volumes/db" "$work/down.log" ||
  fail "down did not say it kept the volume: $(cat "$work/down.log")"
[[ -f $image ]] || fail "down removed the volume image"
run_pod db -p "$port:8080"
third=$(wait_rows 3)
[[ $(head -n 2 <<<"$third") == "$second" ]] || fail "run after down lost rows: $third"

# down --volumes deletes it, and says what it deleted.
"$host" down --volumes db >"$work/down.log" 2>&1 || fail "down --volumes: $(cat "$work/down.log")"
grep -q "volume deleted: $image" "$work/down.log" ||
  fail "down --volumes did not name the image: $(cat "$work/down.log")"
[[ ! -e $image ]] || fail "down --volumes left $image"
echo "3 rows kept across a kill, a replacement and down/run; down --volumes deleted the image"
