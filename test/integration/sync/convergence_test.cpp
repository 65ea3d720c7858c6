// Randomized convergence: two clients and the server make random edits, moves and deletes between
// syncs while nubo-server injects errors. At the end all three hold the same tree, and no content
// that a user did not replace or delete himself was lost (it is a file or a conflict copy).
//
// Reproducible: NUBO_CONVERGENCE_SEED=N picks the seed (printed by every run), and
// NUBO_CONVERGENCE_ROUNDS=N the number of rounds (default 200; the `slow` test runs 3000).
#include "sync_fixture.h"

#include "exclude_list.h"
#include "journal.h"
#include "local_file.h"

#include <fstream>
#include <sqlite3.h>
#include <random>
#include <set>
#include <sstream>

namespace nubo::sync::test {
namespace {

std::uint64_t envNumber(const char* name, std::uint64_t fallback)
{
    const char* value = std::getenv(name);
    return value && *value ? std::stoull(value) : fallback;
}

class Convergence : public SyncFixture {
protected:
    std::mt19937_64 m_random;
    std::set<std::string> m_written;    // every content a user wrote
    std::set<std::string> m_superseded; // contents a user overwrote or deleted on purpose
    int m_counter = 0;
    std::ostringstream m_log;           // what happened, printed on failure

    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(m_random); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(m_random) < p; }

    std::string freshContent(const std::string& who)
    {
        std::string content = who + " #" + std::to_string(++m_counter) + " ";
        content.append(pick(3) == 0 ? pick(3000) : pick(40), static_cast<char>('a' + pick(26)));
        m_written.insert(content);
        return content;
    }

    std::string name(bool folder)
    {
        static const std::vector<std::string> files{"a", "b", "c.txt", "Notes.md", "x y.bin"};
        static const std::vector<std::string> folders{"d", "e", "Photos", "ü"};
        return folder ? folders[pick(folders.size())] : files[pick(files.size())];
    }

    // ---- a client's folder ----

    void editLocally(SyncClient& c, const std::string& who)
    {
        Tree tree = c.tree();
        std::vector<std::string> files, folders{""};
        for (const auto& [path, content] : tree)
            (content == kFolder ? folders : files).push_back(path);
        const int op = static_cast<int>(pick(8));
        const std::string folder = folders[pick(folders.size())];
        switch (op) {
        case 0:
        case 1: { // create or overwrite
            const std::string path = joinPath(folder, name(false));
            if (tree.contains(path) && tree[path] == kFolder)
                return;
            if (tree.contains(path))
                m_superseded.insert(tree[path]);
            c.write(path, freshContent(who));
            m_log << who << " write " << path << " #" << m_counter << "\n";
            return;
        }
        case 2: { // modify
            if (files.empty())
                return;
            const std::string path = files[pick(files.size())];
            m_superseded.insert(tree[path]);
            c.write(path, freshContent(who));
            m_log << who << " modify " << path << " #" << m_counter << "\n";
            return;
        }
        case 3: { // delete a file
            if (files.empty())
                return;
            const std::string path = files[pick(files.size())];
            m_superseded.insert(tree[path]);
            c.remove(path);
            m_log << who << " delete " << path << "\n";
            return;
        }
        case 4: { // make a folder
            const std::string path = joinPath(folder, name(true));
            if (tree.contains(path) || depth(path) > 3)
                return;
            c.mkdir(path);
            m_log << who << " mkdir " << path << "\n";
            return;
        }
        case 5: { // delete a folder
            if (folder.empty() || !chance(0.5))
                return;
            // Everything in it goes, conflict copies included.
            for (const auto& entry : fs::recursive_directory_iterator(c.path(folder))) {
                if (!entry.is_regular_file())
                    continue;
                m_superseded.insert(readFile(entry.path()));
            }
            c.remove(folder);
            m_log << who << " rmdir " << folder << "\n";
            return;
        }
        case 6: { // move or rename a file
            if (files.empty())
                return;
            const std::string from = files[pick(files.size())];
            const std::string to = joinPath(folders[pick(folders.size())], name(false));
            if (tree.contains(to))
                return;
            c.move(from, to);
            m_log << who << " move " << from << " -> " << to << "\n";
            return;
        }
        case 7: { // move or rename a folder
            if (folder.empty())
                return;
            const std::string parent = folders[pick(folders.size())];
            const std::string to = joinPath(parent, name(true));
            if (isInside(parent, folder) || tree.contains(to) || depth(to) > 3)
                return;
            c.move(folder, to);
            m_log << who << " move folder " << folder << " -> " << to << "\n";
            return;
        }
        }
    }

    // ---- the server, as a third device (its requests may hit injected faults: then it gives up) ----

    std::optional<Tree> serverListing()
    {
        Tree result;
        std::vector<std::string> folders{""};
        while (!folders.empty()) {
            const std::string folder = folders.back();
            folders.pop_back();
            auto listing = server().list(folder);
            if (!listing)
                return std::nullopt;
            for (const auto& [childName, entry] : listing->children) {
                const std::string path = joinPath(folder, childName);
                if (isConflictCopyName(childName))
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
        const fs::path temp = m_work / "convergence-read.tmp";
        auto result = server().download(path, temp, {});
        if (!result)
            return std::nullopt;
        std::string content = readFile(temp);
        fs::remove(temp);
        return content;
    }

    bool tryServerWrite(const std::string& path, const std::string& content)
    {
        const fs::path temp = m_work / "convergence-write.tmp";
        {
            std::ofstream out(temp, std::ios::binary | std::ios::trunc);
            out << content;
        }
        UploadOptions options;
        options.mtime = 1700000000 + m_counter;
        options.checksum = *sha1OfFile(temp);
        return server().upload(path, temp, options).has_value();
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
                m_written.erase(content); // an injected fault refused it: it never existed
            }
            return;
        }
        case 2: { // delete a file
            if (files.empty())
                return;
            const std::string path = files[pick(files.size())];
            const auto old = tryServerRead(path);
            if (old && server().remove(path)) {
                m_superseded.insert(*old);
                m_log << "server delete " << path << "\n";
            }
            return;
        }
        case 3: { // make a folder
            const std::string path = joinPath(folder, name(true));
            if (!tree->contains(path) && depth(path) <= 3 && server().makeFolder(path))
                m_log << "server mkdir " << path << "\n";
            return;
        }
        case 4: { // move a file
            if (files.empty())
                return;
            const std::string from = files[pick(files.size())];
            const std::string to = joinPath(folders[pick(folders.size())], name(false));
            if (!tree->contains(to) && server().move(from, to))
                m_log << "server move " << from << " -> " << to << "\n";
            return;
        }
        case 5: { // move a folder
            if (folder.empty())
                return;
            const std::string parent = folders[pick(folders.size())];
            const std::string to = joinPath(parent, name(true));
            if (!isInside(parent, folder) && !tree->contains(to) && depth(to) <= 3 && server().move(folder, to))
                m_log << "server move folder " << folder << " -> " << to << "\n";
            return;
        }
        }
    }

    // Every content that exists anywhere: files and conflict copies of both clients, the server.
    std::set<std::string> everything(SyncClient& a, SyncClient& b)
    {
        std::set<std::string> found;
        for (SyncClient* c : {&a, &b}) {
            for (const auto& entry : fs::recursive_directory_iterator(c->folder())) {
                if (!entry.is_regular_file())
                    continue;
                found.insert(readFile(entry.path()));
            }
        }
        for (const auto& [path, content] : serverTree())
            found.insert(content);
        return found;
    }

    // Every content present right now: both clients' files and conflict copies, and the server's
    // blobs (read from its data folder, so injected faults do not get in the way).
    std::set<std::string> present()
    {
        std::set<std::string> found;
        const auto addFiles = [&](const fs::path& folder) {
            for (const auto& entry : fs::recursive_directory_iterator(folder)) {
                if (!entry.is_regular_file() || entry.path().filename().string().starts_with(JOURNAL_FILE_NAME))
                    continue;
                found.insert(readFile(entry.path()));
            }
        };
        for (const auto& [name, c] : m_clients)
            addFiles(c->folder());
        // Only the blobs the server's tree still points at: it deletes replaced ones after a while.
        sqlite3* db = nullptr;
        const fs::path database = m_server->dataDir() / "nubo.sqlite";
        EXPECT_EQ(sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        sqlite3_stmt* stmt = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT blob FROM items WHERE blob IS NOT NULL", -1, &stmt, nullptr),
                  SQLITE_OK);
        while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
            const auto* blob = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
            found.insert(readFile(m_server->dataDir() / "blobs" / blob));
        }
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return found;
    }

    void sync(SyncClient& c, const std::string& who, int round)
    {
        // A sync replaces or deletes nothing a user did not replace or delete: what is present
        // and not superseded before it is still present after it.
        std::set<std::string> before;
        for (const std::string& content : present())
            if (m_written.contains(content) && !m_superseded.contains(content))
                before.insert(content);
        const std::size_t reported = c.finishedItems.size();
        auto result = c.sync();
        const std::set<std::string> after = present();
        for (std::size_t i = reported; i < c.finishedItems.size(); ++i) {
            const ItemReport& item = c.finishedItems[i];
            m_log << "    " << actionKindName(item.kind) << " " << (item.from.empty() ? "" : item.from + " -> ")
                  << item.path << (item.ok ? "" : " FAILED: " + item.message) << "\n";
        }
        for (const std::string& content : before)
            if (!after.contains(content)) {
                ADD_FAILURE() << "sync " << who << " in round " << round << " lost '"
                              << content.substr(0, content.find(' ', content.find('#'))) << "'";
                m_log << "  LOST by this sync: " << content.substr(0, content.find(' ', content.find('#'))) << "\n";
            }
        m_log << "  sync " << who << " (round " << round << "): ";
        if (!result) {
            m_log << "failed: " << result.error().message << "\n";
            ASSERT_NE(result.error().code, SyncErrorCode::MassDelete) << "mass delete guard in a small tree";
            return;
        }
        m_log << "up " << result->uploaded << " down " << result->downloaded << " moved "
              << result->movedLocal + result->movedRemote << " deleted " << result->deletedLocal + result->deletedRemote
              << " conflicts " << result->conflicts << " errors " << result->errors.size() << "\n";
        for (const ItemReport& error : result->errors)
            m_log << "    error " << error.path << ": " << error.message << "\n";
    }
};

TEST_F(Convergence, RandomEditsOnTwoClientsAndTheServerConverge)
{
    const std::uint64_t seed = envNumber("NUBO_CONVERGENCE_SEED", std::random_device{}());
    const std::uint64_t rounds = envNumber("NUBO_CONVERGENCE_ROUNDS", 200);
    std::cout << "convergence seed " << seed << ", " << rounds
              << " rounds (rerun with NUBO_CONVERGENCE_SEED=" << seed << ")\n";
    RecordProperty("seed", std::to_string(seed));
    m_random.seed(seed);
    auto& a = client("a"); // connected before the faults begin
    auto& b = client("b");
    restartServer({"--seed", std::to_string(seed), "--faults",
                   "PUT * status=500 p=0.03; GET * cut p=0.03; PROPFIND * status=503 p=0.02; "
                   "MOVE * status=500 p=0.03; DELETE * status=502 p=0.03; MKCOL * status=500 p=0.03"});
    for (SyncClient* c : {&a, &b}) {
        c->options.maxRetries = 1;
        c->options.massDeleteMinimum = 1000000; // random deletes of whole folders are intended here
        // One transfer at a time keeps the order of requests, and so the server's fault draws,
        // the same for a seed: a failing seed replays.
        c->options.parallelism = static_cast<int>(envNumber("NUBO_CONVERGENCE_PARALLELISM", 1));
        c->options.useTrash = false;
    }

    for (std::uint64_t round = 1; round <= rounds && !HasFailure(); ++round) {
        for (std::size_t i = pick(3); i > 0; --i)
            editLocally(a, "a");
        for (std::size_t i = pick(3); i > 0; --i)
            editLocally(b, "b");
        if (chance(0.3))
            editOnServer();
        const bool aFirst = chance(0.5);
        if (aFirst || chance(0.7))
            sync(aFirst ? a : b, aFirst ? "a" : "b", static_cast<int>(round));
        if (!aFirst || chance(0.7))
            sync(aFirst ? b : a, aFirst ? "b" : "a", static_cast<int>(round));
    }

    // The final syncs run on a server without faults, until nothing is left to do.
    restartServer({});
    for (int i = 0; i < 4; ++i) {
        sync(a, "a", -1);
        sync(b, "b", -1);
    }
    if (std::getenv("NUBO_CONVERGENCE_VERBOSE"))
        std::cout << m_log.str();
    std::ofstream(m_work / "convergence.log") << m_log.str();
    const Tree server = serverTree();
    EXPECT_TRUE(sameTree(a.tree(), server)) << "seed " << seed << "; the log is convergence.log in the work folder";
    EXPECT_TRUE(sameTree(b.tree(), server)) << "seed " << seed << "; the log is convergence.log in the work folder";
    const std::set<std::string> found = everything(a, b);
    std::vector<std::string> lost;
    for (const std::string& content : m_written)
        if (!m_superseded.contains(content) && !found.contains(content))
            lost.push_back(content.substr(0, content.find(' ', content.find('#'))));
    const std::string log = m_log.str();
    const std::string access = accessLog();
    const auto occurrences = [](const std::string& text, const std::string& word) {
        std::size_t n = 0;
        for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1))
            ++n;
        return n;
    };
    std::cout << "convergence: " << m_written.size() << " contents written, " << server.size()
              << " items at the end, " << occurrences(log, "  sync ") << " syncs, " << occurrences(log, "    error ")
              << " item errors, " << occurrences(log, ": failed") << " failed runs, "
              << a.conflictCopies().size() + b.conflictCopies().size() << " conflict copies, "
              << occurrences(access, "fault=") << " faults\n";
    EXPECT_TRUE(lost.empty()) << lost.size() << " contents lost, e.g. '" << (lost.empty() ? "" : lost[0])
                              << "' (seed " << seed << "; the log is convergence.log in the work folder)";
}

} // namespace
} // namespace nubo::sync::test
