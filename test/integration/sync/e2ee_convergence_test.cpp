// Randomized convergence with an end-to-end encrypted folder: two devices (each set up from the 12
// words) make random edits, moves and deletes on both sides of the boundary of the encrypted
// folder "vault" -- files moved into and out of it included -- and the server, as a third device,
// changes the plain part (inside the encrypted folder it could only write ciphertext under random
// names, which is not what a random WebDAV edit can do). nubo-server injects errors on WebDAV and
// on the E2EE API (a lock refused, metadata writes and unlocks that fail, transfers cut), and
// runs are Ctrl-C'd now and then. At the end:
//   - both devices and a third one set up afterwards hold the same tree, the plain part of which
//     is what the server has;
//   - no content a user did not replace or delete himself was lost (it is a file or a conflict
//     copy somewhere), and no sync loses one on the way;
//   - below the encrypted folder the server lists only 32-hex names;
//   - no lock is left: the server holds none, neither journal keeps a token, and a lock + unlock
//     of the folder succeeds.
// Folders are not moved across the boundary: the engine refuses that for now (a reported error
// that stays until the user moves it back; see e2ee_write_test.cpp).
//
// Reproducible (approximately: races and Ctrl-C timers): NUBO_CONVERGENCE_SEED=N picks the seed
// (printed by every run), NUBO_CONVERGENCE_ROUNDS=N the number of rounds (default 200).
#include "e2ee_fixture.h"

#include "exclude_list.h"
#include "journal.h"
#include "local_file.h"

#include <random>
#include <set>
#include <thread>
#include <tuple>

namespace nubo::sync::test {
namespace {

std::uint64_t envNumber(const char* name, std::uint64_t fallback)
{
    const char* value = std::getenv(name);
    return value && *value ? std::stoull(value) : fallback;
}

const std::string kVault = "vault";

class E2eeConvergence : public E2eeSync {
protected:
    std::mt19937_64 m_random;
    std::set<std::string> m_written;    // every content a user wrote
    std::set<std::string> m_superseded; // contents a user overwrote or deleted on purpose
    int m_counter = 0;
    std::ostringstream m_log; // what happened, kept in the work folder

    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(m_random); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(m_random) < p; }
    static bool encrypted(const std::string& path) { return isInside(path, kVault); }

    std::string freshContent(const std::string& who)
    {
        std::string content = who + " #" + std::to_string(++m_counter) + " ";
        // Now and then one above the clients' chunk threshold: an encrypted chunked upload.
        const std::size_t size = pick(25) == 0 ? 70000 + pick(100000) : pick(3) == 0 ? pick(3000) : pick(40);
        content.append(size, static_cast<char>('a' + pick(26)));
        m_written.insert(content);
        return content;
    }
    static std::string label(const std::string& content) { return content.substr(0, content.find(' ', content.find('#'))); }

    std::string name(bool folder)
    {
        static const std::vector<std::string> files{"a", "b", "c.txt", "Notes.md", "x y.bin"};
        static const std::vector<std::string> folders{"d", "e", "Photos", "ü"};
        return folder ? folders[pick(folders.size())] : files[pick(files.size())];
    }

    // ---- a device's folder: both sides of the boundary ----

    void editLocally(SyncClient& c, const std::string& who)
    {
        Tree tree = c.tree();
        std::vector<std::string> files, folders{""}, vaultFolders;
        for (const auto& [path, content] : tree) {
            (content == kFolder ? folders : files).push_back(path);
            if (content == kFolder && encrypted(path))
                vaultFolders.push_back(path);
        }
        // Half of the work happens inside the encrypted folder.
        const auto anyFolder = [&] {
            return !vaultFolders.empty() && chance(0.5) ? vaultFolders[pick(vaultFolders.size())]
                                                        : folders[pick(folders.size())];
        };
        const std::string folder = anyFolder();
        switch (pick(8)) {
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
        case 5: { // delete a folder (never the encrypted folder itself)
            if (folder.empty() || folder == kVault || !chance(0.5))
                return;
            for (const auto& entry : fs::recursive_directory_iterator(c.path(folder)))
                if (entry.is_regular_file())
                    m_superseded.insert(readFile(entry.path())); // conflict copies included
            c.remove(folder);
            m_log << who << " rmdir " << folder << "\n";
            return;
        }
        case 6: { // move or rename a file, into or out of the encrypted folder too
            if (files.empty())
                return;
            const std::string from = files[pick(files.size())];
            const std::string to = joinPath(anyFolder(), name(false));
            if (tree.contains(to))
                return;
            c.move(from, to);
            m_log << who << " move " << from << " -> " << to
                  << (encrypted(from) != encrypted(to) ? " (across the boundary)" : "") << "\n";
            return;
        }
        case 7: { // move or rename a folder, on its side of the boundary
            if (folder.empty() || folder == kVault)
                return;
            const std::string parent = anyFolder();
            const std::string to = joinPath(parent, name(true));
            if (isInside(parent, folder) || tree.contains(to) || depth(to) > 3 || encrypted(folder) != encrypted(to))
                return;
            c.move(folder, to);
            m_log << who << " move folder " << folder << " -> " << to << "\n";
            return;
        }
        }
    }

    // ---- the server's plain part, as a third device (an injected fault makes it give up) ----

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
                if (isConflictCopyName(childName) || encrypted(path))
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
        if (!server().download(path, temp, {}))
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
                m_written.erase(content); // refused by an injected fault: it never existed
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

    // Every content in the devices' folders (conflict copies included), and the server's blobs
    // (ciphertext for the encrypted part: what is only there is checked at the end, decrypted).
    std::set<std::string> present()
    {
        std::set<std::string> found;
        for (const auto& [clientName, c] : m_clients)
            for (const auto& entry : fs::recursive_directory_iterator(c->folder()))
                if (entry.is_regular_file() && !entry.path().filename().string().starts_with(JOURNAL_FILE_NAME))
                    found.insert(readFile(entry.path()));
        sqlite3* db = nullptr;
        EXPECT_EQ(sqlite3_open_v2((m_server->dataDir() / "nubo.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
                  SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        sqlite3_stmt* stmt = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT blob FROM items WHERE blob IS NOT NULL", -1, &stmt, nullptr),
                  SQLITE_OK);
        while (stmt && sqlite3_step(stmt) == SQLITE_ROW)
            found.insert(readFile(m_server->dataDir() / "blobs" /
                                  reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))));
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return found;
    }

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

    // Both devices sync at once: one of them finds the encrypted folder locked by the other.
    void race(SyncClient& first, SyncClient& second, int round)
    {
        Result<SyncSummary> firstResult = fail(SyncErrorCode::Internal, "not run");
        const std::size_t firstReported = first.finishedItems.size();
        const std::size_t secondReported = second.finishedItems.size();
        std::thread racing([&] { firstResult = first.sync(); });
        std::this_thread::sleep_for(std::chrono::milliseconds(pick(200)));
        auto secondResult = second.sync();
        racing.join();
        for (auto [c, result, reported] : {std::tuple{&first, &firstResult, firstReported},
                                           std::tuple{&second, &secondResult, secondReported}}) {
            logItems(*c, reported);
            m_log << "  raced sync (round " << round << "): ";
            logResult(*result);
        }
    }

    // Returns the run's result; what was present and not superseded before it is still present.
    Result<SyncSummary> sync(SyncClient& c, const std::string& who, int round, bool mayCancel = true)
    {
        std::set<std::string> before;
        for (const std::string& content : present())
            if (m_written.contains(content) && !m_superseded.contains(content))
                before.insert(content);
        const std::size_t reported = c.finishedItems.size();
        if (mayCancel && chance(0.08)) {
            c.cancelAfter = std::chrono::milliseconds(pick(300));
            m_log << "  (Ctrl-C after " << c.cancelAfter->count() << " ms)\n";
        }
        auto result = c.sync();
        const std::set<std::string> after = present();
        logItems(c, reported);
        for (const std::string& content : before)
            if (!after.contains(content)) {
                ADD_FAILURE() << "sync " << who << " in round " << round << " lost '" << label(content) << "'";
                m_log << "  LOST by this sync: " << label(content) << "\n";
            }
        m_log << "  sync " << who << " (round " << round << "): ";
        logResult(result);
        if (!result) {
            EXPECT_NE(result.error().code, SyncErrorCode::MassDelete) << "mass delete guard in a small tree";
        }
        return result;
    }

    static Tree plainPart(const Tree& tree)
    {
        Tree plain;
        for (const auto& [path, content] : tree)
            if (!encrypted(path))
                plain[path] = content;
        return plain;
    }

    // The folder can be locked (with a counter above the current one) and unlocked: nobody holds it.
    void expectNotLocked()
    {
        EXPECT_EQ(serverScalar("SELECT count(*) FROM e2ee_locks"), "0") << "a lock is left on the server";
        auto current = verifiedByWriter(m_vaultId);
        ASSERT_TRUE(current.has_value()) << current.error().message;
        // Aborted locks use counters up (the server keeps what a lock announced): step above them.
        Result<std::string> token = fail(SyncErrorCode::Internal, "not tried");
        for (const std::uint64_t step : {1, 2, 3, 16, 256, 4096, 65536, 1 << 20}) {
            token = m_api->lock(m_vaultId, current->metadata.counter + step);
            if (token || token.error().code != SyncErrorCode::PreconditionFailed)
                break;
        }
        ASSERT_TRUE(token.has_value()) << "the encrypted folder cannot be locked: " << token.error().message;
        EXPECT_TRUE(m_api->unlock(m_vaultId, *token, false).has_value());
    }

    void expectNoLockInJournal(SyncClient& c)
    {
        auto journal = Journal::open(c.folder() / JOURNAL_FILE_NAME);
        ASSERT_TRUE(journal.has_value());
        auto locks = (*journal)->setting("e2ee-locks");
        ASSERT_TRUE(locks.has_value());
        const std::string text = locks->value_or("");
        EXPECT_FALSE(std::regex_search(text, std::regex(R"("token"\s*:\s*"[^"])")))
            << c.folder() << " still keeps a lock token: " << text;
    }
};

// It found two lost edits on the way (seeds 584729800 and 60186662), both the same bug: a download
// into a folder this run moved inside the encrypted tree ran before the move's transaction and
// was recorded even when the metadata write then failed; the next run deleted it (see
// E2eeSync.AFolderMoveWhoseMetadataWriteFailsLosesNothingThatArrivedInTheFolder).
// Seed 68176913 (CI, AddressSanitizer build) then left a changed file's new blob under its old
// key and tag: the retry of a failed assembly found every chunk on the server and assembled the
// file without knowing the tag (see E2eeSync.AChangedFileWhoseChunksAllArrivedResumesWithItsTag and
// E2eeSync.AChangedFileWhoseUploadAnswerWasLostIsRolledBackNotLeftUnderItsOldKey).
TEST_F(E2eeConvergence, RandomEditsOnBothSidesOfAnEncryptedFolderConverge)
{
    const std::uint64_t seed = envNumber("NUBO_CONVERGENCE_SEED", std::random_device{}());
    const std::uint64_t rounds = envNumber("NUBO_CONVERGENCE_ROUNDS", 200);
    std::cout << "e2ee convergence seed " << seed << ", " << rounds
              << " rounds (rerun with NUBO_CONVERGENCE_SEED=" << seed << ")\n";
    RecordProperty("seed", std::to_string(seed));
    m_random.seed(seed);
    auto& a = device("a"); // set up from the 12 words before the faults begin
    auto& b = device("b");
    for (SyncClient* c : {&a, &b}) {
        c->options.maxRetries = 1;
        c->options.massDeleteMinimum = 1000000; // random deletes of whole folders are intended here
        c->options.parallelism = 1;             // keeps the server's fault draws in order for a seed
        c->options.chunkThreshold = 64 * 1024;  // the larger contents go up in encrypted chunks
        c->options.chunkSize = 32 * 1024;
    }
    a.syncOk();
    b.syncOk();
    restartServer({"--seed", std::to_string(seed), "--faults",
                   "POST */end_to_end_encryption/*/lock/* status=503 p=0.03; "
                   "DELETE */end_to_end_encryption/*/lock/* status=502 p=0.04; "
                   "PUT */end_to_end_encryption/*/meta-data/* status=500 p=0.03; "
                   "GET */end_to_end_encryption/*/meta-data/* status=503 p=0.02; "
                   "PUT *.md delay=150 p=0.3; PUT * status=500 p=0.03; GET * cut p=0.03; "
                   "PROPFIND * status=503 p=0.02; MOVE * status=500 p=0.03; DELETE * status=502 p=0.04; "
                   "MKCOL * status=500 p=0.03"});

    for (std::uint64_t round = 1; round <= rounds && !HasFailure(); ++round) {
        for (std::size_t i = pick(3); i > 0; --i)
            editLocally(a, "a");
        for (std::size_t i = pick(3); i > 0; --i)
            editLocally(b, "b");
        if (chance(0.3))
            editOnServer();
        const bool aFirst = chance(0.5);
        if (chance(0.08)) {
            race(aFirst ? a : b, aFirst ? b : a, static_cast<int>(round));
            continue;
        }
        if (aFirst || chance(0.7))
            sync(aFirst ? a : b, aFirst ? "a" : "b", static_cast<int>(round));
        if (!aFirst || chance(0.7))
            sync(aFirst ? b : a, aFirst ? "b" : "a", static_cast<int>(round));
    }

    // The final syncs run without faults until nothing is left to do; the last ones report no error.
    restartServer({});
    for (int i = 0; i < 4; ++i) {
        sync(a, "a", -1, false);
        sync(b, "b", -1, false);
    }
    for (SyncClient* c : {&a, &b}) {
        auto last = sync(*c, c == &a ? "a" : "b", -2, false);
        ASSERT_TRUE(last.has_value()) << last.error().message;
        EXPECT_TRUE(last->errors.empty()) << "the converged state still has errors, e.g. " << last->errors[0].path
                                          << ": " << last->errors[0].message << " (seed " << seed << ")";
        EXPECT_EQ(last->uploaded + last->downloaded, 0) << "seed " << seed;
    }
    std::ofstream(m_work / "convergence.log") << m_log.str();
    if (std::getenv("NUBO_CONVERGENCE_VERBOSE"))
        std::cout << m_log.str();

    // A third device, set up now, reads the same tree from the server.
    auto& c = device("c");
    c.syncOk();
    const std::string where = "seed " + std::to_string(seed) + "; the log is convergence.log in the work folder";
    EXPECT_TRUE(sameTree(a.tree(), b.tree())) << where;
    EXPECT_TRUE(sameTree(a.tree(), c.tree())) << where;
    EXPECT_TRUE(sameTree(plainPart(a.tree()), plainPart(serverTree()))) << where;
    std::string bad;
    EXPECT_TRUE(onlyHexNamesBelow(server(), kVault, bad)) << "a plain name under the encrypted folder: " << bad;

    // Nothing lost: every content not replaced or deleted by a user is a file or a conflict copy.
    std::set<std::string> found;
    for (SyncClient* device : {&a, &b, &c})
        for (const auto& entry : fs::recursive_directory_iterator(device->folder()))
            if (entry.is_regular_file())
                found.insert(readFile(entry.path()));
    std::vector<std::string> lost;
    for (const std::string& content : m_written)
        if (!m_superseded.contains(content) && !found.contains(content))
            lost.push_back(label(content));
    EXPECT_TRUE(lost.empty()) << lost.size() << " contents lost, e.g. '" << (lost.empty() ? "" : lost[0]) << "' ("
                              << where << ")";
    // Conflict copies made inside the encrypted folder reached the other devices too.
    std::size_t vaultCopies = 0;
    for (const std::string& copy : a.conflictCopies())
        vaultCopies += encrypted(copy) ? 1 : 0;

    // No lock is left anywhere.
    expectNoLockInJournal(a);
    expectNoLockInJournal(b);
    expectNotLocked();

    const std::string log = m_log.str();
    const std::string access = accessLog();
    std::size_t vaultItems = 0;
    for (const auto& [path, content] : a.tree())
        vaultItems += encrypted(path) && path != kVault ? 1 : 0;
    std::cout << "e2ee convergence: " << m_written.size() << " contents written, " << a.tree().size()
              << " items at the end (" << vaultItems << " encrypted), " << occurrences(log, "  sync ") << " syncs, "
              << occurrences(log, "raced sync") / 2 << " raced, " << occurrences(log, "(Ctrl-C after") << " Ctrl-Cs, "
              << occurrences(log, "(across the boundary)") << " moves across the boundary, "
              << occurrences(log, "    error ") << " item errors (" << occurrences(log, "locked by another client")
              << " locked), " << occurrences(log, ": failed") << " failed runs, "
              << a.conflictCopies().size() + b.conflictCopies().size() << " conflict copies (" << vaultCopies
              << " encrypted on a), " << occurrences(access, "fault=") << " faults, "
              << occurrences(access, "abort=true") << " aborted locks\n";
}

} // namespace
} // namespace nubo::sync::test
