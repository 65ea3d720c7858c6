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
#include "convergence_driver.h"
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

const std::string kVault = "vault";

class E2eeConvergence : public ConvergenceDriver<E2eeSync> {
protected:
    static bool encrypted(const std::string& path) { return isInside(path, kVault); }
    // Now and then one above the clients' chunk threshold: an encrypted chunked upload.
    std::size_t contentSize() override
    {
        return pick(25) == 0 ? 70000 + pick(100000) : pick(3) == 0 ? pick(3000) : pick(40);
    }
    // Inside the encrypted folder the server could only write ciphertext under random names, which
    // is not what a random WebDAV edit can do.
    bool serverLeavesAlone(const std::string& path) const override { return encrypted(path); }

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
        const std::set<std::string> before = mustSurvive();
        const std::size_t reported = c.finishedItems.size();
        if (mayCancel && chance(0.08)) {
            c.cancelAfter = std::chrono::milliseconds(pick(300));
            m_log << "  (Ctrl-C after " << c.cancelAfter->count() << " ms)\n";
        }
        auto result = c.sync();
        logItems(c, reported);
        expectNothingLost(before, who, round);
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
