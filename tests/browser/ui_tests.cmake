# The browser UI's end-to-end test (ui_test.mjs): node drives Debian's chromium (both installed
# by scripts/bootstrap, with playwright-core and axe-core from package.json) against archivumd
# daemons it starts itself with the bundled plugins. Screenshots of every page go to
# <build>/tests/browser/screenshots. Included by tests/browser/CMakeLists.txt.
find_program(ARCHIVUM_NODE_EXECUTABLE node REQUIRED)
add_test(NAME browser_ui_test
         COMMAND ${ARCHIVUM_NODE_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/ui_test.mjs
                 --archivumd $<TARGET_FILE:archivumd>
                 --plugins ${ARCHIVUM_PLUGIN_OUTPUT_DIR}
                 --screenshots ${CMAKE_CURRENT_BINARY_DIR}/screenshots)
set_tests_properties(browser_ui_test PROPERTIES LABELS "browser" TIMEOUT 300)
