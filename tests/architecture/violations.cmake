# Counting the violations a check prints, shared by the checks of this folder.

include_guard(GLOBAL)

set(violation_count 0)
# A function, not a macro: a macro would expand the backslashes and ${...} of a message.
function(violation text)
  message("${text}")
  math(EXPR count "${violation_count} + 1")
  set(violation_count ${count} PARENT_SCOPE)
endfunction()
