# Time series: goodput (top) and p99 latency (bottom) per interval over the
# run; each step is one segment, shaded alternately, with a dotted line
# between steps and, for up to 14 steps, the step named above the top panel.
# With a probe (probe = udp|tcp), the bottom panel also draws the probe's
# p50 and p99 per interval: latency under load beside the goodput.
# Variables: file, gunit, lunit, has_g, has_p, has_q, ylog, ydec, nsep,
# sep[nsep], nlab, lab_x[nlab], lab_t[nlab].
# Table data/FILE: t_s goodput p99 segment probe_p50 probe_p99, a blank
# line between steps.
load scripts.'/style.gp'

tbl = data.'/'.file
set multiplot title fig_title font ',19'
unset title
set lmargin 13
set rmargin 4
unset key
top = nlab > 0 ? 0.87 : 0.93
split = 0.47

do for [i=1:nsep] {
    set arrow i from first sep[i], graph 0 to first sep[i], graph 1 nohead \
        lc rgb '#999999' lw 1 dt 3 back
}

has_l = has_p || has_q
if (has_g) {
    set origin 0, (has_l ? split : 0)
    set size 1, (has_l ? top - split : top)
    do for [i=1:nlab] {
        set label 100 + i lab_t[i] at first lab_x[i], graph 1.06 center font ',13' tc rgb '#333333'
    }
    set ylabel 'goodput ('.gunit.')'
    set yrange [0:*]
    set offsets 0, 0, graph 0.05, 0
    if (has_l) { set format x ''; unset xlabel } else { set xlabel 'time since the run started (s)' }
    plot tbl using 1:2:(30 + int($4) % 2) with linespoints lc variable pt 7 ps 0.6
    unset label
}
if (has_l) {
    set origin 0, 0
    set size 1, (has_g ? split + 0.03 : top)
    if (!has_g) {
        do for [i=1:nlab] {
            set label 100 + i lab_t[i] at first lab_x[i], graph 1.06 center font ',13' tc rgb '#333333'
        }
    }
    set format x '%g'
    set xlabel 'time since the run started (s)'
    set ylabel (has_q ? 'latency ('.lunit.')' : 'p99 latency ('.lunit.')')
    set offsets 0, 0, graph 0.05, 0
    if (ylog) {
        set logscale y 10
        set format y '%g'
        eval ylog125
        set autoscale yfix
        set offsets 0, 0, graph 0.06, graph 0.06
    } else {
        set yrange [0:*]
    }
    if (has_q) {
        set key inside top left horizontal
        if (has_p) {
            plot tbl using 1:3:(32 + int($4) % 2) with linespoints lc variable pt 7 ps 0.6 \
                     title 'load p99', \
                 tbl using 1:5 with linespoints ls 20 lw 2 pt 7 ps 0.6 title 'probe p50', \
                 tbl using 1:6 with linespoints ls 21 lw 2 pt 5 ps 0.6 title 'probe p99'
        } else {
            plot tbl using 1:5 with linespoints ls 20 lw 2 pt 7 ps 0.6 title 'probe p50', \
                 tbl using 1:6 with linespoints ls 21 lw 2 pt 5 ps 0.6 title 'probe p99'
        }
    } else {
        plot tbl using 1:3:(32 + int($4) % 2) with linespoints lc variable pt 7 ps 0.6
    }
}
unset multiplot
