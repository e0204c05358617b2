#!/bin/sh
# Writes a manual page (section 1, gzip -9n) from a program's own --help, so
# the page never says other than the program: its first help line gives the
# NAME line, the whole help the DESCRIPTION; for `hallq` each verb's --help
# follows under its own heading. Run at build time (packaging/CMakeLists.txt).
#   make_man.sh PROGRAM NAME VERSION OUT.1.gz
set -eu
program=$1 name=$2 version=$3 out=$4

# troff: a backslash is \e; a line starting with . or ' is protected by \&.
escape() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }
# CLI11 names the program as it was started: the build tree's path becomes its name.
run_help() { "$program" "$@" --help | sed -e "s|$program|$name|g"; }
help=$(run_help)
# The first line is "NAME：what" (Chinese help) or "NAME: what".
what=$(printf '%s\n' "$help" | head -1 | sed -e "s/^$name[：:] *//")

{
  printf '.TH %s 1 "" "hallq %s" "hallq"\n' "$(echo "$name" | tr a-z A-Z)" "$version"
  printf '.SH NAME\n%s \\- %s\n' "$name" "$(printf '%s' "$what" | escape)"
  printf '.SH DESCRIPTION\n.nf\n'
  printf '%s\n' "$help" | tail -n +2 | sed '1{/^$/d}' | escape
  printf '.fi\n'
  if [ "$name" = hallq ]; then
    # The verbs: the indented first words of the lines under "命令：".
    verbs=$(printf '%s\n' "$help" | sed -n '/^命令：/,/^$/p' | sed -n 's/^  \([a-z-]*\) .*/\1/p')
    for verb in $verbs; do
      printf '.SH "hallq %s"\n.nf\n' "$verb"
      run_help "$verb" | escape
      printf '.fi\n'
    done
  fi
  printf '.SH SEE ALSO\n/usr/share/doc/hallq/README.md, /usr/share/doc/hallq/examples/\n'
} | gzip -9n > "$out.tmp"
mv "$out.tmp" "$out"
