#!/usr/bin/env bash
# The check step of the GitHub Action: runs `citecheck check` on the documents, writes the job summary,
# prints the annotations, and writes the step outputs. Always exits 0 when citecheck ran, so the history
# and issue steps run after it; the action's last step fails the job from `exit_code`.
#
# Environment (the action's inputs and the runner's files):
#   INPUT_PATHS     documents and folders, separated by spaces or newlines, quoted as for xargs [.]
#   INPUT_ARGS      more `citecheck check` arguments, quoted as for xargs
#   INPUT_FAIL_ON   error | warning | never, or empty: citecheck.toml's `fail-on`, else error
#   INPUT_WAYBACK   failing | all | off (true = failing, false = off), or empty: citecheck.toml's, else off
#
# What the repository's citecheck.toml sets is respected unless an input sets it; what INPUT_ARGS
# sets (`--format json`, `--fail-on warning`) wins over the action's own flags.
#   INPUT_SARIF     true: also write citations.sarif [false]
#   REPORT_DIR      the report directory (history restored into it) [reports]
#   OUT_DIR         where summary.md, citations.sarif and issue.md go [.citecheck]
#   CITECHECK       the citecheck binary [citecheck]
#   GITHUB_OUTPUT, GITHUB_STEP_SUMMARY   the runner's files (/dev/null when unset)
#
# Outputs: exit_code, broken, newly_broken, report (the new latest.json, empty when none was written),
# sarif (its path, when asked), issue_body (the path of the issue's body, when something is newly broken).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
citecheck=${CITECHECK:-citecheck}
report_dir=${REPORT_DIR:-reports}
out_dir=${OUT_DIR:-.citecheck}
output_file=${GITHUB_OUTPUT:-/dev/null}
summary_file=${GITHUB_STEP_SUMMARY:-/dev/null}

# Splits a list the way xargs does (blanks and newlines separate, quotes group), with no expansion:
# NUL-terminated words on stdout.
split() {
  if [[ -n ${1//[[:space:]]/} ]]; then
    printf '%s' "$1" | xargs printf '%s\0'
  fi
}

words=$(mktemp)
before=$(mktemp)
trap 'rm -f "$words" "$before"' EXIT
# Through a file, so that an unbalanced quote stops the step instead of dropping the words.
split "${INPUT_PATHS:-}" >"$words"
mapfile -d '' -t paths <"$words"
[[ ${#paths[@]} -gt 0 ]] || paths=(.)
split "${INPUT_ARGS:-}" >"$words"
mapfile -d '' -t extra <"$words"

# Whether the user's arguments already say --FLAG.
in_args() {
  local flag=$1 word
  for word in "${extra[@]}"; do
    [[ $word == "--$flag" || $word == "--$flag="* ]] && return 0
  done
  return 1
}

# Whether the repository's config file sets FLAG (its keys are the flags' names).
in_config() {
  python3 "$here/report.py" config-has "$1" "${extra[@]}"
}

own=()
fail_on=${INPUT_FAIL_ON:-}
case $fail_on in
  error | warning) ;;
  never) fail_on=error ;;
  '') ;;
  *) echo "::error title=citecheck::fail-on must be error, warning or never, not '$fail_on'"; exit 2 ;;
esac
if [[ -n $fail_on ]]; then
  in_args fail-on || own+=(--fail-on "$fail_on")
fi

wayback=${INPUT_WAYBACK:-}
case $wayback in
  true | failing) wayback=failing ;;
  all | '') ;;
  false | off) wayback=off ;;
  *) echo "::error title=citecheck::wayback must be failing, all or off, not '$wayback'"; exit 2 ;;
esac
if [[ -n $wayback ]]; then
  in_args wayback || own+=(--wayback "$wayback")
fi
# Annotations on the documents' lines, unless the user asked for another format on stdout.
in_args format || in_config format || own+=(--format github)

# A path that is not there is named in the job summary, not only in the log.
for path in "${paths[@]}"; do
  if [[ ! -e $path ]]; then
    echo "::error title=citecheck::$path: no such file or directory"
    printf '**citecheck**: `%s`: no such file or directory (the `paths` input)\n\n' "$path" >>"$summary_file"
  fi
done

mkdir -p "$report_dir" "$out_dir"
rm -f "$out_dir/summary.md" "$out_dir/citations.sarif" "$out_dir/issue.md"
latest="$report_dir/latest.json"
[[ -f $latest ]] && cp -- "$latest" "$before"

outputs=(--output "$out_dir/summary.md" --output -)
if [[ ${INPUT_SARIF:-false} == true ]]; then
  outputs+=(--output "$out_dir/citations.sarif")
fi

status=0
errors="$out_dir/stderr.txt"
"$citecheck" check "${paths[@]}" --report-dir "$report_dir" "${own[@]}" \
  "${outputs[@]}" "${extra[@]}" 2> >(tee "$errors" >&2) || status=$?
wait
if [[ $status == 2 && -s $errors ]]; then
  {
    echo '**citecheck could not check everything** (exit code 2):'
    echo
    echo '```'
    tail -n 20 -- "$errors"
    echo '```'
    echo
  } >>"$summary_file"
fi

if [[ -f "$out_dir/summary.md" ]]; then
  cat -- "$out_dir/summary.md" >>"$summary_file"
fi

{
  echo "exit_code=$status"
  # A report this run wrote (not the one restored from the history).
  if [[ -f $latest ]] && ! cmp -s -- "$latest" "$before"; then
    counts=$(python3 "$here/report.py" outputs "$latest")
    echo "$counts"
    echo "report=$latest"
    if ! grep -qx 'newly_broken=0' <<<"$counts"; then
      python3 "$here/report.py" issue-body "$latest" >"$out_dir/issue.md"
      echo "issue_body=$out_dir/issue.md"
    fi
  else
    echo "citecheck wrote no report (exit code $status)" >&2
    echo "broken="
    echo "newly_broken="
    echo "report="
  fi
  if [[ -f "$out_dir/citations.sarif" ]]; then
    echo "sarif=$out_dir/citations.sarif"
  fi
} >>"$output_file"

echo "citecheck exited with $status"
