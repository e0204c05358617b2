# CPack: two Debian packages from the install components (cpack -G DEB in the build tree).
#   hallqd         component hallqd:  engine, CLI, hallq-passwd, dashboard, default hall, unit
#   hallq-devices  component devices: the device programs and their templated units
# Dependencies: dpkg-shlibdeps for the libraries, plus what the programs use at run time.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hallq)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "hallq")
set(CPACK_PACKAGE_CONTACT "hallq developers <hallq@example.org>")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL hallqd devices)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/hallq")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_HALLQD_PACKAGE_NAME hallqd)
set(CPACK_DEBIAN_HALLQD_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.54~)")
set(CPACK_COMPONENT_HALLQD_DESCRIPTION "queue calling engine for government service halls
hallqd runs the queues of one or more service halls (tickets, windows, staff,
calls) from a durable store, publishes every event to the hall's devices and
serves the managers' dashboard. The package holds the engine, the hallq
command line, hallq-passwd, the dashboard's web files, a systemd unit and a
default hall in /etc/hallq/hallq.toml.")
set(CPACK_DEBIAN_DEVICES_PACKAGE_NAME hallq-devices)
set(CPACK_DEBIAN_DEVICES_PACKAGE_DEPENDS
    "adduser, init-system-helpers (>= 1.54~), fonts-noto-cjk, espeak-ng-data")
set(CPACK_COMPONENT_DEVICES_DESCRIPTION "hall screens, loudspeaker, keypad, kiosk and caller for hallq
The programs a service hall's devices run against a hallqd engine:
hallq-display (hall screen, window LED strips), hallq-speaker (calls
announced in Mandarin), hallq-keypad (window keypad), hallq-kiosk (ticket
kiosk and printer), hallq-caller (the clerk's terminal caller) and
hallq-citizen (the public gateway for citizens' live ticket pages), with
systemd template units, one instance per config in /etc/hallq.")

# Copyright and changelog of each package, and its maintainer scripts (debian/*.in:
# @ADD_USER@ is debian/add-user.sh, the one copy).
set(debian_dir ${CMAKE_CURRENT_BINARY_DIR}/debian)
file(READ ${CMAKE_CURRENT_SOURCE_DIR}/debian/add-user.sh add_user_template)
string(CONFIGURE "${add_user_template}" ADD_USER @ONLY)
file(MAKE_DIRECTORY ${debian_dir})
execute_process(COMMAND gzip -9nc ${CMAKE_CURRENT_SOURCE_DIR}/debian/changelog
                OUTPUT_FILE ${debian_dir}/changelog.gz RESULT_VARIABLE gzip_result)
if(NOT gzip_result EQUAL 0)
  message(FATAL_ERROR "gzip of debian/changelog failed: ${gzip_result}")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/debian/changelog)
foreach(component hallqd devices)
  string(TOUPPER ${component} COMPONENT)
  set(PACKAGE ${CPACK_DEBIAN_${COMPONENT}_PACKAGE_NAME})
  install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/debian/copyright ${debian_dir}/changelog.gz
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${PACKAGE} COMPONENT ${component})
  if(component STREQUAL "hallqd")
    set(ENABLE [=[
  if command -v deb-systemd-helper >/dev/null; then
    deb-systemd-helper unmask hallqd.service >/dev/null || true
    if ! deb-systemd-helper debian-installed hallqd.service || deb-systemd-helper --quiet was-enabled hallqd.service; then
      deb-systemd-helper enable hallqd.service >/dev/null || true
    else
      deb-systemd-helper update-state hallqd.service >/dev/null || true
    fi
  fi
  if [ -d /run/systemd/system ] && command -v deb-systemd-invoke >/dev/null; then
    deb-systemd-invoke restart hallqd.service >/dev/null || true
  fi]=])
    set(STOP "  deb-systemd-invoke stop hallqd.service >/dev/null || true")
    set(PURGE "  deb-systemd-helper purge hallqd.service >/dev/null || true\n  deb-systemd-helper unmask hallqd.service >/dev/null || true")
    file(WRITE ${debian_dir}/${component}/conffiles "${HALLQ_SYSCONFDIR}/hallq.toml\n${HALLQ_DEFAULTSDIR}/hallqd\n")
    set(conffiles ${debian_dir}/${component}/conffiles)
  else()
    set(ENABLE "  :")
    set(STOP "  deb-systemd-invoke stop 'hallq-display@*.service' 'hallq-speaker@*.service' \\\n    'hallq-keypad@*.service' 'hallq-kiosk@*.service' >/dev/null || true")
    set(PURGE "  :")
    set(conffiles "")
  endif()
  foreach(script postinst prerm postrm)
    configure_file(${CMAKE_CURRENT_SOURCE_DIR}/debian/${script}.in ${debian_dir}/${component}/${script} @ONLY
                   FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  endforeach()
  set(CPACK_DEBIAN_${COMPONENT}_PACKAGE_CONTROL_EXTRA
      ${conffiles} ${debian_dir}/${component}/postinst ${debian_dir}/${component}/prerm
      ${debian_dir}/${component}/postrm)
  set(CPACK_DEBIAN_${COMPONENT}_PACKAGE_CONTROL_STRICT_PERMISSION ON)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
