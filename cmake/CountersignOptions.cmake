# One INTERFACE target that carries the language standard, warnings, Qt defines and hardening
# flags. Every Countersign target links it; nothing is set globally.
set(COUNTERSIGN_SANITIZE "" CACHE STRING "Sanitizers to enable, e.g. address,undefined")

add_library(countersign_options INTERFACE)
add_library(Countersign::options ALIAS countersign_options)

target_compile_features(countersign_options INTERFACE cxx_std_20)

target_compile_definitions(countersign_options INTERFACE
    QT_NO_CAST_TO_ASCII
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_FOREACH
    QT_NO_KEYWORDS
    QT_USE_QSTRINGBUILDER
    QT_DISABLE_DEPRECATED_BEFORE=0x060400
    COUNTERSIGN_VERSION="${PROJECT_VERSION}"
    COUNTERSIGN_APP_ID="${COUNTERSIGN_APP_ID}")

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(countersign_options INTERFACE
        -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
        -Wformat=2 -Wimplicit-fallthrough -Wnull-dereference
        -fstack-protector-strong -fno-strict-aliasing)
    if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug" AND NOT COUNTERSIGN_SANITIZE)
        target_compile_definitions(countersign_options INTERFACE _FORTIFY_SOURCE=2)
    endif()
    target_link_options(countersign_options INTERFACE -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)
    if(COUNTERSIGN_WERROR)
        target_compile_options(countersign_options INTERFACE -Werror)
    endif()
elseif(MSVC)
    target_compile_options(countersign_options INTERFACE /W4 /permissive- /utf-8 /guard:cf)
    if(COUNTERSIGN_WERROR)
        target_compile_options(countersign_options INTERFACE /WX)
    endif()
endif()

if(COUNTERSIGN_SANITIZE)
    target_compile_options(countersign_options INTERFACE
        -fsanitize=${COUNTERSIGN_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(countersign_options INTERFACE -fsanitize=${COUNTERSIGN_SANITIZE})
endif()

set(CMAKE_POSITION_INDEPENDENT_CODE ON)

# Fuzzing builds instrument every library for coverage, not only the fuzz targets' own sources.
if(COUNTERSIGN_FUZZ)
    target_compile_options(countersign_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined)
    target_link_options(countersign_options INTERFACE -fsanitize=address,undefined)
endif()
