# Which files of a checkout are sources, shared by check_layers.cmake and check_sizes.cmake.

include_guard(GLOBAL)

# The extensions both checks look at.
set(SIGNET_SOURCE_GLOBS *.cpp *.hpp *.h)

# signet_source_files(<root> <out_var>): the sources under <root>'s top-level folders, as
# paths relative to <root>, sorted. Build trees (build*/ or any folder with a CMakeCache.txt:
# they hold CMake's generated .cpp files) and hidden folders such as .git/ are not sources.
function(signet_source_files root out_var)
  file(GLOB entries LIST_DIRECTORIES true RELATIVE "${root}" "${root}/*")
  set(files "")
  foreach(top IN LISTS entries)
    if(NOT IS_DIRECTORY "${root}/${top}" OR top MATCHES "^(build|\\.)"
       OR EXISTS "${root}/${top}/CMakeCache.txt")
      continue()
    endif()
    list(TRANSFORM SIGNET_SOURCE_GLOBS PREPEND "${root}/${top}/" OUTPUT_VARIABLE globs)
    file(GLOB_RECURSE found RELATIVE "${root}" ${globs})
    list(APPEND files ${found})
  endforeach()
  list(SORT files)
  set(${out_var} "${files}" PARENT_SCOPE)
endfunction()

# signet_read_lines(<file> <out_var>): the file's lines as a list, element N-1 being line N.
# Semicolons, backslashes and square brackets would split or join CMake list elements, so they
# become spaces first; the checks never need them.
function(signet_read_lines file out_var)
  file(READ "${file}" text)
  string(REGEX REPLACE "[;\\\\\r]" " " text "${text}")
  string(REPLACE "[" " " text "${text}")
  string(REPLACE "]" " " text "${text}")
  string(REPLACE "\n" ";" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()
