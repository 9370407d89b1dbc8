# archivum_embed_assets: compiles files into a target, so that the daemon serves them without
# any file at run time.
#
#   archivum_embed_assets(TARGET <target> NAME <Identifier> BASE_DIR <dir> PREFIX <url-prefix>
#                         FILES <file>...)
#
# For every file, the URL path is PREFIX followed by the file's path relative to BASE_DIR
# (PREFIX "/ui/" and BASE_DIR ui: ui/app.js is "/ui/app.js"). At build time each file gets its
# SHA-256 (the strong ETag) and a gzip copy (level 9, kept only when smaller); one generated C++
# source assembles the bytes with .incbin in a top-level asm statement (no multi-megabyte C
# arrays to compile; GCC and clang alike) and defines
# `const archivum::api::gateway::EmbeddedAssetSet k<NAME>` (host/api/http/embedded_asset.h),
# which the code that serves them declares. A changed file regenerates the source, which names
# every file's hash, so ccache (which does not read .incbin's files) never reuses a stale object.
# The content type comes from the extension (EmbedAssetsGenerate.cmake); an unknown extension
# fails the build.
set(ARCHIVUM_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/EmbedAssetsGenerate.cmake)

function(archivum_embed_assets)
  cmake_parse_arguments(ARG "" "TARGET;NAME;BASE_DIR;PREFIX" "FILES" ${ARGN})
  foreach(required TARGET NAME BASE_DIR PREFIX FILES)
    if(NOT ARG_${required})
      message(FATAL_ERROR "archivum_embed_assets: ${required} is required")
    endif()
  endforeach()
  get_filename_component(base "${ARG_BASE_DIR}" ABSOLUTE)
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/embedded_${ARG_NAME})
  set(files)
  foreach(f IN LISTS ARG_FILES)
    get_filename_component(abs "${f}" ABSOLUTE)
    file(RELATIVE_PATH rel "${base}" "${abs}")
    if(rel MATCHES "^\\.\\./" OR rel MATCHES "[\"\\\\\n ]")
      message(FATAL_ERROR "archivum_embed_assets: ${abs} is outside ${base} or its name has a "
                          "quote, backslash, space or newline")
    endif()
    list(APPEND files "${abs}")
  endforeach()
  list(SORT files)
  string(REPLACE ";" "|" files_arg "${files}")
  add_custom_command(
    OUTPUT ${out_dir}/${ARG_NAME}.cc
    COMMAND ${CMAKE_COMMAND} -DNAME=${ARG_NAME} -DBASE_DIR=${base} -DPREFIX=${ARG_PREFIX}
            -DOUT_DIR=${out_dir} "-DFILES=${files_arg}" -P ${ARCHIVUM_EMBED_SCRIPT}
    DEPENDS ${files} ${ARCHIVUM_EMBED_SCRIPT}
    COMMENT "Embedding ${ARG_NAME} (${ARG_PREFIX})"
    VERBATIM)
  # The rule runs through a target of this directory, so that TARGET may live in another one.
  add_custom_target(archivum_embed_${ARG_NAME} DEPENDS ${out_dir}/${ARG_NAME}.cc)
  add_dependencies(${ARG_TARGET} archivum_embed_${ARG_NAME})
  target_sources(${ARG_TARGET} PRIVATE ${out_dir}/${ARG_NAME}.cc)
  # A unity build must not merge the generated source (its top-level asm) with other sources.
  set_source_files_properties(${out_dir}/${ARG_NAME}.cc TARGET_DIRECTORY ${ARG_TARGET}
                              PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
endfunction()
