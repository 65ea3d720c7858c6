#include "sync_command.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QMetaObject>
#include <QSocketNotifier>
#include <QTimer>
#include <QUrl>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <sys/ioctl.h>
#include <termios.h>
#include <thread>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include "account.h"
#include "account_login.h"
#include "qt_worker.h"
#include "arguments.h"
#include "credential_store.h"
#include "e2ee_api_client.h"
#include "e2ee_folder_hook.h"
#include "e2ee_transaction.h"
#include "e2ee_identity.h"
#include "exclude_list.h"
#include "folder_watcher.h"
#include "journal.h"
#include "sync_engine.h"
#include "webdav_client.h"

namespace nubo::cli {

using namespace nubo::sync;
namespace fs = std::filesystem;

namespace {

// ---- the command line ---------------------------------------------------------------------------

enum class OutputMode { Progress, Lines, Silent, Json };

struct SyncInvocation {
    fs::path localDir;
    AccountArguments account;
    std::string remoteRoot;
    std::optional<fs::path> excludeFile;
    std::optional<fs::path> unsyncedFile;
    int passes = 3;
    std::int64_t upKiB = 0, downKiB = 0;
    bool allowMassDelete = false;
    bool watch = false;
    OutputMode output = OutputMode::Lines;
    std::optional<std::string> keyStore; // --key-store keychain|file; keychain when not given
};

int usage(const std::string& message)
{
    std::cerr << "nubocmd sync: " << message << " (see nubocmd sync --help)\n";
    return SyncExitUsage;
}

std::optional<std::int64_t> parseCount(const std::string& text, std::int64_t minimum)
{
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < minimum) return std::nullopt;
    return value;
}

std::optional<std::string> parseInvocation(const std::vector<std::string>& raw, SyncInvocation& out)
{
    std::optional<std::string> refused;
    const std::vector<std::string> args = withLongNames(raw, refused);
    if (refused) return passwordOnCommandLine(*refused);
    Arguments parsed;
    std::set<std::string> valued = {"--exclude", "--unsynced-folders", "--path", "--max-sync-retries", "--uplimit",
                                    "--downlimit", "--key-store"};
    valued.insert(ACCOUNT_OPTIONS.begin(), ACCOUNT_OPTIONS.end());
    std::set<std::string> switches = {"--allow-mass-delete", "--watch", "--silent", "--json"};
    switches.insert(ACCOUNT_SWITCHES.begin(), ACCOUNT_SWITCHES.end());
    if (auto problem = parseArguments(args, valued, switches, parsed)) return problem;
    if (parsed.positional.size() != 2) return std::string("expected LOCAL_DIR and SERVER_URL");
    for (const std::string& positional : parsed.positional)
        if (positional.starts_with("-") && positional != "-") return "unknown option " + positional;

    out.localDir = parsed.positional[0];
    if (auto problem = readAccountArguments(parsed, parsed.positional[1], out.account)) return problem;
    out.remoteRoot = parsed.option("--path").value_or("");
    if (auto file = parsed.option("--exclude")) out.excludeFile = *file;
    if (auto file = parsed.option("--unsynced-folders")) out.unsyncedFile = *file;
    if (auto text = parsed.option("--max-sync-retries")) {
        const auto passes = parseCount(*text, 1);
        if (!passes || *passes > 100)
            return "--max-sync-retries takes a number of passes from 1 to 100, not '" + *text + "'";
        out.passes = static_cast<int>(*passes);
    }
    for (const auto& [name, target] : {std::pair{"--uplimit", &out.upKiB}, std::pair{"--downlimit", &out.downKiB}}) {
        if (auto text = parsed.option(name)) {
            const auto limit = parseCount(*text, 0);
            if (!limit) return std::string(name) + " takes KB/s as a whole number (0: unlimited), not '" + *text + "'";
            *target = *limit;
        }
    }
    out.keyStore = parsed.option("--key-store");
    if (out.keyStore && *out.keyStore != "keychain" && *out.keyStore != "file")
        return "--key-store is keychain or file, not '" + *out.keyStore + "'";
    out.allowMassDelete = parsed.has("--allow-mass-delete");
    out.watch = parsed.has("--watch");
    if (parsed.has("--silent") && parsed.has("--json")) return std::string("give only one of --silent and --json");
    if (parsed.has("--json"))
        out.output = OutputMode::Json;
    else if (parsed.has("--silent"))
        out.output = OutputMode::Silent;
    else
        out.output = isatty(STDOUT_FILENO) ? OutputMode::Progress : OutputMode::Lines;
    return std::nullopt;
}

// One relative folder a line; blank lines and '#' comments are skipped, slashes around trimmed.
Result<std::vector<std::string>> readUnsyncedFolders(const fs::path& file)
{
    std::ifstream in(file);
    if (!in) return fail(SyncErrorCode::Config, "cannot read the unsynced-folders file " + file.string());
    std::vector<std::string> folders;
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (std::isspace(static_cast<unsigned char>(line.back())) || line.back() == '/'))
            line.pop_back();
        std::size_t start = 0;
        while (start < line.size() && (std::isspace(static_cast<unsigned char>(line[start])) || line[start] == '/'))
            ++start;
        line.erase(0, start);
        if (line.empty() || line.starts_with("#")) continue;
        folders.push_back(line);
    }
    return folders;
}

// ---- output --------------------------------------------------------------------------------------

std::string humanBytes(std::int64_t bytes)
{
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    std::ostringstream out;
    out << std::fixed << std::setprecision(unit == 0 ? 0 : 1) << value << " " << units[unit];
    return out.str();
}

std::string secondsText(double seconds)
{
    std::ostringstream out;
    out << std::fixed << std::setprecision(1) << seconds << " s";
    return out.str();
}

std::string clockText()
{
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &local);
    return text;
}

std::string describe(const ItemReport& item)
{
    const std::string& path = item.path;
    const std::string folder = item.type == ItemType::Directory ? "folder " : "";
    switch (item.kind) {
    case ActionKind::Upload: return "uploaded " + path;
    case ActionKind::Download: return "downloaded " + path;
    case ActionKind::MakeRemoteFolder: return "created folder " + path + " on the server";
    case ActionKind::MakeLocalFolder: return "created folder " + path;
    case ActionKind::MoveRemote: return "moved " + folder + item.from + " to " + path + " on the server";
    case ActionKind::MoveLocal: return "moved " + folder + item.from + " to " + path;
    case ActionKind::DeleteRemote: return "deleted " + folder + path + " on the server";
    case ActionKind::DeleteLocal: return "deleted " + folder + path;
    case ActionKind::Conflict:
        return "conflict " + path + " (kept yours as '" + item.conflictCopy + "', the server's version is at " + path +
               ")";
    case ActionKind::UpdateJournal:
    case ActionKind::ForgetJournal:
    case ActionKind::Error: break;
    }
    return {};
}

std::string summaryLine(const SyncSummary& summary)
{
    return "uploaded " + std::to_string(summary.uploaded) + ", downloaded " + std::to_string(summary.downloaded) +
           ", moved " + std::to_string(summary.movedLocal + summary.movedRemote) + ", deleted " +
           std::to_string(summary.deletedLocal + summary.deletedRemote) + ", conflicts " +
           std::to_string(summary.conflicts) + ", errors " + std::to_string(summary.errors.size()) + " in " +
           secondsText(summary.seconds);
}

std::string jsonLine(const nlohmann::ordered_json& event)
{
    // Paths need not be valid UTF-8 on Linux; a replacement character beats an exception.
    return event.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Every way the command talks to its user. Item events arrive on the engine's worker threads, so
// every method takes the mutex.
class Reporter {
public:
    Reporter(OutputMode mode, bool watch) : m_mode(mode), m_watch(watch) {}

    void runStarted(int run)
    {
        std::lock_guard lock(m_mutex);
        m_phase = "starting";
        m_itemsDone = m_itemsPlanned = 0;
        m_bytesDone = m_bytesPlanned = 0;
        m_current.clear();
        if (m_mode == OutputMode::Json && m_watch) writeEvent({{"event", "run"}, {"run", run}});
    }

    void phase(const std::string& phase)
    {
        std::lock_guard lock(m_mutex);
        flushProgress();
        if (phase == "done") return; // the summary follows
        m_phase = phase;
        if (m_mode == OutputMode::Json) writeEvent({{"event", "phase"}, {"phase", phase}});
        if (m_mode == OutputMode::Progress) draw(true);
    }

    void plan(qint64 actions, qint64 bytes)
    {
        std::lock_guard lock(m_mutex);
        // Passes after the first plan again; the bar counts what this pass has left.
        m_itemsPlanned = actions;
        m_itemsDone = 0;
        m_bytesPlanned = bytes;
        m_bytesDone = 0;
        if (m_mode == OutputMode::Json) writeEvent({{"event", "plan"}, {"actions", actions}, {"bytes", bytes}});
    }

    void itemStarted(const ItemReport& item)
    {
        std::lock_guard lock(m_mutex);
        m_current = item.path;
        if (m_mode == OutputMode::Progress) draw(false);
    }

    void itemFinished(const ItemReport& item)
    {
        std::lock_guard lock(m_mutex);
        ++m_itemsDone;
        if (item.ok && (item.kind == ActionKind::UpdateJournal || item.kind == ActionKind::ForgetJournal)) return;
        switch (m_mode) {
        case OutputMode::Json: {
            nlohmann::ordered_json event = {{"event", "item"},
                                            {"action", actionKindName(item.kind)},
                                            {"type", item.type == ItemType::Directory ? "folder" : "file"},
                                            {"path", item.path},
                                            {"ok", item.ok}};
            if (!item.from.empty()) event["from"] = item.from;
            if (!item.conflictCopy.empty()) event["conflict_copy"] = item.conflictCopy;
            event["encrypted"] = item.encrypted;
            if (item.ok) {
                event["bytes"] = item.bytes;
            } else {
                event["error"] = errorCodeName(item.code);
                event["message"] = item.message;
            }
            writeEvent(event);
            break;
        }
        case OutputMode::Lines:
            // After a stop every running transfer reports "cancelled"; the final message says it once.
            if (item.ok || item.code != SyncErrorCode::Cancelled) std::cout << itemLine(item) << "\n" << std::flush;
            break;
        case OutputMode::Progress:
            // Only what needs attention scrolls above the bar; the summary counts the rest.
            if ((!item.ok && item.code != SyncErrorCode::Cancelled) || item.kind == ActionKind::Conflict) {
                clearBar();
                std::cout << itemLine(item) << "\n";
                draw(true);
            }
            break;
        case OutputMode::Silent: break; // the errors that remain at the end are printed then
        }
    }

    void progress(qint64 done, qint64 total)
    {
        std::lock_guard lock(m_mutex);
        m_bytesDone = done;
        m_bytesPlanned = total;
        if (m_mode == OutputMode::Progress) draw(false);
        if (m_mode == OutputMode::Json) {
            m_progressPending = true;
            const auto now = std::chrono::steady_clock::now();
            if (now - m_lastProgressEvent >= std::chrono::milliseconds(100)) flushProgress();
        }
    }

    void summary(const SyncSummary& summary)
    {
        std::lock_guard lock(m_mutex);
        flushProgress();
        if (m_mode == OutputMode::Json) {
            nlohmann::ordered_json errors = nlohmann::ordered_json::array();
            for (const ItemReport& error : summary.errors)
                errors.push_back(
                    {{"path", error.path}, {"error", errorCodeName(error.code)}, {"message", error.message}});
            writeEvent({{"event", "summary"},
                        {"uploaded", summary.uploaded},
                        {"downloaded", summary.downloaded},
                        {"moved", summary.movedLocal + summary.movedRemote},
                        {"deleted", summary.deletedLocal + summary.deletedRemote},
                        {"conflicts", summary.conflicts},
                        {"folders_created", summary.foldersCreated},
                        {"bytes_uploaded", summary.bytesUploaded},
                        {"bytes_downloaded", summary.bytesDownloaded},
                        {"skipped", summary.skipped},
                        {"passes", summary.passes},
                        {"passes_for_new_items", summary.passesForNewItems},
                        {"errors", errors},
                        {"warnings", summary.warnings},
                        {"seconds", summary.seconds},
                        {"in_sync", summary.inSync()}});
            return;
        }
        if (m_mode == OutputMode::Silent) {
            for (const ItemReport& error : summary.errors)
                std::cerr << "error " << error.path << ": " << error.message << "\n";
            return;
        }
        clearBar();
        std::cout << (m_watch ? "[" + clockText() + "] " : "") << summaryLine(summary) << "\n";
        for (const ItemReport& error : summary.errors)
            std::cout << "  " << error.path << ": " << error.message << "\n";
        for (const std::string& warning : summary.warnings)
            std::cout << "  warning: " << warning << "\n";
        std::cout << std::flush;
    }

    // Whatever stops a whole run: on stderr for people, and as an event for --json readers.
    void failure(const SyncError& error, int exitCode)
    {
        std::lock_guard lock(m_mutex);
        clearBar();
        if (m_mode == OutputMode::Json)
            writeEvent({{"event", "error"},
                        {"error", errorCodeName(error.code)},
                        {"message", error.message},
                        {"exit_code", exitCode}});
        std::cerr << "nubocmd sync: " << (m_watch ? "[" + clockText() + "] " : "") << error.message << "\n"
                  << std::flush;
    }

    // Informational lines go to stderr so stdout stays the item log (or pure JSON).
    void notice(const std::string& text)
    {
        std::lock_guard lock(m_mutex);
        if (m_mode == OutputMode::Silent || m_mode == OutputMode::Json) return;
        clearBar();
        std::cerr << "nubocmd sync: " << text << "\n" << std::flush;
        if (m_mode == OutputMode::Progress) draw(true);
    }

    void finish()
    {
        std::lock_guard lock(m_mutex);
        clearBar();
    }

private:
    static std::string itemLine(const ItemReport& item)
    {
        if (!item.ok) return "error " + item.path + ": " + item.message;
        return describe(item);
    }

    void writeEvent(const nlohmann::ordered_json& event) { std::cout << jsonLine(event) << "\n" << std::flush; }

    // Progress events are sampled, but the last value of a pass is always written, so a reader
    // sees where the transfer ended.
    void flushProgress()
    {
        if (!m_progressPending) return;
        m_progressPending = false;
        m_lastProgressEvent = std::chrono::steady_clock::now();
        writeEvent({{"event", "progress"}, {"bytes", m_bytesDone}, {"total", m_bytesPlanned}});
    }

    void clearBar()
    {
        if (!m_barShown) return;
        std::cout << "\r\033[K" << std::flush;
        m_barShown = false;
    }

    // At most ten redraws a second: a terminal that scrolls costs more than the sync.
    void draw(bool force)
    {
        const auto now = std::chrono::steady_clock::now();
        if (!force && now - m_lastDraw < std::chrono::milliseconds(100)) return;
        m_lastDraw = now;
        std::string line = m_phase;
        if (m_phase == "propagation") {
            line += "  " + std::to_string(m_itemsDone) + "/" + std::to_string(std::max(m_itemsPlanned, m_itemsDone)) +
                    " items";
            if (m_bytesPlanned > 0) {
                line += "  " + humanBytes(m_bytesDone) + " / " + humanBytes(m_bytesPlanned) + " (" +
                        std::to_string(m_bytesDone * 100 / m_bytesPlanned) + "%)";
            }
            if (!m_current.empty()) line += "  " + m_current;
        } else {
            line += "...";
        }
        winsize size{};
        const std::size_t width =
            ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 10 ? size.ws_col - 1 : 79;
        if (line.size() > width) {
            // Cut at a UTF-8 character boundary so the terminal shows no broken character.
            std::size_t cut = width;
            while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80)
                --cut;
            line.resize(cut);
        }
        std::cout << "\r\033[K" << line << std::flush;
        m_barShown = true;
    }

    std::mutex m_mutex;
    const OutputMode m_mode;
    const bool m_watch;
    std::string m_phase = "starting";
    std::int64_t m_itemsDone = 0, m_itemsPlanned = 0;
    std::int64_t m_bytesDone = 0, m_bytesPlanned = 0;
    std::string m_current;
    bool m_barShown = false;
    std::chrono::steady_clock::time_point m_lastDraw;
    bool m_progressPending = false;
    std::chrono::steady_clock::time_point m_lastProgressEvent;
};

void connectEngine(SyncEngine& engine, Reporter& reporter)
{
    // The engine emits from its worker threads; the reporter locks, so no event loop is needed.
    QObject::connect(
        &engine, &SyncEngine::phaseChanged, &engine, [&](const QString& phase) { reporter.phase(phase.toStdString()); },
        Qt::DirectConnection);
    QObject::connect(
        &engine, &SyncEngine::planReady, &engine, [&](qint64 actions, qint64 bytes) { reporter.plan(actions, bytes); },
        Qt::DirectConnection);
    QObject::connect(
        &engine, &SyncEngine::itemStarted, &engine, [&](const ItemReport& item) { reporter.itemStarted(item); },
        Qt::DirectConnection);
    QObject::connect(
        &engine, &SyncEngine::itemFinished, &engine, [&](const ItemReport& item) { reporter.itemFinished(item); },
        Qt::DirectConnection);
    QObject::connect(
        &engine, &SyncEngine::transferProgress, &engine,
        [&](qint64 done, qint64 total) { reporter.progress(done, total); }, Qt::DirectConnection);
}

// ---- signals -------------------------------------------------------------------------------------

// A signal handler may only do async-signal-safe things: it writes a byte into a pipe, and the
// event loop (QSocketNotifier) does the real work on the main thread.
int g_signalPipe[2] = {-1, -1};

extern "C" void onStopSignal(int)
{
    const int saved = errno;
    const char byte = 1;
    (void)!write(g_signalPipe[1], &byte, 1);
    errno = saved;
}

class StopSignals {
public:
    explicit StopSignals(std::function<void()> onStop)
    {
        if (pipe2(g_signalPipe, O_CLOEXEC | O_NONBLOCK) != 0) return;
        m_notifier = std::make_unique<QSocketNotifier>(g_signalPipe[0], QSocketNotifier::Read);
        QObject::connect(m_notifier.get(), &QSocketNotifier::activated, m_notifier.get(), [this, onStop] {
            char drain[64];
            while (read(g_signalPipe[0], drain, sizeof drain) > 0) {
            }
            ++m_count;
            onStop();
        });
        struct sigaction action {};
        action.sa_handler = onStopSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        sigaction(SIGINT, &action, nullptr);
        sigaction(SIGTERM, &action, nullptr);
    }
    ~StopSignals()
    {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        m_notifier.reset();
        for (int& fd : g_signalPipe)
            if (fd >= 0) close(std::exchange(fd, -1));
    }
    int count() const { return m_count; }

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
    int m_count = 0;
};


int exitCodeFor(const SyncError& error)
{
    switch (error.code) {
    case SyncErrorCode::MassDelete: return SyncExitMassDelete;
    case SyncErrorCode::Cancelled: return SyncExitInterrupted;
    case SyncErrorCode::FolderBusy: return SyncExitBusy;
    case SyncErrorCode::Auth:
    case SyncErrorCode::Tls:
    case SyncErrorCode::Config:
    case SyncErrorCode::Network:
    case SyncErrorCode::Maintenance:
    case SyncErrorCode::Protocol: return SyncExitAccount;
    default: return SyncExitItemsFailed;
    }
}

// Exiting without unwinding is safe only while nothing local has been touched yet (connecting);
// the engine itself is stopped through cancel().
[[noreturn]] void exitNow(Reporter& reporter)
{
    reporter.notice("interrupted");
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(SyncExitInterrupted);
}

// End-to-end encrypted folders sync when this device holds the account's key (nubocmd e2ee init).
// Without one they are left alone with a warning; when the keys cannot be trusted (a changed
// server key or certificate) every encrypted folder is an error that says why.
std::shared_ptr<RemoteFolderHook> e2eeHookFor(const std::shared_ptr<Account>& account,
                                              const std::optional<std::string>& keyStore, Reporter& reporter)
{
    std::optional<KeyStoreKind> kind;
    if (keyStore) kind = *keyStore == "file" ? KeyStoreKind::File : KeyStoreKind::Keychain;
    E2eeSetup setup = e2eeSetupFor(account, kind);
    if (setup.problem)
        reporter.notice("end-to-end encryption: " + setup.problem->message);
    return setup.hook;
}

int runOnce(const std::shared_ptr<Account>& account, SyncOptions options, std::shared_ptr<RemoteFolderHook> hook,
            Reporter& reporter)
{
    // Encrypted folders that cannot be trusted were not synced, even when nothing changed.
    const bool e2eeRefused = std::dynamic_pointer_cast<RefusingFolderHook>(hook) != nullptr;
    SyncEngine engine(std::make_shared<WebDavClient>(account), std::move(options));
    useFolderHook(engine, std::move(hook));
    connectEngine(engine, reporter);
    // run() clears the cancel flag when it starts, so a stop that lands just before it would be
    // lost; repeating the cancel until the run returns closes that gap.
    QTimer keepCancelling;
    keepCancelling.setInterval(50);
    QObject::connect(&keepCancelling, &QTimer::timeout, &engine, [&] { engine.cancel(); });
    StopSignals stopSignals([&] {
        if (keepCancelling.isActive()) {
            // A second signal: the user does not want to wait for transfers to notice. The
            // journal and the temporary files are designed for a crash at any moment.
            exitNow(reporter);
        }
        reporter.notice("stopping (press Ctrl-C again to stop at once)");
        engine.cancel();
        keepCancelling.start();
    });
    reporter.runStarted(1);
    auto result = runInWorker([&] { return engine.run(); });
    keepCancelling.stop();
    const bool interrupted = stopSignals.count() > 0;
    if (!result) {
        const int code = interrupted ? SyncExitInterrupted : exitCodeFor(result.error());
        SyncError error = result.error();
        if (code == SyncExitInterrupted)
            error.message = "interrupted: the sync stopped cleanly; run the same command again to finish it";
        reporter.failure(error, code);
        return code;
    }
    reporter.summary(*result);
    reporter.finish();
    if (interrupted) return SyncExitInterrupted;
    return result->inSync() && !e2eeRefused ? SyncExitOk : SyncExitItemsFailed;
}

int runWatch(const std::shared_ptr<Account>& account, SyncOptions options, std::shared_ptr<RemoteFolderHook> hook,
             Reporter& reporter)
{
    SyncScheduler scheduler(std::make_shared<WebDavClient>(account), std::move(options));
    useFolderHook(scheduler.engine(), std::move(hook));
    connectEngine(scheduler.engine(), reporter);
    QEventLoop loop;
    int exitCode = SyncExitOk;
    const auto stop = [&] {
        // stop() joins the running sync; keep cancelling meanwhile, since a run that is just
        // starting clears the flag once (see runOnce).
        std::atomic<bool> stopped{false};
        std::thread canceller([&] {
            while (!stopped) {
                scheduler.engine().cancel();
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        });
        scheduler.stop();
        stopped = true;
        canceller.join();
        loop.quit();
    };
    StopSignals stopSignals([&] {
        if (stopSignals.count() > 1) exitNow(reporter);
        reporter.notice("stopping");
        stop();
    });
    QObject::connect(&scheduler, &SyncScheduler::syncStarted, &loop, [&] { reporter.runStarted(scheduler.runs()); });
    QObject::connect(&scheduler, &SyncScheduler::syncFinished, &loop,
                     [&](const SyncSummary& summary) { reporter.summary(summary); });
    QObject::connect(&scheduler, &SyncScheduler::syncFailed, &loop, [&](const SyncError& error) {
        if (error.code == SyncErrorCode::Cancelled) return;
        const int code = exitCodeFor(error);
        reporter.failure(error, code);
        // A wrong password or certificate does not fix itself, nor does another sync of the same
        // folder; everything else (a server that is away, a refused mass delete) is worth another
        // run when something changes.
        if (error.code == SyncErrorCode::Auth || error.code == SyncErrorCode::Tls ||
            error.code == SyncErrorCode::FolderBusy) {
            exitCode = code;
            stop();
        }
    });
    scheduler.start();
    loop.exec();
    reporter.finish();
    return exitCode;
}

} // namespace

void printSyncUsage()
{
    std::cout << R"(Usage: nubocmd sync [OPTIONS] LOCAL_DIR SERVER_URL

Sync LOCAL_DIR (which must exist) with a folder on a Nextcloud server, both ways: once, or
with --watch until stopped. SERVER_URL is the server's address (https://cloud.example.org, a
sub-path, or a URL pasted from the web interface); https://USER@host names the user.

Account:
  --user U, -u U           login name (default: the user in SERVER_URL, else the --netrc login)
  --password-file F        read the password from the first line of F
  --app-password-file F    the same for an app password (server: Settings > Security)
  --netrc, -n              login and password from ~/.netrc ($NETRC) for the server's host
                           Without these the password is read from the first line of standard
                           input, or asked for without echo on a terminal. It is never taken
                           from the command line or the environment.
  --trust                  accept a TLS certificate that is not trusted (self-signed)
  --proxy URL              send every request through this proxy: http://[USER@]HOST:PORT,
                           socks5://HOST:PORT (names resolved here), socks5h://HOST:PORT (by
                           the proxy), or none. Without it: https_proxy, http_proxy, all_proxy
                           and no_proxy (or in capitals) as curl reads them, else the desktop's
                           settings. localhost and 127.0.0.0/8 are never proxied
  --proxy-password-file F  the password of the USER in --proxy, from the first line of F

What to sync:
  --path REMOTE_DIR        the server folder to sync (default: all the user's files); created
                           on the first sync when missing
  --exclude F              more exclude patterns (sync-exclude.lst syntax) on top of the defaults
  --unsynced-folders F     folders to leave out (selective sync), one relative path a line
  --allow-mass-delete      let a run delete more than half of the synced items (exit code 3)
  --key-store keychain|file  where this device's end-to-end encryption key is (nubocmd e2ee
                           init); encrypted folders are synced with it. Default: the OS keychain,
                           and without a key encrypted folders are left alone with a warning

How:
  --max-sync-retries N     sync passes at most while items fail retryably (default 3)
  --uplimit KB/s           limit uploads to this many KiB per second (0: no limit)
  --downlimit KB/s         limit downloads likewise
  --watch                  keep running: sync again after local changes (1.5 s of quiet) and
                           when the server changes (checked every 30 s), until SIGINT/SIGTERM;
                           prints a summary line per run

Output:
  (default)                on a terminal, a progress line; otherwise one line per finished
                           item; then a summary line and every item that could not be synced
  --silent, -s             only errors
  --json                   one JSON object per line on stdout: "phase", "plan", "progress"
                           (at most 10 a second), "item", "summary" and "error" events

Deleted files go to the desktop trash when one is usable. Conflicts keep both versions: yours
as "name (conflicted copy DATE TIME).ext", the server's under the name.

Exit codes:
  0  in sync (with --watch: stopped by SIGINT or SIGTERM)
  1  some items could not be synced; the summary lists them and the next run retries
  2  usage error, including a password, exclude or folder file that cannot be read
  3  mass delete refused: nothing was changed; the message says what would be deleted, and
     --allow-mass-delete lets it happen
  4  authentication, TLS or server problem: wrong password, untrusted certificate, server or
     proxy unreachable, proxy credentials refused, not a Nextcloud URL, maintenance
  5  interrupted by SIGINT or SIGTERM (the run stopped cleanly; run it again to finish)
  6  another sync of the same local folder is running (nubocmd or the app); nothing was done
)";
}

int runSyncCommand(const std::vector<std::string>& args, char* program)
{
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
        printSyncUsage();
        return SyncExitOk;
    }
    for (const std::string& arg : args)
        if (arg == "--help" || arg == "-h") {
            printSyncUsage();
            return SyncExitOk;
        }
    SyncInvocation invocation;
    if (auto problem = parseInvocation(args, invocation)) return usage(*problem);

    std::error_code error;
    if (!fs::is_directory(invocation.localDir, error))
        return usage("the local folder '" + invocation.localDir.string() + "' does not exist or is not a folder");
    SyncOptions options;
    options.localRoot = fs::absolute(invocation.localDir, error);
    options.maxRetries = invocation.passes - 1;
    options.massDeleteDecision =
        invocation.allowMassDelete ? MassDeleteDecision::Delete : MassDeleteDecision::Refuse;
    if (invocation.excludeFile) {
        if (!fs::is_regular_file(*invocation.excludeFile, error))
            return usage("cannot read the exclude file " + invocation.excludeFile->string());
        if (auto added = options.excludes.addFile(*invocation.excludeFile); !added) return usage(added.error().message);
    }
    if (invocation.unsyncedFile) {
        auto folders = readUnsyncedFolders(*invocation.unsyncedFile);
        if (!folders) return usage(folders.error().message);
        options.unsyncedFolders = std::move(*folders);
    }

    // Before the password prompt: a proxy variable that cannot be read stops here.
    if (auto proxy = applyProxy(invocation.account)) return usage(proxy->message);
    auto login = loginFor(invocation.account);
    if (!login) {
        if (login.error().exitCode == SyncExitUsage) return usage(login.error().message);
        std::cerr << "nubocmd sync: " << login.error().message << "\n";
        return login.error().exitCode;
    }
    AccountConfig config = std::move(*login);
    config.remoteRoot = invocation.remoteRoot;
    config.uploadLimitKiB = invocation.upKiB;
    config.downloadLimitKiB = invocation.downKiB;

    int qtArgc = 1;
    char* qtArgv[] = {program, nullptr};
    QCoreApplication app(qtArgc, qtArgv);
    Reporter reporter(invocation.output, invocation.watch);

    std::shared_ptr<Account> account;
    {
        // Connecting has touched nothing local: a signal may end the process at once.
        StopSignals stopSignals([&] { exitNow(reporter); });
        auto connected = runInWorker([&] {
            // The server folder is checked (and made on a first sync) while the capabilities are read.
            std::optional<Result<bool>> root;
            auto result = Account::connect(std::move(config), [&](const std::shared_ptr<const Account>& loggedIn) {
                root = ensureRemoteRoot(loggedIn, options.localRoot);
            });
            if (result && root) {
                if (*root && **root)
                    reporter.notice("created the folder '" + (*result)->config().remoteRoot + "' on the server");
                if (!*root)
                    return Result<std::shared_ptr<Account>>(std::unexpected(root->error()));
            }
            return result;
        });
        OPENSSL_cleanse(config.password.data(), config.password.size());
        if (!connected) {
            const int code = connected.error().code == SyncErrorCode::Cancelled ? SyncExitInterrupted : SyncExitAccount;
            reporter.failure(connected.error(), code);
            return code;
        }
        account = std::move(*connected);
    }
    auto hook = runInWorker([&] { return e2eeHookFor(account, invocation.keyStore, reporter); });
    return invocation.watch ? runWatch(account, std::move(options), std::move(hook), reporter)
                            : runOnce(account, std::move(options), std::move(hook), reporter);
}

} // namespace nubo::cli
