// Runs the nubo-server binary as a child process for integration tests: a fresh temporary data
// folder per instance, the port learned from the first line the server prints, SIGTERM to stop
// (SIGKILL after a timeout), SIGKILL on purpose for crash tests, and restart on the same data.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace nubo::itest {

class ServerProcess {
public:
    // binary: path of nubo-server. Creates the temporary folder (mkdtemp under $TMPDIR or /tmp)
    // right away; nothing runs until start().
    explicit ServerProcess(std::filesystem::path binary);
    // Stops the server if it still runs and removes the temporary folder (kept, and its path
    // printed, when the environment has NUBO_ITEST_KEEP_DATA=1).
    ~ServerProcess();

    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // Configuration; takes effect at the next start() or restart().
    ServerProcess& addUser(std::string name, std::string password); // --add-user NAME:PASSWORD
    ServerProcess& addArgument(std::string argument);               // e.g. "--quota", "alice:1000"
    ServerProcess& addArguments(const std::vector<std::string>& arguments);
    ServerProcess& clearArguments(); // forget what addArgument(s) added
    ServerProcess& setListen(std::string hostPort);                      // default 127.0.0.1:0
    ServerProcess& setStartupTimeout(std::chrono::milliseconds timeout); // default 10 s

    // Spawns the server (fork + exec) and waits for `listening on http(s)://HOST:PORT` as its first
    // stdout line. The child gets SIGKILL when the thread that called start() ends
    // (PR_SET_PDEATHSIG), so a crashed test leaves no server behind: start servers from the test's
    // own thread, not from a short-lived helper thread.
    // Throws std::runtime_error naming the command line, what it printed and its stderr when it
    // exits early, prints something else, or says nothing in time (it is killed then).
    void start();

    // SIGTERM, wait up to `timeout`, then SIGKILL. Returns the exit status: the exit code
    // (0..255), or 128 + signal number when a signal ended it; -1 when it was not running.
    int stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Whether the last stop() had to fall back to SIGKILL.
    bool lastStopNeededKill() const { return m_lastStopNeededKill; }
    // SIGKILL right away (crash simulation); returns the exit status as stop() does.
    int kill9();
    // stop() if running, then start() again on the same data folder (the port may change).
    void restart();

    // True while the child runs; reaps it (and records its status) once it has exited.
    bool isRunning();
    // The status of the last run that ended (see stop()).
    std::optional<int> lastExitStatus() const { return m_exitStatus; }

    pid_t pid() const { return m_pid; }
    const std::string& host() const { return m_host; }
    std::uint16_t port() const { return m_port; }
    std::string baseUrl() const; // http://HOST:PORT, or https:// when it serves TLS
    const std::filesystem::path& dataDir() const { return m_dataDir; }
    const std::filesystem::path& binary() const { return m_binary; }
    std::vector<std::string> commandLine() const;

    std::string stdoutText() const;                         // everything printed so far
    std::string stderrText(std::size_t maxBytes = 0) const; // the log of every run; 0 = all
    // "exited with code N" / "killed by signal N (SIGTERM)"
    static std::string describeStatus(int status);

private:
    void readerLoop(int fd);
    void finishReader();
    void reap(int waitStatus);
    [[noreturn]] void failStart(const std::string& why);

    std::filesystem::path m_binary;
    std::filesystem::path m_workDir;
    std::filesystem::path m_dataDir;
    std::filesystem::path m_stderrLog;
    std::vector<std::pair<std::string, std::string>> m_users;
    std::vector<std::string> m_extraArgs;
    std::string m_listen = "127.0.0.1:0";
    std::chrono::milliseconds m_startupTimeout{10000};

    pid_t m_pid = 0;
    std::string m_host;
    std::string m_scheme = "http";
    std::uint16_t m_port = 0;
    std::optional<int> m_exitStatus;
    bool m_lastStopNeededKill = false;

    std::thread m_reader;
    std::atomic<bool> m_readerStop{false};
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::string m_stdout;     // guarded by m_mutex
    bool m_stdoutEof = false; // guarded by m_mutex
};

} // namespace nubo::itest
