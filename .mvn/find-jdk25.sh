# Sourced (POSIX sh) by ./mvnw and ./ddrl: points JAVA_HOME at a JDK 25 or later, or stops with a
# clear message. Looks at $JAVA_HOME first, then `java` on the PATH, then the usual install folders.

ddrl_java_major() { # the major version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

ddrl_is_jdk25() { # is $1 a JDK (java and javac) of version 25 or later?
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  ddrl_major=$(ddrl_java_major "$1/bin/java")
  [ -n "$ddrl_major" ] && [ "$ddrl_major" -ge 25 ]
}

ddrl_find_jdk25() {
  if [ -n "${JAVA_HOME:-}" ] && ddrl_is_jdk25 "$JAVA_HOME"; then printf '%s\n' "$JAVA_HOME"; return 0; fi
  if command -v java >/dev/null 2>&1; then
    ddrl_dir=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    if ddrl_is_jdk25 "$ddrl_dir"; then printf '%s\n' "$ddrl_dir"; return 0; fi
  fi
  # mvnw runs with globbing off (set -f); turn it on for the folder scan only.
  case $- in *f*) ddrl_noglob=1; set +f ;; *) ddrl_noglob=0 ;; esac
  ddrl_found=""
  for ddrl_dir in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
                  "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    if [ -d "$ddrl_dir" ] && ddrl_is_jdk25 "$ddrl_dir"; then ddrl_found=$ddrl_dir; break; fi
  done
  [ "$ddrl_noglob" = 1 ] && set -f
  [ -n "$ddrl_found" ] && printf '%s\n' "$ddrl_found"
}

DDRL_JDK=$(ddrl_find_jdk25 || true)
if [ -z "$DDRL_JDK" ]; then
  {
    echo "error: this project needs a JDK 25 or later (it uses java.lang.foreign and jdk.incubator.vector)."
    echo "  Looked at: \$JAVA_HOME (${JAVA_HOME:-unset}), java on the PATH, /usr/lib/jvm, /usr/java, /opt,"
    echo "  ~/.sdkman and ~/.jdks. Install one, for example Eclipse Temurin 25 (https://adoptium.net),"
    echo "  then run again or set JAVA_HOME to it."
  } >&2
  exit 1
fi
JAVA_HOME=$DDRL_JDK
export JAVA_HOME
