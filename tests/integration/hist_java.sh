#!/usr/bin/env bash
# Interoperability with the Java HdrHistogram library (Debian's
# libhdrhistogram-java), both ways: logs netrig writes decode in Java's
# HistogramLogProcessor to the distribution `netrig hist show` prints, and
# logs the Java library writes decode in netrig to what Java prints.
set -u
NETRIG=${1:?usage: hist_java.sh /path/to/netrig}
JAR=/usr/share/java/hdrhistogram.jar
if ! command -v java >/dev/null 2>&1; then
    echo "SKIP: java is not installed"
    exit 77
fi
if [ ! -r "$JAR" ]; then
    echo "FAIL: $JAR missing (install libhdrhistogram-java)"
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fails=0
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}

# java_show LOG ARGS...: Java's processor; stdout without the StartTime line.
java_show() {
    local log=$1
    shift
    java -cp "$JAR" org.HdrHistogram.HistogramLogProcessor -i "$log" "$@" >j.raw 2>j.err
    local rc=$?
    grep -v '^#\[StartTime: ' j.raw >j.out
    [ $rc -eq 0 ] || fail "java processor exit $rc on $log $*"
    [ ! -s j.err ] || fail "java processor wrote to stderr on $log $*: $(head -c 300 j.err)"
    [ -s j.out ] || fail "java processor printed nothing for $log $*"
}

# same LOG "JAVA ARGS" "NETRIG ARGS": both tools print the same text.
same() {
    local log=$1
    java_show "$log" $2
    "$NETRIG" hist show "$log" $3 >n.raw 2>n.err || fail "netrig hist show $log $3: $(cat n.err)"
    grep -v '^#\[StartTime: ' n.raw >n.out
    if [ -s n.out ] && cmp -s j.out n.out; then
        echo "ok: $log [$3] ($(grep -c . n.out) lines identical)"
    else
        fail "$log: java [$2] and netrig [$3] differ"
        diff j.out n.out | head -10
    fi
}

# --- netrig writes, Java reads -----------------------------------------
# Latency-like values from 80 ns to ~2 s (a deterministic LCG, heavy tail).
awk 'BEGIN { x = 12345; for (i = 0; i < 50000; i++) {
        x = (x * 1103515245 + 12345) % 2147483648; u = x / 2147483648;
        v = int(80 + 20000 * u * u * u * u); if (i % 997 == 0) v = v * 100000;
        print v } }' >values.txt
"$NETRIG" hist import values.txt -o a.hlog --start-time 1700000000 --length 10 ||
    fail "netrig hist import"
"$NETRIG" hist import values.txt -o b.hlog --start-time 1700000005.5 --length 10 \
    --expected-interval 50000 --tag corr || fail "netrig hist import --expected-interval"
same a.hlog "-outputValueUnitRatio 1" "--unit-ratio 1"
same a.hlog "" ""
same a.hlog "-csv -outputValueUnitRatio 1000" "--csv --unit-ratio 1000"
same b.hlog "-tag corr -outputValueUnitRatio 1" "--tag corr --unit-ratio 1"
"$NETRIG" hist merge a.hlog b.hlog -o m.hlog || fail "netrig hist merge"
same m.hlog "-outputValueUnitRatio 1" "--unit-ratio 1"
same m.hlog "-tag corr -outputValueUnitRatio 1" "--tag corr --unit-ratio 1"
"$NETRIG" hist merge a.hlog a.hlog b.hlog --align 10 -o al.hlog || fail "netrig hist merge --align"
same al.hlog "-outputValueUnitRatio 1" "--unit-ratio 1"
total=$(awk '/Total count/ { gsub(/]/, ""); print $NF }' n.out)
[ "$total" = 100000 ] || fail "aligned merge of a.hlog twice: total $total, want 100000"
[ "$(grep -c '^[0-9]' al.hlog)" = 1 ] || fail "aligned merge: want 1 untagged interval line"

# --- Java writes, netrig reads -----------------------------------------
cat >GenLog.java <<'JAVA'
import org.HdrHistogram.*;
import java.io.*;

public class GenLog {
    public static void main(String[] a) throws Exception {
        long t0 = 1700000000000L;
        HistogramLogWriter w = new HistogramLogWriter(new PrintStream(new FileOutputStream(a[0])));
        w.outputComment("written by the Java library");
        w.outputLogFormatVersion();
        w.outputStartTime(t0);
        w.setBaseTime(t0);
        w.outputBaseTime(t0);
        w.outputLegend();
        long x = 42;
        for (int i = 0; i < 12; i++) {
            // Interval 0 has a small range; later ones need Java to grow it.
            Histogram h = i % 3 == 2 ? new Histogram(1000, 3600L * 1000 * 1000 * 1000, 2)
                                     : new Histogram(1, i == 0 ? 1000000L : 3600L * 1000 * 1000, 3);
            for (int k = 0; k < 2000 + 100 * i; k++) {
                x = (x * 6364136223846793005L + 1442695040888963407L);
                long v = 50 + ((x >>> 33) % (i == 0 ? 900000 : 30000000L));
                if (i > 0 && k % 500 == 0) v *= 97;
                h.recordValue(v);
            }
            h.setStartTimeStamp(t0 + 1000L * i);
            h.setEndTimeStamp(t0 + 1000L * (i + 1));
            if (i % 4 == 3) h.setTag("B");
            w.outputIntervalHistogram(h);
        }
    }
}
JAVA
if command -v javac >/dev/null 2>&1; then
    javac -cp "$JAR" -d . GenLog.java && java -cp "$JAR:." GenLog java.hlog
else
    java -cp "$JAR" GenLog.java java.hlog # single-file source launcher
fi || fail "could not build and run GenLog.java (needs a JDK: default-jdk-headless)"
if [ -s java.hlog ]; then
    same java.hlog "-outputValueUnitRatio 1" "--unit-ratio 1"
    same java.hlog "" ""
    same java.hlog "-csv" "--csv"
    same java.hlog "-tag B -outputValueUnitRatio 1" "--tag B --unit-ratio 1"
    same java.hlog "-start 2 -end 7.5 -outputValueUnitRatio 1" "--start 2 --end 7.5 --unit-ratio 1"
    same java.hlog "-percentilesOutputTicksPerHalf 20" "--ticks 20"
    # netrig's merge of a Java log is still read the same by Java.
    "$NETRIG" hist merge java.hlog -o jm.hlog || fail "netrig hist merge java.hlog"
    same jm.hlog "-outputValueUnitRatio 1" "--unit-ratio 1"
fi

if [ $fails -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "all interop checks passed"
