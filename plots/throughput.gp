# Throughput vs message size: measured goodput per series (points, with 95 %
# confidence bars over repetitions), the model's prediction (dashed line, in
# the series' colour), rows the model found CPU-bound (ringed) and the link
# rate when known, on a log-2 size axis.
# Variables: n, titles[n], styles[n], xtics_spec, xmin, xmax, xlabel,
# yunit, link (NaN: unknown), has_ci, has_model, has_cpu, ylog (goodputs
# span more than a factor of 30: log axis), ydec (decades they span).
# Tables data/throughput-I.dat: x goodput lo hi model repeats cpu_bound.
load scripts.'/style.gp'

set logscale x 2
eval 'set xtics ('.xtics_spec.')'
set xrange [xmin / 1.3 : xmax * 1.3]
set xlabel xlabel
set ylabel 'goodput ('.yunit.')'
if (ylog) {
    set logscale y 10
    set format y '%g'
    eval ylog125
    set autoscale yfix
    set offsets 0, 0, graph 0.06, graph 0.06
} else {
    set yrange [0:*]
    set offsets 0, 0, graph 0.06, 0
}
# Below the plot, where it cannot cover a point.
set key at screen 0.5, screen 0.01 center bottom horizontal maxrows 3
set bmargin 9

tbl(i) = sprintf('%s/throughput-%d.dat', data, i)
pusing = has_ci ? '1:2:3:4' : '1:2'
# Without a model line, a thin line joins the measured points instead.
pwith = has_ci ? (has_model ? 'yerrorbars' : 'yerrorlines') : (has_model ? 'points' : 'linespoints')
if (has_ci) { set key title 'measured: mean and 95% CI' }
# An entry with an empty title still takes a line in the key: leave such
# entries out with notitle instead.
ttl_model = has_model ? "title 'model prediction'" : 'notitle'
ttl_cpu = has_cpu ? "title 'CPU-bound (model: cpu)'" : 'notitle'
ttl_link = link == link ? sprintf("title 'link rate %.4g %s'", link, yunit) : 'notitle'

plot for [i=1:n] tbl(i) using 1:5 with lines ls styles[i] dt (8,5) lw 2.5 notitle, \
     for [i=1:n] tbl(i) using @pusing with @pwith ls styles[i] title titles[i], \
     for [i=1:n] tbl(i) using 1:($7 > 0 ? $2 : NaN) with points pt 6 ps 3.2 lw 1.5 \
        lc rgb '#444444' notitle, \
     NaN with points pt 6 ps 3.2 lw 1.5 lc rgb '#444444' @ttl_cpu, \
     NaN with lines lc rgb '#666666' dt (8,5) lw 2.5 @ttl_model, \
     (link == link ? link : NaN) with lines ls 100 @ttl_link
