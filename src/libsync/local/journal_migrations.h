// The journal's schema history, embedded from src/libsync/local/migrations/NNN_*.sql at build time
// (cmake/EmbedMigrations.cmake). Migration n brings the schema from version n-1 to n.
#pragma once

#include <span>

namespace nubo::sync {

struct Migration {
    int version;
    const char* name;
    const char* sql;
};

std::span<const Migration> journalMigrations();

} // namespace nubo::sync
