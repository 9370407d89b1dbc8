# Run after a test executable is built (tests/CMakeLists.txt): lists its test suites
# (--gtest_list_tests) and writes CTEST_FILE with one ctest entry per suite, which runs that
# suite's cases in one process (--gtest_filter=SUITE.*).
#
# Inputs (-D): EXECUTABLE, CTEST_FILE, LABEL, ENVIRONMENT (a ;-list, may be empty), TIMEOUT
# (seconds, for the listing).
execute_process(
  COMMAND "${EXECUTABLE}" --gtest_list_tests
  TIMEOUT ${TIMEOUT}
  OUTPUT_VARIABLE listing
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${EXECUTABLE} --gtest_list_tests failed (${result}):\n${listing}")
endif()

set(script "")
string(REPLACE "\n" ";" lines "${listing}")
foreach(line IN LISTS lines)
  # A suite line ends with '.', possibly followed by "  # TypeParam = ..."; case lines start
  # with spaces. Suite names are C++ identifiers, optionally with "Prefix/" and "/N".
  if(line MATCHES "^([A-Za-z0-9_/]+)\\.( .*)?$")
    set(suite "${CMAKE_MATCH_1}")
    string(APPEND script
      "add_test([==[${suite}]==] [==[${EXECUTABLE}]==] [==[--gtest_filter=${suite}.*]==])\n"
      "set_tests_properties([==[${suite}]==] PROPERTIES LABELS [==[${LABEL}]==]"
      " ENVIRONMENT [==[${ENVIRONMENT}]==])\n")
  endif()
endforeach()
file(WRITE "${CTEST_FILE}" "${script}")
