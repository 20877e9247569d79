# A stateful Pod's persistent volume outlives its VMs: the row its first VM wrote is there for the VM that replaces it after a kill, and again after `down` and a new `run`; only `down --volumes` deletes it.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

port=18095
rows_db_manifest "$work/db.yml"
build_pod "$work/db.yml"
image="$XDG_STATE_HOME/i2kit/_volumes/db/data.ext4"
run_pod db -p "$port:8080"
[[ -f $image ]] || fail "no volume image at $image"
first=$(wait_rows "$port" 1)

# The VM dies as a crash would; the controller's replacement gets the same disk.
pid=$("$host" ps -o json | jq -r '.[] | select(.name | startswith("db/")) | .pid')
kill -9 "$pid"
second=$(wait_rows "$port" 2)
[[ $(head -n 1 <<<"$second") == "$first" ]] || fail "the replacement lost the first row: $second"
"$host" ps -o json | jq -e '[.[] | select(.name == "db/0")] | length == 0' >/dev/null ||
  fail "db/0 is still listed after its VM was killed"

# down keeps the volume and says so; a new run finds both rows.
"$host" down db >"$work/down.log" 2>&1 || fail "down: $(cat "$work/down.log")"
grep -q "volumes kept in $XDG_STATE_HOME/i2kit/_volumes/db" "$work/down.log" ||
  fail "down did not say it kept the volume: $(cat "$work/down.log")"
[[ -f $image ]] || fail "down removed the volume image"
run_pod db -p "$port:8080"
third=$(wait_rows "$port" 3)
[[ $(head -n 2 <<<"$third") == "$second" ]] || fail "run after down lost rows: $third"

# down --volumes deletes it, and says what it deleted.
"$host" down --volumes db >"$work/down.log" 2>&1 || fail "down --volumes: $(cat "$work/down.log")"
grep -q "volume deleted: $image" "$work/down.log" ||
  fail "down --volumes did not name the image: $(cat "$work/down.log")"
[[ ! -e $image ]] || fail "down --volumes left $image"
echo "3 rows kept across a kill, a replacement and down/run; down --volumes deleted the image"
