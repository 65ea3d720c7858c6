// Randomized convergence: two clients and the server make random edits, moves and deletes between
// syncs while nubo-server injects errors. At the end all three hold the same tree, and no content
// that a user did not replace or delete himself was lost (it is a file or a conflict copy).
//
// Its moves include those that found the data-safety bugs: edits that keep the size within one
// second or put the old mtime back (`touch -r`), Ctrl-C at random moments followed by more runs,
// one client's DELETEs held back by the server while the other client edits and syncs, a trash
// that cannot be used, and a server whose listings name hostile items ("..", "a/b", NUL, ...).
// Races (a concurrent sync, a Ctrl-C timer) make a seed replay approximately, not exactly.
//
// Reproducible: NUBO_CONVERGENCE_SEED=N picks the seed (printed by every run), and
// NUBO_CONVERGENCE_ROUNDS=N the number of rounds (default 200; the `slow` test runs 3000).
#include "convergence_driver.h"

#include "exclude_list.h"
#include "journal.h"
#include "local_file.h"

#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <thread>
#include <tuple>
#include <set>

namespace nubo::sync::test {
namespace {

class Convergence : public ConvergenceDriver<SyncFixture> {
protected:
    // ---- a client's folder ----

    void editLocally(SyncClient& c, const std::string& who)
    {
        Tree tree = c.tree();
        std::vector<std::string> files, folders{""};
        for (const auto& [path, content] : tree)
            (content == kFolder ? folders : files).push_back(path);
        const int op = static_cast<int>(pick(9));
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
        case 8: { // an edit that keeps the size, in the same second or with the old mtime put back
            if (files.empty())
                return;
            const std::string path = files[pick(files.size())];
            const std::string old = tree[path];
            std::string content = who + " #" + std::to_string(++m_counter) + " ";
            if (content.size() > old.size())
                return;
            content.append(old.size() - content.size(), static_cast<char>('a' + pick(26)));
            struct stat before {};
            if (::stat(c.path(path).c_str(), &before) != 0)
                return;
            m_written.insert(content);
            m_superseded.insert(old);
            std::ofstream(c.path(path), std::ios::binary | std::ios::trunc) << content;
            const bool touchR = chance(0.5);
            if (touchR) {
                const struct timespec times[2] = {before.st_atim, before.st_mtim};
                ::utimensat(AT_FDCWD, c.path(path).c_str(), times, 0);
            }
            m_log << who << " same-size edit " << path << (touchR ? " (touch -r)" : "") << " #" << m_counter << "\n";
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

    void setTrashUsable(SyncClient& c, bool usable)
    {
        const fs::path saved = c.trash().string() + ".saved";
        const bool isUsable = !fs::exists(c.trash()) || fs::is_directory(c.trash());
        if (usable == isUsable)
            return;
        if (usable) {
            fs::remove(c.trash());
            if (fs::exists(saved))
                fs::rename(saved, c.trash());
        } else {
            if (fs::exists(c.trash()))
                fs::rename(c.trash(), saved);
            std::ofstream(c.trash()) << "not a folder";
        }
    }

    // A sync of `first` racing an edit and a sync of `second`: the server holds first's DELETEs
    // (and some PUTs) back a while, so the other client's upload lands in between. No invariant is
    // checked during the race (both folders change); the next syncs and the end check it.
    void race(SyncClient& first, SyncClient& second, int round)
    {
        Result<SyncSummary> firstResult = fail(SyncErrorCode::Internal, "not run");
        const std::size_t firstReported = first.finishedItems.size();
        std::thread racing([&] { firstResult = first.sync(); });
        std::this_thread::sleep_for(std::chrono::milliseconds(pick(400)));
        for (std::size_t i = 1 + pick(2); i > 0; --i)
            editLocally(second, &second == m_clients.at("a").get() ? "a" : "b");
        const std::size_t secondReported = second.finishedItems.size();
        auto secondResult = second.sync();
        racing.join();
        for (auto [c, result, reported] : {std::tuple{&first, &firstResult, firstReported},
                                           std::tuple{&second, &secondResult, secondReported}}) {
            logItems(*c, reported);
            m_log << "  raced sync (round " << round << "): ";
            logResult(*result);
        }
    }

    void sync(SyncClient& c, const std::string& who, int round)
    {
        // A sync replaces or deletes nothing a user did not replace or delete.
        const std::set<std::string> before = mustSurvive();
        const std::size_t reported = c.finishedItems.size();
        // A trash that cannot be used now and then (the trash folder replaced by a file).
        setTrashUsable(c, !chance(0.1));
        // Ctrl-C at a random moment now and then; the next runs must finish the job.
        if (chance(0.08)) {
            c.cancelAfter = std::chrono::milliseconds(pick(400));
            m_log << "  (Ctrl-C after " << c.cancelAfter->count() << " ms)\n";
        }
        if (fs::is_regular_file(c.trash()))
            m_log << "  (the trash cannot be used)\n";
        auto result = c.sync();
        logItems(c, reported);
        expectNothingLost(before, who, round);
        m_log << "  sync " << who << " (round " << round << "): ";
        logResult(result);
        if (!result) {
            ASSERT_NE(result.error().code, SyncErrorCode::MassDelete) << "mass delete guard in a small tree";
        }
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
    // Faults, and delays that open race windows (a DELETE held back while the other client
    // uploads an edit; transfers slow enough for a Ctrl-C to land in the middle).
    restartServer({"--seed", std::to_string(seed), "--faults",
                   "PUT *.md delay=150 p=0.3; PUT * status=500 p=0.03; GET *.bin delay=150 p=0.3; GET * cut p=0.03; "
                   "PROPFIND * status=503 p=0.02; MOVE * status=500 p=0.03; DELETE *.txt status=502 p=0.05; "
                   "DELETE * delay=400 p=0.5; MKCOL * status=500 p=0.03"});
    // b's server names hostile items in its root and in every folder called "d": they must be
    // reported and never become a path (checked at the end: nothing appears outside the folders).
    auto hostile = std::make_shared<HostileListing>(b.remote());
    hostile->inject = [](const std::string& path) { return path.empty() || fileName(path) == "d"; };
    b.remote() = hostile;
    const std::set<std::string> workBefore = [&] {
        std::set<std::string> names;
        for (const auto& entry : fs::directory_iterator(m_work))
            names.insert(entry.path().filename().string());
        return names;
    }();
    for (SyncClient* c : {&a, &b}) {
        c->options.maxRetries = 1;
        c->options.massDeleteMinimum = 1000000; // random deletes of whole folders are intended here
        // One transfer at a time keeps the order of requests, and so the server's fault draws,
        // the same for a seed: a failing seed replays.
        c->options.parallelism = static_cast<int>(envNumber("NUBO_CONVERGENCE_PARALLELISM", 1));
        c->options.useTrash = true; // sometimes unusable: see setTrashUsable
    }

    for (std::uint64_t round = 1; round <= rounds && !HasFailure(); ++round) {
        for (std::size_t i = pick(3); i > 0; --i)
            editLocally(a, "a");
        for (std::size_t i = pick(3); i > 0; --i)
            editLocally(b, "b");
        if (chance(0.3))
            editOnServer();
        const bool aFirst = chance(0.5);
        if (chance(0.1)) { // one client's DELETEs wait on the server while the other edits and syncs
            race(aFirst ? a : b, aFirst ? b : a, static_cast<int>(round));
            continue;
        }
        if (aFirst || chance(0.7))
            sync(aFirst ? a : b, aFirst ? "a" : "b", static_cast<int>(round));
        if (!aFirst || chance(0.7))
            sync(aFirst ? b : a, aFirst ? "b" : "a", static_cast<int>(round));
    }

    // The final syncs run on a server without faults, with usable trashes, until nothing is left to do.
    restartServer({});
    setTrashUsable(a, true);
    setTrashUsable(b, true);
    for (int i = 0; i < 4; ++i) {
        sync(a, "a", -1);
        sync(b, "b", -1);
    }
    if (std::getenv("NUBO_CONVERGENCE_VERBOSE"))
        std::cout << m_log.str();
    std::ofstream(m_work / "convergence.log") << m_log.str();
    const Tree server = serverTree();
    // Nothing a hostile name could have reached exists outside the clients' folders.
    for (const auto& entry : fs::directory_iterator(m_work)) {
        const std::string name = entry.path().filename().string();
        EXPECT_TRUE(workBefore.contains(name) || name.starts_with("convergence") || name.starts_with("trash-") ||
                    name.starts_with("server-"))
            << "written outside the sync folders: " << name;
    }
    for (const auto& entry : fs::recursive_directory_iterator(m_work)) {
        const std::string name = entry.path().filename().string();
        EXPECT_TRUE(name != "x" && name != "etc" && name != "back\\slash.txt" && !name.starts_with("nul"))
            << "a hostile name became a file: " << entry.path();
    }
    EXPECT_TRUE(sameTree(a.tree(), server)) << "seed " << seed << "; the log is convergence.log in the work folder";
    EXPECT_TRUE(sameTree(b.tree(), server)) << "seed " << seed << "; the log is convergence.log in the work folder";
    const std::set<std::string> found = everything(a, b);
    std::vector<std::string> lost;
    for (const std::string& content : m_written)
        if (!m_superseded.contains(content) && !found.contains(content))
            lost.push_back(content.substr(0, content.find(' ', content.find('#'))));
    const std::string log = m_log.str();
    const std::string access = accessLog();
    std::cout << "convergence: " << m_written.size() << " contents written, " << server.size()
              << " items at the end, " << occurrences(log, "  sync ") << " syncs, " << occurrences(log, "    error ")
              << " item errors, " << occurrences(log, ": failed") << " failed runs, "
              << a.conflictCopies().size() + b.conflictCopies().size() << " conflict copies, "
              << occurrences(access, "fault=") << " faults; moves of the data-safety review: "
              << occurrences(log, "same-size edit") << " same-size edits (" << occurrences(log, "(touch -r)")
              << " with the mtime put back), " << occurrences(log, "(Ctrl-C after") << " Ctrl-Cs, "
              << occurrences(log, "raced sync") / 2 << " races with a held-back DELETE, "
              << occurrences(log, "(the trash cannot be used)") << " syncs with an unusable trash, "
              << occurrences(log, "changed on the server since this sync looked") << " DELETEs refused by If-Match, "
              << occurrences(log, "the server listed an invalid name") << " hostile names refused\n";
    EXPECT_TRUE(lost.empty()) << lost.size() << " contents lost, e.g. '" << (lost.empty() ? "" : lost[0])
                              << "' (seed " << seed << "; the log is convergence.log in the work folder)";
}

} // namespace
} // namespace nubo::sync::test
