# Sourced by scripts/test and scripts/reliability: runs every built libFuzzer target at once.
# run_fuzzers BUILD_DIR SECONDS LOG_DIR
#   Each target (BUILD_DIR/fuzz/*_fuzz) runs for SECONDS of wall time (-max_total_time) from a
#   scratch copy of its committed corpus (consumer/fuzz/corpus/<name>/, left unmodified), with
#   its dictionary (consumer/fuzz/<name>.dict) when there is one. Prints one line per target
#   ("<target>: N runs in Ss, coverage C, 0 crashes" or its failure and log tail) and sets
#   FUZZ_PASSED and FUZZ_FAILED.
run_fuzzers() {
  local build_dir=$1 seconds=$2 log_dir=$3
  local pids=() names=() works=() bin name work i
  for bin in "$build_dir"/fuzz/*_fuzz; do
    [[ -x "$bin" ]] || continue
    name=$(basename "$bin")
    work=$(mktemp -d)
    cp -r "consumer/fuzz/corpus/${name%_fuzz}"/. "$work"/ 2>/dev/null || true
    local dict=()
    [[ -f "consumer/fuzz/${name%_fuzz}.dict" ]] && dict=(-dict="consumer/fuzz/${name%_fuzz}.dict")
    "$bin" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 \
      "${dict[@]}" "$work" >"$log_dir/$name.log" 2>&1 &
    pids+=($!); names+=("$name"); works+=("$work")
  done
  FUZZ_PASSED=0; FUZZ_FAILED=0
  for i in "${!pids[@]}"; do
    name=${names[$i]}
    if wait "${pids[$i]}"; then
      FUZZ_PASSED=$((FUZZ_PASSED + 1))
      local runs cov
      runs=$(grep -E 'stat::number_of_executed_units' "$log_dir/$name.log" | awk '{print $2}')
      cov=$(grep -oE 'cov: [0-9]+' "$log_dir/$name.log" | tail -1 | awk '{print $2}')
      echo "$name: ${runs:-?} runs in ${seconds}s, coverage ${cov:-?}, 0 crashes"
    else
      FUZZ_FAILED=$((FUZZ_FAILED + 1))
      echo "$name FAILED (crash, leak or timeout; log $log_dir/$name.log):"
      tail -40 "$log_dir/$name.log"
    fi
    rm -rf "${works[$i]}"
  done
}
