# Latency vs offered load (the hockey stick): p50, p99 and p99.9 against the
# target rate (top, log latency axis) and the achieved rate against the
# target (bottom, with the achieved = target diagonal).
# Variables: file, xunit, lunit, style, ydec (decades the latencies span),
# has_lat (0: the rows hold no latency; only the lower panel is drawn),
# xlog (the target rates span a factor of 10 or more: log rate axis).
# Table data/FILE: target p50 p99 p999 achieved lo hi.
load scripts.'/style.gp'

tbl = data.'/'.file
set multiplot title fig_title font ',19'
unset title
set lmargin 13
set rmargin 5
set key inside left top vertical
if (xlog) { set logscale x 10 }

if (has_lat) {
    set origin 0, 0.36
    set size 1, 0.58
    set logscale y 10
    set format y '%g'
    eval ylog125
    set autoscale yfix
    set offsets 0, 0, graph 0.06, graph 0.06
    set ylabel 'latency ('.lunit.')'
    set format x ''
    unset xlabel
    plot tbl using 1:2 with linespoints ls 20 title 'p50', \
         tbl using 1:3 with linespoints ls 21 title 'p99', \
         tbl using 1:4 with linespoints ls 22 title 'p99.9'
}

set origin 0, 0
set size 1, (has_lat ? 0.38 : 0.94)
unset logscale y
unset ytics
set ytics nomirror out scale 0.8
set autoscale y
set offsets 0, 0, graph 0.06, 0
set yrange [0:*]
set format y '%g'
set format x '%g'
set xlabel 'target rate ('.xunit.')'
set ylabel 'achieved ('.xunit.')'
plot tbl using 1:5:6:7 with yerrorlines ls style title 'achieved', \
     tbl using 1:1 with lines ls 100 title 'achieved = target'
unset multiplot
