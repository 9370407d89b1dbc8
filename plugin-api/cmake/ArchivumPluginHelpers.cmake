# archivum_add_plugin(NAME <name> SOURCES <files...> [LIBS <libs...>] [OUTPUT_DIRECTORY <dir>])
#
# Builds an Archivum plugin: a MODULE library named <name>.so (no "lib" prefix), compiled with
# hidden visibility and linked with a version script so that archivum_plugin_entry is its only
# exported symbol. Works in the Archivum source tree and after find_package(ArchivumPluginApi).
# The library lands in OUTPUT_DIRECTORY if given, else in ARCHIVUM_PLUGIN_OUTPUT_DIR when that is
# set (the Archivum build tree's bundled plugin directory; such plugins are also installed to
# ARCHIVUM_PLUGIN_INSTALL_DIR, component "plugins"), else in the default location.
if(CMAKE_VERSION VERSION_LESS 3.17)
  message(FATAL_ERROR "archivum_add_plugin needs CMake 3.17 or newer")
endif()

function(archivum_add_plugin)
  cmake_parse_arguments(ARG "" "NAME;OUTPUT_DIRECTORY" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_SOURCES)
    message(FATAL_ERROR "archivum_add_plugin: NAME and SOURCES are required")
  endif()
  add_library(${ARG_NAME} MODULE ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ArchivumPluginApi::plugin_api ${ARG_LIBS})
  set_target_properties(${ARG_NAME} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(CMAKE_SYSTEM_NAME MATCHES "Linux|BSD")
    set(map "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/archivum_plugin.map")
    target_link_options(${ARG_NAME} PRIVATE "LINKER:--version-script=${map}")
    set_property(TARGET ${ARG_NAME} APPEND PROPERTY LINK_DEPENDS "${map}")
  endif()
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${ARG_NAME} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  elseif(DEFINED ARCHIVUM_PLUGIN_OUTPUT_DIR)
    set_target_properties(${ARG_NAME} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARCHIVUM_PLUGIN_OUTPUT_DIR})
    if(DEFINED ARCHIVUM_PLUGIN_INSTALL_DIR)
      install(TARGETS ${ARG_NAME} LIBRARY DESTINATION ${ARCHIVUM_PLUGIN_INSTALL_DIR} COMPONENT plugins)
    endif()
  endif()
endfunction()
