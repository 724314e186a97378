#!/usr/bin/env bash
# ctest: run-serial
# Several client hosts on one machine: network namespaces joined by a
# bridge (198.18.1.0/24, in a namespace of its own: the machine's own
# interfaces and routes are not touched), an sshd in each with throwaway
# keys, and netrig run driving the clients over ssh. Checks that the all
# row's counts are the hosts' sums, that its percentiles are those of one
# histogram of every host's values (netrig hist and Java's reader), that
# the start skew is reported and small, that an unreachable host and a host
# killed mid-step leave the other's rows, a hosts column of 1/2, a non-zero
# exit naming the host, that a run starts its server on a host over ssh
# (server_host) and stops it after success, failure and Ctrl-C, that
# Ctrl-C stops every remote process and keeps the finished steps, and that
# no process or namespace is left behind.
set -u
NETRIG=$(readlink -f "${1:?usage: multihost.sh /path/to/netrig}")
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] && command -v ssh >/dev/null || { echo "skip: openssh-server missing (scripts/setup.sh)"; exit 77; }
TMP=$(mktemp -d)
chmod 755 "$TMP"
P=nrmh$$
NS=("$P-br" "$P-h1" "$P-h2" "$P-h3")
PIDS=()
cleanup() {
    local rc=$?
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    # Anything still in our namespaces was started by this test.
    for ns in "${NS[@]}"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "$TMP"
    exit $rc
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$TMP"/*.out "$TMP"/sshd.*.log; do [ -s "$f" ] && { echo "== $f" >&2; tail -20 "$f" >&2; }; done
    exit 1
}

# The hosts: h1 (server and controller), h2, h3 on one bridge.
for ns in "${NS[@]}"; do ip netns add "$ns" || fail "ip netns add $ns"; done
ip -n "$P-br" link add br0 type bridge && ip -n "$P-br" link set br0 up || fail bridge
for i in 1 2 3; do
    h=$P-h$i
    ip -n "$h" link add eth0 type veth peer name v$i netns "$P-br" || fail "veth $i"
    ip -n "$P-br" link set v$i master br0 up
    ip -n "$h" addr add 198.18.1.$i/24 dev eth0
    ip -n "$h" link set eth0 up
    ip -n "$h" link set lo up
done

# Throwaway keys; sshd in each namespace, started by PID.
mkdir -p -m 0755 /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$TMP/hostkey" || fail ssh-keygen
ssh-keygen -q -t ed25519 -N '' -f "$TMP/id" || fail ssh-keygen
cp "$TMP/id.pub" "$TMP/authorized_keys"
for i in 1 2 3; do
    cat >"$TMP/sshd.$i.conf" <<CONF
ListenAddress 198.18.1.$i
HostKey $TMP/hostkey
AuthorizedKeysFile $TMP/authorized_keys
PidFile none
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
CONF
    ip netns exec "$P-h$i" "$SSHD" -f "$TMP/sshd.$i.conf" -D -E "$TMP/sshd.$i.log" &
    PIDS+=($!)
done
cat >"$TMP/ssh_config" <<CONF
Host *
    User root
    IdentityFile $TMP/id
    IdentitiesOnly yes
    UserKnownHostsFile $TMP/known_hosts
    StrictHostKeyChecking accept-new
    LogLevel ERROR
CONF
for i in 1 2 3; do
    for _ in $(seq 50); do
        ip netns exec "$P-h$i" ssh -F "$TMP/ssh_config" -o BatchMode=yes 198.18.1.$i true 2>/dev/null && break
        sleep 0.1
    done || fail "sshd on 198.18.1.$i does not answer: $(cat "$TMP/sshd.$i.log")"
done

ip netns exec "$P-h1" "$NETRIG" server --listen 198.18.1.1:5201 >"$TMP/server.out" 2>&1 &
PIDS+=($!)
sleep 0.3

# scenario NAME HOSTS DURATION: a rr step and a stream step on HOSTS.
scenario() {
    cat >"$TMP/$1.ini" <<INI
[global]
server = 198.18.1.1:5201
client_hosts = $2
netrig_path = $NETRIG
ssh_config = $TMP/ssh_config
duration = $3
warmup = 0.3s
[rr]
mode = rr
conns = 2
[stream]
size = 16k
INI
}
run() { # run NAME: netrig run in h1 into $TMP/NAME; its exit status in RC
    timeout 120 ip netns exec "$P-h1" "$NETRIG" run "$TMP/$1.ini" --out "$TMP/$1" --no-plot \
        >"$TMP/$1.out" 2>&1
    RC=$?
}

# 1. Two hosts: the all row is the exact merge.
scenario two "ssh://198.18.1.2, ssh://root@198.18.1.3:22" 2s
run two
[ $RC = 0 ] || fail "two hosts: exit $RC"
python3 - "$TMP/two" <<'PY' || fail "two hosts: rows"
import csv, json, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/summary.csv")))
for step in ("rr", "stream"):
    r = {x["host"]: x for x in rows if x["step"] == step}
    assert set(r) == {"198.18.1.2", "198.18.1.3", "all"}, r.keys()
    a, h = r["all"], [r["198.18.1.2"], r["198.18.1.3"]]
    assert a["hosts"] == "2/2", a["hosts"]
    for col in ("messages", "goodput_bps", "conns"):
        s = sum(float(x[col]) for x in h)
        assert abs(float(a[col]) - s) <= 1e-6 * s, (step, col, a[col], s)
    assert all(float(x["messages"]) > 0 for x in h), step
m = json.load(open(d + "/meta.json"))["hosts"]
assert len(m["clients"]) == 2 and all(c["clock_offset_ms"] is not None for c in m["clients"]), m
assert all(c["rtt_ms"] is not None and c["rtt_ms"] < 1000 for c in m["clients"]), m
assert m["max_start_skew_ms"] is not None and m["max_start_skew_ms"] < 250, m
print("skew", m["max_start_skew_ms"], "ms")
PY
for f in rr.198.18.1.2.hlog rr.198.18.1.3.hlog rr.hlog stream.hlog; do
    [ -s "$TMP/two/$f" ] || fail "two hosts: $f missing"
done
# Percentiles of one histogram holding every host's values.
"$NETRIG" hist merge "$TMP/two/rr.198.18.1.2.hlog" "$TMP/two/rr.198.18.1.3.hlog" -o "$TMP/m.hlog" ||
    fail "hist merge"
"$NETRIG" hist show "$TMP/m.hlog" | grep -v StartTime >"$TMP/m.txt"
"$NETRIG" hist show "$TMP/two/rr.hlog" | grep -v StartTime >"$TMP/rr.txt"
cmp -s "$TMP/m.txt" "$TMP/rr.txt" || fail "merged rr.hlog differs from the hosts' logs merged"
python3 - "$TMP/two/summary.csv" "$TMP/m.txt" <<'PY' || fail "all row percentiles"
import csv, sys
a = [x for x in csv.DictReader(open(sys.argv[1])) if x["step"] == "rr" and x["host"] == "all"][0]
pct = {}
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) == 4 and f[1].replace(".", "").isdigit():
        pct.setdefault(float(f[1]), float(f[0]))
for p, col in ((0.5, "lat_p50_us"), (0.9, "lat_p90_us")):
    assert abs(pct[p] - float(a[col]) / 1000) <= 0.0005 + 1e-9, (p, pct[p], a[col])
PY
JAR=/usr/share/java/hdrhistogram.jar
if command -v java >/dev/null && [ -r "$JAR" ]; then
    java -cp "$JAR" org.HdrHistogram.HistogramLogProcessor -i "$TMP/m.hlog" 2>/dev/null |
        grep -v StartTime >"$TMP/j.txt"
    cmp -s "$TMP/j.txt" "$TMP/m.txt" || fail "Java reads the merged log differently"
fi

# 2. An unreachable host: the other's rows, hosts 1/2, exit 1 naming it.
scenario unreach "ssh://198.18.1.2, ssh://198.18.1.9" 1s
run unreach
[ $RC = 1 ] || fail "unreachable host: exit $RC, expected 1"
grep -q '198.18.1.9' "$TMP/unreach.out" || fail "unreachable host not named"
python3 - "$TMP/unreach/summary.csv" <<'PY' || fail "unreachable host: rows"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
a = [x for x in rows if x["host"] == "all"]
assert len(a) == 2 and all(x["hosts"] == "1/2" for x in a), a
assert all(float(x["messages"]) > 0 for x in a)
PY

# 3. A host killed mid-step.
scenario killed "ssh://198.18.1.2, ssh://198.18.1.3" 3s
( sleep 2; for p in $(ip netns pids "$P-h3"); do
      [ "$(cat /proc/$p/comm 2>/dev/null)" = netrig ] && kill -9 "$p"; done ) &
KILLER=$!
run killed
wait $KILLER
[ $RC = 1 ] || fail "killed host: exit $RC, expected 1"
grep -q '198.18.1.3' "$TMP/killed.out" || fail "killed host not named"
python3 - "$TMP/killed/summary.csv" <<'PY' || fail "killed host: rows"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
a = [x for x in rows if x["host"] == "all"]
assert a and a[0]["hosts"] == "1/2", a
PY

# scenario_srv NAME DURATION: scenario NAME with its server started on h3
# over ssh (server_host), the clients on h1 and h2.
scenario_srv() {
    scenario "$1" "ssh://198.18.1.1, ssh://198.18.1.2" "$2"
    sed -i "s|^server = .*|server = 198.18.1.3:5202\nserver_host = ssh://198.18.1.3|" "$TMP/$1.ini"
}
# no_netrig_in N WHAT: no netrig process in h$N but the test's own server.
no_netrig_in() {
    for p in $(ip netns pids "$P-h$1"); do
        [[ " ${PIDS[*]} " == *" $p "* ]] && continue
        [ "$(cat /proc/$p/comm 2>/dev/null)" = netrig ] &&
            fail "$2: left running in h$1: $p $(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null)"
    done
    return 0
}

# 4. server_host: the run starts its server on h3 over ssh, waits until it
# listens, and stops it after.
scenario_srv srvhost 1s
run srvhost
[ $RC = 0 ] || fail "server_host: exit $RC"
grep -q 'server on ssh://198.18.1.3 listening on 198.18.1.3:5202' "$TMP/srvhost.out" ||
    fail "server_host: the run did not say its server listens"
python3 - "$TMP/srvhost" <<'PY' || fail "server_host: rows"
import csv, json, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/summary.csv")))
a = [x for x in rows if x["host"] == "all"]
assert len(a) == 2 and all(x["hosts"] == "2/2" and float(x["messages"]) > 0 for x in a), a
assert json.load(open(d + "/meta.json"))["server"] == "198.18.1.3:5202"
PY
sleep 0.5
no_netrig_in 3 "server_host, after success"
# A step that fails (one client host unreachable) stops the server too; so
# does a server that cannot start (an address h3 does not have: named,
# exit 1, nothing run).
scenario_srv srvfail 1s
sed -i "s|^client_hosts = .*|client_hosts = ssh://198.18.1.1, ssh://198.18.1.9|" "$TMP/srvfail.ini"
run srvfail
[ $RC = 1 ] || fail "server_host, failed step: exit $RC, expected 1"
sleep 0.5
no_netrig_in 3 "server_host, after a failed step"
scenario_srv srvtaken 1s
sed -i "s|^server = .*|server = 198.18.1.4:5202|" "$TMP/srvtaken.ini"
run srvtaken
[ $RC = 1 ] || fail "server_host, cannot listen: exit $RC, expected 1"
grep -q 'server host 198.18.1.3 (ssh://198.18.1.3): ssh ended before the server listened.*198.18.1.4' \
    "$TMP/srvtaken.out" || fail "server_host, cannot listen: not named"
no_netrig_in 3 "server_host, when it cannot listen"

# 5. Ctrl-C mid-step: every remote process stops (clients and the server),
# the steps measured so far are kept, the exit status is non-zero.
scenario_srv sigint 4s
ip netns exec "$P-h1" "$NETRIG" run "$TMP/sigint.ini" --out "$TMP/sigint" --no-plot \
    >"$TMP/sigint.out" 2>&1 &
RUN=$!
# After the first step's rows, well into the second step.
for _ in $(seq 300); do
    grep -q '^1,sigint,rr,' "$TMP/sigint/summary.csv" 2>/dev/null && break
    sleep 0.1
done
grep -q '^1,sigint,rr,' "$TMP/sigint/summary.csv" 2>/dev/null || { kill "$RUN"; fail "Ctrl-C: no first step"; }
sleep 2.5
kill -INT "$RUN"
for _ in $(seq 300); do kill -0 "$RUN" 2>/dev/null || break; sleep 0.1; done
kill -0 "$RUN" 2>/dev/null && { kill -9 "$RUN"; fail "Ctrl-C: netrig run still running after 30 s"; }
wait "$RUN"
RC=$?
[ $RC != 0 ] || fail "Ctrl-C: exit 0"
grep -q 'interrupted (SIGINT)' "$TMP/sigint.out" || fail "Ctrl-C: not said"
python3 - "$TMP/sigint" <<'PY' || fail "Ctrl-C: rows"
import csv, json, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/summary.csv")))
rr = {x["host"]: x for x in rows if x["step"] == "rr"}
assert set(rr) == {"198.18.1.1", "198.18.1.2", "all"}, rr.keys()
assert rr["all"]["hosts"] == "2/2" and float(rr["all"]["messages"]) > 0, rr["all"]
assert json.load(open(d + "/meta.json"))["status"] == "interrupted"
PY
sleep 0.5
for i in 1 2 3; do no_netrig_in $i "Ctrl-C"; done

# 6. Nothing of ours left running but sshd and the test's own server.
sleep 1
for i in 1 2 3; do
    for p in $(ip netns pids "$P-h$i"); do
        c=$(cat /proc/$p/comm 2>/dev/null)
        [ "$c" = sshd ] && continue
        [[ " ${PIDS[*]} " == *" $p "* ]] && continue
        fail "left running in h$i: $p $c $(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null)"
    done
done
echo "ok: multihost"
