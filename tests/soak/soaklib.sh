# soaklib.sh - helpers of the soak tests (sourced after tests/e2e/lib.sh).

# measured OUT RUNDIR CMD...: runs CMD (relaxrun writing RUNDIR) in the
# background with stdout in OUT.out and stderr in OUT.err, reads its
# /proc/PID/status every 0.02 s into OUT.rss ("seconds VmRSS_kB status") and
# sets:
#   rc           the exit status
#   run_peak_kB  the peak resident set while the run is going (VmHWM at the
#                last reading while RUNDIR/manifest.yaml says "running"):
#                the protocol, the instrument and the recorder
#   peak_kB      the peak of the whole process, the report written after
#                the run included: GNU time's %M (ru_maxrss, exact) where
#                /usr/bin/time exists, else VmHWM as last read
#   rss_first_kB / rss_last_kB  VmRSS at the first and the last reading
#                while running
#   rss_early_kB / rss_late_kB  the largest VmRSS in the first and the second
#                half of the run (its first tenth, the start-up, left out)
#   wall_s       wall time
# gnuplot is kept off PATH (the report is still written, without pictures)
# so that the figures are relaxrun's own, not those of its plot children.
measured() {
  local out=$1 rundir=$2; shift 2
  local t0 t1 pid target hwm rss st
  mkdir -p "$TMP/nopath"
  rm -f "$out.time"
  t0=$(date +%s.%N)
  if [ -x /usr/bin/time ]; then
    PATH=$TMP/nopath /usr/bin/time -f %M -o "$out.time" "$@" >"$out.out" 2>"$out.err" &
  else
    PATH=$TMP/nopath "$@" >"$out.out" 2>"$out.err" &
  fi
  pid=$!
  : >"$out.rss"
  peak_kB=0
  run_peak_kB=0
  rss_first_kB=0
  rss_last_kB=0
  while kill -0 $pid 2>/dev/null; do
    target=$pid
    if [ -x /usr/bin/time ]; then # watch time's child, relaxrun
      target=$(awk '{ print $1 }' /proc/$pid/task/$pid/children 2>/dev/null)
    fi
    if [ -n "$target" ] &&
       read -r hwm rss < <(awk '/^VmHWM:/ { h = $2 } /^VmRSS:/ { r = $2 }
                                END { if (h) print h, r }' /proc/$target/status 2>/dev/null) &&
       [ -n "$hwm" ]; then
      st=$(sed -n 's/^status: "\(.*\)"$/\1/p' "$rundir/manifest.yaml" 2>/dev/null)
      echo "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') $rss ${st:-none}" >>"$out.rss"
      peak_kB=$hwm
      if [ "$st" = running ]; then
        run_peak_kB=$hwm
        [ "$rss_first_kB" = 0 ] && rss_first_kB=$rss
        rss_last_kB=$rss
      fi
    fi
    sleep 0.02
  done
  wait $pid
  rc=$?
  t1=$(date +%s.%N)
  if [ -s "$out.time" ]; then
    peak_kB=$(tail -1 "$out.time")
    # GNU time says "Command exited with non-zero status N" first.
    rc=$(sed -n 's/^Command exited with non-zero status \([0-9]*\)$/\1/p' "$out.time" | head -1)
    : "${rc:=0}"
  fi
  wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  # Growth while running: the largest RSS of the first and of the second half
  # of the readings, the first tenth (start-up) left out.
  read -r rss_early_kB rss_late_kB < <(awk '$3 == "running" { r[n++] = $2 }
    END { s = int(n / 10); m = s + int((n - s) / 2); e = 0; l = 0
          for (i = s; i < m; i++) if (r[i] > e) e = r[i]
          for (i = m; i < n; i++) if (r[i] > l) l = r[i]
          print e + 0, l + 0 }' "$out.rss")
}

# check_segments RUNDIR [partial]: every recorded segment is whole and
# continuous.  For each "record 'LABEL'" step of RUNDIR/timeline.csv, where
# LABEL ends in "DURATIONs RATEHz" (e.g. "c001 load 1800s 10Hz"), the
# matching segment file (in order) must hold exactly
# floor((DURATION - 0.5) RATE) + 1 samples (the first 0.5 s after the step,
# then one every 1/RATE s up to the duration), spaced by 1/RATE with no gap
# and no repeat, and the timeline must count as many.  With "partial" the
# last segment (cut short by a fault) may hold fewer, from 0.5 s on without
# a gap.  Sets samples_total, segments_total and last_time_s (the device
# time of the last sample on disk); failures go through bad().
check_segments() {
  local dir=$1 partial=${2:-}
  local files
  mapfile -t files < <(ls "$dir"/segments/*.csv 2>/dev/null | sort)
  segments_total=${#files[@]}
  samples_total=0
  last_time_s=0
  local i=0 line nsteps=0 label dur rate want got tl f gap
  local nlines
  nlines=$(grep -c "record '" "$dir/timeline.csv")
  while IFS= read -r line; do
    case $line in *"record '"*) ;; *) continue ;; esac
    nsteps=$((nsteps + 1))
    tl=$(echo "$line" | cut -d, -f5)
    label=${line#*record \'}; label=${label%\'*}
    dur=$(echo "$label" | sed -n 's/.* \([0-9.]*\)s [0-9.]*Hz$/\1/p')
    rate=$(echo "$label" | sed -n 's/.* \([0-9.]*\)Hz$/\1/p')
    if [ -z "$rate" ] || [ -z "$dur" ]; then
      bad "segment $nsteps: label '$label' does not end in DURATIONs RATEHz"; continue
    fi
    want=$(awk -v d="$dur" -v r="$rate" 'BEGIN { printf "%d", int((d - 0.5) * r + 1e-6) + 1 }')
    if [ $i -ge ${#files[@]} ]; then bad "segment $nsteps ('$label'): no file"; continue; fi
    f=${files[$i]}
    i=$((i + 1))
    got=$(($(wc -l <"$f") - 1))
    samples_total=$((samples_total + got))
    [ "$got" -gt 0 ] && last_time_s=$(tail -1 "$f" | cut -d, -f1)
    if [ "$partial" = partial ] && [ "$nsteps" = "$nlines" ] && [ "$tl" -lt "$got" ]; then
      # Known: the timeline does not count the samples fetched while the
      # safe state was reached after the fault.  Fewer on disk would be a loss.
      echo "     note: $(basename "$f"): $got samples on disk, the timeline counts $tl" \
           "(those fetched while reaching the safe state are not counted)"
    elif [ "$tl" != "$got" ]; then
      bad "$(basename "$f"): $got samples on disk, the timeline says $tl"
    fi
    if [ "$partial" = partial ] && [ "$nsteps" = "$nlines" ]; then
      [ "$got" -le "$want" ] || bad "$(basename "$f"): $got samples, more than $want"
    elif [ "$got" != "$want" ]; then
      bad "$(basename "$f"): $got samples on disk, want $want ($dur s at $rate Hz)"
      continue
    fi
    # Spacing: step_time_s (column 2) from 0.5 by 1/rate, no gap, no repeat.
    gap=$(awk -F, -v r="$rate" 'NR == 1 { next }
      NR == 2 { if ($2 < 0.5 - 1e-6 || $2 > 0.5 + 1e-6) { print "first sample at " $2 " s"; exit }
                prev = $2; next }
      { d = $2 - prev; if (d < 1 / r - 1e-4 || d > 1 / r + 1e-4) { print "step of " d " s at " $2 " s"; exit }
        prev = $2 }' "$f")
    [ -z "$gap" ] || bad "$(basename "$f"): $gap"
  done <"$dir/timeline.csv"
  [ "$nsteps" = "${#files[@]}" ] ||
    bad "$dir: $nsteps recording steps in the timeline, ${#files[@]} segment files"
}

# sanitized: true when relaxrun is built with AddressSanitizer, whose
# quarantine of freed memory makes RSS grow with the memory allocated, not
# held: the soak tests then report memory but do not assert it flat.
sanitized() {
  ldd "$RELAXRUN" 2>/dev/null | grep -q libasan && return 0
  grep -aqm1 __asan_init "$RELAXRUN" 2>/dev/null
}
