# Checks that no source file, no folder and not signetd's main grow past the limits below, tests
# included: past them, a file or folder has stopped being one thing. Prints each violation with
# its count and fails if there is any.
#
#   cmake -DSOURCE_DIR=<checkout> -P check_sizes.cmake

cmake_minimum_required(VERSION 3.25)

# One set(NAME value) per line: sizes_fixture.cmake reads them to build its trees at the limits.
set(MAX_SOURCES_PER_FOLDER 16) # directly in the folder, subfolders not counted
set(MAX_LINES_PER_FILE 700)
# signetd's main only wires modules together; the work is done in them.
set(SIGNETD_MAIN daemon/signetd_main.cpp)
set(MAX_LINES_OF_SIGNETD_MAIN 120)

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<checkout> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/source_tree.cmake)

include(${CMAKE_CURRENT_LIST_DIR}/violations.cmake)

# line_count(<out_var> <file>): its number of lines, a last line without "\n" included.
function(line_count out_var file)
  file(READ "${file}" text)
  string(REGEX REPLACE "[^\n]" "" newlines "${text}")
  string(LENGTH "${newlines}" count)
  if(NOT text STREQUAL "" AND NOT text MATCHES "\n$")
    math(EXPR count "${count} + 1")
  endif()
  set(${out_var} ${count} PARENT_SCOPE)
endfunction()

signet_source_files("${SOURCE_DIR}" files)
set(folders "")
foreach(file IN LISTS files)
  get_filename_component(folder "${file}" DIRECTORY)
  if(NOT folder IN_LIST folders)
    list(APPEND folders "${folder}")
    set(sources_in_${folder} 0)
  endif()
  math(EXPR sources_in_${folder} "${sources_in_${folder}} + 1")

  line_count(lines "${SOURCE_DIR}/${file}")
  if(lines GREATER MAX_LINES_PER_FILE)
    violation("${file}: ${lines} lines (limit ${MAX_LINES_PER_FILE})")
  endif()
endforeach()

foreach(folder IN LISTS folders)
  if(sources_in_${folder} GREATER MAX_SOURCES_PER_FOLDER)
    violation("${folder}/: ${sources_in_${folder}} source files (limit ${MAX_SOURCES_PER_FOLDER})")
  endif()
endforeach()

# A missing main is a violation too: else renaming the file would turn the check off.
if(NOT EXISTS "${SOURCE_DIR}/${SIGNETD_MAIN}")
  violation("${SIGNETD_MAIN}: missing (it should hold signetd's main, in at most ${MAX_LINES_OF_SIGNETD_MAIN} lines)")
else()
  line_count(lines "${SOURCE_DIR}/${SIGNETD_MAIN}")
  if(lines GREATER MAX_LINES_OF_SIGNETD_MAIN)
    violation("${SIGNETD_MAIN}: ${lines} lines (limit ${MAX_LINES_OF_SIGNETD_MAIN} for signetd's main)")
  endif()
endif()

list(LENGTH files file_count)
list(LENGTH folders folder_count)
set(summary "${file_count} files in ${folder_count} folders checked")
if(violation_count GREATER 0)
  message(FATAL_ERROR "${violation_count} size violation(s) (${summary})")
endif()
message("architecture_sizes: ${summary}")
