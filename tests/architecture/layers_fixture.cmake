# Runs check_layers.cmake on a copy of fixtures/tree/ with one file added (or replaced), so that
# a negative test differs from the clean fixture tree by exactly that file.
#
#   cmake -DWORK_DIR=<empty dir to use> -DLAYERS_FILE=<file> -DADD=<file> -DAS=<path in the tree>
#         -P layers_fixture.cmake

cmake_minimum_required(VERSION 3.25)

file(REMOVE_RECURSE "${WORK_DIR}")
file(COPY "${CMAKE_CURRENT_LIST_DIR}/fixtures/tree/" DESTINATION "${WORK_DIR}")
file(COPY_FILE "${ADD}" "${WORK_DIR}/${AS}")
set(SOURCE_DIR "${WORK_DIR}")
include(${CMAKE_CURRENT_LIST_DIR}/check_layers.cmake)
