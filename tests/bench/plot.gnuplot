# The plot of tests/bench/performance.sh: seal throughput and p99 latency against document size,
# one line per API and connection count. Variables, given with -e:
#   data    a file of blocks "size_bytes seals_per_s p99_ms", one block per series, blocks
#           separated by two blank lines (gnuplot's `index`)
#   titles  one word per block, in the same order ("json-1c raw-16c ...")
#   output  the PNG to write
set terminal pngcairo size 1000,900 font ",10"
set output output
set multiplot layout 2,1 title "signetd seal: throughput and p99 latency against document size"
set logscale x 10
set xrange [0.07:80]
set logscale y 10
set xlabel "document size (MB)"
set grid
set key outside right top
n = words(titles)
set ylabel "seals per second"
plot for [i=0:n-1] data index i using ($1/1048576):2 with linespoints lw 2 title word(titles, i+1)
set ylabel "p99 latency (ms)"
plot for [i=0:n-1] data index i using ($1/1048576):3 with linespoints lw 2 title word(titles, i+1)
unset multiplot
