# Runs check_sizes.cmake on a tree generated in WORK_DIR exactly at its limits: a folder lib/ with
# MAX_SOURCES_PER_FOLDER sources, the first of MAX_LINES_PER_FILE lines, and a SIGNETD_MAIN of
# MAX_LINES_OF_SIGNETD_MAIN lines. OVER puts one limit one past: file, folder or main.
# Generated rather than committed, so that no oversized file sits in the repository.
#
#   cmake -DWORK_DIR=<empty dir to use> [-DOVER=file|folder|main] -P sizes_fixture.cmake

cmake_minimum_required(VERSION 3.25)

# The limits, read from the set(...) lines of check_sizes.cmake so that the tree follows them.
file(STRINGS ${CMAKE_CURRENT_LIST_DIR}/check_sizes.cmake limits REGEX "^set\\([A-Z_]+ [^ )]+\\)")
foreach(line IN LISTS limits)
  if(line MATCHES "^set\\(([A-Z_]+) ([^ )]+)\\)")
    set(${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
  endif()
endforeach()
foreach(name MAX_SOURCES_PER_FOLDER MAX_LINES_PER_FILE SIGNETD_MAIN MAX_LINES_OF_SIGNETD_MAIN)
  if(NOT DEFINED ${name})
    message(FATAL_ERROR "no set(${name} ...) line in check_sizes.cmake")
  endif()
endforeach()

set(sources ${MAX_SOURCES_PER_FOLDER})
set(lines ${MAX_LINES_PER_FILE})
set(main_lines ${MAX_LINES_OF_SIGNETD_MAIN})
if(OVER STREQUAL "folder")
  math(EXPR sources "${sources} + 1")
elseif(OVER STREQUAL "file")
  math(EXPR lines "${lines} + 1")
elseif(OVER STREQUAL "main")
  math(EXPR main_lines "${main_lines} + 1")
elseif(DEFINED OVER)
  message(FATAL_ERROR "OVER=${OVER}: expected file, folder or main")
endif()

file(REMOVE_RECURSE "${WORK_DIR}")
string(REPEAT "//\n" ${lines} text)
file(WRITE "${WORK_DIR}/lib/source_1.cpp" "${text}")
foreach(i RANGE 2 ${sources})
  file(WRITE "${WORK_DIR}/lib/source_${i}.cpp" "// ${i}\n")
endforeach()
string(REPEAT "//\n" ${main_lines} text)
file(WRITE "${WORK_DIR}/${SIGNETD_MAIN}" "${text}")

set(SOURCE_DIR "${WORK_DIR}")
include(${CMAKE_CURRENT_LIST_DIR}/check_sizes.cmake)
