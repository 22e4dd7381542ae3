#!/usr/bin/env bash
# The report history of the GitHub Action, kept on a branch of the documents repository.
#
#   history.sh restore BRANCH DIR            copy the reports/ folder of BRANCH into DIR (nothing on a first run)
#   history.sh save BRANCH DIR [MESSAGE]     commit the files of DIR as reports/ on BRANCH and push it
#
# Runs in the documents repository (the action's working directory) and never touches its work tree, index
# or HEAD: the branch is read with `git archive` and written with a private index and `git commit-tree`, so
# the steps after the action still see the checkout they expect. Other files on BRANCH are kept.
# CITECHECK_REMOTE names the remote (default origin).
set -euo pipefail

usage() {
  echo "usage: history.sh restore BRANCH DIR | history.sh save BRANCH DIR [MESSAGE]" >&2
  exit 2
}

[[ $# -ge 3 ]] || usage
command=$1
branch=$2
dir=$3
remote=${CITECHECK_REMOTE:-origin}
folder=reports
ref="refs/citecheck/history/$branch"

# Fetches BRANCH into $ref. Returns 1 when the remote has no such branch (a first run); any other failure
# (no network, no access) stops the script, so a failed fetch is never taken for an empty history.
fetch_branch() {
  local status=0
  git ls-remote --exit-code --heads "$remote" "refs/heads/$branch" >/dev/null || status=$?
  if [[ $status -eq 2 ]]; then
    return 1
  elif [[ $status -ne 0 ]]; then
    echo "history: cannot read branch $branch of $remote" >&2
    exit "$status"
  fi
  git fetch --quiet --no-tags --depth=1 "$remote" "+refs/heads/$branch:$ref"
}

restore() {
  mkdir -p "$dir"
  if ! fetch_branch; then
    echo "history: no branch $branch on $remote yet: this is the first run"
    return 0
  fi
  if ! git cat-file -e "$ref:$folder" 2>/dev/null; then
    echo "history: branch $branch has no $folder/ folder yet"
    return 0
  fi
  git archive --format=tar "$ref:$folder" | tar -x -C "$dir"
  local count
  count=$(git ls-tree --name-only "$ref:$folder" | wc -l)
  echo "history: restored $((count)) files from $branch:$folder/ into $dir"
}

save() {
  local message=${1:-"citations: report of $(date -u +%Y-%m-%dT%H:%M:%SZ)"}
  local parent=""
  if fetch_branch; then
    parent=$(git rev-parse "$ref^{commit}")
  fi
  local index
  index=$(mktemp)
  rm -f "$index"
  # A private index: the repository's own index and work tree stay as they are.
  export GIT_INDEX_FILE=$index
  if [[ -n $parent ]]; then
    git read-tree "$parent"
  else
    git read-tree --empty
  fi
  git rm -r -q --cached --ignore-unmatch -- "$folder"
  local file name blob added=0
  for file in "$dir"/*; do
    [[ -f $file ]] || continue
    name=$(basename -- "$file")
    blob=$(git hash-object -w -- "$file")
    git update-index --add --cacheinfo "100644,$blob,$folder/$name"
    added=$((added + 1))
  done
  local tree
  tree=$(git write-tree)
  rm -f "$index"
  unset GIT_INDEX_FILE
  if [[ $added -eq 0 ]]; then
    echo "history: no reports in $dir: nothing to commit"
    return 0
  fi
  if [[ -n $parent && $tree == "$(git rev-parse "$parent^{tree}")" ]]; then
    echo "history: $branch already holds these reports"
    return 0
  fi
  local commit
  commit=$(
    export GIT_AUTHOR_NAME="${GIT_AUTHOR_NAME:-github-actions[bot]}"
    export GIT_AUTHOR_EMAIL="${GIT_AUTHOR_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}"
    export GIT_COMMITTER_NAME="${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME}"
    export GIT_COMMITTER_EMAIL="${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}"
    if [[ -n $parent ]]; then
      git commit-tree "$tree" -p "$parent" -m "$message"
    else
      git commit-tree "$tree" -m "$message"
    fi
  )
  git push --quiet "$remote" "$commit:refs/heads/$branch"
  git update-ref "$ref" "$commit"
  echo "history: committed $added files to $branch:$folder/ ($commit)"
}

case $command in
  restore) restore ;;
  save) save "${@:4}" ;;
  *) usage ;;
esac
