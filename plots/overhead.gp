# Protocol overhead: efficiency B/(B+O) per message size, measured (points:
# goodput / link rate, or for one serial connection the payload's share of
# the time per transaction beyond t0) beside predicted (dashed line, from
# the model's overhead_bytes O).
# Variables: n, titles[n], styles[n], xtics_spec, xmin, xmax, xlabel.
# Tables data/overhead-I.dat: x measured lo hi predicted (percent).
load scripts.'/style.gp'

set logscale x 2
eval 'set xtics ('.xtics_spec.')'
set xrange [xmin / 1.3 : xmax * 1.3]
set xlabel xlabel
set ylabel 'efficiency B/(B+O) (%)'
set yrange [0:105]
set ytics 0, 10, 100
set key inside right bottom vertical

tbl(i) = sprintf('%s/overhead-%d.dat', data, i)
plot for [i=1:n] tbl(i) using 1:5 with lines ls styles[i] dt (8,5) lw 2.5 notitle, \
     for [i=1:n] tbl(i) using 1:2:3:4 with yerrorbars ls styles[i] title titles[i].' measured', \
     NaN with lines lc rgb '#666666' dt (8,5) lw 2.5 title 'predicted B/(B+O)'
