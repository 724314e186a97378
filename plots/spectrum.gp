# Latency percentile spectrum (the HdrHistogram plot): latency against
# percentile on a 1/(1-p) log axis, one curve per step.
# Variables: n, titles[n], lunit ('us' or 'ms'), ylog, ydec (decades the
# latencies span), xmax.
# Tables data/OUT-I.dat: 1/(1-p) latency percentile.
load scripts.'/style.gp'

set logscale x 10
set xrange [1 : xmax]
set xtics ('0%%' 1, '50%%' 2, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 1e4, \
           '99.999%%' 1e5, '99.9999%%' 1e6, '99.99999%%' 1e7)
unset mxtics
set xlabel 'percentile (axis: 1/(1-p), log)'
set ylabel 'latency ('.lunit.')'
if (ylog) {
    set logscale y 10
    set format y '%g'
    eval ylog125
    set autoscale yfix
    set offsets 0, 0, graph 0.04, graph 0.04
} else {
    set yrange [0:*]
    set offsets 0, 0, graph 0.04, 0
}
set key outside right top vertical

tbl(i) = sprintf('%s/%s-%d.dat', data, out, i)
shade(i) = n > 1 ? (i - 1.0) / (n - 1) : 0
plot for [i=1:n] tbl(i) using 1:2 with lines lw 2.5 lc palette frac shade(i) title titles[i]
