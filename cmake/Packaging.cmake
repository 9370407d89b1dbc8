# Installing Archivum as a system service, and its Debian package (README: "Install and
# packaging"). Included once by the top-level CMakeLists.txt.
#
# `cmake --install BUILD` (DESTDIR= to stage) lays out, for the prefix /usr (the default):
#   bin/                         archivumd, archivum (CLI), archivum-worker (the plugin sandbox's
#                                process, found next to archivumd), archivum-plugin-check
#   lib/archivum/plugins/        the bundled plugins (archivumd finds them as <exe>/../lib/...;
#                                ARCHIVUM_PLUGIN_INSTALL_DIR, from plugins/)
#   include/archivum/, lib/<arch>/cmake/ArchivumPluginApi/   the plugin SDK (plugin-api/)
#   /etc/archivum/archivum.yaml  the service's configuration (CMAKE_INSTALL_FULL_SYSCONFDIR: /etc
#                                for the prefix /usr, <prefix>/etc otherwise)
#   lib/systemd/system/archivumd.service, lib/sysusers.d/archivum.conf,
#   lib/tmpfiles.d/archivum.conf
#   share/doc/archivum/          README.md, the plugin SDK's README and archivum.yaml.example
#                                (config/archivum.yaml: every key, documented)
# Tests, benchmarks and fuzz harnesses have no install rules. Every program links the host
# library statically and the rest from the system, so the installed files carry no RPATH (CMake
# drops the build tree's on install; CMAKE_INSTALL_RPATH stays empty).
#
# `cpack -G DEB` in a build tree (Release) makes archivum_<version>_<arch>.deb of the same
# files, its Depends computed from the linked libraries by dpkg-shlibdeps (dpkg-dev).

# `install` (and cpack, which runs it) installs what is built rather than first building `all`,
# which would include the tests and the benchmarks: build archivum_runtime first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(ARCHIVUM_SYSTEMD_UNIT_DIR lib/systemd/system CACHE STRING
    "Where the systemd unit is installed (relative to the prefix)")
set(ARCHIVUM_SYSUSERS_DIR lib/sysusers.d CACHE STRING
    "Where the sysusers.d entry is installed (relative to the prefix)")
set(ARCHIVUM_TMPFILES_DIR lib/tmpfiles.d CACHE STRING
    "Where the tmpfiles.d entry is installed (relative to the prefix)")
# The state directory the unit's StateDirectory=archivum makes; the store lives under it.
set(ARCHIVUM_STATE_DIR ${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib/archivum)
set(ARCHIVUM_CONFIG_DIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/archivum)
set(ARCHIVUM_DOC_DIR ${CMAKE_INSTALL_FULL_DOCDIR})

# The installed configuration: only the keys that differ for the service, pointing to the full
# reference (config/archivum.yaml, installed as the example) rather than repeating it.
configure_file(${PROJECT_SOURCE_DIR}/config/archivum.installed.yaml.in
               ${PROJECT_BINARY_DIR}/config/archivum.yaml @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/config/archivum.yaml DESTINATION ${ARCHIVUM_CONFIG_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/config/archivumd.service
        DESTINATION ${ARCHIVUM_SYSTEMD_UNIT_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/config/archivum.sysusers
        DESTINATION ${ARCHIVUM_SYSUSERS_DIR} RENAME archivum.conf)
install(FILES ${PROJECT_SOURCE_DIR}/config/archivum.tmpfiles
        DESTINATION ${ARCHIVUM_TMPFILES_DIR} RENAME archivum.conf)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/plugin-api/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME plugin-api.md)
install(FILES ${PROJECT_SOURCE_DIR}/config/archivum.yaml
        DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME archivum.yaml.example)

# ---- The Debian package (cpack -G DEB) -------------------------------------------------------
# One package of every component. The maintainer scripts (config/debian/, configured here) make
# the user and the state directory from the sysusers/tmpfiles entries and tell a running systemd
# about the unit; they neither enable nor start it (the operator does, once the configuration
# names the ingest roots). /etc/archivum/archivum.yaml is a conffile: an upgrade keeps local
# edits.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME archivum)
set(CPACK_PACKAGE_VENDOR "Archivum")
set(CPACK_PACKAGE_CONTACT "Archivum maintainers <archivum@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "file-analysis daemon with sandboxed analyzer plugins")
# The extended description (the summary above is the first line of the control field).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "archivumd catalogs files (text, metadata, archive members, hashes, YARA matches, OCR)\n\
through analyzer plugins that run in sandboxed worker processes, and answers queries\n\
over gRPC and a JSON/HTTP gateway. Includes the archivum CLI, the bundled plugins, a\n\
hardened systemd unit and the plugin SDK.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The files keep the absolute /etc destination under the package's root.
set(CPACK_SET_DESTDIR ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # archivum_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The unit, sysusers and tmpfiles entries need systemd; the daemon itself runs without it.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS systemd)
# The ocr plugin (off by default) needs a language's trained data.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS tesseract-ocr-eng)
set(CPACK_STRIP_FILES ON)
set(ARCHIVUM_DEBIAN_CONTROL_DIR ${PROJECT_BINARY_DIR}/debian-control)
foreach(script postinst postrm)
  configure_file(${PROJECT_SOURCE_DIR}/config/debian/${script}.in
                 ${ARCHIVUM_DEBIAN_CONTROL_DIR}/${script} @ONLY
                 FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                  WORLD_READ WORLD_EXECUTE)
endforeach()
file(WRITE ${ARCHIVUM_DEBIAN_CONTROL_DIR}/conffiles "${ARCHIVUM_CONFIG_DIR}/archivum.yaml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${ARCHIVUM_DEBIAN_CONTROL_DIR}/postinst ${ARCHIVUM_DEBIAN_CONTROL_DIR}/postrm
    ${ARCHIVUM_DEBIAN_CONTROL_DIR}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
