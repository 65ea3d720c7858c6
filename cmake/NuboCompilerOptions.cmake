# Warnings and sanitizers for every Nubo target, through one interface library
# that each target links, so third-party code is not affected.
add_library(nubo_compile_options INTERFACE)
target_compile_options(nubo_compile_options INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)
if(NUBO_WERROR)
    target_compile_options(nubo_compile_options INTERFACE -Werror)
endif()
if(NUBO_SANITIZE)
    target_compile_options(nubo_compile_options INTERFACE
        -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    target_link_options(nubo_compile_options INTERFACE -fsanitize=address,undefined)
endif()
