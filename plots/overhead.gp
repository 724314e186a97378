# Protocol overhead: efficiency B/(B+O) per message size, measured (points:
# goodput / link rate, or for one serial connection the payload's share of
# the time per transaction beyond t0) beside predicted (dashed line, from
# the model's overhead_bytes O).
# Variables: n, titles[n], styles[n], hasmeas[n] (1: the series has
# measured points), xtics_spec, xmin, xmax, xlabel, ymin, ymax (the span of
# the values drawn: the axis zooms to where the protocols differ).
# Tables data/overhead-I.dat: x measured lo hi predicted (percent).
load scripts.'/style.gp'

set logscale x 2
eval 'set xtics ('.xtics_spec.')'
set xrange [xmin / 1.3 : xmax * 1.3]
set xlabel xlabel
set ylabel 'efficiency B/(B+O) (%)'
if (ymin == ymin && ymax > ymin) { set yrange [ymin:ymax] } else { set yrange [0:105] }
set key at screen 0.5, screen 0.01 center bottom horizontal maxrows 3
set bmargin 9

tbl(i) = sprintf('%s/overhead-%d.dat', data, i)
# Series that share a size would hide each other's points: each is moved
# sideways by a few percent of a doubling, and each predicted line has
# its own dash pattern.
dodge(i) = 2 ** (0.05 * (i - (n + 1) / 2.0))
dtn(i) = i % 4 + 2
plot for [i=1:n] tbl(i) using 1:5 with lines ls styles[i] dt dtn(i) lw 2.5 \
        title (hasmeas[i] ? '' : titles[i].' predicted'), \
     for [i=1:n] tbl(i) using ($1 * dodge(i)):2:3:4 with yerrorbars ls styles[i] \
        title (hasmeas[i] ? titles[i].' measured' : ''), \
     NaN with lines lc rgb '#666666' dt (8,5) lw 2.5 title 'predicted B/(B+O)'
