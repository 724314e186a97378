# netrig figure style: loaded first by every figure script in this folder.
#
# netrig plot writes one driver per figure (RUN_DIR/plots/data/NAME.gp) that
# sets the variables below and loads the figure's script once per format:
#   fmt        'png' or 'svg'
#   out        output base name, written to out.'.'.fmt (relative to RUN_DIR/plots)
#   fig_title  the figure's title
#   data       folder of the data tables (relative to RUN_DIR/plots)
#   scripts    this folder
# and the figure's own variables (see each script's header).

reset
if (fmt eq 'svg') {
    set terminal svg size 1200,740 fixed font 'DejaVu Sans,16' background '#ffffff' noenhanced
} else {
    set terminal pngcairo size 1400,860 font 'DejaVu Sans,15' background '#ffffff' noenhanced
}
set output out.'.'.fmt
set encoding utf8
set termoption linewidth 1

set title fig_title font ',19'
set border 3 lw 1.2 lc rgb '#444444'
set tics nomirror out scale 0.8
set grid xtics ytics lc rgb '#d4d4d4' lw 1 dt 1
set key box lw 1 lc rgb '#bbbbbb' opaque samplen 2.5 spacing 1.15
set datafile missing 'NaN'
set minussign

# One colour per protocol (the same in every figure): 1 tcp, 2 udp, 3 http,
# 4 tls, 5 https, 6 ws, 7 wss; 8-12 for further series.
set style line 1 lc rgb '#1f77b4' lw 2.5 pt 7 ps 1.5
set style line 2 lc rgb '#ff7f0e' lw 2.5 pt 5 ps 1.4
set style line 3 lc rgb '#2ca02c' lw 2.5 pt 9 ps 1.8
set style line 4 lc rgb '#d62728' lw 2.5 pt 13 ps 1.8
set style line 5 lc rgb '#9467bd' lw 2.5 pt 11 ps 1.8
set style line 6 lc rgb '#8c564b' lw 2.5 pt 7 ps 1.5
set style line 7 lc rgb '#e377c2' lw 2.5 pt 5 ps 1.4
set style line 8 lc rgb '#7f7f7f' lw 2.5 pt 9 ps 1.8
set style line 9 lc rgb '#bcbd22' lw 2.5 pt 13 ps 1.8
set style line 10 lc rgb '#17becf' lw 2.5 pt 11 ps 1.8
set style line 11 lc rgb '#393b79' lw 2.5 pt 7 ps 1.5
set style line 12 lc rgb '#637939' lw 2.5 pt 5 ps 1.4

# Percentiles: p50, p99, p99.9 (load figures).
set style line 20 lc rgb '#2c7fb8' lw 2.5 pt 7 ps 1.4
set style line 21 lc rgb '#f28e2b' lw 2.5 pt 5 ps 1.4
set style line 22 lc rgb '#c0392b' lw 2.5 pt 9 ps 1.7
# Reference lines: link rate, achieved = target.
set style line 100 lc rgb '#555555' lw 1.8 dt 2
# Alternate shades marking the steps of a time series.
set linetype 30 lc rgb '#1f77b4' lw 2 pt 7 ps 0.8
set linetype 31 lc rgb '#74b9e8' lw 2 pt 7 ps 0.8
set linetype 32 lc rgb '#c0392b' lw 2 pt 7 ps 0.8
set linetype 33 lc rgb '#f0a39a' lw 2 pt 7 ps 0.8

# Sweeps (one curve per step): viridis, stopping short of its pale yellow.
set palette defined (0 '#440154', 0.3 '#3b528b', 0.6 '#21918c', 0.85 '#5ec962', 1 '#b5de2b')
unset colorbox

# Labelled 2 and 5 tics between the decades of a log y axis: `eval ylog125`
# after `set logscale y`, when the data spans few decades (the driver's
# ydec < 2.5) and the axis would otherwise show one or two numbers.
ylog125 = "if (ydec < 2.5) { do for [e=-4:8] { set ytics add (sprintf('%g', 2 * 10.0**e) 2 * 10.0**e, sprintf('%g', 5 * 10.0**e) 5 * 10.0**e) } }"
