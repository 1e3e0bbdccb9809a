# Out-of-tree plugin build: installs the plugin ABI package from hetero's build tree into
# a fresh prefix, builds a copy of devices/null against it (warnings as errors), and
# loads the module with plugin_probe, which lists its devices through the registry.
# Run by ctest: cmake -DHETERO_BINARY_DIR=.. -DNULL_SOURCE_DIR=.. -DWORK_DIR=..
#   -DGENERATOR=.. -DCXX_COMPILER=.. -DPROBE=.. -P out_of_tree_test.cmake
foreach(var HETERO_BINARY_DIR NULL_SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER PROBE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "out_of_tree_test: -D${var}= is required")
  endif()
endforeach()

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "out_of_tree_test: ${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run_step("install of the plugin_abi component"
         ${CMAKE_COMMAND} --install ${HETERO_BINARY_DIR} --prefix ${prefix} --component plugin_abi)
foreach(installed include/hetero/hetero_plugin.h lib/cmake/heteroPlugin/heteroPluginConfig.cmake
                  lib/cmake/heteroPlugin/heteroPluginConfigVersion.cmake)
  if(NOT EXISTS ${prefix}/${installed})
    message(FATAL_ERROR "out_of_tree_test: the install did not write ${installed}")
  endif()
endforeach()

# The copy lives outside the tree: only the installed package can supply the header.
file(COPY ${NULL_SOURCE_DIR}/ DESTINATION ${WORK_DIR}/src PATTERN "*_test.cc" EXCLUDE)
run_step("configure of the copied template"
         ${CMAKE_COMMAND} -S ${WORK_DIR}/src -B ${WORK_DIR}/build -G ${GENERATOR}
         -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release
         "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Werror" -DCMAKE_PREFIX_PATH=${prefix})
run_step("build of the copied template" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)

set(module ${WORK_DIR}/build/libhetero_plugin_null.so)
if(NOT EXISTS ${module})
  message(FATAL_ERROR "out_of_tree_test: the build made no ${module}")
endif()
run_step("loading the module" ${PROBE} ${module})
if(NOT step_output MATCHES "device null:0 ")
  message(FATAL_ERROR "out_of_tree_test: the probe did not list null:0:\n${step_output}")
endif()
message(STATUS "out_of_tree_test: built and loaded ${module}\n${step_output}")
