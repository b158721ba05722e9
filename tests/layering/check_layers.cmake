# The layering rule of docs/architecture.md, checked on every source file's #include lines:
#   model/ <- reconciler/ <- drivers/<platform>/platform/ <- drivers/<platform>/ (and drivers/sim/) <- cli/
# A folder may include its own files and the folders below it in that chain, never one above or beside it.
# Run: cmake -DSOURCE_DIR=<repo> -P check_layers.cmake (exit status 1 and every offending line on failure).
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "pass -DSOURCE_DIR=<repository root>")
endif()

# folder -> include prefixes it may use (besides system and third-party headers, written with <...>)
set(ALLOWED_model "model/")
set(ALLOWED_reconciler "model/;reconciler/")
set(ALLOWED_drivers/linux/platform "model/;reconciler/;drivers/linux/platform/")
set(ALLOWED_drivers/freebsd/platform "model/;reconciler/;drivers/freebsd/platform/")
set(ALLOWED_drivers/sim "model/;reconciler/;drivers/linux/platform/;drivers/sim/")
set(ALLOWED_drivers/linux "model/;reconciler/;drivers/linux/platform/;drivers/linux/")
set(ALLOWED_drivers/freebsd "model/;reconciler/;drivers/freebsd/platform/;drivers/freebsd/")
set(FOLDERS model reconciler drivers/linux/platform drivers/freebsd/platform drivers/sim drivers/linux drivers/freebsd)

set(violations "")
set(checked 0)
foreach(folder ${FOLDERS})
  # Only the folder's own files: a platform part under drivers/linux/ is checked by its own, stricter rule.
  file(GLOB sources ${SOURCE_DIR}/${folder}/*.h ${SOURCE_DIR}/${folder}/*.cc ${SOURCE_DIR}/${folder}/sim/*.h
       ${SOURCE_DIR}/${folder}/sim/*.cc)
  foreach(src ${sources})
    math(EXPR checked "${checked} + 1")
    file(STRINGS ${src} includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
    foreach(line ${includes})
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]*)\".*$" "\\1" header "${line}")
      set(ok FALSE)
      foreach(prefix ${ALLOWED_${folder}})
        string(FIND "${header}" "${prefix}" at)
        if(at EQUAL 0)
          set(ok TRUE)
        endif()
      endforeach()
      # A kernel-facing driver's own folder prefix also matches its platform part's; that direction is fine.
      # The reverse (a platform part including its driver) is caught because the platform's list lacks it.
      if(NOT ok)
        file(RELATIVE_PATH rel ${SOURCE_DIR} ${src})
        string(APPEND violations "  ${rel}: #include \"${header}\" (${folder}/ may include: ${ALLOWED_${folder}})\n")
      endif()
    endforeach()
  endforeach()
endforeach()

# `linux` is a predefined macro under GNU C++ (gnu++20): no namespace may be called that.
file(GLOB_RECURSE all_sources ${SOURCE_DIR}/model/*.h ${SOURCE_DIR}/model/*.cc ${SOURCE_DIR}/reconciler/*.h
     ${SOURCE_DIR}/reconciler/*.cc ${SOURCE_DIR}/drivers/*.h ${SOURCE_DIR}/drivers/*.cc ${SOURCE_DIR}/cli/*.h
     ${SOURCE_DIR}/cli/*.cc ${SOURCE_DIR}/tests/*.h ${SOURCE_DIR}/tests/*.cc ${SOURCE_DIR}/bench/*.cc)
foreach(src ${all_sources})
  file(STRINGS ${src} hits REGEX "(namespace[ \t]+([A-Za-z_:]*::)?linux([ \t]*[{=]|::)|[^A-Za-z_]linux::)")
  foreach(line ${hits})
    file(RELATIVE_PATH rel ${SOURCE_DIR} ${src})
    string(APPEND violations "  ${rel}: ${line} (`linux` is a macro under gnu++20: use berth::drivers::lnx)\n")
  endforeach()
endforeach()

if(checked LESS 50)
  message(FATAL_ERROR "layering: only ${checked} files found under ${SOURCE_DIR}: wrong SOURCE_DIR?")
endif()
if(violations)
  message(FATAL_ERROR "layering: includes that break docs/architecture.md's layers:\n${violations}")
endif()
message(STATUS "layering: ${checked} files, every include points down the layers")
