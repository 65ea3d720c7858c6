#include "server_process.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <poll.h>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>

namespace nubo::itest {

namespace {

std::filesystem::path makeTempDir()
{
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = (tmp && *tmp ? std::string(tmp) : std::string("/tmp")) + "/nubo-server-test-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (!::mkdtemp(buffer.data())) throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    return std::filesystem::path(buffer.data());
}

std::string readFileTail(const std::filesystem::path& path, std::size_t maxBytes)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream out;
    out << in.rdbuf();
    std::string text = out.str();
    if (maxBytes != 0 && text.size() > maxBytes) text = "[...]" + text.substr(text.size() - maxBytes);
    return text;
}

int decodeWaitStatus(int waitStatus)
{
    if (WIFEXITED(waitStatus)) return WEXITSTATUS(waitStatus);
    if (WIFSIGNALED(waitStatus)) return 128 + WTERMSIG(waitStatus);
    return -1;
}

std::string quoteArgument(const std::string& arg)
{
    if (!arg.empty() && arg.find_first_of(" \t\"'\\$") == std::string::npos) return arg;
    std::string out = "'";
    for (char c : arg) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

} // namespace

ServerProcess::ServerProcess(std::filesystem::path binary) : m_binary(std::move(binary))
{
    m_workDir = makeTempDir();
    m_dataDir = m_workDir / "data";
    m_stderrLog = m_workDir / "server-stderr.log";
    std::filesystem::create_directory(m_dataDir);
}

ServerProcess::~ServerProcess()
{
    try {
        if (m_pid > 0) stop(std::chrono::seconds(5));
    } catch (...) {
    }
    finishReader();
    const char* keep = std::getenv("NUBO_ITEST_KEEP_DATA");
    if (keep && std::string(keep) == "1") {
        std::cerr << "[server_process] kept " << m_workDir << "\n";
        return;
    }
    std::error_code ec;
    std::filesystem::remove_all(m_workDir, ec);
}

ServerProcess& ServerProcess::addUser(std::string name, std::string password)
{
    m_users.emplace_back(std::move(name), std::move(password));
    return *this;
}

ServerProcess& ServerProcess::addArgument(std::string argument)
{
    m_extraArgs.push_back(std::move(argument));
    return *this;
}

ServerProcess& ServerProcess::clearArguments()
{
    m_extraArgs.clear();
    return *this;
}

ServerProcess& ServerProcess::addArguments(const std::vector<std::string>& arguments)
{
    m_extraArgs.insert(m_extraArgs.end(), arguments.begin(), arguments.end());
    return *this;
}

ServerProcess& ServerProcess::setListen(std::string hostPort)
{
    m_listen = std::move(hostPort);
    return *this;
}

ServerProcess& ServerProcess::setStartupTimeout(std::chrono::milliseconds timeout)
{
    m_startupTimeout = timeout;
    return *this;
}

std::vector<std::string> ServerProcess::commandLine() const
{
    std::vector<std::string> args{m_binary.string(), "--data", m_dataDir.string(), "--listen", m_listen};
    for (const auto& [name, password] : m_users) {
        args.emplace_back("--add-user");
        args.push_back(name + ":" + password);
    }
    args.insert(args.end(), m_extraArgs.begin(), m_extraArgs.end());
    return args;
}

std::string ServerProcess::baseUrl() const
{
    return m_scheme + "://" + m_host + ":" + std::to_string(m_port);
}

std::string ServerProcess::stdoutText() const
{
    std::lock_guard lock(m_mutex);
    return m_stdout;
}

std::string ServerProcess::stderrText(std::size_t maxBytes) const
{
    return readFileTail(m_stderrLog, maxBytes);
}

std::string ServerProcess::describeStatus(int status)
{
    if (status < 0) return "not started";
    if (status > 128 && status < 128 + 65) {
        const int sig = status - 128;
        const char* name = ::sigabbrev_np(sig);
        return "killed by signal " + std::to_string(sig) + (name ? std::string(" (SIG") + name + ")" : "");
    }
    return "exited with code " + std::to_string(status);
}

void ServerProcess::start()
{
    if (m_pid > 0) throw std::logic_error("ServerProcess::start: already running");
    if (!std::filesystem::exists(m_binary))
        throw std::runtime_error("nubo-server binary not found at " + m_binary.string() +
                                 " (build it, or set NUBO_SERVER_BINARY)");

    finishReader(); // a previous run's reader, if any
    {
        std::lock_guard lock(m_mutex);
        m_stdout.clear();
        m_stdoutEof = false;
    }
    m_readerStop = false;
    m_port = 0;
    m_host.clear();
    m_lastStopNeededKill = false;

    // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
    const std::vector<std::string> args = commandLine();
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    int outPipe[2];
    if (::pipe2(outPipe, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
    int errPipe[2]; // reports a failed exec back to the parent
    if (::pipe2(errPipe, O_CLOEXEC) != 0) {
        ::close(outPipe[0]);
        ::close(outPipe[1]);
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    const int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const int logFd = ::open(m_stderrLog.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (devNull < 0 || logFd < 0) {
        const int err = errno;
        for (int fd : {outPipe[0], outPipe[1], errPipe[0], errPipe[1], devNull, logFd})
            if (fd >= 0) ::close(fd);
        throw std::system_error(err, std::generic_category(), "open /dev/null or " + m_stderrLog.string());
    }
    {
        // Separate the runs in the log.
        const std::string banner = "==== start: " + [&] {
            std::string line;
            for (const auto& a : args)
                line += (line.empty() ? "" : " ") + quoteArgument(a);
            return line;
        }() + "\n";
        [[maybe_unused]] auto n = ::write(logFd, banner.data(), banner.size());
    }

    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int err = errno;
        for (int fd : {outPipe[0], outPipe[1], errPipe[0], errPipe[1], devNull, logFd})
            ::close(fd);
        throw std::system_error(err, std::generic_category(), "fork");
    }
    if (pid == 0) {
        // Child. The server dies with the test process, so a crashed test leaves nothing behind.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        ::setpgid(0, 0); // a terminal's Ctrl-C goes to the test, which then stops the server
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        ::dup2(devNull, 0);
        ::dup2(outPipe[1], 1);
        ::dup2(logFd, 2);
        ::execv(argv[0], argv.data());
        const int err = errno;
        [[maybe_unused]] auto n = ::write(errPipe[1], &err, sizeof err);
        ::_exit(127);
    }

    ::close(outPipe[1]);
    ::close(errPipe[1]);
    ::close(devNull);
    ::close(logFd);
    m_pid = pid;
    m_exitStatus.reset();

    int execErr = 0;
    ssize_t got;
    do {
        got = ::read(errPipe[0], &execErr, sizeof execErr);
    } while (got < 0 && errno == EINTR);
    ::close(errPipe[0]);
    if (got == static_cast<ssize_t>(sizeof execErr)) {
        ::close(outPipe[0]);
        int ws = 0;
        ::waitpid(pid, &ws, 0);
        m_pid = 0;
        throw std::runtime_error("cannot execute " + m_binary.string() + ": " + std::strerror(execErr));
    }

    m_reader = std::thread([this, fd = outPipe[0]] { readerLoop(fd); });

    // Wait for the first line.
    std::string firstLine;
    {
        std::unique_lock lock(m_mutex);
        const bool done = m_cv.wait_for(lock, m_startupTimeout,
                                        [&] { return m_stdout.find('\n') != std::string::npos || m_stdoutEof; });
        const auto nl = m_stdout.find('\n');
        if (nl != std::string::npos) firstLine = m_stdout.substr(0, nl);
        if (!done) {
            lock.unlock();
            failStart("printed no complete first line within " + std::to_string(m_startupTimeout.count()) + " ms");
        }
    }
    if (firstLine.empty()) {
        // Standard output closes a moment before the process can be reaped: give it that moment.
        for (int i = 0; i < 200 && isRunning(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (!isRunning())
            failStart("exited (" + describeStatus(m_exitStatus.value_or(-1)) + ") before printing its address");
    }

    if (!firstLine.empty() && firstLine.back() == '\r') firstLine.pop_back();
    static const std::string prefix = "listening on http://", tlsPrefix = "listening on https://";
    const bool tls = firstLine.rfind(tlsPrefix, 0) == 0;
    if (firstLine.rfind(prefix, 0) != 0 && !tls)
        failStart("first stdout line is not `listening on http(s)://HOST:PORT` but `" + firstLine + "`");
    m_scheme = tls ? "https" : "http";
    std::string hostPort = firstLine.substr(tls ? tlsPrefix.size() : prefix.size());
    while (!hostPort.empty() && (hostPort.back() == '/' || hostPort.back() == ' '))
        hostPort.pop_back();
    const auto colon = hostPort.rfind(':');
    unsigned long port = 0;
    try {
        std::size_t used = 0;
        if (colon == std::string::npos) throw std::invalid_argument("no colon");
        port = std::stoul(hostPort.substr(colon + 1), &used);
        if (used != hostPort.size() - colon - 1 || port == 0 || port > 65535) throw std::invalid_argument("range");
    } catch (const std::exception&) {
        failStart("cannot read a port from the first stdout line `" + firstLine + "`");
    }
    m_host = hostPort.substr(0, colon);
    if (m_host.size() >= 2 && m_host.front() == '[' && m_host.back() == ']')
        m_host = m_host.substr(1, m_host.size() - 2);
    if (m_host.empty() || m_host == "0.0.0.0") m_host = "127.0.0.1";
    m_port = static_cast<std::uint16_t>(port);
}

void ServerProcess::failStart(const std::string& why)
{
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        int ws = 0;
        ::waitpid(m_pid, &ws, 0);
        reap(ws);
    }
    finishReader();
    std::string command;
    for (const auto& a : commandLine())
        command += (command.empty() ? "" : " ") + quoteArgument(a);
    std::string out = stdoutText();
    if (out.size() > 4096) out = out.substr(0, 4096) + "[...]";
    throw std::runtime_error("nubo-server failed to start: " + why + "\n  command: " + command +
                             "\n  stdout: " + (out.empty() ? "(nothing)" : out) + "\n  stderr:\n" + stderrText(8192));
}

void ServerProcess::readerLoop(int fd)
{
    char buffer[4096];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        const int r = ::poll(&p, 1, 100);
        if (r < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (r == 0) {
            if (m_readerStop) break; // the server is gone; nothing more is coming
            continue;
        }
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            break;
        }
        if (n == 0) break;
        {
            std::lock_guard lock(m_mutex);
            m_stdout.append(buffer, static_cast<std::size_t>(n));
        }
        m_cv.notify_all();
    }
    ::close(fd);
    {
        std::lock_guard lock(m_mutex);
        m_stdoutEof = true;
    }
    m_cv.notify_all();
}

void ServerProcess::finishReader()
{
    m_readerStop = true;
    if (m_reader.joinable()) m_reader.join();
}

void ServerProcess::reap(int waitStatus)
{
    m_exitStatus = decodeWaitStatus(waitStatus);
    m_pid = 0;
}

bool ServerProcess::isRunning()
{
    if (m_pid <= 0) return false;
    int ws = 0;
    const pid_t r = ::waitpid(m_pid, &ws, WNOHANG);
    if (r == 0) return true;
    if (r == m_pid) {
        reap(ws);
    } else {
        m_pid = 0; // ECHILD: someone else reaped it
    }
    finishReader();
    return false;
}

int ServerProcess::stop(std::chrono::milliseconds timeout)
{
    if (m_pid <= 0) return m_exitStatus.value_or(-1);
    m_lastStopNeededKill = false;
    ::kill(m_pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int ws = 0;
        const pid_t r = ::waitpid(m_pid, &ws, WNOHANG);
        if (r == m_pid) {
            reap(ws);
            break;
        }
        if (r < 0) {
            m_pid = 0;
            m_exitStatus = -1;
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            m_lastStopNeededKill = true;
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, &ws, 0);
            reap(ws);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    finishReader();
    return m_exitStatus.value_or(-1);
}

int ServerProcess::kill9()
{
    if (m_pid <= 0) return m_exitStatus.value_or(-1);
    ::kill(m_pid, SIGKILL);
    int ws = 0;
    ::waitpid(m_pid, &ws, 0);
    reap(ws);
    finishReader();
    return m_exitStatus.value_or(-1);
}

void ServerProcess::restart()
{
    if (m_pid > 0) stop();
    start();
}

} // namespace nubo::itest
