# hetero_add_plugin(NAME SOURCES...): builds a hetero device plugin as a loadable module.
# NAME should start with hetero_plugin_ so that hetero finds lib<NAME>.so on
# HETERO_PLUGIN_PATH. Only HETERO_PLUGIN_ENTRY_NAME is exported (hidden visibility).
function(hetero_add_plugin name)
  if(NOT ARGN)
    message(FATAL_ERROR "hetero_add_plugin(${name}): no sources")
  endif()
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE hetero::plugin_abi)
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
endfunction()
