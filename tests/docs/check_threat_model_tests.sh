#!/usr/bin/env bash
# Every test docs/threat-model.md cites must exist.
#
#   bash tests/docs/check_threat_model_tests.sh [SOURCE_DIR]
#
# A citation is a `code span` of the form CTEST/suite/case or CTEST/case, where CTEST is a
# Boost.Test executable run by CTest (unit_<module>, integration_<area>[_postgresql], tls_<name>),
# or a bare CTest name registered with add_test (chaos_short, systemd_unit_security, architecture_layers). The
# case must be a BOOST_*_TEST_CASE of that executable's sources, and the suite, when named, a
# BOOST_*_TEST_SUITE of the file that holds the case.
set -u

root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
doc=$root/docs/threat-model.md
[[ -f $doc ]] || { echo "check_threat_model_tests: no $doc" >&2; exit 1; }

# The source files of a CTest executable, one per line.
sources_of() {
    local name=${1%_postgresql} folder
    case $name in
        unit_*)
            folder=${name#unit_}
            [[ -d $root/tests/unit/$folder ]] || folder=${folder//_//}
            find "$root/tests/unit/$folder" -maxdepth 1 -name '*.cpp' 2>/dev/null
            ;;
        integration_cluster)
            find "$root/tests/integration/cluster" -name '*.cpp'
            ;;
        integration_*)
            # signet_integration_test(<area> <files>...) in tests/integration/CMakeLists.txt
            grep -E "^signet_integration_test\(${name#integration_} " "$root/tests/integration/CMakeLists.txt" |
                sed -E 's/^[^ ]+ //; s/\)$//' | tr ' ' '\n' | sed "s|^|$root/tests/integration/|"
            ;;
        tls_*)
            echo "$root/tests/tls/${name#tls_}_test.cpp"
            ;;
    esac
}

failures=0
cited=0
while read -r citation; do
    cited=$((cited + 1))
    IFS=/ read -r executable first second <<<"$citation"
    if [[ -z $first ]]; then
        if ! grep -rqsE "add_test\(NAME ${executable}([ )]|$)" --include=CMakeLists.txt "$root/tests" "$root/systemd"; then
            echo "FAIL $citation: no CTest of that name"
            failures=$((failures + 1))
        fi
        continue
    fi
    if [[ -n $second ]]; then suite=$first test_case=$second; else suite="" test_case=$first; fi
    mapfile -t files < <(sources_of "$executable" | while read -r f; do [[ -f $f ]] && echo "$f"; done)
    if ((${#files[@]} == 0)); then
        echo "FAIL $citation: no sources for the executable $executable"
        failures=$((failures + 1))
        continue
    fi
    mapfile -t holders < <(grep -lE "BOOST_(AUTO|FIXTURE|DATA)_TEST_CASE\(${test_case}[,)]" "${files[@]}")
    if ((${#holders[@]} == 0)); then
        echo "FAIL $citation: no test case $test_case in $executable"
        failures=$((failures + 1))
    elif [[ -n $suite ]] && ! grep -qE "BOOST_(AUTO|FIXTURE)_TEST_SUITE\(${suite}[,)]" "${holders[@]}"; then
        echo "FAIL $citation: $test_case is in no suite $suite of $executable"
        failures=$((failures + 1))
    fi
done < <(grep -oE '`[a-z][a-z0-9_]*(/[a-z0-9_]+){0,2}`' "$doc" | tr -d '`' |
         grep -E '^(unit|integration|tls)_[a-z0-9_]+/|^(chaos_[a-z_]+|systemd_unit_security[a-z_]*|architecture_[a-z_]+)$' |
         sort -u)

echo "check_threat_model_tests: $cited tests cited, $failures not found"
((cited > 0 && failures == 0))
