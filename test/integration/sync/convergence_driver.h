// What the two randomized convergence tests share (convergence_test.cpp for plain folders,
// e2ee_convergence_test.cpp with an encrypted folder): the random source, the record of every
// content a user wrote or superseded, the server as a third device that edits over WebDAV, the
// check that no sync loses a content, and the run log. Each test adds its own edits, syncs and
// final checks.
#pragma once

#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <sqlite3.h>
#include <sstream>
#include <string>
#include <vector>

#include "journal.h"
#include "local_file.h"
#include "sync_fixture.h"

namespace nubo::sync::test {

inline std::uint64_t envNumber(const char* name, std::uint64_t fallback)
{
    const char* value = std::getenv(name);
    return value && *value ? std::stoull(value) : fallback;
}

template <typename Fixture>
class ConvergenceDriver : public Fixture {
protected:
    std::mt19937_64 m_random;
    std::set<std::string> m_written;    // every content a user wrote
    std::set<std::string> m_superseded; // contents a user overwrote or deleted on purpose
    int m_counter = 0;
    std::ostringstream m_log; // what happened, kept in the work folder

    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(m_random); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(m_random) < p; }

    // How long a new content is (beyond its label).
    virtual std::size_t contentSize() { return pick(3) == 0 ? pick(3000) : pick(40); }
    // Paths the server, as a third device, leaves alone.
    virtual bool serverLeavesAlone(const std::string&) const { return false; }

    // A new content, "<who> #<n> " and filler, recorded as written.
    std::string freshContent(const std::string& who)
    {
        std::string content = who + " #" + std::to_string(++m_counter) + " ";
        const std::size_t size = contentSize();
        content.append(size, static_cast<char>('a' + pick(26)));
        m_written.insert(content);
        return content;
    }
    // "<who> #<n>": how the log names a content.
    static std::string label(const std::string& content)
    {
        return content.substr(0, content.find(' ', content.find('#')));
    }

    std::string name(bool folder)
    {
        static const std::vector<std::string> files{"a", "b", "c.txt", "Notes.md", "x y.bin"};
        static const std::vector<std::string> folders{"d", "e", "Photos", "ü"};
        return folder ? folders[pick(folders.size())] : files[pick(files.size())];
    }

    // ---- the server, as a third device (an injected fault makes it give up) ----

    std::optional<Tree> serverListing()
    {
        Tree result;
        std::vector<std::string> folders{""};
        while (!folders.empty()) {
            const std::string folder = folders.back();
            folders.pop_back();
            auto listing = this->server().list(folder);
            if (!listing)
                return std::nullopt;
            for (const auto& [childName, entry] : listing->children) {
                const std::string path = joinPath(folder, childName);
                if (isConflictCopyName(childName) || serverLeavesAlone(path))
                    continue;
                result[path] = entry.type == ItemType::Directory ? kFolder : std::string();
                if (entry.type == ItemType::Directory)
                    folders.push_back(path);
            }
        }
        return result;
    }

    std::optional<std::string> tryServerRead(const std::string& path)
    {
        const fs::path temp = this->m_work / "convergence-read.tmp";
        if (!this->server().download(path, temp, {}))
            return std::nullopt;
        std::string content = readFile(temp);
        fs::remove(temp);
        return content;
    }

    bool tryServerWrite(const std::string& path, const std::string& content)
    {
        const fs::path temp = this->m_work / "convergence-write.tmp";
        {
            std::ofstream out(temp, std::ios::binary | std::ios::trunc);
            out << content;
        }
        UploadOptions options;
        options.mtime = 1700000000 + m_counter;
        options.checksum = *sha1OfFile(temp);
        return this->server().upload(path, temp, options).has_value();
    }

    void editOnServer()
    {
        auto tree = serverListing();
        if (!tree)
            return;
        std::vector<std::string> files, folders{""};
        for (const auto& [path, content] : *tree)
            (content == kFolder ? folders : files).push_back(path);
        const std::string folder = folders[pick(folders.size())];
        auto& server = this->server();
        switch (pick(6)) {
        case 0:
        case 1: { // create or overwrite
            const std::string path = joinPath(folder, name(false));
            if (tree->contains(path) && (*tree)[path] == kFolder)
                return;
            std::optional<std::string> old;
            if (tree->contains(path) && !(old = tryServerRead(path)))
                return;
            const std::string content = freshContent("server");
            if (tryServerWrite(path, content)) {
                if (old)
                    m_superseded.insert(*old);
                m_log << "server write " << path << " #" << m_counter << "\n";
            } else {
                m_written.erase(content); // refused by an injected fault: it never existed
            }
            return;
        }
        case 2: { // delete a file
            if (files.empty())
                return;
            const std::string path = files[pick(files.size())];
            const auto old = tryServerRead(path);
            if (old && server.remove(path)) {
                m_superseded.insert(*old);
                m_log << "server delete " << path << "\n";
            }
            return;
        }
        case 3: { // make a folder
            const std::string path = joinPath(folder, name(true));
            if (!tree->contains(path) && depth(path) <= 3 && server.makeFolder(path))
                m_log << "server mkdir " << path << "\n";
            return;
        }
        case 4: { // move a file
            if (files.empty())
                return;
            const std::string from = files[pick(files.size())];
            const std::string to = joinPath(folders[pick(folders.size())], name(false));
            if (!tree->contains(to) && server.move(from, to))
                m_log << "server move " << from << " -> " << to << "\n";
            return;
        }
        case 5: { // move a folder
            if (folder.empty())
                return;
            const std::string parent = folders[pick(folders.size())];
            const std::string to = joinPath(parent, name(true));
            if (!isInside(parent, folder) && !tree->contains(to) && depth(to) <= 3 && server.move(folder, to))
                m_log << "server move folder " << folder << " -> " << to << "\n";
            return;
        }
        }
    }

    // ---- what no sync may lose ----

    // Every content present right now: the clients' files and conflict copies, and the server's
    // blobs (read from its data folder, so injected faults do not get in the way; for an
    // encrypted folder that is ciphertext, what is only there is checked at the end, decrypted).
    std::set<std::string> present()
    {
        std::set<std::string> found;
        for (const auto& [clientName, c] : this->m_clients)
            for (const auto& entry : fs::recursive_directory_iterator(c->folder()))
                if (entry.is_regular_file() && !entry.path().filename().string().starts_with(JOURNAL_FILE_NAME))
                    found.insert(readFile(entry.path()));
        // Only the blobs the server's tree still points at: it deletes replaced ones after a while.
        sqlite3* db = nullptr;
        EXPECT_EQ(
            sqlite3_open_v2((this->m_server->dataDir() / "nubo.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        sqlite3_stmt* stmt = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT blob FROM items WHERE blob IS NOT NULL", -1, &stmt, nullptr),
                  SQLITE_OK);
        while (stmt && sqlite3_step(stmt) == SQLITE_ROW)
            found.insert(readFile(this->m_server->dataDir() / "blobs" /
                                  reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))));
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return found;
    }

    // What a sync must keep: the contents present now that no user replaced or deleted.
    std::set<std::string> mustSurvive()
    {
        std::set<std::string> kept;
        for (const std::string& content : present())
            if (m_written.contains(content) && !m_superseded.contains(content))
                kept.insert(content);
        return kept;
    }

    void expectNothingLost(const std::set<std::string>& before, const std::string& who, int round)
    {
        const std::set<std::string> after = present();
        for (const std::string& content : before)
            if (!after.contains(content)) {
                ADD_FAILURE() << "sync " << who << " in round " << round << " lost '" << label(content) << "'";
                m_log << "  LOST by this sync: " << label(content) << "\n";
            }
    }

    // ---- the log ----

    void logItems(SyncClient& c, std::size_t from)
    {
        for (std::size_t i = from; i < c.finishedItems.size(); ++i) {
            const ItemReport& item = c.finishedItems[i];
            m_log << "    " << actionKindName(item.kind) << " " << (item.from.empty() ? "" : item.from + " -> ")
                  << item.path << (item.ok ? "" : " FAILED: " + item.message) << "\n";
        }
    }

    void logResult(const Result<SyncSummary>& result)
    {
        if (!result) {
            m_log << "failed: " << result.error().message << "\n";
            return;
        }
        m_log << "up " << result->uploaded << " down " << result->downloaded << " moved "
              << result->movedLocal + result->movedRemote << " deleted " << result->deletedLocal + result->deletedRemote
              << " conflicts " << result->conflicts << " errors " << result->errors.size() << "\n";
        for (const ItemReport& error : result->errors)
            m_log << "    error " << error.path << ": " << error.message << "\n";
    }
};

} // namespace nubo::sync::test
