# Warnings and sanitizers for the project's own targets (not for generated code).
set(ARCHIVUM_WARNINGS -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor)
# GCC 12 at -O2/-O3 reports impossible overlaps (sizes near 2^63) in libstdc++'s own
# char_traits for `"literal" + std::string`: GCC bugs 105329/105651, fixed in GCC 13. The
# diagnostic is noise there, so it is off for that compiler only.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND ARCHIVUM_WARNINGS -Wno-restrict)
endif()
if(ARCHIVUM_WERROR)
  list(APPEND ARCHIVUM_WARNINGS -Werror)
endif()

set(_san "")
if(ARCHIVUM_ASAN)
  list(APPEND _san address)
endif()
if(ARCHIVUM_UBSAN)
  list(APPEND _san undefined)
endif()
if(ARCHIVUM_TSAN)
  if(ARCHIVUM_ASAN)
    message(FATAL_ERROR "ARCHIVUM_TSAN cannot be combined with ARCHIVUM_ASAN")
  endif()
  list(APPEND _san thread)
endif()
if(_san)
  list(JOIN _san "," _san_list)
  # Applied globally so plugins, tests and the host share one runtime.
  add_compile_options(-fsanitize=${_san_list} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${_san_list})
endif()

# archivum_target_warnings(target): turns on the project's warning set for one target.
function(archivum_target_warnings target)
  target_compile_options(${target} PRIVATE ${ARCHIVUM_WARNINGS})
endfunction()
