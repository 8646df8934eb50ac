#!/bin/sh
# Runs the Python tests with pytest (ctest -L python), from the repository root. The interpreter is
# the first of $RWTTT_PYTHON, python3 on PATH and Debian's /usr/bin/python3 that has pytest and
# numpy (a PATH python3 from pyenv or another install does not see Debian's python3-* packages).
# With none, it says what is missing and exits 77, which ctest reports as skipped.
reasons=""
for py in ${RWTTT_PYTHON:-} python3 /usr/bin/python3; do
  command -v "$py" >/dev/null 2>&1 || { reasons="$reasons $py: not found;"; continue; }
  missing=$("$py" -c 'import importlib.util as u
print(" ".join(m for m in ("pytest", "numpy") if u.find_spec(m) is None))' 2>&1) ||
    { reasons="$reasons $py: does not run;"; continue; }
  if [ -z "$missing" ]; then
    exec "$py" -m pytest -q -p no:cacheprovider tests/python "$@"
  fi
  reasons="$reasons $py lacks $missing;"
done
echo "SKIPPED: no python3 with pytest and numpy" \
  "(apt-get install python3-pytest python3-numpy):$reasons"
exit 77
