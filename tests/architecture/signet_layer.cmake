# The two commands that cmake/layers.cmake is written in. The rules are stored in global
# properties rather than variables, so that they reach the checker whatever scope includes them.

include_guard(GLOBAL)

# signet_layer(<name> FOLDERS <folder>... [DEPENDS <module>...] [FORBID <regex>...])
# One module: its folders (relative to the repository root), the modules it may use directly,
# and regexes of header names its files must never include.
function(signet_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "FOLDERS;DEPENDS;FORBID")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "signet_layer(${name}): unexpected ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_FOLDERS)
    message(FATAL_ERROR "signet_layer(${name}): no FOLDERS")
  endif()
  get_property(modules GLOBAL PROPERTY SIGNET_LAYERS)
  if(name IN_LIST modules)
    message(FATAL_ERROR "signet_layer(${name}): module declared twice")
  endif()
  set_property(GLOBAL APPEND PROPERTY SIGNET_LAYERS ${name})
  set_property(GLOBAL PROPERTY SIGNET_LAYER_${name}_FOLDERS ${arg_FOLDERS})
  set_property(GLOBAL PROPERTY SIGNET_LAYER_${name}_DEPENDS ${arg_DEPENDS})
  set_property(GLOBAL PROPERTY SIGNET_LAYER_${name}_FORBID ${arg_FORBID})
endfunction()

# signet_forbid_everywhere(<regex>...): header names that no module may include.
function(signet_forbid_everywhere)
  set_property(GLOBAL APPEND PROPERTY SIGNET_FORBID_EVERYWHERE ${ARGN})
endfunction()
