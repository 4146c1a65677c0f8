# Sourced by performance.sh and timestamp_rate.sh.
# cpu_ticks PID: CPU clock ticks of signetd (PID) itself (proc(5) /proc/PID/stat fields 14+15)
# and of its PDF workers, as a JSON pair: those reaped (signetd's fields 16+17) and those alive
# (a worker serves many documents, so most of its CPU is spent before it is reaped).
cpu_ticks() {
  local own reaped live=0 kid ticks
  read -r own reaped < <(awk '{print $14 + $15, $16 + $17}' "/proc/$1/stat")
  for kid in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    ticks=$(awk '{print $14 + $15}' "/proc/$kid/stat" 2>/dev/null || true)
    live=$(( live + ${ticks:-0} ))
  done
  printf '[%d, %d]' "$own" $(( reaped + live ))
}
