# Turns src/libsync/local/migrations/NNN_name.sql into a C++ table the journal applies in order.
# Invoked as: cmake "-DINPUTS=a.sql|b.sql" -DOUTPUT=... -P EmbedMigrations.cmake
string(REPLACE "|" ";" INPUTS "${INPUTS}")
set(body "")
set(expected 1)
foreach(input IN LISTS INPUTS)
    get_filename_component(name "${input}" NAME)
    if(NOT name MATCHES "^([0-9][0-9][0-9])_[a-z0-9_]+\\.sql$")
        message(FATAL_ERROR "${input}: migrations are named NNN_lowercase_words.sql")
    endif()
    math(EXPR number "${CMAKE_MATCH_1}")
    if(NOT number EQUAL expected)
        message(FATAL_ERROR "${input}: migration ${number} where ${expected} was expected; numbers have no gaps")
    endif()
    math(EXPR expected "${expected} + 1")
    file(READ "${input}" sql)
    # A raw string literal cannot hold its own delimiter; SQL never contains )nubo".
    string(APPEND body "    {${number}, \"${name}\", R\"nubo(${sql})nubo\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from src/libsync/local/migrations by cmake/EmbedMigrations.cmake. Do not edit.
#include \"journal_migrations.h\"

namespace nubo::sync {
std::span<const Migration> journalMigrations()
{
    static const Migration migrations[] = {
${body}    };
    return migrations;
}
} // namespace nubo::sync
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
